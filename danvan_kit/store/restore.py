"""Restoring a backup made by store/backup.py into an empty data folder or an empty PostgreSQL database.

Nothing is written where the store goes until the whole archive has been read and
checked: the manifest first (format, members), then every member's name, type, size
and sha256 while it is unpacked into a private staging folder. An existing store is
never overwritten. Log-in state is emptied again (whatever made the archive), the row
counts are compared with the manifest's, and the schema is upgraded to the newest
migration, so an older backup comes back up to date.
"""
from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from .. import settings
from .backup import (
    FORMAT_VERSION,
    MANIFEST,
    PG_MEMBER,
    SCRUBBED_TABLES,
    SQLITE_MEMBER,
    TEMPLATES_PREFIX,
    BackupError,
    backend_of,
    count_sqlite_rows,
    libpq_target,
    scrub_sqlite,
    tool,
)
from .engine import make_engine
from .migrate import current_revision, upgrade

__all__ = ["RestoreResult", "restore_backup", "read_archive", "MAX_MEMBERS", "MAX_TOTAL_BYTES"]

MAX_MANIFEST_BYTES = 1 << 20
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 64 << 30      # far above a district's year (a few hundred MB); bounds a hostile archive
COPY_CHUNK = 1 << 20


@dataclass
class RestoreResult:
    """What `restore_backup` brought back and where."""

    manifest: dict[str, Any]
    counts: dict[str, int]
    revision_before: str | None
    revision_after: str | None
    templates_dir: Path | None     # where the backup's templates are now (None: the archive had none)
    templates_note: str            # "restored", "same" (already there, identical) or "beside" (kept apart)


def _refuse(archive: Path, why: str) -> BackupError:
    return BackupError(f"Không khôi phục từ {archive}: {why}")


def _member_path(archive: Path, name: str) -> PurePosixPath:
    """A member name that stays inside the staging folder, or a refusal."""
    path = PurePosixPath(name)
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in name.split("/")) \
            or path.is_absolute():
        raise _refuse(archive, f"tệp chứa đường dẫn không an toàn «{name[:100]}».")
    return path


def _read_manifest(archive: Path, tar: tarfile.TarFile) -> dict[str, Any]:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isreg() or first.size > MAX_MANIFEST_BYTES:
        raise _refuse(archive, f"không phải bản sao lưu danvan (thiếu {MANIFEST} ở đầu tệp).")
    handle = tar.extractfile(first)
    try:
        manifest = json.loads(handle.read() if handle else b"")
    except ValueError:
        raise _refuse(archive, f"{MANIFEST} hỏng, không đọc được.") from None
    members = manifest.get("members") if isinstance(manifest, dict) else None
    if not isinstance(members, dict) or manifest.get("format") != "danvan-backup":
        raise _refuse(archive, f"{MANIFEST} không phải của bản sao lưu danvan.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse(archive, f"định dạng phiên bản {manifest.get('format_version')!r} chưa được hỗ trợ "
                               f"(chỉ đọc được phiên bản {FORMAT_VERSION}).")
    total = 0
    for name, info in members.items():
        _member_path(archive, name)
        if not isinstance(info, dict) or not isinstance(info.get("size"), int) or info["size"] < 0 \
                or not isinstance(info.get("sha256"), str):
            raise _refuse(archive, f"{MANIFEST} ghi sai kích thước hoặc tổng kiểm tra của «{name[:100]}».")
        total += info["size"]
    if len(members) > MAX_MEMBERS or total > MAX_TOTAL_BYTES:
        raise _refuse(archive, "tệp lớn bất thường (quá nhiều phần hoặc quá nhiều dữ liệu).")
    database = manifest.get("database")
    if database not in (SQLITE_MEMBER, PG_MEMBER) or database not in members:
        raise _refuse(archive, f"{MANIFEST} không ghi tệp cơ sở dữ liệu.")
    return manifest


