"""Decree 30/2020 layout: the heading, the signature block, print set-up and cell formats.

Every workbook uses these helpers so that each sheet prints as an official
document: Times New Roman, national name and motto top right, parent and
issuing bodies top left, title, period and "Biểu số" code, signatures at the end.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..catalog.letterhead import MOTTO, NATIONAL_NAME, Letterhead, official_date
from .print_rule import LINE_HEIGHT, col_points, text_lines
from .safe import write_text

__all__ = ["FONT", "Styles", "Heading", "official_date", "write_heading", "write_signature", "body_of",
           "plain_body", "excel_datetime", "NATIONAL_NAME", "MOTTO"]

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
    "rule": {"align": "center", "valign": "top", "font_size": 11},
    "place_date": {"align": "center", "valign": "vcenter", "italic": True, "font_size": 13, "text_wrap": True},
    "title": {"align": "center", "valign": "vcenter", "bold": True, "font_size": 14, "text_wrap": True},
    "subtitle": {"align": "center", "valign": "vcenter", "bold": True, "font_size": 13, "text_wrap": True},
    "code": {"align": "center", "valign": "vcenter", "italic": True, "font_size": 12},
    "th": {**_CELL, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9E1F2"},
    "th_num": {**_CELL, "italic": True, "align": "center", "bg_color": "#D9E1F2"},
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
    "recipients_title": {"bold": True, "italic": True, "font_size": 12, "valign": "top"},
    "recipient": {"font_size": 11, "valign": "top", "text_wrap": True},
    "note": {"italic": True, "font_size": 11, "text_wrap": True, "valign": "top"},
    "warn": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}


class Styles:
    """The workbook's formats, created on first use so unused ones cost nothing.

    It also collects the texts too long for a printed cell (`appendix`: heading, whole
    text), which the workbook prints whole on its "Phụ lục" sheet.
    """

    def __init__(self, wb: Workbook):
        self._wb = wb
        self._made: dict[str, Any] = {}
        self.appendix: list[tuple[str, str]] = []

    def __getitem__(self, name: str) -> Any:
        fmt = self._made.get(name)
        if fmt is None:
            fmt = self._wb.add_format({"font_name": FONT, **_SPECS[name]})
            self._made[name] = fmt
        return fmt


@dataclass(frozen=True)
class Heading:
    """What the Decree 30 heading of one document says; the issuing body's lines come from its letterhead."""

    body: Letterhead
    title: str
    period: str
    code: str
    when: date
    number: str = ""     # "Số: 58/BC-UBND" when the document has one
    sends: bool = True   # the document leaves the body: its signature block lists "Nơi nhận"

    @classmethod
    def of(cls, data: Any, title: str, code: str | None = None) -> "Heading":
        """The heading of a consolidated document of `data` (a PeriodData): the hub's letterhead, a number line."""
        body = body_of(data)
        return cls(body, title, data.period.title, data.form.code if code is None else code, data.today,
                   body.number_line() if body.abbreviation else "")


def plain_body(parent: str, issuer: str, place: str) -> Letterhead:
    """A letterhead from names alone (data built outside the organisation tree, a roll-up's arguments)."""
    return Letterhead(name=issuer, parent=parent.upper(), issuer=(issuer.upper(),), national=NATIONAL_NAME,
                      motto=MOTTO, place=place, abbreviation="", signer=("THỦ TRƯỞNG ĐƠN VỊ",), signer_name="",
                      recipients=())


def body_of(data: Any) -> Letterhead:
    """The issuing body of a PeriodData: its letterhead when gathered from the tree, else from its names."""
    return data.letterhead if getattr(data, "letterhead", None) is not None else \
        plain_body(data.parent, data.issuer, data.place)


def excel_datetime(moment: datetime | None) -> datetime | None:
    """An aware datetime as naive Vietnam local time (Excel has no time zones)."""
    if moment is None:
        return None
    from ..settings import VN_TZ

    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ).replace(tzinfo=None)
    return moment


def caps_points(text: str) -> float:
    """About how wide 12-point bold capitals print, in points, with the cell's padding."""
    return 8.6 * len(text) + 8


def _split(widths: list[float], left_need: float, right_need: float) -> int:
    """Where the left half (issuing body, preparer) ends so both halves get the room they need.

    The right half (national name, signer) weighs double: the national name must not wrap.
    Among equally good places the left half nearest 40 % of the width wins (Decree 30's layout).
    """
    n = len(widths)
    if n < 2:
        return 1
    points = [col_points(w) for w in widths]
    total = sum(points)
    best: tuple[float, float, int] | None = None
    for k in range(1, n):
        left, right = sum(points[:k]), sum(points[k:])
        key = (max(0.0, left_need - left) + 2 * max(0.0, right_need - right), abs(left - 0.4 * total), k)
        if best is None or key < best:
            best = key
    return best[2] if best else 1


