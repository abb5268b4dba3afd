"""The door, store side: log-in with a throttle every process shares, sessions kept as token
hashes, log-out, and the end of every session of an account whose passcode is reset or which
is disabled. Mixed into Store (uses its transactions, clock and audit), as accounts are.

The HTTP layer (a jupyter_server IdentityProvider) calls `log_in` from its login page, sleeps
`wait_seconds`, sets the token as a cookie, and on every request asks `session_account(token)`.
The numbers (working day, idle limit, delays, lockouts) live in danvan_kit/settings.py.

The throttle is counted in `login_attempts`, so every kernel and every server process sees the
same failures. An attempt is written as a failure *before* its passcode is checked, in the same
serialised transaction that reads the count (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
lock per login and per client address), so a burst of parallel guesses cannot all slip in under
the limit; it turns into a success only when the passcode checks out.
"""
from __future__ import annotations

import hashlib
import secrets
from collections import deque
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Connection, Row

from ..settings import (
    CLIENT_LOCK_AFTER,
    LOCKOUT_MINUTES,
    LOGIN_FREE_FAILURES,
    LOGIN_LOCK_AFTER,
    LOGIN_MAX_WAIT_SECONDS,
    LOGIN_WINDOW_MINUTES,
    SESSION_HOURS,
    SESSION_TOUCH_SECONDS,
    VN_TZ,
    session_idle_minutes,
)
from .accounts import normalise_login, row_to_account, verify_passcode
from .audit import record
from .errors import StoreError, ValidationFailed
from .tables import accounts, login_attempts, sessions
from .types import END_REASONS, Account, LoginResult, SessionInfo

__all__ = ["SessionMethods", "token_hash", "wait_before_answer", "within_working_day", "WRONG_LOGIN",
           "LOCKED_LOGIN"]

WORKING_DAY = timedelta(hours=SESSION_HOURS)
WINDOW = timedelta(minutes=LOGIN_WINDOW_MINUTES)
LOCKOUT = timedelta(minutes=LOCKOUT_MINUTES)
TOUCH_EVERY = timedelta(seconds=SESSION_TOUCH_SECONDS)
# A lockout must outlast the window, so the failures that caused it have left the window when
# it ends (then the next lockout needs as many fresh failures again).
assert LOCKOUT >= WINDOW
MAX_TOKEN_CHARS = 256  # tokens are 43 characters; anything much longer is not one of ours

WRONG_LOGIN = "Sai tài khoản hoặc mật khẩu."
LOCKED_LOGIN = "Đăng nhập tạm bị khóa do nhập sai nhiều lần. Vui lòng thử lại sau {hhmm} (giờ Việt Nam)."

# pg_advisory_xact_lock(namespace, hashtext(key)): one throttle decision at a time per login
# and per client address (migrate.py uses the one-key form, a separate key space).
_PG_LOGIN_LOCK, _PG_CLIENT_LOCK = 33_034, 33_035
_PG_LOCK = text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), hashtext(:key))")

_ACCOUNT_BY_LOGIN = select(accounts).where(accounts.c.login == bindparam("login"))
_ACCOUNT_BY_ID = select(accounts).where(accounts.c.id == bindparam("id"))
_SESSION_BY_HASH = (
    select(accounts, sessions.c.id.label("session_id"), sessions.c.created_at.label("started"),
           sessions.c.last_seen, sessions.c.ended_at)
    .join(sessions, sessions.c.account_id == accounts.c.id)
    .where(sessions.c.token_hash == bindparam("digest")))
_LOGIN_ROWS = (
    select(login_attempts.c.at, login_attempts.c.ok)
    .where(login_attempts.c.login == bindparam("login"), login_attempts.c.at > bindparam("since"))
    .order_by(login_attempts.c.at, login_attempts.c.id))
_CLIENT_FAILURES = (
    select(login_attempts.c.at)
    .where(login_attempts.c.client == bindparam("client"), login_attempts.c.at > bindparam("since"),
           login_attempts.c.ok.is_(False))
    .order_by(login_attempts.c.at, login_attempts.c.id))