def read_archive(archive: Path, staging: Path) -> dict[str, Any]:
    """Check and unpack `archive` into `staging`: the manifest, then each member against it. Returns the manifest."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            manifest = _read_manifest(archive, tar)
            expected, seen = manifest["members"], set()
            while (member := tar.next()) is not None:
                name = member.name
                path = _member_path(archive, name)
                if name not in expected or name in seen:
                    raise _refuse(archive, f"có phần «{name[:100]}» không ghi trong {MANIFEST}.")
                if not member.isreg() or member.size != expected[name]["size"]:
                    raise _refuse(archive, f"phần «{name}» không đúng loại hoặc kích thước ghi trong {MANIFEST}.")
                seen.add(name)
                digest = _unpack(tar, member, staging.joinpath(*path.parts))
                if digest != expected[name]["sha256"]:
                    raise _refuse(archive, f"phần «{name}» không khớp tổng kiểm tra sha256: tệp đã bị sửa hoặc "
                                           "hỏng.")
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise _refuse(archive, f"tệp bị hỏng hoặc không phải tệp .tar.gz ({type(exc).__name__}).") from exc
    except FileNotFoundError:
        raise _refuse(archive, "không tìm thấy tệp.") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise _refuse(archive, f"thiếu phần «{missing[0]}» ghi trong {MANIFEST} (tệp bị cắt cụt?).")
    return manifest


def _unpack(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> str:
    """Copy one member to `dest` (created new, 0600), at most its declared size; its sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest, left = hashlib.sha256(), member.size
    source = tar.extractfile(member)
    assert source is not None  # a regular file
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while left > 0:
            chunk = source.read(min(COPY_CHUNK, left))
            if not chunk:
                break
            digest.update(chunk)
            out.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _store_present(url: str) -> str | None:
    """Why the target already holds a store (a Vietnamese clause), or None when it is empty."""
    if backend_of(url) == "sqlite":
        path = Path(make_url(url).database or "")
        for candidate in (path, Path(f"{path}-wal")):
            if candidate.exists():
                return f"thư mục dữ liệu {path.parent} đã có kho dữ liệu ({candidate.name}); " \
                       "chỉ khôi phục vào thư mục dữ liệu chưa có kho, không ghi đè"
        return None
    engine = make_engine(url)
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        tables = inspect(engine).get_table_names()
    except SQLAlchemyError:
        return f"không kết nối được cơ sở dữ liệu {shown} (máy chủ PostgreSQL không trả lời hoặc từ chối kết nối)"
    finally:
        engine.dispose()
    if tables:
        return f"cơ sở dữ liệu {shown} đã có {len(tables)} bảng; chỉ khôi phục vào cơ sở dữ liệu trống, không ghi đè"
    return None


def _compare_counts(archive: Path, manifest: dict[str, Any], counts: dict[str, int]) -> None:
    for name, expected in manifest.get("row_counts", {}).items():
        if name not in SCRUBBED_TABLES and counts.get(name) != expected:
            raise _refuse(archive, f"bảng {name} có {counts.get(name)} dòng sau khi khôi phục, "
                                   f"{MANIFEST} ghi {expected} dòng.")


def _restore_sqlite(archive: Path, manifest: dict[str, Any], staged: Path, url: str) -> dict[str, int]:
    conn = sqlite3.connect(staged, isolation_level=None)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise _refuse(archive, f"tệp {SQLITE_MEMBER} trong bản sao lưu không nguyên vẹn.")
        scrub_sqlite(conn)
        _, counts = count_sqlite_rows(conn)
    except sqlite3.DatabaseError as exc:
        raise _refuse(archive, f"tệp {SQLITE_MEMBER} trong bản sao lưu không phải cơ sở dữ liệu SQLite.") from exc
    finally:
        conn.close()
    _compare_counts(archive, manifest, counts)
    target = Path(make_url(url).database or "")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(staged, target)                    # never replaces a file that appeared meanwhile
    except FileExistsError:
        raise _refuse(archive, f"thư mục dữ liệu {target.parent} đã có kho dữ liệu ({target.name}).") from None
    staged.unlink()
    return counts


