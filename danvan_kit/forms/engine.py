"""Turn what a person typed into clean, checked data — or Vietnamese errors naming each field.

The same code serves the live form (calculations and relevance update as staff
type), the final check before submit, the store's server-side check and the
Excel import: one set of rules, wherever the data comes from.
"""
from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any, Mapping

from ..settings import today_vn
from .bounds import date_bound_problem
from .expressions import compile_expression
from .numbers import format_number
from .schema import FieldSpec, FormTemplate
from .scoring import FORM_FUNCTIONS, Scorer
from .values import coerce_value

__all__ = ["FieldError", "ValidationResult", "FormState", "FormEngine", "validate_submission"]


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
        self.scorer = Scorer(template, self.expr)

    @classmethod
    def of(cls, template: FormTemplate) -> "FormEngine":
        """The one engine of a loaded template (built on first use, then shared by every caller)."""
        engine = template._engine
        if engine is None:
            engine = template._engine = cls(template)
        return engine

    def expr(self, text: str) -> Any:
        """`text` compiled once per engine."""
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
            assert f.calculation is not None  # only fields in `calcs` are visited
            for dep in sorted(self.expr(f.calculation).names):
                if dep in calcs:
                    visit(calcs[dep])
            order.append(f)

        for f in calcs.values():
            visit(f)
        return order

    def _functions(self, values: Mapping[str, Any], visible: Mapping[str, bool]) -> dict[str, Any]:
        return self.scorer.functions(values, visible)

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
                ev, ev_err = coerce_value(FieldSpec(name="x", type="long_text", label="Minh chứng"),
                                          raw.get(f.evidence_name))
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
                     functions: Mapping[str, Any], errors: list[FieldError], today: date,
                     unreadable: frozenset = frozenset()) -> None:
        """Required, range, rows and constraint checks; a constraint naming a field that could not be
        read (already reported) is skipped rather than reported a second time under another label.
        `today` is the day a date bound `today` means."""
        if value is None:
            if f.required:
                errors.append(FieldError(key, f.label, f.required_message or "chưa nhập — đây là mục bắt buộc"))
            return
        if f.is_number:
            low = 0 if f.number_min is None else f.number_min
            high = f.number_max if f.number_max is not None else f.max_score
            if value < low:
                errors.append(FieldError(key, f.label, "không được là số âm" if low == 0
                                         else f"không được nhỏ hơn {format_number(low)}"))
            elif high is not None and value > high:
                msg = (f"vượt điểm tối đa {format_number(high)}" if f.max_score is not None and f.max is None
                       else f"không được lớn hơn {format_number(high)}")
                errors.append(FieldError(key, f.label, msg))
        if f.type == "date" and (f.min is not None or f.max is not None):
            out_of_range = date_bound_problem(
                f.min if isinstance(f.min, str) else None, f.max if isinstance(f.max, str) else None, value, today,
                lambda text: self._eval(text, context, functions))
            if out_of_range:
                errors.append(FieldError(key, f.label, out_of_range))
        if f.type == "repeat":
            if len(value) < f.min_rows:
                errors.append(FieldError(key, f.label, f"cần ít nhất {f.min_rows} dòng"))
            if len(value) > f.max_rows:
                errors.append(FieldError(key, f.label, f"tối đa {f.max_rows} dòng"))
        if f.constraint and not (self.expr(f.constraint).names & unreadable) \
                and self._eval(f.constraint, context, functions) is False:
            errors.append(FieldError(key, f.label, f.constraint_message or f"không thỏa điều kiện «{f.constraint}»"))

    def _check_rows(self, f: FieldSpec, rows: list[dict], top: Mapping[str, Any], functions: Mapping[str, Any],
                    errors: list[FieldError], today: date) -> list[dict]:
        """Coerce and check each row; rows left entirely empty are dropped."""
        clean_rows: list[dict] = []
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
            # ChainMap only reads `top` (writes go to `clean`); typeshed wants every map to be a MutableMapping
            context = ChainMap(clean, top)  # type: ignore[arg-type]
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
                self._check_value(label, clean.get(sub.name), key, context, functions, row_errors, today)
            errors.extend(row_errors)
            clean_rows.append(clean)
        return clean_rows

    def validate(self, raw: Mapping[str, Any], state: FormState | None = None, *,
                 today: date | None = None) -> ValidationResult:
        """Check everything; the clean dict holds every field (hidden ones as None).

        `state` is `compute(raw)` when the caller already has it (the live form); `today` is
        the day date bounds written `today` mean (default: today in Vietnam; the store passes
        its own clock's day).
        """
        today = today or today_vn()
        state = state or self.compute(raw)
        errors = list(state.errors)
        failed = {e.field for e in errors}
        functions = self._functions(state.values, state.visible)
        data: dict[str, Any] = {}
        for f in self.template.all_fields():
            if f.type == "note":
                continue
            value = state.values.get(f.name)
            if f.type == "repeat" and value is not None and state.visible[f.name]:
                value = self._check_rows(f, raw[f.name], state.values, functions, errors, today) or None
            data[f.name] = value
            if f.evidence:
                data[f.evidence_name] = state.values.get(f.evidence_name)
            if state.visible[f.name] and f.name not in failed and not f.calculation:
                self._check_value(f, value, f.name, state.values, functions, errors, today, frozenset(failed))
        if errors:
            return ValidationResult(None, errors)
        return ValidationResult(data, [])


def validate_submission(template: FormTemplate, raw: Mapping[str, Any], *,
                        today: date | None = None) -> ValidationResult:
    """Validate a submission against its template (see FormEngine.validate)."""
    return FormEngine.of(template).validate(raw, today=today)


