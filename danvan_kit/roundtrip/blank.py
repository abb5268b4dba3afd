"""Write the blank Excel form of one unit and period, for units that cannot use the browser.

One protected input sheet ("Nhập liệu"): locked labels, yellow unlocked input
cells with Excel data validation drawn from the template (number ranges, score
maxima, dates, text lengths, choice lists), repeat groups as small tables, a
Có/Không row per option of a multiple choice, evidence beside each criterion.
A very hidden "meta" sheet names the unit, period, form and template version
so `danvan import` knows what the file is. Files cannot travel through Excel.
"""
from __future__ import annotations

import io
import math
import os
import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..excel.safe import new_workbook, write_text
from ..forms.engine import FormEngine
from ..forms.numbers import format_number
from ..forms.schema import FieldSpec, FormTemplate
from ..forms.text import format_date
from ..forms.texts import static_copy
from ..markup import safe_filename
from .cells import (
    EXTRA_COL,
    FORMAT,
    HINT_COL,
    INPUT_SHEET,
    KEY_COL,
    LABEL_COL,
    LISTS_SHEET,
    META_LABELS,
    META_SHEET,
    VALUE_COL,
    cell_key,
    choice_key,
    column_letter,
    row_key,
    table_rows,
)
from .rules import FORMATS, INPUT_FORMAT, cut, data_validation

__all__ = ["BlankFormError", "blank_form_bytes", "write_blank_form", "default_filename", "write_bytes_atomic"]

_WIDTHS = {KEY_COL: 3, LABEL_COL: 58, VALUE_COL: 24, EXTRA_COL: 30, HINT_COL: 42}
_TABLE_WIDTH = 20
_LINE = 15.75


class BlankFormError(ValueError):
    """The unit, period or item asked for does not exist (message in Vietnamese)."""


def default_filename(unit_code: str, period_id: str, item: str = "") -> str:
    """e.g. mau-nhap-lieu-XA-AN-PHU-2026-6t.xlsx (with -mo-hinh-2 for a numbered model); never a path."""
    suffix = f"-mo-hinh-{item}" if item else ""
    return safe_filename(f"mau-nhap-lieu-{unit_code}-{period_id}{suffix}.xlsx")


def _lines(text: str, width: float) -> int:
    return max(1, sum(math.ceil(max(1, len(part)) / max(1.0, width * 1.05)) for part in text.split("\n")))


