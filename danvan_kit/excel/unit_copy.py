"""A unit's own copy of one submission, laid out to print on A4, sign and stamp."""
from __future__ import annotations

import io
from typing import Any

from ..catalog.letterhead import letterhead
from ..figures.period import document_date
from ..forms.numbers import format_number
from ..forms.schema import FieldSpec, FormTemplate
from ..forms.values import display_value
from .columns import field_kind, field_value
from .page import Heading, Styles, excel_datetime, write_heading, write_signature
from .print_rule import LINE_HEIGHT, MAX_ROW_HEIGHT, PrintPlan, apply_print, split_text, text_lines
from .safe import new_workbook, write_text
from .table import header_height, write_value

__all__ = ["unit_copy_bytes", "write_unit_copy"]

_REVIEW = {"received": "Đã tiếp nhận", "needs_correction": "Cần chỉnh sửa", "approved": "Đã duyệt"}
# Portrait A4 at full size (80 characters ≈ 500 pt). The label spans columns 1–2 so that the
# heading's right half (national name, motto) is wide enough for the national name on one line.
_SCORED = (["STT", "Tiêu chí", "", "Điểm tối đa", "Điểm tự chấm", "Điểm thẩm định", "Minh chứng"],
           [5.0, 18.0, 18.0, 8.0, 8.0, 9.0, 14.0])
_PLAIN = (["STT", "Nội dung", "", "Đơn vị tính", "Kết quả"], [5.0, 20.0, 23.0, 10.0, 22.0])
_PLAN = PrintPlan(False, 100, ((0, 0),), 0)


def _merged(ws: Any, st: Styles, row: int, first: int, last: int, text: str, fmt: str, width: float) -> None:
    ws.merge_range(row, first, row, last, "", st[fmt])
    write_text(ws, row, first, text, st[fmt])
    lines = text_lines(text, width)
    if lines > 1:
        ws.set_row(row, min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines))


def _long(ws: Any, st: Styles, row: int, last: int, text: str, width: float) -> int:
    """A narrative printed whole: as many rows as it needs, each short enough for one row; returns the next row."""
    if not text:
        ws.write_blank(row, 0, None, st["center"])
        _merged(ws, st, row, 1, last, "(không có)", "muted", width)
        return row + 1
    for piece in split_text(text, width):
        ws.write_blank(row, 0, None, st["center"])
        _merged(ws, st, row, 1, last, piece, "long", width)
        row += 1
    return row


