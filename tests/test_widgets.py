"""The forms driven through their widgets, as staff would, without a browser."""
from __future__ import annotations

import unicodedata

import pytest
from samples import (
    MODEL_INPUT,
    MODEL_ROWS,
    REPORT_INPUT,
    REPORT_ROWS,
    SELF_ASSESSMENT_INPUT,
    SELF_ASSESSMENT_TOTAL,
    fill,
)

from danvan_kit.widgets import FormView, UserFacingError


def submitted(template, values, rows=None):
    received = []
    view = FormView(template, on_submit=lambda data, attempt: received.append((data, attempt)) or "Đã nộp.")
    fill(view, values, rows)
    result = view.submit()
    return view, result, received


def test_periodic_report_filled_through_widgets_gives_clean_data(catalog):
    view, result, received = submitted(catalog.form("bao-cao-dinh-ky"), REPORT_INPUT,
                                       {"hoat_dong_noi_bat": REPORT_ROWS})
    assert result.ok, [str(e) for e in result.errors]
    data = received[0][0]
    assert data["so_luot_nguoi_tham_du"] == 1250
    assert data["tthc_tiep_nhan"] == 1840
    assert data["ty_le_hai_long"] == 92.5
    assert data["ngay_bao_cao"] == "2026-04-28"
    assert data["hinh_thuc_tuyen_truyen"] == ["hoi_nghi", "truyen_thanh"]
    assert data["khieu_nai_dang_giai_quyet"] == 1          # 7 received - 6 settled
    assert data["kien_nghi_dang_giai_quyet"] == 3
    assert data["tthc_ty_le_dung_han"] == round(100 * 1795 / 1807, 1)
    assert data["ty_le_giai_quyet_don"] == round(100 * 42 / 46, 1)
    assert data["hoat_dong_noi_bat"] == [
        {"ngay": "2026-03-15", "noi_dung": "Hội nghị phổ biến Chỉ thị 33 cho cán bộ xã", "so_nguoi": 85},
        {"ngay": "2026-04-02", "noi_dung": "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở tại ấp 3", "so_nguoi": 120},
    ]
    assert "Đã nộp." in view.status.value


def test_self_assessment_filled_through_widgets_totals_and_classes(catalog):
    view, result, received = submitted(catalog.form("tu-cham-diem"), SELF_ASSESSMENT_INPUT)
    assert result.ok, [str(e) for e in result.errors]
    data = received[0][0]
    assert data["tong_diem"] == SELF_ASSESSMENT_TOTAL
    assert data["xep_loai"] == "Tốt"
    assert data["tc_1_3"] == 4.5
    assert data["tc_1_1__evidence"] == "Kế hoạch số 12/KH-UBND ngày 20/01/2026"
    assert "87,5" in view.controls["tong_diem"].input.value
    assert "Điểm phần này: 18,5 / 20" in view._subtotals["nhom_1"].value


def test_model_registration_filled_through_widgets_sums_resources(catalog):
    view, result, received = submitted(catalog.form("dan-van-kheo"), MODEL_INPUT, {"nguon_luc": MODEL_ROWS})
    assert result.ok, [str(e) for e in result.errors]
    data = received[0][0]
    assert data["tong_kinh_phi"] == 2090.5
    assert data["nguon_luc"][1] == {"nguon": "nhan_dan", "so_tien": 1240.5, "ghi_chu": "Ngày công và tiền mặt"}
    assert data["ho_ten_ca_nhan"] is None        # hidden: the model belongs to a collective
    assert data["so_nguoi_huong_loi"] == 1320


def test_live_total_and_class_follow_each_score_typed(catalog):
    view = FormView(catalog.form("tu-cham-diem"))
    view.controls["co_vi_pham_nghiem_trong"].raw = False
    for name in [f.name for f in catalog.form("tu-cham-diem").score_fields()]:
        view.controls[name].raw = "2"
    assert view.refresh().values["tong_diem"] == 36
    assert "Yếu" in view.controls["xep_loai"].input.value
    view.controls["tc_2_2"].raw = "10"
    view.controls["tc_4_1"].raw = "8"
    view.controls["tc_5_2"].raw = "10"
    for name in ["tc_1_1", "tc_1_2", "tc_1_3", "tc_1_4", "tc_2_1", "tc_2_3", "tc_3_1", "tc_3_2", "tc_3_3", "tc_5_1",
                 "tc_6_1", "tc_6_2"]:
        view.controls[name].raw = "4"
    assert view.refresh().values["tong_diem"] == 2 * 3 + 28 + 48
    assert "Tốt" in view.controls["xep_loai"].input.value


def test_serious_violation_makes_the_unit_ineligible_for_a_class(catalog):
    view = fill(FormView(catalog.form("tu-cham-diem")), SELF_ASSESSMENT_INPUT)
    view.controls["co_vi_pham_nghiem_trong"].raw = True
    assert view.refresh().values["xep_loai"] == "Không đủ điều kiện xếp loại"


