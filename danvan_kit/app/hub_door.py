"""The door of a user's own server under JupyterHub (`danvan serve --hub`): one login, at the hub.

`HubIdentityProvider` replaces the app's login page with JupyterHub's OAuth for single-user
servers (`jupyterhub.services.auth.HubOAuth` and its callback handler, configured from the
JUPYTERHUB_* variables the spawner sets). A request gets in only when both hold:

- the hub's OAuth says who this browser is (it went through the hub's login and the hub let it
  reach this server: the access scopes), and that user owns this server;
- our session cookie, which the hub's login set on this server's path (app/hub.py), belongs to a
  live store session of that same account.

The store session is the one the passcode login at the hub opened for this browser, so every
page ticket, page and widget check works as with the app's own login, and whatever ends that
session ends this server's access at once: a passcode reset, `danvan users disable`,
`danvan sessions end`, the hub's logout, the idle limit. Nothing here can open a session: when
the hub knows the browser but its session has ended, the browser is sent to the hub's logout
(which ends the hub's own login and shows its login page), never let in on the hub's word alone.
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler
from tornado import web
from tornado.httputil import url_concat

from ..markup import esc
from .auth import HOME, DanvanIdentityProvider, page

__all__ = ["HubIdentityProvider"]


class HubIdentityProvider(DanvanIdentityProvider):
    """Accounts and sessions from the store, the browser's identity from the hub's OAuth."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.hub_auth = HubOAuth(parent=self)            # refuses to start without the hub's variables
        self.owner = os.environ.get("JUPYTERHUB_USER", "")

    def allowed(self, hub_user: dict[str, Any]) -> bool:
        """The hub user may use this server: it is theirs, and the hub granted this browser access to it."""
        return (bool(self.owner) and hub_user.get("name") == self.owner
                and bool(self.hub_auth.check_scopes(self.hub_auth.access_scopes, hub_user)))

    async def session_of(self, handler: web.RequestHandler) -> Any:
        """The account of a request whose browser the hub vouches for and whose hub login's store
        session is live; None otherwise."""
        hub_user = await self.hub_auth.get_user(handler, sync=False)
        if not hub_user or not self.allowed(hub_user):
            return None
        account = await super().session_of(handler)
        if account is None or account.login != hub_user["name"]:
            return None
        return account

    def get_handlers(self) -> list[tuple[Any, ...]]:
        """Under the server's URL /user/<name>/ (Voilà adds identity-provider routes as they are):
        the OAuth callback, a login that starts the OAuth, a logout through the hub's, and the
        server's root sent to the home page (instead of Voilà's file list)."""
        prefix = getattr(self.parent, "server_url", "/") or "/"
        return [(url_path_join(prefix, "/login"), HubLoginHandler),
                (url_path_join(prefix, "/logout"), HubLogoutHandler),
                (url_path_join(prefix, "/oauth_callback"), OAuthCallbackHandler, {"hub_auth": self.hub_auth}),
                (prefix, HomeHandler)]

    def hub_logout_url(self) -> str:
        return self.hub_auth.hub_host + url_path_join(self.hub_auth.hub_prefix, "logout")


def _local(handler: JupyterHandler, url: str) -> str:
    """`url` if it is a path under this server, else the home page (no redirect off the server)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or "\\" in url or not parts.path.startswith(handler.base_url):
        return f"{handler.base_url}{HOME}"
    return url


class HubLoginHandler(JupyterHandler):
    """Where Voilà sends a request without a session: to the hub's OAuth, or to the hub's logout.

    The hub's OAuth when the browser is not known here (it then comes back through
    /oauth_callback, logged in at the hub or after logging in there). The hub's logout when the hub
    knows the browser but its store session has ended: the hub would otherwise vouch for it again
    at once, and the browser would loop between the two.
    """

    @allow_unauthenticated
    async def get(self) -> None:
        provider: HubIdentityProvider = self.identity_provider  # type: ignore[assignment]
        hub = provider.hub_auth
        hub_user = await hub.get_user(self, sync=False)
        if hub_user and not provider.allowed(hub_user):
            self.set_status(403)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page("Không có quyền", "<h1>Không có quyền</h1><p>"
                             + esc("Trang này thuộc tài khoản khác. Vui lòng mở trang của tài khoản mình.")
                             + "</p>"))
            return
        if hub_user:
            provider.clear_login_cookie(self)
            hub.clear_cookie(self)
            self.redirect(provider.hub_logout_url())
            return
        next_url = _local(self, self.get_argument("next", default=f"{self.base_url}{HOME}"))
        verifier, challenge, method = hub.generate_pkce_code_challenge()
        state = hub.set_state_cookie(self, next_url=next_url, code_verifier=verifier)
        self.redirect(url_concat(hub.login_url, {"state": state, "code_challenge": challenge,
                                                 "code_challenge_method": method}))


class HubLogoutHandler(JupyterHandler):
    """«Đăng xuất»: ends the session in the store, clears this server's cookies, then the hub's logout."""

    @allow_unauthenticated
    async def get(self) -> None:
        provider: HubIdentityProvider = self.identity_provider  # type: ignore[assignment]
        await provider.end_session(self)
        provider.hub_auth.clear_cookie(self)
        self.redirect(provider.hub_logout_url())


class OAuthCallbackHandler(HubOAuthCallbackHandler):
    """JupyterHub's OAuth callback with our HubOAuth (it checks the state cookie and PKCE, then sets
    the hub's token cookie for this server's path)."""

    def initialize(self, hub_auth: HubOAuth) -> None:
        self.hub_auth = hub_auth


class HomeHandler(JupyterHandler):
    """The server's root: the home page (which asks for a login like every page)."""

    @allow_unauthenticated
    def get(self) -> None:
        self.redirect(f"{self.base_url}{HOME}")
