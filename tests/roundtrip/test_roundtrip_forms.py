"""blank-form -> fill with openpyxl -> import: stored data is what the browser form's engine makes of the answers."""
from __future__ import annotations

import json
from datetime import date

import pytest
from bookkit import blank, fill, patch_xml
from samples import (
    MODEL_INPUT,
    MODEL_ROWS,
    REPORT_INPUT,
    REPORT_ROWS,
    SELF_ASSESSMENT_INPUT,
    SELF_ASSESSMENT_TOTAL,
)

from danvan_kit.catalog.loading import Catalog
from danvan_kit.forms.engine import validate_submission
from danvan_kit.forms.loader import load_form
from danvan_kit.roundtrip import import_file, import_path
from danvan_kit.store import Store

EVERY_TYPE = """\
id: bao-cao-dinh-ky
version: 2
applies_from: 2026
title: Mẫu thử đủ mọi kiểu trường
code: "Biểu thử"
sections:
  - name: moi_kieu
    title: Mọi kiểu trường
    hint: Phần này có đủ mọi kiểu trường của biểu mẫu.
    fields:
      - {name: loi_dan, type: note, label: "Lưu ý: số liệu tính trong kỳ", hint: Chỉ để đọc}
      - {name: ten, type: text, label: Tên người lập, required: true, max_length: 50}
      - {name: mo_ta, type: long_text, label: Mô tả}
      - {name: so_luong, type: integer, label: Số lượng, required: true, max: 100000, unit: người}
      - {name: nhiet_do, type: integer, label: Nhiệt độ thấp nhất, min: -50, max: 60}
      - {name: ty_le, type: decimal, label: Tỷ lệ, max: 100, unit: "%"}
      - {name: ngay, type: date, label: Ngày lập, required: true}
      - name: mot_lua_chon
        type: select_one
        label: Một lựa chọn (danh sách dài, nhãn có dấu phẩy)
        required: true
        choices:
          - {value: a, label: "Lựa chọn thứ nhất, có dấu phẩy, dài để danh sách vượt 255 ký tự khi ghép lại"}
          - {value: b, label: "Lựa chọn thứ hai, cũng có dấu phẩy, dài để danh sách vượt 255 ký tự khi ghép lại"}
          - {value: c, label: "Lựa chọn thứ ba, vẫn có dấu phẩy, dài để danh sách vượt 255 ký tự khi ghép lại"}
          - {value: d, label: "Lựa chọn thứ tư, thêm dấu phẩy, dài để danh sách vượt 255 ký tự khi ghép lại"}
      - name: nhieu_lua_chon
        type: select_many
        label: Nhiều lựa chọn
        choices:
          - {value: x, label: "Hội nghị, họp dân"}
          - {value: y, label: Loa truyền thanh}
          - {value: z, label: Mạng xã hội}
      - {name: co_khong, type: yes_no, label: Có làm không, required: true}
      - {name: chi_khi_co, type: text, label: Ghi rõ việc đã làm, required: true, relevant: "co_khong == True"}
      - {name: diem, type: decimal, label: Điểm tự chấm, max_score: 10, evidence: true, required: true}
      - {name: gap_doi, type: integer, label: Gấp đôi số lượng (tự tính), calculation: so_luong * 2}
      - {name: tep, type: file, label: Tệp minh chứng, accept: ".pdf"}
      - name: bang
        type: repeat
        label: Bảng chi tiết
        min_rows: 1
        max_rows: 40
        fields:
          - {name: noi_dung, type: text, label: Nội dung, required: true, max_length: 100}
          - {name: ngay_lam, type: date, label: Ngày}
          - {name: so, type: integer, label: Số người}
          - {name: tien, type: decimal, label: Số tiền}
          - {name: dat, type: yes_no, label: Đạt}
          - name: loai
            type: select_one
            label: Loại
            choices: [{value: p, label: Loại P}, {value: q, label: Loại Q}]
          - {name: nhan_doi, type: integer, label: Số người nhân đôi, calculation: so * 2}
      - {name: tong_tien, type: decimal, label: Tổng tiền (tự tính), calculation: "sum_of(bang, 'tien')"}
"""


