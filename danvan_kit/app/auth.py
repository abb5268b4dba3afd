"""The door: logins at the HTTP layer, with jupyter_server's own identity-provider mechanism.

Voilà guards every page and websocket with `@web.authenticated`, which asks the identity
provider who is calling. `DanvanIdentityProvider` answers from the store: the browser holds
only a random session token in an HttpOnly, SameSite=Strict cookie, the store holds its
hash in the sessions table. A request without a live session is sent to the Vietnamese login
page before any kernel starts. For a page load it also hands the page's kernel a one-use
ticket (an HTTP header Voilà passes to the kernel, see voila.json's `http_header_envs`): the
kernel redeems it in the store for the account and its session, so no secret ever travels
in a URL and ending a session in the store ends it everywhere.

Configured in voila.json: `Voila.identity_provider_class`.
"""
from __future__ import annotations

import asyncio
import os
import threading
import time
from collections import defaultdict, deque
from functools import partial
from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.auth.login import LoginFormHandler
from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from traitlets import Integer, Unicode, default

from ..markup import attr, esc

__all__ = ["DanvanIdentityProvider", "COOKIE", "TICKET_HEADER", "HOME", "page", "client_address",
           "set_session_cookie"]

COOKIE = "danvan_phien"
TICKET_HEADER = "X-Danvan-Ticket"
HOME = "voila/render/trang_chu.ipynb"

_STYLE = """
body{font-family:"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;background:#f5f7fa;margin:0;color:#222}
main{max-width:26em;margin:8vh auto;background:#fff;padding:1.5em 2em;border-radius:6px;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4em;margin:.2em 0 .6em}label{display:block;margin:.8em 0 .2em}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5em;font-size:1em;
border:1px solid #bbb;border-radius:3px}
button{margin-top:1.2em;padding:.55em 1.4em;font-size:1em;background:#1565c0;color:#fff;border:0;
border-radius:3px;cursor:pointer}
.dv-message{color:#b00020;margin-top:1em}.dv-note{color:#555;font-size:.92em}
"""


def page(title: str, body: str) -> str:
    """A small complete HTML page in Vietnamese (body is markup built by the caller with `esc`)."""
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body><main>{body}</main></body></html>")


def _int_env(name: str, fallback: int) -> int:
    try:
        return int(os.environ.get(name, fallback))
    except ValueError:
        return fallback


