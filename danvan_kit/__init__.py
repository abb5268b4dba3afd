"""danvan-kit: forms, store and Excel outputs for the Directive 33/CT-TTg dân vận cycle.

The public API is imported lazily, so `import danvan_kit` stays cheap and a form
page never pays for the store or the Excel writer it does not use.
"""
from __future__ import annotations

from .lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Catalog": "catalog", "load_catalog": "catalog", "check_templates": "catalog",
    "Organisation": "catalog", "Unit": "catalog", "load_organisation": "catalog",
    "Calendar": "catalog", "Period": "catalog", "load_calendar": "catalog",
    "FormTemplate": "forms", "FieldSpec": "forms", "Section": "forms",
    "load_form": "forms", "TemplateError": "forms",
    "compile_expression": "forms", "ExpressionError": "forms",
    "FormEngine": "forms", "ValidationResult": "forms", "FieldError": "forms",
    "validate_submission": "forms",
    "FormView": "widgets", "UserFacingError": "widgets",
    "vn_sort_key": "forms", "format_date": "forms", "parse_date": "forms", "to_nfc": "forms",
    "Store": "store", "PeriodData": "figures", "gather": "figures", "frames": "analysis",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
