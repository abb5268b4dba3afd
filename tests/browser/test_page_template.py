"""What a page shows and fetches before and while it is built (our Voilà template, `danvan`):
nothing from the Internet, no English and no file name."""
from __future__ import annotations

import urllib.parse

import pytest

from .test_browser import open_page

pytestmark = pytest.mark.slow
WIDGET = ".jp-OutputArea-output.lm-Panel"   # ipywidgets' renderer in JupyterLab's output area


def test_a_form_page_fetches_nothing_beyond_its_own_server_and_speaks_vietnamese_while_it_loads(page, voila_server):
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urllib.parse.urlsplit(request.url).hostname or request.url[:5]))
    pages: list[str] = []
    page.on("response", lambda response: pages.append(response.text())
            if "/voila/render/bao_cao.ipynb" in response.url and response.ok else None)
    open_page(page, voila_server, "bao_cao.ipynb", "xa-an-phu", ky="2026-6t")
    page.locator(".dv-form").wait_for()
    assert hosts <= {"127.0.0.1", "data:"}, hosts
    assert pages, "the form page itself was never answered"
    html = pages[-1]
    assert "Đang mở trang…" in html and "cdn.jsdelivr.net" not in html
    assert "Running" not in html and "bao_cao" not in html.split('id="loading_text"')[1].split("</h2>")[0]
    # the cells' progress says what the spinner says, not "Executing 2 of 3"
    page.evaluate("() => window.voila_process(2, 3)")
    assert "Executing" not in page.evaluate("() => document.body.innerText")
    # the buttons' icons still come (Voilà's own bundle carries Font Awesome)
    assert page.evaluate("() => getComputedStyle(document.querySelector('.dv-submit i.fa')).fontFamily").find(
        "Font Awesome") >= 0


def test_a_widget_not_yet_drawn_reads_dang_tai_instead_of_loading_widget(page, voila_server):
    open_page(page, voila_server, "trang_chu.ipynb", "xa-an-phu")
    page.locator(".dv-home-page").wait_for()
    assert page.locator(f"{WIDGET} > .jupyter-widgets .dv-root").count() == 1   # where the page is drawn
    shown = page.evaluate("""(selector) => {
        const area = document.querySelector(selector).parentElement;
        const placeholder = document.createElement("div");
        placeholder.className = "lm-Widget lm-Panel jp-OutputArea-output";
        placeholder.textContent = "Loading widget...";
        area.appendChild(placeholder);
        const after = getComputedStyle(placeholder, "::after");
        const result = [getComputedStyle(placeholder).fontSize, after.content, after.fontSize];
        placeholder.remove();
        return result;
    }""", WIDGET)
    assert shown[0] == "0px" and shown[1] == '"Đang tải…"' and shown[2] != "0px"


@pytest.mark.parametrize(("notebook", "built"), [("bao_cao.ipynb", ".dv-form"), ("tu_cham_diem.ipynb", ".dv-form"),
                                                 ("trang_chu.ipynb", ".dv-home-page")])
def test_a_page_fits_a_phones_width_without_scrolling_sideways(browser, voila_server, notebook, built):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    try:
        open_page(page, voila_server, notebook, "xa-an-phu")
        page.locator(built).wait_for()
        sideways = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
        wider = page.evaluate("""() => Array.from(document.querySelectorAll('.dv-root *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.getBoundingClientRect().width > 0)
            .map(e => e.className + ": " + (e.innerText || "").slice(0, 40)).slice(0, 5)""")
        assert (sideways, wider) == (0, [])
    finally:
        context.close()
