"""Forms edited in Excel: our templates as XLSForm-style workbooks and back (issue 14)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from danvan_kit.cli import main
from danvan_kit.forms.loader import load_form
from danvan_kit.roundtrip.xlsform_export import xlsform_bytes
from danvan_kit.roundtrip.xlsform_import import read_xlsform
from danvan_kit.widgets import FormView

ROOT = Path(__file__).resolve().parents[2]
SURVEY_HEAD = ["type", "name", "label", "hint", "required", "constraint", "constraint_message", "relevant",
               "calculation", "default", "appearance", "unit", "min", "max", "step", "max_score", "evidence",
               "min_rows", "max_rows"]


def book(path: Path, survey: list[dict], choices: list[tuple], settings: dict, classes: list[tuple] = (),
         survey_head: list[str] = SURVEY_HEAD) -> Path:
    """An XLSForm as an analyst would write it in Excel (sheet names in any case, only the columns used)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Survey"
    ws.append(survey_head)
    for row in survey:
        ws.append([row.get(h) for h in survey_head])
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label"])
    for row in choices:
        ch.append(list(row))
    st = wb.create_sheet("settings")
    st.append(list(settings))
    st.append(list(settings.values()))
    if classes:
        xl = wb.create_sheet("xep_loai")
        xl.append(["label", "from", "below"])
        for row in classes:
            xl.append(list(row))
    wb.save(path)
    return path


EVERY_FEATURE = [
    {"type": "text", "name": "don_vi", "label": "Tên đơn vị", "required": "yes"},   # outside any group
    {"type": "begin_group", "name": "chung", "label": "I. Thông tin chung", "hint": "Điền đủ các mục"},
    {"type": "note", "name": "loi_dan", "label": "Lưu ý", "hint": "Số liệu tính trong kỳ"},
    {"type": "text", "name": "mo_ta", "label": "Mô tả", "appearance": "multiline"},
    {"type": "integer", "name": "tiep_nhan", "label": "Số đơn tiếp nhận", "unit": "đơn", "max": 10000},
    {"type": "integer", "name": "da_giai_quyet", "label": "Số đơn đã giải quyết", "constraint": ". <= ${tiep_nhan}"},
    {"type": "decimal", "name": "ty_le", "label": "Tỷ lệ (tự tính)",
     "calculation": "round(100 * ${da_giai_quyet} div ${tiep_nhan}, 1) if ${tiep_nhan} > 0 else None"},
    {"type": "date", "name": "ngay", "label": "Ngày báo cáo", "max": "today"},
    {"type": "select_one yes_no", "name": "co_hop", "label": "Có họp dân không", "required": "true"},
    {"type": "select_multiple hinh_thuc", "name": "hinh_thuc", "label": "Hình thức", "relevant": "${co_hop} = true()"},
    {"type": "text", "name": "ghi_ro", "label": "Ghi rõ hình thức khác", "relevant": "selected(${hinh_thuc}, 'khac')",
     "constraint": "string-length(.) <= 50"},
    {"type": "select_one muc", "name": "muc", "label": "Mức độ", "default": "kha"},
    {"type": "file", "name": "tep", "label": "Tệp minh chứng"},
    {"type": "calculate", "name": "so_hinh_thuc", "label": "Số hình thức",
     "calculation": "count-selected(${hinh_thuc})"},
    {"type": "begin_repeat", "name": "hoat_dong", "label": "Hoạt động", "min_rows": 1, "max_rows": 20},
    {"type": "text", "name": "ten", "label": "Tên hoạt động", "required": "yes"},
    {"type": "integer", "name": "so_nguoi", "label": "Số người"},
    {"type": "end_repeat", "name": "hoat_dong"},
    {"type": "end_group", "name": "chung"},
    {"type": "begin_group", "name": "diem", "label": "II. Tự chấm", "max_score": 10},
    {"type": "decimal", "name": "tc_1", "label": "Tiêu chí 1", "max_score": 6, "step": "0,5", "evidence": "yes",
     "required": "yes"},
    {"type": "decimal", "name": "tc_2", "label": "Tiêu chí 2", "max_score": 4, "step": 0.5, "required": "yes"},
    {"type": "end_group", "name": "diem"},
]
EVERY_CHOICE = [("yes_no", "yes", "Có"), ("yes_no", "no", "Không"), ("hinh_thuc", "hop", "Họp dân"),
                ("hinh_thuc", "khac", "Khác"), ("muc", "tot", "Tốt"), ("muc", "kha", "Khá")]
