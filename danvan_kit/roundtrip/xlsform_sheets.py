"""What our form templates look like as an XLSForm workbook: sheets, columns, types, expressions.

One home for the mapping both ways (`xlsform_export` writes it, `xlsform_import` reads it):

- sheet `survey`: one row per question; sections are `begin_group`/`end_group`, a
  repeat is `begin_repeat`/`end_repeat`. XLSForm's own columns (type, name, label,
  hint, required, required_message, constraint, constraint_message, relevant,
  calculation, default, appearance) plus ours (unit, min, max, step, max_length,
  max_score, evidence, min_rows, max_rows, accept, max_size_mb);
- sheet `choices`: list_name, name, label (a select's list is named after its field;
  the list `yes_no` with exactly yes/no makes a Có/Không question);
- sheet `settings`: form_id, version, form_title, and ours: applies_from, code,
  description, example, total_max, ineligible_when, ineligible_label;
- sheet `xep_loai` (ours): the scoring classes, label / from / below.

Expressions are written the XLSForm way (`${field}`, `=`, `true()`), and read back
from it, also accepting `.` (the question itself), `selected(${f}, 'v')`,
`count-selected(…)`, `string-length(…)`, `div` and `mod`. The translation touches
names and operators only, never text inside quotes.
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import AbstractSet, Mapping

__all__ = ["SURVEY", "CHOICES", "SETTINGS", "CLASSES", "SURVEY_COLUMNS", "CHOICE_COLUMNS", "SETTINGS_COLUMNS",
           "CLASS_COLUMNS", "YES_NO_LIST", "TYPE_OUT", "TYPE_IN", "HARMLESS_APPEARANCE", "to_xlsform", "from_xlsform",
           "text_to_xlsform", "text_from_xlsform", "filter_to_xlsform", "filter_from_xlsform", "is_yes"]

SURVEY, CHOICES, SETTINGS, CLASSES = "survey", "choices", "settings", "xep_loai"
SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "required_message", "constraint",
                  "constraint_message", "relevant", "calculation", "default", "appearance",
                  "unit", "min", "max", "step", "max_length", "max_score", "evidence", "min_rows", "max_rows",
                  "repeat_count", "choice_filter", "accept", "max_size_mb")
CHOICE_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_id", "version", "form_title", "applies_from", "code", "description", "example",
                    "total_max", "ineligible_when", "ineligible_label")
CLASS_COLUMNS = ("label", "from", "below")
YES_NO_LIST = "yes_no"
YES_NO_CHOICES = (("yes", "Có"), ("no", "Không"))

# Our type -> XLSForm type word (select types add their list's name; long_text is text + multiline).
TYPE_OUT = {"text": "text", "long_text": "text", "integer": "integer", "decimal": "decimal", "date": "date",
            "select_one": "select_one", "select_many": "select_multiple", "yes_no": "select_one",
            "note": "note", "file": "file"}
# XLSForm type word -> ours (select_one with the yes/no list becomes yes_no; `calculate` is a text calculation).
TYPE_IN = {"text": "text", "integer": "integer", "int": "integer", "decimal": "decimal", "date": "date",
           "select_one": "select_one", "select_multiple": "select_many", "note": "note", "file": "file",
           "calculate": "text"}
# Appearances that change only how a question looks; `multiline` makes a text long_text.
HARMLESS_APPEARANCE = {"", "multiline", "minimal", "field-list", "horizontal", "horizontal-compact", "quick",
                       "compact", "no-calendar"}

_YES = {"yes", "true", "true()", "1", "có", "x"}


def is_yes(value: str | None) -> bool:
    """A yes/no cell (required, evidence, example) read as XLSForm writes it: yes, true, true(), 1…"""
    return (value or "").strip().lower() in _YES


_STRINGS = re.compile(r"""('[^']*'|"[^"]*")""")
_FIELD_REF = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")
_SELECTED = re.compile(r"""selected\(\s*\$\{\s*(\w+)\s*\}\s*,\s*('[^']*'|"[^"]*")\s*\)""")
_CHOICE_NAME = re.compile(r"""jr:choice-name\(\s*\$\{\s*(\w+)\s*\}\s*,\s*(['"])\$\{\s*\1\s*\}\2\s*\)""")
_FORMAT_DATE = re.compile(r"""format-date\(\s*([^,()]+?)\s*,\s*(['"])%d/%m/%Y\2\s*\)""")
_SINGLE_EQ = re.compile(r"(?<![<>!=])=(?!=)")
_CURRENT = re.compile(r"(?<![\w.)\]])\.(?![\w.])")


