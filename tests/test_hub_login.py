"""One login, at JupyterHub, without a hub or a browser: the hub's authenticator (app/hub.py) opens
and ends the store session of a browser's hub login, and a user's server (app/hub_door.py) lets a
request in only with the hub's OAuth identity of its owner *and* that live session."""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from tornado.httputil import HTTPHeaders

from danvan_kit.app.auth import COOKIE, TICKET_HEADER
from danvan_kit.app.hub import HUB_COOKIE, DanvanAuthenticator
from danvan_kit.app.hub_door import HubIdentityProvider, _local
from danvan_kit.app.server import HUB_DOOR, voila_command

PASSCODE = "an-phu-2026"
PAGE = "/user/xa-an-phu/voila/render/bao_cao.ipynb"


def run_async(coroutine):
    """Run a coroutine to its end on a loop of its own thread: in a full run the session's Playwright
    browser keeps an event loop running in the main thread, where asyncio.run() is refused."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def store(app):
    """The store of the shared `app` fixture: xa-an-phu, xa-tan-quan and phongnoivu with passcodes."""
    return app.store


class HubRequest:
    """What the authenticator reads and writes of a hub request: cookies, the client, the hub's paths."""

    def __init__(self, cookies: dict[str, str] | None = None, token: str | None = None):
        self.request = SimpleNamespace(remote_ip="10.1.2.3", protocol="http",
                                       headers=HTTPHeaders({"User-Agent": "Chromium"}))
        self.hub = SimpleNamespace(base_url="/hub/")
        self.base_url = "/"
        self.cookies = dict(cookies or {})
        self.set: dict[tuple[str, str], dict[str, Any]] = {}
        self.cleared: list[tuple[str, str]] = []
        self._token = token

    def get_cookie(self, name: str, default: str | None = None) -> str | None:
        return self.cookies.get(name, default)

    def set_cookie(self, name: str, value: str, path: str = "/", **options: Any) -> None:
        self.set[(name, path)] = dict(options, value=value)

    def clear_cookie(self, name: str, path: str = "/") -> None:
        self.cleared.append((name, path))

    def get_auth_token(self) -> str | None:
        return self._token


def hub_login(store, login: str = "xa-an-phu", passcode: str = PASSCODE, browser: HubRequest | None = None):
    authenticator = DanvanAuthenticator()
    authenticator._store = store
    handler = browser or HubRequest()
    name = run_async(authenticator.authenticate(handler, {"username": login, "password": passcode}))
    return authenticator, handler, name


def refresh(authenticator, handler, login: str = "xa-an-phu") -> bool:
    return run_async(authenticator.refresh_user(SimpleNamespace(name=login), handler))


def test_a_hub_login_opens_a_store_session_and_hands_its_token_to_the_hub_and_the_users_server(store):
    authenticator, handler, name = hub_login(store)
    assert name == "xa-an-phu"
    [session] = store.list_sessions()
    assert session.login == "xa-an-phu" and session.client == "10.1.2.3"
    assert session.user_agent == "JupyterHub · Chromium"
    hub_cookie, server_cookie = handler.set[(HUB_COOKIE, "/hub/")], handler.set[(COOKIE, "/user/xa-an-phu/")]
    assert hub_cookie["value"] == server_cookie["value"] and len(handler.set) == 2
    for cookie in (hub_cookie, server_cookie):
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and not cookie["secure"]
    assert store.session_account(server_cookie["value"]).login == "xa-an-phu"
    assert refresh(authenticator, HubRequest({HUB_COOKIE: hub_cookie["value"]}), "xa-an-phu") is True


def test_a_wrong_passcode_at_the_hub_opens_nothing(store):
    _, handler, name = hub_login(store, passcode="doan-sai")
    assert name is None and handler.set == {} and store.list_sessions() == []
    assert [e.outcome for e in store.audit(store.system_actor(), 5) if e.action == "login"] == ["failed"]


@pytest.mark.parametrize("end", [
    lambda store: store.set_passcode("xa-an-phu", "mat-khau-moi-2026"),
    lambda store: store.end_sessions("xa-an-phu", reason="ended_by_admin"),
    lambda store: store.set_active("xa-an-phu", False),
], ids=["passcode reset", "sessions end", "account disabled"])
def test_the_hub_asks_for_the_login_again_once_the_store_session_has_ended(store, end):
    authenticator, handler, _ = hub_login(store)
    browser = HubRequest({HUB_COOKIE: handler.set[(HUB_COOKIE, "/hub/")]["value"]})
    assert refresh(authenticator, browser, "xa-an-phu") is True
    end(store)
    assert refresh(authenticator, browser, "xa-an-phu") is False
    assert browser._token_authenticated is False          # what JupyterHub 6.1 needs to send it to the login


