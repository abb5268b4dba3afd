"""Two `danvan serve` processes on one PostgreSQL database, as behind a load balancer: staff log in
and submit through both; every submission is in the store and in the one consolidated workbook,
rebuilt by one worker at a time (coordinated through the database) and logged in app.log."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from danvan_kit.store import Store

from .conftest import (
    _SERVERS,
    CHROMIUM,
    ROOT,
    _free_port,
    http_login,
    pooled_kernels,
    shot,
    wait_until,
)
from .test_browser import submit_report

pytestmark = pytest.mark.slow
PG_URL = os.environ.get("DANVAN_TEST_PG_URL")
# (server, login, unit, who filed it): one unit through each server
FILERS = [(0, "xa-an-phu", "XA-AN-PHU", "Lê Thị Máy Một"), (1, "xa-tan-quan", "XA-TAN-QUAN", "Trần Văn Máy Hai")]


def _own_database(base: str, suffix: str = "_two") -> str:
    """A fresh database beside the test database (<name><suffix>), created empty."""
    url = make_url(base)
    name = f"{url.database}{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


class Process:
    """A server process on a free port ("{port}" in its command or environment), its output in `log`;
    ready once `probe` (a path) answers."""

    def __init__(self, cmd: list[str], env: dict[str, str], cwd: Path, log: Path, probe: str):
        self.port = _free_port()
        self.base, self.log, self.probe = f"http://127.0.0.1:{self.port}", log, probe
        self._log = open(log, "w")
        fill = lambda text: text.replace("{port}", str(self.port))  # noqa: E731
        self.proc = subprocess.Popen([fill(a) for a in cmd], env={k: fill(v) for k, v in env.items()}, cwd=cwd,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        _SERVERS.append(self)                     # a failed test prints the tails of its logs()

    def __getitem__(self, key: str):
        return getattr(self, key)

    def logs(self) -> list[Path]:
        return [self.log]

    def ready(self) -> bool:
        assert self.proc.poll() is None, self.log.read_text()[-3000:]
        try:
            urllib.request.urlopen(f"{self.base}{self.probe}", timeout=10).read()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


class Serve(Process):
    """`danvan serve` with its own data folder (logs) and the shared store and output folder."""

    def __init__(self, data: Path, env: dict[str, str]):
        self.data = data
        env = dict(env, DANVAN_DATA_DIR=str(data), JUPYTER_CONFIG_DIR=str(data / "jupyter-config"))
        super().__init__([sys.executable, "-m", "danvan_kit", "serve", "--port", "{port}"], env, ROOT,
                         data / "serve.log", "/login")

    def logs(self) -> list[Path]:
        return [self.log, self.data / "logs" / "app.log"]

    def kernels(self) -> int:
        import psutil

        found = 0
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                found += "ipykernel" in " ".join(child.cmdline())
            except psutil.Error:
                continue
        return found


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    if not PG_URL:
        pytest.skip("PostgreSQL tests were not run (set DANVAN_TEST_PG_URL)")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (/usr/bin/chromium); browser tests not run")
    root = tmp_path_factory.mktemp("two-servers")
    db_url = _own_database(PG_URL)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DANVAN_", "JUPYTERHUB"))}
    env.update(DANVAN_DB_URL=db_url, DANVAN_OUTPUT_DIR=str(root / "shared-output"), JUPYTER_CONFIG_PATH="",
               DANVAN_PG_IDLE_SECONDS="20")
    subprocess.run([sys.executable, "-m", "danvan_kit", "init", "--data-dir", str(root)], env=env, check=True,
                   capture_output=True, cwd=ROOT)
    with Store.open(db_url) as store:
        for _, login, unit, _ in FILERS:
            store.create_account(login, role="unit", unit_code=unit, passcode="demo123")
    servers = []
    try:
        for name in ("a", "b"):  # one after the other: kernels starting at once on one host can pick the
            (root / name).mkdir()  # same free TCP port (jupyter_client), and one of them dies
            server = Serve(root / name, env)
            servers.append(server)
            wait_until(server.ready, 120, f"{server.base} to answer")
            wait_until(lambda s=server: s.kernels() >= pooled_kernels(), 180, f"{server.base}'s kernel pools")
        yield servers, db_url, root / "shared-output"
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def page(two_servers, browser):
    """A page of the suite's Chromium (one Playwright per process), opened once both servers run."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    yield context.new_page()
    context.close()


def _news(who: str) -> str:
    """A narrative only this filer's report carries (the consolidated workbook shows narratives)."""
    return f"Tuyên truyền do {who} báo cáo qua máy chủ riêng."


def _connections(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()")
                                ).scalar()
    finally:
        engine.dispose()


def _names_in_workbook(path: Path, names: list[str]) -> bool:
    import openpyxl

    if not path.exists():
        return False
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    except Exception:  # noqa: BLE001 - replaced while reading: look again
        return False
    return all(any(n in c for c in cells) for n in names)


def test_staff_submit_through_two_servers_and_one_workbook_holds_every_submission(two_servers, page):
    servers, db_url, shared = two_servers
    _, cookie = http_login(servers[0], "xa-an-phu")          # a login on one server is valid on the other
    request = urllib.request.Request(f"{servers[1].base}/voila/render/trang_chu.ipynb", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert "/login" not in answer.url and answer.status == 200

    for index, login, _, who in FILERS:
        submit_report(page, servers[index], login, "2026-nam", nguoi_lap=who, ket_qua_tuyen_truyen=_news(who))
    shot(page, "two-servers-submitted")
    busy = _connections(db_url)

    with Store.open(db_url) as store:
        filed = {s.unit_code: s.data["nguoi_lap"] for s in store.submissions(store.system_actor(), "2026-nam")}
    assert filed == {unit: who for _, _, unit, who in FILERS}
    workbook = shared / "tong-hop-2026-nam.xlsx"
    wait_until(lambda: _names_in_workbook(workbook, [_news(who) for *_, who in FILERS]), 180,
               "the consolidated workbook to show both submissions",
               state=lambda: (sorted(p.name for p in shared.rglob("*")), [
                   p.read_text(encoding="utf-8")[-1500:] for s in servers
                   for p in [s.data / "logs" / "app.log", shared / ".export.log"] if p.exists()]))
    logs = [(s.data / "logs" / "app.log") for s in servers]
    wait_until(lambda: any("export worker: 2026-nam rebuilt" in p.read_text(encoding="utf-8")
                           for p in logs if p.exists()), 60, "the worker's success line in app.log")
    # idle connections are given back (DANVAN_PG_IDLE_SECONDS=20 here): only the servers' own stay
    wait_until(lambda: _connections(db_url) < busy, 90, "idle connections to be closed",
               state=lambda: (_connections(db_url), busy))
    print(f"\nconnections: {busy} while 2 servers served 2 staff (pools included); "
          f"{_connections(db_url)} once idle")
