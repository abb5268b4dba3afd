"""The door, as an attacker and as staff meet it: no kernel before a login, a cookie the page's
script cannot read, sessions that end (logout, passcode reset, disabled account), throttled
logins, and no script from stored text anywhere an analyst looks."""
from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from samples import MODEL_INPUT, REPORT_INPUT

from danvan_kit.catalog import load_catalog
from danvan_kit.store import Store

from .conftest import ROOT, shot
from .test_browser import log_in, open_page

pytestmark = pytest.mark.slow
CATALOG = load_catalog()
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
HOSTILE = ['<img src=x onerror=alert("img")>', '"><script>alert("script")</script>', "javascript:alert('url')",
           "'-alert('quote')-'", "＜script＞alert('fullwidth')＜/script＞", "{{7*7}} {% if 1 %}x{% endif %}"]


def status_and_location(server, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, response.getheader("Location") or ""


def danvan(server, *args: str, stdin: str = "", ok: bool = True) -> str:
    """Run the command line on the server's data; its output (ok=False: it must fail, and says why)."""
    done = subprocess.run([sys.executable, "-m", "danvan_kit", *args], env=server["env"], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_fifty_anonymous_requests_for_the_notebooks_start_no_kernel(voila_server):
    before = voila_server.kernels()
    for _ in range(10):
        for notebook in NOTEBOOKS:
            status, location = status_and_location(voila_server, f"/voila/render/{notebook}?ky=2026-6t")
            assert status == 302 and location.startswith("/login?next="), (status, location)
    assert 10 * len(NOTEBOOKS) == 50
    assert voila_server.kernels() <= before          # before the door, each request started a kernel


def test_login_sets_a_cookie_the_pages_script_cannot_read_and_no_secret_in_any_link(page, voila_server):
    page.goto(f"{voila_server['base']}/voila/render/trang_chu.ipynb")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    shot(page, "login-page")
    log_in(page, "xa-an-phu")
    page.locator(".dv-home").wait_for()
    [cookie] = [c for c in page.context.cookies() if c["name"] == "danvan_phien"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "danvan_phien" not in page.evaluate("document.cookie")
    hrefs = page.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and not [h for h in hrefs if cookie["value"] in h]
    assert cookie["value"] not in page.url
    with Store.open(data_dir=voila_server["data"]) as store:
        assert cookie["value"] not in str(store.list_sessions())


def test_logging_out_ends_the_session_and_the_open_page_stops_saving(browser, voila_server):
    context = browser.new_context()
    form_tab = context.new_page()
    open_page(form_tab, voila_server, "bao_cao.ipynb", "xa-dong-no", ky="2026-6t")
    form_tab.locator(".dv-field-nguoi_lap input").fill("Trước khi đăng xuất")
    other_tab = context.new_page()
    other_tab.goto(f"{voila_server['base']}/voila/render/trang_chu.ipynb")
    other_tab.locator("a.dv-logout").click()
    expect(other_tab.locator("h1")).to_have_text("Đã đăng xuất")
    form_tab.locator(".dv-save-draft button, button.dv-save-draft").first.click()
    expect(form_tab.locator(".dv-status")).to_contain_text("không có quyền")
    form_tab.goto(f"{voila_server['base']}/voila/render/bao_cao.ipynb")
    expect(form_tab.locator("h1")).to_have_text("Đăng nhập")
    context.close()


def test_a_passcode_reset_or_a_disabled_account_ends_its_sessions_at_once(browser, voila_server):
    context = browser.new_context()
    page = context.new_page()
    open_page(page, voila_server, "trang_chu.ipynb", "xa-minh-tam")
    page.locator(".dv-home").wait_for()
    danvan(voila_server, "users", "reset", "xa-minh-tam", "--passcode-stdin", stdin="mat-khau-moi-2026\n")
    page.reload()
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    log_in(page, "xa-minh-tam", "mat-khau-moi-2026")
    page.locator(".dv-home").wait_for()
    danvan(voila_server, "users", "disable", "xa-minh-tam")
    page.reload()
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    log_in(page, "xa-minh-tam", "mat-khau-moi-2026")
    expect(page.locator(".dv-message")).to_contain_text("Sai tài khoản hoặc mật khẩu")
    danvan(voila_server, "users", "enable", "xa-minh-tam")
    context.close()


def test_wrong_passcodes_slow_down_then_lock_the_login_even_against_the_right_one(browser, voila_server):
    # as if behind the district's nginx: the throttle counts the browser's address, not the proxy's
    context = browser.new_context(extra_http_headers={"X-Real-IP": "10.20.30.40"})
    page = context.new_page()
    page.goto(f"{voila_server['base']}/login")
    for attempt in range(5):
        log_in(page, "xa-tan-loi", f"doan-sai-{attempt}")
        expect(page.locator(".dv-message")).to_be_visible()
    expect(page.locator(".dv-message")).to_contain_text("tạm bị khóa")
    log_in(page, "xa-tan-loi", "demo123")                 # the right passcode, during the lockout
    expect(page.locator(".dv-message")).to_contain_text("tạm bị khóa")
    shot(page, "login-locked")
    with Store.open(data_dir=voila_server["data"]) as store:
        entries = [e for e in store.audit(store.system_actor(), 50) if e.action == "login"]
    assert {e.outcome for e in entries if e.client == "10.20.30.40"} == {"failed", "locked"}
    context.close()


@pytest.fixture
def hostile_data(voila_server, tmp_path):
    """A report and a model whose every text field holds hostile text, and a review comment too."""
    report, model = CATALOG.form("bao-cao-dinh-ky"), CATALOG.form("dan-van-kheo")

    def poisoned(form, base):
        raw = dict(base)
        texts = [f for f in form.all_fields() if f.type in ("text", "long_text") and f.name in base]
        for i, f in enumerate(texts):
            raw[f.name] = HOSTILE[i % len(HOSTILE)][: f.max_length or 500]
        return raw

    with Store.open(data_dir=voila_server["data"], validator=CATALOG.validator) as store:
        actor = store.system_actor()
        for form, period, base, item in [(report, "2026-6t", REPORT_INPUT, ""), (model, "2026-dvk", MODEL_INPUT, "1")]:
            clean = CATALOG.engine(form.id).validate(poisoned(form, base)).data
            assert clean is not None
            store.submit(actor, "XA-TAN-HUNG", form.id, period, clean, template_version=form.version,
                         attempt_id=f"hostile-{period}", item=item)
        store.review(actor, "XA-TAN-HUNG", "bao-cao-dinh-ky", "2026-6t", state="needs_correction",
                     comment=HOSTILE[0] + HOSTILE[1])
    _import_hostile_workbooks(voila_server, model, tmp_path)
    # every command-line argument that could reach a page: a display name is kept as text, a model
    # number that is not a number is refused before anything is written
    danvan(voila_server, "users", "create", "can-bo-an-khuong", "--role", "unit", "--unit", "XA-AN-KHUONG",
           "--name", HOSTILE[0], "--passcode-stdin", stdin="demo-an-khuong-2026\n")
    (tmp_path / "out").mkdir()
    refused = danvan(voila_server, "blank-form", "--unit", "XA-TAN-HUNG", "--period", "2026-dvk",
                     "--item", HOSTILE[0], "--out", str(tmp_path / "out"), ok=False)
    assert "--item" in refused and not list((tmp_path / "out").iterdir())
    return HOSTILE


def _import_hostile_workbooks(server, model, folder) -> None:
    """A blank form whose every text cell and the free-text cells of its hidden meta sheet hold hostile text
    is imported (the text is data); one whose meta model number is hostile is refused."""
    import openpyxl

    def filled(name: str, item: str | None) -> Path:
        danvan(server, "blank-form", "--unit", "XA-TAN-HUNG", "--period", "2026-dvk", "--out", str(folder / name))
        wb = openpyxl.load_workbook(folder / name)
        sheet, meta = wb["Nhập liệu"], wb["meta"]
        rows = {c.value.replace(".", "_"): c.row for (c,) in sheet.iter_rows(min_col=1, max_col=1)
                if isinstance(c.value, str)}  # keys are written with dots for underscores
        for i, f in enumerate(f for f in model.all_fields() if f.name in MODEL_INPUT):
            text = f.type in ("text", "long_text")
            sheet.cell(rows[f.name], 3).value = HOSTILE[i % len(HOSTILE)] if text else MODEL_INPUT[f.name]
        for row in meta.iter_rows(min_row=1):
            if row[0].value in ("unit_name", "period_title"):
                row[1].value = HOSTILE[1]
            if row[0].value == "item" and item is not None:
                row[1].value = item
        wb.save(folder / name)
        return folder / name

    danvan(server, "import", str(filled("mo-hinh-doc-hai.xlsx", None)))
    refused = danvan(server, "import", str(filled("mo-hinh-so-doc-hai.xlsx", HOSTILE[0])), ok=False)
    assert "Số thứ tự mô hình" in refused


def test_no_script_runs_from_hostile_text_anywhere_an_analyst_or_the_unit_looks(page, voila_server, hostile_data):
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    open_page(page, voila_server, "tong_hop.ipynb", "phongnoivu")
    page.locator(".dv-board").wait_for()
    for tab in page.locator(".lm-TabBar-tab, .p-TabBar-tab").all():
        tab.click()
        page.wait_for_load_state("networkidle")
    with Store.open(data_dir=voila_server["data"]) as store:   # the demo store registered models before
        imported = max(store.items(store.system_actor(), "XA-TAN-HUNG", "dan-van-kheo", "2026-dvk"), key=int)
    for notebook, params in [("bao_cao.ipynb", "ky=2026-6t&dv=XA-TAN-HUNG"),
                             ("dan_van_kheo.ipynb", "ky=2026-dvk&dv=XA-TAN-HUNG&mh=1"),
                             ("dan_van_kheo.ipynb", f"ky=2026-dvk&dv=XA-TAN-HUNG&mh={imported}")]:  # the imported one
        page.goto(f"{voila_server['base']}/voila/render/{notebook}?{params}")
        page.locator(".dv-form").wait_for()
        page.locator(".dv-download").click()
        page.locator(".dv-download-link").wait_for()
    values = page.locator(".dv-form input[type=text], .dv-form textarea").evaluate_all("els => els.map(e => e.value)")
    assert any(h in v for v in values for h in hostile_data)          # the text is there, as typed
    open_page(page, voila_server, "bao_cao.ipynb", "xa-tan-hung", ky="2026-6t")
    page.locator(".dv-form").wait_for()
    expect(page.locator(".dv-review-comment")).to_contain_text("<script>")
    shot(page, "hostile-text-shown-as-text")
    open_page(page, voila_server, "trang_chu.ipynb", "can-bo-an-khuong", "demo-an-khuong-2026")
    page.locator(".dv-home").wait_for()
    assert fired == []
