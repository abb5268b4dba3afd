"""Load form templates from YAML and check what pydantic cannot: names, expressions, scores.

Every problem is reported with the file and the field, in Vietnamese, so an
analyst who edits a template sees exactly what to fix (`danvan templates check`).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from .bounds import check_bound_text
from .describe import describe_constraint
from .expressions import ExpressionError, compile_expression
from .numbers import is_multiple
from .schema import FIELD_TYPES, FieldSpec, FormTemplate, Scoring
from .scoring import FORM_FUNCTIONS
from .template_error import TemplateError
from .texts import references
from .yamlfile import load_model, read_yaml

__all__ = ["FORM_FUNCTIONS", "load_form", "check_form"]


_NUMBER_TYPES = ("integer", "decimal")


def _where(field: FieldSpec, key: str = "", parent: FieldSpec | None = None) -> str:
    name = f"{parent.name}.{field.name}" if parent else field.name
    return f"trường '{name}'" + (f" ({key})" if key else "")


def _check_expressions(form: FormTemplate, problems: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Compile every expression; return calculation dependencies for cycle checks."""
    top = {f.name for f in form.all_fields()}
    sections = {s.name for s in form.sections}
    calc_deps: dict[str, set[str]] = {}

    def check(text: str | None, where: str, known: set[str]) -> set[str]:
        if text is None:
            return set()
        try:
            expr = compile_expression(text, extra_functions=FORM_FUNCTIONS)
        except ExpressionError as exc:
            problems.append((where, f"biểu thức {text!r} không hợp lệ: {exc}"))
            return set()
        unknown = sorted(expr.names - known - sections)
        if unknown:
            problems.append((where, f"biểu thức {text!r} dùng tên không có trong biểu mẫu: {', '.join(unknown)}"))
        return set(expr.names)

    def check_text(text: str, where: str, known: set[str]) -> None:
        for expr in references(text):
            check(expr, where, known)

    for section in form.sections:
        for group in section.groups:
            check(group.relevant, f"nhóm '{group.name}' (relevant)", top)
            check_text(group.title, f"nhóm '{group.name}' (title)", top)
        check(section.relevant, f"phần '{section.name}' (relevant)", top)
        check_text(section.title, f"phần '{section.name}' (title)", top)
        check_text(section.hint, f"phần '{section.name}' (hint)", top)
        for f in section.fields:
            check_text(f.label, _where(f, "label"), top)
            check_text(f.hint, _where(f, "hint"), top)
            check(f.relevant, _where(f, "relevant"), top)
            check(f.constraint, _where(f, "constraint"), top)
            if f.calculation:
                calc_deps[f.name] = check(f.calculation, _where(f, "calculation"), top)
            check(f.repeat_count, _where(f, "repeat_count"), top)
            check(f.choice_filter, _where(f, "choice_filter"), top)
            for sub in f.fields or []:
                row = top | {s.name for s in f.fields or []}
                check(sub.relevant, _where(sub, "relevant", f), row)
                check(sub.constraint, _where(sub, "constraint", f), row)
                check(sub.calculation, _where(sub, "calculation", f), row)
                check(sub.choice_filter, _where(sub, "choice_filter", f), row)
    if form.scoring:
        check(form.scoring.ineligible_when, "scoring.ineligible_when", top)
        if "classify" in _functions_of(form.scoring.ineligible_when):
            problems.append(("scoring.ineligible_when",
                             "điều kiện không xếp loại không được dùng classify() (classify dùng chính điều kiện này)"))
    return calc_deps


def _functions_of(text: str | None) -> frozenset[str]:
    try:
        return compile_expression(text, extra_functions=FORM_FUNCTIONS).functions if text else frozenset()
    except ExpressionError:
        return frozenset()  # already reported by check()


def _check_cycles(calc_deps: dict[str, set[str]], problems: list[tuple[str, str]]) -> None:
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " → ".join(path[path.index(name):] + [name])
            problems.append((f"trường '{name}' (calculation)", f"phép tính vòng tròn: {cycle}"))
            return
        state[name] = 1
        for dep in calc_deps.get(name, ()):
            if dep in calc_deps:
                visit(dep, path + [name])
        state[name] = 2

    for name in calc_deps:
        visit(name, [])


