"""Safe cell and sheet writing: text stays text, limits are handled instead of crashing.

Everything a unit typed goes through `write_text`, so `=HYPERLINK(...)` or
`+1+1` is shown exactly as typed, never run as a formula or turned into a link.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

__all__ = ["MAX_CELL_CHARS", "MAX_SHEET_NAME", "fit_cell", "write_text", "new_workbook", "SheetNames"]

MAX_CELL_CHARS = 32_767
MAX_SHEET_NAME = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
# Excel refuses "History" as a sheet name (it is reserved for change tracking).
_RESERVED = {"history"}
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_format_properties": {"font_name": "Times New Roman", "font_size": 12},
}


def fit_cell(text: str) -> str:
    """Text that fits one Excel cell; longer text is cut with a Vietnamese note saying so."""
    if len(text) <= MAX_CELL_CHARS:
        return text
    size = f"{len(text):,}".replace(",", ".")   # Vietnamese thousands separator
    note = f" … [đã cắt bớt: văn bản dài {size} ký tự, vượt giới hạn một ô Excel; bản đầy đủ ở kho dữ liệu]"
    return text[: MAX_CELL_CHARS - len(note)] + note


def write_text(ws: Worksheet, row: int, col: int, text: Any, fmt: Any = None) -> None:
    """Write `text` as a string, never as a formula, number or link."""
    if text is None or text == "":
        ws.write_blank(row, col, None, fmt)
        return
    ws.write_string(row, col, fit_cell(str(text)), fmt)


# The worksheet functions our formulas use; none of them is one Excel stores with an "_xlfn." prefix.
_PLAIN_FUNCTIONS = frozenset({"AND", "AVERAGE", "COUNT", "COUNTA", "COUNTIF", "IF", "ISNUMBER", "N", "SUM"})
_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9._]*(?=\()")


class _Sheet(Worksheet):
    """A worksheet that stores a formula made of plain functions as it is.

    xlsxwriter runs about 30 regular expressions over every formula to prefix newer
    functions with "_xlfn."; on a national table's thousands of per-row rate formulas that
    cost more than writing the cells. A formula calling only `_PLAIN_FUNCTIONS` needs
    none of it; any other formula takes xlsxwriter's own path.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if expand_future_functions or formula.startswith("{") or \
                not _PLAIN_FUNCTIONS.issuperset(_CALL.findall(formula)):
            return str(super()._prepare_formula(formula, expand_future_functions))
        return formula[1:] if formula.startswith("=") else formula


class _Workbook(xlsxwriter.Workbook):
    worksheet_class = _Sheet


def new_workbook(target: str | Path | IO[bytes]) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns text into formulas, links or numbers."""
    options = dict(WORKBOOK_OPTIONS)
    if not isinstance(target, (str, Path)):
        options["in_memory"] = True
    return _Workbook(target if not isinstance(target, Path) else str(target), options)


class SheetNames:
    """Hands out valid, unique sheet names: ≤31 characters, no []:*?/\\, unique ignoring case."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def add(self, wanted: str) -> str:
        base = _FORBIDDEN.sub("-", wanted or "").strip().strip("'").strip() or "Trang"
        if base.casefold() in _RESERVED:
            base += " (1)"
        name = self._cut(base, MAX_SHEET_NAME)
        n = 2
        while name.casefold() in self._used:
            suffix = f" ({n})"
            name = self._cut(base, MAX_SHEET_NAME - len(suffix)) + suffix
            n += 1
        self._used.add(name.casefold())
        return name

    @staticmethod
    def _cut(text: str, limit: int) -> str:
        if len(text) <= limit:
            return text
        cut = text[:limit]
        if " " in cut[limit // 2:]:
            cut = cut[: cut.rindex(" ")]
        return cut.rstrip(" ,.;–-'")
