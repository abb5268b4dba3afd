"""Publishing safely: versions then latest, a latest held open, crashes, the lock, coalesced requests."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from excelfill import TODAY, fill_store
from excelkit import find_sheet, load, read_table

from danvan_kit.publishing import export_period, request_export
from danvan_kit.publishing.pending import PENDING_DIR, STARTING, worker_running
from danvan_kit.publishing.publish import NOTE_FILE, TEMP_PREFIX, VERSIONS_DIR

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fresh(catalog, tmp_path_factory):
    """A store of its own: these tests add submissions."""
    f = fill_store(catalog, tmp_path_factory.mktemp("publish-store"), seed=11)
    yield f
    f.store.close()


def _status(path: Path) -> list[list]:
    return [r[:6] for r in read_table(find_sheet(load(path), "Tình hình nộp")).rows]


def _temps(out: Path) -> list[Path]:
    return [p for folder in (out, out / VERSIONS_DIR) if folder.is_dir() for p in folder.glob(f"{TEMP_PREFIX}*")]


def test_an_export_writes_a_dated_version_then_replaces_the_latest_copy(fresh, tmp_path):
    report = export_period(fresh.catalog, fresh.store, "2026-6t", out_dir=tmp_path, today=TODAY)
    assert report.latest == tmp_path / "tong-hop-2026-6t.xlsx" == report.newest and not report.all_problems
    assert report.version.parent == tmp_path / VERSIONS_DIR and report.version.name.startswith("tong-hop-2026-6t_")
    assert report.latest.read_bytes() == report.version.read_bytes()
    assert report.others[0].latest == tmp_path / "bao-cao-tinh-2026-6t.xlsx"
    again = export_period(fresh.catalog, fresh.store, "2026-6t", out_dir=tmp_path, today=TODAY)
    assert again.version != report.version and report.version.exists()
    assert not _temps(tmp_path) and not (tmp_path / NOTE_FILE).exists()


def test_a_latest_copy_held_open_keeps_the_submission_and_names_the_newest_version(fresh, tmp_path, monkeypatch):
    export_period(fresh.catalog, fresh.store, "2026-6t", out_dir=tmp_path, today=TODAY)
    latest = tmp_path / "tong-hop-2026-6t.xlsx"
    before = latest.read_bytes()
    unit = sorted(fresh.missing["2026-6t"])[0]
    from samples import REPORT_INPUT

    form = fresh.catalog.form_for("2026-6t")
    fresh.store.submit(fresh.store.system_actor(), unit, form.id, "2026-6t", dict(REPORT_INPUT),
                       template_version=form.version, attempt_id="held-open-1")
    real = os.replace

    def excel_holds_it(src, dst, *a, **kw):  # what Windows raises for a file open in Excel on a share
        if Path(dst) == latest:
            raise PermissionError(13, "The process cannot access the file because it is being used", str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", excel_holds_it)
    report = export_period(fresh.catalog, fresh.store, "2026-6t", out_dir=tmp_path, today=TODAY)
    assert report.latest is None and report.newest == report.version
    assert any("tong-hop-2026-6t.xlsx" in p and report.version.name in p for p in report.problems)
    assert latest.read_bytes() == before                     # the open file was not touched
    name = fresh.catalog.organisation.unit(unit).name
    assert next(r for r in _status(report.version) if r[1] == name)[4] != "Chưa nộp"
    note = (tmp_path / NOTE_FILE).read_text(encoding="utf-8-sig")
    assert report.version.name in note
    monkeypatch.setattr(os, "replace", real)                 # Excel closed: the next run catches up
    later = export_period(fresh.catalog, fresh.store, "2026-6t", out_dir=tmp_path, today=TODAY)
    assert later.latest == latest and not later.all_problems and not (tmp_path / NOTE_FILE).exists()
    assert next(r for r in _status(latest) if r[1] == name)[4] != "Chưa nộp"


def test_temporary_files_left_by_a_crash_are_swept_by_the_next_export(fresh, tmp_path):
    (tmp_path / VERSIONS_DIR).mkdir(parents=True)
    left = [tmp_path / f"{TEMP_PREFIX}999-1-tong-hop-2026-6t.xlsx",
            tmp_path / VERSIONS_DIR / f"{TEMP_PREFIX}9-2-x.xlsx"]
    for p in left:
        p.write_bytes(b"PK\x03\x04half")
    export_period(fresh.catalog, fresh.store, "2026-6t", out_dir=tmp_path, today=TODAY)
    assert not any(p.exists() for p in left) and not _temps(tmp_path)


CHILD = """
import sys
from pathlib import Path
from danvan_kit.catalog import load_catalog
from danvan_kit.publishing import export_period
from danvan_kit.store import Store
catalog, store = load_catalog(), Store.open(data_dir=sys.argv[1])
print("ready", flush=True)
while True:
    export_period(catalog, store, "2026-6t", out_dir=Path(sys.argv[2]))
