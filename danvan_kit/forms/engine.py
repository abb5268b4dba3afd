"""Turn what a person typed into clean, checked data — or Vietnamese errors naming each field.

The same code serves the live form (calculations and relevance update as staff
type), the final check before submit, the store's server-side check and the
Excel import: one set of rules, wherever the data comes from.
"""
from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from datetime import date
from typing import Any, Mapping

from ..settings import today_vn
from .bounds import date_bound_problem
from .describe import describe_constraint
from .expressions import compile_expression
from .numbers import format_number, is_multiple
from .schema import FieldSpec, FormTemplate
from .scoring import FORM_FUNCTIONS, Scorer
from .texts import has_references, render_text
from .values import coerce_value, display_value

__all__ = ["FieldError", "ValidationResult", "FormState", "FormEngine", "own_rule_problem", "validate_submission"]


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
    """Coerced values, visibility and problems of one evaluation of a form.

    `values` hold what was typed (a value refused by its field's own rule included, so the
    check reports that rule); calculations never count a refused value. `refused` maps a
    field to the message of its own rule (range, step) and `unmet` to its failed constraint,
    for the live form to show when the field is left. `rows[name]` are a repeat's rows as
    typed (index as on screen) with calculated cells filled and hidden cells emptied;
    `row_visible[name][i]` says which cells of row i are relevant.
    """

    values: dict[str, Any]
    visible: dict[str, bool]
    section_visible: dict[str, bool]
    errors: list[FieldError]
    rows: dict[str, list[dict[str, Any]]] = dc_field(default_factory=dict)
    row_visible: dict[str, list[dict[str, bool]]] = dc_field(default_factory=dict)
    refused: dict[str, str] = dc_field(default_factory=dict)
    unmet: dict[str, str] = dc_field(default_factory=dict)
    row_count: dict[str, int] = dc_field(default_factory=dict)
    group_visible: dict[str, bool] = dc_field(default_factory=dict)
    choices: dict[str, list[str]] = dc_field(default_factory=dict)


def own_rule_problem(f: FieldSpec, value: Any) -> str | None:
    """Why a number breaks its field's own rule (min, max or max_score, step), in Vietnamese, or None.

    One home for these rules: the live form (shown when the field is left, never counted in a
    total), the check at submit, the store and the import.
    """
    if not f.is_number or not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    low = 0 if f.number_min is None else f.number_min
    high = f.number_max if f.number_max is not None else f.max_score
    if value < low:
        return "không được là số âm" if low == 0 else f"không được nhỏ hơn {format_number(low)}"
    if high is not None and value > high:
        return (f"vượt điểm tối đa {format_number(high)}" if f.max_score is not None and f.max is None
                else f"không được lớn hơn {format_number(high)}")
    if f.step is not None and not is_multiple(value - (f.number_min or 0), f.step):
        return f"chỉ nhận số chẵn theo bước {format_number(f.step)} (ví dụ {_step_example(f, value)})"
    return None


def _step_example(f: FieldSpec, value: float) -> str:
    """The two allowed values around `value`, e.g. 'ví dụ 9,5 hoặc 10' for 9,75 by halves."""
    assert f.step is not None
    base = f.number_min or 0
    below = base + (value - base) // f.step * f.step
    return f"{format_number(round(below, 6))} hoặc {format_number(round(below + f.step, 6))}"


