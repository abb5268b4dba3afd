"""The login box: unit code (or account) and passcode."""
from __future__ import annotations

import time
from typing import Callable

import ipywidgets as w

from ..markup import esc

__all__ = ["LoginView"]


class LoginView(w.VBox):
    """Calls `on_login(account, token)` after a correct login; says so in Vietnamese otherwise."""

    def __init__(self, app, on_login: Callable[[object, str], None], note: str = ""):
        self.app = app
        self.on_login = on_login
        self.login = w.Text(placeholder="ví dụ: xa-an-phu", description="Tài khoản", style={"description_width": "8em"})
        self.passcode = w.Password(description="Mật khẩu", style={"description_width": "8em"})
        self.button = w.Button(description="Đăng nhập", button_style="primary", icon="sign-in")
        self.message = w.HTML()
        self.button.on_click(lambda _b: self.submit())
        # Enter in the passcode box logs in too (the value arrives on Enter or when the box loses focus)
        self.passcode.continuous_update = False
        self.passcode.observe(lambda change: self.submit() if change["new"] and self.login.value.strip() else None,
                              "value")
        self._last_attempt = 0.0
        parts = [w.HTML("<h2>Đăng nhập</h2><p>Dùng tài khoản của đơn vị do Phòng Nội vụ cấp.</p>")]
        if note:
            parts.append(w.HTML(f"<p>{esc(note)}</p>"))
        super().__init__(parts + [self.login, self.passcode, self.button, self.message])
        self.add_class("dv-login")

    def submit(self) -> bool:
        login, passcode = self.login.value.strip(), self.passcode.value
        if not passcode and time.monotonic() - self._last_attempt < 3:
            return False  # the click that follows an Enter already answered: keep its message
        if not login or not passcode:
            self.message.value = '<span style="color:#b00020">Vui lòng nhập tài khoản và mật khẩu.</span>'
            return False
        self.button.disabled = True
        try:
            result = self.app.login(login, passcode)
        finally:
            self.button.disabled = False
        self._last_attempt = time.monotonic()
        self.passcode.value = ""
        if result is None:
            self.message.value = '<span style="color:#b00020">Sai tài khoản hoặc mật khẩu.</span>'
            return False
        self.message.value = ""
        self.on_login(*result)
        return True