def _restore_postgres(archive: Path, manifest: dict[str, Any], staged: Path, url: str) -> dict[str, int]:
    conninfo, env = libpq_target(url)
    done = subprocess.run([tool("pg_restore"), "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error",
                           f"--dbname={conninfo}", str(staged)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [""])[-1]
        raise _refuse(archive, f"pg_restore không nạp được {PG_MEMBER} (mã lỗi {done.returncode}): {said}")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            names = set(inspect(conn).get_table_names())
            for name in SCRUBBED_TABLES:
                if name in names:
                    conn.execute(text(f'DELETE FROM "{name}"'))
            counts = {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one())
                      for n in names if n != "alembic_version"}
    finally:
        engine.dispose()
    _compare_counts(archive, manifest, counts)
    return counts


def _place_templates(staging: Path, target: Path, beside: Path) -> tuple[Path | None, str]:
    """Restore the templates into `target` when it is missing or empty; else keep them apart in `beside`."""
    source = staging / TEMPLATES_PREFIX.rstrip("/")
    if not source.is_dir():
        return None, "none"
    if not target.exists() or (target.is_dir() and not any(target.iterdir())):
        shutil.copytree(source, target, dirs_exist_ok=True)
        return target, "restored"
    compared = filecmp.dircmp(source, target)
    if _same_tree(compared):
        return target, "same"
    for n in range(1000):
        place = beside if n == 0 else beside.with_name(f"{beside.name}-{n}")
        if not place.exists():
            shutil.copytree(source, place)
            return place, "beside"
    raise BackupError(f"Không chép được các mẫu của bản sao lưu: đã có quá nhiều thư mục {beside.name}-….")


def _same_tree(compared: filecmp.dircmp) -> bool:
    """Every file of the backup is in the folder with the same bytes."""
    if compared.left_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(compared.left, compared.right, compared.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(sub) for sub in compared.subdirs.values())


def restore_backup(archive: Path, url: str, *, data_dir: str | Path | None = None,
                   templates_dir: Path | None = None) -> RestoreResult:
    """Restore `archive` into the empty store at `url`, then upgrade it; see the module docstring.

    `templates_dir`: where the templates go (must be missing or empty); by default the
    templates folder in use (settings.templates_root), and when that one already holds
    different templates the backup's are put beside the data folder's store instead.
    """
    archive = Path(archive)
    backend = backend_of(url)
    present = _store_present(url)
    if present:
        raise _refuse(archive, present + ".")
    if templates_dir is not None and Path(templates_dir).is_dir() and any(Path(templates_dir).iterdir()):
        raise _refuse(archive, f"thư mục mẫu {templates_dir} đã có tệp; hãy chọn một thư mục trống.")
    folder = settings.data_dir(data_dir)
    work = Path(make_url(url).database or "").parent if backend == "sqlite" else folder
    work.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".danvan-restore-", dir=work))
    try:
        manifest = read_archive(archive, staging)
        if manifest.get("backend") != backend:
            raise _refuse(archive, f"bản sao lưu là của kho {manifest.get('backend')}, không nạp được vào kho "
                                   f"{backend}.")
        restore = _restore_sqlite if backend == "sqlite" else _restore_postgres
        counts = restore(archive, manifest, staging / manifest["database"], url)
        stamp = str(manifest.get("created_at", ""))[:19].replace(":", "").replace("-", "").replace("T", "-")
        where, note = _place_templates(staging, Path(templates_dir) if templates_dir else settings.templates_root(),
                                       folder / f"mau-tu-ban-sao-luu-{stamp}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    engine = make_engine(url)
    try:
        upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    return RestoreResult(manifest, counts, manifest.get("alembic_revision"), after, where, note)
