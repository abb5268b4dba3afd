"""Wait, in a preheated kernel, for the request that takes it: a lean copy of `voila.utils.wait_for_request`.

Voilà runs each notebook in a pooled kernel before anyone asks; the page's request
(its query string and the headers named in `http_header_envs`, our ticket among
them) reaches the kernel over a websocket to `<server>/voila/query/<kernel id>`.
`import voila.utils` for its helper pulls the server side of Voilà into every page
kernel (about 45 MB and 700 modules, measured); this does the same with the
`websocket-client` package Jupyter Server itself depends on (0.5 MB in the kernel;
the `websockets` client took 1.4 MB). Kept to the protocol of voila 0.5
(`voila/utils.py`, `voila/query_parameters_handler.py`).
"""
from __future__ import annotations

import json
import os
import time

__all__ = ["wait_for_request", "preheated"]

# How long a pooled kernel keeps trying to reach the server's query socket. Voilà's own helper
# tries once for 5 s; a lean kernel gets there while the server is still starting the rest of
# its pool, and on a busy 2-core machine one try could miss (the page then showed the login
# link instead of the form). The server keeps the request for a kernel that connects late.
CONNECT_SECONDS = 120.0


def preheated() -> bool:
    """True in a kernel Voilà started ahead of a request (its VOILA_PREHEAT variable)."""
    return os.environ.get("VOILA_PREHEAT", "False") != "False"


def _query_url() -> str:
    env = os.environ
    protocol = env.get("VOILA_WS_PROTOCOL", "ws")
    ip = env.get("VOILA_APP_IP", "127.0.0.1")
    port = env.get("VOILA_APP_PORT", "8866")
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{ip}:{port}{base}voila/query/{env.get('VOILA_KERNEL_ID', '')}"


def wait_for_request() -> None:
    """Block until Voilà hands this kernel its request, then put the request's variables in os.environ.

    Does nothing outside a preheated kernel. Like Voilà's own helper it waits as long as the
    kernel waits in the pool. A refused, timed-out or dropped connection is tried again for
    CONNECT_SECONDS; a server that cannot be reached by then leaves the environment as it is
    (the page then finds no ticket and shows the way to the login).
    """
    if not preheated():
        return
    from websocket import WebSocketException, create_connection

    deadline = time.monotonic() + float(os.environ.get("DANVAN_PREHEAT_CONNECT_SECONDS", CONNECT_SECONDS))
    info = None
    while info is None:
        try:
            ws = create_connection(_query_url(), timeout=10)   # the handshake may take 10 s at most
            try:
                ws.settimeout(None)        # then wait in the pool as long as no one asks, as Voilà's helper does
                info = ws.recv() or None   # a close frame reads as "": dropped before the request came
            finally:
                ws.close()
        except (OSError, WebSocketException):
            info = None
        if info is None:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.25)   # the server is busy or not listening yet: try again
    for key, value in json.loads(info).items():
        os.environ[key] = str(value)