def _span(ws: Worksheet, row: int, first: int, last: int, text: str, fmt: Any) -> None:
    if last > first:
        ws.merge_range(row, first, row, last, "", fmt)
    write_text(ws, row, first, text, fmt)


def _lines(text: str, width: float, bold: bool = False) -> int:
    """Lines of 12–14 pt heading text in `width` characters (larger and bolder than table text)."""
    return text_lines(text, width * (0.72 if bold else 0.8))


def write_heading(ws: Worksheet, st: Styles, h: Heading, widths: list[float], first_col: int = 0) -> int:
    """Write the heading over the columns whose widths are given; returns the first free row."""
    n = len(widths)
    body = h.body
    lefts = ([(body.parent, "parent")] if body.parent else []) + [(line, "issuer") for line in body.issuer]
    rights = [(body.national, "national")] + ([(body.motto, "motto")] if body.motto else [])
    split = _split(widths, min(230.0, max(caps_points(t) for t, _ in lefts)), caps_points(body.national))
    left = (first_col, first_col + split - 1)
    right = (first_col + split, first_col + max(split, n - 1))
    left_w = sum(widths[:split])
    right_w = sum(widths[split:]) or left_w
    row = 0
    for i in range(max(len(lefts), len(rights))):
        lines = 1
        if i < len(lefts):
            _span(ws, row, *left, lefts[i][0], st[lefts[i][1]])
            lines = _lines(lefts[i][0], left_w, True)
        if i < len(rights):
            _span(ws, row, *right, rights[i][0], st[rights[i][1]])
            lines = max(lines, _lines(rights[i][0], right_w, True))
        ws.set_row(row, 18 * lines)
        row += 1
    _span(ws, row, *left, "―――――", st["rule"])
    _span(ws, row, *right, "――――――――――", st["rule"])
    ws.set_row(row, 15)
    row += 1
    dated = body.dated(h.when)
    _span(ws, row, *left, h.number, st["parent"])
    _span(ws, row, *right, dated, st["place_date"])
    ws.set_row(row, 19 * max(_lines(dated, right_w), _lines(h.number, left_w)))
    row += 2
    all_cols = (first_col, first_col + n - 1)
    total_w = sum(widths)
    title = h.title.upper()
    _span(ws, row, *all_cols, title, st["title"])
    ws.set_row(row, 20 * _lines(title, total_w, True))
    _span(ws, row + 1, *all_cols, h.period, st["subtitle"])
    ws.set_row(row + 1, 19 * _lines(h.period, total_w, True))
    if h.code:
        _span(ws, row + 2, *all_cols, f"({h.code})", st["code"])
        ws.set_row(row + 2, 18)
    return row + 4


def write_signature(ws: Worksheet, st: Styles, row: int, widths: list[float], body: Letterhead, *,
                    preparer: str = "", sends: bool = True, first_col: int = 0) -> int:
    """NGƯỜI LẬP BIỂU on the left, the body's signer on the right, then "Nơi nhận"; returns the next free row.

    `widths` are the columns the block spans (those printed on the last page).
    """
    signer = list(body.signer) or ["THỦ TRƯỞNG ĐƠN VỊ"]
    split = _split(widths, caps_points("NGƯỜI LẬP BIỂU"), max(caps_points(line) for line in signer))
    ncols = len(widths)
    left = (first_col, first_col + split - 1)
    right = (first_col + split, first_col + max(split, ncols - 1))
    row += 1
    for i, line in enumerate(signer):
        if i == len(signer) - 1:
            _span(ws, row + i, *left, "NGƯỜI LẬP BIỂU", st["sign_title"])
        _span(ws, row + i, *right, line, st["sign_title"])
        ws.set_row(row + i, 18)
    row += len(signer)
    _span(ws, row, *left, "(Ký, ghi rõ họ tên)", st["sign_note"])
    _span(ws, row, *right, "(Ký tên, đóng dấu)", st["sign_note"])
    ws.set_row(row, 18)
    row += 5
    if preparer:
        _span(ws, row, *left, preparer, st["sign_name"])
    if body.signer_name:
        _span(ws, row, *right, body.signer_name, st["sign_name"])
    ws.set_row(row, 18)
    row += 1
    if sends and body.recipients:
        row += 1
        all_cols = (first_col, first_col + ncols - 1)
        _span(ws, row, *all_cols, "Nơi nhận:", st["recipients_title"])
        ws.set_row(row, 18)
        total = sum(widths)
        for line in body.recipients:
            row += 1
            text = f"- {line}"
            _span(ws, row, *all_cols, text, st["recipient"])
            ws.set_row(row, LINE_HEIGHT * text_lines(text, total))
        row += 1
    return row
