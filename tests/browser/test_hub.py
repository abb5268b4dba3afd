"""JupyterHub for real: the hub (hub/jupyterhub_config.py, configurable-http-proxy, a local process
per user running `danvan serve --hub`) in front of one PostgreSQL store; a unit logs in at the hub,
submits in its own server at /user/<name>/, and the analyst, in hers, sees the submission."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from danvan_kit.store import Store

from .conftest import CHROMIUM, ROOT, _free_port, shot, wait_until
from .test_browser import log_in, submit_report
from .test_two_servers import Process, _own_database

pytestmark = pytest.mark.slow
PG_URL = os.environ.get("DANVAN_TEST_PG_URL")
WHO = "Nguyễn Văn Qua Hub"


class Hub(Process):
    """`jupyterhub -f hub/jupyterhub_config.py` on a free port; stopping it stops the users' servers and its proxy."""

    def __init__(self, root: Path, db_url: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DANVAN_", "JUPYTERHUB", "JUPYTER_"))}
        env.update(DANVAN_DB_URL=db_url, DANVAN_HUB_DATA=str(root / "hub"), DANVAN_HUB_PORT="{port}",
                   DANVAN_HUB_API_PORT=str(_free_port()), DANVAN_OUTPUT_DIR=str(root / "shared-output"),
                   JUPYTER_CONFIG_PATH="")
        (root / "hub").mkdir()
        super().__init__([sys.executable, "-m", "jupyterhub", "-f", str(ROOT / "hub" / "jupyterhub_config.py")],
                         env, root / "hub", root / "hub" / "jupyterhub.log", "/hub/login")


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
        store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode="demo123")
        store.create_account("phongnoivu", role="analyst", passcode="demo123")
    server = Hub(root, db_url)
    try:
        wait_until(server.ready, 120, "the hub to answer")
        yield server, db_url
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


def hub_login(page, hub, login: str) -> str:
    """Log in at the hub; it starts the user's server and sends the browser to the app's login there."""
    page.goto(f"{hub.base}/hub/login")
    page.locator("#username_input").fill(login)
    page.locator("#password_input").fill("demo123")
    page.locator("#login_submit").click()
    page.locator("#tai_khoan").wait_for(timeout=180_000)       # the app's own page, in the user's server
    assert f"/user/{login}/" in page.url
    return f"{hub.base}/user/{login}"


def test_a_unit_logs_in_at_the_hub_submits_and_the_analyst_sees_it(hub, browser_page):
    server, db_url = hub
    page = browser_page()
    base = hub_login(page, server, "xa-an-phu")
    submit_report(page, {"base": base}, "xa-an-phu", "2026-nam", nguoi_lap=WHO)
    shot(page, "hub-unit-submitted")
    with Store.open(db_url) as store:
        saved = store.latest(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-nam", submitted_only=True)
    assert saved is not None and saved.data["nguoi_lap"] == WHO

    analyst = browser_page()
    desk = hub_login(analyst, server, "phongnoivu")
    analyst.goto(f"{desk}/voila/render/tong_hop.ipynb")
    log_in(analyst, "phongnoivu")
    analyst.locator(".dv-board").wait_for()
    analyst.locator(".dv-root select").first.select_option(label="Báo cáo năm 2026")
    expect(analyst.locator('.dv-unit[data-unit="XA-AN-PHU"]')).to_contain_text("Đã nộp")
    analyst.goto(f"{desk}/voila/render/bao_cao.ipynb?ky=2026-nam&dv=XA-AN-PHU")
    expect(analyst.locator(".dv-field-nguoi_lap input")).to_have_value(WHO)
    shot(analyst, "hub-analyst-sees-it")
