"""The status sheet: every unit in Vietnamese order, submitted or not, when, on time or late, review."""
from __future__ import annotations

from typing import Any, Callable

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook

from ..figures.deadlines import LATE, MISSING, ON_TIME, deadline_label
from ..figures.period import PeriodData, UnitLine
from ..store.types import STATUS_LABELS
from .chart_sheet import ChartSpec
from .page import Heading, Styles, excel_datetime
from .safe import SheetNames, write_text
from .table import Col, write_table

__all__ = ["write_status_sheet"]


def _review_comment(line: UnitLine) -> str:
    notes = [e.review.comment for e in line.entries if e.review is not None and e.review.comment]
    return "\n".join(notes)


def write_status_sheet(wb: Workbook, st: Styles, names: SheetNames, data: PeriodData,
                       charts: list[ChartSpec]) -> str:
    """Write 'Tình hình nộp báo cáo'; adds the on-time/late/missing chart to `charts`."""
    name = names.add("Tình hình nộp báo cáo")
    ws = wb.add_worksheet(name)
    many = data.period.per_item
    cols = [
        Col("STT", "center", 5, lambda r: r[0]),
        Col("Đơn vị", "text", 34, lambda r: r[1].name),
        Col("Trạng thái", "center", 14,
            lambda r: STATUS_LABELS.get(r[1].status.state, "") if r[1].status else "Đã nộp"),
        Col("Nộp lần đầu lúc", "datetime", 17,
            lambda r: excel_datetime(r[1].status.submitted_at) if r[1].status else None),
        Col("Đúng hạn / trễ hạn", "center", 11, lambda r: deadline_label(r[1])),
        Col("Số ngày trễ", "int", 9, lambda r: (r[1].status.days_late or None) if r[1].status else None),
        Col("Nộp lại lần cuối lúc", "datetime", 17,
            lambda r: excel_datetime(r[1].status.last_submitted_at) if r[1].status else None),
        Col("Số mô hình" if many else "Số báo cáo", "int", 9, lambda r: len(r[1].entries) or None),
        Col("Kết quả duyệt", "center", 14,
            lambda r: STATUS_LABELS.get(r[1].status.review_state or "", "") if r[1].status else ""),
        Col("Nhận xét của người duyệt", "long", 36, lambda r: _review_comment(r[1])),
    ]
    rows = [(i + 1, line) for i, line in enumerate(data.units)]
    heading = Heading.of(data, "Tình hình nộp báo cáo")
    summary: dict[str, Any] = {}

    def after(row: int, first: int, last: int, at: Callable[[int], int]) -> int:
        col = xl_col_to_name(at(4))
        rng = f"{col}{first + 1}:{col}{last + 1}"
        labels = [("Số đơn vị phải báo cáo", f"=COUNTA(B{first + 1}:B{last + 1})", len(rows)),
                  ("Đã nộp đúng hạn", f'=COUNTIF({rng},"{ON_TIME}")',
                   sum(deadline_label(line) == ON_TIME for _, line in rows)),
                  ("Đã nộp nhưng trễ hạn", f'=COUNTIF({rng},"{LATE}")',
                   sum(deadline_label(line) == LATE for _, line in rows)),
                  ("Chưa nộp", f'=COUNTIF({rng},"{MISSING}")',
                   sum(deadline_label(line) == MISSING for _, line in rows))]
        row += 1
        write_text(ws, row, 1, "Tổng hợp", st["th"])
        write_text(ws, row, 2, "Số đơn vị", st["th"])
        for i, (label, formula, value) in enumerate(labels):
            write_text(ws, row + 1 + i, 1, label, st["text"])
            ws.write_formula(row + 1 + i, 2, formula, st["int"], value)
        summary["rows"] = (row + 2, row + len(labels))
        return row + len(labels) + 1

    write_table(ws, st, cols, rows, heading=heading, totals=False, after=after, freeze_col=2,
                landscape=True)
    first, last = summary["rows"]
    charts.append(ChartSpec("Tình hình nộp báo cáo", name, (first, 1, last, 1), (first, 2, last, 2),
                            kind="column", y_title="Số đơn vị"))
    return name