def _check_bounds(f: FieldSpec, problems: list[tuple[str, str]], w: Callable[[str], str],
                  known: frozenset[str]) -> None:
    """min/max: numbers for number fields; a day, `today` or an expression for date fields; nothing else."""
    if f.min is None and f.max is None:
        return
    if f.type == "date":
        for key, bound in (("min", f.min), ("max", f.max)):
            if bound is None:
                continue
            problem = ("với trường ngày phải là ngày dd/mm/yyyy, 'today' hoặc một biểu thức"
                       if not isinstance(bound, str) else check_bound_text(bound, known))
            if problem:
                problems.append((w(key), problem))
        return
    if f.type not in _NUMBER_TYPES:
        problems.append((w("min/max"), f"min/max chỉ dùng cho số và ngày, không dùng cho kiểu '{f.type}'"))
        return
    for key, bound in (("min", f.min), ("max", f.max)):
        if isinstance(bound, str):
            problems.append((w(key), f"với trường số phải là một số (đang ghi {bound!r})"))
    low, high = f.number_min, f.number_max
    if low is not None and high is not None and low > high:
        problems.append((w("min/max"), f"min ({low:g}) lớn hơn max ({high:g})"))


def _check_step(f: FieldSpec, problems: list[tuple[str, str]], w: Callable[[str], str]) -> None:
    """A step only on numbers, whole on integers; the maximum (or max_score) must be reachable in steps."""
    if f.step is None:
        return
    if not f.is_number:
        problems.append((w("step"), f"bước (step) chỉ dùng cho số, không dùng cho kiểu '{f.type}'"))
        return
    if f.type == "integer" and not float(f.step).is_integer():
        problems.append((w("step"), f"trường số nguyên cần bước là số nguyên (đang ghi {f.step:g})"))
    base = f.number_min or 0
    for key, top in (("max", f.number_max), ("max_score", f.max_score)):
        if top is not None and not is_multiple(top - base, f.step):
            problems.append((w("step"), f"{key} {top:g} không chia hết cho bước {f.step:g}: "
                                        "điểm tối đa không nhập được"))


def _check_constraint_message(f: FieldSpec, problems: list[tuple[str, str]], w: Callable[[str], str],
                              labels: dict[str, str]) -> None:
    """A constraint needs a message unless its shape reads as a plain sentence (forms/describe.py)."""
    if f.constraint and not f.constraint_message and describe_constraint(f.constraint, f.name, labels) is None:
        problems.append((w("constraint_message"),
                         f"điều kiện {f.constraint!r} không diễn đạt được thành lời cho người nhập: "
                         "hãy ghi constraint_message (câu báo lỗi bằng tiếng Việt)"))


def _check_choice_properties(f: FieldSpec, problems: list[tuple[str, str]], w: Callable[[str], str]) -> None:
    """Options' extra keys are short names with text values; a choice_filter reads only keys they have."""
    keys: set[str] = set()
    for c in f.choices or []:
        for key, value in c.properties.items():
            keys.add(key)
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", key) or not isinstance(value, (str, int)):
                problems.append((w("choices"), f"thuộc tính «{key}» của lựa chọn «{c.value}» phải là tên không dấu "
                                               "với giá trị là chữ hoặc số"))
    if f.choice_filter is None:
        return
    if f.type not in ("select_one", "select_many"):
        problems.append((w("choice_filter"), "choice_filter chỉ dùng cho câu hỏi chọn một hoặc chọn nhiều"))
        return
    for key in re.findall(r"option\(\s*['\"]([^'\"]*)['\"]\s*\)", f.choice_filter):
        if key not in keys:
            problems.append((w("choice_filter"), f"option('{key}'): không lựa chọn nào có thuộc tính «{key}»"))
    if re.search(r"option\(\s*[^'\"\s]", f.choice_filter):
        problems.append((w("choice_filter"), "option() cần tên thuộc tính trong ngoặc nháy, ví dụ option('xa')"))


