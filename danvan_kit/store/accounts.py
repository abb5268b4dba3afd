"""Passcodes: scrypt with a random salt per account, verified in constant time; login rules."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from ..forms.text import to_nfc
from .audit import record
from .errors import StoreError, ValidationFailed
from .tables import accounts
from .types import Account

__all__ = ["AccountMethods", "row_to_account", "hash_passcode", "verify_passcode", "normalise_login",
           "check_passcode_rules", "check_login", "ROLES"]

ROLES = ("unit", "analyst")
# scrypt cost: n=2**14, r=8, p=1 (16 MiB, ~50 ms here): the usual interactive-login setting.
_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSCODE = 6


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _scrypt(passcode: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(to_nfc(passcode).encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          dklen=dklen, maxmem=256 * 1024 * 1024)


def hash_passcode(passcode: str) -> str:
    """'scrypt$n$r$p$salt$hash' with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(passcode, salt, _N, _R, _P, _DKLEN)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


@lru_cache(maxsize=1)
def _dummy() -> str:
    """A real hash of a random passcode, checked when the login is unknown or has
    no passcode, so that timing does not tell which logins exist."""
    return hash_passcode(secrets.token_hex(16))


def verify_passcode(passcode: str, stored: str | None) -> bool:
    """True when `passcode` matches `stored`; always spends one scrypt."""
    target = stored or _dummy()
    try:
        scheme, n, r, p, salt, digest = target.split("$")
        expected = base64.b64decode(digest)
        actual = _scrypt(passcode, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected) and scheme == "scrypt" and stored is not None


def normalise_login(login: str) -> str:
    """Logins are NFC, lower-case, without surrounding spaces."""
    return to_nfc(login).strip().lower()


def check_login(login: str) -> str:
    login = normalise_login(login)
    if not _LOGIN.match(login):
        raise ValidationFailed([f"Tên đăng nhập {login!r} không hợp lệ: chỉ dùng chữ thường không dấu, "
                                "số, dấu chấm, gạch ngang, gạch dưới (2–64 ký tự)"])
    return login


def check_passcode_rules(passcode: str) -> None:
    if len(passcode) < MIN_PASSCODE:
        raise ValidationFailed([f"Mật khẩu phải có ít nhất {MIN_PASSCODE} ký tự"])


def row_to_account(row: Row) -> Account:
    return Account(id=row.id, login=row.login, role=row.role, unit_code=row.unit_code,
                   display_name=row.display_name, hub_user=row.hub_user, active=row.active)


