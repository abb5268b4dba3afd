"""A page's kernel loads only what the page needs, and the preheated kernel still receives its request.

Each page's notebook is run, as a preheated kernel runs it, in a fresh interpreter that first
imports what a one-widget kernel holds anyway (ipykernel, ipywidgets); whatever the page adds
must be on PAGE_MAY_ADD. Measured once (bench/form_load.py): Voilà's server side (~45 MB),
PostgreSQL's dialect on SQLite (~2 MB) and the `websockets` client (~1 MB) came in this way; the
store itself (SQLAlchemy, ~14 MB) is asked of the server (store/remote.py), as under Voilà, and so
are the templates, already checked (pydantic and PyYAML, ~8 MB).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Top-level modules a page's kernel may import beyond a one-widget kernel's: what a page needs.
PAGE_MAY_ADD = {
    "danvan_kit",
    "multiprocessing", "_multiprocessing", "__mp_main__",                  # asking the server's store
    "websocket", "http", "encodings", "stringprep",                         # waiting for the request
    "fractions", "secrets", "unicodedata",
}
# ... and nothing of these, though their packages are allowed
PAGE_MUST_NOT_ADD = ("danvan_kit.store.api", "danvan_kit.store.tables", "http.client")
# The page's notebook as a preheated kernel runs it, after what a one-widget kernel imports anyway.
RUN_NOTEBOOK = """
import json, sys
import ipykernel.ipkernel, ipykernel.kernelapp, ipywidgets, IPython.display
before = set(sys.modules)
namespace = {}
for cell in json.load(open(sys.argv[1], encoding="utf-8"))["cells"]:
    if cell["cell_type"] == "code":
        exec("".join(cell["source"]), namespace)
from ipywidgets.widgets.widget import _instances
widgets = list(_instances.values())
classes = sorted({c for w in widgets for c in getattr(w, "_dom_classes", ())})
html = [w.value for w in widgets if isinstance(w, ipywidgets.HTML)]
print(json.dumps({"added": sorted(set(sys.modules) - before), "classes": classes, "html": html}))
"""
# What shows the page was built for the logged-in unit (the bench waits for the same)
BUILT = {"trang_chu.ipynb": "dv-home-page", "bao_cao.ipynb": "dv-field-ngay_bao_cao",
         "tu_cham_diem.ipynb": "dv-field-tc_1_1", "dan_van_kheo.ipynb": "dv-field-ten_mo_hinh"}


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    from danvan_kit.catalog import load_catalog
    from danvan_kit.store import Store

    folder = tmp_path_factory.mktemp("lean")
    catalog = load_catalog(ROOT / "templates")
    with Store.open(data_dir=folder, validator=catalog.validator) as store:
        store.migrate()
        store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
        store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode="an-phu-2026")
    return folder


@pytest.fixture(scope="module")
def store_service(data_dir, tmp_path_factory):
    """The server's side: its store served to the kernels, as our Voilà's door starts it."""
    from danvan_kit.catalog import load_catalog
    from danvan_kit.store import Store
    from danvan_kit.store.remote import StoreService

    catalog = load_catalog(ROOT / "templates")
    store = Store.open(data_dir=data_dir, validator=catalog.validator)
    service = StoreService(tmp_path_factory.mktemp("connections"), lambda: store, catalog=lambda: catalog)
    yield service
    service.close()
    store.close()


def _ticket(data_dir: Path) -> str:
    """A page ticket for a fresh session of the unit, as the server's door issues one."""
    from danvan_kit.store import Store

    with Store.open(data_dir=data_dir) as store:
        token = store.log_in("xa-an-phu", "an-phu-2026", client="test").token
        ticket = store.issue_page_ticket(store.session_account(token))
    assert ticket
    return ticket


@pytest.mark.parametrize("notebook", sorted(BUILT))
def test_a_preheated_page_kernel_adds_only_what_the_page_needs(notebook, data_dir, store_service):
    from websockets.sync.server import serve

    ticket = _ticket(data_dir)

    def handler(ws):   # Voilà's query socket: hands the pooled kernel its request
        ws.send(json.dumps({"QUERY_STRING": "", "HTTP_X_DANVAN_TICKET": ticket}))

    with serve(handler, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        env = dict(os.environ, DANVAN_DATA_DIR=str(data_dir), DANVAN_TEMPLATES=str(ROOT / "templates"),
                   VOILA_PREHEAT="True", VOILA_APP_PORT=str(server.socket.getsockname()[1]),
                   VOILA_KERNEL_ID="k-1", VOILA_SERVER_URL="/", DANVAN_PREHEAT_CONNECT_SECONDS="30",
                   DANVAN_STORE_SERVICE=str(store_service.file))
        env.pop("DANVAN_DB_URL", None)
        env.pop("HTTP_X_DANVAN_TICKET", None)
        out = subprocess.run([sys.executable, "-c", RUN_NOTEBOOK, notebook], env=env, capture_output=True,
                             text=True, cwd=ROOT / "notebooks", timeout=120)
        server.shutdown()
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert BUILT[notebook] in seen["classes"], f"{notebook} was not built for the unit: {seen['classes']}"
    added = seen["added"]
    assert sorted({m.split(".")[0] for m in added} - PAGE_MAY_ADD) == []
    assert [m for m in added if m.startswith(PAGE_MUST_NOT_ADD)] == []


def test_a_preheated_kernel_whose_server_is_gone_shows_the_way_to_the_login(data_dir):
    """It looks for its request until the deadline, finds none, and builds the page without an account."""
    env = dict(os.environ, DANVAN_DATA_DIR=str(data_dir), DANVAN_TEMPLATES=str(ROOT / "templates"),
               VOILA_PREHEAT="True", VOILA_APP_PORT=str(_closed_port()), VOILA_KERNEL_ID="k-1",
               DANVAN_PREHEAT_CONNECT_SECONDS="1")
    env.pop("DANVAN_DB_URL", None)
    env.pop("HTTP_X_DANVAN_TICKET", None)
    out = subprocess.run([sys.executable, "-c", RUN_NOTEBOOK, "bao_cao.ipynb"], env=env, capture_output=True,
                         text=True, cwd=ROOT / "notebooks", timeout=120)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert any("dv-login-needed" in html for html in seen["html"]) and "dv-form-page" not in seen["classes"]


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