def _json(data: dict) -> dict:
    return json.loads(json.dumps(data))


def _stored(store: Store, unit: str, form: str, period: str, item: str = "") -> dict:
    rev = store.latest(store.system_actor(), unit, form, period, item=item, submitted_only=True)
    assert rev is not None, "nothing was stored"
    return rev.data


def _rows(name: str, rows: list[dict]) -> dict:
    return {name: rows}


def test_the_periodic_report_typed_as_staff_type_it_comes_back_exactly_as_the_engine_cleans_it(catalog, store, books):
    template = catalog.form_for("2026-6t")
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t"), template, REPORT_INPUT,
                _rows("hoat_dong_noi_bat", REPORT_ROWS))
    result = import_file(catalog, store, path)
    assert result.problems == [] and result.stored and result.revision_number == 1
    expected = validate_submission(template, {**REPORT_INPUT, "hoat_dong_noi_bat": REPORT_ROWS}).data
    assert _stored(store, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t") == _json(expected)
    stored = _stored(store, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")
    assert stored["so_luot_nguoi_tham_du"] == 1250 and stored["ty_le_hai_long"] == 92.5
    assert stored["hinh_thuc_tuyen_truyen"] == ["hoi_nghi", "truyen_thanh"]
    assert stored["hoat_dong_noi_bat"][1]["ngay"] == "2026-04-02" and stored["hoat_dong_noi_bat"][1]["so_nguoi"] == 120
    assert stored["tthc_ty_le_dung_han"] == expected["tthc_ty_le_dung_han"] is not None


def test_excel_native_numbers_dates_and_booleans_are_read_like_typed_text(catalog, store, books):
    template = catalog.form_for("2026-6t")
    native = {**REPORT_INPUT, "so_luot_nguoi_tham_du": 1250, "ty_le_hai_long": 92.5, "tthc_tiep_nhan": 1840,
              "ngay_bao_cao": date(2026, 4, 28), "pho_bien_chi_thi_33": True, "co_quy_che_dan_chu": "có",
              "dien_thoai": 2713645123}
    rows = [{"ngay": date(2026, 3, 15), "noi_dung": "Hội nghị phổ biến Chỉ thị 33", "so_nguoi": 85}]
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t"), template, native, _rows("hoat_dong_noi_bat", rows))
    assert import_file(catalog, store, path).problems == []
    stored = _stored(store, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")
    assert stored == _json(validate_submission(template, {**native, "dien_thoai": "2713645123",
                                                          "hoat_dong_noi_bat": rows}).data)
    assert stored["ngay_bao_cao"] == "2026-04-28" and stored["dien_thoai"] == "2713645123"
    assert stored["co_quy_che_dan_chu"] is True and stored["hoat_dong_noi_bat"][0]["ngay"] == "2026-03-15"


def test_the_self_assessment_keeps_scores_and_evidence_and_computes_the_total_and_class(catalog, store, books):
    template = catalog.form_for("2026-tcd")
    path = fill(blank(catalog, books, "XA-MINH-TAM", "2026-tcd"), template, SELF_ASSESSMENT_INPUT)
    assert import_file(catalog, store, path).problems == []
    stored = _stored(store, "XA-MINH-TAM", "tu-cham-diem", "2026-tcd")
    assert stored == _json(validate_submission(template, SELF_ASSESSMENT_INPUT).data)
    assert stored["tong_diem"] == SELF_ASSESSMENT_TOTAL and stored["xep_loai"] == "Tốt"
    assert stored["tc_1_1__evidence"] == "Kế hoạch số 12/KH-UBND ngày 20/01/2026"
    assert stored["tc_1_3"] == 4.5 and stored["co_vi_pham_nghiem_trong"] is False


def test_a_dan_van_kheo_model_is_filed_under_the_next_free_model_number_and_skips_the_file_field(catalog, store, books):
    template = catalog.form_for("2026-dvk")
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-dvk"), template, MODEL_INPUT, _rows("nguon_luc", MODEL_ROWS))
    result = import_file(catalog, store, path)
    assert result.problems == [] and result.item == "1"
    stored = _stored(store, "XA-AN-PHU", "dan-van-kheo", "2026-dvk", item="1")
    assert stored == _json(validate_submission(template, {**MODEL_INPUT, "nguon_luc": MODEL_ROWS}).data)
    assert stored["tong_kinh_phi"] == 2090.5 and stored["minh_chung"] is None and stored["linh_vuc_khac"] is None
    second = fill(blank(catalog, books, "XA-AN-PHU", "2026-dvk", "mo-hinh-5.xlsx", item="5"), template, MODEL_INPUT,
                  _rows("nguon_luc", MODEL_ROWS))
    assert import_file(catalog, store, second).item == "5"
    assert store.items(store.system_actor(), "XA-AN-PHU", "dan-van-kheo", "2026-dvk") == ["1", "5"]


@pytest.fixture
def every_type(tmp_path, catalog, data_dir):
    """A catalog whose 2026 periodic report is a v2 with every field type, loaded into the store too."""
    yaml_path = tmp_path / "moi-kieu.yaml"
    yaml_path.write_text(EVERY_TYPE, encoding="utf-8")
    form = load_form(yaml_path)
    test_catalog = Catalog(catalog.root, catalog.organisation, catalog.calendar, (*catalog.forms, form))
    store = Store.open(data_dir=data_dir, validator=test_catalog.validator)
    store.load_reference(test_catalog.organisation, test_catalog.calendar, test_catalog.forms)
    yield test_catalog, form, store
    store.close()


EVERY_ANSWER = {
    "ten": "  Lê Thị  Mỹ Duyên ", "mo_ta": "Dòng một\nDòng hai có dấu: Nghị quyết, “trích dẫn”",
    "so_luong": "1.234", "nhiet_do": -5, "ty_le": "4,5", "ngay": "05/11/2026",
    "mot_lua_chon": "Lựa chọn thứ ba, vẫn có dấu phẩy, dài để danh sách vượt 255 ký tự khi ghép lại",
    "nhieu_lua_chon": ["x", "z"], "co_khong": True, "chi_khi_co": "Đã họp dân ở 3 ấp", "diem": 7.5,
    "diem__evidence": "Biên bản số 3/BB ngày 01/10/2026",
}
EVERY_ROWS = [{"noi_dung": "Họp ấp 1", "ngay_lam": date(2026, 3, 1), "so": 40, "tien": "1.500,5", "dat": "Có",
               "loai": "Loại P"},
              None,
              {"noi_dung": "Họp ấp 3", "so": "12", "tien": 2, "dat": "Không", "loai": "Loại Q"}]


def test_every_field_type_round_trips_through_the_workbook(every_type, books):
    test_catalog, form, store = every_type
    path = fill(blank(test_catalog, books, "XA-TAN-HUNG", "2026-6t"), form, EVERY_ANSWER, {"bang": EVERY_ROWS})
    result = import_file(test_catalog, store, path)
    assert result.problems == [], [str(p) for p in result.problems]
    rev = store.latest(store.system_actor(), "XA-TAN-HUNG", "bao-cao-dinh-ky", "2026-6t")
    assert rev.template_version == 2
    rows = [r for r in EVERY_ROWS if r]
    assert rev.data == _json(validate_submission(form, {**EVERY_ANSWER, "bang": rows}).data)
    assert rev.data["ten"] == "Lê Thị Mỹ Duyên" and rev.data["so_luong"] == 1234 and rev.data["nhiet_do"] == -5
    assert rev.data["mot_lua_chon"] == "c" and rev.data["nhieu_lua_chon"] == ["x", "z"]
    assert rev.data["gap_doi"] == 2468 and rev.data["tong_tien"] == 1502.5 and rev.data["tep"] is None
    assert [r["nhan_doi"] for r in rev.data["bang"]] == [80, 24]
    assert "loi_dan" not in rev.data


def test_a_folder_with_one_good_and_one_bad_file_stores_exactly_the_good_one(catalog, store, books):
    template = catalog.form_for("2026-6t")
    fill(blank(catalog, books, "XA-AN-PHU", "2026-6t", "1-tot.xlsx"), template, REPORT_INPUT)
    fill(blank(catalog, books, "XA-MINH-TAM", "2026-6t", "2-loi.xlsx"), template, {**REPORT_INPUT, "nguoi_lap": None})
    (books / "ghi-chu.txt").write_text("không phải sổ Excel", encoding="utf-8")
    (books / "~$1-tot.xlsx").write_bytes(b"lock file of Excel")
    report = import_path(catalog, store, books)
    assert [r.path.name for r in report.results] == ["1-tot.xlsx", "2-loi.xlsx"]
    assert (report.stored, report.refused, report.ok) == (1, 1, False)
    assert [str(p) for p in report.problems] == [
        f"2-loi.xlsx › Nhập liệu › ô {report.problems[0].cell} › «Người lập biểu»: chưa nhập — đây là mục bắt buộc"]
    assert [r.unit_code for r in store.submissions(store.system_actor(), "2026-6t")] == ["XA-AN-PHU"]


def test_importing_the_same_file_twice_makes_one_revision(catalog, store, books):
    template = catalog.form_for("2026-6t")
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t"), template, REPORT_INPUT)
    first, again = import_file(catalog, store, path), import_file(catalog, store, path)
    assert first.stored and not first.duplicate
    assert again.ok and again.duplicate and not again.stored and again.revision_number == 1
    assert len(store.history(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")) == 1


def test_a_resaved_file_with_the_same_answers_adds_nothing_and_a_corrected_one_adds_a_revision(catalog, store, books):
    template = catalog.form_for("2026-6t")
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t"), template, REPORT_INPUT)
    assert import_file(catalog, store, path).stored
    fill(path, template, {})  # saved again by openpyxl: other bytes, same answers
    assert import_file(catalog, store, path).duplicate
    fill(path, template, {"so_cuoc_tuyen_truyen": 13})
    corrected = import_file(catalog, store, path)
    assert corrected.stored and corrected.revision_number == 2
    assert _stored(store, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")["so_cuoc_tuyen_truyen"] == 13


def test_a_dry_run_checks_but_stores_nothing(catalog, store, books):
    template = catalog.form_for("2026-6t")
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t"), template, REPORT_INPUT)
    report = import_path(catalog, store, path, dry_run=True)
    assert report.ok and (report.checked, report.stored) == (1, 0)
    assert store.submissions(store.system_actor(), "2026-6t") == []


def test_a_unit_account_imports_its_own_file_as_itself(catalog, store, books):
    account = store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode="mat-khau-dai-1")
    template = catalog.form_for("2026-6t")
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t"), template, REPORT_INPUT)
    result = import_file(catalog, store, path, actor=account)
    assert result.stored
    assert store.latest(account, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t").author == "xa-an-phu"



def test_a_carriage_return_excel_stored_as_x000d_comes_back_as_a_line_break(catalog, store, books):
    template = catalog.form_for("2026-6t")
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t"), template,
                {**REPORT_INPUT, "ket_qua_dat_duoc": "Dòng mộtCRHERE\nDòng hai"})
    patch_xml(path, "CRHERE", "_x000D_")
    assert import_file(catalog, store, path).problems == []
    assert _stored(store, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")["ket_qua_dat_duoc"] == "Dòng một\nDòng hai"


def test_a_template_version_the_store_has_not_loaded_is_refused_with_the_stores_reason(tmp_path, catalog, data_dir,
                                                                                         books):
    yaml_path = tmp_path / "moi-kieu.yaml"
    yaml_path.write_text(EVERY_TYPE, encoding="utf-8")
    newer = Catalog(catalog.root, catalog.organisation, catalog.calendar, (*catalog.forms, load_form(yaml_path)))
    path = fill(blank(newer, books, "XA-TAN-HUNG", "2026-6t"), newer.form_for("2026-6t"), EVERY_ANSWER,
                {"bang": EVERY_ROWS})
    store = Store.open(data_dir=data_dir, validator=newer.validator)  # `danvan init` not run after the change
    try:
        result = import_file(newer, store, path)
        assert [str(p) for p in result.problems] == [
            "mau-nhap-lieu-XA-TAN-HUNG-2026-6t.xlsx: Chưa nạp mẫu biểu 'bao-cao-dinh-ky' phiên bản 2"]
        assert store.submissions(store.system_actor(), "2026-6t") == []
    finally:
        store.close()
