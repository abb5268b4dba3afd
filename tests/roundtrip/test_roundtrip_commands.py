"""`danvan blank-form` and `danvan import` through click's CliRunner, as the integrator registers them."""
from __future__ import annotations

import shlex
import subprocess
import sys

import click
import pytest
from bookkit import cell_of, fill
from click.testing import CliRunner
from samples import REPORT_INPUT

from danvan_kit.cli.roundtrip import blank_form, import_


@pytest.fixture
def cli():
    group = click.Group("danvan")
    group.add_command(blank_form)
    group.add_command(import_)
    runner = CliRunner()
    return lambda *args: runner.invoke(group, list(args), env={"DANVAN_DB_URL": ""})


def _blank(cli, catalog, books, unit="XA-AN-PHU", name=None, answers=None):
    path = books / (name or f"{unit}.xlsx")
    result = cli("blank-form", "--unit", unit, "--period", "2026-6t", "--out", str(path))
    assert result.exit_code == 0, result.output
    assert result.output == f"Đã ghi mẫu nhập liệu: {path}\n"
    return fill(path, catalog.form_for("2026-6t"), REPORT_INPUT if answers is None else answers)


def test_blank_form_writes_the_default_file_name_into_a_folder(cli, books):
    result = cli("blank-form", "--unit", "XA-AN-PHU", "--period", "2026-dvk", "--item", "2", "--out", str(books))
    assert result.exit_code == 0, result.output
    assert (books / "mau-nhap-lieu-XA-AN-PHU-2026-dvk-mo-hinh-2.xlsx").exists()
    assert [p.name for p in books.iterdir()] == ["mau-nhap-lieu-XA-AN-PHU-2026-dvk-mo-hinh-2.xlsx"]  # no temp file left


def test_blank_form_says_in_vietnamese_when_the_unit_or_period_does_not_exist(cli, books):
    unit = cli("blank-form", "--unit", "XA-KHONG-CO", "--period", "2026-6t", "--out", str(books))
    assert unit.exit_code == 2 and "không có đơn vị mã 'XA-KHONG-CO'" in unit.output
    period = cli("blank-form", "--unit", "XA-AN-PHU", "--period", "2026-9t", "--out", str(books))
    assert period.exit_code == 2 and "không có kỳ báo cáo '2026-9t'" in period.output
    assert list(books.iterdir()) == []


def test_import_stores_a_good_file_and_prints_one_line_and_a_summary(cli, catalog, books, data_dir, store):
    path = _blank(cli, catalog, books)
    result = cli("import", str(path), "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["XA-AN-PHU.xlsx: đã lưu — Xã An Phú (XA-AN-PHU), kỳ 2026-6t, bản 1",
                                          "1 tệp: 1 đã lưu, 0 bị từ chối"]
    again = cli("import", str(path), "--data-dir", str(data_dir))
    assert again.exit_code == 0 and "XA-AN-PHU.xlsx: đã có — Xã An Phú (XA-AN-PHU), kỳ 2026-6t, bản 1" in again.stdout
    assert "1 tệp: 0 đã lưu, 1 đã có (không lưu thêm), 0 bị từ chối" in again.stdout
    assert len(store.history(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")) == 1


def test_import_of_a_folder_prints_each_problem_on_stderr_and_exits_1(cli, catalog, books, data_dir, store):
    _blank(cli, catalog, books, "XA-AN-PHU")
    bad = _blank(cli, catalog, books, "XA-MINH-TAM", answers={**REPORT_INPUT, "so_cuoc_tuyen_truyen": "nhiều"})
    result = cli("import", str(books), "--period", "2026-6t", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0] == (f"XA-MINH-TAM.xlsx › Nhập liệu › ô {cell_of(bad, 'so_cuoc_tuyen_truyen')} › «Số cuộc tuyên "
                         "truyền, vận động Nhân dân»: phải là số nguyên (đang nhập «nhiều»)")
    # rules that use the unreadable figure are not reported a second time (as in the browser form)
    assert errors[1:] == []
    assert result.stdout.splitlines()[-1] == "2 tệp: 1 đã lưu, 1 bị từ chối"
    assert [r.unit_code for r in store.submissions(store.system_actor(), "2026-6t")] == ["XA-AN-PHU"]


def test_import_dry_run_and_a_wrong_unit_store_nothing(cli, catalog, books, data_dir, store):
    path = _blank(cli, catalog, books)
    dry = cli("import", str(path), "--dry-run", "--data-dir", str(data_dir))
    assert dry.exit_code == 0 and "hợp lệ — Xã An Phú (XA-AN-PHU), kỳ 2026-6t (chưa lưu vì --dry-run)" in dry.stdout
    wrong = cli("import", str(path), "--unit", "XA-MINH-TAM", "--data-dir", str(data_dir))
    assert wrong.exit_code == 1 and "không phải đơn vị XA-MINH-TAM đã chọn khi nhập" in wrong.stderr
    assert store.submissions(store.system_actor(), "2026-6t") == []


def test_import_as_a_unit_login_and_refuses_an_unknown_login(cli, catalog, books, data_dir, store):
    store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode="mat-khau-dai-1")
    path = _blank(cli, catalog, books)
    unknown = cli("import", str(path), "--login", "khong-co", "--data-dir", str(data_dir))
    assert unknown.exit_code == 2 and "không có tài khoản 'khong-co' đang hoạt động" in unknown.output
    ok = cli("import", str(path), "--login", "xa-an-phu", "--data-dir", str(data_dir))
    assert ok.exit_code == 0, ok.output
    assert store.latest(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t").author == "xa-an-phu"


def test_import_of_an_empty_folder_or_an_uninitialised_store_exits_1_with_a_reason(cli, books, tmp_path):
    empty = cli("import", str(books), "--data-dir", str(tmp_path / "data"))
    assert empty.exit_code == 1 and "danvan init" in empty.output
    (tmp_path / "fresh").mkdir()
    from danvan_kit.catalog.loading import load_catalog
    from danvan_kit.store import Store

    catalog = load_catalog()
    with Store.open(data_dir=tmp_path / "fresh") as store:
        store.migrate()
        store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    nothing = cli("import", str(books), "--data-dir", str(tmp_path / "fresh"))
    assert nothing.exit_code == 1 and f"Không có tệp .xlsx nào trong thư mục {books}." in nothing.stderr


@pytest.mark.parametrize("command", [blank_form, import_], ids=["blank-form", "import"])
def test_help_explains_every_option_and_ends_with_an_example_that_parses(command):
    lines = [ln.strip() for ln in command.help.strip().splitlines() if ln.strip()]
    assert lines[-1].startswith(f"Example: danvan {command.name} ")
    assert all(p.help for p in command.params if isinstance(p, click.Option))
    words = shlex.split(lines[-1].removeprefix("Example: "))
    group = click.Group("danvan", commands={command.name: command})
    parsed = CliRunner().invoke(group, words[1:] + ["--help"])
    assert parsed.exit_code == 0 and "Example: danvan" in parsed.output


def test_importing_the_package_loads_neither_pandas_nor_the_excel_libraries():
    code = ("import sys, danvan_kit.roundtrip as r; r.__all__; "
            "print(sorted(m for m in ('pandas', 'openpyxl', 'xlsxwriter') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
