"""Reading workbooks back in tests: find a sheet, its table, totals; parse LibreOffice CSV."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl


def load(path: Path, data_only: bool = True) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=data_only)


def find_sheet(wb: openpyxl.Workbook, prefix: str):
    for ws in wb.worksheets:
        if ws.title.startswith(prefix):
            return ws
    raise KeyError(f"no sheet starting with {prefix!r} in {wb.sheetnames}")


@dataclass
class Table:
    header_row: int            # 1-based row of the column titles (last header row)
    headers: list[str]
    rows: list[list[Any]]      # data rows (values)
    first: int                 # 1-based first data row
    totals: list[Any] | None


def read_table(ws) -> Table:
    """The unit table of a sheet: header row has 'STT' in column A, then '(1)', then data rows."""
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(grid) if r and r[0] == "STT")
    numbering = next(i for i in range(head, len(grid)) if grid[i][0] == "(1)")
    headers = [str(v or "") for v in grid[numbering - 1]]
    if numbering - 1 != head:  # a two-row header: group titles above
        headers = [str(grid[numbering - 1][c] or grid[head][c] or "") for c in range(len(grid[head]))]
    rows, i = [], numbering + 1
    while i < len(grid) and isinstance(grid[i][0], int):
        rows.append(grid[i])
        i += 1
    totals = grid[i] if i < len(grid) and any(v in ("Tổng cộng", "Bình quân") for v in grid[i][:4]) else None
    return Table(numbering + 1, headers, rows, numbering + 2, totals)


def column(table: Table, starts: str) -> int:
    for i, h in enumerate(table.headers):
        if h.startswith(starts):
            return i
    raise KeyError(f"no column starting with {starts!r} in {table.headers}")


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def number(text: str) -> float | None:
    """A number as LibreOffice shows it under en-US (1,234.5 / 49.9%)."""
    t = text.strip().replace(",", "")
    if not t:
        return None
    if t.endswith("%"):
        return float(t[:-1]) / 100
    return float(t)