def _check_field(f: FieldSpec, problems: list[tuple[str, str]], parent: FieldSpec | None = None,
                 known: frozenset[str] = frozenset(), labels: dict[str, str] | None = None) -> None:
    w = lambda key="": _where(f, key, parent)  # noqa: E731
    if f.type in ("select_one", "select_many"):
        if not f.choices:
            problems.append((w("choices"), f"kiểu '{f.type}' cần danh sách lựa chọn (choices)"))
        else:
            values = [c.value for c in f.choices]
            dup = sorted({v for v in values if values.count(v) > 1})
            if dup:
                problems.append((w("choices"), f"giá trị lựa chọn bị trùng: {', '.join(dup)}"))
    elif f.choices:
        problems.append((w("choices"), f"kiểu '{f.type}' không dùng danh sách lựa chọn"))
    _check_choice_properties(f, problems, w)
    if f.type == "repeat":
        if not f.fields:
            problems.append((w("fields"), "bảng nhiều dòng (repeat) cần danh sách cột (fields)"))
        else:
            names = [s.name for s in f.fields]
            for n in sorted({n for n in names if names.count(n) > 1}):
                problems.append((w("fields"), f"tên cột '{n}' bị trùng"))
            for sub in f.fields:
                if sub.type == "repeat":
                    problems.append((_where(sub, "type", f), "không lồng bảng nhiều dòng trong bảng nhiều dòng"))
                _check_field(sub, problems, f, known | frozenset(names),
                             {**(labels or {}), **{s.name: s.label for s in f.fields}})
        if f.min_rows > f.max_rows:
            problems.append((w("min_rows"), "min_rows lớn hơn max_rows"))
    elif f.repeat_count:
        problems.append((w("repeat_count"), "chỉ bảng nhiều dòng (repeat) mới có repeat_count"))
    elif f.fields:
        problems.append((w("fields"), "chỉ kiểu 'repeat' mới có danh sách cột (fields)"))
    _check_bounds(f, problems, w, known)
    _check_step(f, problems, w)
    _check_constraint_message(f, problems, w, labels or {})
    if f.max_score is not None:
        if f.type not in _NUMBER_TYPES:
            problems.append((w("max_score"), "chỉ trường số mới có điểm tối đa"))
    elif f.evidence:
        problems.append((w("evidence"), "minh chứng (evidence) chỉ dùng cho tiêu chí có điểm tối đa (max_score)"))
    if f.calculation and f.required:
        problems.append((w("required"), "trường tính tự động không thể bắt buộc nhập"))
    if f.type == "note" and (f.required or f.calculation):
        problems.append((w(), "trường ghi chú (note) chỉ để hiển thị"))
    if f.default is not None:
        from .values import coerce_value  # local: avoids an import cycle

        _, err = coerce_value(f, f.default)
        if err:
            problems.append((w("default"), f"giá trị mặc định {f.default!r}: {err}"))


def _check_scoring(form: FormTemplate, problems: list[tuple[str, str]]) -> None:
    scored = form.score_fields()
    for section in form.sections:
        in_section = [f.max_score for f in section.fields if f.max_score is not None]
        if section.max_score is not None and abs(sum(in_section) - section.max_score) > 1e-9:
            problems.append((f"phần '{section.name}' (max_score)",
                             f"điểm tối đa của phần là {section.max_score:g} "
                             f"nhưng các tiêu chí cộng lại {sum(in_section):g}"))
    scoring: Scoring | None = form.scoring
    if scoring is None:
        return
    total = sum(f.max_score or 0 for f in scored)
    if scored and abs(total - scoring.total_max) > 1e-9:
        problems.append(("scoring.total_max",
                         f"tổng điểm tối đa là {scoring.total_max:g} nhưng các tiêu chí cộng lại {total:g}"))
    bands = sorted(scoring.classes, key=lambda b: b.from_)
    labels = [b.label for b in bands]
    for dup in sorted({x for x in labels if labels.count(x) > 1}):
        problems.append(("scoring.classes", f"loại '{dup}' bị trùng"))
    if bands[0].from_ != 0:
        problems.append(("scoring.classes", f"thang xếp loại phải bắt đầu từ 0 điểm (đang bắt đầu từ "
                                            f"{bands[0].from_:g}): điểm dưới đó không có loại"))
    for low, high in zip(bands, bands[1:]):
        if low.below is None:
            problems.append((f"scoring.classes ({low.label})", "chỉ loại cao nhất mới được bỏ trống 'below'"))
        elif low.below < high.from_:
            problems.append((f"scoring.classes ({low.label})",
                             f"thang bị hở: từ {low.below:g} đến dưới {high.from_:g} điểm không thuộc loại nào"))
        elif low.below > high.from_:
            problems.append((f"scoring.classes ({low.label})",
                             f"thang bị chồng: loại '{low.label}' (dưới {low.below:g}) "
                             f"chồng lên loại '{high.label}' (từ {high.from_:g})"))
    top = bands[-1]
    if top.below is not None and top.below <= scoring.total_max:
        problems.append((f"scoring.classes ({top.label})",
                         f"loại cao nhất phải bao gồm điểm tối đa {scoring.total_max:g} (bỏ trống 'below')"))
    if top.from_ > scoring.total_max:
        problems.append((f"scoring.classes ({top.label})",
                         f"từ {top.from_:g} điểm, lớn hơn điểm tối đa {scoring.total_max:g}"))


