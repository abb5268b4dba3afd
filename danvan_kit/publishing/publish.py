"""Publishing workbooks safely: a dated version first, then the "latest" copy, both atomic.

Each file is written to a temporary file in the same folder, flushed to disk
and moved over the target with os.replace, so a reader (or a crash) never sees
half a workbook. When the latest copy cannot be replaced (Excel on a Windows
share holds it open and raises PermissionError), the version is kept, the
analyst is told which file is newest (also in BAN-MOI-NHAT.txt) and the
latest copy is refreshed on a later run.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from filelock import FileLock

from ..settings import PRIVATE_FILE_MODE, VN_TZ, file_mode_in, fsync_dir, private_dir

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["ExportReport", "publish", "export_lock", "write_atomic", "os_error_in", "sweep_temp_files", "retry_stale",
           "VERSIONS_DIR", "NOTE_FILE", "KEEP_VERSIONS", "EXPORT_LOCK"]

VERSIONS_DIR = "phien-ban"
NOTE_FILE = "BAN-MOI-NHAT.txt"
STATE_FILE = ".danvan-export.json"
LOCK_FILE = ".danvan-export.lock"
EXPORT_LOCK = "danvan-export"   # the database-wide lock of workbook writing (PostgreSQL)
TEMP_PREFIX = ".~tmp-"
KEEP_VERSIONS = 30


@dataclass
class ExportReport:
    """Where a workbook went: `latest` is None when the latest copy could not be replaced."""

    latest: Path | None
    version: Path
    problems: list[str] = field(default_factory=list)
    newest: Path | None = None
    others: list["ExportReport"] = field(default_factory=list)   # e.g. the province summary

    def __post_init__(self) -> None:
        if self.newest is None:
            self.newest = self.latest or self.version

    @property
    def all_problems(self) -> list[str]:
        return self.problems + [p for o in self.others for p in o.problems]


@contextmanager
def export_lock(out_dir: Path, timeout: float = 600, engine: Engine | None = None) -> Iterator[None]:
    """Hold the lock that serialises every regeneration writing into `out_dir` (created 0700 when missing).

    With the store's `engine` on PostgreSQL, first the database-wide lock EXPORT_LOCK: servers on
    other hosts that share the output folder wait for it too (a file lock on a network share is
    not to be trusted across hosts). Then the folder's file lock, for processes of one host.
    """
    from ..store.engine import shared_lock

    private_dir(out_dir)
    with ExitStack() as held:
        if engine is not None:
            held.enter_context(shared_lock(engine, EXPORT_LOCK))
        held.enter_context(FileLock(str(out_dir / LOCK_FILE), timeout=timeout, mode=PRIVATE_FILE_MODE))
        yield



def _temp_path(folder: Path, name: str) -> Path:
    return folder / f"{TEMP_PREFIX}{os.getpid()}-{time.monotonic_ns()}-{name}"


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError `exc` is or wraps (as its first argument, cause or context), e.g. inside xlsxwriter's
    FileCreateError; None when there is none."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError):
            return current
        todo += [*current.args[:1], current.__cause__, current.__context__]
    return None


def write_atomic(target: Path, write: Callable[[Path], object]) -> None:
    """Call write(temp) on a temporary file beside `target`, flush it, then replace `target`.

    The file gets mode 0600 (plus read for whoever may read its folder: see settings.file_mode_in)
    before it takes the target's name. A file system error names `target`, not the temporary file.
    """
    tmp = _temp_path(target.parent, target.name)
    try:
        write(tmp)
        os.chmod(tmp, file_mode_in(target.parent))
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        cause = os_error_in(exc) if isinstance(exc, Exception) else None
        if cause is not None and cause.filename != str(target):
            raise OSError(cause.errno, cause.strerror, str(target)) from exc
        raise
    fsync_dir(target.parent)


def sweep_temp_files(out_dir: Path) -> list[Path]:
    """Delete temporary files left by a crashed export (call only while holding the lock)."""
    removed = []
    for folder in (out_dir, out_dir / VERSIONS_DIR):
        if folder.is_dir():
            for path in folder.glob(f"{TEMP_PREFIX}*"):
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass
    return removed


def _state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_state(out_dir: Path, state: dict) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    write_atomic(out_dir / STATE_FILE, write)
    stale = state.get("stale", {})
    note = out_dir / NOTE_FILE
    try:
        if stale:
            lines = ["Các tệp dưới đây đang được mở (hoặc bị khóa) nên chưa thay được bằng bản mới.",
                     "Hãy đóng tệp; lần xuất sau sẽ tự cập nhật. Bản mới nhất hiện nằm ở:", ""]
            lines += [f"{name}  →  {VERSIONS_DIR}/{Path(v).name}" for name, v in sorted(stale.items())]
            note.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
            os.chmod(note, file_mode_in(out_dir))
        else:
            note.unlink(missing_ok=True)
    except OSError:
        pass


def _copy_latest(version: Path, latest: Path) -> str | None:
    """Refresh the latest copy from a version; a Vietnamese problem when it cannot be replaced."""
    try:
        write_atomic(latest, lambda tmp: shutil.copyfile(version, tmp))
        return None
    except OSError as exc:
        why = "tệp đang được mở hoặc bị khóa" if isinstance(exc, PermissionError) else str(exc)
        return (f"Không thay được {latest.name} ({why}). Bản mới nhất là {VERSIONS_DIR}/{version.name}; "
                f"sẽ thử cập nhật lại ở lần xuất sau.")


def _prune(versions: Path, name: str, keep: int, protect: set[Path]) -> None:
    stem = Path(name).stem
    mine = sorted(versions.glob(f"{stem}_*.xlsx"))
    for old in mine[:-keep] if keep > 0 else []:
        if old not in protect:
            old.unlink(missing_ok=True)


def publish(out_dir: Path, name: str, write: Callable[[Path], None], *, keep: int = KEEP_VERSIONS,
            now: datetime | None = None) -> ExportReport:
    """Write a new dated version of `name` in out_dir/phien-ban, then refresh out_dir/name.

    The caller holds `export_lock(out_dir)`.
    """
    versions = private_dir(out_dir / VERSIONS_DIR, like=private_dir(out_dir))
    moment = now or datetime.now(VN_TZ)   # the file name says Vietnam time, as the staff read it
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    stamp = moment.strftime("%Y-%m-%d_%H%M%S")
    version = versions / f"{Path(name).stem}_{stamp}.xlsx"
    n = 2
    while version.exists():
        version = versions / f"{Path(name).stem}_{stamp}-{n}.xlsx"
        n += 1
    write_atomic(version, write)
    latest = out_dir / name
    problem = _copy_latest(version, latest)
    state = _state(out_dir)
    stale = state.setdefault("stale", {})
    if problem:
        stale[name] = str(version)
    else:
        stale.pop(name, None)
    _save_state(out_dir, state)
    _prune(versions, name, keep, {version, *(Path(v) for v in stale.values())})
    return ExportReport(latest=None if problem else latest, version=version, problems=[problem] if problem else [])


def retry_stale(out_dir: Path) -> list[str]:
    """Try again to refresh latest copies that were held open; returns the problems that remain."""
    state = _state(out_dir)
    stale = state.get("stale", {})
    if not stale:
        return []
    problems = []
    for name, version in list(stale.items()):
        if not Path(version).exists():
            stale.pop(name)
            continue
        problem = _copy_latest(Path(version), out_dir / name)
        if problem:
            problems.append(problem)
        else:
            stale.pop(name)
    _save_state(out_dir, state)
    return problems
