"""Signed session tokens that carry a login from one Voilà page to the next.

Each Voilà page load is a fresh kernel, so who is logged in must travel with
the request. After a login the pages link to each other with `?s=<token>`: the
token names the account and an expiry, signed with HMAC-SHA256 under a secret
kept in the data directory (created 0600 on first use). No passcode ever
appears in a URL. Deleting session.key ends every session at once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

__all__ = ["Sessions", "SESSION_HOURS"]

SESSION_HOURS = 10  # a working day


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Issue and check tokens."""

    def __init__(self, data_dir: str | Path):
        path = Path(data_dir) / "session.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another kernel made it first
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32))
        self._secret = bytes.fromhex(path.read_text().strip())

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()[:24])

    def issue(self, login: str, hours: float = SESSION_HOURS, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + hours * 3600)
        payload = f"{_b64(login.encode())}.{expires}"
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str | None, now: float | None = None) -> str | None:
        """The login of a valid, unexpired token; None otherwise."""
        if not token or len(token) > 500 or token.count(".") != 2:
            return None
        payload, _, signature = token.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        login_b64, expires = payload.split(".")
        try:
            if int(expires) < (now if now is not None else time.time()):
                return None
            return _unb64(login_b64).decode()
        except (ValueError, UnicodeDecodeError):
            return None
