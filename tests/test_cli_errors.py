"""Every `danvan` error is one Vietnamese line on stderr and an exit status; a traceback only with --debug.

The full disk and the read-only disk are real (a tiny tmpfs, when this machine lets the tests mount one); the
same failure is also simulated where xlsxwriter opens its zip file, so the test runs everywhere.
"""
from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from storedump import store_contents

from danvan_kit.catalog.loading import load_catalog
from danvan_kit.cli import main
from danvan_kit.store import Store


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """An initialised store (no submission: an export still writes its two workbooks)."""
    folder = tmp_path_factory.mktemp("cli-errors") / "data"
    catalog = load_catalog()
    with Store.open(data_dir=folder, validator=catalog.validator) as store:
        store.migrate()
        store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    return folder


def run(*args: str):
    return CliRunner().invoke(main, list(args), env={"DANVAN_DB_URL": ""})


def _one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


def _exported(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def disk_full_at_zip_open(monkeypatch, tmp_path):
    """ENOSPC where xlsxwriter opens its zip file in the output folder (it raises FileCreateError then)."""
    out = tmp_path / "xuat"
    real_open = io.open

    def open_(file, mode="r", *args, **kwargs):
        if "w" in mode and str(file).startswith(str(out)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return real_open(file, mode, *args, **kwargs)
    monkeypatch.setattr(zipfile.io, "open", open_)
    return out


def test_a_full_disk_during_export_is_one_vietnamese_line_and_status_1(disk_full_at_zip_open, data_dir):
    before = store_contents(data_dir)
    result = run("export", "--period", "2026-6t", "--quiet", "--out", str(disk_full_at_zip_open),
                 "--data-dir", str(data_dir))
    line = _one_line(result.output)
    assert result.exit_code == 1
    assert line.startswith("Lỗi: ổ đĩa đã đầy, không ghi được «tong-hop-2026-6t_") and str(data_dir) not in line
    assert "FileCreateError" not in result.output and "Traceback" not in result.output
    assert _exported(disk_full_at_zip_open) == [".danvan-export.lock"]  # no temporary file left behind
    assert store_contents(data_dir) == before


def test_debug_adds_the_traceback_before_the_same_line(disk_full_at_zip_open, data_dir):
    result = run("--debug", "export", "--period", "2026-6t", "--quiet", "--out", str(disk_full_at_zip_open),
                 "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert "Traceback" in result.output and "FileCreateError" in result.output
    assert result.output.strip().splitlines()[-1].startswith("Lỗi: ổ đĩa đã đầy")


def test_an_unexpected_exception_is_one_line_that_points_to_debug(data_dir, tmp_path, monkeypatch):
    import danvan_kit.publishing.export as export_module

    def broken(*args, **kwargs):
        raise KeyError("so_cuoc")
    monkeypatch.setattr(export_module, "export_period", broken)
    result = run("export", "--period", "2026-6t", "--quiet", "--out", str(tmp_path), "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert _one_line(result.output) == ("Lỗi: lỗi không mong đợi; lệnh chưa hoàn tất. Hãy chạy lại với danvan --debug "
                                        "và gửi nội dung hiện ra cho người quản trị")


@pytest.mark.parametrize("args,expected", [
    (["blank-form", "--unit", "XA-AN-PHU", "--period", "2026-dvk", "--item", "../../x"],
     "Lỗi: giá trị của --item không hợp lệ: phải là số nguyên từ 1 đến 9999 (xem danvan blank-form --help)"),
    (["blank-form", "--unit", "XA-AN-PHU"], "Lỗi: thiếu --period (xem danvan blank-form --help)"),
    (["users", "list", "--format", "xml"],
     "Lỗi: giá trị của --format không hợp lệ: phải là một trong: table, csv (xem danvan users list --help)"),
    (["status", "--period", "2026-6t", "--colour"], "Lỗi: không có tùy chọn --colour (xem danvan status --help)"),
    (["users", "remove", "x"], "Lỗi: không có lệnh «remove» (xem danvan users --help)"),
])
def test_a_mistyped_command_is_one_vietnamese_line_and_status_2(args, expected, tmp_path):
    result = run(*args, "--out", str(tmp_path)) if args[0] == "blank-form" else run(*args)
    assert (result.exit_code, _one_line(result.output)) == (2, expected)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("unit,period,item", [
    ("XA-AN-PHU", "2026-dvk", "../../x"), ("../../x", "2026-6t", None), ("XA-AN-PHU", "../../../tmp/x", None),
    ("XA-AN-PHU", "2026-dvk", "0"), ("XA-AN-PHU", "2026-dvk", "9999"),
])
def test_blank_form_never_writes_outside_the_chosen_folder(unit, period, item, tmp_path):
    chosen = tmp_path / "a" / "b"
    chosen.mkdir(parents=True)
    args = ["blank-form", "--unit", unit, "--period", period, "--out", str(chosen)]
    result = run(*args, *(["--item", item] if item else []))
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    if item == "9999":
        assert result.exit_code == 0, result.output
        assert [p.relative_to(chosen) for p in written] == [Path("mau-nhap-lieu-XA-AN-PHU-2026-dvk-mo-hinh-9999.xlsx")]
    else:
        assert result.exit_code == 2 and _one_line(result.output).startswith("Lỗi: ")
        assert written == []


def test_the_default_blank_form_name_is_never_a_path():
    from danvan_kit.roundtrip import default_filename

    name = default_filename("../../XA", "../2026/6t", "../../x")
    assert "/" not in name and not name.startswith(".") and name.endswith(".xlsx")


def _mount_tmpfs(folder: Path, options: str) -> None:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"this machine does not let the tests mount a tmpfs ({done.stderr.decode().strip()})")


@pytest.mark.parametrize("kind", ["full", "read-only"])
def test_a_real_full_or_read_only_disk_is_one_vietnamese_line_from_the_real_command(kind, data_dir, tmp_path):
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "size=64k" if kind == "full" else "ro,size=64k")
    try:
        if kind == "full":
            (disk / "xuat").mkdir()
            (disk / "filler").write_bytes(bytes(40_000))  # leaves less room than one workbook needs
        before = store_contents(data_dir)
        env = {k: v for k, v in os.environ.items() if k != "DANVAN_DB_URL"}
        done = subprocess.run([sys.executable, "-m", "danvan_kit", "export", "--period", "2026-6t", "--quiet",
                               "--out", str(disk / "xuat"), "--data-dir", str(data_dir)],
                              capture_output=True, text=True, env=env)
        assert done.returncode == 1 and done.stdout == ""
        line = _one_line(done.stderr)  # nothing else: no "Exception ignored" from a half-written zip either
        if kind == "full":
            assert line.startswith("Lỗi: ổ đĩa đã đầy, không ghi được «tong-hop-2026-6t_")
            assert _exported(disk / "xuat") == [".danvan-export.lock"]
        else:
            assert line == "Lỗi: ổ đĩa chỉ cho phép đọc, không ghi được «xuat»"
        assert store_contents(data_dir) == before
    finally:
        subprocess.run(["umount", str(disk)], check=True)
