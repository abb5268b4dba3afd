"""The submission store: the single source of truth for every unit's reports.

SQLite by default (one file under DANVAN_DATA_DIR), PostgreSQL through
DANVAN_DB_URL; same code, same tests. See `Store` for the API.
"""
from .api import MAX_DATA_BYTES, Store, model_number, next_model_number
from .errors import AccessDenied, StaleRevision, StoreBusy, StoreError, ValidationFailed
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

__all__ = [
    "Store", "Account", "Revision", "StatusRow", "SubmitResult", "ReviewInfo", "AuditEntry", "LoginResult",
    "SessionInfo",
    "AccessDenied", "StoreError", "StoreBusy", "StaleRevision", "ValidationFailed",
    "REVIEW_STATES", "STATUS_LABELS", "MAX_DATA_BYTES", "model_number", "next_model_number",
]
