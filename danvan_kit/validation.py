"""Turn what a person typed into clean, checked data — or Vietnamese errors naming each field.

The same code serves the live form (calculations and relevance update as staff
type), the final check before submit, the store's server-side check and the
Excel import: one set of rules, wherever the data comes from.
"""
from __future__ import annotations

import base64
import hashlib
from collections import ChainMap
from dataclasses import dataclass, field as dc_field
from datetime import date
from typing import Any, Mapping

from .expressions import compile_expression
from .numbers import format_number, parse_decimal, parse_integer
from .schema import FieldSpec, FormTemplate
from .templates import FORM_FUNCTIONS
from .text import clean_text, format_date, parse_date, text_problem, to_nfc

__all__ = ["FieldError", "ValidationResult", "FormState", "FormEngine", "coerce_value", "validate_submission"]

DEFAULT_MAX_LENGTH = {"text": 500, "long_text": 20_000}
_YES = {"có", "co", "yes", "y", "true", "x", "1", "đúng"}
_NO = {"không", "khong", "no", "n", "false", "0", "sai"}


@dataclass(frozen=True)
class FieldError:
    """One problem: `field` is the data key (e.g. 'tiep_nhan' or 'mo_hinh[2].ten')."""

    field: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"«{self.label}»: {self.message}"


@dataclass
class ValidationResult:
    """`data` is the clean object (None when there is any error)."""

    data: dict | None
    errors: list[FieldError] = dc_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.errors


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "") or (isinstance(raw, (list, tuple)) and not raw)


