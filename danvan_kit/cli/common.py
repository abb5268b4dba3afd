"""Options and helpers shared by every `danvan` command module (no command lives here).

Command modules beside their code (excel/command.py, roundtrip/command.py)
import from here, never from cli.py, so cli.py can register them without an
import cycle.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import click

__all__ = ["_store_options", "_open", "_fail"]


def _store_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--db-url and --data-dir, shared by every command that opens the store."""
    @click.option("--db-url", envvar="DANVAN_DB_URL", metavar="URL",
                  help="Database URL, e.g. postgresql+psycopg:///danvan (env DANVAN_DB_URL). "
                       "Default: SQLite file danvan.sqlite3 in the data directory.")
    @click.option("--data-dir", envvar="DANVAN_DATA_DIR", type=click.Path(file_okay=False), metavar="DIR",
                  help="Data directory for the SQLite file (env DANVAN_DATA_DIR, default ./data).")
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)
    return wrapper


def _open(db_url: str | None, data_dir: str | None):
    from ..store import Store

    return Store.open(db_url, data_dir=data_dir)


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))
