"""Every row of every table of a SQLite store, so a test can prove that a refusal changed nothing."""
from __future__ import annotations

import sqlite3
from pathlib import Path

STORE_FILE = "danvan.sqlite3"


def store_contents(data_dir: Path) -> dict[str, list[tuple]]:
    """Table name -> its rows, sorted; read with a plain sqlite3 connection (the WAL included)."""
    with sqlite3.connect(f"file:{data_dir / STORE_FILE}?mode=ro", uri=True) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}
