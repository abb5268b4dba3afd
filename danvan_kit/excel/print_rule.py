"""The print rule, once for every sheet: A4, text never printed below 9 pt, nothing cut or stranded.

Measured against LibreOffice (the converter offices here print through): a column
`w` characters wide prints 6·w + 4.2 pt wide (the workbook's default font is
12-point Times New Roman), and wrapped 11-point text takes about 12.2 pt a line
with ≈1.2 characters per unit of width. The estimates below stay on the safe
side of those figures (14 pt a line, ≈1.1 characters per unit), so a row is
never shorter than its text.

A sheet's plan is computed once from its column widths (orientation, a fixed
print scale no smaller than `MIN_SCALE`, and — for a table too wide even so —
column groups that repeat the unit columns on every page), and its page breaks
once from its row heights, so that no page holds only the repeated header or
only the signature block, and small blocks (a summary table, a chart) are not
split. Fit-to-width is never used: it is what shrank wide registers to 4 pt.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from xlsxwriter.worksheet import Worksheet

__all__ = ["PrintPlan", "plan_columns", "block_layout", "apply_print", "col_points", "text_lines", "split_text",
           "fit_height", "LINE_HEIGHT", "MAX_ROW_HEIGHT", "SMALLEST_FONT", "MIN_SCALE"]

FONT = "Times New Roman"
LINE_HEIGHT = 14.0          # points per line of 11-point Times New Roman, with room to spare
MAX_ROW_HEIGHT = 409.0      # Excel's limit for one row
SMALLEST_FONT = 11          # no format of ours is smaller
MIN_PRINTED = 9.2           # the smallest printed size we accept, in points (9 pt and a margin)
MIN_SCALE = math.ceil(100 * MIN_PRINTED / SMALLEST_FONT)   # 84 %
GROUP_SCALE = 90            # column groups: the more legible scale, since the pages split anyway
_A4 = (595.3, 841.9)        # points
_MARGINS = {"left": 0.6, "right": 0.4, "top": 0.6, "bottom": 0.7}   # inches
_WIDTH_FIT = 0.97           # keep a little room from the printable width
_HEIGHT_FIT = 0.93          # and from the printable height, so LibreOffice adds no break of its own
_DEFAULT_ROW = 15.0


def col_points(width: float) -> float:
    """The printed width in points of a column `width` characters wide (measured in LibreOffice)."""
    return 6.0 * width + 4.2


def _printable(landscape: bool) -> tuple[float, float]:
    w, h = (_A4[1], _A4[0]) if landscape else _A4
    return ((w - 72 * (_MARGINS["left"] + _MARGINS["right"])) * _WIDTH_FIT,
            (h - 72 * (_MARGINS["top"] + _MARGINS["bottom"])) * _HEIGHT_FIT)


def text_lines(text: str, width: float) -> int:
    """How many lines wrapped text takes in a column `width` characters wide (an estimate on the safe side).

    Row heights are set explicitly because neither Excel nor LibreOffice
    reliably grows a row for wrapped text in a file it did not write itself.
    """
    per_line = max(int(width * 1.12 - 1), 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def fit_height(text: str, width: float, line: float = LINE_HEIGHT) -> float | None:
    """The row height wrapped `text` needs in `width` characters, or None when one default line will do."""
    if len(text) <= width * 0.95 and "\n" not in text:
        return None
    return min(MAX_ROW_HEIGHT, line * text_lines(text, width))


def split_text(text: str, width: float, max_height: float = MAX_ROW_HEIGHT - LINE_HEIGHT) -> list[str]:
    """Cut text into pieces that each fit one row of `width` characters, at paragraph or word boundaries.

    Used where a long narrative must print whole: a row cannot be taller than
    409 pt and LibreOffice does not continue a cell on the next page.
    """
    max_lines = max(1, int(max_height // LINE_HEIGHT))
    if text_lines(text, width) <= max_lines:
        return [text]
    per_line = max(int(width * 1.12 - 1), 1)
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for para in text.split("\n"):
        while para:
            need = max(1, -(-len(para) // per_line))
            room = max_lines - used
            if need <= room:
                current.append(para)
                used += need
                para = ""
                continue
            if room >= 1:   # fill the rest of this piece with whole words
                cut = para.rfind(" ", 0, room * per_line)
                cut = cut if cut > 0 else room * per_line
                current.append(para[:cut])
                para = para[cut:].lstrip(" ")
            pieces.append("\n".join(current))
            current, used = [], 0
    if current:
        pieces.append("\n".join(current))
    return [p for p in pieces if p.strip()] or [text]


@dataclass(frozen=True)
class PrintPlan:
    """How one sheet prints: orientation, a fixed scale, and the column groups that share a page width."""

    landscape: bool
    scale: int
    groups: tuple[tuple[int, int], ...]   # (first, last) columns of each group after the repeated ones
    repeat: int                            # leading columns printed on every page (0 when one group)

    @property
    def split(self) -> bool:
        return len(self.groups) > 1

    def heading_span(self, first_col: int, ncols: int) -> tuple[int, int]:
        """The columns the heading spans: those printed on the first page."""
        if not self.split:
            return first_col, first_col + ncols - 1
        return first_col, self.groups[0][1]

    def closing_span(self, first_col: int, ncols: int) -> tuple[int, int]:
        """The columns the signature spans: those printed on the last pages, after the table's last column."""
        if not self.split:
            return first_col, first_col + ncols - 1
        return self.groups[-1]


