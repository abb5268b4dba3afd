"""Bad input gets a clear Vietnamese message naming the field, and no data object."""
from __future__ import annotations

import pytest
from samples import MODEL_INPUT, REPORT_INPUT, SELF_ASSESSMENT_INPUT, fill

from danvan_kit.forms.engine import validate_submission
from danvan_kit.widgets import FormView

REPORT, SCORES, MODEL = "bao-cao-dinh-ky", "tu-cham-diem", "dan-van-kheo"
BASE = {REPORT: REPORT_INPUT, SCORES: SELF_ASSESSMENT_INPUT, MODEL: MODEL_INPUT}

# (case, form, changes, field with the error, words the message must contain)
CASES = [
    ("missing required", REPORT, {"nguoi_lap": ""}, "nguoi_lap", "bắt buộc"),
    ("only spaces count as missing", REPORT, {"nguoi_lap": "   \u00a0 "}, "nguoi_lap", "bắt buộc"),
    ("text in a number", REPORT, {"so_cuoc_tuyen_truyen": "mười hai"}, "so_cuoc_tuyen_truyen", "phải là số nguyên"),
    ("decimal in a count", REPORT, {"so_cuoc_tuyen_truyen": "1,5"}, "so_cuoc_tuyen_truyen", "phải là số nguyên"),
    ("negative count", REPORT, {"luot_tiep_cong_dan": "-3"}, "luot_tiep_cong_dan", "không được là số âm"),
    ("absurdly large number", REPORT, {"tthc_tiep_nhan": "1000000000000000"}, "tthc_tiep_nhan", "phải là số nguyên"),
    ("settled more than received", REPORT, {"khieu_nai_da_giai_quyet": "9"}, "khieu_nai_da_giai_quyet",
     "không được lớn hơn số đơn tiếp nhận"),
    ("overdue more than pending", REPORT, {"khieu_nai_qua_han": "4"}, "khieu_nai_qua_han", "quá hạn"),
    ("procedures handled more than received", REPORT, {"tthc_tre_han": "60"}, "tthc_tre_han", "không được lớn hơn"),
    ("attendees without any session", REPORT, {"so_cuoc_tuyen_truyen": "0", "so_cuoc_vung_dtts": "0"},
     "so_luot_nguoi_tham_du", "ít nhất một cuộc"),
    ("percentage over 100", REPORT, {"ty_le_hai_long": "150"}, "ty_le_hai_long", "không được lớn hơn 100"),
    ("impossible date", REPORT, {"ngay_bao_cao": "31/02/2026"}, "ngay_bao_cao", "dd/mm/yyyy"),
    ("date in another format", REPORT, {"ngay_bao_cao": "April 28th"}, "ngay_bao_cao", "dd/mm/yyyy"),
    ("100 000-character text", REPORT, {"ket_qua_dat_duoc": "Kết quả " * 12_500}, "ket_qua_dat_duoc", "vượt giới hạn"),
    ("NUL character", REPORT, {"ton_tai_han_che": "Hạn chế\x00 về nhân lực"}, "ton_tai_han_che", "ký tự điều khiển"),
    ("emoji", REPORT, {"de_xuat_kien_nghi": "Đề nghị hỗ trợ 🙏🙏"}, "de_xuat_kien_nghi", "emoji"),
    ("right-to-left override", REPORT, {"ket_qua_dat_duoc": "Giải quyết \u202e001 hồ sơ"}, "ket_qua_dat_duoc",
     "ký tự điều khiển hướng chữ (U+202E) dùng để ngụy trang văn bản"),
    ("isolate around a name", REPORT, {"nguoi_lap": "\u2067Nguyễn Văn A\u2069"}, "nguoi_lap", "(U+2067)"),
    ("lone surrogate", REPORT, {"nguoi_lap": "Nguyễn\ud83d Văn A"}, "nguoi_lap", "ký tự hỏng (U+D83D"),
    ("lone surrogate in a number", REPORT, {"tthc_tiep_nhan": "12\udc00"}, "tthc_tiep_nhan", "ký tự hỏng (U+DC00"),
    ("report dated in 2099", REPORT, {"ngay_bao_cao": "01/01/2099"}, "ngay_bao_cao",
     "ngày 01/01/2099 không được sau ngày hôm nay"),
    ("self-assessment dated in 2099", SCORES, {"ngay_lap": "01/01/2099"}, "ngay_lap", "không được sau ngày hôm nay"),
    ("score above max", SCORES, {"tc_1_1": "6"}, "tc_1_1", "vượt điểm tối đa 5"),
    ("negative score", SCORES, {"tc_2_2": "-1"}, "tc_2_2", "không được là số âm"),
    ("score as words", SCORES, {"tc_2_1": "năm điểm"}, "tc_2_1", "phải là số"),
    ("missing self score", SCORES, {"tc_6_1": ""}, "tc_6_1", "bắt buộc"),
    ("emoji in evidence", SCORES, {"tc_1_1__evidence": "Có kế hoạch ✅"}, "tc_1_1__evidence", "emoji"),
    ("required only when relevant", MODEL, {"linh_vuc": "khac"}, "linh_vuc_khac", "bắt buộc"),
    ("end before start", MODEL, {"ngay_ket_thuc_du_kien": "01/01/2026"}, "ngay_ket_thuc_du_kien",
     "sau thời gian bắt đầu"),
    ("text over the field's limit", MODEL, {"ten_mo_hinh": "Mô hình " * 50}, "ten_mo_hinh", "vượt giới hạn 300"),
]