SETTINGS = {"form_id": "thu-excel", "version": 1, "form_title": "Biểu thử soạn trong Excel", "total_max": 10}
CLASSES = [("Đạt", 5, None), ("Chưa đạt", 0, 5)]


@pytest.mark.parametrize("version", [("bao-cao-dinh-ky", 1), ("dan-van-kheo", 1), ("tu-cham-diem", 1),
                                     ("tu-cham-diem", 2)], ids=lambda v: f"{v[0]}-v{v[1]}")
def test_export_then_import_gives_the_same_template_for_every_shipped_form(catalog, version):
    form = catalog.form(*version)
    result = read_xlsform(f"{form.id}.xlsx", xlsform_bytes(form))
    assert result.ok, [str(p) for p in result.problems]
    assert asdict(result.form) == asdict(form)


def test_the_commands_round_trip_a_form_through_a_file_and_load_it_as_the_next_version(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root)
    runner = CliRunner()
    out = tmp_path / "bao-cao.xlsx"
    done = runner.invoke(main, ["templates", "export-xlsform", "bao-cao-dinh-ky", "--out", str(out),
                                "--root", str(root)])
    assert done.exit_code == 0, done.output
    refused = runner.invoke(main, ["templates", "import-xlsform", str(out), "--root", str(root)])
    assert refused.exit_code == 1 and "phiên bản 1 đã có" in refused.output
    wb = openpyxl.load_workbook(out)
    ws = wb["settings"]
    ws.cell(2, [c.value for c in ws[1]].index("version") + 1).value = 2
    wb.save(out)
    done = runner.invoke(main, ["templates", "import-xlsform", str(out), "--root", str(root)])
    assert done.exit_code == 0, done.output
    imported = load_form(root / "forms" / "bao-cao-dinh-ky-v2.yaml")
    original = load_form(root / "forms" / "bao-cao-dinh-ky.yaml")
    assert asdict(imported) == {**asdict(original), "version": 2}
    check = runner.invoke(main, ["templates", "check", "--root", str(root)])
    assert check.exit_code == 0, check.output


