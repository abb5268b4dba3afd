"""Decree 30/2020 layout: the heading, the signature block, print set-up and cell formats.

Every workbook uses these helpers so that each sheet prints as an official
document: Times New Roman, national name and motto top right, parent and
issuing bodies top left, title, period and "Biểu số" code, signatures at the end.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..catalog.letterhead import MOTTO, NATIONAL_NAME, official_date
from .safe import write_text

__all__ = ["FONT", "Styles", "Heading", "official_date", "write_heading", "write_signature",
           "print_setup", "excel_datetime", "NATIONAL_NAME", "MOTTO"]

FONT = "Times New Roman"
COUNT = "#,##0"
DECIMAL = "#,##0.0#"
PERCENT = "0.0%"
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"

_CELL = {"border": 1, "valign": "vcenter", "font_size": 11}
_SPECS: dict[str, dict[str, Any]] = {
    "parent": {"align": "center", "valign": "vcenter", "text_wrap": True, "font_size": 12},
    "issuer": {"align": "center", "valign": "vcenter", "text_wrap": True, "bold": True, "font_size": 12},
    "national": {"align": "center", "valign": "vcenter", "bold": True, "font_size": 12, "text_wrap": True},
    "motto": {"align": "center", "valign": "vcenter", "bold": True, "font_size": 13, "text_wrap": True},
    "rule": {"align": "center", "valign": "top", "font_size": 8},
    "place_date": {"align": "center", "valign": "vcenter", "italic": True, "font_size": 13, "text_wrap": True},
    "title": {"align": "center", "valign": "vcenter", "bold": True, "font_size": 14, "text_wrap": True},
    "subtitle": {"align": "center", "valign": "vcenter", "bold": True, "font_size": 13, "text_wrap": True},
    "code": {"align": "center", "valign": "vcenter", "italic": True, "font_size": 12},
    "th": {**_CELL, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9E1F2"},
    "th_num": {**_CELL, "italic": True, "align": "center", "font_size": 10, "bg_color": "#D9E1F2"},
    "text": {**_CELL, "text_wrap": True},
    "center": {**_CELL, "align": "center", "text_wrap": True},
    "long": {**_CELL, "text_wrap": True, "valign": "top"},
    "int": {**_CELL, "num_format": COUNT},
    "dec": {**_CELL, "num_format": DECIMAL},
    "pct": {**_CELL, "num_format": PERCENT},
    "date": {**_CELL, "num_format": DATE, "align": "center"},
    "datetime": {**_CELL, "num_format": DATETIME, "align": "center"},
    "muted": {**_CELL, "italic": True, "font_color": "#7F7F7F", "text_wrap": True},
    "section": {**_CELL, "bold": True, "text_wrap": True, "bg_color": "#F2F2F2"},
    "total_text": {**_CELL, "bold": True, "text_wrap": True, "bg_color": "#FFF2CC"},
    "total_int": {**_CELL, "bold": True, "num_format": COUNT, "bg_color": "#FFF2CC"},
    "total_dec": {**_CELL, "bold": True, "num_format": DECIMAL, "bg_color": "#FFF2CC"},
    "total_pct": {**_CELL, "bold": True, "num_format": PERCENT, "bg_color": "#FFF2CC"},
    "sign_title": {"align": "center", "bold": True, "font_size": 12},
    "sign_note": {"align": "center", "italic": True, "font_size": 12},
    "sign_name": {"align": "center", "bold": True, "font_size": 12},
    "note": {"italic": True, "font_size": 11, "text_wrap": True, "valign": "top"},
    "warn": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}


class Styles:
    """The workbook's formats, created on first use so unused ones cost nothing."""

    def __init__(self, wb: Workbook):
        self._wb = wb
        self._made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        fmt = self._made.get(name)
        if fmt is None:
            fmt = self._wb.add_format({"font_name": FONT, **_SPECS[name]})
            self._made[name] = fmt
        return fmt


@dataclass(frozen=True)
class Heading:
    """What the Decree 30 heading of one document says."""

    parent: str          # cơ quan chủ quản, e.g. "Ủy ban nhân dân huyện Hớn Quản"
    issuer: str          # cơ quan ban hành, e.g. "Phòng Nội vụ"
    title: str
    period: str
    code: str
    place: str
    when: date
    number: str = ""     # "Số: 58/BC-UBND" when the document has one


