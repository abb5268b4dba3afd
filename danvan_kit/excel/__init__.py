"""Excel writers: the consolidated workbook per period, a unit's printable copy, the province
summary and the roll-up of several bodies. They only write: the figures come from
`danvan_kit.figures`, publishing to the shared folder from `danvan_kit.publishing`.

Names are imported lazily, and nothing here imports pandas.
"""
from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "build_consolidated": "consolidated", "write_consolidated": "consolidated",
    "unit_copy_bytes": "unit_copy", "write_unit_copy": "unit_copy",
    "build_province_summary": "province", "write_province_summary": "province", "roll_up": "province",
    "read_indicators": "province",
    "SheetNames": "safe", "write_text": "safe",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