def token_hash(token: str) -> str:
    """What the store keeps of a token: its sha256, in hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _digest(token: Any) -> str | None:
    """The hash of something that may be a token; None for anything that cannot be one."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
        return None
    return token_hash(token)


def wait_before_answer(failures: int) -> float:
    """Seconds to wait before answering an attempt that would be failure number `failures`
    in the window: 0 for the first LOGIN_FREE_FAILURES, then 1, 2, 4, … up to LOGIN_MAX_WAIT_SECONDS."""
    extra = failures - LOGIN_FREE_FAILURES
    return 0.0 if extra <= 0 else float(min(2 ** min(extra - 1, 16), LOGIN_MAX_WAIT_SECONDS))


def within_working_day(started: datetime, now: datetime) -> bool:
    """A session is usable for SESSION_HOURS after its log-in, at most."""
    return now - started < WORKING_DAY


def _session_end(started: datetime, last_seen: datetime, idle: timedelta) -> datetime:
    """The moment a session stops being live if nothing touches it again."""
    return min(started + WORKING_DAY, last_seen + idle)


def _hhmm(moment: datetime) -> str:
    """Vietnam clock time, rounded up to the minute (so "after HH:MM" is never too early)."""
    local = moment.astimezone(VN_TZ)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local.strftime("%H:%M")


def _scan(times: list[datetime], limit: int, now: datetime) -> tuple[int, datetime | None]:
    """(failures in the window now, end of the lockout in force or None), from failure times oldest first.

    A lockout starts at the failure that makes `limit` within one window and lasts LOCKOUT.
    Attempts refused during a lockout are not written as failures, so knocking again does not
    prolong it, and the failures that caused it do not count towards the next one.
    """
    recent: deque[datetime] = deque()
    until = None
    for at in times:
        while recent and recent[0] <= at - WINDOW:
            recent.popleft()
        recent.append(at)
        if len(recent) >= limit:
            until = at + LOCKOUT
            recent.clear()
    while recent and recent[0] <= now - WINDOW:
        recent.popleft()
    return len(recent), (until if until is not None and until > now else None)


class _Throttle:
    """Where a login and a client address stand now."""

    def __init__(self, conn: Connection, login: str, client: str, now: datetime):
        since = now - WINDOW - LOCKOUT  # a lockout in force started at most LOCKOUT ago
        rows = conn.execute(_LOGIN_ROWS, {"login": login, "since": since}).all()
        last_ok = max((i for i, r in enumerate(rows) if r.ok), default=-1)  # a success forgives the login
        self.login_failures, login_until = _scan([r.at for r in rows[last_ok + 1:]], LOGIN_LOCK_AFTER, now)
        client_times = list(conn.execute(_CLIENT_FAILURES, {"client": client, "since": since}).scalars())
        self.client_failures, client_until = _scan(client_times, CLIENT_LOCK_AFTER, now)
        self.until = max((t for t in (login_until, client_until) if t is not None), default=None)
        if login_until is not None and login_until == self.until:
            self.why = f"{LOGIN_LOCK_AFTER} lần sai cho tài khoản này trong {LOGIN_WINDOW_MINUTES} phút"
        else:
            self.why = f"{CLIENT_LOCK_AFTER} lần sai từ địa chỉ này trong {LOGIN_WINDOW_MINUTES} phút"

    @property
    def failures(self) -> int:
        return max(self.login_failures, self.client_failures)