def test_relevance_shows_and_hides_fields_as_answers_change(catalog):
    view = FormView(catalog.form("dan-van-kheo"))
    person = view.controls["ho_ten_ca_nhan"].container
    other = view.controls["linh_vuc_khac"].container
    assert person.layout.display == "none" and other.layout.display == "none"
    view.controls["loai_hinh"].raw = "ca_nhan"
    assert person.layout.display is None
    view.controls["linh_vuc"].raw = "khac"
    assert other.layout.display is None
    view.controls["loai_hinh"].raw = "tap_the"
    assert person.layout.display == "none"


def test_widget_edits_trigger_refresh_and_on_change_without_manual_calls(catalog):
    changes = []
    view = FormView(catalog.form("bao-cao-dinh-ky"), on_change=lambda v: changes.append(v.raw()["khieu_nai_tiep_nhan"]))
    view.controls["khieu_nai_tiep_nhan"].input.value = "9"      # what the browser does
    view.controls["khieu_nai_da_giai_quyet"].input.value = "4"
    assert changes[:1] == ["9"]
    assert ">5 đơn<" in view.controls["khieu_nai_dang_giai_quyet"].input.value


def test_hidden_answers_are_not_validated_or_kept(catalog):
    values = dict(REPORT_INPUT, co_khao_sat_hai_long=False, ty_le_hai_long="150")
    _view, result, received = submitted(catalog.form("bao-cao-dinh-ky"), values)
    assert result.ok
    assert received[0][0]["ty_le_hai_long"] is None


def test_repeat_rows_are_added_and_removed(catalog):
    view = FormView(catalog.form("dan-van-kheo"))
    group = view.controls["nguon_luc"]
    group.add_button.click()
    group.add_button.click()
    group.rows[0]["nguon"].raw = "ngan_sach"
    group.rows[0]["so_tien"].raw = "100"
    group.rows[1]["nguon"].raw = "xa_hoi_hoa"
    group.rows[1]["so_tien"].raw = "50"
    assert view.refresh().values["tong_kinh_phi"] == 150
    group._row_boxes[0].children[-1].click()                  # the row's "Xoá dòng" button
    assert len(group.rows) == 1
    assert view.refresh().values["tong_kinh_phi"] == 50


def test_repeat_group_refuses_rows_past_its_maximum(catalog):
    view = FormView(catalog.form("dan-van-kheo"))
    group = view.controls["nguon_luc"]
    for _ in range(25):
        group.add_row()
    assert len(group.rows) == 20
    assert group.add_button.disabled


def test_a_row_error_is_shown_in_its_row(catalog):
    view = fill(FormView(catalog.form("dan-van-kheo")), MODEL_INPUT,
                {"nguon_luc": [{"nguon": "khac", "so_tien": "nhiều"}]})
    result = view.submit()
    assert not result.ok
    assert any(e.field == "nguon_luc[1].so_tien" and "phải là số" in e.message for e in result.errors)
    assert "phải là số" in view.controls["nguon_luc"].rows[0]["so_tien"].error.value


def test_draft_keeps_what_was_typed_even_if_invalid_and_reloads_it(catalog):
    saved = []
    view = FormView(catalog.form("bao-cao-dinh-ky"),
                    on_save_draft=lambda raw: saved.append(raw) or "Đã lưu nháp lúc 10:02.")
    view.controls["so_cuoc_tuyen_truyen"].raw = "mười hai"
    view.controls["nguoi_lap"].raw = "Lê Văn Tám"
    view.draft_button.click()
    assert saved[0]["so_cuoc_tuyen_truyen"] == "mười hai"
    assert "Đã lưu nháp" in view.status.value
    reopened = FormView(catalog.form("bao-cao-dinh-ky"), data=saved[0])
    assert reopened.controls["so_cuoc_tuyen_truyen"].raw == "mười hai"
    assert reopened.controls["nguoi_lap"].raw == "Lê Văn Tám"


def test_submitted_data_reloads_into_the_form_in_vietnamese_formats(catalog):
    _view, _result, received = submitted(catalog.form("bao-cao-dinh-ky"), REPORT_INPUT,
                                         {"hoat_dong_noi_bat": REPORT_ROWS})
    reopened = FormView(catalog.form("bao-cao-dinh-ky"), data=received[0][0])
    assert reopened.controls["tthc_tiep_nhan"].raw == "1.840"
    assert reopened.controls["ngay_bao_cao"].raw == "28/04/2026"
    assert reopened.controls["ty_le_hai_long"].raw == "92,5"
    assert len(reopened.controls["hoat_dong_noi_bat"].rows) == 2
    again = reopened.submit()
    assert again.ok and again.data == received[0][0]


