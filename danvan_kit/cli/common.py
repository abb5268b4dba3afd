"""Options and helpers shared by every `danvan` command module (no command lives here).

Command modules beside their code (excel/command.py, roundtrip/command.py)
import from here, never from cli.py, so cli.py can register them without an
import cycle.
"""
from __future__ import annotations

import csv
import functools
import io
from typing import Any, Callable

import click

from .errors import describe_os_error

__all__ = ["_store_options", "_open", "_fail", "_table", "_emit"]


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
    """The error a command raises for a known failure; a file system error is told in Vietnamese."""
    return click.ClickException(describe_os_error(exc) if isinstance(exc, OSError) else str(exc))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _emit(headers: list[str], rows: list[list[str]], fmt: str) -> None:
    """Rows as an aligned table for people or as CSV for spreadsheets and scripts."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(_table(headers, rows))
