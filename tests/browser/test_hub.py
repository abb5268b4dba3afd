"""JupyterHub for real: the hub (hub/jupyterhub_config.py, configurable-http-proxy, a local process
per user running `danvan serve --hub`) in front of one PostgreSQL store. Staff log in once, at the
hub; their own server at /user/<name>/ trusts that login (the hub's OAuth and the store session the
login opened), and whatever ends that session in the store ends the hub login too."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from samples import REPORT_INPUT

from danvan_kit.catalog import load_catalog
from danvan_kit.store import Store

from .conftest import CHROMIUM, ROOT, _free_port, kernel_id_of, shot, wait_for_draft_saved, wait_until
from .fill import fill_form
from .test_two_servers import Process, _own_database

pytestmark = pytest.mark.slow
PG_URL = os.environ.get("DANVAN_TEST_PG_URL")
WHO = "Nguyễn Văn Qua Hub"
HOME = "voila/render/trang_chu.ipynb"
CATALOG = load_catalog()


class Hub(Process):
    """`jupyterhub -f hub/jupyterhub_config.py` on a free port; stopping it stops the users' servers and its proxy."""

    def __init__(self, root: Path, db_url: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DANVAN_", "JUPYTERHUB", "JUPYTER_"))}
        env.update(DANVAN_DB_URL=db_url, DANVAN_HUB_DATA=str(root / "hub"), DANVAN_HUB_PORT="{port}",
                   DANVAN_HUB_API_PORT=str(_free_port()), DANVAN_OUTPUT_DIR=str(root / "shared-output"),
                   JUPYTER_CONFIG_PATH="")
        (root / "hub").mkdir()
        self.users = root / "hub" / "users"
        super().__init__([sys.executable, "-m", "jupyterhub", "-f", str(ROOT / "hub" / "jupyterhub_config.py")],
                         env, root / "hub", root / "hub" / "jupyterhub.log", "/hub/login")

    def logs(self) -> list[Path]:
        """The hub's output (the proxy's and every user's server's with it) and each user's app log."""
        return [self.log, *sorted(self.users.glob("*/logs/app.log"))]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not PG_URL:
        pytest.skip("PostgreSQL tests were not run (set DANVAN_TEST_PG_URL)")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (/usr/bin/chromium); browser tests not run")
    if shutil.which("configurable-http-proxy") is None:
        pytest.skip("configurable-http-proxy is not installed (npm install -g configurable-http-proxy; "
                    ".ci/run does it); the JupyterHub test was not run")
    root = tmp_path_factory.mktemp("hub")
    db_url = _own_database(PG_URL, "_hub")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    subprocess.run([sys.executable, "-m", "danvan_kit", "init", "--db-url", db_url, "--data-dir", str(root)],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    with Store.open(db_url) as store:
        for login, unit in [("xa-an-phu", "XA-AN-PHU"), ("xa-tan-quan", "XA-TAN-QUAN"), ("xa-minh-tam", "XA-MINH-TAM"),
                            ("xa-dong-no", "XA-DONG-NO")]:
            store.create_account(login, role="unit", unit_code=unit, passcode="demo123")
        store.create_account("phongnoivu", role="analyst", passcode="demo123")
    server = Hub(root, db_url)
    try:
        wait_until(server.ready, 120, "the hub to answer")
        yield server, db_url, dict(env, DANVAN_DB_URL=db_url)
    finally:
        server.stop()


@pytest.fixture
def browser_page(browser):
    """New pages of the suite's Chromium (one Playwright per process), each in its own context."""
    contexts = []

    def new_page():
        contexts.append(browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN"))
        return contexts[-1].new_page()
    yield new_page
    for context in contexts:
        context.close()


def hub_login(page, hub, login: str, passcode: str = "demo123") -> str:
    """Log in at the hub, once: it starts the user's server, which opens on the home page, logged in."""
    page.goto(f"{hub.base}/hub/login")
    page.locator("#username_input").fill(login)
    page.locator("#password_input").fill(passcode)
    page.locator("#login_submit").click()
    page.locator(".dv-home").wait_for(timeout=180_000)       # the app's home page, in the user's server
    assert page.url.startswith(f"{hub.base}/user/{login}/{HOME}"), page.url
    assert page.locator(".dv-login").count() == 0
    return f"{hub.base}/user/{login}"


def open_report(page, hub, login: str, period: str) -> str:
    """Log in at the hub and open the unit's periodic report for `period`; the server's address."""
    base = hub_login(page, hub, login)
    page.goto(f"{base}/voila/render/bao_cao.ipynb?ky={period}")
    page.locator(".dv-form").wait_for()
    return base


def expect_hub_login_page(page, hub) -> None:
    """The hub's own login form, and nothing of the app."""
    page.locator("#username_input").wait_for()
    assert page.url.startswith(f"{hub.base}/hub/login"), page.url
    assert page.locator(".dv-form, .dv-home, .jupyter-widgets").count() == 0


def expect_the_watch_to_find_the_session_live(page) -> None:
    """The page's connection watch (app/connection_watch.py) asks its server about the page's kernel
    every few seconds; under the hub that ask must get in (200) and the page show no banner. Two asks
    are awaited: by the time the second is answered, the page shows what it made of the first."""
    kernel = kernel_id_of(page.content())

    def watch_ask(response) -> bool:
        url = urlsplit(response.url)
        return url.path.endswith(f"/api/kernels/{kernel}") and not url.query   # JupyterLab's own asks add ?<time>
    for _ in range(2):
        with page.expect_response(watch_ask) as answer:
            pass
        assert answer.value.status == 200, f"the page's watch was refused: {answer.value.status}"
    assert page.locator("#dv-connection-lost").count() == 0, page.locator("#dv-connection-lost").inner_text()


def live_sessions(db_url: str, login: str) -> list:
    with Store.open(db_url) as store:
        return [s for s in store.list_sessions() if s.login == login]


def danvan(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, "-m", "danvan_kit", *args], env=env, cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_a_unit_logs_in_once_at_the_hub_submits_and_the_analyst_sees_it(hub, browser_page):
    server, db_url, _ = hub
    page = browser_page()
    open_report(page, server, "xa-an-phu", "2026-nam")
    [session] = live_sessions(db_url, "xa-an-phu")          # the hub login's own session, for this browser
    assert session.user_agent.startswith("JupyterHub · ") and session.client == "127.0.0.1"
    fill_form(page, CATALOG.form("bao-cao-dinh-ky"), {**REPORT_INPUT, "nguoi_lap": WHO})
    page.locator(".dv-submit").click()
    page.locator(".dv-status-ok").wait_for()
    shot(page, "hub-unit-submitted")
    with Store.open(db_url) as store:
        saved = store.latest(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-nam", submitted_only=True)
    assert saved is not None and saved.data["nguoi_lap"] == WHO and saved.author == "xa-an-phu"
    app_log = server.users / "xa-an-phu" / "logs" / "app.log"       # each user's server logs in its own folder
    assert "page built for xa-an-phu" in app_log.read_text(encoding="utf-8")
    assert not [p.name for p in server.users.iterdir() if "{" in p.name]    # no folder named by a template

    analyst = browser_page()
    desk = hub_login(analyst, server, "phongnoivu")
    analyst.goto(f"{desk}/voila/render/tong_hop.ipynb")
    analyst.locator(".dv-board").wait_for()
    analyst.locator(".dv-root select").first.select_option(label="Báo cáo năm 2026")
    expect(analyst.locator('.dv-unit[data-unit="XA-AN-PHU"]')).to_contain_text("Đã nộp")
    analyst.goto(f"{desk}/voila/render/bao_cao.ipynb?ky=2026-nam&dv=XA-AN-PHU")
    expect(analyst.locator(".dv-field-nguoi_lap input")).to_have_value(WHO)
    shot(analyst, "hub-analyst-sees-it")


def test_a_passcode_reset_ends_the_hub_login_and_the_next_page_load_asks_the_hub_again(hub, browser_page):
    server, db_url, env = hub
    page = browser_page()
    base = open_report(page, server, "xa-minh-tam", "2026-nam")
    danvan(env, "users", "reset", "xa-minh-tam", "--passcode-stdin", stdin="mat-khau-moi-2026\n")
    assert live_sessions(db_url, "xa-minh-tam") == []
    page.locator(".dv-field-nguoi_lap input").fill("Sau khi đặt lại mật khẩu")
    page.locator(".dv-save-draft button, button.dv-save-draft").first.click()
    expect(page.locator(".dv-status")).to_contain_text("không có quyền")       # the open page stopped too
    page.goto(f"{base}/voila/render/bao_cao.ipynb?ky=2026-nam")
    expect_hub_login_page(page, server)
    shot(page, "hub-after-reset")
    page.goto(f"{base}/{HOME}")                       # the hub does not let it back in on its own word
    expect_hub_login_page(page, server)
    hub_login(page, server, "xa-minh-tam", "mat-khau-moi-2026")
    assert len(live_sessions(db_url, "xa-minh-tam")) == 1


def test_ending_the_sessions_or_disabling_the_account_ends_the_hub_login(hub, browser_page):
    server, db_url, env = hub
    page = browser_page()
    base = hub_login(page, server, "xa-dong-no")
    danvan(env, "sessions", "end", "xa-dong-no")
    page.goto(f"{base}/{HOME}")
    expect_hub_login_page(page, server)
    hub_login(page, server, "xa-dong-no")
    danvan(env, "users", "disable", "xa-dong-no")
    page.goto(f"{base}/{HOME}")
    expect_hub_login_page(page, server)
    page.locator("#username_input").fill("xa-dong-no")
    page.locator("#password_input").fill("demo123")
    page.locator("#login_submit").click()
    page.locator("#username_input").wait_for()              # refused: the hub's login page again
    assert page.locator(".dv-home").count() == 0 and live_sessions(db_url, "xa-dong-no") == []
    danvan(env, "users", "enable", "xa-dong-no")


def test_logging_out_ends_the_store_session_of_the_hub_login(hub, browser_page):
    server, db_url, _ = hub
    page = browser_page()
    base = hub_login(page, server, "xa-tan-quan")
    assert len(live_sessions(db_url, "xa-tan-quan")) == 1
    page.locator("a.dv-logout").click()                   # «Đăng xuất» on the app's page
    expect_hub_login_page(page, server)
    assert live_sessions(db_url, "xa-tan-quan") == []
    with Store.open(db_url) as store:
        ended = [s for s in store.list_sessions(active_only=False) if s.login == "xa-tan-quan"]
    assert [s.end_reason for s in ended] == ["logout"]
    page.goto(f"{base}/{HOME}")
    expect_hub_login_page(page, server)

    hub_login(page, server, "xa-tan-quan")                  # and the hub's own logout does the same
    page.goto(f"{server.base}/hub/logout")
    expect_hub_login_page(page, server)
    assert live_sessions(db_url, "xa-tan-quan") == []


def test_another_unit_cannot_reach_the_first_units_server_or_data(hub, browser_page):
    server, db_url, _ = hub
    first = browser_page()
    base = open_report(first, server, "xa-an-phu", "2026-6t")
    first.locator(".dv-field-nguoi_lap input").fill("Cán bộ An Phú qua Hub")
    wait_for_draft_saved(first)

    other = browser_page()
    own = hub_login(other, server, "xa-tan-quan")
    response = other.goto(f"{base}/voila/render/bao_cao.ipynb?ky=2026-6t")
    assert response is not None and response.status == 403           # the hub grants no access to it
    assert other.locator(".dv-form").count() == 0 and "Cán bộ An Phú" not in other.content()
    other.goto(f"{own}/voila/render/bao_cao.ipynb?ky=2026-6t&dv=XA-AN-PHU")
    other.locator(".dv-form").wait_for()
    header = other.locator(".dv-page-header").inner_text()
    assert "Xã Tân Quan" in header and "Xã An Phú" not in header
    assert other.locator(".dv-field-nguoi_lap input").input_value() != "Cán bộ An Phú qua Hub"
    expect_the_watch_to_find_the_session_live(other)       # its own server: the watch's asks get in
    expect_the_watch_to_find_the_session_live(first)       # and the first unit's page is still its own
    shot(other, "hub-other-unit-refused")
