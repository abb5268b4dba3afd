"""Errors raised by the submission store (messages in Vietnamese, shown to users)."""
from __future__ import annotations

from typing import Any, Sequence

__all__ = ["StoreError", "AccessDenied", "ValidationFailed", "StoreBusy", "StaleRevision", "Refused"]


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

    def __reduce__(self) -> tuple[Any, ...]:   # travels from the server's store to a page kernel whole
        return type(self), (self.errors, self.fields)


class StaleRevision(StoreError):
    """The window wrote on top of an older revision: someone saved this report since it was opened.

    Nothing is written (never merged silently). `.author`, `.at` and `.number` name the
    revision that is now the latest, so the page can say who changed the form and when.
    """

    def __init__(self, message: str, *, author: str, at: Any, number: int):
        super().__init__(message)
        self.author, self.at, self.number = author, at, number

    def __reduce__(self) -> tuple[Any, ...]:
        return _stale, (str(self), self.author, self.at, self.number)


def _stale(message: str, author: str, at: Any, number: int) -> StaleRevision:
    return StaleRevision(message, author=author, at=at, number=number)


class StoreBusy(StoreError):
    """The database stayed busy after several retries (never 'database is locked')."""


class Refused:
    """Returned (not raised) from a transaction that must still commit its audit entry."""

    def __init__(self, error: StoreError):
        self.error = error
