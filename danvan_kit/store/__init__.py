"""The submission store: the single source of truth for every unit's reports.

SQLite by default (one file under DANVAN_DATA_DIR), PostgreSQL through
DANVAN_DB_URL; same code, same tests. See `Store` for the API.
"""
from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:   # the names as the type checker sees them; at run time each is imported on first use
    from .api import MAX_DATA_BYTES, Store, model_number, next_model_number
    from .errors import AccessDenied, StaleRevision, StoreBusy, StoreError, ValidationFailed
    from .remote import PAGE_METHODS, RemoteStore, StoreService
    from .types import (
        REVIEW_STATES,
        STATUS_LABELS,
        Account,
        AuditEntry,
        LoginResult,
        ReviewInfo,
        Revision,
        SessionInfo,
        StatusRow,
        SubmitResult,
    )

# Lazy: a page kernel needs the errors and result types, not SQLAlchemy (see remote.py).
_EXPORTS = {
    "Store": "api", "MAX_DATA_BYTES": "api", "model_number": "api", "next_model_number": "api",
    "AccessDenied": "errors", "StaleRevision": "errors", "StoreBusy": "errors", "StoreError": "errors",
    "ValidationFailed": "errors",
    "REVIEW_STATES": "types", "STATUS_LABELS": "types", "Account": "types", "AuditEntry": "types",
    "LoginResult": "types", "ReviewInfo": "types", "Revision": "types", "SessionInfo": "types",
    "StatusRow": "types", "SubmitResult": "types",
    "RemoteStore": "remote", "StoreService": "remote", "PAGE_METHODS": "remote",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "Store", "Account", "Revision", "StatusRow", "SubmitResult", "ReviewInfo", "AuditEntry", "LoginResult",
    "SessionInfo", "AccessDenied", "StoreError", "StoreBusy", "StaleRevision", "ValidationFailed",
    "REVIEW_STATES", "STATUS_LABELS", "MAX_DATA_BYTES", "model_number", "next_model_number",
    "RemoteStore", "StoreService", "PAGE_METHODS",
]
assert sorted(__all__) == sorted(_EXPORTS)
