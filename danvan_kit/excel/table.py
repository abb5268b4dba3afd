"""One official table: heading, numbered column headers, rows, a totals row of formulas, signature.

Each formula is written together with the value we computed, because
xlsxwriter would otherwise store 0 and LibreOffice, previews and PDF
converters would show it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Sequence

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from .page import Heading, Styles, write_heading, write_signature
from .print_rule import (
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    apply_print,
    block_layout,
    plan_columns,
    split_text,
    text_lines,
)
from .safe import MAX_CELL_CHARS, fit_cell, write_text

__all__ = ["Col", "TableInfo", "write_table", "write_value", "cell_writer", "NUMERIC_KINDS", "text_lines",
           "header_height", "APPENDIX_SHEET"]

NUMERIC_KINDS = ("int", "dec", "pct")
_TEXT_KINDS = ("text", "long", "center", "muted")
APPENDIX_SHEET = "Phụ lục"


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
    columns: dict[int, int] = field(default_factory=dict)   # a column of `cols` -> its (first) sheet column

    def col(self, c: int) -> int:
        return self.columns.get(c, c)


def write_value(ws: Worksheet, st: Styles, row: int, col: int, kind: str, value: Any) -> None:
    """Write a Python value by column kind: numbers as numbers, dates as dates, the rest as text."""
    cell_writer(ws, st, kind)(row, col, value)


def _numbers(values: Sequence[Any]) -> list[float]:
    return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _ratio(num: Any, den: Any) -> Any:
    if isinstance(num, (int, float)) and isinstance(den, (int, float)) and den > 0:
        return num / den
    return ""


# A table row is kept short enough to print below the heading and the column headers on a
# landscape page; a longer text goes on in the appendix.
_CELL_HEIGHT = 300.0
_MAX_LINES = int(_CELL_HEIGHT // LINE_HEIGHT)


def _to_appendix(st: Styles, text: str, col: Col, cols: list[Col], item: Any) -> str:
    """The cell's share of a text too long for one row, ending with where the rest is; the whole goes to
    the workbook's appendix (several cells may point at one appendix, each under its own number)."""
    number = len(st.appendix) + 1
    who = cols[1].get(item) if len(cols) > 1 else ""
    st.appendix.append((f"Mục {number}. {who} — {col.header}" if who else f"Mục {number}. {col.header}", text))
    note = f" … (xem toàn văn ở trang «{APPENDIX_SHEET}», mục {number})"
    piece = split_text(text, col.width, _CELL_HEIGHT - 3 * LINE_HEIGHT)[0]
    return piece + note