"""


def test_an_export_killed_mid_write_leaves_the_previous_workbook_complete(fresh, tmp_path):
    export_period(fresh.catalog, fresh.store, "2026-6t", out_dir=tmp_path, today=TODAY)
    latest = tmp_path / "tong-hop-2026-6t.xlsx"
    expected = _status(latest)
    sheets = load(latest).sheetnames
    killed_mid_write = 0
    for _ in range(15):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(fresh.data_dir), str(tmp_path)],
                                 stdout=subprocess.PIPE, cwd=ROOT)
        assert child.stdout.readline().strip() == b"ready"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(p.stat().st_size > 0 for p in _temps(tmp_path)
                                                      if p.exists()):
            time.sleep(0.001)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        killed_mid_write += bool(_temps(tmp_path))
        wb = load(latest)                                 # the latest still opens and is complete
        assert wb.sheetnames == sheets
        assert [r[:2] for r in _status(latest)] == [r[:2] for r in expected]
        if killed_mid_write >= 2:
            break
    assert killed_mid_write >= 1, "never caught the writer mid-write"
    report = export_period(fresh.catalog, fresh.store, "2026-6t", out_dir=tmp_path, today=TODAY)
    assert report.latest == latest and not report.all_problems and not _temps(tmp_path)
    for version in (tmp_path / VERSIONS_DIR).glob("tong-hop-2026-6t_*.xlsx"):
        load(version)                                     # every published version is whole


def test_two_exports_at_once_are_serialised_by_the_lock(fresh, tmp_path):
    reports, errors = [], []

    def run():
        try:
            reports.append(export_period(fresh.catalog, fresh.store, "2026-nam", out_dir=tmp_path, today=TODAY))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len({r.version for r in reports}) == 3
    for r in reports:
        load(r.version)
    load(tmp_path / "tong-hop-2026-nam.xlsx")


def _wait_for_worker(out: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = out / PENDING_DIR
        idle = not (pending.is_dir() and any(pending.iterdir())) and not (out / STARTING).exists()
        if idle and not worker_running(out):
            return
        time.sleep(0.1)
    raise AssertionError("the export worker did not finish: " + (out / ".export.log").read_text(errors="replace"))


def test_request_export_returns_at_once_and_never_raises(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the output folder should be")
    monkeypatch.setenv("DANVAN_OUTPUT_DIR", str(blocked))
    started = time.perf_counter()
    assert request_export("2026-6t", data_dir=tmp_path) is None
    assert time.perf_counter() - started < 0.5


def test_a_burst_of_submissions_is_coalesced_into_few_rebuilds_by_one_worker(fresh, tmp_path, monkeypatch):
    out = tmp_path / "chia-se"
    monkeypatch.setenv("DANVAN_OUTPUT_DIR", str(out))
    monkeypatch.setenv("DANVAN_EXPORT_RETRIES", "0")
    monkeypatch.delenv("DANVAN_DB_URL", raising=False)
    took = []
    for _ in range(20):
        started = time.perf_counter()
        request_export("2026-6t", data_dir=fresh.data_dir)
        took.append(time.perf_counter() - started)
    _wait_for_worker(out)
    versions = sorted((out / VERSIONS_DIR).glob("tong-hop-2026-6t_*.xlsx"))
    assert 1 <= len(versions) <= 2, versions
    assert sorted(took)[len(took) // 2] < 0.05, took        # the submitter is never kept waiting
    assert _status(out / "tong-hop-2026-6t.xlsx")
    request_export("2026-tcd", data_dir=fresh.data_dir)     # scores also refresh the annual workbook
    _wait_for_worker(out)
    assert (out / "tong-hop-2026-tcd.xlsx").exists() and (out / "tong-hop-2026-nam.xlsx").exists()


def test_an_unreplaceable_latest_is_reported_and_the_version_written_alongside(fresh, tmp_path, monkeypatch):
    out = tmp_path / "chia-se"
    (out / "tong-hop-2026-6t.xlsx").mkdir(parents=True)      # something that cannot be replaced by a file
    (out / "tong-hop-2026-6t.xlsx" / "khoa").write_text("x")
    monkeypatch.setenv("DANVAN_OUTPUT_DIR", str(out))
    monkeypatch.setenv("DANVAN_EXPORT_RETRIES", "0")
    monkeypatch.delenv("DANVAN_DB_URL", raising=False)
    unit = sorted(fresh.missing["2026-6t"])[-1]
    from samples import REPORT_INPUT

    form = fresh.catalog.form_for("2026-6t")
    fresh.store.submit(fresh.store.system_actor(), unit, form.id, "2026-6t", dict(REPORT_INPUT),
                       template_version=form.version, attempt_id="unreplaceable-1")
    request_export("2026-6t", data_dir=fresh.data_dir)
    _wait_for_worker(out)
    saved = fresh.store.latest(fresh.store.system_actor(), unit, form.id, "2026-6t", submitted_only=True)
    assert saved is not None                                  # the submission is saved regardless
    versions = sorted((out / VERSIONS_DIR).glob("tong-hop-2026-6t_*.xlsx"))
    assert versions
    note = (out / NOTE_FILE).read_text(encoding="utf-8-sig")
    assert "tong-hop-2026-6t.xlsx" in note and versions[-1].name in note
    # the worker logs to the data folder's app.log, beside the app (not to the output folder)
    assert "Không thay được tong-hop-2026-6t.xlsx" in (fresh.data_dir / "logs" / "app.log").read_text(encoding="utf-8")


def test_a_dated_version_is_named_in_vietnam_time_not_utc(tmp_path):
    from datetime import datetime, timezone

    from danvan_kit.publishing.publish import publish

    late_evening_utc = datetime(2026, 11, 20, 18, 30, 5, tzinfo=timezone.utc)   # 01:30 on the 21st in Vietnam
    report = publish(tmp_path, "tong-hop-2026-nam.xlsx", lambda p: p.write_bytes(b"PK"), now=late_evening_utc)
    assert report.version.name == "tong-hop-2026-nam_2026-11-21_013005.xlsx"