def plan_columns(widths: Sequence[float], *, first_col: int = 0, repeat: int = 2,
                 landscape: bool | None = None) -> PrintPlan:
    """Choose portrait or landscape and a scale ≥ MIN_SCALE; split into column groups only when neither fits.

    `landscape`: None chooses, True prefers landscape, False keeps portrait
    (a unit's copy), splitting if even that is too narrow.
    """
    total = sum(col_points(w) for w in widths)
    orders = [False] if landscape is False else [True] if landscape else [False, True]
    for wide in orders:
        room = _printable(wide)[0]
        scale = min(100, math.floor(100 * room / total)) if total else 100
        if scale >= (95 if wide is False and len(orders) > 1 else MIN_SCALE):
            return PrintPlan(wide, scale, ((first_col, first_col + len(widths) - 1),), 0)
    wide = landscape is not False
    room = _printable(wide)[0] * 100 / GROUP_SCALE
    repeat = min(repeat, len(widths) - 1)
    points = [col_points(w) for w in widths]
    fixed = sum(points[:repeat])
    fewest = len(_groups(points, repeat, room - fixed))
    limit = sum(points[repeat:]) / fewest   # as even as the fewest groups allow: the last is not a sliver
    while len(found := _groups(points, repeat, limit)) > fewest:
        limit = min(limit * 1.05, room - fixed)
    groups = tuple((first_col + a, first_col + b) for a, b in found)
    return PrintPlan(wide, GROUP_SCALE, groups, repeat)


def _groups(points: list[float], start: int, limit: float) -> list[tuple[int, int]]:
    """Consecutive columns from `start` on, each run as wide as `limit` points at most (one column at least)."""
    out: list[tuple[int, int]] = []
    used = 0.0
    for i in range(start, len(points)):
        if used + points[i] > limit and i > start:
            out.append((start, i - 1))
            start, used = i, 0.0
        used += points[i]
    out.append((start, len(points) - 1))
    return out