def excel_datetime(moment: datetime | None) -> datetime | None:
    """An aware datetime as naive Vietnam local time (Excel has no time zones)."""
    if moment is None:
        return None
    from ..settings import VN_TZ

    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ).replace(tzinfo=None)
    return moment


def _lines(text: str, width_chars: float) -> int:
    return max(1, math.ceil(len(text) * 1.15 / max(width_chars, 1.0)))


def _span(ws: Worksheet, row: int, first: int, last: int, text: str, fmt: Any) -> None:
    if last > first:
        ws.merge_range(row, first, row, last, "", fmt)
    write_text(ws, row, first, text, fmt)


def write_heading(ws: Worksheet, st: Styles, h: Heading, widths: list[float], first_col: int = 0) -> int:
    """Write the heading over the columns whose widths are given; returns the first free row."""
    n = len(widths)
    split = max(1, min(n - 1, round(n * 0.4))) if n > 1 else 1
    left = (first_col, first_col + split - 1)
    right = (first_col + split, first_col + max(split, n - 1))
    left_w = sum(widths[:split])
    right_w = sum(widths[split:]) or left_w
    parent, issuer = h.parent.upper(), h.issuer.upper()
    _span(ws, 0, *left, parent, st["parent"])
    _span(ws, 0, *right, NATIONAL_NAME, st["national"])
    ws.set_row(0, 16.5 * max(_lines(parent, left_w), _lines(NATIONAL_NAME, right_w)))
    _span(ws, 1, *left, issuer, st["issuer"])
    _span(ws, 1, *right, MOTTO, st["motto"])
    ws.set_row(1, 16.5 * max(_lines(issuer, left_w), _lines(MOTTO, right_w)))
    _span(ws, 2, *left, "―――――", st["rule"])
    _span(ws, 2, *right, "―――――――――――", st["rule"])
    ws.set_row(2, 12)
    _span(ws, 3, *left, h.number, st["parent"])
    dated = official_date(h.place, h.when)
    _span(ws, 3, *right, dated, st["place_date"])
    ws.set_row(3, 18 * _lines(dated, right_w))
    all_cols = (first_col, first_col + n - 1)
    total_w = sum(widths)
    title = h.title.upper()
    _span(ws, 5, *all_cols, title, st["title"])
    ws.set_row(5, 19 * _lines(title, total_w))
    _span(ws, 6, *all_cols, h.period, st["subtitle"])
    ws.set_row(6, 18 * _lines(h.period, total_w))
    if h.code:
        _span(ws, 7, *all_cols, f"({h.code})", st["code"])
    return 9


def write_signature(ws: Worksheet, st: Styles, row: int, ncols: int, *, preparer: str = "",
                    head_title: str = "THỦ TRƯỞNG ĐƠN VỊ", first_col: int = 0) -> int:
    """NGƯỜI LẬP BIỂU on the left, the head of the body on the right; returns the next free row."""
    split = max(1, min(ncols - 1, round(ncols * 0.4))) if ncols > 1 else 1
    left = (first_col, first_col + split - 1)
    right = (first_col + split, first_col + max(split, ncols - 1))
    row += 1
    _span(ws, row, *left, "NGƯỜI LẬP BIỂU", st["sign_title"])
    _span(ws, row, *right, head_title, st["sign_title"])
    _span(ws, row + 1, *left, "(Ký, ghi rõ họ tên)", st["sign_note"])
    _span(ws, row + 1, *right, "(Ký tên, đóng dấu)", st["sign_note"])
    if preparer:
        _span(ws, row + 6, *left, preparer, st["sign_name"])
    return row + 7


def print_setup(ws: Worksheet, *, ncols: int, header: tuple[int, int], last_row: int,
                landscape: bool | None = None, freeze_col: int = 0, data_last_row: int | None = None,
                autofilter: bool = True) -> None:
    """A4, landscape for wide tables, fit to page width, header rows repeated, panes frozen, filter."""
    ws.set_paper(9)
    if landscape if landscape is not None else ncols > 7:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header[0], header[1])
    ws.set_footer(f'&C&"{FONT},Regular"&10Trang &P/&N')
    ws.freeze_panes(header[1] + 1, freeze_col)
    if autofilter and data_last_row is not None and data_last_row > header[1]:
        ws.autofilter(header[1], 0, data_last_row, ncols - 1)
    ws.print_area(0, 0, last_row, ncols - 1)