def to_xlsform(text: str, names: AbstractSet[str]) -> str:
    """Our expression as XLSForm writes it: field names as ${name}, `==` as `=`, True/False as true()/false().

    Only tokens change: spacing, comments and quoted text stay as written.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text  # not ours to fix here: the import's check names it
    lines = text.splitlines(keepends=True) or [""]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    out, last = [], 0
    for tok in tokens:
        new = None
        if tok.type == tokenize.NAME and tok.string in names:
            new = "${" + tok.string + "}"
        elif tok.type == tokenize.NAME and tok.string in ("True", "False"):
            new = tok.string.lower() + "()"
        elif tok.type == tokenize.OP and tok.string == "==":
            new = "="
        if new is None:
            continue
        begin = starts[tok.start[0] - 1] + tok.start[1]
        end = starts[tok.end[0] - 1] + tok.end[1]
        out.append(text[last:begin] + new)
        last = end
    out.append(text[last:])
    return "".join(out)


def from_xlsform(text: str, current: str, types: Mapping[str, str]) -> str:
    """An XLSForm expression in our language (what cannot be translated is left for the loader to refuse).

    `current` is the question the expression belongs to (what `.` means); `types` our type of each name.
    """
    def selected(m: re.Match[str]) -> str:
        name, value = m.group(1), m.group(2)
        return f"contains({name}, {value})" if types.get(name) == "select_many" else f"{name} == {value}"

    text = _SELECTED.sub(selected, text)
    text = _CHOICE_NAME.sub(lambda m: f"choice_label({m.group(1)}, '{m.group(1)}')", text)
    text = _FORMAT_DATE.sub(lambda m: f"format_date({m.group(1)})", text)
    parts = _STRINGS.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside quotes
        part = _FIELD_REF.sub(r"\1", parts[i])
        part = _SINGLE_EQ.sub("==", part)
        part = re.sub(r"\btrue\(\)", "True", part)
        part = re.sub(r"\bfalse\(\)", "False", part)
        part = part.replace("count-selected(", "count(").replace("string-length(", "len(")
        part = re.sub(r"\bdiv\b", "/", part)
        part = re.sub(r"\bmod\b", "%", part)
        parts[i] = _CURRENT.sub(current, part)
    return "".join(parts)


_BRACED = re.compile(r"\{((?:[^{}]|\$\{\s*\w+\s*\})+)\}")


def text_to_xlsform(text: str, names: AbstractSet[str]) -> str:
    """A label or hint with references, XLSForm's way: `{name}` -> `${name}`, `{expr}` -> `{expr in XLSForm}`."""
    if "{" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        return "${" + inner + "}" if inner in names else "{" + to_xlsform(inner, names) + "}"

    return _BRACED.sub(one, text.replace("{{", "\x00").replace("}}", "\x01")).replace(
        "\x00", "{{").replace("\x01", "}}")


def text_from_xlsform(text: str, types: Mapping[str, str]) -> str:
    """A label or hint from XLSForm: `${name}` -> `{name}`, `{expr}` translated inside (`{{`, `}}`: braces)."""
    if "{" not in text:
        return text
    marked = _FIELD_REF.sub("\x02\\1\x03", text)          # refs first: `${a}}` is a ref and a brace
    marked = marked.replace("{{", "\x00").replace("}}", "\x01")
    marked = re.sub(r"\{([^{}]+)\}", lambda m: "{" + from_xlsform(
        re.sub("\x02(\\w+)\x03", r"${\1}", m.group(1)).strip(), "", types) + "}", marked)
    marked = re.sub("\x02(\\w+)\x03", r"{\1}", marked)
    return marked.replace("\x00", "{{").replace("\x01", "}}")


_OPTION = re.compile(r"""option\(\s*(['"])(\w+)\1\s*\)""")


def filter_to_xlsform(text: str, names: AbstractSet[str]) -> str:
    """A choice_filter XLSForm's way: fields as ${name}, an option's property `option('xa')` as bare `xa`."""
    return _OPTION.sub(r"\2", to_xlsform(text, names))


def filter_from_xlsform(text: str, types: Mapping[str, str], keys: AbstractSet[str]) -> str:
    """A choice_filter from XLSForm: bare names of the choices sheet's columns read the option's property."""
    parts = _STRINGS.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"(?<![\w${])([A-Za-z_]\w*)\b(?!\s*\()",
                          lambda m: f"option('{m.group(1)}')" if m.group(1) in keys else m.group(1), parts[i])
    return from_xlsform("".join(parts), "", types)
