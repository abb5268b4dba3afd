"""JupyterHub's door mapped to our accounts (`c.JupyterHub.authenticator_class`, hub/jupyterhub_config.py).

The hub asks for the same login and passcode as the app and checks them in the store
(under the store's throttle, audited with the client address); the hub user is the
account's login. The app still asks again at its own page inside the user's server:
the hub's user is never trusted by the app itself (a hub admin could name any user),
and every widget callback checks the account and session in the store as always.
"""
from __future__ import annotations

import asyncio
from typing import Any

from jupyterhub.auth import Authenticator

__all__ = ["DanvanAuthenticator"]


class DanvanAuthenticator(Authenticator):
    """A hub login is an account of the store with its passcode (DANVAN_DB_URL in the hub's environment)."""

    def _check(self, login: str, passcode: str, client: str) -> str | None:
        from ..store import Store

        with Store.open() as store:
            result = store.log_in(login, passcode, client=client, user_agent="JupyterHub")
            if result.account is None or not result.token:
                return None
            store.end_session(result.token, client=client)  # the hub keeps its own cookie; ours is not needed
            return result.account.login

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        login = (data.get("username") or "").strip().lower()
        passcode = data.get("password") or ""
        if not login or not passcode:
            return None
        client = handler.request.remote_ip if handler is not None else "hub"
        return await asyncio.to_thread(self._check, login, passcode, client)
