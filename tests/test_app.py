"""The Voilà app's pages driven through their widgets, on a real SQLite store (no browser)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from samples import MODEL_INPUT, REPORT_INPUT, SELF_ASSESSMENT_INPUT, fill

from danvan_kit.app.desk import DeskView
from danvan_kit.app.form_page import FormPage
from danvan_kit.app.home import HomeView
from danvan_kit.app.pages import show_page


def login(app, who, passcode):
    account, token = app.login(who, passcode)
    return account, token


def page_environ(app, token):
    """What the server's identity provider hands a page's kernel: a one-use ticket in the request headers."""
    return {"HTTP_X_DANVAN_TICKET": app.store.issue_page_ticket(app.store.session_account(token))}


def test_a_page_without_a_ticket_shows_no_data_and_links_to_the_login(app):
    root = show_page(lambda *a: pytest.fail("page built without login"), app=app, params={}, environ={}, show=False)
    [view] = root.children
    assert "dv-login-needed" in view.value and "../../login" in view.value


def test_a_wrong_passcode_is_refused_in_vietnamese(app):
    assert app.login("xa-an-phu", "sai-mat-khau") is None
    result = app.store.log_in("xa-an-phu", "sai-mat-khau", client="10.0.0.9")
    assert result.message == "Sai tài khoản hoặc mật khẩu."


def test_a_ticket_opens_the_page_of_its_session_once(app):
    _, token = login(app, "XA-AN-PHU ", "an-phu-2026")
    environ = page_environ(app, token)
    root = show_page(lambda app, a, p: HomeView(app, a), app=app, params={}, environ=environ, show=False)
    home = root.children[0]
    assert isinstance(home, HomeView)
    assert "Xã An Phú" in home.children[0].value
    again = show_page(lambda *a: pytest.fail("a ticket opened two pages"), app=app, params={}, environ=environ,
                      show=False)
    assert "dv-login-needed" in again.children[0].value


def test_links_carry_no_session_and_every_page_can_log_out(app):
    account, _ = login(app, "xa-an-phu", "an-phu-2026")
    html = HomeView(app, account).children[0].value
    assert "bao_cao.ipynb?ky=" in html and "s=" not in html.replace("class=", "")
    assert 'class="dv-logout" href="../../logout"' in html
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    assert "dv-logout" in page.children[0].value


def test_a_forged_or_stale_ticket_names_nobody(app):
    _, token = login(app, "xa-an-phu", "an-phu-2026")
    assert app.account_from({"HTTP_X_DANVAN_TICKET": token}) is None      # a session token is not a ticket
    assert app.account_from({"HTTP_X_DANVAN_TICKET": "x" * 10_000}) is None
    assert app.account_from({}) is None


def test_logging_out_stops_the_open_pages_widgets(app):
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    environ = page_environ(app, token)
    root = show_page(lambda app, a, p: FormPage(app, a, "bao-cao-dinh-ky", p), app=app, params={"ky": "2026-6t"},
                     environ=environ, show=False)
    page = root.children[0]
    fill(page.view, REPORT_INPUT)
    app.store.end_session(token)                                # "Đăng xuất" in another tab
    page.view.submit()
    assert "không có quyền" in page.view.status.value
    assert app.store.latest(app.store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t") is None


def test_a_unit_fills_saves_a_draft_and_submits_the_report_on_time(app):
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    assert "còn 7 ngày" in page.header.value
    fill(page.view, REPORT_INPUT)
    page.view.draft_button.click()
    assert "Đã lưu nháp lúc" in page.view.status.value
    draft = app.store.latest(account, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")
    assert draft.kind == "draft" and draft.data["so_luot_nguoi_tham_du"] == "1.250"
    page.view.submit_button.click()
    assert "Đã nộp thành công lúc 10:00:00 ngày 28/04/2026 — đúng hạn" in page.view.status.value
    saved = app.store.latest(account, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", submitted_only=True)
    assert saved.data["so_luot_nguoi_tham_du"] == 1250 and saved.on_time


def test_a_double_click_on_submit_makes_one_revision(app):
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "tu-cham-diem", {"ky": "2026-tcd"})
    fill(page.view, SELF_ASSESSMENT_INPUT)
    page.view.submit_button.click()
    page.view.submit_button.click()
    history = app.store.history(account, "XA-AN-PHU", "tu-cham-diem", "2026-tcd")
    assert [(r.kind, r.author, r.number) for r in history] == [("submitted", "xa-an-phu", 1)]
    assert "không tạo bản mới" in page.view.status.value


def test_a_late_submission_is_accepted_and_says_how_late(app, clock):
    clock["now"] = datetime(2026, 5, 8, 2, 0, tzinfo=timezone.utc)
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    assert "đã quá hạn 3 ngày" in page.header.value
    fill(page.view, REPORT_INPUT)
    page.view.submit()
    assert "trễ 3 ngày so với hạn 05/05/2026" in page.view.status.value


def test_autosave_keeps_the_draft_when_the_tab_is_closed_and_reopened(app):
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    page.view.controls["nguoi_lap"].input.value = "Nguyễn Văn Tư"      # typed in the browser
    assert page.autosave.pending
    page.autosave.flush()                                              # the pause in typing
    reopened = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})   # a new page load
    assert reopened.view.controls["nguoi_lap"].raw == "Nguyễn Văn Tư"
    assert "Đang soạn" in reopened.header.value


def test_a_reviewers_request_for_correction_reaches_the_units_form(app):
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "tu-cham-diem", {"ky": "2026-tcd"})
    fill(page.view, SELF_ASSESSMENT_INPUT)
    page.view.submit()
    analyst, _ = login(app, "phongnoivu", "noi-vu-2026")
    app.store.review(analyst, "XA-AN-PHU", "tu-cham-diem", "2026-tcd", state="needs_correction",
                     comment="Tiêu chí 2.2 thiếu quyết định công nhận mô hình.", adjusted_scores={"tc_2_2": 6.0})
    again = FormPage(app, account, "tu-cham-diem", {"ky": "2026-tcd"})
    assert "Tiêu chí 2.2 thiếu quyết định" in again.view.review_note.value
    assert "Thẩm định: <b>6</b>" in again.view.controls["tc_2_2"].reviewer.value
    assert again.view.controls["tc_2_2"].raw == "8"                   # the unit's own score is kept


def test_a_unit_cannot_open_another_units_data_by_editing_the_link(app):
    other, _ = login(app, "xa-tan-quan", "tan-quan-2026")
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    fill(page.view, REPORT_INPUT)
    page.view.submit()
    snoop = FormPage(app, other, "bao-cao-dinh-ky", {"ky": "2026-6t", "dv": "XA-AN-PHU"})
    assert snoop.unit_code == "XA-TAN-QUAN"
    assert snoop.view.controls["nguoi_lap"].raw == ""
    assert DeskView(app, other).children[0].value.count("chỉ dành cho Phòng Nội vụ") == 1


def test_a_forged_widget_message_cannot_write_as_another_unit(app):
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    form = fill(page.view, REPORT_INPUT)
    page.unit_pick.options = [("Xã Tân Quan", "XA-TAN-QUAN")]          # what a hand-made comm message could do
    assert "không có quyền" in page.body.children[0].value             # nothing of Tân Quan is shown
    form.submit()                                                      # the old form is still in the browser
    assert "không có quyền" in form.status.value
    analyst, _ = login(app, "phongnoivu", "noi-vu-2026")
    assert app.store.latest(analyst, "XA-TAN-QUAN", "bao-cao-dinh-ky", "2026-6t") is None
    assert any(e.outcome == "denied" for e in app.store.audit(analyst))


def test_an_analyst_sees_every_unit_and_opens_any_units_form_read_only(app):
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    fill(page.view, REPORT_INPUT)
    page.view.submit()
    analyst, atoken = login(app, "phongnoivu", "noi-vu-2026")
    desk = DeskView(app, analyst)
    desk.period_pick.value = "2026-6t"
    board = desk.board.value
    assert board.count('class="dv-unit"') == 25 and "Đã nộp 1/25 đơn vị" in board
    view = FormPage(app, analyst, "bao-cao-dinh-ky", {"ky": "2026-6t", "dv": "XA-AN-PHU"})
    assert view.view.controls["nguoi_lap"].raw == REPORT_INPUT["nguoi_lap"]
    assert view.view.controls["nguoi_lap"].input.disabled


def test_a_unit_registers_two_models_in_one_period(app):
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "dan-van-kheo", {"ky": "2026-dvk"})
    fill(page.view, MODEL_INPUT)
    page.view.submit()
    assert "Đã nộp thành công" in page.view.status.value
    assert page.item_pick.value == "1"
    page.item_pick.value = "__new__"
    assert page.view.controls["ten_mo_hinh"].raw == ""
    fill(page.view, dict(MODEL_INPUT, ten_mo_hinh="Camera an ninh do Nhân dân đóng góp"))
    page.view.submit()
    assert app.store.items(account, "XA-AN-PHU", "dan-van-kheo", "2026-dvk") == ["1", "2"]


def test_the_home_page_shows_deadlines_and_states(app):
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    fill(page.view, REPORT_INPUT)
    page.view.submit()
    html = HomeView(app, account).children[0].value
    row = html.split('data-period="2026-6t"')[1].split("</tr>")[0]
    assert "hạn 05/05/2026 — còn 7 ngày" in row and "Đã nộp" in row
    assert 'data-period="2025-nam"' in html


def test_every_page_widget_opens_its_own_comm(app):
    """A method named like a Widget method (open, close, send…) would silently break the page in a kernel."""
    account, token = login(app, "phongnoivu", "noi-vu-2026")
    for view in [FormPage(app, account, "bao-cao-dinh-ky", {}), HomeView(app, account),
                 DeskView(app, account)]:
        assert view.comm is not None, type(view).__name__
        assert view.view.comm is not None if isinstance(view, FormPage) else True


def test_the_form_opens_on_the_period_the_person_most_likely_came_for(app, clock):
    from danvan_kit.app.form_page import default_period

    periods = [p for p in app.catalog.calendar.periods if p.form == "bao-cao-dinh-ky"]
    late = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)
    assert default_period(periods, late.date(), submitted=set()).id == "2026-nam"          # late and not sent
    assert default_period(periods, late.date(), submitted={"2026-6t"}).id == "2026-nam"
    assert default_period(periods, late.date(), submitted={"2026-6t", "2026-nam"}).id == "2027-6t"
    assert default_period(periods, late.date(), analyst=True).id == "2026-nam"             # consolidation time
    assert default_period(periods, datetime(2026, 3, 1).date(), submitted=set()).id == "2025-nam"
    assert default_period(periods, datetime(2026, 3, 1).date(), submitted={"2025-nam"}).id == "2026-6t"
    clock["now"] = late
    account, token = login(app, "xa-an-phu", "an-phu-2026")
    assert FormPage(app, account, "bao-cao-dinh-ky", {}).period.id == "2026-nam"


def test_a_unit_downloads_its_own_printable_copy_after_submitting(app):
    import base64
    import io

    import openpyxl

    account, token = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    assert page.download_button.layout.display == "none"               # nothing submitted yet
    fill(page.view, REPORT_INPUT)
    page.view.submit()
    assert page.download_button.layout.display is None
    page.download_button.click()
    link = page.download_link.value
    assert 'download="XA-AN-PHU_2026-6t_bao-cao-dinh-ky.xlsx"' in link
    content = base64.b64decode(link.split("base64,")[1].split('"')[0])
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("Xã An Phú" in c or "XÃ AN PHÚ" in c for c in cells)
    assert any(REPORT_INPUT["nguoi_lap"] in c for c in cells)