class FormEngine:
    """Evaluates one template: coercion, calculations, relevance and all checks."""

    def __init__(self, template: FormTemplate):
        self.template = template
        self._compiled: dict[str, Any] = {}
        self._calc_order = self._order_calculations()
        self.scorer = Scorer(template, self.expr)
        self._labels = {f.name: f.label for f in template.all_fields()}
        self._messages: dict[int, str] = {}
        self._fields = {f.name: f for f in template.all_fields()}
        self._choices = {f.name: f for top in template.all_fields() for f in [top, *(top.fields or [])]
                         if f.choices is not None}
        self._text_fields = [f for f in template.all_fields() if has_references(f.label) or has_references(f.hint)]
        self._text_sections = [s for s in template.sections if has_references(s.title) or has_references(s.hint)]

    @property
    def has_texts(self) -> bool:
        """True when some label, hint or title shows other answers."""
        return bool(self._text_fields or self._text_sections)

    def texts(self, state: "FormState") -> dict[str, tuple[str, str]]:
        """(label, hint) of each field, and (title, hint) of each section keyed "section:<name>", whose text
        references answers, rendered for `state` (a refused value shows as missing, as in totals)."""
        if not self.has_texts:
            return {}
        values = {k: (None if k in state.refused else v) for k, v in state.values.items()}
        functions = self._functions(values, state.visible)
        evaluate = lambda text: self.expr(text).evaluate(values, functions)  # noqa: E731
        out = {f.name: (render_text(f.label, evaluate, self._fields), render_text(f.hint, evaluate, self._fields))
               for f in self._text_fields}
        out.update({f"section:{s.name}": (render_text(s.title, evaluate, self._fields),
                                          render_text(s.hint, evaluate, self._fields)) for s in self._text_sections})
        return out

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

    def constraint_message(self, f: FieldSpec, labels: Mapping[str, str] | None = None) -> str:
        """The template's message for `f`'s constraint, else a plain sentence made from its shape
        (the loader refuses a constraint that has neither)."""
        if f.constraint_message:
            return f.constraint_message
        if id(f) not in self._messages:
            assert f.constraint is not None
            said = describe_constraint(f.constraint, f.name, labels or self._labels)
            self._messages[id(f)] = said or "giá trị chưa đúng điều kiện của biểu mẫu"
        return self._messages[id(f)]

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
        return {**self.scorer.functions(values, visible), "choice_label": self._choice_label,
                "option": lambda _key: None}  # an option's property: only inside a choice_filter

    def _choice_label(self, value: Any, field: Any) -> str | None:
        """choice_label(x, 'x'): the label of the option chosen in select field `field` (XLSForm's
        jr:choice-name); several labels joined by "; " for a select_many."""
        spec = self._choices.get(field) if isinstance(field, str) else None
        if spec is None or value is None:
            return None
        return display_value(spec, value)

    def _eval(self, text: str | None, context: Mapping[str, Any], functions: Mapping[str, Any]) -> Any:
        return None if text is None else self.expr(text).evaluate(context, functions)

    def settle_row(self, f: FieldSpec, row: dict[str, Any], top: Mapping[str, Any],
                   functions: Mapping[str, Any]) -> dict[str, bool]:
        """Fill a typed row's calculated cells and empty the cells its relevance hides (in place);
        the cells' visibility. One home for rows: the live form, the check, the store, the import."""
        # ChainMap only reads `top` (writes go to `row`); typeshed wants every map to be a MutableMapping
        context = ChainMap(row, top)  # type: ignore[arg-type]
        shown: dict[str, bool] = {}
        for sub in f.fields or []:
            if sub.calculation:
                row[sub.name] = self._eval(sub.calculation, context, functions)
        for sub in f.fields or []:
            shown[sub.name] = sub.relevant is None or bool(self._eval(sub.relevant, context, functions))
            if not shown[sub.name]:
                row[sub.name] = None
        return shown

    def _typed_rows(self, f: FieldSpec, rows: Any, live: bool) -> list[dict[str, Any]]:
        """A repeat's rows as typed values (what cannot be read is empty; so is, `live`, what its own rule
        refuses)."""
        if not isinstance(rows, (list, tuple)):
            return []
        out = []
        for row in rows:
            typed: dict[str, Any] = {}
            for sub in f.fields or []:
                value = coerce_value(sub, row.get(sub.name))[0] if isinstance(row, Mapping) else None
                typed[sub.name] = None if live and own_rule_problem(sub, value) else value
            out.append(typed)
        return out

    def compute(self, raw: Mapping[str, Any], *, live: bool = False) -> FormState:
        """Coerce raw inputs, then settle relevance, repeat rows and calculations.

        `live` (the form being typed): a value its field's own rule refuses is left out of every
        calculation and total. Otherwise (the check at submit, totals of summed figures) values count
        as they are; a refused value fails the check anyway.
        """
        tpl = self.template
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        refused: dict[str, str] = {}
        repeats = [f for f in tpl.all_fields() if f.type == "repeat"]
        for f in tpl.all_fields():
            if f.calculation or f.type == "note":
                values[f.name] = None
                continue
            value, err = coerce_value(f, raw.get(f.name))
            values[f.name] = value
            if err:
                errors.append(FieldError(f.name, f.label, err))
            problem = own_rule_problem(f, value)
            if problem:
                refused[f.name] = problem
            if f.evidence:
                ev, ev_err = coerce_value(FieldSpec(name="x", type="long_text", label="Minh chứng"),
                                          raw.get(f.evidence_name))
                values[f.evidence_name] = ev
                if ev_err:
                    errors.append(FieldError(f.evidence_name, f"{f.label} — minh chứng", ev_err))
        typed_rows = {f.name: self._typed_rows(f, values[f.name], live) for f in repeats}
        visible = {f.name: True for f in tpl.all_fields()}
        section_visible = {s.name: True for s in tpl.sections}

        def settle(effective: dict[str, Any], shown: Mapping[str, bool]) -> tuple[dict, dict, dict]:
            """(what calculations see, the rows, their cells' visibility) for one round."""
            counted = {k: (None if live and k in refused else v) for k, v in effective.items()}
            functions = self._functions(counted, shown)
            rows, row_visible = {}, {}
            for _ in range(2):  # rows may use top-level calculations, and calculations the rows
                for f in repeats:
                    rows[f.name] = [dict(r) for r in typed_rows[f.name]]
                    row_visible[f.name] = [self.settle_row(f, r, counted, functions) for r in rows[f.name]]
                    counted[f.name] = rows[f.name] if effective.get(f.name) is not None else None
                for f in self._calc_order:
                    counted[f.name] = self._eval(f.calculation, counted, functions)
            return counted, rows, row_visible

        effective = dict(values)
        for _ in range(4):
            counted, _rows, _shown = settle(effective, visible)
            functions = self._functions(counted, visible)
            new_sections = {s.name: s.relevant is None or bool(self._eval(s.relevant, counted, functions))
                            for s in tpl.sections}
            new_visible = {}
            groups = {g.name: new_sections[s.name] and (g.relevant is None or bool(
                self._eval(g.relevant, counted, functions))) for s in tpl.sections for g in s.groups}
            for s in tpl.sections:
                for f in s.fields:
                    new_visible[f.name] = new_sections[s.name] and groups.get(f.group or "", True) and (
                        f.relevant is None or bool(self._eval(f.relevant, counted, functions)))
            effective = {k: (v if new_visible.get(k.split("__")[0], True) else None) for k, v in values.items()}
            if new_visible == visible and new_sections == section_visible:
                break
            visible, section_visible = new_visible, new_sections
        counted, rows, row_visible = settle(effective, visible)
        for f in self._calc_order:
            effective[f.name] = counted[f.name] if visible[f.name] else None
        for f in repeats:
            if effective.get(f.name) is not None:
                effective[f.name] = rows[f.name]
        errors = [e for e in errors if visible.get(e.field.split("__")[0], True)]
        refused = {k: v for k, v in refused.items() if visible.get(k, True)}
        functions = self._functions(counted, visible)
        unmet = {f.name: self.constraint_message(f) for f in tpl.all_fields()
                 if f.constraint and visible[f.name] and effective.get(f.name) is not None
                 and f.name not in refused and self._eval(f.constraint, counted, functions) is False}
        row_count = {f.name: self.rows_wanted(f, counted, functions) for f in repeats if f.repeat_count}
        functions = self._functions(counted, visible)
        group_visible = {g.name: section_visible[s.name] and (g.relevant is None or bool(
            self._eval(g.relevant, counted, functions))) for s in tpl.sections for g in s.groups}
        offered = {f.name: self.offered(f, counted, functions) for f in tpl.all_fields() if f.choice_filter}
        return FormState(effective, visible, section_visible, errors, rows, row_visible, refused, unmet, row_count,
                         group_visible, offered)

    def offered(self, f: FieldSpec, context: Mapping[str, Any], functions: Mapping[str, Any]) -> list[str]:
        """The values of `f`'s options its choice_filter keeps for these answers (all without a filter)."""
        if not f.choice_filter:
            return [c.value for c in f.choices or []]
        kept = []
        for c in f.choices or []:
            props = c.properties
            own = {**functions, "option": lambda key, props=props: props.get(key)}
            if self._eval(f.choice_filter, context, own) is True:
                kept.append(c.value)
        return kept

    def rows_wanted(self, f: FieldSpec, context: Mapping[str, Any], functions: Mapping[str, Any]) -> int:
        """How many rows a repeat with `repeat_count` must have now (0 while its count is empty), at most
        max_rows."""
        value = self._eval(f.repeat_count, context, functions)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            return 0
        return min(int(value), f.max_rows)

    def _check_value(self, f: FieldSpec, value: Any, key: str, context: Mapping[str, Any],
                     functions: Mapping[str, Any], errors: list[FieldError], today: date,
                     unreadable: frozenset = frozenset(), labels: Mapping[str, str] | None = None) -> None:
        """Required, range, step, rows and constraint checks; a constraint naming a field that could not
        be read (already reported) is skipped rather than reported a second time under another label.
        `today` is the day a date bound `today` means."""
        if value is None:
            if f.required:
                errors.append(FieldError(key, f.label, f.required_message or "chưa nhập — đây là mục bắt buộc"))
            elif f.type == "repeat" and f.min_rows:
                errors.append(FieldError(key, f.label, f"cần ít nhất {f.min_rows} dòng"))
            return
        problem = own_rule_problem(f, value)
        if problem:
            errors.append(FieldError(key, f.label, problem))
        if f.choice_filter:
            allowed = set(self.offered(f, context, functions))
            chosen = value if isinstance(value, list) else [value]
            labels = {c.value: c.label for c in f.choices or []}
            for v in chosen:
                if v not in allowed:
                    problem = f"«{labels.get(v, v)}» không phù hợp với các câu trả lời trước"
                    errors.append(FieldError(key, f.label, problem))
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
        if f.constraint and not problem and not (self.expr(f.constraint).names & unreadable) \
                and self._eval(f.constraint, context, functions) is False:
            errors.append(FieldError(key, f.label, self.constraint_message(f, labels)))

    def _check_rows(self, f: FieldSpec, rows: list[dict], top: Mapping[str, Any], functions: Mapping[str, Any],
                    errors: list[FieldError], today: date) -> list[dict]:
        """Coerce and check each row; rows left entirely empty are dropped."""
        clean_rows: list[dict] = []
        labels = {**self._labels, **{sub.name: sub.label for sub in f.fields or []}}
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
            typed = dict(clean)
            shown = self.settle_row(f, clean, top, functions)
            context = ChainMap(clean, top)  # type: ignore[arg-type]
            failed = {e.field for e in row_errors}
            for sub in f.fields or []:
                key = f"{f.name}[{i}].{sub.name}"
                if sub.type == "note" or key in failed or not shown[sub.name] or sub.calculation:
                    continue
                label = replace(sub, label=f"{f.label}, dòng {i}: {sub.label}")
                self._check_value(label, typed.get(sub.name), key, context, functions, row_errors, today,
                                  labels=labels)
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
            if f.repeat_count and state.visible[f.name] and f.name not in failed:
                wanted = self.rows_wanted(f, state.values, functions)
                if len(value or []) != wanted:
                    source = f.repeat_count.strip()
                    counted_by = f"«{self._labels[source]}»" if source in self._labels else "số dòng đã khai"
                    errors.append(FieldError(f.name, f.label, f"cần đúng {wanted} dòng theo {counted_by}, "
                                                              f"đang có {len(value or [])}"))
            data[f.name] = value
            if f.evidence:
                data[f.evidence_name] = state.values.get(f.evidence_name)
            if state.visible[f.name] and f.name not in failed and not f.calculation:
                self._check_value(f, value, f.name, state.values, functions, errors, today, frozenset(failed))
        if errors and self._text_fields:  # name each field by its label as the page shows it
            rendered = self.texts(state)
            raw = {f.label: rendered[f.name][0] for f in self._text_fields}
            def named(text: str) -> str:
                for label, shown in raw.items():
                    text = text.replace(label, shown)
                return text
            errors = [FieldError(e.field, named(e.label), named(e.message)) for e in errors]
        if errors:
            return ValidationResult(None, errors)
        return ValidationResult(data, [])


def validate_submission(template: FormTemplate, raw: Mapping[str, Any], *,
                        today: date | None = None) -> ValidationResult:
    """Validate a submission against its template (see FormEngine.validate)."""
    return FormEngine.of(template).validate(raw, today=today)