def test_the_hub_refresh_tells_a_browser_without_our_cookie_from_a_servers_api_call(store):
    authenticator, handler, _ = hub_login(store)
    assert refresh(authenticator, HubRequest(), "xa-an-phu") is False                 # a browser: log in again
    assert refresh(authenticator, HubRequest(token="oauth-token"), "xa-an-phu") is True  # a server's token check
    other = HubRequest({HUB_COOKIE: handler.set[(HUB_COOKIE, "/hub/")]["value"]})
    assert refresh(authenticator, other, "xa-tan-quan") is False      # a session of another account


def test_a_new_hub_login_in_the_same_browser_ends_its_previous_session(store):
    _, first, _ = hub_login(store)
    old = first.set[(HUB_COOKIE, "/hub/")]["value"]
    _, second, _ = hub_login(store, browser=HubRequest({HUB_COOKIE: old}))
    assert store.session_account(old) is None
    assert store.session_account(second.set[(HUB_COOKIE, "/hub/")]["value"]).login == "xa-an-phu"
    assert len(store.list_sessions()) == 1


def test_the_hub_logout_ends_the_store_session_and_clears_both_cookies(store):
    authenticator, handler, _ = hub_login(store)
    token = handler.set[(HUB_COOKIE, "/hub/")]["value"]
    browser = HubRequest({HUB_COOKIE: token})
    assert run_async(authenticator.end_browser_session(browser, "xa-an-phu")) is True
    assert store.session_account(token) is None and store.list_sessions() == []
    assert set(browser.cleared) == {(HUB_COOKIE, "/hub/"), (COOKIE, "/user/xa-an-phu/")}
    [ended] = store.list_sessions(active_only=False)
    assert ended.end_reason == "logout"


# ---- the user's server -------------------------------------------------------------------------

HUB_USERS = {"oauth-an-phu": "xa-an-phu", "oauth-tan-quan": "xa-tan-quan", "oauth-admin": "phongnoivu"}
ACCESS = ["access:servers!server=xa-an-phu/", "access:servers!user=xa-an-phu"]


@pytest.fixture
def door(store, monkeypatch):
    """The identity provider of xa-an-phu's server, as `danvan serve --hub` runs it, with the hub's API
    answered here: a token of HUB_USERS is that user's OAuth token, with access to this server only
    when the user is xa-an-phu."""
    for name, value in {"JUPYTERHUB_API_TOKEN": "server-token", "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-xa-an-phu",
                        "JUPYTERHUB_API_URL": "http://127.0.0.1:1/hub/api", "JUPYTERHUB_USER": "xa-an-phu",
                        "JUPYTERHUB_SERVICE_PREFIX": "/user/xa-an-phu/", "JUPYTERHUB_BASE_URL": "/",
                        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps(ACCESS)}.items():
        monkeypatch.setenv(name, value)
    provider = HubIdentityProvider(max_kernels=100, max_pages_per_session=50, page_window=300)
    provider._store = store
    asked: list[str] = []

    async def hub_api(method: str, url: str, **kwargs: Any) -> dict[str, Any] | None:
        token = kwargs["headers"]["Authorization"].removeprefix("token ")
        asked.append(token)
        name = HUB_USERS.get(token)
        if name is None:
            return None
        granted = ACCESS if name in ("xa-an-phu", "phongnoivu") else ["read:users:name!user"]  # phongnoivu: hub admin
        return {"name": name, "kind": "user", "scopes": granted}

    monkeypatch.setattr(provider.hub_auth, "_api_request", hub_api)
    provider.asked = asked  # type: ignore[attr-defined]
    return provider


class ServerRequest:
    """A request to the user's server: the OAuth token in a header (as HubOAuth reads it), our cookie."""

    def __init__(self, oauth: str | None = None, session: str | None = None, path: str = PAGE):
        headers = {"Authorization": f"token {oauth}"} if oauth else {}
        self.request = SimpleNamespace(headers=HTTPHeaders(headers), method="GET", path=path, remote_ip="127.0.0.1")
        self.settings = {"base_url": "/user/xa-an-phu/",
                         "kernel_manager": SimpleNamespace(list_kernel_ids=lambda: [])}
        self.cookies = {COOKIE: session} if session else {}
        self.cleared: list[str] = []

    def get_cookie(self, name: str, default: str | None = None) -> str | None:
        return self.cookies.get(name, default)

    def clear_cookie(self, name: str, path: str = "/") -> None:
        self.cleared.append(name)

    def get_secure_cookie(self, name: str) -> bytes | None:
        return None          # no OAuth token cookie: these requests carry their token in a header

    def get_argument(self, name: str, default: str = "") -> str:
        return default


