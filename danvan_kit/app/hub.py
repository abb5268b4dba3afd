"""JupyterHub's door mapped to our accounts (`c.JupyterHub.authenticator_class`, hub/jupyterhub_config.py).

One login, at the hub. The hub asks for an account's login and passcode and checks them in the
store (the store's throttle and its waits, audited with the client address); the hub user is the
account's login. Like the app's own login page, that login opens a store session for this
browser, and its token goes to the browser in two cookies set like the app's (app/auth.py): one
on the hub's path (`danvan_phien_hub`), so the hub can check and end it, and our session cookie
on the path of the user's own server, /user/<login>/, whose identity provider (app/hub_door.py)
requires it besides the hub's OAuth. The hub keeps nothing of it (no auth_state, so no
encryption key): the browser holds the token, the store its hash.

So whatever ends the session in the store ends the hub login too: a passcode reset,
`danvan users disable`, `danvan sessions end`, the idle limit, the end of the working day. The
user's server refuses the browser at once; `refresh_user` tells the hub, which then asks for the
login again on its own pages (checked at most every `auth_refresh_age` seconds). The
hub's logout (`/hub/logout`, also reached from the app's «Đăng xuất») ends the session, and a new
login in the same browser ends that browser's previous one.
"""
from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from jupyterhub.auth import Authenticator
from jupyterhub.handlers.login import LoginHandler
from jupyterhub.handlers.login import LogoutHandler as HubLogoutHandler
from jupyterhub.utils import url_escape_path, url_path_join
from traitlets import default

from .auth import COOKIE, set_session_cookie

__all__ = ["DanvanAuthenticator", "server_prefix", "HUB_COOKIE"]

HUB_COOKIE = "danvan_phien_hub"  # the same token as COOKIE, on the hub's path (one cookie name per response)

AGENT_PREFIX = "JupyterHub · "  # how `danvan sessions list` tells a hub login from one at the app's page


def server_prefix(base_url: str, login: str) -> str:
    """The path of a user's own server behind the hub, /user/<login>/ (as JupyterHub's User.prefix)."""
    return url_path_join(base_url, "user", url_escape_path(login)) + "/"


class DanvanAuthenticator(Authenticator):
    """A hub login is an account of the store with its passcode (DANVAN_DB_URL in the hub's environment)."""

    @default("auth_refresh_age")
    def _auth_refresh_age_default(self) -> int:
        return 60  # seconds the hub trusts a login before asking the store again (refresh_user)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._store: Any = None

    @property
    def store(self) -> Any:
        """The store of the hub process (DANVAN_DB_URL or the data folder's SQLite file)."""
        if self._store is None:
            from ..store import Store

            self._store = Store.open()
        return self._store

    def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
        return [("/login", LoginHandler), ("/logout", StoreLogoutHandler)]

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        """The account's login when the passcode checks out; its session's token is set on the browser."""
        login = (data.get("username") or "").strip()
        passcode = data.get("password") or ""
        if not login or not passcode or handler is None:
            return None
        client = handler.request.remote_ip or ""
        agent = AGENT_PREFIX + handler.request.headers.get("User-Agent", "")
        result = await asyncio.to_thread(partial(self.store.log_in, login, passcode, client=client,
                                                 user_agent=agent[:300]))
        if result.wait_seconds:
            await asyncio.sleep(result.wait_seconds)
        if result.account is None or not result.token:
            return None
        previous = handler.get_cookie(HUB_COOKIE)
        if previous and previous != result.token:       # this browser's earlier login, ended, not left open
            await asyncio.to_thread(partial(self.store.end_session, previous, client=client))
        set_session_cookie(handler, result.token, handler.hub.base_url, name=HUB_COOKIE)
        set_session_cookie(handler, result.token, server_prefix(handler.base_url, result.account.login))
        return str(result.account.login)

    async def refresh_user(self, user: Any, handler: Any = None) -> bool:
        """False (log in again) once this browser's session has ended in the store.

        A request without our cookie is either an API call by token (a user's server asking who
        holds its OAuth token: nothing of a browser to check, and the hub cannot send it to a
        login) or a browser that lost it (closed, or logged in before this version): log in again.
        """
        if handler is None:
            return True
        token = handler.get_cookie(HUB_COOKIE)
        if not token:
            live = bool(handler.get_auth_token())
        else:
            account = await asyncio.to_thread(self.store.session_account, token)
            live = account is not None and account.login == user.name
        if not live and not hasattr(handler, "_token_authenticated"):
            # JupyterHub 6.1's refresh_auth reads this on a refused refresh but sets it only for
            # requests authenticated by token: without it a cookie request fails with AttributeError.
            handler._token_authenticated = False
        return live

    async def end_browser_session(self, handler: Any, login: str | None) -> bool:
        """Log out: end the session of the browser's cookie in the store and clear its cookies."""
        token = handler.get_cookie(HUB_COOKIE)
        ended = False
        if token:
            ended = await asyncio.to_thread(partial(self.store.end_session, token,
                                                    client=handler.request.remote_ip or ""))
        handler.clear_cookie(HUB_COOKIE, path=handler.hub.base_url)
        if login:
            handler.clear_cookie(COOKIE, path=server_prefix(handler.base_url, login))
        return bool(ended)


class StoreLogoutHandler(HubLogoutHandler):
    """The hub's logout, which also ends the browser's session in the store."""

    async def handle_logout(self) -> None:
        user = self.current_user
        await self.authenticator.end_browser_session(self, user.name if user is not None else None)