def write_unit_copy(catalog: Any, revision: Any, target: Any, *, unit: Any, period: Any,
                    review: Any = None) -> None:
    """Write the printable copy of `revision` to a path or a binary stream, under the unit's own letterhead."""
    org = catalog.organisation
    unit = org.unit(unit) if isinstance(unit, str) else unit
    period = catalog.calendar.get(period) if isinstance(period, str) else period
    form = catalog.form(revision.form_id or period.form, revision.template_version)
    data = revision.data or {}
    scored = bool(form.score_fields())
    adjusted = (review.adjusted_scores or {}) if review is not None and \
        getattr(review, "revision_number", revision.number) == revision.number else {}
    headers, widths = _SCORED if scored else _PLAIN
    n = len(widths)
    wb = new_workbook(target)
    st = Styles(wb)
    ws = wb.add_worksheet("Báo cáo" if not scored else "Bảng tự chấm điểm")
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    body = letterhead(org, unit.code)
    title = form.title if not revision.item else f"{form.title} (số {revision.item})"
    dated = document_date(data, getattr(revision, "created_at", None))
    row = write_heading(ws, st, Heading(body, title, period.title, form.code, dated,
                                        body.number_line(data.get("so_ky_hieu") or None)), list(widths))
    header = row
    for c, text in enumerate(headers):
        if c == 2:
            continue
        if c == 1:
            ws.merge_range(row, 1, row, 2, "", st["th"])
        write_text(ws, row, c, text, st["th"])
    ws.set_row(row, header_height([(t, w) for t, w in zip(headers, widths) if t]))
    row += 1
    label_w = widths[1] + widths[2]
    text_width = sum(widths[1:])
    for s_index, section in enumerate(form.sections):
        _merged(ws, st, row, 0, n - 1, section.title, "section", sum(widths))
        row += 1
        number = 0
        for f in section.fields:
            if f.type == "note" or f.type == "file" and not data.get(f.name):
                continue
            number += 1
            value = data.get(f.name)
            write_text(ws, row, 0, f"{s_index}.{number}" if s_index else str(number), st["center"])
            if f.type in ("long_text", "repeat"):
                _merged(ws, st, row, 1, n - 1, f.label, "text", text_width)
                row = _long(ws, st, row + 1, n - 1, str(field_value(f, value) or ""), text_width)
                continue
            ws.merge_range(row, 1, row, 2, "", st["text"])
            write_text(ws, row, 1, f.label, st["text"])
            lines = text_lines(f.label, label_w)
            if scored:
                lines = _score_cells(ws, st, row, f, form, data, adjusted, widths, lines)
            else:
                write_text(ws, row, 3, "%" if field_kind(f) == "pct" else f.unit, st["center"])
                kind = field_kind(f)
                shown = field_value(f, value)
                write_value(ws, st, row, 4, kind if kind != "long" else "text", shown)
                if isinstance(shown, str):
                    lines = max(lines, text_lines(shown, widths[4]))
            if lines > 1:
                ws.set_row(row, min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines))
            row += 1
    if review is not None:
        note = f"Kết quả thẩm định của Phòng Nội vụ: {_REVIEW.get(review.state, review.state)}"
        if review.comment:
            note += f". Nhận xét: {review.comment}"
        _merged(ws, st, row, 0, n - 1, note, "text", sum(widths))
        row += 1
    sent = excel_datetime(revision.created_at)
    stamp = f"Bản nộp lần {revision.number}" + (f" lúc {sent:%d/%m/%Y %H:%M}" if sent else "") + \
        (f", trễ hạn {revision.days_late} ngày" if revision.days_late else "") + "."
    _merged(ws, st, row + 1, 0, n - 1, stamp, "note", sum(widths))
    end = write_signature(ws, st, row + 2, list(widths), body, preparer=str(data.get("nguoi_lap") or ""))
    apply_print(ws, _PLAN, header=(header, header), last_row=end - 1, ncols=n,
                keep=[(max(header + 1, row - 2), end - 1)], freeze=(header + 1, 0))
    wb.set_properties({"title": f"{title} — {period.title}", "author": unit.name, "company": unit.name})
    wb.close()


def _score_cells(ws: Any, st: Styles, row: int, f: FieldSpec, form: FormTemplate, data: dict, adjusted: dict,
                 widths: list[float], lines: int) -> int:
    """Max, self and reviewer score and evidence of a criterion; other fields of the form in 'tự chấm'."""
    if f.max_score:
        ws.write_number(row, 3, f.max_score, st["dec"])
        write_value(ws, st, row, 4, "dec", data.get(f.name))
        write_value(ws, st, row, 5, "dec", adjusted.get(f.name))
        evidence = data.get(f.evidence_name) or ""
        write_text(ws, row, 6, evidence, st["text"])
        lines = max(lines, text_lines(evidence, widths[6]) if evidence else 1)
    else:
        ws.write_blank(row, 3, None, st["center"])
        value = data.get(f.name)
        shown = format_number(value) if f.is_number and value is not None else display_value(f, value)
        if f.is_number and isinstance(value, (int, float)):
            ws.write_number(row, 4, value, st["dec"])
        else:
            write_text(ws, row, 4, shown, st["center"])
            lines = max(lines, text_lines(shown, widths[4]))
        if f.name == "tong_diem" and adjusted:
            total = sum(float(adjusted.get(x.name, data.get(x.name) or 0)) for x in form.score_fields())
            ws.write_number(row, 5, total, st["dec"])
        else:
            ws.write_blank(row, 5, None, st["center"])
        ws.write_blank(row, 6, None, st["center"])
    return lines


def unit_copy_bytes(catalog: Any, revision: Any, *, unit: Any, period: Any, review: Any = None) -> bytes:
    """The unit's printable copy as .xlsx bytes (the app offers it as a download)."""
    buffer = io.BytesIO()
    write_unit_copy(catalog, revision, buffer, unit=unit, period=period, review=review)
    return buffer.getvalue()