def write_table(ws: Worksheet, st: Styles, cols: list[Col], rows: Sequence[Any], *, heading: Heading,
                total_label: str = "Tổng cộng", totals: bool = True, signature: bool = True,
                preparer: str = "", freeze_col: int = 2, landscape: bool | None = None,
                after: Callable[[int, int, int, Callable[[int], int]], int] | None = None) -> TableInfo:
    """Write a whole printable table sheet.

    `after(row, first, last, col)` may add lines before the signature; `col(c)` is the sheet
    column of column c of `cols` (they differ when a wide table prints in blocks).
    """
    plan = plan_columns([c.width for c in cols], repeat=freeze_col, landscape=landscape)
    layout, plan = block_layout(plan, len(cols))
    at: dict[int, int] = {}
    for pos, c in enumerate(layout):
        at.setdefault(c, pos)
    widths = [cols[c].width for c in layout]
    for pos, w in enumerate(widths):
        ws.set_column(pos, pos, w)
    a, b = plan.heading_span(0, len(layout))
    row = write_heading(ws, st, heading, widths[a:b + 1])
    header_first = row
    if any(c.group for c in cols):
        pos = 0
        while pos < len(layout):
            g = cols[layout[pos]].group
            end = pos
            while end + 1 < len(layout) and g and cols[layout[end + 1]].group == g:
                end += 1
            if g and end > pos:
                ws.merge_range(row, pos, row, end, "", st["th"])
            write_text(ws, row, pos, g or cols[layout[pos]].header, st["th"])
            if not g:
                ws.merge_range(row, pos, row + 1, pos, "", st["th"])
                write_text(ws, row, pos, cols[layout[pos]].header, st["th"])
            pos = end + 1
        runs: list[tuple[str, float]] = []   # each merged group header as laid out (a block may hold part)
        for pos, c in enumerate(layout):
            g = cols[c].group
            if g and pos > 0 and runs and cols[layout[pos - 1]].group == g:
                runs[-1] = (g, runs[-1][1] + cols[c].width)
            elif g:
                runs.append((g, cols[c].width))
        ws.set_row(row, header_height(runs, 20))
        row += 1
        for pos, c in enumerate(layout):
            if cols[c].group:
                write_text(ws, row, pos, cols[c].header, st["th"])
        ws.set_row(row, header_height([(c.header, c.width) for c in cols if c.group]))
    else:
        for pos, c in enumerate(layout):
            write_text(ws, row, pos, cols[c].header, st["th"])
        ws.set_row(row, header_height([(c.header, c.width) for c in cols]))
    row += 1
    for pos, c in enumerate(layout):  # official column numbering: (1), (2), … and "(5) = (3)/(4)"
        ratio = cols[c].ratio
        label = f"({c + 1})" if ratio is None else f"({c + 1}) = ({ratio[0] + 1})/({ratio[1] + 1})"
        write_text(ws, row, pos, label, st["th_num"])
    header_last = row
    first = row + 1
    values: list[list[Any]] = [[None] * len(cols) for _ in rows]
    _write_rows(ws, st, cols, layout, at, rows, values, first)
    last = first + len(rows) - 1
    totals_row = None
    if totals and rows:
        totals_row = last + 1
        _totals(ws, st, cols, layout, at, values, first, last, totals_row, total_label)
    for pos, c in enumerate(layout):
        over = cols[c].warn_over
        if over is not None and rows:
            x = xl_rowcol_to_cell(first, pos, row_abs=False, col_abs=True)
            y = xl_rowcol_to_cell(first, at[over], row_abs=False, col_abs=True)
            ws.conditional_format(first, pos, last, pos, {"type": "formula", "format": st["warn"],
                                                          "criteria": f"=AND(ISNUMBER({x}),{x}>N({y}))"})
    nxt = (totals_row if totals_row is not None else last) + 1
    table_end = nxt
    keep = []
    if after is not None:
        below = nxt
        nxt = after(nxt, first, last, lambda c: at.get(c, c))
        keep.append((below, nxt - 1))      # a small summary table prints on one page
    end = nxt
    if signature:
        a, b = plan.closing_span(0, len(layout))
        end = write_signature(ws, st, nxt, widths[a:b + 1], heading.body, preparer=preparer, sends=heading.sends,
                              first_col=a)
        keep.append((max(first, table_end - 2), end))   # never a signature alone: the table's last rows come too
    apply_print(ws, plan, header=(header_first, header_last), last_row=max(end - 1, nxt), ncols=len(layout),
                keep=keep, freeze=(header_last + 1, freeze_col), filter_rows=(header_last, last) if rows else None)
    return TableInfo(header_first, header_last, first, last, totals_row, nxt, at)


def cell_writer(ws: Worksheet, st: Styles, kind: str) -> Callable[[int, int, Any], Any]:
    """`write(row, col, value)` for a column of `kind`, the one rule for a cell's type and format: blank for
    None or "", numbers as numbers in a numeric column, dates as dates in a date column, the rest as text.
    Formats are looked up once, and the common types take a short path (a table writes ~850k cells)."""
    blank_fmt = st[kind if kind in _TEXT_KINDS else "center"]
    text_fmt = st[kind if kind in _TEXT_KINDS else "text"]
    number_fmt = st[kind] if kind in NUMERIC_KINDS + ("center",) else None
    date_fmt = st[kind] if kind in ("date", "datetime") else None
    write_number, write_string, write_blank = ws.write_number, ws.write_string, ws.write_blank

    def write(r: int, c: int, v: Any) -> Any:
        t = type(v)
        if t is str:
            if not v:
                return write_blank(r, c, None, blank_fmt)
            return write_string(r, c, v if len(v) <= MAX_CELL_CHARS else fit_cell(v), text_fmt)
        if number_fmt is not None and (t is int or t is float):
            return write_number(r, c, v, number_fmt)
        if v is None or v == "":
            return write_blank(r, c, None, blank_fmt)
        if number_fmt is not None and isinstance(v, (int, float)) and not isinstance(v, bool):
            return write_number(r, c, v, number_fmt)
        if date_fmt is not None and isinstance(v, (date, datetime)):
            when = v if isinstance(v, datetime) else datetime(v.year, v.month, v.day)
            return ws.write_datetime(r, c, when, date_fmt)
        return write_text(ws, r, c, v, text_fmt)

    return write