def test_double_click_on_submit_sends_one_attempt_id(catalog):
    attempts = []
    view = fill(FormView(catalog.form("tu-cham-diem"), on_submit=lambda d, a: attempts.append(a)),
                SELF_ASSESSMENT_INPUT)
    view.submit_button.click()
    view.submit_button.click()
    assert len(attempts) == 2 and attempts[0] == attempts[1]
    view.controls["tc_6_2"].raw = "5"
    view.submit()
    assert attempts[2] != attempts[0]


def test_submit_while_a_submit_is_running_is_ignored(catalog):
    calls = []

    def slow_submit(data, attempt):
        calls.append(attempt)
        view.submit()                      # a second click arriving mid-submit
        return "Đã nộp."

    view = fill(FormView(catalog.form("tu-cham-diem"), on_submit=slow_submit), SELF_ASSESSMENT_INPUT)
    view.submit()
    assert len(calls) == 1
    assert not view.submit_button.disabled


def test_a_failing_save_shows_a_vietnamese_message_not_a_traceback(catalog, caplog):
    def broken(data, attempt):
        raise RuntimeError("database exploded at 0xdeadbeef")

    view = fill(FormView(catalog.form("tu-cham-diem"), on_submit=broken), SELF_ASSESSMENT_INPUT)
    result = view.submit()
    assert not result.ok
    assert "Chưa lưu được" in view.status.value
    assert "0xdeadbeef" not in view.status.value and "Traceback" not in view.status.value
    assert "database exploded" in caplog.text


def test_a_refusal_from_the_store_is_shown_as_it_is(catalog):
    def refuse(data, attempt):
        raise UserFacingError("Tài khoản không có quyền nộp báo cáo của đơn vị khác.")

    view = fill(FormView(catalog.form("tu-cham-diem"), on_submit=refuse), SELF_ASSESSMENT_INPUT)
    assert not view.submit().ok
    assert "không có quyền" in view.status.value


def test_reviewer_score_and_comment_are_shown_beside_the_units_own(catalog):
    view = FormView(catalog.form("tu-cham-diem"), data=SELF_ASSESSMENT_INPUT,
                    reviewer_scores={"tc_1_3": 4.0}, review_comment="Bổ sung minh chứng tiêu chí 1.3")
    assert "Thẩm định: <b>4</b>" in view.controls["tc_1_3"].reviewer.value
    assert view.controls["tc_1_3"].raw == "4,5"
    assert "Bổ sung minh chứng" in view.review_note.value
    assert view.review_note.layout.display is None


def test_readonly_form_cannot_be_edited_or_submitted(catalog):
    view = FormView(catalog.form("dan-van-kheo"), data=MODEL_INPUT, readonly=True)
    assert view.controls["ten_mo_hinh"].input.disabled
    assert view.submit_button.layout.display == "none"


def test_errors_clear_live_once_corrected_after_a_failed_submit(catalog):
    view = FormView(catalog.form("dan-van-kheo"))
    fill(view, dict(MODEL_INPUT, ten_mo_hinh=""))
    view.submit()
    assert "bắt buộc" in view.controls["ten_mo_hinh"].error.value
    view.controls["ten_mo_hinh"].input.value = "Mô hình mới"
    assert "⚠" not in view.controls["ten_mo_hinh"].error.value
    assert "Tên mô hình" in view.controls["ten_mo_hinh"].error.value     # the label stays
    assert view.summary.layout.display == "none"


def test_uploaded_evidence_file_is_kept_with_its_checksum(catalog):
    view = fill(FormView(catalog.form("dan-van-kheo")), MODEL_INPUT)
    content = b"%PDF-1.4 quyet dinh cong nhan"
    view.controls["minh_chung"].input.value = ({"name": "quyet-dinh.pdf", "type": "application/pdf",
                                                 "size": len(content), "content": memoryview(content),
                                                 "last_modified": __import__("datetime").datetime(2026, 11, 1)},)
    result = view.submit()
    assert result.ok
    [entry] = result.data["minh_chung"]
    assert entry["name"] == "quyet-dinh.pdf" and entry["size"] == len(content) and len(entry["sha256"]) == 64
    assert view.raw()["minh_chung"][0]["sha256"] == entry["sha256"]   # a draft keeps it too


@pytest.mark.parametrize("form_id", ["bao-cao-dinh-ky", "tu-cham-diem", "dan-van-kheo"])
def test_every_required_field_shows_a_marker(catalog, form_id):
    view = FormView(catalog.form(form_id))
    for spec in catalog.form(form_id).all_fields():
        if spec.required and spec.max_score is None:
            assert 'title="Bắt buộc"' in view.controls[spec.name].container.children[0].value


