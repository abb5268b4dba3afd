"""Errors raised by the submission store (messages in Vietnamese, shown to users)."""
from __future__ import annotations

__all__ = ["StoreError", "AccessDenied", "ValidationFailed", "StoreBusy", "Refused"]


class StoreError(Exception):
    """Base class: unknown unit/period/form, store not initialised, and the like."""


class AccessDenied(StoreError, PermissionError):
    """The acting account may not do this (the attempt is in the audit log)."""


class ValidationFailed(StoreError, ValueError):
    """Data refused; `.errors` holds one Vietnamese message per problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors) or "Dữ liệu không hợp lệ")


class StoreBusy(StoreError):
    """The database stayed busy after several retries (never 'database is locked')."""


class Refused:
    """Returned (not raised) from a transaction that must still commit its audit entry."""

    def __init__(self, error: StoreError):
        self.error = error