def _check_groups(form: FormTemplate, problems: list[tuple[str, str]]) -> None:
    """Each group named once, by no field; a question names a group of its own section; a group's
    questions stand together (they are shown in one block)."""
    fields = {f.name for f in form.all_fields()}
    seen: set[str] = set()
    for section in form.sections:
        names = [g.name for g in section.groups]
        for group in section.groups:
            if group.name in seen or group.name in fields:
                problems.append((f"nhóm '{group.name}'", "tên nhóm bị trùng với một nhóm hoặc một trường khác"))
            seen.add(group.name)
        order = [f.group for f in section.fields]
        for f in section.fields:
            if f.group is not None and f.group not in names:
                problems.append((_where(f, "group"), f"nhóm '{f.group}' không có trong phần '{section.name}'"))
        for name in names:
            at = [i for i, g in enumerate(order) if g == name]
            if at and at[-1] - at[0] + 1 != len(at):
                problems.append((f"nhóm '{name}'", "các câu hỏi của một nhóm phải đứng liền nhau"))
            if not at:
                problems.append((f"nhóm '{name}'", "nhóm chưa có câu hỏi nào"))


def check_form(form: FormTemplate) -> list[tuple[str, str]]:
    """All meaning problems of a parsed template, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    names: dict[str, int] = {}
    for f in form.all_fields():
        names[f.name] = names.get(f.name, 0) + 1
    for name, count in names.items():
        if count > 1:
            problems.append((f"trường '{name}'", f"tên trường bị trùng ({count} lần): mỗi trường cần một tên riêng"))
    section_names = [s.name for s in form.sections]
    for dup in sorted({n for n in section_names if section_names.count(n) > 1}):
        problems.append((f"phần '{dup}'", "tên phần bị trùng"))
    top = frozenset(f.name for f in form.all_fields())
    labels = {f.name: f.label for f in form.all_fields()}
    for f in form.all_fields():
        _check_field(f, problems, known=top, labels=labels)
    _check_cycles(_check_expressions(form, problems), problems)
    _check_groups(form, problems)
    _check_scoring(form, problems)
    return problems


def load_form(path: str | Path) -> FormTemplate:
    """Load, validate and check one form template; TemplateError names file and field."""
    path = Path(path)
    data = read_yaml(path)
    if isinstance(data, dict):
        for si, section in enumerate(data.get("sections") or []):
            for fi, field in enumerate((section or {}).get("fields") or [] if isinstance(section, dict) else []):
                ftype = field.get("type") if isinstance(field, dict) else None
                if isinstance(ftype, str) and ftype not in FIELD_TYPES:
                    raise TemplateError(path, [(
                        f"trường '{field.get('name', f'sections[{si}].fields[{fi}]')}' (type)",
                        f"kiểu trường '{ftype}' không tồn tại; các kiểu dùng được: {', '.join(FIELD_TYPES)}")])
    form = load_model(path, FormTemplate, data)
    problems = check_form(form)
    if problems:
        raise TemplateError(path, problems)
    form._source_text = path.read_text(encoding="utf-8")
    form._path = str(path)
    return form
