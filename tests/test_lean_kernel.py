"""A page's kernel loads only what the page needs: not Voilà's server side (voila.utils pulled in
~45 MB) nor alembic; and the preheated kernel still receives its request (ticket and query)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_form_pages_kernel_imports_neither_voilas_server_nor_alembic(tmp_path):
    from click.testing import CliRunner

    from danvan_kit.cli import main

    assert CliRunner().invoke(main, ["init", "--data-dir", str(tmp_path)]).exit_code == 0
    code = (
        "import sys, os\n"
        "from danvan_kit.app import form_page\n"
        "from danvan_kit.app.context import get_app, request_params\n"
        "app = get_app(); request_params(); app.store.list_accounts()\n"
        "from danvan_kit.app.form_page import FormPage\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'voila', 'alembic', 'jupyter_server', 'pandas',"
        " 'xlsxwriter', 'openpyxl', 'matplotlib'}))\n")
    # a preheated kernel whose server is gone: it looks for its request, finds none, goes on
    env = dict(os.environ, DANVAN_DATA_DIR=str(tmp_path), VOILA_PREHEAT="True", VOILA_APP_PORT=str(_closed_port()),
               VOILA_KERNEL_ID="k-1", DANVAN_PREHEAT_CONNECT_SECONDS="1")
    env.pop("DANVAN_DB_URL", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_a_preheated_kernel_gets_its_request_over_the_query_websocket(monkeypatch):
    """The same protocol as voila 0.5's wait_for_request: connect to /voila/query/<kernel id>, read one JSON."""
    from websockets.sync.server import serve

    from danvan_kit.app.preheat import wait_for_request

    seen = []

    def handler(ws):
        seen.append(ws.request.path)
        ws.send(json.dumps({"QUERY_STRING": "ky=2026-nam", "HTTP_X_DANVAN_TICKET": "t-123"}))

    with serve(handler, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        for key, value in {"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(port), "VOILA_KERNEL_ID": "k-1",
                           "VOILA_SERVER_URL": "/", "QUERY_STRING": "", "HTTP_X_DANVAN_TICKET": ""}.items():
            monkeypatch.setenv(key, value)
        wait_for_request()
        server.shutdown()
    assert seen == ["/voila/query/k-1"]
    assert os.environ["QUERY_STRING"] == "ky=2026-nam" and os.environ["HTTP_X_DANVAN_TICKET"] == "t-123"


def test_a_dropped_query_connection_is_tried_again_until_the_request_arrives(monkeypatch):
    """A busy server may refuse or drop the pooled kernel's first connection; the kernel tries again."""
    from websockets.sync.server import serve

    from danvan_kit.app.preheat import wait_for_request

    attempts = []

    def handler(ws):
        attempts.append(ws.request.path)
        if len(attempts) < 3:
            ws.close()        # dropped before the request came
            return
        ws.send(json.dumps({"QUERY_STRING": "ky=2026-6t"}))

    with serve(handler, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        for key, value in {"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(port), "VOILA_KERNEL_ID": "k-2",
                           "VOILA_SERVER_URL": "/", "QUERY_STRING": "", "DANVAN_PREHEAT_CONNECT_SECONDS": "30"}.items():
            monkeypatch.setenv(key, value)
        wait_for_request()
        server.shutdown()
    assert attempts == ["/voila/query/k-2"] * 3
    assert os.environ["QUERY_STRING"] == "ky=2026-6t"


def test_a_server_never_reached_leaves_the_request_empty_after_the_deadline(monkeypatch):
    import time

    from danvan_kit.app.preheat import wait_for_request

    for key, value in {"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(_closed_port()), "VOILA_KERNEL_ID": "k-3",
                       "QUERY_STRING": "", "DANVAN_PREHEAT_CONNECT_SECONDS": "1"}.items():
        monkeypatch.setenv(key, value)
    began = time.monotonic()
    wait_for_request()
    assert 1 <= time.monotonic() - began < 10          # it kept trying for the deadline, then gave up
    assert os.environ["QUERY_STRING"] == ""


def test_a_kernel_not_preheated_does_not_wait(monkeypatch):
    from danvan_kit.app.preheat import wait_for_request

    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv("VOILA_APP_PORT", "1")   # nothing listens there: it must not even try
    wait_for_request()