def _fill(form_id, catalog, changes):
    view = FormView(catalog.form(form_id))
    fill(view, {**BASE[form_id], **changes})
    return view


@pytest.mark.parametrize("case,form_id,changes,field,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_a_message_naming_the_field(catalog, case, form_id, changes, field, words):
    received = []
    view = _fill(form_id, catalog, changes)
    view.on_submit = lambda data, attempt: received.append(data)
    result = view.submit()
    assert result.data is None and received == []
    messages = [e for e in result.errors if e.field == field]
    assert messages, f"no error on {field}: {[str(e) for e in result.errors]}"
    assert words in messages[0].message
    label = catalog.form(form_id).field(field.removesuffix("__evidence")).label
    assert label in str(messages[0])                            # the message names the field
    assert label.split("»")[0][:20] in view.summary.value.replace("&quot;", '"') or "Còn" in view.summary.value
    assert "⚠" in view.controls[field.removesuffix("__evidence")].error.value
    assert "Chưa nộp được" in view.status.value


@pytest.mark.parametrize("case,form_id,changes,field,words", CASES, ids=[c[0] for c in CASES])
def test_the_store_side_check_gives_the_same_message(catalog, case, form_id, changes, field, words):
    raw = _fill(form_id, catalog, changes).raw()
    result = validate_submission(catalog.form(form_id), raw)
    assert result.data is None
    assert any(e.field == field and words in e.message for e in result.errors)


def test_a_repeat_row_missing_a_required_column_names_row_and_column(catalog):
    view = _fill(MODEL, catalog, {})
    row = view.controls["nguon_luc"].add_row()
    row["so_tien"].raw = "20"
    result = view.submit()
    assert result.data is None
    [err] = [e for e in result.errors if e.field == "nguon_luc[1].nguon"]
    assert str(err) == "«Nguồn lực thực hiện, dòng 1: Nguồn»: chưa nhập — đây là mục bắt buộc"


def test_an_attachment_of_the_wrong_kind_or_too_large_is_refused(catalog):
    view = _fill(MODEL, catalog, {})
    import datetime
    upload = lambda name, size: {"name": name, "type": "", "size": size, "content": memoryview(b"x" * size),  # noqa: E731
                                 "last_modified": datetime.datetime(2026, 11, 1)}
    view.controls["minh_chung"].input.value = (upload("virus.exe", 10),)
    assert any("không đúng loại" in e.message for e in view.submit().errors)
    view.controls["minh_chung"].input.value = (upload("scan.pdf", 1_200_000),)
    assert any("vượt giới hạn 1 MB" in e.message for e in view.submit().errors)


def test_a_choice_that_is_not_offered_is_refused_when_data_arrives_from_outside(catalog):
    result = validate_submission(catalog.form(MODEL), {**MODEL_INPUT, "linh_vuc": "thể thao"})
    assert result.data is None
    assert any(e.field == "linh_vuc" and "không phải một lựa chọn hợp lệ" in e.message for e in result.errors)


def test_choice_labels_are_accepted_in_place_of_codes(catalog):
    result = validate_submission(catalog.form(MODEL), {**MODEL_INPUT, "linh_vuc": "xây dựng nông thôn mới"})
    assert result.ok and result.data["linh_vuc"] == "nong_thon_moi"


def test_formula_like_text_is_kept_as_plain_text(catalog):
    text = '=HYPERLINK("http://x","bấm")'
    result = validate_submission(catalog.form(REPORT), {**REPORT_INPUT, "de_xuat_kien_nghi": text})
    assert result.ok and result.data["de_xuat_kien_nghi"] == text


def test_an_unreadable_number_is_reported_once_not_again_by_the_rules_that_use_it(catalog):
    result = validate_submission(catalog.form(REPORT), {**REPORT_INPUT, "so_cuoc_tuyen_truyen": "mười hai"})
    assert [e.field for e in result.errors] == ["so_cuoc_tuyen_truyen"]