def test_an_xlsform_written_by_hand_with_every_supported_feature_becomes_a_working_form(tmp_path):
    path = book(tmp_path / "moi-tinh-nang.xlsx", EVERY_FEATURE, EVERY_CHOICE, SETTINGS, CLASSES)
    result = read_xlsform(path)
    assert result.ok, [str(p) for p in result.problems]
    form = result.form
    assert [s.name for s in form.sections] == ["phan_1", "chung", "diem"]
    types = {f.name: f.type for f in form.all_fields()}
    assert types == {"don_vi": "text", "loi_dan": "note", "mo_ta": "long_text", "tiep_nhan": "integer",
                     "da_giai_quyet": "integer", "ty_le": "decimal", "ngay": "date", "co_hop": "yes_no",
                     "hinh_thuc": "select_many", "ghi_ro": "text", "muc": "select_one", "tep": "file",
                     "so_hinh_thuc": "text", "hoat_dong": "repeat", "tc_1": "decimal", "tc_2": "decimal"}
    assert form.field("da_giai_quyet").constraint == "da_giai_quyet <= tiep_nhan"
    assert form.field("ghi_ro").relevant == "contains(hinh_thuc, 'khac')"
    assert form.field("tc_1").step == 0.5 and form.field("tc_1").evidence and form.field("tc_1").max_score == 6
    assert form.field("hoat_dong").min_rows == 1 and form.field("hoat_dong").max_rows == 20
    assert form.field("tiep_nhan").unit == "đơn" and form.field("ngay").max == "today"
    assert form.scoring is not None and form.classify(7) == "Đạt" and form.classify(4.5) == "Chưa đạt"
    # the imported form works through the widgets: relevance, calculations, the generated constraint sentence
    view = FormView(form)
    assert view.controls["muc"].raw == "kha"                      # its default
    view.controls["co_hop"].raw = True
    assert view.controls["hinh_thuc"].container.layout.display is None
    assert view.controls["ghi_ro"].container.layout.display == "none"
    view.controls["hinh_thuc"].raw = ["hop", "khac"]
    assert view.controls["ghi_ro"].container.layout.display is None
    assert ">2<" in view.controls["so_hinh_thuc"].input.value
    for name, value in {"don_vi": "Xã An Phú", "tiep_nhan": "40", "da_giai_quyet": "50", "ngay": "01/03/2026",
                        "ghi_ro": "Hội thi", "tc_1": "5,5", "tc_2": "4"}.items():
        view.controls[name].raw = value
    controls = view.controls["hoat_dong"].add_row()
    controls["ten"].raw = "Họp ấp 1"
    result = view.submit()
    assert [str(e) for e in result.errors] == ["«Số đơn đã giải quyết»: không được lớn hơn «Số đơn tiếp nhận»"]
    view.controls["da_giai_quyet"].raw = "30"
    result = view.submit()
    assert result.ok, [str(e) for e in result.errors]
    assert result.data["ty_le"] == 75.0 and result.data["co_hop"] is True
    assert result.data["hinh_thuc"] == ["hop", "khac"]


UNSUPPORTED = [
    ("geopoint", [{"type": "geopoint", "name": "vi_tri", "label": "Vị trí"}], None,
     "Survey › ô A3: dòng 3, cột «type»: kiểu câu hỏi «geopoint» chưa được hệ thống hỗ trợ"),
    ("repeat_count naming nothing", [{"type": "begin_repeat", "name": "ho", "label": "Hộ", "repeat_count": "${so_ho}"},
                                     {"type": "text", "name": "chu_ho", "label": "Chủ hộ"}, {"type": "end_repeat"}],
     SURVEY_HEAD + ["repeat_count"], "dòng 3, cột «repeat_count»: biểu thức 'so_ho' dùng tên không có trong biểu mẫu"),
    ("choice_filter naming nothing", [{"type": "select_one muc", "name": "ap", "label": "Ấp",
                                       "choice_filter": "xa = ${xa}"}],
     SURVEY_HEAD + ["choice_filter"], "cột «choice_filter»: biểu thức 'xa == xa' dùng tên không có trong biểu mẫu"),
    ("media in choices", [{"type": "select_one muc", "name": "ap", "label": "Ấp"}], None, None),
    ("three levels of groups", [{"type": "begin_group", "name": "trong", "label": "Nhóm con"},
                                {"type": "begin_group", "name": "trong_nua", "label": "Nhóm cháu"},
                                {"type": "text", "name": "ghi_chu", "label": "Ghi chú"},
                                {"type": "end_group"}, {"type": "end_group"}], None,
     "Survey › ô A4: dòng 4, cột «type»: chưa hỗ trợ nhóm lồng quá hai tầng"),
    ("group naming nothing", [{"type": "text", "name": "ghi", "label": "Ghi"},
                              {"type": "begin_group", "name": "trong", "label": "Nhóm con",
                               "relevant": "${chua_co} = 1"},
                              {"type": "end_group"}], None,
     "Survey › ô H4: dòng 4, cột «relevant»: biểu thức 'chua_co == 1' dùng tên không có trong biểu mẫu"),
    ("missing list", [{"type": "select_one khong_co", "name": "chon", "label": "Chọn"}], None,
     "dòng 3, cột «type»: danh sách lựa chọn «khong_co» không có trong sheet choices"),
    ("xpath if()", [{"type": "integer", "name": "so", "label": "Số", "calculation": "if(${so} > 1, 2, 3)"}], None,
     "Survey › ô I3: dòng 3, cột «calculation»: biểu thức"),
    ("bad name", [{"type": "text", "name": "Ten Sai", "label": "Tên"}], None, "Survey › ô B3: dòng 3, cột «name»"),
    ("not a number", [{"type": "decimal", "name": "diem_x", "label": "Điểm", "max_score": "năm"}], None,
     "Survey › ô P3: dòng 3, cột «max_score»: phải là một số (đang ghi «năm»)"),
    ("appearance", [{"type": "text", "name": "chu_ky", "label": "Chữ ký", "appearance": "signature"}], None,
     "dòng 3, cột «appearance»: cách hiển thị «signature» chưa được hỗ trợ"),
]