def _coerce_file(f: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    out = []
    allowed = [a.strip().lower() for a in (f.accept or "").split(",") if a.strip()]
    for item in items:
        if not isinstance(item, Mapping) or "name" not in item:
            return None, "tệp đính kèm không hợp lệ"
        name = to_nfc(str(item["name"]))
        if "content" in item:
            content = bytes(item["content"])
            entry = {"name": name, "size": len(content), "type": str(item.get("type") or ""),
                     "sha256": hashlib.sha256(content).hexdigest(),
                     "content_b64": base64.b64encode(content).decode("ascii")}
        else:  # already clean (a stored draft)
            entry = {k: item[k] for k in ("name", "size", "type", "sha256", "content_b64") if k in item}
        if allowed and not any(name.lower().endswith(ext) for ext in allowed):
            return None, f"tệp «{name}» không đúng loại cho phép ({', '.join(allowed)})"
        if entry.get("size", 0) > f.max_size_mb * 1024 * 1024:
            return None, f"tệp «{name}» nặng {format_number(entry['size'] / 1048576, 1)} MB, vượt giới hạn {format_number(f.max_size_mb)} MB"
        out.append(entry)
    return out, None


def coerce_value(f: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    """Parse one raw input for field `f`: (value, None) or (None, Vietnamese message)."""
    if _empty(raw) or f.type == "note":
        return None, None
    t = f.type
    if t in ("text", "long_text"):
        value = clean_text(str(raw), multiline=(t == "long_text"))
        problem = text_problem(value, f.max_length or DEFAULT_MAX_LENGTH[t])
        return (None, problem) if problem else ((value or None), None)
    if t == "integer":
        if isinstance(raw, bool):
            return None, "phải là số nguyên"
        if isinstance(raw, int):
            return raw, None
        if isinstance(raw, float) and raw.is_integer():
            return int(raw), None
        try:
            return parse_integer(str(raw)), None
        except ValueError:
            return None, f"phải là số nguyên (đang nhập «{str(raw)[:40]}»)"
    if t == "decimal":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw), None
        try:
            return parse_decimal(str(raw)), None
        except ValueError:
            return None, f"phải là số, ví dụ 4,5 (đang nhập «{str(raw)[:40]}»)"
    if t == "date":
        try:
            d = raw if isinstance(raw, date) else parse_date(str(raw))
        except ValueError:
            return None, f"phải là ngày theo dạng dd/mm/yyyy (đang nhập «{str(raw)[:40]}»)"
        if not 1945 <= d.year <= 2100:
            return None, f"năm {d.year} không hợp lệ"
        return d.isoformat(), None
    if t == "yes_no":
        if isinstance(raw, bool):
            return raw, None
        key = to_nfc(str(raw)).strip().lower()
        if key in _YES:
            return True, None
        if key in _NO:
            return False, None
        return None, f"phải là Có hoặc Không (đang nhập «{str(raw)[:40]}»)"
    if t in ("select_one", "select_many"):
        by_key = {}
        for c in f.choices or []:
            by_key[c.value.lower()] = c.value
            by_key[to_nfc(c.label).strip().lower()] = c.value
        items = [raw] if t == "select_one" else (list(raw) if isinstance(raw, (list, tuple)) else [x for x in str(raw).split(";")])
        out = []
        for item in items:
            value = by_key.get(to_nfc(str(item)).strip().lower())
            if value is None:
                return None, f"«{str(item)[:60]}» không phải một lựa chọn hợp lệ"
            if value not in out:
                out.append(value)
        return (out[0] if t == "select_one" else out), None
    if t == "file":
        return _coerce_file(f, raw)
    if t == "repeat":
        if not isinstance(raw, (list, tuple)) or not all(isinstance(r, Mapping) for r in raw):
            return None, "bảng dữ liệu không hợp lệ"
        return [dict(r) for r in raw], None
    return None, f"kiểu trường '{t}' chưa được hỗ trợ"


@dataclass
class FormState:
    """Coerced values, visibility and parse errors of one evaluation of a form."""

    values: dict[str, Any]
    visible: dict[str, bool]
    section_visible: dict[str, bool]
    errors: list[FieldError]
    rows: dict[str, list[dict[str, Any]]] = dc_field(default_factory=dict)


class FormEngine:
    """Evaluates one template: coercion, calculations, relevance and all checks."""

    def __init__(self, template: FormTemplate):
        self.template = template
        self._compiled: dict[str, Any] = {}
        self._calc_order = self._order_calculations()

    def expr(self, text: str):
        if text not in self._compiled:
            self._compiled[text] = compile_expression(text, extra_functions=FORM_FUNCTIONS)
        return self._compiled[text]

    def _order_calculations(self) -> list[FieldSpec]:
        calcs = {f.name: f for f in self.template.all_fields() if f.calculation}
        order: list[FieldSpec] = []
        done: set[str] = set()

        def visit(f: FieldSpec) -> None:
            if f.name in done:
                return
            done.add(f.name)
            for dep in sorted(self.expr(f.calculation).names):
                if dep in calcs:
                    visit(calcs[dep])
            order.append(f)

        for f in calcs.values():
            visit(f)
        return order

    def _functions(self, values: Mapping[str, Any], visible: Mapping[str, bool]) -> dict[str, Any]:
        tpl = self.template

        def num(name: str) -> float | None:
            v = values.get(name)
            return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and visible.get(name, True) else None

        def score_total() -> float:
            return round(sum(num(f.name) or 0 for f in tpl.score_fields()), 6)

        def section_score(name: str) -> float:
            section = next((s for s in tpl.sections if s.name == name), None)
            if section is None:
                return 0.0
            return round(sum(num(f.name) or 0 for f in section.fields if f.max_score is not None), 6)

        def classify(total: float | None) -> str | None:
            rule = tpl.scoring.ineligible_when if tpl.scoring else None
            if rule and self._eval(rule, values, {}) is True:
                return tpl.scoring.ineligible_label
            return tpl.classify(total)

        return {"score_total": score_total, "section_score": section_score, "classify": classify}

    def _eval(self, text: str | None, context: Mapping[str, Any], functions: Mapping[str, Any]) -> Any:
        return None if text is None else self.expr(text).evaluate(context, functions)

    def compute(self, raw: Mapping[str, Any]) -> FormState:
        """Coerce raw inputs, then settle relevance and calculations."""
        tpl = self.template
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        for f in tpl.all_fields():
            if f.calculation or f.type == "note":
                values[f.name] = None
                continue
            value, err = coerce_value(f, raw.get(f.name))
            if f.type == "repeat" and value:  # typed row values, so calculations can sum them
                value = [{sub.name: coerce_value(sub, row.get(sub.name))[0] for sub in f.fields or []}
                         for row in value]
            values[f.name] = value
            if err:
                errors.append(FieldError(f.name, f.label, err))
            if f.evidence:
                ev, ev_err = coerce_value(FieldSpec(name="x", type="long_text", label="Minh chứng"), raw.get(f.evidence_name))
                values[f.evidence_name] = ev
                if ev_err:
                    errors.append(FieldError(f.evidence_name, f"{f.label} — minh chứng", ev_err))
        visible = {f.name: True for f in tpl.all_fields()}
        section_visible = {s.name: True for s in tpl.sections}
        effective = dict(values)
        for _ in range(4):
            functions = self._functions(effective, visible)
            for f in self._calc_order:
                effective[f.name] = self._eval(f.calculation, effective, functions)
            new_sections = {s.name: s.relevant is None or bool(self._eval(s.relevant, effective, functions))
                            for s in tpl.sections}
            new_visible = {}
            for s in tpl.sections:
                for f in s.fields:
                    new_visible[f.name] = new_sections[s.name] and (
                        f.relevant is None or bool(self._eval(f.relevant, effective, functions)))
            effective = {k: (v if new_visible.get(k.split("__")[0], True) else None) for k, v in values.items()}
            if new_visible == visible and new_sections == section_visible:
                break
            visible, section_visible = new_visible, new_sections
        functions = self._functions(effective, visible)
        for f in self._calc_order:
            effective[f.name] = self._eval(f.calculation, effective, functions) if visible[f.name] else None
        errors = [e for e in errors if visible.get(e.field.split("__")[0], True)]
        return FormState(effective, visible, section_visible, errors)

    def _check_value(self, f: FieldSpec, value: Any, key: str, context: Mapping[str, Any],
                     functions: Mapping[str, Any], errors: list[FieldError], unreadable: frozenset = frozenset()) -> None:
        """Required, range, rows and constraint checks; a constraint naming a field that could not be
        read (already reported) is skipped rather than reported a second time under another label."""
        if value is None:
            if f.required:
                errors.append(FieldError(key, f.label, f.required_message or "chưa nhập — đây là mục bắt buộc"))
            return
        if f.is_number:
            low = 0 if f.min is None else f.min
            high = f.max if f.max is not None else f.max_score
            if value < low:
                errors.append(FieldError(key, f.label, "không được là số âm" if low == 0 else f"không được nhỏ hơn {format_number(low)}"))
            elif high is not None and value > high:
                msg = (f"vượt điểm tối đa {format_number(high)}" if f.max_score is not None and f.max is None
                       else f"không được lớn hơn {format_number(high)}")
                errors.append(FieldError(key, f.label, msg))
        if f.type == "repeat":
            if len(value) < f.min_rows:
                errors.append(FieldError(key, f.label, f"cần ít nhất {f.min_rows} dòng"))
            if len(value) > f.max_rows:
                errors.append(FieldError(key, f.label, f"tối đa {f.max_rows} dòng"))
        if f.constraint and not (self.expr(f.constraint).names & unreadable) \
                and self._eval(f.constraint, context, functions) is False:
            errors.append(FieldError(key, f.label, f.constraint_message or f"không thỏa điều kiện «{f.constraint}»"))

    def _check_rows(self, f: FieldSpec, rows: list[dict], top: Mapping[str, Any], functions: Mapping[str, Any],
                    errors: list[FieldError]) -> list[dict]:
        """Coerce and check each row; rows left entirely empty are dropped."""
        clean_rows = []
        for row in rows:
            i = len(clean_rows) + 1
            clean: dict[str, Any] = {}
            row_errors: list[FieldError] = []
            for sub in f.fields or []:
                if sub.calculation or sub.type == "note":
                    continue
                value, err = coerce_value(sub, row.get(sub.name))
                clean[sub.name] = value
                if err:
                    row_errors.append(FieldError(f"{f.name}[{i}].{sub.name}", f"{f.label}, dòng {i}: {sub.label}", err))
            if not row_errors and all(v is None for v in clean.values()):
                continue
            context = ChainMap(clean, top)
            for sub in f.fields or []:
                if sub.calculation:
                    clean[sub.name] = self._eval(sub.calculation, context, functions)
            failed = {e.field for e in row_errors}
            for sub in f.fields or []:
                key = f"{f.name}[{i}].{sub.name}"
                if sub.type == "note" or key in failed:
                    continue
                if sub.relevant is not None and not self._eval(sub.relevant, context, functions):
                    clean[sub.name] = None
                    continue
                label = sub.model_copy(update={"label": f"{f.label}, dòng {i}: {sub.label}"})
                self._check_value(label, clean.get(sub.name), key, context, functions, row_errors)
            errors.extend(row_errors)
            clean_rows.append(clean)
        return clean_rows

    def validate(self, raw: Mapping[str, Any]) -> ValidationResult:
        """Check everything; the clean dict holds every field (hidden ones as None)."""
        state = self.compute(raw)
        errors = list(state.errors)
        failed = {e.field for e in errors}
        functions = self._functions(state.values, state.visible)
        data: dict[str, Any] = {}
        for f in self.template.all_fields():
            if f.type == "note":
                continue
            value = state.values.get(f.name)
            if f.type == "repeat" and value is not None and state.visible[f.name]:
                value = self._check_rows(f, raw[f.name], state.values, functions, errors) or None
            data[f.name] = value
            if f.evidence:
                data[f.evidence_name] = state.values.get(f.evidence_name)
            if state.visible[f.name] and f.name not in failed and not f.calculation:
                self._check_value(f, value, f.name, state.values, functions, errors, frozenset(failed))
        if errors:
            return ValidationResult(None, errors)
        return ValidationResult(data, [])


def validate_submission(template: FormTemplate, raw: Mapping[str, Any]) -> ValidationResult:
    """Validate a submission against its template (see FormEngine.validate)."""
    return FormEngine(template).validate(raw)


def display_value(f: FieldSpec, value: Any) -> str:
    """A value as staff read it: numbers 1.234,5; dates dd/mm/yyyy; choices by label."""
    if value is None:
        return ""
    if f.is_number:
        return format_number(value)
    if f.type == "date":
        return format_date(value)
    if f.type == "yes_no":
        return "Có" if value else "Không"
    labels = {c.value: c.label for c in f.choices or []}
    if f.type == "select_one":
        return labels.get(value, str(value))
    if f.type == "select_many":
        return "; ".join(labels.get(v, str(v)) for v in value)
    if f.type == "file":
        return "; ".join(item.get("name", "") for item in value)
    return str(value)
