"""danvan-kit: forms, store and Excel outputs for the Directive 33/CT-TTg dân vận cycle.

The public API is imported lazily, so `import danvan_kit` stays cheap and a form
page never pays for the store or the Excel writer it does not use.
"""
from __future__ import annotations

from .lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Catalog": "catalog", "load_catalog": "catalog", "check_templates": "catalog",
    "Organisation": "org", "Unit": "org", "load_organisation": "org",
    "Calendar": "periods", "Period": "periods", "load_calendar": "periods",
    "FormTemplate": "schema", "FieldSpec": "schema", "Section": "schema",
    "load_form": "templates", "TemplateError": "errors",
    "compile_expression": "expressions", "ExpressionError": "expressions",
    "FormEngine": "validation", "ValidationResult": "validation", "FieldError": "validation",
    "validate_submission": "validation",
    "FormView": "widgets", "UserFacingError": "widgets",
    "vn_sort_key": "text", "format_date": "text", "parse_date": "text", "to_nfc": "text",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
