"""The form core: template schema and loading, the expression language, and the engine that
coerces, calculates, checks and scores a submission — the same rules wherever data comes from.

Nothing here imports ipywidgets, the store or an Excel library.
"""
from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "FormTemplate": "schema", "FieldSpec": "schema", "Section": "schema", "Scoring": "schema",
    "load_form": "loader", "check_form": "loader",
    "TemplateError": "template_error",
    "compile_expression": "expressions", "ExpressionError": "expressions",
    "FormEngine": "engine", "FormState": "engine", "ValidationResult": "engine", "FieldError": "engine",
    "validate_submission": "engine",
    "coerce_value": "values", "display_value": "values",
    "FORM_FUNCTIONS": "scoring",
    "format_number": "numbers", "parse_decimal": "numbers", "parse_integer": "numbers",
    "vn_sort_key": "text", "format_date": "text", "parse_date": "text", "to_nfc": "text",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
