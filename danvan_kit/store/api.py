"""The Store: every public read and write, with access rules enforced here, not in the UI."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection, Row

from ..forms.text import format_moment
from ..settings import local_date
from . import queries, writes
from .accounts import AccountMethods, row_to_account
from .audit import Key, read_audit, record
from .engine import READ_ONLY, dumps, make_engine, resolve_url, run_with_retry
from .errors import AccessDenied, Refused, StaleRevision, StoreError, ValidationFailed
from .reference import Reference, read_reference, unopened_message, upsert_reference
from .review import ReviewMethods
from .sessions import SessionMethods, within_working_day
from .tables import accounts, sessions
from .tickets import TicketMethods
from .types import (
    Account,
    AuditEntry,
    Revision,
    StatusRow,
    SubmitResult,
)

__all__ = ["Store", "MAX_DATA_BYTES", "model_number", "next_model_number"]

MAX_DATA_BYTES = 2 * 1024 * 1024
# (form id, version, data, today=<the store's day>) -> (clean data, []) or (None, errors); errors are
# str() able, and carry `field` when they come from the form engine (catalog.Catalog.validator).
# `today` (keyword) is the store clock's date in Vietnam: what a template's `max: today` means.
Validator = Callable[..., "tuple[dict | None, list[Any]]"]
_ACTIONS_VI = {
    "save_draft": "lưu bản nháp", "submit": "nộp báo cáo", "latest": "xem báo cáo",
    "history": "xem lịch sử báo cáo", "items": "xem danh sách báo cáo", "review": "duyệt báo cáo",
    "review_state": "xem kết quả duyệt", "status": "xem tình hình nộp", "submissions": "xem báo cáo đã nộp",
    "audit": "xem nhật ký hệ thống", "new_item": "đăng ký mô hình mới",
}


_ACCOUNT_BY_ID = select(accounts).where(accounts.c.id == bindparam("id"))
# The account and the session it acts in, by both primary keys: one indexed query.
_ACCOUNT_IN_SESSION = (
    select(accounts, sessions.c.created_at.label("session_started"), sessions.c.ended_at.label("session_ended"))
    .join(sessions, sessions.c.account_id == accounts.c.id)
    .where(accounts.c.id == bindparam("id"), sessions.c.id == bindparam("session_id")))


_MODEL_NUMBER = re.compile(r"^[1-9][0-9]{0,3}$")


def model_number(item: str | int | None) -> str:
    """A "Dân vận khéo" model number as stored: "" (no model) or "1".."9999"; anything else is refused.

    The number names the model in links, file names and workbooks, so it is never free text.
    """
    text = str(item if item is not None else "").strip()
    if text and not _MODEL_NUMBER.match(text):
        raise ValidationFailed([f"Số thứ tự mô hình phải là số nguyên từ 1 đến 9999 (đang là «{text[:20]}»)"])
    return text


def next_model_number(items: Iterable[str]) -> str:
    """The number the next model registered among `items` gets (the store allocates it: Store.new_item)."""
    return model_number(max((int(i) for i in items if i.isdigit()), default=0) + 1)


class Store(AccountMethods, ReviewMethods, SessionMethods, TicketMethods):
    """The submission store. Open with `Store.open()`; thread-safe; one per process."""

    def __init__(self, url: str, *, validator: Validator | None = None,
                 clock: Callable[[], datetime] | None = None):
        self.url = url
        self.engine = make_engine(url)
        self._read_engine = self.engine.execution_options(**READ_ONLY)
        self._validator = validator
        self._clock = clock
        self._ref: Reference | None = None
        self._system = Account(id=0, login="@he-thong", role="analyst", unit_code=None,
                               display_name="Quản trị (dòng lệnh)")

    @classmethod
    def open(cls, url: str | None = None, *, data_dir: str | Path | None = None,
             validator: Validator | None = None, clock: Callable[[], datetime] | None = None) -> "Store":
        """Open the store at `url`, else DANVAN_DB_URL, else <data dir>/danvan.sqlite3."""
        return cls(resolve_url(url, data_dir), validator=validator, clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    # ---- plumbing ---------------------------------------------------------
    def now(self) -> datetime:
        moment = self._clock() if self._clock else datetime.now(timezone.utc)
        if moment.tzinfo is None:
            raise StoreError("clock() must return an aware datetime")
        return moment.astimezone(timezone.utc)

    def _write(self, fn: Callable[[Connection], Any]) -> Any:
        """Run fn in one write transaction (retried when busy); re-raise a refusal after commit."""
        def run() -> Any:
            with self.engine.begin() as conn:
                return fn(conn)
        result = run_with_retry(run)
        if isinstance(result, Refused):
            raise result.error
        return result

    def _read(self, fn: Callable[[Connection], Any]) -> Any:
        def run() -> Any:
            with self._read_engine.begin() as conn:
                return fn(conn)
        return run_with_retry(run)

    def _reference(self, conn: Connection, refresh: bool = False) -> Reference:
        if self._ref is None or refresh:
            self._ref = read_reference(conn)
        return self._ref

    def _refuse(self, actor: Account | None, action: str, error: StoreError, key: Key | None = None,
                outcome: str = "denied") -> StoreError:
        """Audit a refused attempt in its own transaction; returns the error to raise."""
        now = self.now()
        login = actor.login if actor else None
        self._write(lambda conn: record(conn, now, login, action, outcome, key, detail=str(error)))
        return error

    def _resolve(self, conn: Connection, actor: Account) -> Account | None:
        """The actor as stored now (role and unit re-read: a stale or forged object grants nothing).

        An account that came from a log-in session acts only while that session is live: not
        ended (log-out, passcode reset, disabled, ended by an administrator) and within its
        working day. So every widget of an open page stops working once its session ends.
        """
        if actor is self._system:
            return actor
        if not isinstance(actor, Account):
            return None
        if actor.session_id is None:
            row = conn.execute(_ACCOUNT_BY_ID, {"id": actor.id}).first()
        else:
            row = conn.execute(_ACCOUNT_IN_SESSION, {"id": actor.id, "session_id": actor.session_id}).first()
            if row is not None and (row.session_ended is not None
                                    or not within_working_day(row.session_started, self.now())):
                return None
        if row is None or row.login != actor.login or not row.active:
            return None
        return replace(row_to_account(row), session_id=actor.session_id)

    def _allowed(self, actor: Account | None, unit_code: str | None, analyst_only: bool = False) -> bool:
        if actor is None:
            return False
        if actor.role == "analyst":
            return True
        return not analyst_only and unit_code is not None and actor.unit_code == unit_code

    def _denied(self, actor: Account, action: str, unit_code: str | None) -> AccessDenied:
        what = _ACTIONS_VI.get(action, action)
        where = f" của đơn vị {unit_code}" if unit_code else ""
        return AccessDenied(f"Tài khoản {actor.login!r} không có quyền {what}{where}.")

    def _guarded_read(self, actor: Account, action: str, key: Key | None, unit_code: str | None,
                      fn: Callable[[Connection, Account], Any], analyst_only: bool = False,
                      own_rows: bool = False) -> Any:
        """Resolve the actor, check access (own_rows: any account, fn filters), run fn read-only."""
        def run(conn: Connection) -> Any:
            who = self._resolve(conn, actor)
            if who is None or not (own_rows or self._allowed(who, unit_code, analyst_only)):
                return Refused(self._denied(actor, action, unit_code))
            return fn(conn, who)
        result = self._read(run)
        if isinstance(result, Refused):
            raise self._refuse(actor, action, result.error, key)
        return result

    # ---- set-up -----------------------------------------------------------
    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration (safe to repeat)."""
        from .migrate import upgrade  # alembic (~12 MB) only for `danvan init`, never in a page's kernel

        upgrade(self.engine)

    def load_reference(self, organisation: Any, calendar: Any, forms: Iterable[Any] = ()) -> dict[str, int]:
        """Upsert units, periods and form templates (id, version, title, source_text); idempotent."""
        now = self.now()
        forms = list(forms)
        def run(conn: Connection) -> dict[str, int]:
            counts = upsert_reference(conn, organisation, calendar, forms, now)
            record(conn, now, None, "load_reference", "ok", detail=dumps(counts))
            return counts
        counts = self._write(run)
        self._ref = None
        return counts

    def record_event(self, action: str, outcome: str, detail: str) -> None:
        """A system entry in the audit log for something done from the command line (e.g. the demo data)."""
        now = self.now()
        self._write(lambda conn: record(conn, now, self._system.login, action, outcome, detail=detail))

    def system_actor(self) -> Account:
        """An analyst identity for the command line (`danvan status`); only this Store accepts it."""
        return self._system

    # ---- submissions --------------------------------------------------------
    def _key(self, unit_code: str, form_id: str, period_id: str, item: str | int) -> Key:
        return Key(unit_code, form_id, period_id, model_number(item))

    def _check_key(self, conn: Connection, key: Key, template_version: int | None,
                   who: Account | None = None, kind: str = "") -> StoreError | None:
        """Why this write's unit, period or form is refused, or None. A write by `who` (of `kind`
        "draft" or "submitted") before the period opens is refused, except an analyst's draft:
        Phòng Nội vụ may prepare a period, but nothing is submitted (nor "on time") before it opens."""
        ref = self._reference(conn)
        for attempt in range(2):
            unit, period = ref.units.get(key.unit_code), ref.periods.get(key.period_id)
            form_ok = template_version is None or (key.form_id, template_version) in ref.forms
            if unit and period and form_ok:
                break
            if attempt == 0:
                ref = self._reference(conn, refresh=True)
        if unit is None:
            return StoreError(f"Không có đơn vị mã {key.unit_code!r}")
        if template_version is not None and not unit.active:
            return StoreError(f"Đơn vị {unit.name} không còn trong cây tổ chức hiện hành")
        if period is None:
            return StoreError(f"Không có kỳ báo cáo {key.period_id!r}")
        if period.form_id != key.form_id:
            return StoreError(f"Kỳ {period.title} dùng mẫu {period.form_id!r}, không phải {key.form_id!r}")
        if not form_ok:
            return StoreError(f"Chưa nạp mẫu biểu {key.form_id!r} phiên bản {template_version}")
        if who is not None and (who.role != "analyst" or kind == "submitted") \
                and not period.is_open(local_date(self.now())):
            return StoreError(unopened_message(period.title, period.opens,
                                               "nộp báo cáo" if kind == "submitted" else "lưu nháp"))
        return None

    def _write_revision(self, actor: Account, action: str, key: Key, kind: str, data: dict[str, Any],
                        template_version: int, attempt_id: str | None,
                        base_revision: int | None = None) -> tuple[Revision, bool]:
        now = self.now()
        today = local_date(now)

        def run(conn: Connection) -> Any:
            who = self._resolve(conn, actor)
            if not self._allowed(who, key.unit_code):
                err = self._denied(actor, action, key.unit_code)
                record(conn, now, actor.login, action, "denied", key, detail=str(err))
                return Refused(err)
            assert who is not None  # _allowed refuses a missing account
            bad = self._check_key(conn, key, template_version, who, kind)
            if bad is not None:
                record(conn, now, actor.login, action, "invalid", key, detail=str(bad))
                return Refused(bad)
            if attempt_id is not None:
                old = writes.find_attempt(conn, attempt_id)
                if old is not None:
                    return self._duplicate(conn, who, action, key, old, data, now)
            sub = writes.lock_submission(conn, key, now)
            if base_revision is not None and sub.revision_count != base_revision:
                stale = self._stale(conn, sub, base_revision)
                record(conn, now, who.login, action, "stale", key, sub.last_revision_id, detail=str(stale))
                return Refused(stale)
            if kind == "draft":
                last = writes.last_revision(conn, sub.last_revision_id)
                if last is not None and last.kind == "draft" and last.author == who.login \
                        and last.template_version == template_version and last.data == data:
                    return queries.to_revision(last), True
            days_late = max(0, (today - self._reference(conn).periods[key.period_id].due).days)
            on_time = None if kind == "draft" else days_late == 0
            rev = writes.append_revision(
                conn, sub, key, kind=kind, data=data, template_version=template_version, author=who.login,
                now=now, on_time=on_time, days_late=days_late if kind == "submitted" else 0,
                attempt_id=attempt_id)
            late = f", trễ {days_late} ngày" if kind == "submitted" and days_late else ""
            record(conn, now, who.login, action, "ok", key, rev.id, detail=f"bản {rev.number} ({kind}){late}")
            return rev, False

        return self._write(run)

    @staticmethod
    def _stale(conn: Connection, sub: Row, base_revision: int) -> StaleRevision:
        last = writes.last_revision(conn, sub.last_revision_id)
        if last is None:  # cannot happen while revisions are append-only; say it plainly anyway
            return StaleRevision("Báo cáo này đã thay đổi ở nơi khác; bản của anh/chị chưa được lưu. "
                                 "Bấm «Tải bản mới nhất» để làm tiếp.", author="", at=None, number=0)
        what = "nộp" if last.kind == "submitted" else "lưu nháp"
        return StaleRevision(
            f"Chưa lưu: tài khoản «{last.author}» đã {what} báo cáo này lúc {format_moment(last.created_at)} "
            f"(bản số {last.number}) ở một cửa sổ khác, sau khi cửa sổ này được mở (bản số {base_revision}). "
            "Để không ghi đè, bản của anh/chị chưa được lưu. Bấm «Tải bản mới nhất»: nội dung anh/chị "
            "vừa gõ vẫn được giữ lại để chép sang.",
            author=last.author, at=last.created_at, number=last.number)

    def _duplicate(self, conn: Connection, who: Account, action: str, key: Key, old: Row,
                   data: dict[str, Any], now: datetime) -> Any:
        same_key = Key(old.unit_code, old.form_id, old.period_id, old.item) == key
        if not self._allowed(who, old.unit_code):
            err = AccessDenied(f"Tài khoản {who.login!r} không có quyền {_ACTIONS_VI[action]}: mã lần gửi "
                               "đã được dùng cho báo cáo của đơn vị khác.")
            record(conn, now, who.login, action, "denied", key, old.id, detail=str(err))
            return Refused(err)
        note = "gửi lại" if same_key and old.data == data else \
            "mã lần gửi dùng lại với dữ liệu hoặc báo cáo khác: giữ bản gốc"
        record(conn, now, who.login, action, "duplicate", key, old.id, detail=note)
        return queries.to_revision(old), True

    def save_draft(self, actor: Account, unit_code: str, form_id: str, period_id: str, data: dict, *,
                   template_version: int, item: str = "", base_revision: int | None = None) -> Revision:
        """Append a draft revision (not validated; never counts as submitted). Identical repeats are free.

        `base_revision` is the revision number the window started from (0: none yet); when the
        report has moved on since, nothing is written and StaleRevision says who changed it and when.
        """
        key = self._key(unit_code, form_id, period_id, item)
        clean = self._prepare(actor, "save_draft", key, data)
        rev, _ = self._write_revision(actor, "save_draft", key, "draft", clean, int(template_version), None,
                                      base_revision)
        return rev

    def submit(self, actor: Account, unit_code: str, form_id: str, period_id: str, data: dict, *,
               template_version: int, attempt_id: str, item: str = "",
               base_revision: int | None = None) -> SubmitResult:
        """Validate and append a submitted revision, exactly once per attempt_id; late is allowed and flagged.

        A repeat of an attempt returns the original even when the report moved on; otherwise a
        `base_revision` older than the latest revision is refused (StaleRevision), as for drafts.
        """
        key = self._key(unit_code, form_id, period_id, item)
        attempt = str(attempt_id or "").strip()
        if not attempt or len(attempt) > 100:
            raise ValidationFailed(["Thiếu mã lần gửi (attempt_id) hoặc mã dài quá 100 ký tự"])
        if self._validator is not None and isinstance(data, dict):
            checked, errors = self._validator(form_id, int(template_version), data, today=local_date(self.now()))
            if checked is None:
                fields = [e for e in errors if hasattr(e, "field")]
                raise self._refuse(actor, "submit", ValidationFailed([str(e) for e in errors], fields), key,
                                   outcome="invalid")
            data = checked
        clean = self._prepare(actor, "submit", key, data)
        rev, duplicate = self._write_revision(actor, "submit", key, "submitted", clean,
                                              int(template_version), attempt, base_revision)
        return SubmitResult(revision=rev, duplicate=duplicate, on_time=bool(rev.on_time), days_late=rev.days_late)

    def new_item(self, actor: Account, unit_code: str, form_id: str, period_id: str) -> str:
        """Allocate the next "Dân vận khéo" model number of a unit in a period, atomically.

        The submission row is created in the same transaction, so two windows registering
        at once get two numbers (on PostgreSQL a lost race re-runs the transaction).
        """
        key = self._key(unit_code, form_id, period_id, "")
        now = self.now()

        def run(conn: Connection) -> Any:
            who = self._resolve(conn, actor)
            if not self._allowed(who, unit_code):
                err = self._denied(actor, "new_item", unit_code)
                record(conn, now, actor.login, "new_item", "denied", key, detail=str(err))
                return Refused(err)
            assert who is not None  # _allowed refuses a missing account
            bad = self._check_key(conn, key, None, who, "draft")  # nothing allocated before the period opens
            if bad is not None:
                record(conn, now, who.login, "new_item", "invalid", key, detail=str(bad))
                return Refused(bad)
            number = next_model_number(queries.items(conn, unit_code, form_id, period_id))
            new_key = key._replace(item=number)
            writes.create_submission(conn, new_key, now)
            record(conn, now, who.login, "new_item", "ok", new_key, detail=f"mô hình số {number}")
            return number

        return self._write(run)

    def _prepare(self, actor: Account, action: str, key: Key, data: Any) -> dict[str, Any]:
        clean, problem = writes.prepare_data(data, MAX_DATA_BYTES)
        if problem:
            raise self._refuse(actor, action, ValidationFailed([problem]), key, outcome="invalid")
        return clean

    # ---- reading --------------------------------------------------------------
    def latest(self, actor: Account, unit_code: str, form_id: str, period_id: str, *, item: str = "",
               submitted_only: bool = False) -> Revision | None:
        key = self._key(unit_code, form_id, period_id, item)
        return self._guarded_read(actor, "latest", key, unit_code,
                                  lambda conn, who: queries.latest(conn, key, submitted_only))

    def history(self, actor: Account, unit_code: str, form_id: str, period_id: str, *,
                item: str = "") -> list[Revision]:
        key = self._key(unit_code, form_id, period_id, item)
        return self._guarded_read(actor, "history", key, unit_code, lambda conn, who: queries.history(conn, key))

    def items(self, actor: Account, unit_code: str, form_id: str, period_id: str) -> list[str]:
        key = self._key(unit_code, form_id, period_id, "")
        return self._guarded_read(actor, "items", key, unit_code,
                                  lambda conn, who: queries.items(conn, unit_code, form_id, period_id))

    def status(self, actor: Account, period_id: str) -> list[StatusRow]:
        """Analysts: every active reporting unit; a unit account: only its own row."""
        today = local_date(self.now())
        def run(conn: Connection, who: Account) -> list[StatusRow]:
            period = self._period(conn, period_id)
            ref = self._reference(conn)
            if who.role == "analyst":
                chosen = [u for u in ref.units.values() if u.reports and u.active]
            else:
                chosen = [ref.units[who.unit_code]] if who.unit_code in ref.units else []
            return queries.status_rows(conn, period, chosen, today)
        return self._guarded_read(actor, "status", None, None, run, own_rows=True)

    def submissions(self, actor: Account, period_id: str) -> list[Revision]:
        """Latest submitted revision per unit/item, with data (for consolidation and Excel)."""
        def run(conn: Connection, who: Account) -> list[Revision]:
            self._period(conn, period_id)
            names = {c: u.name for c, u in self._reference(conn).units.items()}
            only = None if who.role == "analyst" else [who.unit_code or ""]
            return queries.latest_submitted(conn, period_id, only, names)
        return self._guarded_read(actor, "submissions", None, None, run, own_rows=True)

    def _period(self, conn: Connection, period_id: str):
        period = self._reference(conn).periods.get(period_id) or \
            self._reference(conn, refresh=True).periods.get(period_id)
        if period is None:
            raise StoreError(f"Không có kỳ báo cáo {period_id!r}")
        return period

    def audit(self, actor: Account, limit: int = 200, *, unit_code: str | None = None,
              outcome: str | None = None) -> list[AuditEntry]:
        """Newest entries first; analysts only."""
        return self._guarded_read(actor, "audit", None, None,
                                  lambda conn, who: read_audit(conn, limit, unit_code, outcome),
                                  analyst_only=True)
