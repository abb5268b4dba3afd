"""The Excel round trip for units that cannot use the browser (issue 6).

`blank-form` writes a protected workbook of one unit's form with Excel data
validation; `import` reads filled workbooks back, checks them with the same
engine as the browser form and stores each as that unit's submission.

Names are imported lazily: importing this package loads neither xlsxwriter nor
openpyxl, and nothing here imports pandas.
"""
from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "BlankFormError": "blank", "blank_form_bytes": "blank", "write_blank_form": "blank",
    "default_filename": "blank",
    "FilledWorkbook": "read", "read_workbook": "read", "read_workbook_bytes": "read",
    "ImportProblem": "problems",
    "FileResult": "importer", "ImportReport": "importer", "import_file": "importer", "import_path": "importer",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
