"""Result types of the store: small frozen dataclasses, safe to hand to the UI."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = ["Account", "Revision", "SubmitResult", "ReviewInfo", "StatusRow", "AuditEntry", "LoginResult",
           "SessionInfo", "REVIEW_STATES", "STATUS_LABELS", "END_REASONS"]

Role = Literal["unit", "analyst"]
ReviewState = Literal["received", "needs_correction", "approved"]
REVIEW_STATES: tuple[str, ...] = ("received", "needs_correction", "approved")
# Why a session ended (sessions.end_reason).
END_REASONS: tuple[str, ...] = ("logout", "passcode_reset", "disabled", "ended_by_admin", "expired")

STATUS_LABELS = {
    "not_started": "Chưa làm",
    "draft": "Đang soạn",
    "submitted": "Đã nộp",
    "needs_correction": "Cần chỉnh sửa",
    "approved": "Đã duyệt",
    "received": "Đã tiếp nhận",
}


@dataclass(frozen=True)
class Account:
    """A person or unit that can act on the store. `unit_code` is None for analysts."""

    id: int
    login: str
    role: Role
    unit_code: str | None
    display_name: str = ""
    hub_user: str | None = None
    active: bool = True
    # The log-in session this object came from (Store.log_in, Store.session_account); while it is
    # set, the store accepts the object only as long as that session is live.
    session_id: int | None = None

    @property
    def is_analyst(self) -> bool:
        return self.role == "analyst"


@dataclass(frozen=True)
class Revision:
    """One saved version of a submission; never changed once written."""

    id: int
    number: int
    kind: Literal["draft", "submitted"]
    data: dict[str, Any]
    template_version: int
    author: str
    created_at: datetime
    on_time: bool | None  # None for drafts: a draft never counts as submitted
    days_late: int
    unit_code: str = ""
    form_id: str = ""
    period_id: str = ""
    item: str = ""
    attempt_id: str | None = None


@dataclass(frozen=True)
class SubmitResult:
    revision: Revision
    duplicate: bool
    on_time: bool
    days_late: int


@dataclass(frozen=True)
class ReviewInfo:
    state: ReviewState
    comment: str
    reviewer: str
    at: datetime
    adjusted_scores: dict[str, float] | None
    revision_number: int = 0  # which submitted revision was reviewed


@dataclass(frozen=True)
class StatusRow:
    """One reporting unit's position in a period.

    submitted_at/on_time/days_late describe the first submission (when the unit
    met or missed the deadline); for a unit that has not submitted and is past
    the due date, on_time is False and days_late counts the days so far.
    """

    unit_code: str
    unit_name: str
    state: Literal["not_started", "draft", "submitted", "needs_correction", "approved"]
    submitted_at: datetime | None
    on_time: bool | None
    days_late: int
    review_state: str | None
    revision_count: int
    last_submitted_at: datetime | None = None
    items: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None
    action: str
    outcome: Literal["ok", "denied", "invalid", "duplicate", "failed", "locked"]
    unit_code: str | None
    form_id: str | None
    period_id: str | None
    item: str | None
    revision_id: int | None
    detail: str
    client: str | None = None  # the address a log-in or log-out came from


@dataclass(frozen=True)
class LoginResult:
    """The answer to one log-in attempt.

    On success `account` (with its session_id) and `token` (the cookie value, shown once,
    never stored) are set and `message` is "". Otherwise both are None and `message` says
    in Vietnamese what went wrong; `locked_until` is set while the login or the client
    address is locked out. `wait_seconds` is the delay to sleep before answering, whatever
    the outcome, so the answer's timing does not tell a right passcode from a wrong one.
    """

    account: Account | None
    token: str | None = field(repr=False)
    message: str
    wait_seconds: float
    locked_until: datetime | None

    @property
    def ok(self) -> bool:
        return self.token is not None


@dataclass(frozen=True)
class SessionInfo:
    """One log-in session as an administrator sees it (never the token)."""

    login: str
    created_at: datetime
    last_seen: datetime
    client: str
    user_agent: str
    ended_at: datetime | None
    end_reason: str | None