def test_nfd_text_from_a_pdf_is_stored_as_nfc(catalog):
    nfd = unicodedata.normalize("NFD", "Ban Nhân dân ấp Sóc Lớn\u00ad") + "\u200b"
    _view, result, received = submitted(catalog.form("dan-van-kheo"), dict(MODEL_INPUT, ten_tap_the=nfd))
    assert result.ok
    stored = received[0][0]["ten_tap_the"]
    assert stored == "Ban Nhân dân ấp Sóc Lớn"
    assert unicodedata.is_normalized("NFC", stored)


def test_an_unanswered_choice_shows_the_prompt_and_reads_as_empty(catalog):
    view = FormView(catalog.form("dan-van-kheo"))
    box = view.controls["linh_vuc"]
    assert box.input.value == "" and box.input.label == "— Chọn —"
    assert box.raw is None
    box.raw = "kinh_te"
    assert box.input.label == "Kinh tế" and box.raw == "kinh_te"
    box.raw = None
    assert box.input.label == "— Chọn —"


def test_a_draft_with_odd_values_always_opens(catalog, caplog):
    draft = {"ngay_bao_cao": "2026-13-01", "nguoi_lap": ["không", "phải", "chuỗi"], "so_cuoc_tuyen_truyen": {"x": 1},
             "hinh_thuc_tuyen_truyen": "hoi_nghi", "co_khao_sat_hai_long": "có lẽ",
             "hoat_dong_noi_bat": "không phải bảng", "tthc_tiep_nhan": 12.5, "khieu_nai_tiep_nhan": None}
    view = FormView(catalog.form("bao-cao-dinh-ky"), data=draft)
    assert view.controls["ngay_bao_cao"].raw == "2026-13-01"        # shown as typed, to be corrected
    result = view.submit()
    assert not result.ok
    assert any(e.field == "ngay_bao_cao" and "dd/mm/yyyy" in e.message for e in result.errors)


def test_a_read_only_form_cannot_drop_its_attachments(catalog):
    view = FormView(catalog.form("dan-van-kheo"), data=dict(MODEL_INPUT, minh_chung=[
        {"name": "qd.pdf", "size": 3, "type": "application/pdf", "sha256": "0" * 64, "content_b64": "YWJj"}]),
        readonly=True)
    control = view.controls["minh_chung"]
    assert control.input.disabled and control._clear.disabled


def _models_of(view):
    """Every widget model a view sends to the browser: itself, its children, layouts and styles."""
    from ipywidgets import Widget

    seen, todo = {}, [view]
    while todo:
        widget = todo.pop()
        if widget.model_id in seen:
            continue
        seen[widget.model_id] = widget
        for name in widget.keys:
            value = getattr(widget, name, None)
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, Widget):
                    todo.append(item)
    return list(seen.values())


def test_the_report_form_shares_layouts_and_styles_that_never_change(catalog):
    """Each model costs the page's kernel memory and the browser a model to build on every load:
    the 6-month report sent 921 of them, 378 layouts, before labels and rows shared theirs."""
    from collections import Counter

    view = FormView(catalog.form("bao-cao-dinh-ky"))
    kinds = Counter(type(m).__name__ for m in _models_of(view))
    assert sum(kinds.values()) <= 550, kinds
    assert kinds["Layout"] <= 160 and kinds["HTMLStyle"] <= 20, kinds


def test_a_field_hidden_or_a_message_shown_changes_only_that_field(catalog):
    """Shared layouts must never be the ones that change: hiding one field hides no other."""
    view = FormView(catalog.form("bao-cao-dinh-ky"))
    controls = [c for c in view.controls.values() if hasattr(c, "echo")]
    layouts = [c.container.layout for c in controls] + [c.echo.layout for c in controls if c.echo is not None]
    assert len({id(x) for x in layouts}) == len(layouts)
    first, *others = controls
    before = [c.container.layout.display for c in others]
    first.set_visible(False)
    assert first.container.layout.display == "none"
    assert [c.container.layout.display for c in others] == before
    numbers = [c for c in controls if c.echo is not None]
    numbers[0].input.value = "3.200"
    assert numbers[0].echo.layout.display is None and "= 3\u202f200" in numbers[0].echo.value
    assert all(c.echo.layout.display == "none" for c in numbers[1:])


def test_a_picker_never_grows_past_the_screen_and_a_hidden_one_is_shown_alone():
    from danvan_kit.widgets.shared import picker

    period = picker("Kỳ báo cáo", options=[("Báo cáo 6 tháng", "2026-6t")], value="2026-6t")
    item = picker("Mô hình", hidden=True)
    assert (period.layout.width, period.layout.max_width, period.style.description_width) == ("36em", "100%", "8em")
    assert item.layout.display == "none" and period.layout.display is None
    item.layout.display = ""                       # shown later: the other picker is untouched
    assert period.layout is not item.layout and period.layout.display is None
