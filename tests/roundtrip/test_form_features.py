"""XLSForm features real forms use (issue 14), each through the widgets (live), the store's check at
submit, and the Excel blank form -> import path; and written the XLSForm way in an imported workbook."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone

import openpyxl
import pytest
from bookkit import INPUT, blank, fill, keys

from danvan_kit.catalog.loading import Catalog
from danvan_kit.forms.engine import FormEngine
from danvan_kit.forms.loader import load_form
from danvan_kit.roundtrip import import_file
from danvan_kit.roundtrip.xlsform_export import xlsform_bytes
from danvan_kit.roundtrip.xlsform_import import read_xlsform
from danvan_kit.store import Store, ValidationFailed
from danvan_kit.widgets import FormView

FORM = """\
id: bao-cao-dinh-ky
version: 9
applies_from: 2026
title: Biểu thử các tính năng XLSForm
sections:
  - name: ho_gia_dinh
    title: Hộ gia đình
    fields:
      - {name: so_ho, type: integer, label: Số hộ được thăm, max: 10}
      - name: ho
        type: repeat
        label: Các hộ được thăm
        repeat_count: so_ho
        max_rows: 10
        fields:
          - {name: chu_ho, type: text, label: Chủ hộ, required: true}
          - {name: so_nguoi, type: integer, label: Số người}
  - name: van_ban
    title: Văn bản và thời hạn
    fields:
      - name: so_hieu
        type: text
        label: Số hiệu văn bản
        constraint: "regex(so_hieu, '^[0-9]+/(BC|KH)-[A-ZĐ]+$')"
        constraint_message: Số hiệu phải có dạng 58/BC-UBND.
      - {name: ngay_bat_dau, type: date, label: Ngày bắt đầu}
      - name: ngay_ket_thuc
        type: date
        label: Ngày kết thúc
        constraint: ngay_ket_thuc <= add_days(ngay_bat_dau, 90)
        constraint_message: Không quá 90 ngày sau ngày bắt đầu.
      - {name: so_thang, type: integer, label: Số tháng thực hiện,
         calculation: "months_between(ngay_bat_dau, ngay_ket_thuc)"}
      - {name: han_bao_cao, type: text, label: Hạn báo cáo,
         calculation: "format_date(add_months(ngay_bat_dau, 3))"}
      - name: linh_vuc
        type: select_one
        label: Lĩnh vực
        choices: [{value: kt, label: Kinh tế}, {value: vh_xh, label: Văn hóa – xã hội}]
      - {name: ten_linh_vuc, type: text, label: Tên lĩnh vực, calculation: "choice_label(linh_vuc, 'linh_vuc')"}
      - {name: tom_tat_vb, type: note, label: Tóm tắt,
         hint: "Hạn báo cáo {han_bao_cao}, lĩnh vực {choice_label(linh_vuc, 'linh_vuc')}"}
  - name: kiem_tra
    title: Kiểm tra
    groups:
      - {name: ket_qua_kt, title: Kết quả kiểm tra, hint: Chỉ khi có kiểm tra, relevant: co_kiem_tra == True}
    fields:
      - {name: co_kiem_tra, type: yes_no, label: Có kiểm tra trong kỳ}
      - {name: so_cuoc_kt, type: integer, label: Số cuộc kiểm tra, required: true, group: ket_qua_kt}
      - {name: phat_hien, type: long_text, label: Phát hiện chính, group: ket_qua_kt, relevant: so_cuoc_kt > 0}
      - {name: ghi_chu_kt, type: text, label: Ghi chú}
  - name: dia_ban
    title: Địa bàn
    fields:
      - name: xa
        type: select_one
        label: Xã
        choices: [{value: an_phu, label: Xã An Phú}, {value: tan_quan, label: Xã Tân Quan}]
      - name: ap
        type: select_one
        label: Ấp
        choice_filter: option('xa') == xa
        choices:
          - {value: ap_1, label: Ấp 1, xa: an_phu}
          - {value: ap_2, label: Ấp 2, xa: an_phu}
          - {value: tan_loi, label: Ấp Tân Lợi, xa: tan_quan}
      - name: ap_da_den
        type: select_many
        label: Các ấp đã đến
        choice_filter: option('xa') == xa
        choices:
          - {value: ap_1, label: Ấp 1, xa: an_phu}
          - {value: ap_2, label: Ấp 2, xa: an_phu}
          - {value: tan_loi, label: Ấp Tân Lợi, xa: tan_quan}