def _write_rows(ws: Worksheet, st: Styles, cols: list[Col], layout: list[int], at: dict[int, int],
                rows: Sequence[Any], values: list[list[Any]], first: int) -> None:
    """The table's rows: each column's value read once a row (a block's repeated columns reuse it), written
    at each sheet column showing it; tall text sets the row's height or goes to the appendix; rate formulas."""
    shown: dict[int, list[int]] = {}
    for pos, c in enumerate(layout):
        if cols[c].ratio is None:
            shown.setdefault(c, []).append(pos)
    plain = [(c, cols[c], cols[c].get, tuple(where), cell_writer(ws, st, cols[c].kind))
             for c, where in shown.items()]
    ratios = [(pos, c, xl_col_to_name(at[ra]), xl_col_to_name(at[rb]), ra, rb)
              for pos, c in enumerate(layout) for ra, rb in [cols[c].ratio or (-1, -1)] if ra >= 0]
    pct = st["pct"]
    write_formula = ws.write_formula
    for i, item in enumerate(rows):
        r = first + i
        lines = 1
        row_values = values[i]
        for c, col, get, where, write in plain:
            v = get(item)
            row_values[c] = v
            if isinstance(v, str) and (len(v) > col.width or "\n" in v):
                need = text_lines(v, col.width)
                if need > _MAX_LINES:   # too long for one printed row: the rest goes to the appendix
                    v = _to_appendix(st, v, col, cols, item)
                    need = text_lines(v, col.width)
                lines = max(lines, need)
            for pos in where:
                write(r, pos, v)
        if lines > 1:
            ws.set_row(r, min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines))
        n = r + 1
        for pos, c, na, nb, ra, rb in ratios:
            v = _ratio(row_values[ra], row_values[rb])
            row_values[c] = v
            write_formula(r, pos, f'=IF(N({nb}{n})>0,{na}{n}/{nb}{n},"")', pct, v)


def _totals(ws: Worksheet, st: Styles, cols: list[Col], layout: list[int], at: dict[int, int],
            values: list[list[Any]], first: int, last: int, r: int, label: str) -> None:
    label_col = next((c for c, col in enumerate(cols) if col.kind not in NUMERIC_KINDS and c > 0), 1)
    totals: list[Any] = [None] * len(cols)
    for c, col in enumerate(cols):   # the totals by column of the table, written where it first shows
        column = [v[c] for v in values]
        nums = _numbers(column)
        if col.total in ("sum", "mean"):
            totals[c] = sum(nums) if col.total == "sum" else (sum(nums) / len(nums) if nums else "")
        elif col.total == "count":
            totals[c] = sum(1 for v in column if v == col.count_of)
        elif col.total == "value":
            totals[c] = col.total_value
    for pos, c in enumerate(layout):
        col = cols[c]
        rng = f"{xl_col_to_name(pos)}{first + 1}:{xl_col_to_name(pos)}{last + 1}"
        if col.ratio is not None:
            a, b = col.ratio
            na, nb = xl_rowcol_to_cell(r, at[a]), xl_rowcol_to_cell(r, at[b])
            ws.write_formula(r, pos, f'=IF(N({nb})>0,{na}/{nb},"")', st["total_pct"], _ratio(totals[a], totals[b]))
        elif col.total == "sum":
            kind = "dec" if col.kind == "dec" else "int" if col.kind == "int" else "pct"
            ws.write_formula(r, pos, f"=SUM({rng})", st[f"total_{kind}"], totals[c])
        elif col.total == "mean":
            fmt = st["total_pct" if col.kind == "pct" else "total_dec"]
            ws.write_formula(r, pos, f'=IF(COUNT({rng})>0,AVERAGE({rng}),"")', fmt, totals[c])
        elif col.total == "count":
            ws.write_formula(r, pos, f'=COUNTIF({rng},"{col.count_of}")', st["total_int"], totals[c])
        elif col.total == "value":
            kind = col.kind if col.kind in NUMERIC_KINDS else "int"
            if isinstance(col.total_value, (int, float)):
                ws.write_number(r, pos, col.total_value, st[f"total_{kind}"])
            else:
                write_text(ws, r, pos, col.total_value, st["total_text"])
        elif c == label_col:
            write_text(ws, r, pos, label, st["total_text"])
        else:
            ws.write_blank(r, pos, None, st["total_text"])