def who(door, request: ServerRequest):
    return run_async(door.get_user(request))


def session_token(store, login: str = "xa-an-phu", passcode: str = PASSCODE) -> str:
    return store.log_in(login, passcode, client="10.1.2.3").token


def test_the_owner_with_a_live_hub_login_session_gets_in_and_the_page_gets_a_ticket_of_that_session(store, door):
    token = session_token(store)
    request = ServerRequest("oauth-an-phu", token)
    user = who(door, request)
    assert user is not None and user.username == "xa-an-phu"
    assert "oauth-an-phu" in door.asked                                  # the hub was asked who holds the token
    redeemed = store.redeem_page_ticket(request.request.headers[TICKET_HEADER])
    assert redeemed.login == "xa-an-phu" and redeemed.session_id == store.session_account(token).session_id


def test_the_hubs_word_alone_opens_nothing_without_the_hub_logins_live_session(store, door):
    assert who(door, ServerRequest("oauth-an-phu")) is None                       # no session cookie
    assert who(door, ServerRequest("oauth-an-phu", "not-a-token")) is None
    other = session_token(store, "xa-tan-quan", "tan-quan-2026")
    assert who(door, ServerRequest("oauth-an-phu", other)) is None               # a session of another account


def test_a_session_cookie_alone_does_not_open_a_users_server(store, door):
    token = session_token(store)
    assert who(door, ServerRequest(None, token)) is None                         # no OAuth: not through the hub
    assert who(door, ServerRequest("oauth-stolen?", token)) is None              # a token the hub does not know


def test_another_hub_user_is_refused_even_with_their_own_live_session(store, door):
    theirs = session_token(store, "xa-tan-quan", "tan-quan-2026")
    request = ServerRequest("oauth-tan-quan", theirs)
    assert who(door, request) is None and TICKET_HEADER not in request.request.headers


def test_a_hub_admin_with_access_to_every_server_is_not_let_into_a_units_server(store, door):
    admins = session_token(store, "phongnoivu", "noi-vu-2026")
    assert who(door, ServerRequest("oauth-admin", admins)) is None
    assert who(door, ServerRequest("oauth-admin", session_token(store))) is None   # nor with the owner's session


@pytest.mark.parametrize("end", [
    lambda store, token: store.set_passcode("xa-an-phu", "mat-khau-moi-2026"),
    lambda store, token: store.end_sessions("xa-an-phu", reason="ended_by_admin"),
    lambda store, token: store.set_active("xa-an-phu", False),
    lambda store, token: store.end_session(token),
], ids=["passcode reset", "sessions end", "account disabled", "hub logout"])
def test_whatever_ends_the_store_session_ends_the_servers_access_though_the_hub_still_vouches(store, door, end):
    token = session_token(store)
    assert who(door, ServerRequest("oauth-an-phu", token)) is not None
    end(store, token)
    request = ServerRequest("oauth-an-phu", token)
    assert who(door, request) is None and COOKIE in request.cleared
    assert store.list_sessions() == []                                           # and none was opened again


def test_a_login_redirect_never_leaves_the_users_server():
    handler = SimpleNamespace(base_url="/user/xa-an-phu/")
    home = "/user/xa-an-phu/voila/render/trang_chu.ipynb"
    assert _local(handler, "/user/xa-an-phu/voila/render/bao_cao.ipynb?ky=2026-nam") == \
        "/user/xa-an-phu/voila/render/bao_cao.ipynb?ky=2026-nam"
    for elsewhere in ["https://evil.example/user/xa-an-phu/", "//evil.example/user/xa-an-phu/",
                      "/user/xa-tan-quan/voila/render/bao_cao.ipynb", "/user/xa-an-phu\\..\\x", "/hub/admin"]:
        assert _local(handler, elsewhere) == home, elsewhere


def test_serve_hub_runs_voila_with_the_hubs_door_and_plain_serve_with_the_apps_own():
    hub = voila_command(8000, base_url="/user/xa-an-phu/", preheat=False, hub=True)
    assert f"--Voila.identity_provider_class={HUB_DOOR}" in hub
    assert not [a for a in voila_command(8866) if "identity_provider_class" in a]   # voila.json: the app's door
