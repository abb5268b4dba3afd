"""Errors raised by the submission store (messages in Vietnamese, shown to users)."""
from __future__ import annotations

from typing import Any, Sequence

__all__ = ["StoreError", "AccessDenied", "ValidationFailed", "StoreBusy", "Refused"]


class StoreError(Exception):
    """Base class: unknown unit/period/form, store not initialised, and the like."""


class AccessDenied(StoreError, PermissionError):
    """The acting account may not do this (the attempt is in the audit log)."""


class ValidationFailed(StoreError, ValueError):
    """Data refused; `.errors` holds one Vietnamese message per problem.

    `.fields` keeps the form engine's structured errors (objects with `field`, `label`,
    `message`) when the refusal came from the form's own rules, so a page can mark the
    very fields the store refused.
    """

    def __init__(self, errors: list[str], fields: Sequence[Any] = ()):
        self.errors = list(errors)
        self.fields = list(fields)
        super().__init__("; ".join(self.errors) or "Dữ liệu không hợp lệ")


class StoreBusy(StoreError):
    """The database stayed busy after several retries (never 'database is locked')."""


class Refused:
    """Returned (not raised) from a transaction that must still commit its audit entry."""

    def __init__(self, error: StoreError):
        self.error = error
