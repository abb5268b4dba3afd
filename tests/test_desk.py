"""The analysts' desk driven through its widgets: board, review cycle, consolidated figures, Excel."""
from __future__ import annotations

import base64
import io
from datetime import datetime, timezone

import openpyxl
import pytest
from samples import REPORT_INPUT, SELF_ASSESSMENT_INPUT, fill

from danvan_kit.analysis import frames
from danvan_kit.app.context import App
from danvan_kit.app.desk import DeskView
from danvan_kit.app.form_page import FormPage
from danvan_kit.app.review import ReviewPanel
from danvan_kit.app.summary import SummaryView
from danvan_kit.store import Store

AFTER_DEADLINE = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)   # annual report due 10/11


@pytest.fixture
def app(tmp_path, catalog, monkeypatch):
    monkeypatch.setenv("DANVAN_OUTPUT_DIR", str(tmp_path / "xuat-excel"))
    clock = {"now": datetime(2026, 11, 5, 3, 0, tzinfo=timezone.utc)}
    store = Store.open(data_dir=tmp_path, validator=catalog.validator, clock=lambda: clock["now"])
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    for login, unit in [("xa-an-phu", "XA-AN-PHU"), ("xa-tan-quan", "XA-TAN-QUAN"), ("xa-dong-no", "XA-DONG-NO")]:
        store.create_account(login, role="unit", unit_code=unit, passcode="mat-khau-1")
    store.create_account("phongnoivu", role="analyst", unit_code=None, passcode="mat-khau-1")
    app = App(catalog=catalog, store=store, data=tmp_path, export_on_submit=False)
    app.clock = clock
    yield app
    store.close()


def who(app, login):
    return app.login(login, "mat-khau-1")


def submit(app, login, form_id, period_id, values, when=None):
    if when is not None:
        app.clock["now"] = when
    account, token = who(app, login)
    page = FormPage(app, account, form_id, {"ky": period_id})
    fill(page.view, values)
    assert page.view.submit().ok
    return page


def test_the_board_shows_totals_and_who_is_late(app):
    submit(app, "xa-an-phu", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT)
    submit(app, "xa-tan-quan", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT, when=AFTER_DEADLINE)
    analyst, token = who(app, "phongnoivu")
    desk = DeskView(app, analyst)
    desk.period_pick.value = "2026-nam"
    board = desk.board.value
    assert "Đã nộp 2/25 đơn vị" in board and "Quá hạn chưa nộp 23" in board
    an_phu = board.split('data-unit="XA-AN-PHU"')[1].split("</tr>")[0]
    tan_quan = board.split('data-unit="XA-TAN-QUAN"')[1].split("</tr>")[0]
    dong_no = board.split('data-unit="XA-DONG-NO"')[1].split("</tr>")[0]
    assert "đúng hạn" in an_phu and "05/11/2026" in an_phu
    assert "trễ 10 ngày" in tan_quan
    assert "quá hạn 10 ngày" in dong_no and "Chưa làm" in dong_no


def test_a_report_goes_back_for_correction_and_is_approved_after_resubmission(app):
    page = submit(app, "xa-an-phu", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT)
    analyst, token = who(app, "phongnoivu")
    desk = DeskView(app, analyst)
    desk.period_pick.value = "2026-nam"
    panel = desk.review
    panel.select("XA-AN-PHU")
    assert panel.view_box.children[0].controls["nguoi_lap"].raw == REPORT_INPUT["nguoi_lap"]
    panel.buttons["needs_correction"].click()
    assert "phải kèm nhận xét" in panel.message.value                 # a comment is required
    panel.comment.value = "Số đơn khiếu nại đã giải quyết chưa khớp với sổ theo dõi, đề nghị kiểm tra lại."
    panel.buttons["needs_correction"].click()
    assert "Đã ghi: Yêu cầu chỉnh sửa" in panel.message.value
    assert "Cần chỉnh sửa" in desk.board.value.split('data-unit="XA-AN-PHU"')[1].split("</tr>")[0]

    account, utoken = who(app, "xa-an-phu")
    again = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-nam"})
    assert "chưa khớp với sổ theo dõi" in again.view.review_note.value
    again.view.controls["khieu_nai_da_giai_quyet"].raw = "5"
    assert again.view.submit().ok

    desk = DeskView(app, analyst)
    desk.period_pick.value = "2026-nam"
    desk.review.select("XA-AN-PHU")
    assert desk.review.view_box.children[0].controls["khieu_nai_da_giai_quyet"].raw == "5"
    desk.review.buttons["approved"].click()
    assert "Đã duyệt" in desk.board.value.split('data-unit="XA-AN-PHU"')[1].split("</tr>")[0]
    del page


def test_reviewer_scores_are_kept_beside_the_units_own_and_checked(app):
    submit(app, "xa-an-phu", "tu-cham-diem", "2026-tcd", SELF_ASSESSMENT_INPUT)
    analyst, token = who(app, "phongnoivu")
    panel = ReviewPanel(app, analyst, app.catalog.calendar.get("2026-tcd"))
    panel.select("XA-AN-PHU")
    panel.scores["tc_2_2"].value = "11"
    assert not panel.decide("approved")
    assert "từ 0 đến 10" in panel.message.value
    panel.scores["tc_2_2"].value = "mười"
    assert not panel.decide("approved") and "phải là số" in panel.message.value
    panel.scores["tc_2_2"].value = "6,5"
    assert panel.decide("approved")
    review = app.store.review_state(analyst, "XA-AN-PHU", "tu-cham-diem", "2026-tcd")
    assert review.adjusted_scores["tc_2_2"] == 6.5
    own = app.store.latest(analyst, "XA-AN-PHU", "tu-cham-diem", "2026-tcd", submitted_only=True)
    assert own.data["tc_2_2"] == 8.0                                      # the unit's own score is untouched
    account, utoken = who(app, "xa-an-phu")
    unit_view = FormPage(app, account, "tu-cham-diem", {"ky": "2026-tcd"}).view
    assert "Thẩm định: <b>6,5</b>" in unit_view.controls["tc_2_2"].reviewer.value