class DanvanIdentityProvider(IdentityProvider):
    """Accounts, sessions and login throttling from the danvan store."""

    cookie_name = Unicode(COOKIE, config=True, help="Name of the session cookie.")
    max_kernels = Integer(config=True, help="Most kernels this server runs at once (env DANVAN_MAX_KERNELS).")
    max_pages_per_session = Integer(
        config=True, help="Most page loads (each a kernel) per session within `page_window` seconds "
                          "(env DANVAN_MAX_PAGES_PER_SESSION).")
    page_window = Integer(
        config=True, help="Seconds over which page loads of one session are counted; about the idle time "
                          "after which Voilà culls the kernel of a closed page (env DANVAN_PAGE_WINDOW).")

    @default("max_kernels")
    def _max_kernels_default(self) -> int:
        return _int_env("DANVAN_MAX_KERNELS", 150)

    @default("max_pages_per_session")
    def _max_pages_default(self) -> int:
        return _int_env("DANVAN_MAX_PAGES_PER_SESSION", 12)

    @default("page_window")
    def _page_window_default(self) -> int:
        return _int_env("DANVAN_PAGE_WINDOW", 300)

    @default("token")
    def _token_default(self) -> str:
        return ""  # no Jupyter token: the store's accounts are the only way in

    need_token = False

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._store: Any = None
        self._catalog: Any = None
        self._store_lock = threading.RLock()
        self._pages: dict[int, deque[float]] = defaultdict(deque)
        # The pages' kernels ask this server's store (store/remote.py) instead of each opening it.
        from ..store.remote import start_service

        self.store_service = start_service(getattr(self.parent, "connection_dir", None), lambda: self.store,
                                           catalog=lambda: self.catalog)

    @property
    def catalog(self) -> Any:
        """The templates as this server read them at its first need: what its store checks submissions
        against, and what its pages' kernels are handed (a new form version is used after a restart)."""
        with self._store_lock:
            if self._catalog is None:
                from ..catalog import load_catalog

                self._catalog = load_catalog()
            return self._catalog

    @property
    def store(self) -> Any:
        """The store of this server process (DANVAN_DB_URL or the data folder's SQLite file), for the door
        and for the pages' kernels; it checks submissions against the templates, as a kernel's did."""
        with self._store_lock:
            if self._store is None:
                from ..store import Store

                self._store = Store.open(validator=self.catalog.validator)
            return self._store

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return True

    @property
    def logout_available(self) -> bool:
        return True

    def get_handlers(self) -> list[tuple[Any, ...]]:
        """Our login and logout pages (Voilà passes its own login handler class; ours replaces it).

        Under Voilà's server URL (e.g. /user/<name>/ behind JupyterHub's proxy), as Voilà's own
        handlers are: Voilà adds these routes as they are.
        """
        from jupyter_server.utils import url_path_join

        prefix = getattr(self.parent, "server_url", "/") or "/"
        return [(url_path_join(prefix, "/login"), LoginHandler), (url_path_join(prefix, "/logout"), LogoutHandler)]

    async def get_user(self, handler: web.RequestHandler) -> User | None:
        """The account of the request's session, or None (Voilà then sends it to the login page)."""
        handler.request.headers.pop(TICKET_HEADER, None)   # only this method may set it
        account = await self.session_of(handler)
        if account is None:
            return None
        loop = asyncio.get_running_loop()
        if _is_page_load(handler):
            self._check_capacity(handler, account.session_id)
            ticket = await loop.run_in_executor(None, partial(self.store.issue_page_ticket, account))
            if ticket is None:
                return None
            handler.request.headers[TICKET_HEADER] = ticket
        return User(username=account.login, name=account.display_name or account.login)

    async def session_of(self, handler: web.RequestHandler) -> Any:
        """The account (with its session) of the request's session cookie, or None; a cookie whose
        session has ended is cleared."""
        token = handler.get_cookie(COOKIE)
        if not token:
            return None
        account = await asyncio.get_running_loop().run_in_executor(
            None, partial(self.store.session_account, token))
        if account is None:
            self.clear_login_cookie(handler)
        return account

    def _check_capacity(self, handler: web.RequestHandler, session_id: int) -> None:
        """Refuse a page load (a new kernel) past the server's or the session's cap, with a Vietnamese page."""
        manager = handler.settings.get("kernel_manager")
        running = len(manager.list_kernel_ids()) if manager is not None else 0
        now = time.monotonic()
        loads = self._pages[session_id]
        while loads and now - loads[0] > self.page_window:
            loads.popleft()
        if running >= self.max_kernels:
            _refuse(handler, 503, "Máy chủ đang quá tải",
                    "Máy chủ đang phục vụ quá nhiều trang cùng lúc. Vui lòng đóng các trang không dùng và "
                    "thử lại sau ít phút.")
        if len(loads) >= self.max_pages_per_session:
            minutes = max(1, round(self.page_window / 60))
            _refuse(handler, 429, "Mở quá nhiều trang",
                    f"Phiên đăng nhập này đã mở {len(loads)} trang trong {minutes} phút vừa qua. Vui lòng dùng "
                    f"lại các trang đang mở hoặc đóng bớt, rồi thử lại sau {minutes} phút.")
        loads.append(now)

    def set_session_cookie(self, handler: web.RequestHandler, token: str) -> None:
        set_session_cookie(handler, token, _cookie_path(handler))

    def clear_login_cookie(self, handler: web.RequestHandler) -> None:
        handler.clear_cookie(COOKIE, path=_cookie_path(handler))

    async def end_session(self, handler: web.RequestHandler) -> None:
        """Log out: end the session of the request's cookie in the store (every open page of it
        stops working) and clear the cookie."""
        token = handler.get_cookie(COOKIE)
        if token:
            await asyncio.get_running_loop().run_in_executor(
                None, partial(self.store.end_session, token, client=client_address(handler.request)))
        self.clear_login_cookie(handler)

    def validate_security(self, app: Any, ssl_options: dict[str, Any] | None = None) -> None:
        """Nothing to warn about: there is no token, and every request needs a session."""


