"""What every page needs, built once per kernel: templates, store, sessions, the request.

Who is asking: under JupyterHub the hub's user (JUPYTERHUB_USER, inherited by
the kernel) maps to an account; otherwise a signed session token from the
page's query string (`?s=…`) names it. Both end in a store Account, and every
store call checks that account again, so a forged widget message gets nowhere.
"""
from __future__ import annotations

import os
import urllib.parse
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from ..catalog.loading import Catalog, load_catalog
from ..settings import data_dir
from .sessions import Sessions

__all__ = ["App", "get_app", "request_params"]


class App:
    """The catalog, the store and the session signer of one kernel."""

    def __init__(self, catalog: Catalog | None = None, store=None, data: str | Path | None = None,
                 export_on_submit: bool = True):
        from ..store import Store  # the store is only needed once a page is really used

        self.catalog = catalog or load_catalog()
        self.data_dir = Path(data) if data else data_dir()
        self.store = store or Store.open(data_dir=self.data_dir, validator=self.catalog.validator)
        self.sessions = Sessions(self.data_dir)
        self.export_on_submit = export_on_submit  # rebuild the period's workbook after each submit

    def today(self) -> date:
        from ..settings import local_date

        return local_date(self.store.now())

    def login(self, login: str, passcode: str):
        """(account, token) for a correct login; None otherwise (the store audits failures)."""
        account = self.store.authenticate(login.strip().lower(), passcode)
        if account is None:
            return None
        return account, self.sessions.issue(account.login)

    def account_from(self, params: Mapping[str, str]):
        """The account of this request: the hub user, else a valid session token."""
        hub_user = os.environ.get("JUPYTERHUB_USER")
        if hub_user:
            return self.store.account_for_hub_user(hub_user)
        login = self.sessions.verify(params.get("s"))
        if login is None:
            return None
        account = self.store.account(login)
        return account if account is not None and account.active else None

    @staticmethod
    def link(notebook: str, token: str | None, **params: str) -> str:
        """A relative link to another page that keeps the session."""
        query = {k: v for k, v in {"s": token, **params}.items() if v}
        return f"{notebook}?{urllib.parse.urlencode(query)}" if query else notebook


@lru_cache(maxsize=1)
def get_app() -> App:
    return App()


def request_params() -> dict[str, str]:
    """The page's query string as a dict (waits for the request in a preheated kernel)."""
    if os.environ.get("VOILA_PREHEAT", "False") != "False":
        from voila.utils import wait_for_request

        wait_for_request()
    query = os.environ.get("QUERY_STRING", "")
    return {k: v[0] for k, v in urllib.parse.parse_qs(query).items() if v}
