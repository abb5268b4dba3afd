"""Backups that restore: made while submits run, checked before anything is written, never over a store.

Every test runs on SQLite and, when DANVAN_TEST_PG_URL is set, on PostgreSQL (the
restore goes into the same database after its schema is dropped: an empty database).
"""
from __future__ import annotations

import gzip
import io
import json
import os
import stat
import tarfile
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from samples import REPORT_INPUT
from sqlalchemy import select
from storekit import Clock, reset_postgres

from danvan_kit.cli import main
from danvan_kit.excel import build_consolidated, build_province_summary
from danvan_kit.store import Store
from danvan_kit.store import backup as backup_module
from danvan_kit.store.backup import BackupError, backup_files, make_backup
from danvan_kit.store.engine import make_engine
from danvan_kit.store.migrate import current_revision, head_revision, upgrade
from danvan_kit.store.restore import restore_backup
from danvan_kit.store.tables import audit_log, login_attempts, page_tickets, reviews, revisions, sessions, submissions

TODAY = date(2026, 11, 20)
PERIOD = "2026-6t"
FORM = "bao-cao-dinh-ky"
UNITS = ("XA-AN-PHU", "XA-MINH-TAM", "XA-TAN-QUAN", "PTP")
WAIT = 120  # seconds a condition may take on a busy 2-core machine before the test fails


def _store_with_catalog(url: str, catalog, clock: Clock) -> Store:
    store = Store.open(url, validator=catalog.validator, clock=clock)
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    return store


