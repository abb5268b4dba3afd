"""Engine creation: SQLite pragmas and BEGIN IMMEDIATE, PostgreSQL, and retry of transient errors.

Measured on this kind of machine: with a deferred BEGIN, SQLite writers that
read first fail with "database is locked" whatever the busy timeout; taking
the write lock up front (BEGIN IMMEDIATE) with WAL and a long busy timeout
made 0 of 3 200 concurrent writes fail. Read-only work uses a deferred BEGIN
so readers never wait for writers.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from .. import settings
from .errors import StoreBusy, StoreError

__all__ = ["resolve_url", "make_engine", "is_sqlite", "run_with_retry", "READ_ONLY", "dumps",
           "RetryTransaction", "is_transient", "shared_lock", "PG_POOL_SIZE", "PG_MAX_OVERFLOW", "pg_idle_seconds"]

T = TypeVar("T")
READ_ONLY = {"danvan_read_only": True}
BUSY_TIMEOUT_MS = 30_000
# SQLSTATEs worth retrying on PostgreSQL: serialization failure, deadlock, lock not available.
_PG_TRANSIENT = {"40001", "40P01", "55P03"}
# PostgreSQL connections per process. Under our Voilà the server process holds the one store its
# pages' kernels ask (store/remote.py): each call holds a connection for one short transaction, so one
# pooled connection and an overflow of two serve a server's overlapping calls (more wait their turn,
# for at most the pool's 30 s). A process that opens the store itself (the desk's kernel, the CLI, the
# export worker) has such a pool too. Idle connections are closed by PostgreSQL after
# DANVAN_PG_IDLE_SECONDS (default 60; 0 keeps them) and reopened on the next use.
PG_POOL_SIZE = 1
PG_MAX_OVERFLOW = 2
PG_IDLE_SECONDS = 60


def dumps(value: Any) -> str:
    """JSON as stored: UTF-8 text kept readable, keys in a stable order."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)


def resolve_url(url: str | None = None, data_dir: str | Path | None = None) -> str:
    """The database URL: explicit, else DANVAN_DB_URL, else <data dir>/danvan.sqlite3."""
    if url:
        return url
    if os.environ.get("DANVAN_DB_URL"):
        return os.environ["DANVAN_DB_URL"]
    return f"sqlite:///{settings.data_dir(data_dir) / 'danvan.sqlite3'}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite would defer it).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    read_only = conn.get_execution_options().get("danvan_read_only", False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _create_private_file(path: Path) -> None:
    """Create the SQLite file empty with mode 0600 before SQLite opens it (its -wal and -shm take its mode)."""
    settings.private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, settings.PRIVATE_FILE_MODE))
    except FileExistsError:
        pass  # an existing store keeps its mode


def make_engine(url: str) -> Engine:
    """An engine for `url`; for a SQLite file, create its folder (0700) and file (0600) and set the pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            _create_private_file(Path(parsed.database))
        engine = create_engine(parsed, json_serializer=dumps,
                               connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    idle = pg_idle_seconds()
    options = {"options": f"-c idle_session_timeout={idle * 1000}"} if idle else {}
    return create_engine(parsed, json_serializer=dumps, pool_pre_ping=True, pool_size=PG_POOL_SIZE,
                         max_overflow=PG_MAX_OVERFLOW, connect_args=options)


def pg_idle_seconds() -> int:
    """How long PostgreSQL keeps one of our connections idle before closing it (DANVAN_PG_IDLE_SECONDS)."""
    try:
        return max(0, int(os.environ.get("DANVAN_PG_IDLE_SECONDS", PG_IDLE_SECONDS)))
    except ValueError:
        return PG_IDLE_SECONDS


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_xact_lock, from a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def shared_lock(engine: Engine, name: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold the database-wide lock `name` (every process and host using this PostgreSQL database).

    Yields True when held; with wait=False yields False at once when another holder has it.
    A transaction-scoped advisory lock, so the idle-session timeout never drops it and a
    holder that dies releases it with its connection. SQLite (one host) yields True: the
    caller's file lock is what serialises there.
    """
    if is_sqlite(engine):
        yield True
        return
    with engine.connect() as conn:
        with conn.begin():
            key = {"k": _lock_key(name)}
            if wait:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), key)
                held = True
            else:
                held = bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), key).scalar())
            yield held


def is_transient(exc: BaseException) -> bool:
    """True for errors a retry can fix: SQLite busy/locked, PG serialization or deadlock."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig).lower()
        return "locked" in text or "busy" in text
    return getattr(orig, "sqlstate", None) in _PG_TRANSIENT


class RetryTransaction(Exception):
    """Raised inside a transaction to roll it back and run it again (e.g. a lost insert race)."""


def is_missing_table(exc: DBAPIError) -> bool:
    """The schema is not there yet (store never initialised)."""
    return "no such table" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "42P01"


def run_with_retry(fn: Callable[[], T], attempts: int = 8, first_delay: float = 0.02) -> T:
    """Run `fn` (one whole transaction), retrying transient errors with jittered backoff."""
    delay = first_delay
    for attempt in range(attempts):
        try:
            return fn()
        except (DBAPIError, RetryTransaction) as exc:
            if isinstance(exc, DBAPIError) and not is_transient(exc):
                if is_missing_table(exc):
                    raise StoreError("Kho dữ liệu chưa được khởi tạo hoặc chưa nâng cấp: hãy chạy `danvan init`.") \
                        from exc
                raise
            if attempt == attempts - 1:
                raise StoreBusy("Hệ thống đang bận, dữ liệu chưa được lưu. Vui lòng thử lại sau ít phút.") from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")
