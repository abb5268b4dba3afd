"""A unit's own copy of one submission, laid out to print on A4, sign and stamp."""
from __future__ import annotations

import io
from datetime import date
from typing import Any

from ..figures.period import heading_bodies
from ..forms.numbers import format_number
from ..forms.schema import FieldSpec, FormTemplate
from ..forms.values import display_value
from .columns import field_kind, field_value
from .page import (
    Heading,
    Styles,
    excel_datetime,
    print_setup,
    write_heading,
    write_signature,
)
from .safe import new_workbook, write_text
from .table import LINE_HEIGHT, MAX_ROW_HEIGHT, text_lines, write_value

__all__ = ["unit_copy_bytes", "write_unit_copy"]

_DATE_FIELDS = ("ngay_bao_cao", "ngay_lap")
_REVIEW = {"received": "Đã tiếp nhận", "needs_correction": "Cần chỉnh sửa", "approved": "Đã duyệt"}


def _doc_date(form: FormTemplate, data: dict, revision: Any) -> date:
    for name in _DATE_FIELDS:
        value = data.get(name)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                pass
    moment = excel_datetime(getattr(revision, "created_at", None))
    return moment.date() if moment else date.today()


def _merged(ws: Any, st: Styles, row: int, first: int, last: int, text: str, fmt: str, width: float) -> None:
    ws.merge_range(row, first, row, last, "", st[fmt])
    write_text(ws, row, first, text, st[fmt])
    lines = text_lines(text, width)
    if lines > 1:
        ws.set_row(row, min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines))


def write_unit_copy(catalog: Any, revision: Any, target: Any, *, unit: Any, period: Any,
                    review: Any = None) -> None:
    """Write the printable copy of `revision` to a path or a binary stream."""
    org = catalog.organisation
    unit = org.unit(unit) if isinstance(unit, str) else unit
    period = catalog.calendar.get(period) if isinstance(period, str) else period
    form = catalog.form(revision.form_id or period.form, revision.template_version)
    data = revision.data or {}
    scored = bool(form.score_fields())
    adjusted = (review.adjusted_scores or {}) if review is not None and \
        getattr(review, "revision_number", revision.number) == revision.number else {}
    if scored:
        headers = ["STT", "Tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Điểm thẩm định", "Minh chứng"]
        widths = [6.0, 50.0, 9.0, 9.0, 10.0, 30.0]
    else:
        headers = ["STT", "Nội dung", "Đơn vị tính", "Kết quả"]
        widths = [6.0, 60.0, 12.0, 26.0]
    n = len(widths)
    wb = new_workbook(target)
    st = Styles(wb)
    ws = wb.add_worksheet("Báo cáo" if not scored else "Bảng tự chấm điểm")
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    parent, issuer = heading_bodies(catalog, unit.code)
    number = data.get("so_ky_hieu")
    title = form.title if not revision.item else f"{form.title} (số {revision.item})"
    row = write_heading(ws, st, Heading(parent, issuer, title, period.title, form.code, org.place,
                                        _doc_date(form, data, revision), f"Số: {number}" if number else ""), widths)
    header = row
    for c, text in enumerate(headers):
        write_text(ws, row, c, text, st["th"])
    ws.set_row(row, 30)
    row += 1
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
                row += 1
                ws.write_blank(row, 0, None, st["center"])
                shown = field_value(f, value) or ""
                _merged(ws, st, row, 1, n - 1, shown or "(không có)", "long" if shown else "muted", text_width)
                row += 1
                continue
            write_text(ws, row, 1, f.label, st["text"])
            lines = text_lines(f.label, widths[1])
            if scored:
                lines = _score_cells(ws, st, row, f, form, data, adjusted, widths, lines)
            else:
                write_text(ws, row, 2, "%" if field_kind(f) == "pct" else f.unit, st["center"])
                kind = field_kind(f)
                shown = field_value(f, value)
                write_value(ws, st, row, 3, kind if kind != "long" else "text", shown)
                if isinstance(shown, str):
                    lines = max(lines, text_lines(shown, widths[3]))
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
    end = write_signature(ws, st, row + 2, n, preparer=str(data.get("nguoi_lap") or ""))
    print_setup(ws, ncols=n, header=(header, header), last_row=end, landscape=False, autofilter=False)
    wb.set_properties({"title": f"{title} — {period.title}", "author": unit.name, "company": unit.name})
    wb.close()


def _score_cells(ws: Any, st: Styles, row: int, f: FieldSpec, form: FormTemplate, data: dict, adjusted: dict,
                 widths: list[float], lines: int) -> int:
    """Max, self and reviewer score and evidence of a criterion; other fields of the form in 'tự chấm'."""
    if f.max_score:
        ws.write_number(row, 2, f.max_score, st["dec"])
        write_value(ws, st, row, 3, "dec", data.get(f.name))
        write_value(ws, st, row, 4, "dec", adjusted.get(f.name))
        evidence = data.get(f.evidence_name) or ""
        write_text(ws, row, 5, evidence, st["text"])
        lines = max(lines, text_lines(evidence, widths[5]) if evidence else 1)
    else:
        ws.write_blank(row, 2, None, st["center"])
        value = data.get(f.name)
        shown = format_number(value) if f.is_number and value is not None else display_value(f, value)
        if f.is_number and isinstance(value, (int, float)):
            ws.write_number(row, 3, value, st["dec"])
        else:
            write_text(ws, row, 3, shown, st["center"])
        if f.name == "tong_diem" and adjusted:
            total = sum(float(adjusted.get(x.name, data.get(x.name) or 0)) for x in form.score_fields())
            ws.write_number(row, 4, total, st["dec"])
        else:
            ws.write_blank(row, 4, None, st["center"])
        ws.write_blank(row, 5, None, st["center"])
    return lines


def unit_copy_bytes(catalog: Any, revision: Any, *, unit: Any, period: Any, review: Any = None) -> bytes:
    """The unit's printable copy as .xlsx bytes (the app offers it as a download)."""
    buffer = io.BytesIO()
    write_unit_copy(catalog, revision, buffer, unit=unit, period=period, review=review)
    return buffer.getvalue()
