"""What every page needs, built once per kernel: templates, store, and who is asking.

Who is asking: the server's identity provider (app/auth.py) let the request in only with a
live session and handed this page's kernel a one-use ticket in the request's headers
(`HTTP_X_DANVAN_TICKET`). The kernel redeems it in the store for the account and its session;
every store call checks that account and session again, so a forged widget message, an
ended session or a disabled account gets nowhere. Under our Voilà a kernel asks the server's
store (store/remote.py), which checks the same; it never opens the database for a form page.
"""
from __future__ import annotations

import logging
import os
import urllib.parse
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from ..catalog.loading import Catalog, load_catalog
from ..markup import attr, esc
from ..settings import data_dir

__all__ = ["App", "get_app", "request_params", "TICKET_ENV"]

TICKET_ENV = "HTTP_X_DANVAN_TICKET"   # Voilà's http_header_envs turns the header X-Danvan-Ticket into this


class App:
    """The catalog and the store of one kernel."""

    def __init__(self, catalog: Catalog | None = None, store: Any = None, data: str | Path | None = None,
                 export_on_submit: bool = True):
        from ..store.remote import RemoteStore, find_service

        self.data_dir = Path(data) if data else data_dir()
        # Under our Voilà the server's store and templates (store/remote.py); elsewhere this kernel's own.
        service = find_service() if store is None and data is None else None
        remote = RemoteStore(service, fallback=self._own_store) if service else None
        self.catalog = catalog or self._server_catalog(remote) or load_catalog()
        self.store = store or remote or self._own_store()
        self.export_on_submit = export_on_submit  # rebuild the period's workbook after each submit

    def _own_store(self) -> Any:
        from ..store.api import Store

        return Store.open(data_dir=self.data_dir, validator=self.catalog.validator)

    @staticmethod
    def _server_catalog(remote: Any) -> Catalog | None:
        """The templates the server read and checked (this kernel then parses no YAML and imports no
        pydantic); None without a server, or when they do not arrive whole (say, a server still running
        older code than this kernel's), and the kernel reads them itself."""
        if remote is None:
            return None
        try:
            return remote.catalog()
        except Exception:
            logging.getLogger(__name__).exception("the server's templates did not arrive; reading them here")
            return None

    def today(self) -> date:
        from ..settings import local_date

        return local_date(self.store.now())

    def login(self, login: str, passcode: str, client: str = "kernel") -> tuple[Any, str] | None:
        """(account, session token) for a correct login; None otherwise. The server's login page is the
        way in for people; this is for scripts and tests, with the same throttle and audit."""
        result = self.store.log_in(login.strip().lower(), passcode, client=client)
        return (result.account, result.token) if result.account is not None and result.token else None

    def account_from(self, environ: Mapping[str, str] | None = None) -> Any:
        """The account of this page's request (redeems its ticket once), or None."""
        environ = os.environ if environ is None else environ
        ticket = environ.get(TICKET_ENV)
        return self.store.redeem_page_ticket(ticket) if ticket else None

    @staticmethod
    def link(notebook: str, **params: str) -> str:
        """A relative link to another page (the session travels in the cookie, never in the link)."""
        query = {k: v for k, v in params.items() if v}
        return f"{notebook}?{urllib.parse.urlencode(query)}" if query else notebook

    @staticmethod
    def nav(account: Any, home: bool = True) -> str:
        """The line on top of every page: back home, who is logged in, log out."""
        back = f'<a href="{attr(App.link("trang_chu.ipynb"))}">← Trang chủ</a> · ' if home else ""
        return (f'<div class="dv-nav">{back}Đăng nhập: <b>{esc(account.login)}</b> · '
                f'<a class="dv-logout" href="../../logout">Đăng xuất</a></div>')


@lru_cache(maxsize=1)
def get_app() -> App:
    return App()


def request_params() -> dict[str, str]:
    """The page's query string as a dict (waits for the request in a preheated kernel)."""
    from .preheat import wait_for_request  # not voila.utils: it pulls Voilà's server side into the kernel

    wait_for_request()
    query = os.environ.get("QUERY_STRING", "")
    return {k: v[0] for k, v in urllib.parse.parse_qs(query).items() if v}
