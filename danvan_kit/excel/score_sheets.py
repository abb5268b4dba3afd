"""The self-assessment scoreboard: groups, self and reviewer totals, class, rank, units per class."""
from __future__ import annotations

from typing import Callable

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook

from ..figures.deadlines import short_status
from ..figures.period import PeriodData
from ..figures.scores import NOT_SUBMITTED, period_scores
from ..figures.sums import unit_data
from ..forms.numbers import format_number
from .chart_sheet import ChartSpec
from .page import Heading, Styles
from .safe import SheetNames, write_text
from .table import Col, write_table

__all__ = ["write_score_sheets"]













def _short(title: str) -> str:
    """A group's number ("II" of "II. Thực hiện …"), or its whole title: never a phrase cut short."""
    head = title.split(".", 1)[0].strip()
    return head if len(head) <= 6 else title


def write_score_sheets(wb: Workbook, st: Styles, names: SheetNames, data: PeriodData,
                       charts: list[ChartSpec]) -> list[str]:
    """'Bảng điểm xếp loại' and 'Điểm từng tiêu chí'; adds the units-per-class chart."""
    form = data.form
    scores = period_scores(data)
    rows = [(i + 1, u, s) for i, (u, s) in enumerate(zip(data.units, scores))]
    groups = [s for s in form.sections if any(f.max_score for f in s.fields)]
    cols = [Col("STT", "center", 5, lambda r: r[0]), Col("Đơn vị", "text", 30, lambda r: r[1].name),
            Col("Tình trạng", "center", 12, lambda r: short_status(r[1]))]
    # `type: ignore[misc]` on `lambda r, n=...` (here and in _detail): mypy cannot type lambdas with default arguments
    for g in groups:
        cols.append(Col(f"{_short(g.title)} (tối đa {format_number(g.max_score or 0)})", "dec", 10,
                        lambda r, n=g.name: r[2].groups.get(n),  # type: ignore[misc]
                        total="mean", group="Điểm tự chấm theo nhóm tiêu chí"))
    cols += [Col("Tổng điểm tự chấm", "dec", 11, lambda r: r[2].self_total, total="mean"),
             Col("Tổng điểm thẩm định", "dec", 11, lambda r: r[2].reviewer_total, total="mean"),
             Col("Tự xếp loại", "center", 13, lambda r: r[2].self_label),
             Col("Xếp loại", "center", 16, lambda r: r[2].label),
             Col("Xếp hạng", "int", 8, lambda r: r[2].rank)]
    label_col = len(cols) - 2
    name = names.add("Bảng điểm xếp loại")
    ws = wb.add_worksheet(name)
    heading = Heading.of(data, "Bảng tổng hợp kết quả chấm điểm, xếp loại")
    classes = [b.label for b in form.scoring.classes] if form.scoring else []
    if form.scoring:
        classes.append(form.scoring.ineligible_label)
    classes.append(NOT_SUBMITTED)
    block: dict[str, tuple[int, int]] = {}

    def after(row: int, first: int, last: int, at: Callable[[int], int]) -> int:
        col = xl_col_to_name(at(label_col))
        row += 1
        write_text(ws, row, 1, "Xếp loại", st["th"])
        write_text(ws, row, 2, "Số đơn vị", st["th"])
        for i, label in enumerate(classes):
            write_text(ws, row + 1 + i, 1, label, st["text"])
            ws.write_formula(row + 1 + i, 2, f'=COUNTIF({col}{first + 1}:{col}{last + 1},"{label}")', st["int"],
                             sum(1 for s in scores if s.label == label))
        block["rows"] = (row + 1, row + len(classes))
        return row + len(classes) + 1

    write_table(ws, st, cols, rows, heading=heading, total_label="Bình quân", after=after, freeze_col=2,
                landscape=True)
    first, last = block["rows"]
    charts.append(ChartSpec("Số đơn vị theo xếp loại", name, (first, 1, last, 1), (first, 2, last, 2),
                            kind="column", y_title="Số đơn vị"))
    return [name, _detail(wb, st, names, data, rows)]


def _detail(wb: Workbook, st: Styles, names: SheetNames, data: PeriodData, rows: list) -> str:
    """Every criterion's self score; the reviewer's adjusted scores are highlighted with a note."""
    form = data.form
    cols = [Col("STT", "center", 5, lambda r: r[0]), Col("Đơn vị", "text", 30, lambda r: r[1].name)]
    where: dict[str, int] = {}
    for s in form.sections:
        for f in s.fields:
            if f.max_score:
                where[f.name] = len(cols)
                number = f.label.split(" ", 1)[0].rstrip(".")
                cols.append(Col(f"{number} (tối đa {format_number(f.max_score)})", "dec", 9,
                                lambda r, n=f.name: (unit_data(r[1]) or {}).get(n),  # type: ignore[misc]  # see write_score_sheets
                                total="mean",
                                group=_short(s.title)))
    name = names.add("Điểm từng tiêu chí")
    ws = wb.add_worksheet(name)
    heading = Heading.of(data, "Điểm tự chấm từng tiêu chí")
    def legend(row: int, first: int, last: int, at: Callable[[int], int]) -> int:
        write_text(ws, row + 1, 1, "Ô tô màu xanh: điểm đã được thẩm định lại (rê chuột vào ô để xem điểm thẩm định).",
                   st["note"])
        return row + 2

    info = write_table(ws, st, cols, rows, heading=heading, total_label="Bình quân", freeze_col=2, landscape=True,
                       after=legend)
    adjusted_fmt = wb.add_format({"font_name": "Times New Roman", "font_size": 11, "border": 1,
                                  "num_format": "#,##0.0#", "bg_color": "#E2EFDA", "bold": True})
    for i, (_, line, _score) in enumerate(rows):
        d = unit_data(line) or {}
        entry = next((e for e in line.entries if e.data is d), None)
        review = entry.current_review if entry else None
        for crit, value in ((review.adjusted_scores or {}) if review else {}).items():
            c = where.get(crit)
            own = d.get(crit)
            if c is None or value == own:
                continue
            if isinstance(own, (int, float)):
                ws.write_number(info.first_row + i, info.col(c), own, adjusted_fmt)
            ws.write_comment(info.first_row + i, info.col(c),
                             f"Tự chấm: {format_number(own)}; thẩm định: {format_number(value)}", {"x_scale": 1.5})
    return name
