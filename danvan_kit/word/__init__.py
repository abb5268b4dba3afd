"""The written reports as Word documents (Decree 30/2020/NĐ-CP), drafted from the period figures.

Writers only, beside danvan_kit.excel: the unit's report, the district's consolidated report, the
notice of self-assessment results and the reminder. Templates are .docx files analysts edit in
Word (templates/van-ban/, docxtpl tags), versioned by year like the forms. Only the app and the
CLI import this package.
"""
from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "Document": "documents", "unit_document": "documents", "period_document": "documents",
    "reminder_document": "documents", "NoSubmission": "documents", "DOCX": "documents",
    "unit_report_bytes": "unit_report", "unit_report_context": "unit_report",
    "district_report_bytes": "district_report", "district_report_context": "district_report",
    "results_notice_bytes": "notices", "reminder_bytes": "notices",
    "check_word_templates": "check",
    "WordTemplate": "templates", "template_for": "templates", "word_templates": "templates",
    "plain": "text",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