def set_session_cookie(handler: web.RequestHandler, token: str, path: str, name: str = COOKIE) -> None:
    """A session cookie on `path`: HttpOnly, SameSite=Strict, Secure over HTTPS; a browser-session
    cookie (the store expires the session). JupyterHub's login sets it too (app/hub.py)."""
    handler.set_cookie(name, token, path=path, httponly=True, samesite="Strict",
                       secure=handler.request.protocol == "https")


def _cookie_path(handler: web.RequestHandler) -> str:
    return handler.settings.get("base_url", "/") or "/"


def _is_page_load(handler: web.RequestHandler) -> bool:
    return handler.request.method == "GET" and "/voila/render/" in handler.request.path


def _refuse(handler: web.RequestHandler, status: int, title: str, message: str) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.finish(page(title, f"<h1>{esc(title)}</h1><p>{esc(message)}</p>"))
    raise web.Finish()


def client_address(request: Any) -> str:
    """The browser's address: the peer, or — only when the peer is this machine's reverse proxy —
    the address nginx puts in X-Real-IP (a header from anywhere else could be forged)."""
    peer = request.remote_ip or ""
    forwarded = request.headers.get("X-Real-IP", "").strip()
    if forwarded and (peer.startswith("127.") or peer == "::1"):
        return forwarded[:64]
    return peer[:64]


def _home(handler: JupyterHandler) -> str:
    return f"{handler.base_url}{HOME}"


class LoginHandler(LoginFormHandler):
    """The Vietnamese login page: GET shows the form, POST checks the passcode in the store."""

    def _form(self, message: str = "", login: str = "") -> None:
        next_url = self.get_argument("next", default=_home(self))
        note = "Dùng tài khoản của đơn vị do Phòng Nội vụ cấp."
        body = (f'<h1>Đăng nhập</h1><p class="dv-note">{esc(note)}</p>'
                f'<form method="post" action="{attr(self.base_url)}login" class="dv-login">'
                f"{self.xsrf_form_html()}"
                f'<input type="hidden" name="next" value="{attr(next_url)}">'
                f'<label for="tai_khoan">Tài khoản</label>'
                f'<input type="text" id="tai_khoan" name="tai_khoan" value="{attr(login)}" '
                f'autocomplete="username" autocapitalize="none" spellcheck="false" placeholder="ví dụ: xa-an-phu" '
                f"required autofocus>"
                f'<label for="mat_khau">Mật khẩu</label>'
                f'<input type="password" id="mat_khau" name="mat_khau" autocomplete="current-password" required>'
                f'<button type="submit">Đăng nhập</button>'
                + (f'<p class="dv-message" role="alert">{esc(message)}</p>' if message else "")
                + "</form>")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(page("Đăng nhập", body))

    @allow_unauthenticated
    def get(self) -> None:
        self._form()

    @allow_unauthenticated
    async def post(self) -> None:
        provider: DanvanIdentityProvider = self.identity_provider  # type: ignore[assignment]
        login = self.get_argument("tai_khoan", default="")[:100]
        passcode = self.get_argument("mat_khau", default="")[:500]
        if not login.strip() or not passcode:
            self.set_status(400)
            self._form("Vui lòng nhập tài khoản và mật khẩu.", login)
            return
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, partial(
            provider.store.log_in, login, passcode, client=client_address(self.request),
            user_agent=self.request.headers.get("User-Agent", "")[:300]))
        if result.wait_seconds:
            await asyncio.sleep(result.wait_seconds)
        if result.account is None:
            self.set_status(429 if result.locked_until else 401)
            self._form(result.message, login)
            return
        self.log.info("login %s from %s", result.account.login, client_address(self.request))
        provider.set_session_cookie(self, result.token)
        self._redirect_safe(self.get_argument("next", default=_home(self)), default=_home(self))


class LogoutHandler(JupyterHandler):
    """Ends the session in the store (so every open page of it stops working) and clears the cookie."""

    @allow_unauthenticated
    async def get(self) -> None:
        provider: DanvanIdentityProvider = self.identity_provider  # type: ignore[assignment]
        await provider.end_session(self)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(page("Đã đăng xuất", f'<h1>Đã đăng xuất</h1><p>Phiên làm việc đã kết thúc trên máy chủ.</p>'
                                        f'<p><a href="{attr(self.base_url)}login">Đăng nhập lại</a></p>'))