class _Writer:
    """Builds the three sheets of one blank form."""

    def __init__(self, target: Any, catalog: Any, template: FormTemplate, unit: Any, period: Any, item: str):
        self.wb = new_workbook(target)
        self.engine = FormEngine.of(template)
        if self.engine.has_texts:  # a sheet cannot compute: references read as the field's label or "…"
            template = static_copy(template)
        self.catalog, self.template, self.unit, self.period, self.item = catalog, template, unit, period, item
        self.fmt = {name: self.wb.add_format(spec) for name, spec in FORMATS.items()}
        self.ws = self.wb.add_worksheet(INPUT_SHEET)
        self.lists = self.wb.add_worksheet(LISTS_SHEET)
        self.meta = self.wb.add_worksheet(META_SHEET)
        self.row = 0
        self.list_col = 0
        self.sources: dict[str, str] = {}
        self.max_col = HINT_COL

    # ---- helpers ----------------------------------------------------------
    def _merged(self, text: str, fmt: str, first: int = LABEL_COL, last: int = HINT_COL,
                height: float | None = None) -> None:
        self.ws.merge_range(self.row, first, self.row, last, "", self.fmt[fmt])
        write_text(self.ws, self.row, first, text, self.fmt[fmt])
        width = sum(_WIDTHS.get(c, _TABLE_WIDTH) for c in range(first, last + 1))
        self.ws.set_row(self.row, height or _LINE * _lines(text, width))
        self.row += 1

    def _key(self, key: str) -> None:
        self.ws.write_string(self.row, KEY_COL, cell_key(key), self.fmt["key"])

    def _list_source(self, key: str, f: FieldSpec) -> str:
        """Write the labels of a select_one on the hidden lists sheet once; return the range (no 255-char limit)."""
        if key in self.sources:
            return self.sources[key]
        col = self.list_col
        self.list_col += 1
        self.lists.write_string(0, col, key)
        for i, choice in enumerate(f.choices or [], start=1):
            write_text(self.lists, i, col, choice.label)
        letter = column_letter(col)
        self.sources[key] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(f.choices or []) + 1}"
        return self.sources[key]

    def _input(self, row: int, col: int, f: FieldSpec, key: str) -> str:
        """An unlocked input cell with its validation; returns the rule text."""
        fmt = self.fmt[INPUT_FORMAT.get(f.type, "in_text")]
        source = self._list_source(key, f) if f.type == "select_one" else None
        dv, rule = data_validation(f, source)
        default = f.default
        if default is not None and f.is_number and isinstance(default, (int, float)):
            self.ws.write_number(row, col, default, fmt)
        elif default is not None:
            write_text(self.ws, row, col, "Có" if default is True else "Không" if default is False else default, fmt)
        else:
            self.ws.write_blank(row, col, None, fmt)
        if dv is not None:
            self.ws.data_validation(row, col, row, col, dv)
        return rule

    def _relevance(self, f: FieldSpec) -> str:
        group = next((g for s in self.template.sections for g in s.groups if g.name == f.group), None)
        conditions = [c for c in (f.relevant, group.relevant if group else None) if c]
        if not conditions:
            return ""
        labels = []
        for name in sorted(set().union(*(self.engine.expr(c).names for c in conditions))):
            try:
                labels.append(f"«{cut(self.template.field(name).label, 70)}»")
            except KeyError:
                continue
        return "Chỉ điền khi phù hợp với trả lời ở mục " + ", ".join(labels) + "." if labels else ""

    @staticmethod
    def _label(f: FieldSpec) -> str:
        return f.label + (" *" if f.required else "")

    def _hint(self, *parts: str) -> str:
        return " ".join(p.strip() for p in parts if p and p.strip())

    def _field_row(self, f: FieldSpec, label: str, label_fmt: str, key: str | None, hint: str,
                   height: float = 0) -> None:
        if key:
            self._key(key)
        write_text(self.ws, self.row, LABEL_COL, label, self.fmt[label_fmt])
        write_text(self.ws, self.row, HINT_COL, hint, self.fmt["hint"])
        lines = max(_lines(label, _WIDTHS[LABEL_COL]), _lines(hint, _WIDTHS[HINT_COL]) if hint else 1)
        self.ws.set_row(self.row, max(height, _LINE * lines))

    # ---- sheets -----------------------------------------------------------
    def heading(self) -> None:
        t, p = self.template, self.period
        self._merged(t.title.upper(), "title", height=40)
        self._merged(f"{t.code + ' — ' if t.code else ''}Mẫu nhập liệu bằng Excel (phiên bản mẫu {t.version})", "code")
        self._merged(f"Đơn vị: {self.unit.name} (mã {self.unit.code})", "info")
        line = f"Kỳ báo cáo: {p.title} (mã {p.id}) — hạn nộp {format_date(p.due)}"
        if p.per_item:
            line += f" — Mô hình số {self.item}" if self.item else " — Mô hình: đánh số khi nhập vào hệ thống"
        self._merged(line, "info")
        self._merged("Hướng dẫn: chỉ nhập vào các ô màu vàng (cột C, D). Mục có dấu * là bắt buộc. Không đổi tên "
                     "trang, không xoá hoặc chèn dòng, không nhập công thức (ô có công thức sẽ bị từ chối). Nhãn được "
                     "khoá (không đặt mật khẩu) để giữ đúng mẫu. Số: 1.234 hoặc 4,5; ngày: dd/mm/yyyy. Trả lời "
                     "Có/Không và các lựa chọn bằng danh sách thả xuống. Gửi lại tệp này cho Phòng Nội vụ để nhập "
                     "bằng lệnh danvan import.", "note")
        files = [f.label for f in t.all_fields() if f.type == "file"]
        if files:
            self._merged("Tệp đính kèm (" + "; ".join(f"«{x}»" for x in files) + ") không nộp được qua Excel: "
                         "hãy tải lên trên trang web hoặc gửi kèm công văn.", "note")
        self.row += 1
        headers = {LABEL_COL: "Nội dung", VALUE_COL: "Nhập tại đây", EXTRA_COL: "Đơn vị tính / Minh chứng",
                   HINT_COL: "Hướng dẫn"}
        for col, text in headers.items():
            write_text(self.ws, self.row, col, text, self.fmt["th"])
        self.header_row = self.row
        self.row += 1

    def field(self, f: FieldSpec) -> None:
        if f.type == "note":
            self._merged(self._hint(f.label, f.hint), "note")
        elif f.type == "file":
            self._field_row(f, f.label, "label", None, self._hint(f.hint))
            self.ws.merge_range(self.row, VALUE_COL, self.row, EXTRA_COL, "", self.fmt["calc"])
            write_text(self.ws, self.row, VALUE_COL, "Không nộp qua Excel — hãy tải tệp lên trên trang web",
                       self.fmt["calc"])
            self.row += 1
        elif f.calculation:
            self._field_row(f, f.label, "label", None, self._hint("Hệ thống tự tính khi nhập.", f.hint))
            write_text(self.ws, self.row, VALUE_COL, "(tự tính)", self.fmt["calc"])
            write_text(self.ws, self.row, EXTRA_COL, f.unit, self.fmt["unit"])
            self.row += 1
        elif f.type == "select_many":
            self._select_many(f)
        elif f.type == "repeat":
            self._repeat(f)
        else:
            self._simple(f)

    def _simple(self, f: FieldSpec) -> None:
        rule = self._input(self.row, VALUE_COL, f, f.name)
        extra = ""
        if f.max_score is not None:
            step = f", theo bước {format_number(f.step)}" if f.step is not None else ""
            extra = f"Tối đa {format_number(f.max_score)} điểm{step}."
        hint = self._hint(extra or rule + ".", f.hint, self._relevance(f))
        height = 48 if f.type == "long_text" else 0
        if f.evidence:
            ev = FieldSpec(name=f.evidence_name, type="long_text", label=f"{f.label} — minh chứng")
            self._input(self.row, EXTRA_COL, ev, f.evidence_name)
            hint = self._hint(hint, "Ghi minh chứng (số, ngày văn bản) ở cột D.")
            height = 48
        else:
            write_text(self.ws, self.row, EXTRA_COL, f.unit, self.fmt["unit"])
        self._field_row(f, self._label(f), "label", f.name, hint, height)
        self.row += 1

    def _select_many(self, f: FieldSpec) -> None:
        self._field_row(f, self._label(f), "group", f.name,
                        self._hint("Chọn Có ở từng lựa chọn phù hợp bên dưới.", f.hint, self._relevance(f)))
        write_text(self.ws, self.row, VALUE_COL, "", self.fmt["calc"])
        write_text(self.ws, self.row, EXTRA_COL, "", self.fmt["calc"])
        self.row += 1
        yes_no = FieldSpec(name="x", type="yes_no", label=f.label)
        for choice in f.choices or []:
            self._key(choice_key(f, choice.value))
            write_text(self.ws, self.row, LABEL_COL, f"– {choice.label}", self.fmt["option"])
            self._input(self.row, VALUE_COL, replace(yes_no, label=f"{f.label}: {choice.label}"), "")
            write_text(self.ws, self.row, EXTRA_COL, "", self.fmt["unit"])
            write_text(self.ws, self.row, HINT_COL, "", self.fmt["hint"])
            self.ws.set_row(self.row, _LINE * _lines(choice.label, _WIDTHS[LABEL_COL]))
            self.row += 1

    def _repeat(self, f: FieldSpec) -> None:
        subs = f.fields or []
        n = table_rows(f)
        more = f" Mẫu Excel có {n} dòng; cần nhiều hơn hãy nhập trên trang web." if n < f.max_rows else ""
        rows_rule = f"Tối thiểu {f.min_rows} dòng." if f.min_rows else "Có thể để trống."
        if f.repeat_count:
            source = f.repeat_count.strip()
            named = f"«{self.engine.template.field(source).label}»" if source in {
                x.name for x in self.engine.template.all_fields()} else "số dòng đã khai"
            rows_rule = f"Số dòng phải bằng {named}."
        self._field_row(f, self._label(f), "group", f.name, self._hint(f.hint, rows_rule + more, self._relevance(f)))
        write_text(self.ws, self.row, VALUE_COL, "Nhập ở bảng bên dưới, mỗi dòng một mục", self.fmt["calc"])
        write_text(self.ws, self.row, EXTRA_COL, "", self.fmt["calc"])
        self.row += 1
        write_text(self.ws, self.row, LABEL_COL, "Dòng", self.fmt["th"])
        for j, sub in enumerate(subs):
            unit = f" ({sub.unit})" if sub.unit else ""
            write_text(self.ws, self.row, VALUE_COL + j, self._label(sub) + unit, self.fmt["th"])
        self.max_col = max(self.max_col, VALUE_COL + len(subs) - 1)
        self.ws.set_row(self.row, _LINE * max(_lines(self._label(s), _TABLE_WIDTH) for s in subs) if subs else _LINE)
        self.row += 1
        for i in range(1, n + 1):
            self._key(row_key(f, i))
            write_text(self.ws, self.row, LABEL_COL, str(i), self.fmt["rowno"])
            for j, sub in enumerate(subs):
                col = VALUE_COL + j
                if sub.calculation or sub.type in ("note", "file"):
                    write_text(self.ws, self.row, col, "(tự tính)" if sub.calculation else "—", self.fmt["calc"])
                elif sub.type == "select_many":
                    self._input(self.row, col, replace(sub, type="long_text"), "")
                else:
                    self._input(self.row, col, sub, f"{f.name}.{sub.name}")
            self.row += 1

    def input_sheet(self) -> None:
        ws = self.ws
        self.heading()
        for section in self.template.sections:
            self._merged(section.title, "section")
            if section.hint:
                self._merged(section.hint, "note")
            titles = {g.name: g.title for g in section.groups}
            group = None
            for f in section.fields:
                if f.group and f.group != group:
                    self._merged(titles[f.group], "note")
                group = f.group
                self.field(f)
        for col in range(KEY_COL, self.max_col + 1):
            ws.set_column(col, col, _WIDTHS.get(col, _TABLE_WIDTH))
        ws.set_column(KEY_COL, KEY_COL, _WIDTHS[KEY_COL], None, {"hidden": True})
        ws.freeze_panes(self.header_row + 1, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(self.header_row)
        ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
        ws.protect("", {"format_columns": True, "format_rows": True})
        ws.activate()

    def meta_sheet(self, created: datetime) -> None:
        values = {
            "format": FORMAT, "unit_code": self.unit.code, "unit_name": self.unit.name,
            "period_id": self.period.id, "period_title": self.period.title, "form_id": self.template.id,
            "template_version": str(self.template.version), "item": self.item, "input_sheet": INPUT_SHEET,
            "created": created.isoformat(timespec="seconds"),
        }
        for col, text in enumerate(("Khoá", "Giá trị", "Ý nghĩa")):
            self.meta.write_string(0, col, text, self.fmt["th"])
        for r, (key, value) in enumerate(values.items(), start=1):
            self.meta.write_string(r, 0, key)
            write_text(self.meta, r, 1, value)
            self.meta.write_string(r, 2, META_LABELS[key])
        self.meta.set_column(0, 2, 28)
        self.meta.protect()
        self.meta.very_hidden()
        self.lists.protect()
        self.lists.hide()

    def close(self, created: datetime) -> None:
        self.wb.set_properties({
            "title": f"{self.template.title} — {self.unit.name} — {self.period.title}",
            "subject": f"{self.template.id} v{self.template.version}; {self.unit.code}; {self.period.id}",
            "author": "danvan-kit", "comments": "Mẫu nhập liệu bằng Excel (danvan blank-form)",
            "created": created.replace(tzinfo=None),
        })
        self.wb.close()


def _resolve(catalog: Any, unit_code: str, period_id: str, item: str) -> tuple[Any, Any, FormTemplate, str]:
    try:
        unit = catalog.organisation.unit(unit_code)
    except KeyError:
        raise BlankFormError(f"không có đơn vị mã {unit_code!r} trong cây tổ chức") from None
    if not unit.reports:
        raise BlankFormError(f"{unit.name} ({unit.code}) không phải đơn vị nộp báo cáo")
    try:
        period = catalog.calendar.get(period_id)
    except KeyError:
        raise BlankFormError(f"không có kỳ báo cáo {period_id!r}") from None
    item = (item or "").strip()
    if item and period.kind != "models":
        raise BlankFormError(f"kỳ {period.id} không chia theo mô hình: bỏ --item")
    if len(item) > 200:
        raise BlankFormError("số thứ tự mô hình dài quá 200 ký tự")
    return unit, period, catalog.form_for(period), item


def _write(catalog: Any, unit_code: str, period_id: str, target: Any, item: str, now: datetime | None) -> None:
    unit, period, template, item = _resolve(catalog, unit_code, period_id, item)
    created = now or datetime.now(timezone.utc)
    writer = _Writer(target, catalog, template, unit, period, item)
    writer.input_sheet()
    writer.meta_sheet(created)
    writer.close(created)


def blank_form_bytes(catalog: Any, unit_code: str, period_id: str, *, item: str = "",
                     now: datetime | None = None) -> bytes:
    """The blank workbook as bytes (for a download button or a test)."""
    buffer = io.BytesIO()
    _write(catalog, unit_code, period_id, buffer, item, now)
    return buffer.getvalue()


def write_blank_form(catalog: Any, unit_code: str, period_id: str, target: str | Path, *, item: str = "",
                     now: datetime | None = None) -> Path:
    """Write the blank workbook to `target` (a file, or a folder for the default name); atomic replace."""
    target = Path(target)
    content = blank_form_bytes(catalog, unit_code, period_id, item=item, now=now)  # unknown unit or period: refused
    if target.is_dir():
        target = target / default_filename(unit_code, period_id, (item or "").strip())
    write_bytes_atomic(target, content)
    return target


def write_bytes_atomic(target: Path, content: bytes) -> None:
    """Write `content` to a temporary file beside `target`, then rename it over: never half a file."""
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~danvan-", suffix=target.suffix, dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:  # told about the file asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