class SessionMethods:
    """Log-in, sessions and log-out, mixed into Store."""

    _write: Callable[..., Any]
    _read: Callable[..., Any]
    now: Callable[[], datetime]

    # ---- log-in -----------------------------------------------------------------
    def log_in(self, login: str, passcode: str, *, client: str, user_agent: str = "") -> LoginResult:
        """Check a passcode under the throttle; on success open a session and hand back its token once.

        Every attempt is audited (action "login": ok, failed or locked) with the client address.
        An unknown login costs the same scrypt as a known one. During a lockout even the right
        passcode is refused. Sleep `wait_seconds` before answering, whatever the outcome.
        """
        typed = normalise_login(login if isinstance(login, str) else "")
        name = typed[:64]
        where = (client if isinstance(client, str) else "")[:64]
        agent = (user_agent if isinstance(user_agent, str) else "")[:300]
        passcode = passcode if isinstance(passcode, str) else ""
        now = self.now()

        def admit(conn: Connection) -> tuple[_Throttle, int | None, Row | None]:
            if conn.dialect.name == "postgresql":
                conn.execute(_PG_LOCK, {"ns": _PG_LOGIN_LOCK, "key": name})
                conn.execute(_PG_LOCK, {"ns": _PG_CLIENT_LOCK, "key": where})
            state = _Throttle(conn, name, where, now)
            if state.until is not None:
                record(conn, now, name, "login", "locked", client=where,
                       detail=f"đang tạm khóa đến {_hhmm(state.until)} (giờ Việt Nam): {state.why}")
                return state, None, None
            attempt = conn.execute(login_attempts.insert().values(at=now, login=name, client=where, ok=False)
                                   .returning(login_attempts.c.id)).scalar_one()
            row = conn.execute(_ACCOUNT_BY_LOGIN, {"login": typed}).first() if len(typed) <= 64 else None
            return state, attempt, row

        state, attempt, row = self._write(admit)
        if state.until is not None:
            return LoginResult(None, None, LOCKED_LOGIN.format(hhmm=_hhmm(state.until)),
                               float(LOGIN_MAX_WAIT_SECONDS), state.until)
        wait = wait_before_answer(state.failures + 1)
        stored_hash = row.passcode_hash if row is not None else None
        if verify_passcode(passcode, stored_hash) and row.active:
            opened = self._open_session(row, attempt, now, where, agent)
            if opened is not None:
                account, token = opened
                return LoginResult(account, token, "", wait, None)
            why = "mật khẩu vừa được đặt lại hoặc tài khoản vừa bị ngừng trong lúc đăng nhập"
        elif row is None:
            why = "không có tài khoản này"
        elif stored_hash is None:
            why = "tài khoản chưa có mật khẩu"
        elif not row.active:
            why = "tài khoản đã ngừng hoạt động"
        else:
            why = "sai mật khẩu"

        def refuse(conn: Connection) -> datetime | None:
            until = _Throttle(conn, name, where, now).until  # did this failure start a lockout?
            note = f"; tạm khóa đến {_hhmm(until)} (giờ Việt Nam)" if until else ""
            record(conn, now, name, "login", "failed", detail=why + note, client=where)
            return until

        until = self._write(refuse)
        message = LOCKED_LOGIN.format(hhmm=_hhmm(until)) if until else WRONG_LOGIN
        return LoginResult(None, None, message, wait, until)

    def _open_session(self, row: Row, attempt: int, now: datetime, client: str,
                      agent: str) -> tuple[Account, str] | None:
        """(the account with its new session, the token), unless the account was disabled or its
        passcode reset while the passcode was being checked."""
        token = secrets.token_urlsafe(32)

        def run(conn: Connection) -> Account | None:
            current = conn.execute(_ACCOUNT_BY_ID, {"id": row.id}).first()
            if current is None or not current.active or current.passcode_hash != row.passcode_hash:
                return None
            conn.execute(login_attempts.update().where(login_attempts.c.id == attempt).values(ok=True))
            session_id = conn.execute(sessions.insert().values(
                token_hash=token_hash(token), account_id=current.id, created_at=now, last_seen=now,
                client=client, user_agent=agent).returning(sessions.c.id)).scalar_one()
            record(conn, now, current.login, "login", "ok", detail=f"phiên #{session_id}", client=client)
            return replace(row_to_account(current), session_id=session_id)

        account = self._write(run)
        return (account, token) if account is not None else None

    # ---- sessions -----------------------------------------------------------------
    def session_account(self, token: str | None, *, touch: bool = True) -> Account | None:
        """The account of a live session (its `session_id` set), else None; never raises on a bad token.

        Live: not ended, begun less than SESSION_HOURS ago, seen less than the idle limit ago, and
        the account still active. A session found past its time is marked ended ("expired").
        `touch` records the visit, writing last_seen at most once a minute.
        """
        digest = _digest(token)
        if digest is None:
            return None
        now = self.now()
        idle = timedelta(minutes=session_idle_minutes())
        row = self._read(lambda conn: conn.execute(_SESSION_BY_HASH, {"digest": digest}).first())
        if row is None or row.ended_at is not None or not row.active:
            return None
        end = _session_end(row.started, row.last_seen, idle)
        if now >= end:
            self._write(lambda conn: conn.execute(
                sessions.update().where(sessions.c.id == row.session_id, sessions.c.ended_at.is_(None))
                .values(ended_at=end, end_reason="expired")))
            return None
        if touch and now - row.last_seen >= TOUCH_EVERY:
            self._write(lambda conn: conn.execute(
                sessions.update().where(sessions.c.id == row.session_id, sessions.c.ended_at.is_(None))
                .values(last_seen=now)))
        return replace(row_to_account(row), session_id=row.session_id)

    def end_session(self, token: str | None, *, client: str | None = None) -> bool:
        """Log out: end the session of this token. False when there was no open session to end."""
        digest = _digest(token)
        if digest is None:
            return False
        now = self.now()

        def run(conn: Connection) -> bool:
            row = conn.execute(select(sessions.c.id, accounts.c.login)
                               .join(accounts, accounts.c.id == sessions.c.account_id)
                               .where(sessions.c.token_hash == digest, sessions.c.ended_at.is_(None))).first()
            if row is None:
                return False
            conn.execute(sessions.update().where(sessions.c.id == row.id, sessions.c.ended_at.is_(None))
                         .values(ended_at=now, end_reason="logout"))
            record(conn, now, row.login, "logout", "ok", detail=f"phiên #{row.id}", client=client)
            return True

        return self._write(run)

    def end_sessions(self, login: str | None = None, *, reason: str) -> int:
        """End every open session of one account (None: of every account); returns how many ended."""
        if reason not in END_REASONS:
            raise ValidationFailed([f"Lý do kết thúc phiên {reason!r} không hợp lệ "
                                    f"(chọn: {', '.join(END_REASONS)})"])
        name = normalise_login(login) if login is not None else None
        now = self.now()

        def run(conn: Connection) -> int:
            account_id = None
            if name is not None:
                account_id = conn.execute(select(accounts.c.id).where(accounts.c.login == name)).scalar()
                if account_id is None:
                    raise StoreError(f"Không có tài khoản {name!r}")
            ended = self._end_live(conn, now, reason, account_id)
            record(conn, now, None, "end_sessions", "ok",
                   detail=f"{name or 'mọi tài khoản'}: kết thúc {ended} phiên ({reason})")
            return ended

        return self._write(run)

    def _end_live(self, conn: Connection, now: datetime, reason: str, account_id: int | None = None) -> int:
        """End, in the caller's transaction, every session an open page could still act with
        (not ended, within the working day); returns how many."""
        q = sessions.update().where(sessions.c.ended_at.is_(None), sessions.c.created_at > now - WORKING_DAY)
        if account_id is not None:
            q = q.where(sessions.c.account_id == account_id)
        return conn.execute(q.values(ended_at=now, end_reason=reason)).rowcount

    def list_sessions(self, active_only: bool = True) -> list[SessionInfo]:
        """Sessions by login, oldest first (never a token). A session past its time that nobody
        has looked at since shows as ended ("expired") at the moment it expired."""
        now = self.now()
        idle = timedelta(minutes=session_idle_minutes())
        q = (select(sessions, accounts.c.login).join(accounts, accounts.c.id == sessions.c.account_id)
             .order_by(accounts.c.login, sessions.c.created_at, sessions.c.id))
        if active_only:
            q = q.where(sessions.c.ended_at.is_(None), sessions.c.created_at > now - WORKING_DAY,
                        sessions.c.last_seen > now - idle, accounts.c.active.is_(True))
        rows = self._read(lambda conn: conn.execute(q).all())
        result = []
        for r in rows:
            ended_at, reason = r.ended_at, r.end_reason
            if ended_at is None and now >= _session_end(r.created_at, r.last_seen, idle):
                ended_at, reason = _session_end(r.created_at, r.last_seen, idle), "expired"
            result.append(SessionInfo(login=r.login, created_at=r.created_at, last_seen=r.last_seen,
                                      client=r.client, user_agent=r.user_agent, ended_at=ended_at,
                                      end_reason=reason))
        return result
