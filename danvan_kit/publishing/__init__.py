"""Publishing workbooks to the shared folder: atomic replacement, dated versions, and the
background worker that rebuilds a period after each submit (bursts coalesced under a lock).
"""
from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "request_export": "pending", "export_period": "export",
    "ExportReport": "publish", "publish": "publish", "sweep_temp_files": "publish",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
