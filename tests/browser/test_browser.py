"""What only a browser can show: staff log in, fill, submit, reload, and cannot see others' data."""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from samples import (
    MODEL_INPUT,
    MODEL_ROWS,
    REPORT_INPUT,
    REPORT_ROWS,
    SELF_ASSESSMENT_INPUT,
)

from danvan_kit.catalog.loading import load_catalog
from danvan_kit.store import Store

from .conftest import http_login, kernel_id_of, shot, wait_for_draft_saved
from .fill import fill_form

pytestmark = pytest.mark.slow
CATALOG = load_catalog()


def log_in(page, login: str, passcode: str = "demo123") -> None:
    page.locator(".dv-login input[type=text]").fill(login)
    page.locator(".dv-login input[type=password]").fill(passcode)
    page.locator(".dv-login button").click()


def open_page(page, server, notebook: str, login: str, passcode: str = "demo123", **params: str):
    """Log out whoever was logged in, ask for the page, log in at the login page it sends us to."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    page.goto(f"{server['base']}/logout")
    page.goto(f"{server['base']}/voila/render/{notebook}" + (f"?{query}" if query else ""))
    log_in(page, login, passcode)


def submit_report(page, server, login: str, period: str, **answers: str) -> None:
    """A unit files the periodic report with the sample answers (some replaced)."""
    open_page(page, server, "bao_cao.ipynb", login, ky=period)
    page.locator(".dv-form").wait_for()
    fill_form(page, CATALOG.form("bao-cao-dinh-ky"), {**REPORT_INPUT, **answers})
    page.locator(".dv-submit").click()
    page.locator(".dv-status-ok").wait_for()


def open_desk(page, server, period_title: str) -> None:
    open_page(page, server, "tong_hop.ipynb", "phongnoivu")
    page.locator(".dv-board").wait_for()
    page.locator(".dv-root select").first.select_option(label=period_title)


def latest(server, unit: str, form_id: str, period_id: str, item: str = "", submitted_only: bool = True):
    """The unit's latest submitted revision in the server's store (with submitted_only=False, drafts too)."""
    with Store.open(data_dir=server["data"]) as store:
        return store.latest(store.system_actor(), unit, form_id, period_id, item=item, submitted_only=submitted_only)


# (page, form, period, answers, rows, a field shown again after reload, text the consolidated workbook shows)
FORMS = [
    ("bao_cao.ipynb", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT, {"hoat_dong_noi_bat": REPORT_ROWS}, "nguoi_lap",
     REPORT_INPUT["ket_qua_tuyen_truyen"]),
    ("tu_cham_diem.ipynb", "tu-cham-diem", "2026-tcd", SELF_ASSESSMENT_INPUT, None, "nguoi_lap", "87.5"),
    ("dan_van_kheo.ipynb", "dan-van-kheo", "2026-dvk", MODEL_INPUT, {"nguon_luc": MODEL_ROWS}, "ten_mo_hinh",
     MODEL_INPUT["ten_mo_hinh"]),
]


@pytest.mark.parametrize("notebook,form_id,period,values,rows,probe,in_workbook", FORMS, ids=[f[1] for f in FORMS])
def test_a_commune_fills_and_submits_each_form_then_finds_it_after_reload(
        page, voila_server, notebook, form_id, period, values, rows, probe, in_workbook):
    open_page(page, voila_server, notebook, "xa-an-phu", ky=period)
    page.locator(".dv-form").wait_for()
    fill_form(page, CATALOG.form(form_id), values, rows)
    shot(page, f"{form_id}-filled")
    page.locator(".dv-submit").click()
    status = page.locator(".dv-status-ok")
    status.wait_for()
    assert "Đã nộp thành công" in status.inner_text()
    shot(page, f"{form_id}-submitted")
    revision = latest(voila_server, "XA-AN-PHU", form_id, period, item="1" if form_id == "dan-van-kheo" else "")
    assert revision is not None and revision.data[probe] == values[probe]
    # the background worker rebuilds the period's consolidated workbook (the annual one too for companions)
    assert workbook_contains(voila_server, period, in_workbook), f"{in_workbook!r} not in tong-hop-{period}.xlsx"

    page.reload()                                   # a new page load: a new kernel, the same session
    page.locator(f".dv-field-{probe} input").first.wait_for()
    assert page.locator(f".dv-field-{probe} input").first.input_value() == values[probe]
    assert "Đã nộp" in page.locator(".dv-state").inner_text()


def test_a_draft_survives_a_closed_tab(browser, voila_server):
    context = browser.new_context()
    page = context.new_page()
    open_page(page, voila_server, "bao_cao.ipynb", "tt-tan-khai", ky="2027-6t")
    box = page.locator(".dv-field-ket_qua_dat_duoc textarea")
    box.fill("Đã tổ chức 3 hội nghị tuyên truyền Chỉ thị 33 tại khu phố 1, 2 và 5.")
    wait_for_draft_saved(page)                      # autosave runs 2 s after typing stops
    context.close()                                 # the tab is closed without pressing "Lưu nháp"

    context = browser.new_context()
    page = context.new_page()
    open_page(page, voila_server, "bao_cao.ipynb", "tt-tan-khai", ky="2027-6t")
    box = page.locator(".dv-field-ket_qua_dat_duoc textarea")
    box.wait_for()
    assert box.input_value() == "Đã tổ chức 3 hội nghị tuyên truyền Chỉ thị 33 tại khu phố 1, 2 và 5."
    assert "Đang soạn" in page.locator(".dv-state").inner_text()
    shot(page, "draft-reopened")
    context.close()


def test_another_unit_cannot_see_the_first_units_report(page, voila_server):
    open_page(page, voila_server, "bao_cao.ipynb", "xa-an-phu", ky="2026-6t")
    page.locator(".dv-form").wait_for()
    page.locator(".dv-field-nguoi_lap input").fill("Cán bộ An Phú")
    wait_for_draft_saved(page)
    draft = latest(voila_server, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", submitted_only=False)
    assert draft is not None and draft.data["nguoi_lap"] == "Cán bộ An Phú"   # there is something to hide

    open_page(page, voila_server, "bao_cao.ipynb", "xa-tan-quan", ky="2026-6t", dv="XA-AN-PHU")
    page.locator(".dv-form").wait_for()
    header = page.locator(".dv-page-header").inner_text()
    assert "Xã Tân Quan" in header and "Xã An Phú" not in header
    own = latest(voila_server, "XA-TAN-QUAN", "bao-cao-dinh-ky", "2026-6t", submitted_only=False)
    shown = page.locator(".dv-field-nguoi_lap input").input_value()
    assert shown != "Cán bộ An Phú" and shown == (own.data["nguoi_lap"] if own else "")   # its own report, if any
    open_page(page, voila_server, "tong_hop.ipynb", "xa-tan-quan")
    page.locator(".dv-denied").wait_for()
    assert page.locator(".dv-board").count() == 0
    shot(page, "other-unit-refused")


def test_an_analyst_sees_every_unit_and_opens_a_units_report(page, voila_server):
    submit_report(page, voila_server, "xa-thanh-an", "2026-6t", nguoi_lap="Phạm Thị Thanh An")
    open_desk(page, voila_server, "Báo cáo 6 tháng đầu năm 2026")
    row = page.locator('.dv-unit[data-unit="XA-THANH-AN"]')
    expect(row).to_contain_text("Đã nộp")
    assert page.locator(".dv-unit").count() == 25
    shot(page, "analyst-board")
    href = row.locator("a").get_attribute("href")
    page.goto(f"{voila_server['base']}/voila/render/{href}")
    page.locator(".dv-field-nguoi_lap input").wait_for()
    assert page.locator(".dv-field-nguoi_lap input").input_value() == "Phạm Thị Thanh An"
    assert page.locator(".dv-field-nguoi_lap input").is_disabled()


def choose(select, text: str) -> None:
    """Pick an option by its visible text (ipywidgets may render spaces as no-break spaces)."""
    select.locator("option").first.wait_for(state="attached")
    labels = select.evaluate("s => Array.from(s.options).map(o => o.textContent.replace(/\u00a0/g, ' ').trim())")
    select.select_option(index=labels.index(text))


def workbook_contains(server, period_id: str, text: str, seconds: float = 90) -> bool:
    """Poll the shared output folder until the period's workbook shows `text` (read with openpyxl)."""
    import openpyxl

    path = Path(server["data"]) / "xuat-excel" / f"tong-hop-{period_id}.xlsx"
    deadline = time.time() + seconds
    while time.time() < deadline:
        if path.exists():
            try:
                book = openpyxl.load_workbook(path, read_only=True)
                cells = (str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
                if any(text in c for c in cells):
                    return True
            except Exception:  # replaced while reading: try again
                pass
        time.sleep(1)
    return False


def test_a_browser_user_cannot_run_code_over_the_kernel_websocket(voila_server, tmp_path):
    import websocket

    opener, cookie = http_login(voila_server, "xa-an-phu")
    html = opener.open(f"{voila_server['base']}/voila/render/trang_chu.ipynb").read().decode()
    kernel_id = kernel_id_of(html)
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{voila_server['port']}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}",
        timeout=10, cookie=cookie)
    marker = tmp_path / "pwned.txt"

    def send(msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": msg_type, "username": "x", "session": uuid.uuid4().hex,
                  "date": "2026-11-28T00:00:00Z", "version": "5.3"}
        ws.send(json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                            "channel": "shell", "buffers": []}))
        return msg_id

    def replies_until_answered(msg_id: str, seconds: float = 30) -> list[str]:
        """Message types received up to and including the kernel's reply to `msg_id`."""
        seen, deadline = [], time.monotonic() + seconds
        ws.settimeout(0.5)
        while time.monotonic() < deadline:
            try:
                msg = json.loads(ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            seen.append(msg["header"]["msg_type"])
            if msg.get("channel") == "shell" and msg["parent_header"].get("msg_id") == msg_id:
                return seen
        raise AssertionError(f"no reply to {msg_id} within {seconds} s; saw {seen}")

    # the channel works: what follows is a real refusal
    assert "kernel_info_reply" in replies_until_answered(send("kernel_info_request", {}))
    send("execute_request", {"code": f"open({str(marker)!r}, 'w').write('x')", "silent": False,
                             "store_history": False, "user_expressions": {}, "allow_stdin": False})
    # the kernel answers shell requests in order: had the code gone through, its execute_reply would come
    # before the reply to this later kernel_info_request
    seen = replies_until_answered(send("kernel_info_request", {}))
    ws.close()
    assert "execute_reply" not in seen and "execute_input" not in seen
    assert not marker.exists()


def test_analyst_sends_back_a_late_report_unit_resubmits_analyst_approves_and_downloads(page, voila_server):
    # a unit files the annual report; the analyst finds it on the board among the units still missing
    submit_report(page, voila_server, "xa-minh-duc", "2026-nam", nguoi_lap="Lê Thị Minh Đức")
    open_desk(page, voila_server, "Báo cáo năm 2026")
    expect(page.locator('.dv-unit[data-unit="XA-MINH-DUC"]')).to_contain_text("Đã nộp")
    late_unsent = page.locator(".dv-totals").inner_text()
    assert "Quá hạn chưa nộp" in late_unsent
    page.get_by_role("tab", name="Xem xét, duyệt").click()
    choose(page.locator(".dv-review select").first, "Xã Minh Đức — Đã nộp")
    page.locator(".dv-review textarea").last.fill("Đề nghị bổ sung số liệu tiếp công dân quý IV.")
    page.locator(".dv-review-needs_correction").click()
    page.locator(".dv-review-done").wait_for()
    shot(page, "analyst-sends-back")

    open_page(page, voila_server, "bao_cao.ipynb", "xa-minh-duc", ky="2026-nam")
    page.locator(".dv-review-comment").wait_for()
    assert "bổ sung số liệu tiếp công dân" in page.locator(".dv-review-comment").inner_text()
    page.locator(".dv-field-luot_tiep_cong_dan input").fill("52")
    page.locator(".dv-submit").click()
    page.locator(".dv-status-ok").wait_for()

    open_desk(page, voila_server, "Báo cáo năm 2026")
    page.get_by_role("tab", name="Xem xét, duyệt").click()
    choose(page.locator(".dv-review select").first, "Xã Minh Đức — Đã nộp")   # resubmitted, awaiting review
    page.locator(".dv-field-luot_tiep_cong_dan input").first.wait_for()
    assert page.locator(".dv-field-luot_tiep_cong_dan input").first.input_value() == "52"
    page.locator(".dv-review-approved").click()
    page.locator(".dv-review-done").wait_for()
    page.get_by_role("tab", name="Theo dõi").click()
    expect(page.locator('.dv-unit[data-unit="XA-MINH-DUC"]')).to_contain_text("Đã duyệt")

    page.get_by_role("tab", name="Tổng hợp").click()
    page.locator(".dv-export").click()
    link = page.locator(".dv-download-link", has_text="Báo cáo gửi tỉnh")
    link.wait_for(timeout=120_000)
    with page.expect_download() as info:
        link.click()
    target = Path(voila_server["data"]) / "downloaded.xlsx"
    info.value.save_as(target)
    import openpyxl

    book = openpyxl.load_workbook(target)
    text = " ".join(str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r if c.value)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Số lượt tiếp công dân" in text
    shot(page, "analyst-province-workbook")