"""
NOW = datetime(2026, 4, 28, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "tinh-nang.yaml"
    path.write_text(FORM, encoding="utf-8")
    return load_form(path)


@pytest.fixture
def filed(catalog, data_dir, form):
    """A catalog whose 2026 periodic report is the test form, and a store that checks with it."""
    test_catalog = Catalog(catalog.root, catalog.organisation, catalog.calendar, (*catalog.forms, form))
    store = Store.open(data_dir=data_dir, validator=test_catalog.validator, clock=lambda: NOW)
    store.load_reference(test_catalog.organisation, test_catalog.calendar, test_catalog.forms)
    yield test_catalog, store
    store.close()


def submit(store, data, attempt="a"):
    return store.submit(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", data, template_version=9,
                        attempt_id=attempt)


# repeat_count ----------------------------------------------------------------------------------
def test_a_table_gets_as_many_rows_as_the_count_typed_while_typing(form):
    view = FormView(form)
    table = view.controls["ho"]
    assert table.rows == [] and table.add_button.layout.display == "none"
    view.controls["so_ho"].raw = "3"
    assert len(table.rows) == 3
    table.rows[0]["chu_ho"].raw = "Nguyễn Văn An"
    view.controls["so_ho"].raw = "1"
    assert len(table.rows) == 1 and table.rows[0]["chu_ho"].raw == "Nguyễn Văn An"
    view.controls["so_ho"].raw = "2"
    table.rows[1]["chu_ho"].raw = "Trần Thị Bình"
    result = view.submit()
    assert result.ok, [str(e) for e in result.errors]
    assert [r["chu_ho"] for r in result.data["ho"]] == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_the_store_refuses_a_table_whose_rows_do_not_match_its_count(filed):
    _catalog, store = filed
    with pytest.raises(ValidationFailed) as refused:
        submit(store, {"so_ho": 3, "ho": [{"chu_ho": "An"}, {"chu_ho": "Bình"}]})
    assert refused.value.errors == ["«Các hộ được thăm»: cần đúng 3 dòng theo «Số hộ được thăm», đang có 2"]
    submit(store, {"so_ho": 2, "ho": [{"chu_ho": "An"}, {"chu_ho": "Bình"}]}, attempt="b")


def test_the_blank_form_says_the_row_count_and_the_import_checks_it(filed, books):
    test_catalog, store = filed
    form = test_catalog.form("bao-cao-dinh-ky", 9)
    path = blank(test_catalog, books, "XA-AN-PHU", "2026-6t")
    ws = openpyxl.load_workbook(path)[INPUT]
    assert "Số dòng phải bằng «Số hộ được thăm»" in " ".join(str(c.value) for c in ws[keys(ws)["ho"]] if c.value)
    fill(path, form, {"so_ho": 2}, {"ho": [{"chu_ho": "An", "so_nguoi": 4}]})
    result = import_file(test_catalog, store, path)
    assert not result.stored and any("cần đúng 2 dòng" in str(p) for p in result.problems)
    fill(path, form, {"so_ho": 2}, {"ho": [{"chu_ho": "An", "so_nguoi": 4}, {"chu_ho": "Bình"}]})
    assert import_file(test_catalog, store, path).stored


def test_repeat_count_is_read_from_an_xlsform_and_written_back(form):
    out = xlsform_bytes(form)
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(out))["survey"]
    head = [c.value for c in sheet[1]]
    assert [r[head.index("repeat_count")] for r in sheet.iter_rows(min_row=2, values_only=True)
            if r[0] == "begin_repeat"] == ["${so_ho}"]
    back = read_xlsform("tinh-nang.xlsx", out)
    assert back.ok and asdict(back.form) == asdict(form)
    assert FormEngine.of(back.form).compute({"so_ho": "4"}).row_count == {"ho": 4}


# regex(), date arithmetic and dd/mm/yyyy text, choice labels -------------------------------------
def test_regex_dates_and_choice_labels_work_live_in_the_widgets(form):
    view = FormView(form)
    view.controls["so_hieu"].raw = "58/BC"
    view.controls["ngay_bat_dau"].raw = "31/01/2026"               # so_hieu was left
    assert "Số hiệu phải có dạng 58/BC-UBND." in view.controls["so_hieu"].error.value
    view.controls["ngay_ket_thuc"].raw = "15/05/2026"              # 104 days after
    view.controls["linh_vuc"].raw = "vh_xh"
    assert ">3<" in view.controls["so_thang"].input.value
    assert "30/04/2026" in view.controls["han_bao_cao"].input.value    # 31/01 + 3 months: the month's last day
    assert "Văn hóa – xã hội" in view.controls["ten_linh_vuc"].input.value
    assert "Hạn báo cáo 30/04/2026, lĩnh vực Văn hóa – xã hội" in view.controls["tom_tat_vb"].input.value
    assert "Không quá 90 ngày" in view.controls["ngay_ket_thuc"].error.value
    view.controls["so_ho"].raw = "0"
    view.controls["so_hieu"].raw = "58/BC-UBND"
    view.controls["ngay_ket_thuc"].raw = "30/04/2026"
    result = view.submit()
    assert result.ok, [str(e) for e in result.errors]
    assert result.data["ten_linh_vuc"] == "Văn hóa – xã hội" and result.data["so_thang"] == 2


def test_the_store_refuses_a_symbol_against_its_regex_and_a_date_past_its_computed_limit(filed):
    _catalog, store = filed
    with pytest.raises(ValidationFailed) as refused:
        submit(store, {"so_ho": 0, "so_hieu": "58-BC-UBND", "ngay_bat_dau": "01/01/2026",
                       "ngay_ket_thuc": "02/04/2026"})
    assert refused.value.errors == ["«Số hiệu văn bản»: Số hiệu phải có dạng 58/BC-UBND.",
                                    "«Ngày kết thúc»: Không quá 90 ngày sau ngày bắt đầu."]
    submit(store, {"so_ho": 0, "so_hieu": "58/BC-UBND", "ngay_bat_dau": "01/01/2026",
                   "ngay_ket_thuc": "01/04/2026", "linh_vuc": "kt"}, attempt="ok")
    kept = store.latest(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", submitted_only=True).data
    assert kept["han_bao_cao"] == "01/04/2026" and kept["ten_linh_vuc"] == "Kinh tế" and kept["so_thang"] == 3


def test_a_filled_blank_form_with_a_wrong_symbol_is_refused_and_a_right_one_stored(filed, books):
    test_catalog, store = filed
    form = test_catalog.form("bao-cao-dinh-ky", 9)
    path = fill(blank(test_catalog, books, "XA-AN-PHU", "2026-6t"), form,
                {"so_ho": 0, "so_hieu": "58/BC", "ngay_bat_dau": "01/01/2026", "linh_vuc": "Kinh tế"})
    result = import_file(test_catalog, store, path)
    assert not result.stored and any("Số hiệu phải có dạng 58/BC-UBND." in str(p) for p in result.problems)
    fill(path, form, {"so_hieu": "58/BC-UBND"})
    assert import_file(test_catalog, store, path).stored
    kept = store.latest(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", submitted_only=True).data
    assert kept["han_bao_cao"] == "01/04/2026" and kept["ten_linh_vuc"] == "Kinh tế"


def test_an_xlsform_with_regex_format_date_and_jr_choice_name_is_read_into_our_functions(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "constraint", "constraint_message", "calculation"])
    ws.append(["begin_group", "van_ban", "Văn bản"])
    ws.append(["text", "so_hieu", "Số hiệu", "regex(., '^[0-9]+/BC-UBND$')", "Sai dạng số hiệu"])
    ws.append(["date", "ngay", "Ngày"])
    ws.append(["select_one lv", "linh_vuc", "Lĩnh vực"])
    ws.append(["calculate", "ngay_chu", "Ngày (chữ)", None, None, "format-date(${ngay}, '%d/%m/%Y')"])
    ws.append(["calculate", "ten_lv", "Tên lĩnh vực", None, None, "jr:choice-name(${linh_vuc}, '${linh_vuc}')"])
    ws.append(["end_group"])
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label"])
    ch.append(["lv", "kt", "Kinh tế"])
    st = wb.create_sheet("settings")
    st.append(["form_id", "version", "form_title"])
    st.append(["thu-ham", 1, "Thử hàm"])
    wb.save(tmp_path / "ham.xlsx")
    result = read_xlsform(tmp_path / "ham.xlsx")
    assert result.ok, [str(p) for p in result.problems]
    fields = {f.name: f for f in result.form.all_fields()}
    assert fields["so_hieu"].constraint == "regex(so_hieu, '^[0-9]+/BC-UBND$')"
    assert fields["ngay_chu"].calculation == "format_date(ngay)"
    assert fields["ten_lv"].calculation == "choice_label(linh_vuc, 'linh_vuc')"
    state = FormEngine.of(result.form).compute({"ngay": "28/04/2026", "linh_vuc": "kt"})
    assert state.values["ngay_chu"] == "28/04/2026" and state.values["ten_lv"] == "Kinh tế"


# groups inside sections ---------------------------------------------------------------------------
def test_a_group_inside_a_section_shows_and_hides_its_questions_together_while_typing(form):
    view = FormView(form)
    box = view._group_boxes["ket_qua_kt"]
    assert box.layout.display == "none" and "Kết quả kiểm tra" in box.children[0].value
    assert view.controls["so_cuoc_kt"].container in box.children
    view.controls["co_kiem_tra"].raw = True
    assert box.layout.display is None
    assert view.controls["phat_hien"].container.layout.display == "none"   # its own condition too
    view.controls["so_cuoc_kt"].raw = "2"
    view.controls["phat_hien"].raw = "Chậm công khai thủ tục"
    assert view.controls["phat_hien"].container.layout.display is None
    view.controls["so_ho"].raw = "0"
    view.controls["co_kiem_tra"].raw = False
    result = view.submit()
    assert result.ok and result.data["so_cuoc_kt"] is None and result.data["phat_hien"] is None


def test_the_store_requires_a_groups_questions_only_when_the_group_applies(filed):
    _catalog, store = filed
    with pytest.raises(ValidationFailed) as refused:
        submit(store, {"so_ho": 0, "co_kiem_tra": True})
    assert refused.value.errors == ["«Số cuộc kiểm tra»: chưa nhập — đây là mục bắt buộc"]
    submit(store, {"so_ho": 0, "co_kiem_tra": False, "so_cuoc_kt": 5}, attempt="hidden")
    kept = store.latest(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", submitted_only=True).data
    assert kept["so_cuoc_kt"] is None


def test_the_blank_form_titles_the_group_and_says_when_to_fill_it_and_the_import_follows_it(filed, books):
    test_catalog, store = filed
    form = test_catalog.form("bao-cao-dinh-ky", 9)
    path = blank(test_catalog, books, "XA-AN-PHU", "2026-6t")
    ws = openpyxl.load_workbook(path)[INPUT]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert "Kết quả kiểm tra" in texts
    hint = " ".join(str(c.value) for c in ws[keys(ws)["so_cuoc_kt"]] if c.value)
    assert "Chỉ điền khi phù hợp với trả lời ở mục «Có kiểm tra trong kỳ»" in hint
    fill(path, form, {"so_ho": 0, "co_kiem_tra": True})
    result = import_file(test_catalog, store, path)
    assert not result.stored and any("Số cuộc kiểm tra" in str(p) for p in result.problems)
    fill(path, form, {"so_cuoc_kt": 3})
    assert import_file(test_catalog, store, path).stored


def test_a_group_inside_a_section_round_trips_as_a_nested_xlsform_group(form):
    out = xlsform_bytes(form)
    rows = list(openpyxl.load_workbook(__import__("io").BytesIO(out))["survey"].iter_rows(values_only=True))
    head = rows[0]
    kinds = [(r[0], r[1]) for r in rows[1:] if r[0] in ("begin_group", "end_group")]
    at = kinds.index(("begin_group", "kiem_tra"))
    assert kinds[at:at + 4] == [("begin_group", "kiem_tra"), ("begin_group", "ket_qua_kt"),
                                ("end_group", "ket_qua_kt"), ("end_group", "kiem_tra")]
    group_row = next(r for r in rows if r[1] == "ket_qua_kt")
    assert group_row[head.index("relevant")] == "${co_kiem_tra} = true()"
    back = read_xlsform("nhom.xlsx", out)
    assert back.ok and asdict(back.form) == asdict(form)


# choice_filter (cascading choices) ---------------------------------------------------------------
def test_a_filtered_list_offers_only_the_hamlets_of_the_chosen_commune_while_typing(form):
    view = FormView(form)
    ap, visited = view.controls["ap"], view.controls["ap_da_den"]
    assert [v for _label, v in ap.input.options] == [""]                   # no commune yet: nothing to pick
    view.controls["xa"].raw = "an_phu"
    assert [label for label, _v in ap.input.options] == ["— Chọn —", "Ấp 1", "Ấp 2"]
    assert visited._checks["tan_loi"].layout.display == "none" and visited._checks["ap_1"].layout.display is None
    ap.raw = "ap_2"
    visited.raw = ["ap_1", "ap_2"]
    view.controls["xa"].raw = "tan_quan"                                   # the hamlets of An Phú go away
    assert ap.raw is None and visited.raw == []
    assert [label for label, _v in ap.input.options] == ["— Chọn —", "Ấp Tân Lợi"]
    ap.raw = "tan_loi"
    view.controls["so_ho"].raw = "0"
    result = view.submit()
    assert result.ok and result.data["ap"] == "tan_loi"


def test_the_store_refuses_a_hamlet_of_another_commune(filed):
    _catalog, store = filed
    with pytest.raises(ValidationFailed) as refused:
        submit(store, {"so_ho": 0, "xa": "an_phu", "ap": "tan_loi", "ap_da_den": ["ap_1", "tan_loi"]})
    assert refused.value.errors == ["«Ấp»: «Ấp Tân Lợi» không phù hợp với các câu trả lời trước",
                                    "«Các ấp đã đến»: «Ấp Tân Lợi» không phù hợp với các câu trả lời trước"]
    submit(store, {"so_ho": 0, "xa": "an_phu", "ap": "ap_1"}, attempt="ok")


def test_an_imported_workbook_with_a_hamlet_of_another_commune_is_refused(filed, books):
    test_catalog, store = filed
    form = test_catalog.form("bao-cao-dinh-ky", 9)
    path = fill(blank(test_catalog, books, "XA-AN-PHU", "2026-6t"), form,
                {"so_ho": 0, "xa": "Xã An Phú", "ap": "Ấp Tân Lợi"})
    result = import_file(test_catalog, store, path)
    assert not result.stored and any("«Ấp Tân Lợi» không phù hợp" in str(p) for p in result.problems)
    fill(path, form, {"ap": "Ấp 2"})
    assert import_file(test_catalog, store, path).stored


def test_choice_filter_is_read_from_an_xlsform_with_the_choices_sheets_own_column(form):
    out = xlsform_bytes(form)
    book = openpyxl.load_workbook(__import__("io").BytesIO(out))
    survey = list(book["survey"].iter_rows(values_only=True))
    assert next(r for r in survey if r[1] == "ap")[survey[0].index("choice_filter")] == "xa = ${xa}"
    assert [c.value for c in book["choices"][1]] == ["list_name", "name", "label", "xa"]
    back = read_xlsform("loc.xlsx", out)
    assert back.ok and asdict(back.form) == asdict(form)
    assert back.form.field("ap").choice_filter == "option('xa') == xa"