def test_a_unit_account_gets_no_desk(app):
    account, token = who(app, "xa-an-phu")
    assert "chỉ dành cho Phòng Nội vụ" in DeskView(app, account).children[0].value


def test_consolidated_figures_add_up_and_compare_with_last_year(app):
    submit(app, "xa-an-phu", "bao-cao-dinh-ky", "2025-nam", dict(REPORT_INPUT, so_cuoc_tuyen_truyen="8",
                                                                   ngay_bao_cao="01/11/2025"),
           when=datetime(2025, 11, 1, 3, tzinfo=timezone.utc))
    app.clock["now"] = datetime(2026, 11, 5, 3, tzinfo=timezone.utc)
    submit(app, "xa-an-phu", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT)
    submit(app, "xa-tan-quan", "bao-cao-dinh-ky", "2026-nam", dict(REPORT_INPUT, so_cuoc_tuyen_truyen="30"))
    analyst, _ = who(app, "phongnoivu")
    view = SummaryView(app, analyst, app.catalog.calendar.get("2026-nam"))
    row = view.figures.value.split('data-key="so_cuoc_tuyen_truyen"')[1].split("</tr>")[0]
    assert ">42<" in row and ">8<" in row                                # 12 + 30 this year, 8 last year
    assert "So với cùng kỳ năm trước" in view.charts.value
    assert "Xã Tân Quan" in view.charts.value
    from danvan_kit.figures import gather, year_on_year
    compared = {c.indicator.key: c for c in year_on_year(gather(app.catalog, app.store, "2026-nam",
                                                                  with_previous=True))}
    assert (compared["so_cuoc_tuyen_truyen"].value, compared["so_cuoc_tuyen_truyen"].last) == (42, 8)
    assert compared["so_cuoc_tuyen_truyen"].change == 34                   # the same numbers the workbooks print


def test_one_action_builds_the_province_workbook_and_offers_it(app):
    submit(app, "xa-an-phu", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT)
    analyst, _ = who(app, "phongnoivu")
    view = SummaryView(app, analyst, app.catalog.calendar.get("2026-nam"))
    view.export_button.click()
    assert view.progress.value == view.progress.max and view.progress.description == "Xong"
    links = view.links.value
    assert "Báo cáo gửi tỉnh" in links and "Bảng tổng hợp" in links
    for part in links.split("base64,")[1:]:
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(part.split('"')[0])))
        text = " ".join(str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r if c.value)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_analysts_get_the_period_as_dataframes(app):
    submit(app, "xa-an-phu", "tu-cham-diem", "2026-tcd", SELF_ASSESSMENT_INPUT)
    submit(app, "xa-tan-quan", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT)
    data = frames("2026-tcd", store=app.store, catalog=app.catalog)
    assert len(data["trang_thai"]) == 25
    assert list(data["so_lieu"]["ma"]) == ["XA-AN-PHU"]
    scores = data["diem"].set_index("ma")
    assert scores.loc["XA-AN-PHU", "tu_cham"] == 87.5 and scores.loc["XA-AN-PHU", "xep_loai"] == "Tốt"
    assert scores.loc["XA-AN-PHU", "hang"] == 1
    report = frames("2026-nam", store=app.store, catalog=app.catalog)["so_lieu"]
    assert report.loc[0, "tthc_tiep_nhan"] == 1840
    assert report.attrs["labels"]["tthc_tiep_nhan"] == "Số hồ sơ thủ tục hành chính tiếp nhận"


def test_the_desk_hands_out_a_blank_excel_form_and_imports_it_back_filled(app, tmp_path):
    from roundtrip.bookkit import fill as fill_book

    analyst, token = who(app, "phongnoivu")
    desk = DeskView(app, analyst)
    desk.period_pick.value = "2026-nam"
    panel = desk.excel
    panel.unit_pick.value = "XA-DONG-NO"
    content = panel.make_blank()
    assert 'download="mau-nhap-lieu-XA-DONG-NO-2026-nam.xlsx"' in panel.blank_link.value
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(content)
    refused = panel.import_uploads([("trong.xlsx", blank.read_bytes()), ("thu.xlsx", b"PK not really a workbook")])
    assert [r.ok for r in refused] == [False, False]
    assert "bắt buộc" in panel.result.value and "không lưu" in panel.result.value
    assert app.store.latest(analyst, "XA-DONG-NO", "bao-cao-dinh-ky", "2026-nam") is None
    filled = fill_book(blank, app.catalog.form("bao-cao-dinh-ky"), REPORT_INPUT)
    [stored] = panel.import_uploads([("dong-no.xlsx", filled.read_bytes())])
    assert stored.ok and "đã lưu, bản số 1" in panel.result.value
    revision = app.store.latest(analyst, "XA-DONG-NO", "bao-cao-dinh-ky", "2026-nam", submitted_only=True)
    assert revision.data["tthc_tiep_nhan"] == 1840
    desk.refresh()
    assert "Đã nộp" in desk.board.value.split('data-unit="XA-DONG-NO"')[1].split("</tr>")[0]
