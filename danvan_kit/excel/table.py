"""One official table: heading, numbered column headers, rows, a totals row of formulas, signature.

Each formula is written together with the value we computed, because
xlsxwriter would otherwise store 0 and LibreOffice, previews and PDF
converters would show it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Sequence

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from .page import Heading, Styles, write_heading, write_signature
from .print_rule import LINE_HEIGHT, MAX_ROW_HEIGHT, apply_print, plan_columns, text_lines
from .safe import write_text

__all__ = ["Col", "TableInfo", "write_table", "write_value", "NUMERIC_KINDS", "text_lines", "header_height"]

NUMERIC_KINDS = ("int", "dec", "pct")


def header_height(headers: list[tuple[str, float]], least: float = 30.0) -> float:
    """The height of a row of bold, wrapped column headers (text, width)."""
    return max(least, LINE_HEIGHT * max((text_lines(t, w * 0.85) for t, w in headers), default=1))


@dataclass
class Col:
    """A column: how to read each row's value and how to total it.

    total: "" | "sum" | "mean" | "count" (cells equal to `count_of`) | "value" (use total_value);
    ratio=(i, j): this column is column i / column j, per row and in the totals row.
    """

    header: str
    kind: str = "text"   # text | long | center | muted | int | dec | pct | date | datetime
    width: float = 12
    get: Callable[[Any], Any] = lambda row: None
    total: str = ""
    count_of: str = ""
    total_value: Any = None
    ratio: tuple[int, int] | None = None
    warn_over: int | None = None   # highlight a cell greater than the same row's cell of this column
    group: str = ""                # a merged group header above this column


@dataclass
class TableInfo:
    header_first: int
    header_last: int
    first_row: int
    last_row: int        # last data row (first_row - 1 when empty)
    totals_row: int | None
    next_row: int


def write_value(ws: Worksheet, st: Styles, row: int, col: int, kind: str, value: Any) -> None:
    """Write a Python value by column kind: numbers as numbers, dates as dates, the rest as text."""
    if value is None or value == "":
        ws.write_blank(row, col, None, st[kind if kind in ("text", "long", "center", "muted") else "center"])
    elif kind in NUMERIC_KINDS + ("center",) and isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(row, col, value, st[kind])
    elif kind in ("date", "datetime") and isinstance(value, (date, datetime)):
        when = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        ws.write_datetime(row, col, when, st[kind])
    else:
        write_text(ws, row, col, value, st[kind if kind in ("text", "long", "center", "muted") else "text"])


def _numbers(values: Sequence[Any]) -> list[float]:
    return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _ratio(num: Any, den: Any) -> Any:
    if isinstance(num, (int, float)) and isinstance(den, (int, float)) and den > 0:
        return num / den
    return ""


def write_table(ws: Worksheet, st: Styles, cols: list[Col], rows: Sequence[Any], *, heading: Heading,
                total_label: str = "Tổng cộng", totals: bool = True, signature: bool = True,
                preparer: str = "", freeze_col: int = 2, landscape: bool | None = None,
                after: Callable[[int, int, int], int] | None = None) -> TableInfo:
    """Write a whole printable table sheet; `after(row, first, last)` may add lines before the signature."""
    widths = [c.width for c in cols]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    plan = plan_columns(widths, repeat=freeze_col, landscape=landscape)
    a, b = plan.heading_span(0, len(cols))
    row = write_heading(ws, st, heading, widths[a:b + 1])
    header_first = row
    if any(c.group for c in cols):
        c = 0
        while c < len(cols):
            g = cols[c].group
            end = c
            while end + 1 < len(cols) and g and cols[end + 1].group == g:
                end += 1
            if g and end > c:
                ws.merge_range(row, c, row, end, "", st["th"])
            write_text(ws, row, c, g or cols[c].header, st["th"])
            if not g:
                ws.merge_range(row, c, row + 1, c, "", st["th"])
                write_text(ws, row, c, cols[c].header, st["th"])
            c = end + 1
        groups = [(g, sum(c.width for c in cols if c.group == g)) for g in {c.group for c in cols if c.group}]
        ws.set_row(row, header_height(groups, 20))
        row += 1
        for c, col in enumerate(cols):
            if col.group:
                write_text(ws, row, c, col.header, st["th"])
        ws.set_row(row, header_height([(c.header, c.width) for c in cols if c.group]))
    else:
        for c, col in enumerate(cols):
            write_text(ws, row, c, col.header, st["th"])
        ws.set_row(row, header_height([(c.header, c.width) for c in cols]))
    row += 1
    for c, col in enumerate(cols):  # official column numbering: (1), (2), … and "(5) = (3)/(4)"
        label = f"({c + 1})" if col.ratio is None else f"({c + 1}) = ({col.ratio[0] + 1})/({col.ratio[1] + 1})"
        write_text(ws, row, c, label, st["th_num"])
    header_last = row
    first = row + 1
    values: list[list[Any]] = [[None] * len(cols) for _ in rows]
    plain = [(c, col, st[col.kind] if col.kind in NUMERIC_KINDS + ("center",) else None)
             for c, col in enumerate(cols) if col.ratio is None]
    write_number = ws.write_number
    for i, item in enumerate(rows):
        r = first + i
        lines = 1
        row_values = values[i]
        for c, col, numeric_fmt in plain:
            v = col.get(item)
            row_values[c] = v
            if numeric_fmt is not None and (type(v) is int or type(v) is float):
                write_number(r, c, v, numeric_fmt)   # the common case, without dispatch
                continue
            write_value(ws, st, r, c, col.kind, v)
            if isinstance(v, str) and (len(v) > col.width or "\n" in v):
                lines = max(lines, text_lines(v, col.width))
        if lines > 1:
            ws.set_row(r, min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines))
        for c, col in enumerate(cols):
            if col.ratio is not None:
                a, b = col.ratio
                v = _ratio(values[i][a], values[i][b])
                values[i][c] = v
                na, nb = xl_rowcol_to_cell(r, a), xl_rowcol_to_cell(r, b)
                ws.write_formula(r, c, f'=IF(N({nb})>0,{na}/{nb},"")', st["pct"], v)
    last = first + len(rows) - 1
    totals_row = None
    if totals and rows:
        totals_row = last + 1
        _totals(ws, st, cols, values, first, last, totals_row, total_label)
    for c, col in enumerate(cols):
        if col.warn_over is not None and rows:
            a = xl_rowcol_to_cell(first, c, row_abs=False, col_abs=True)
            b = xl_rowcol_to_cell(first, col.warn_over, row_abs=False, col_abs=True)
            ws.conditional_format(first, c, last, c, {"type": "formula", "criteria": f"=AND(ISNUMBER({a}),{a}>N({b}))",
                                                        "format": st["warn"]})
    nxt = (totals_row if totals_row is not None else last) + 1
    keep = []
    if after is not None:
        below = nxt
        nxt = after(nxt, first, last)
        keep.append((below, nxt - 1))      # a small summary table prints on one page
    end = nxt
    if signature:
        a, b = plan.closing_span(0, len(cols))
        end = write_signature(ws, st, nxt, widths[a:b + 1], heading.body, preparer=preparer, sends=heading.sends,
                              first_col=a)
        keep.append((max(first, nxt - 2), end))   # never a signature alone: the last rows come with it
    apply_print(ws, plan, header=(header_first, header_last), last_row=max(end - 1, nxt), ncols=len(cols),
                keep=keep, freeze=(header_last + 1, freeze_col), filter_rows=(header_last, last) if rows else None)
    return TableInfo(header_first, header_last, first, last, totals_row, nxt)


def _totals(ws: Worksheet, st: Styles, cols: list[Col], values: list[list[Any]], first: int, last: int,
            r: int, label: str) -> None:
    label_col = next((c for c, col in enumerate(cols) if col.kind not in NUMERIC_KINDS and c > 0), 1)
    totals: list[Any] = [None] * len(cols)
    for c, col in enumerate(cols):
        rng = f"{xl_col_to_name(c)}{first + 1}:{xl_col_to_name(c)}{last + 1}"
        column = [v[c] for v in values]
        nums = _numbers(column)
        if col.ratio is not None:
            continue
        if col.total == "sum":
            totals[c] = sum(nums)
            kind = "dec" if col.kind == "dec" else "int" if col.kind == "int" else "pct"
            ws.write_formula(r, c, f"=SUM({rng})", st[f"total_{kind}"], totals[c])
        elif col.total == "mean":
            totals[c] = sum(nums) / len(nums) if nums else ""
            fmt = st["total_pct" if col.kind == "pct" else "total_dec"]
            ws.write_formula(r, c, f'=IF(COUNT({rng})>0,AVERAGE({rng}),"")', fmt, totals[c])
        elif col.total == "count":
            totals[c] = sum(1 for v in column if v == col.count_of)
            ws.write_formula(r, c, f'=COUNTIF({rng},"{col.count_of}")', st["total_int"], totals[c])
        elif col.total == "value":
            totals[c] = col.total_value
            kind = col.kind if col.kind in NUMERIC_KINDS else "int"
            if isinstance(col.total_value, (int, float)):
                ws.write_number(r, c, col.total_value, st[f"total_{kind}"])
            else:
                write_text(ws, r, c, col.total_value, st["total_text"])
        elif c == label_col:
            write_text(ws, r, c, label, st["total_text"])
        else:
            ws.write_blank(r, c, None, st["total_text"])
    for c, col in enumerate(cols):
        if col.ratio is not None:
            a, b = col.ratio
            v = _ratio(totals[a], totals[b])
            na, nb = xl_rowcol_to_cell(r, a), xl_rowcol_to_cell(r, b)
            ws.write_formula(r, c, f'=IF(N({nb})>0,{na}/{nb},"")', st["total_pct"], v)