def block_layout(plan: PrintPlan, n: int, first_col: int = 0) -> tuple[list[int], PrintPlan]:
    """Sheet columns (each the index of a column of the table) and the plan over sheet columns.

    A table too wide for a page is written as blocks side by side, each starting with the
    repeated columns (STT, Đơn vị, …) again, a page break before each block: every page
    shows whose figures they are, and the heading and signature stay whole in the first and
    last block (repeat-columns print settings would repeat the heading's cells too).
    """
    if not plan.split:
        return list(range(n)), PrintPlan(plan.landscape, plan.scale, ((first_col, first_col + n - 1),), 0)
    blocks = [list(range(plan.repeat)) + list(range(a, b + 1)) for a, b in plan.groups]
    spans, at = [], 0
    for block in blocks:
        spans.append((first_col + at, first_col + at + len(block) - 1))
        at += len(block)
    return [c for block in blocks for c in block], PrintPlan(plan.landscape, plan.scale, tuple(spans), 0)


def _heights(ws: Worksheet, last_row: int) -> list[float]:
    """Each row's height in points (xlsxwriter keeps them in pixels, 4 to every 3 points)."""
    info = ws.row_info
    default = float(ws.default_row_height) * 0.75 if ws.default_row_height else _DEFAULT_ROW
    out = [default] * (last_row + 1)
    for r, row in info.items():
        if r <= last_row and row.height is not None:
            out[r] = 0.0 if row.hidden else float(row.height) * 0.75
    return out


def page_breaks(heights: Sequence[float], *, header: tuple[int, int], page: float,
                keep: Sequence[tuple[int, int]] = ()) -> list[int]:
    """First rows of pages 2, 3, …: pages filled from the row heights, never inside a block to keep together.

    The header rows repeat at the top of every later page. A block that is
    taller than a page is left to break where it must.
    """
    repeated = sum(heights[header[0]:header[1] + 1])
    blocks: list[tuple[int, int]] = []
    for a, b in sorted(keep):   # overlapping blocks keep together as one
        if blocks and a <= blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(b, blocks[-1][1]))
        else:
            blocks.append((a, b))
    starts: dict[int, int] = {}
    for a, b in blocks:   # a break at row r inside (a, b] moves up to a
        for r in range(a + 1, b + 1):
            starts.setdefault(r, a)
    breaks: list[int] = []
    used = 0.0
    r = 0
    top = 0
    while r < len(heights):
        h = heights[r]
        if used + h > page and r > top and r > header[1] + 1:   # never a page of headers alone
            at = starts.get(r, r)
            if at <= header[1] + 1 or at <= top:   # the block does not fit anywhere: break where we are
                at = r
            breaks.append(at)
            top = at
            used = repeated
            r = at
            continue
        used += h
        r += 1
    return breaks


def apply_print(ws: Worksheet, plan: PrintPlan, *, header: tuple[int, int] | None, last_row: int, ncols: int,
                first_col: int = 0, keep: Sequence[tuple[int, int]] = (), freeze: tuple[int, int] | None = None,
                filter_rows: tuple[int, int] | None = None) -> None:
    """A4 set-up by the plan, header rows repeated, page breaks from the row heights, print area."""
    ws.set_paper(9)
    if plan.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(**_MARGINS)
    if not plan.split:
        ws.center_horizontally()
    ws.set_print_scale(plan.scale)
    ws.set_footer(f'&C&"{FONT},Regular"&11Trang &P/&N')
    if header is not None:
        ws.repeat_rows(header[0], header[1])
    if plan.split:
        if plan.repeat:
            ws.repeat_columns(first_col, first_col + plan.repeat - 1)
        ws.set_v_pagebreaks([g[0] for g in plan.groups[1:]])
    page = _printable(plan.landscape)[1] * 100 / plan.scale
    breaks = page_breaks(_heights(ws, last_row), header=header or (0, -1), page=page, keep=keep)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    if freeze is not None:
        ws.freeze_panes(*freeze)
    if filter_rows is not None and filter_rows[1] > filter_rows[0]:
        ws.autofilter(filter_rows[0], first_col, filter_rows[1], first_col + ncols - 1)
    ws.print_area(0, first_col if not plan.split else 0, last_row, first_col + ncols - 1)