def _restore_target(db_url: str, tmp_path: Path) -> str:
    """An empty store to restore into: a fresh data folder, or the PostgreSQL database emptied."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'danvan.sqlite3'}"
    reset_postgres(db_url)
    return db_url


def _rows(url: str, table) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(table).order_by(table.c.id))]
    finally:
        engine.dispose()


@dataclass
class Writer:
    """A thread that drafts, submits and reviews through the Store API until told to stop; logs each op."""

    store: Store
    clean: dict[str, Any]
    ops: list[tuple] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    progress: threading.Condition = field(default_factory=threading.Condition)
    error: BaseException | None = None

    def run(self) -> None:
        actor, i = self.store.system_actor(), 0
        try:
            while not self.stop.is_set():
                unit = UNITS[i // 3 % len(UNITS)]      # each unit: a draft, a submit, a review
                data = {**self.clean, "so_van_ban_trien_khai": i % 9 + 1, "so_noi_dung_cong_khai": i}
                step = i % 3
                if step == 0:
                    self.store.save_draft(actor, unit, FORM, PERIOD, data, template_version=1)
                    op: tuple = ("draft", unit, data)
                elif step == 1:
                    self.store.submit(actor, unit, FORM, PERIOD, data, template_version=1, attempt_id=f"w-{i}")
                    op = ("submit", unit, data, f"w-{i}")
                else:
                    state = ("approved", "needs_correction")[i % 2]
                    self.store.review(actor, unit, FORM, PERIOD, state=state, comment=f"Nhận xét lần {i}")
                    op = ("review", unit, state, f"Nhận xét lần {i}")
                with self.progress:
                    self.ops.append(op)
                    self.progress.notify_all()
                i += 1
        except BaseException as exc:  # surfaced by the test
            self.error = exc
            with self.progress:
                self.progress.notify_all()

    def wait_for(self, count: int) -> None:
        with self.progress:
            reached = self.progress.wait_for(lambda: len(self.ops) >= count or self.error is not None, WAIT)
        assert self.error is None, self.error
        assert reached, f"the writer did not reach {count} operations in {WAIT} s"


def _replay(ops: list[tuple], catalog, clock: Clock, folder: Path) -> Store:
    """The store as it was after `ops`, rebuilt by doing them again (the originals at the backup's moment)."""
    store = _store_with_catalog(f"sqlite:///{folder / 'danvan.sqlite3'}", catalog, clock)
    actor = store.system_actor()
    for op in ops:
        if op[0] == "draft":
            store.save_draft(actor, op[1], FORM, PERIOD, op[2], template_version=1)
        elif op[0] == "submit":
            store.submit(actor, op[1], FORM, PERIOD, op[2], template_version=1, attempt_id=op[3])
        else:
            store.review(actor, op[1], FORM, PERIOD, state=op[2], comment=op[3])
    return store


def _workbooks(catalog, store: Store, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    books = [folder / "tong-hop.xlsx", folder / "bao-cao-tinh.xlsx"]
    build_consolidated(catalog, store, PERIOD, books[0], today=TODAY)
    build_province_summary(catalog, store, PERIOD, books[1], today=TODAY)
    return books


def _cells(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's cell values (formulas as written), for a cell-by-cell comparison."""
    book = openpyxl.load_workbook(path, data_only=False)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_a_backup_taken_while_submits_run_restores_every_row_and_the_same_workbooks(
        db_url, catalog, tmp_path, monkeypatch):
    clock = Clock()
    clock.set_local(2026, 4, 30)  # after the sample report's own date (28/04/2026): no date after today
    source = _store_with_catalog(db_url, catalog, clock)
    analyst = source.create_account("phongnoivu", role="analyst", passcode="mat-khau-dai-1")
    logged_in = source.log_in("phongnoivu", "mat-khau-dai-1", client="10.0.0.7")
    assert logged_in.token and source.issue_page_ticket(logged_in.account)
    writer = Writer(source, catalog.engine(FORM).validate(REPORT_INPUT).data)

    # Commits keep landing while the backup is being made: between pg_dump's snapshot and the
    # dump itself, and after SQLite's copy (the gates wait for 3 more operations of the writer).
    def gate(real):
        def gated(*args, **kwargs):
            writer.wait_for(len(writer.ops) + 3)
            return real(*args, **kwargs)
        return gated
    monkeypatch.setattr(backup_module, "_copy_templates", gate(backup_module._copy_templates))
    monkeypatch.setattr(backup_module, "subprocess", SimpleNamespace(run=gate(backup_module.subprocess.run)))

    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    try:
        writer.wait_for(12)
        result = make_backup(db_url, tmp_path / "backups")
        writer.wait_for(len(writer.ops) + 3)
    finally:
        writer.stop.set()
        thread.join(WAIT)
    assert not thread.is_alive() and writer.error is None
    monkeypatch.undo()

    tables = {"revisions": revisions, "reviews": reviews, "audit_log": audit_log, "submissions": submissions}
    before = {name: _rows(db_url, t) for name, t in tables.items()}
    source.close()
    target = _restore_target(db_url, tmp_path)
    restored = restore_backup(result.path, target, data_dir=tmp_path / "restored",
                              templates_dir=tmp_path / "templates")
    after = {name: _rows(target, t) for name, t in tables.items()}

    counts = result.manifest["row_counts"]
    for name in ("revisions", "reviews", "audit_log"):
        assert len(after[name]) == counts[name] == restored.counts[name] > 0, name
        newest = after[name][-1][0]
        assert after[name] == [r for r in before[name] if r[0] <= newest], name   # row by row, nothing missing
        assert len(before[name]) > len(after[name]), f"no {name} row was written after the backup's moment"
    kept = {r[0] for r in after["revisions"]}
    assert all(s.last_revision_id in kept and (s.last_submitted_revision_id in kept | {None})
               for s in (SimpleNamespace(**dict(zip(submissions.c.keys(), r))) for r in after["submissions"]))
    for table in (sessions, page_tickets, login_attempts):
        assert _rows(target, table) == [], table.name
    assert sorted(p.name for p in (tmp_path / "templates").rglob("*") if p.is_file()) == \
        sorted(n.rsplit("/", 1)[1] for n in result.manifest["members"] if n.startswith("templates/"))

    # The snapshot is a prefix of what the writer did, and rebuilds the same workbooks.
    done = len(after["revisions"]) + len(after["reviews"])
    prefix = writer.ops[:done]
    assert sum(op[0] != "review" for op in prefix) == len(after["revisions"])
    originals = _replay(prefix, catalog, clock, tmp_path / "replay")
    with Store.open(target, validator=catalog.validator, clock=clock) as back:
        for original, rebuilt in zip(_workbooks(catalog, originals, tmp_path / "originals"),
                                     _workbooks(catalog, back, tmp_path / "rebuilt")):
            assert _cells(original) == _cells(rebuilt), original.name
        # The restored store takes new work (PostgreSQL's sequences came back too).
        again = back.submit(back.system_actor(), "XA-AN-PHU", FORM, PERIOD, writer.clean, template_version=1,
                            attempt_id="sau-khi-khoi-phuc")
        assert again.revision.id > after["revisions"][-1][0] and back.account("phongnoivu").id == analyst.id
    originals.close()


def test_restoring_over_an_existing_store_is_refused_naming_the_file_and_changes_nothing(store, db_url, tmp_path):
    result = make_backup(db_url, tmp_path / "backups")
    before = _rows(db_url, audit_log)
    with pytest.raises(BackupError) as refused:
        restore_backup(result.path, db_url, data_dir=tmp_path / "data")
    message = str(refused.value)
    assert str(result.path) in message and "không ghi đè" in message
    assert _rows(db_url, audit_log) == before


def _rewrite(archive: Path, target: Path, change) -> None:
    """Copy a backup, letting `change(name, data)` alter members (None drops one); the manifest is kept."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(target, "w:gz") as out:
        for member, data in members:
            new = change(member.name, data)
            if new is None:
                continue
            member.size = len(new)
            out.addfile(member, io.BytesIO(new))


def _evil_name(archive: Path, target: Path) -> None:
    """A backup whose manifest and members name a path outside the folder."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    manifest = json.loads(members[0][1])
    manifest["members"]["../../evil.txt"] = manifest["members"].pop("templates/periods/lich-bao-cao.yaml")
    with tarfile.open(target, "w:gz") as out:
        for member, data in members:
            if member.name == "manifest.json":
                data = json.dumps(manifest).encode()
            elif member.name == "templates/periods/lich-bao-cao.yaml":
                member.name = "../../evil.txt"
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize("damage,complaint", [
    ("a template edited", "không khớp tổng kiểm tra sha256"),
    ("the database flipped", "không khớp tổng kiểm tra sha256"),
    ("a member dropped", "thiếu phần"),
    ("cut short", "bị hỏng"),
    ("a path outside", "đường dẫn không an toàn"),
])
def test_a_damaged_or_tampered_archive_is_refused_naming_the_file_before_anything_is_written(
        store, db_url, tmp_path, damage, complaint):
    result = make_backup(db_url, tmp_path / "backups")
    bad = tmp_path / "hong.tar.gz"
    if damage == "a template edited":
        _rewrite(result.path, bad, lambda n, d: d.replace(b"2026", b"2027") if n.endswith("lich-bao-cao.yaml") else d)
    elif damage == "the database flipped":
        _rewrite(result.path, bad, lambda n, d: d[:-1] + bytes([d[-1] ^ 1]) if n.startswith("danvan.") else d)
    elif damage == "a member dropped":
        _rewrite(result.path, bad, lambda n, d: None if n.endswith("lich-bao-cao.yaml") else d)
    elif damage == "cut short":
        bad.write_bytes(result.path.read_bytes()[: result.size // 2])
    else:
        _evil_name(result.path, bad)
    target = _restore_target(db_url, tmp_path)
    with pytest.raises(BackupError) as refused:
        restore_backup(bad, target, data_dir=tmp_path / "restored", templates_dir=tmp_path / "mau")
    assert str(bad) in str(refused.value) and complaint in str(refused.value)
    assert not (tmp_path / "mau").exists() and not (tmp_path / "evil.txt").exists()
    if target.startswith("sqlite"):
        assert sorted(p.name for p in (tmp_path / "restored").iterdir()) == []
    else:
        assert not _tables(target)


def _tables(url: str) -> list[str]:
    from sqlalchemy import inspect

    engine = make_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_retention_keeps_the_newest_n_backups_and_never_touches_other_files(store, db_url, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [folder / f"danvan-backup-2025010{d}-020000.tar.gz" for d in range(1, 6)]
    for path in old:
        path.write_bytes(b"cu")
    others = [folder / "ghi-chu.txt", folder / "danvan-backup-ban-tay.tar.gz"]
    for path in others:
        path.write_text("giữ nguyên", encoding="utf-8")
    result = make_backup(db_url, folder, keep=3)
    assert backup_files(folder) == [old[3], old[4], result.path]
    assert sorted(result.removed) == old[:3]
    assert all(p.exists() for p in others)


def test_a_backup_is_readable_only_by_its_owner_and_holds_no_log_in_state(store, db_url, tmp_path):
    store.create_account("phongnoivu", role="analyst", passcode="mat-khau-dai-1")
    login = store.log_in("phongnoivu", "mat-khau-dai-1", client="10.0.0.7")
    from danvan_kit.store.sessions import token_hash

    result = make_backup(db_url, tmp_path / "backups")
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]   # no temporary file left
    assert result.manifest["row_counts"]["sessions"] == 0
    assert token_hash(login.token).encode() not in gzip.decompress(result.path.read_bytes())


def test_an_older_backup_is_upgraded_to_the_newest_schema_when_restored(db_url, tmp_path):
    engine = make_engine(db_url)
    upgrade(engine, "0002")
    engine.dispose()
    result = make_backup(db_url, tmp_path / "backups")
    assert result.manifest["alembic_revision"] == "0002"
    target = _restore_target(db_url, tmp_path)
    restored = restore_backup(result.path, target, data_dir=tmp_path / "restored",
                              templates_dir=tmp_path / "mau")
    engine = make_engine(target)
    assert restored.revision_before == "0002" and current_revision(engine) == restored.revision_after == \
        head_revision()
    engine.dispose()


def test_the_commands_back_up_and_restore_in_vietnamese(store, db_url, tmp_path, monkeypatch):
    for name in [n for n in os.environ if n.startswith("DANVAN_")]:
        monkeypatch.delenv(name)
    runner = CliRunner()
    made = runner.invoke(main, ["backup", "--db-url", db_url, "--to", str(tmp_path / "b"), "--keep", "2"])
    assert made.exit_code == 0, made.output
    archive = backup_files(tmp_path / "b")[0]
    assert made.output.startswith(f"Đã sao lưu vào {archive}")
    refused = runner.invoke(main, ["restore", str(archive), "--db-url", db_url])
    assert refused.exit_code == 1 and str(archive) in refused.output and "không ghi đè" in refused.output
    target = _restore_target(db_url, tmp_path)
    done = runner.invoke(main, ["restore", str(archive), "--db-url", target, "--templates", str(tmp_path / "mau")])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Đã khôi phục {archive}") and "mọi người cần đăng nhập lại" in done.output
    assert (tmp_path / "mau" / "periods" / "lich-bao-cao.yaml").is_file()


def test_templates_in_use_that_differ_are_kept_and_the_backups_are_put_beside_the_store(
        store, db_url, tmp_path, monkeypatch):
    shipped = Path(__file__).resolve().parents[2] / "templates"
    result = make_backup(db_url, tmp_path / "backups", shipped)
    in_use = tmp_path / "mau-dang-dung"
    (in_use / "periods").mkdir(parents=True)
    (in_use / "periods" / "lich-bao-cao.yaml").write_text("# lịch đã sửa\n", encoding="utf-8")
    monkeypatch.setenv("DANVAN_TEMPLATES", str(in_use))
    target = _restore_target(db_url, tmp_path)
    restored = restore_backup(result.path, target, data_dir=tmp_path / "restored")
    assert restored.templates_note == "beside"
    assert restored.templates_dir.parent == tmp_path / "restored"
    assert restored.templates_dir.name.startswith("mau-tu-ban-sao-luu-")
    assert (restored.templates_dir / "periods" / "lich-bao-cao.yaml").read_bytes() == \
        (shipped / "periods" / "lich-bao-cao.yaml").read_bytes()
    assert (in_use / "periods" / "lich-bao-cao.yaml").read_text(encoding="utf-8") == "# lịch đã sửa\n"