class AccountMethods:
    """Account management and log-in, mixed into Store (uses its transactions and clock)."""

    _write: Callable[..., Any]
    _read: Callable[..., Any]
    now: Callable[[], datetime]
    _reference: Callable[..., Any]
    _end_live: Callable[..., int]  # SessionMethods: end an account's sessions in a transaction

    def create_account(self, login: str, *, role: str, unit_code: str | None = None, passcode: str | None = None,
                       display_name: str = "", hub_user: str | None = None) -> Account:
        """Create an account; unit accounts need a unit code. Without a passcode nobody can log in."""
        login = check_login(login)
        if role not in ROLES:
            raise ValidationFailed([f"Vai trò {role!r} không hợp lệ (chọn: unit, analyst)"])
        if role == "unit" and not unit_code:
            raise ValidationFailed(["Tài khoản đơn vị phải gắn với một mã đơn vị (--unit)"])
        if passcode is not None:
            check_passcode_rules(passcode)
        hashed = hash_passcode(passcode) if passcode is not None else None
        hub = to_nfc(hub_user).strip() if hub_user else None
        now = self.now()
        def run(conn: Connection) -> Account:
            if unit_code is not None and unit_code not in self._reference(conn, refresh=True).units:
                raise StoreError(f"Không có đơn vị mã {unit_code!r} (chạy `danvan init` để nạp cây tổ chức)")
            clash = conn.execute(select(accounts.c.login).where(
                (accounts.c.login == login) | ((accounts.c.hub_user == hub) if hub else False))).first()
            if clash is not None:
                raise StoreError(f"Tên đăng nhập {login!r} hoặc người dùng hub {hub!r} đã có tài khoản")
            new_id = conn.execute(accounts.insert().values(
                login=login, role=role, unit_code=unit_code, passcode_hash=hashed,
                display_name=to_nfc(display_name), hub_user=hub, active=True, created_at=now,
            ).returning(accounts.c.id)).scalar_one()
            record(conn, now, None, "create_account", "ok", detail=f"{login} ({role}, {unit_code or '-'})")
            return Account(id=new_id, login=login, role=role, unit_code=unit_code,  # type: ignore[arg-type]
                           display_name=to_nfc(display_name), hub_user=hub)
        return self._write(run)

    def set_passcode(self, login: str, passcode: str) -> int:
        """Set or reset an account's passcode (stored only as a salted scrypt hash) and end its
        sessions ("passcode_reset"); returns how many sessions ended."""
        login = normalise_login(login)
        check_passcode_rules(passcode)
        hashed = hash_passcode(passcode)
        now = self.now()
        def run(conn: Connection) -> int:
            account_id = conn.execute(accounts.update().where(accounts.c.login == login)
                                      .values(passcode_hash=hashed).returning(accounts.c.id)).scalar()
            if account_id is None:
                raise StoreError(f"Không có tài khoản {login!r}")
            ended = self._end_live(conn, now, "passcode_reset", account_id)
            record(conn, now, None, "set_passcode", "ok", detail=f"{login}; kết thúc {ended} phiên đăng nhập")
            return ended
        return self._write(run)

    def set_active(self, login: str, active: bool) -> int:
        """Enable or disable an account. Disabling ends its sessions at once ("disabled");
        enabling does not bring them back. Returns how many sessions ended."""
        login = normalise_login(login)
        now = self.now()
        def run(conn: Connection) -> int:
            account_id = conn.execute(accounts.update().where(accounts.c.login == login)
                                      .values(active=bool(active)).returning(accounts.c.id)).scalar()
            if account_id is None:
                raise StoreError(f"Không có tài khoản {login!r}")
            ended = 0 if active else self._end_live(conn, now, "disabled", account_id)
            what = "mở lại" if active else f"ngừng hoạt động; kết thúc {ended} phiên đăng nhập"
            record(conn, now, None, "set_active", "ok", detail=f"{login}: {what}")
            return ended
        return self._write(run)

    def authenticate(self, login: str, passcode: str) -> Account | None:
        """The account when the passcode matches, else None (the failure is audited).

        No throttle and no session: the log-in page uses `log_in` (store/sessions.py) instead."""
        login = normalise_login(login)
        row = self._read(lambda conn: conn.execute(select(accounts).where(accounts.c.login == login)).first())
        ok = verify_passcode(passcode, row.passcode_hash if row is not None else None)
        ok = ok and row is not None and row.active
        now = self.now()
        self._write(lambda conn: record(conn, now, login[:64], "login", "ok" if ok else "failed"))
        return row_to_account(row) if ok else None

    def account(self, login: str) -> Account | None:
        login = normalise_login(login)
        row = self._read(lambda conn: conn.execute(select(accounts).where(accounts.c.login == login)).first())
        return row_to_account(row) if row is not None else None

    def account_for_hub_user(self, hub_user: str) -> Account | None:
        """The account mapped to a JupyterHub user name (set with create_account(hub_user=...))."""
        name = to_nfc(hub_user).strip()
        row = self._read(lambda conn: conn.execute(
            select(accounts).where(accounts.c.hub_user == name, accounts.c.active.is_(True))).first())
        return row_to_account(row) if row is not None else None

    def list_accounts(self) -> list[Account]:
        rows = self._read(lambda conn: conn.execute(select(accounts).order_by(accounts.c.login)).all())
        return [row_to_account(r) for r in rows]