@pytest.mark.parametrize("name,rows,head,expected", UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
def test_what_the_forms_cannot_express_is_refused_naming_sheet_row_and_column_and_nothing_is_written(
        tmp_path, name, rows, head, expected):
    survey = [{"type": "begin_group", "name": "chung", "label": "Chung"}, *rows, {"type": "end_group"}]
    settings = {k: v for k, v in SETTINGS.items() if k != "total_max"}
    path = book(tmp_path / "khong-ho-tro.xlsx", survey, EVERY_CHOICE, settings, survey_head=head or SURVEY_HEAD)
    if expected is None:  # a picture beside an option
        wb = openpyxl.load_workbook(path)
        wb["choices"]["D1"], wb["choices"]["D2"] = "media::image", "ap1.jpg"
        wb.save(path)
        expected = "choices › ô D2: dòng 2, cột «media::image»: chưa hỗ trợ hình ảnh, âm thanh kèm câu hỏi"
    result = read_xlsform(path)
    assert not result.ok and result.form is None
    assert any(expected in str(p) for p in result.problems), [str(p) for p in result.problems]
    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root)
    before = sorted(p.name for p in (root / "forms").iterdir())
    done = CliRunner().invoke(main, ["templates", "import-xlsform", str(path), "--root", str(root)])
    assert done.exit_code == 1 and expected in done.output
    assert sorted(p.name for p in (root / "forms").iterdir()) == before


def test_a_file_that_is_not_a_workbook_or_unpacks_too_big_is_refused_before_parsing(tmp_path):
    fake = tmp_path / "gia.xlsx"
    fake.write_bytes(b"not a zip at all")
    assert [str(p) for p in read_xlsform(fake).problems] == ["gia.xlsx: không phải tệp Excel (.xlsx)"]
    big = tmp_path / "lon.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "survey"
    wb.active["A1"] = "type"
    wb.active["A6000"] = "text"             # past the 5 000 rows a sheet may have
    wb.save(big)
    problems = [str(p) for p in read_xlsform(big).problems]
    assert len(problems) == 1 and "5.000" in problems[0], problems


def test_the_form_layer_and_the_other_commands_never_import_pyxform():
    code = ("import sys, danvan_kit.forms.engine, danvan_kit.widgets, danvan_kit.roundtrip.xlsform_export, "
            "danvan_kit.cli; print('pyxform' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_rows_after_a_long_run_of_empty_rows_are_refused_not_silently_dropped(tmp_path):
    path = book(tmp_path / "cach-xa.xlsx", EVERY_FEATURE, EVERY_CHOICE, SETTINGS, CLASSES)
    wb = openpyxl.load_workbook(path)
    ws = wb["Survey"]
    last = ws.max_row
    ws.cell(last + 80, 1).value = "text"
    ws.cell(last + 80, 2).value = "bi_bo_sot"
    ws.cell(last + 80, 3).value = "Câu hỏi sau 80 dòng trống"
    wb.save(path)
    problems = [str(p) for p in read_xlsform(path).problems]
    assert problems == [f"cach-xa.xlsx › Survey: dòng {last + 80}: có dữ liệu sau một khoảng dài dòng trống; "
                        "hãy xoá các dòng trống ở giữa rồi nạp lại"]
