"""Nothing lost between two windows of one unit, and a plain word when the server goes away."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from danvan_kit.store import Store

from .conftest import VoilaServer, kernel_id_of, shot, wait_until
from .test_browser import open_page

pytestmark = pytest.mark.slow
MODEL = ("XA-THANH-BINH", "dan-van-kheo", "2026-dvk")


def _latest(server, item: str):
    with Store.open(data_dir=server["data"]) as store:
        return store.latest(store.system_actor(), *MODEL, item=item)


def test_two_windows_of_one_unit_the_stale_one_is_refused_and_nothing_is_lost(browser, voila_server):
    window_a, window_b = browser.new_context().new_page(), browser.new_context().new_page()
    open_page(window_a, voila_server, "dan_van_kheo.ipynb", "xa-thanh-binh", ky="2026-dvk")
    window_a.locator(".dv-field-ten_mo_hinh input").fill("Mô hình hai cửa sổ")
    window_a.locator(".dv-field-muc_tieu textarea").fill("Mục tiêu ban đầu")
    window_a.locator(".dv-save-draft button, button.dv-save-draft").first.click()
    expect(window_a.locator(".dv-form .dv-status-ok")).to_contain_text("Đã lưu nháp")
    expect(window_a.get_by_role("combobox", name="Mô hình")).to_have_value("Mô hình số 1")  # the store's number

    open_page(window_b, voila_server, "dan_van_kheo.ipynb", "xa-thanh-binh", ky="2026-dvk", mh="1")
    expect(window_b.locator(".dv-field-muc_tieu textarea")).to_have_value("Mục tiêu ban đầu")

    window_a.locator(".dv-field-muc_tieu textarea").fill("Mục tiêu mới của cửa sổ A")
    window_a.locator(".dv-save-draft button, button.dv-save-draft").first.click()
    expect(window_a.locator(".dv-form .dv-status-ok")).to_contain_text("Đã lưu nháp")
    saved_by_a = wait_until(lambda: (r := _latest(voila_server, "1")) and r.data.get("muc_tieu") ==
                            "Mục tiêu mới của cửa sổ A" and r, 60, "window A's draft in the store")

    window_b.locator(".dv-field-lo_trinh textarea").fill("Lộ trình gõ ở cửa sổ B")
    window_b.locator(".dv-save-draft button, button.dv-save-draft").first.click()
    expect(window_b.locator(".dv-stale-message")).to_contain_text("«xa-thanh-binh»")
    expect(window_b.locator(".dv-form .dv-status")).to_contain_text("Chưa lưu")
    shot(window_b, "stale-window-refused")
    assert _latest(voila_server, "1") == saved_by_a                     # nothing merged, nothing lost

    window_b.locator(".dv-reload-latest button, button.dv-reload-latest").first.click()
    expect(window_b.locator(".dv-field-muc_tieu textarea")).to_have_value("Mục tiêu mới của cửa sổ A")
    expect(window_b.locator(".dv-typed")).to_contain_text("Lộ trình gõ ở cửa sổ B")
    shot(window_b, "stale-window-reloaded-keeps-typed-text")
    for page in (window_a, window_b):
        page.context.close()


def test_a_page_whose_server_went_away_says_so_and_when_the_draft_was_saved(browser, tmp_path):
    server = VoilaServer(tmp_path / "data")
    try:
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()  # a phone
        open_page(page, server, "bao_cao.ipynb", "xa-tan-hiep", ky="2026-6t")
        page.locator(".dv-field-nguoi_lap input").fill("Trước khi máy chủ tắt")
        page.locator(".dv-save-draft button, button.dv-save-draft").first.click()
        expect(page.locator(".dv-form .dv-status-ok")).to_contain_text("Đã lưu nháp lúc")
        saved = page.locator(".dv-last-saved").text_content()
        assert saved and " ngày " in saved
        expect(page.locator("#dv-connection-lost")).to_have_count(0)
    finally:
        server.stop()
    banner = page.locator("#dv-connection-lost")
    expect(banner).to_contain_text("Mất kết nối với máy chủ")
    expect(banner).to_contain_text(f"Bản nháp lưu lần cuối lúc {saved}")
    expect(banner).to_contain_text("tải lại trang")
    shot(page, "connection-lost-phone")
    page.context.close()


def test_a_page_whose_kernel_died_says_so_instead_of_running_on_a_blank_restart(browser, voila_server):
    import psutil

    page = browser.new_context().new_page()
    open_page(page, voila_server, "bao_cao.ipynb", "xa-phuoc-an", ky="2026-6t")
    page.locator(".dv-field-nguoi_lap input").fill("Trước khi kernel chết")
    page.locator(".dv-save-draft button, button.dv-save-draft").first.click()
    expect(page.locator(".dv-form .dv-status-ok")).to_contain_text("Đã lưu nháp lúc")
    kernel = kernel_id_of(page.content())
    [process] = [p for p in psutil.Process(voila_server.proc.pid).children(recursive=True)
                 if f"kernel-{kernel}.json" in " ".join(p.cmdline())]
    process.kill()
    banner = page.locator("#dv-connection-lost")
    expect(banner).to_contain_text("Trang này đã ngừng hoạt động")
    expect(banner).to_contain_text("Bản nháp lưu lần cuối lúc")
    wait_until(lambda: kernel not in voila_server.kernel_ids(), 30, "the dead kernel not to be restarted")
    page.context.close()


def test_a_page_whose_widgets_never_arrive_says_to_reload_and_the_reload_brings_the_form(browser, voila_server):
    """A busy kernel whose widget state misses the browser's widget manager left a blank form with
    no word of why. Here the page's kernel websocket is held by the browser and never answers (the
    same blank page): after BLANK_SECONDS the page says to reload, and the reload shows the form."""
    from danvan_kit.app.connection_watch import BLANK, BLANK_SECONDS

    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    held = {"on": True}

    def kernel_socket(ws) -> None:
        if not held["on"]:
            ws.connect_to_server()   # after the reload: the real kernel
        # else: opened, never answered

    page.route_web_socket("**/api/kernels/*/channels*", kernel_socket)
    open_page(page, voila_server, "bao_cao.ipynb", "xa-tan-hiep", ky="2026-6t")
    banner = page.locator("#dv-connection-lost")
    expect(banner).to_contain_text(BLANK, timeout=(BLANK_SECONDS + 60) * 1000)
    assert page.locator(".dv-root").count() == 0
    shot(page, "blank-page-says-reload-phone")
    held["on"] = False
    page.reload()
    expect(page.locator(".dv-field-nguoi_lap input")).to_be_visible()
    expect(page.locator("#dv-connection-lost")).to_have_count(0)
    page.context.close()
