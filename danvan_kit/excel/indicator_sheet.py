"""The indicator sheet (the province's layout): STT, Chỉ tiêu, ĐVT, a value column per body, total.

Hidden columns A–C carry each row's stable key, its rule (sum, mean, calc:…) and the
count behind a mean, so `roll_up` can read the sheet back and total several bodies.
"""
from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook

from ..figures.indicators import Indicator, is_number
from .page import Heading, Styles, write_heading, write_signature
from .print_rule import apply_print, block_layout, fit_height, plan_columns
from .safe import SheetNames, write_text
from .table import header_height

__all__ = ["write_indicator_sheet", "INDICATOR_SHEET", "KEY_HEADER"]

INDICATOR_SHEET = "Chỉ tiêu tổng hợp"
KEY_HEADER = "__key__"
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


def write_indicator_sheet(wb: Workbook, st: Styles, names: SheetNames, heading: Heading, rows: list[Indicator],
                          sources: list[str], totals: list[Any] | None = None, total_ns: list[int] | None = None,
                          preparer: str = "") -> str:
    """Hidden key/rule/n columns A–C, then STT, Chỉ tiêu (over two columns, so the heading can split
    between them), ĐVT, one column per body and 'Tổng cộng' — in blocks side by side when too wide."""
    name = names.add(INDICATOR_SHEET)
    ws = wb.add_worksheet(name)
    value_headers = list(sources) + (["Tổng cộng"] if totals is not None else [])
    logical = [6.0, 24.0, 32.0, 10.0] + [max(14.0, min(22.0, len(s) * 0.8)) for s in value_headers]
    label_w = logical[1] + logical[2]
    layout, plan = block_layout(plan_columns(logical, repeat=4, landscape=True if len(value_headers) > 3 else None),
                                len(logical), first_col=3)
    widths = [logical[c] for c in layout]
    ws.set_column(0, 2, 10, None, {"hidden": True})
    for pos, w in enumerate(widths):
        ws.set_column(3 + pos, 3 + pos, w)
    a, b = plan.heading_span(3, len(widths))
    row = write_heading(ws, st, heading, widths[a - 3:b - 2], first_col=3)
    header = row
    for c, text in enumerate([KEY_HEADER, "__rule__", "__n__"]):
        ws.write_string(row, c, text)
    titles = ["STT", "Chỉ tiêu", "", "Đơn vị tính"] + value_headers
    numbers = ["(1)", "(2)", "", "(3)"] + [f"({4 + i})" for i in range(len(value_headers))]
    for pos, c in enumerate(layout):
        if c == 2:
            continue
        if c == 1:
            ws.merge_range(row, 3 + pos, row, 4 + pos, "", st["th"])
            ws.merge_range(row + 1, 3 + pos, row + 1, 4 + pos, "", st["th_num"])
        write_text(ws, row, 3 + pos, titles[c], st["th"])
        write_text(ws, row + 1, 3 + pos, numbers[c], st["th_num"])
    ws.set_row(row, header_height([(t, w) for t, w in zip(value_headers, logical[4:])], 32.0))
    blocks = [(g[0], g[1]) for g in plan.groups]
    first = row + 2
    heads = items = 0
    for r, ind in enumerate(rows):
        at = first + r
        ws.write_string(at, 0, ind.key)
        ws.write_string(at, 1, ind.rule)
        n_total = (total_ns[r] if total_ns is not None else sum(ind.ns)) if ind.rule == "mean" else 0
        ws.write_number(at, 2, n_total)
        if ind.rule == "heading":
            number = _ROMAN[heads] if heads < len(_ROMAN) else str(heads + 1)
            heads, items = heads + 1, 0
            for start, end in blocks:
                write_text(ws, at, start, number, st["section"])
                ws.merge_range(at, start + 1, at, end, "", st["section"])
                write_text(ws, at, start + 1, ind.label, st["section"])
            height = fit_height(ind.label, sum(widths[blocks[0][0] - 2:blocks[0][1] - 2]) * 0.9)
            if height:
                ws.set_row(at, height)
            continue
        items += 1
        cells = list(ind.values) + ([totals[r]] if totals is not None else [])
        for pos, c in enumerate(layout):
            col = 3 + pos
            if c == 0:
                write_text(ws, at, col, str(items), st["center"])
            elif c == 1:
                ws.merge_range(at, col, at, col + 1, "", st["text"])
                write_text(ws, at, col, ind.label, st["text"])
            elif c == 3:
                write_text(ws, at, col, ind.unit, st["center"])
            elif c >= 4:
                v = cells[c - 4]
                bold = totals is not None and c - 4 == len(cells) - 1
                if is_number(v):
                    kind = "int" if float(v).is_integer() and ind.unit != "%" else "dec"
                    ws.write_number(at, col, v, st[("total_" if bold else "") + kind])
                else:
                    ws.write_blank(at, col, None, st["total_text" if bold else "center"])
        height = fit_height(ind.label, label_w)
        if height:
            ws.set_row(at, height)
    last = first + len(rows) - 1
    a, b = plan.closing_span(3, len(widths))
    end = write_signature(ws, st, last + 1, widths[a - 3:b - 2], heading.body, preparer=preparer,
                          sends=heading.sends, first_col=a)
    apply_print(ws, plan, header=(header, header + 1), last_row=end - 1, ncols=len(widths), first_col=3,
                keep=[(max(first, last - 1), end - 1)], freeze=(header + 2, 7))
    return name


