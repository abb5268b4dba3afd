"""Backups of the store: one dated, checksummed archive, made while the app runs.

An archive `danvan-backup-YYYYMMDD-HHMMSS.tar.gz` holds, manifest first:

- `manifest.json`: format version, creation time, danvan_kit version, backend, alembic
  revision, row counts per table, the settings in effect (no password) and the size
  and sha256 of every other member;
- the database: `danvan.sqlite3` (SQLite's online backup API, a consistent copy while
  writers run) or `danvan.pgdump` (`pg_dump --format=custom` of one exported snapshot,
  the snapshot the row counts were read in);
- `templates/…`: the templates folder.

Log-in state is not data: sessions, page tickets and log-in attempts are left out
(SQLite: deleted from the copy, then VACUUM so no hash stays in a free page; PostgreSQL:
their rows are not dumped). The archive is written to a hidden temporary file with
mode 0600, then linked to its final name, so a half-written backup never looks like a
backup. Restoring lives in store/restore.py.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from .. import settings
from .engine import make_engine
from .errors import StoreError

__all__ = ["BackupError", "BackupResult", "make_backup", "prune_backups", "backup_files", "default_backup_dir",
           "FORMAT_VERSION", "MANIFEST", "SQLITE_MEMBER", "PG_MEMBER", "TEMPLATES_PREFIX", "SCRUBBED_TABLES",
           "backend_of", "libpq_target", "count_sqlite_rows", "scrub_sqlite", "sha256_file", "tool"]

FORMAT = "danvan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "danvan.sqlite3"
PG_MEMBER = "danvan.pgdump"
TEMPLATES_PREFIX = "templates/"
# Log-in state, never backed up; children before parents (page_tickets -> sessions).
SCRUBBED_TABLES = ("page_tickets", "sessions", "login_attempts")
NAME = re.compile(r"^danvan-backup-(\d{8})-(\d{6})(?:-(\d{1,3}))?\.tar\.gz$")
TEMP_PREFIX = ".danvan-backup-"
STALE_TEMP_SECONDS = 24 * 3600


class BackupError(StoreError):
    """A backup or a restore could not be made; the message (Vietnamese) names the file."""


@dataclass
class BackupResult:
    """What `make_backup` wrote and removed."""

    path: Path
    size: int
    manifest: dict[str, Any]
    removed: list[Path] = field(default_factory=list)


def default_backup_dir(data_dir: str | Path | None = None) -> Path:
    """<data dir>/../backups: beside the data folder, not inside it."""
    return settings.data_dir(data_dir).parent / "backups"


def backend_of(url: str) -> str:
    """"sqlite" or "postgresql" (anything else is refused)."""
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Chỉ sao lưu và khôi phục được kho SQLite hoặc PostgreSQL, không phải {backend!r}.")
    return backend


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """(URL for pg_dump/pg_restore, environment): the password travels in PGPASSWORD, never in argv."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def tool(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore)."""
    found = shutil.which(name)
    if not found:
        raise BackupError(f"Không tìm thấy lệnh {name}: hãy cài gói postgresql-client cùng phiên bản với máy chủ.")
    return found


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_sqlite_rows(conn: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    """(alembic revision, rows per table) of a SQLite database."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    revision = None
    if "alembic_version" in names:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    counts = {n: conn.execute(f"SELECT count(*) FROM {_quote(n)}").fetchone()[0]
              for n in names if n != "alembic_version"}
    return revision, counts


def scrub_sqlite(conn: sqlite3.Connection) -> None:
    """Delete log-in state (sessions, tickets, attempts) from a copy, then VACUUM the freed pages away."""
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.execute("BEGIN IMMEDIATE")
    for name in SCRUBBED_TABLES:
        if name in present:
            conn.execute(f"DELETE FROM {_quote(name)}")
    conn.execute("COMMIT")
    conn.execute("VACUUM")


def _snapshot_sqlite(url: str, target: Path) -> tuple[str | None, dict[str, int]]:
    """A consistent copy of the SQLite store in `target` (online backup API), without log-in state."""
    source_path = Path(make_url(url).database or "")
    if not source_path.is_file():
        raise BackupError(f"Chưa có kho dữ liệu SQLite tại {source_path}: không có gì để sao lưu.")
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        # One step (pages=-1): the whole database is copied under one read lock, so writers in
        # WAL mode go on while it runs and the copy is one moment of the store.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        scrub_sqlite(copy)
        return count_sqlite_rows(copy)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Không sao lưu được kho dữ liệu SQLite {source_path}: tệp hỏng hoặc không đọc được "
                          f"({exc}).") from exc
    finally:
        copy.close()
        source.close()


def _snapshot_postgres(url: str, target: Path) -> tuple[str | None, dict[str, int]]:
    """pg_dump of one exported snapshot into `target`; the row counts are read in that same snapshot."""
    conninfo, env = libpq_target(url)
    pg_dump = tool("pg_dump")
    engine = make_engine(url)
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            names = list(conn.execute(text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                "AND table_type = 'BASE TABLE' ORDER BY table_name")).scalars())
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                if "alembic_version" in names else None
            counts = {n: 0 if n in SCRUBBED_TABLES else
                      int(conn.execute(text(f"SELECT count(*) FROM {_quote(n)}")).scalar_one())
                      for n in names if n != "alembic_version"}
            excluded = [f"--exclude-table-data={n}" for n in SCRUBBED_TABLES]
            done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                                   f"--snapshot={snapshot}", *excluded, f"--file={target}", f"--dbname={conninfo}"],
                                  env=env, capture_output=True, text=True)
    except SQLAlchemyError as exc:
        raise BackupError(f"Không đọc được cơ sở dữ liệu {shown} để sao lưu: máy chủ PostgreSQL không trả lời "
                          "hoặc từ chối kết nối.") from exc
    finally:
        engine.dispose()
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [""])[-1]
        raise BackupError(f"pg_dump không sao lưu được cơ sở dữ liệu {shown} (mã lỗi {done.returncode}): {said}")
    return revision, counts


def _copy_templates(root: Path, target: Path) -> list[str]:
    """Copy the templates folder's files (hidden ones and caches left out); their archive names."""
    names: list[str] = []
    if not root.is_dir():
        return names
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            continue
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        names.append(TEMPLATES_PREFIX + rel.as_posix())
    return names


def _settings_in_effect() -> dict[str, str]:
    """The DANVAN_* settings of this process, any database password hidden (no session secret exists)."""
    found = {}
    for name in settings.ENV_NAMES:
        value = os.environ.get(name)
        if value and name == "DANVAN_DB_URL":
            try:
                value = make_url(value).render_as_string(hide_password=True)
            except ArgumentError:
                value = "(không đọc được)"
        if value:
            found[name] = value
    return found


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("danvan-kit")
    except PackageNotFoundError:
        return "unknown"


def backup_files(folder: Path) -> list[Path]:
    """The backups in `folder` (names matching the pattern only), oldest first."""
    if not folder.is_dir():
        return []
    found = [(m.group(1), m.group(2), int(m.group(3) or 0), p) for p in folder.iterdir()
             if (m := NAME.match(p.name)) and p.is_file()]
    return [p for *_, p in sorted(found)]


def prune_backups(folder: Path, keep: int, protect: Iterable[Path] = ()) -> list[Path]:
    """Delete the oldest backups beyond the newest `keep` (never one in `protect`); the paths deleted."""
    if keep < 1:
        raise BackupError("Số bản sao lưu giữ lại (--keep) phải từ 1 trở lên.")
    kept = {p.resolve() for p in protect}
    files = backup_files(folder)
    removed = []
    for path in files[:max(0, len(files) - keep)]:
        if path.resolve() not in kept:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _sweep_stale(folder: Path) -> None:
    """Remove temporary files and folders a killed backup left behind (older than a day)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for path in folder.glob(TEMP_PREFIX + "*"):
        try:
            if path.lstat().st_mtime < cutoff:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        except OSError:
            pass


def _write_archive(tmp: Path, staging: Path, manifest: dict[str, Any]) -> None:
    """The tar.gz: manifest first, then the members in the manifest's order; mode 0600, synced to disk."""
    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o600
        return info

    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            info = clean(tarfile.TarInfo(MANIFEST))
            info.size, info.mtime = len(body), int(time.time())
            tar.addfile(info, _Bytes(body))
            for name in manifest["members"]:
                tar.add(staging / name, arcname=name, recursive=False, filter=clean)
        raw.flush()
        os.fsync(raw.fileno())


class _Bytes:
    """A minimal readable file over bytes, for TarFile.addfile."""

    def __init__(self, data: bytes):
        self._data, self._pos = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size is None or size < 0 else self._pos + size
        chunk, self._pos = self._data[self._pos:end], min(end, len(self._data))
        return chunk


def _link_new(tmp: Path, folder: Path, moment: datetime) -> Path:
    """Give the finished archive its dated name without ever replacing a file (a suffix if the second is taken)."""
    stamp = moment.astimezone(settings.VN_TZ).strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        final = folder / (f"danvan-backup-{stamp}" + (f"-{n}" if n else "") + ".tar.gz")
        try:
            os.link(tmp, final)
            return final
        except FileExistsError:
            continue
    raise BackupError(f"Không đặt được tên cho bản sao lưu trong {folder}: đã có quá nhiều bản cùng thời điểm.")


def make_backup(url: str, folder: Path, templates_dir: Path | None = None, *, keep: int | None = None,
                clock: Callable[[], datetime] | None = None) -> BackupResult:
    """Back up the store at `url` and the templates into a new archive in `folder`; prune to `keep` if given."""
    backend = backend_of(url)
    if keep is not None and keep < 1:
        raise BackupError("Số bản sao lưu giữ lại (--keep) phải từ 1 trở lên.")
    templates = Path(templates_dir) if templates_dir is not None else settings.templates_root()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _sweep_stale(folder)
    moment = (clock or (lambda: datetime.now(timezone.utc)))()
    staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder))
    tmp = folder / f"{TEMP_PREFIX}{os.getpid()}-{time.monotonic_ns()}.tmp"
    try:
        member = SQLITE_MEMBER if backend == "sqlite" else PG_MEMBER
        snapshot = _snapshot_sqlite if backend == "sqlite" else _snapshot_postgres
        revision, counts = snapshot(url, staging / member)
        names = [member, *_copy_templates(templates, staging / "templates")]
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": moment.astimezone(timezone.utc).isoformat(), "danvan_kit_version": _version(),
            "backend": backend, "database": member, "alembic_revision": revision, "row_counts": counts,
            "left_out": list(SCRUBBED_TABLES), "templates_root": str(templates), "settings": _settings_in_effect(),
            "members": {n: {"size": (staging / n).stat().st_size, "sha256": sha256_file(staging / n)}
                        for n in names},
        }
        _write_archive(tmp, staging, manifest)
        final = _link_new(tmp, folder, moment)
        settings.fsync_dir(folder)
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
    removed = prune_backups(folder, keep, protect=[final]) if keep is not None else []
    return BackupResult(final, final.stat().st_size, manifest, removed)

