"""Excel outputs: the consolidated workbook per period, a unit's printable copy, the province
summary and the roll-up of several bodies, published atomically from the store.

Names are imported lazily: the app's `request_export` must not pay for
xlsxwriter, and nothing here imports pandas.
"""
from __future__ import annotations

from ..lazy import lazy_exports


_EXPORTS = {
    "build_consolidated": "consolidated", "write_consolidated": "consolidated",
    "unit_copy_bytes": "unit_copy", "write_unit_copy": "unit_copy",
    "build_province_summary": "province", "write_province_summary": "province", "roll_up": "province",
    "read_indicators": "province",
    "request_export": "pending", "export_period": "export",
    "ExportReport": "publish", "publish": "publish", "sweep_temp_files": "publish",
    "PeriodData": "model", "gather": "model", "output_dir": "model",
    "SheetNames": "safe", "write_text": "safe",
    "export": "command",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
