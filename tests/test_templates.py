"""Templates are data: every shipped one loads, and a broken one is refused with file and field named."""
from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest

from danvan_kit.catalog.calendar import load_calendar
from danvan_kit.catalog.loading import check_templates, load_catalog
from danvan_kit.catalog.organisation import load_organisation
from danvan_kit.forms.engine import FormEngine
from danvan_kit.forms.loader import load_form
from danvan_kit.forms.template_error import TemplateError

ROOT = Path(__file__).resolve().parent.parent / "templates"


def test_every_shipped_template_loads_without_a_problem():
    assert check_templates(ROOT) == []
    catalog = load_catalog(ROOT)
    assert {f.id for f in catalog.forms} == {"bao-cao-dinh-ky", "tu-cham-diem", "dan-van-kheo"}


def test_the_organisation_tree_names_every_unit_of_the_plan():
    org = load_organisation(ROOT / "organisation" / "hon-quan-2023.yaml")
    names = {u.name for u in org.units}
    for body in ["Phòng Nội vụ", "Văn phòng HĐND và UBND huyện", "Phòng Tư pháp", "Phòng Tài chính – Kế hoạch",
                 "Phòng Lao động – Thương binh và Xã hội", "Phòng Văn hóa – Thông tin", "Thanh tra huyện",
                 "Phòng Dân tộc", "Ban Chỉ huy Quân sự huyện", "Công an huyện", "Ban Dân vận Huyện ủy",
                 "Đài Truyền thanh – Truyền hình huyện"]:
        assert body in names
    communes = [u for u in org.units if u.kind in ("commune", "town")]
    assert len(communes) == 13
    assert [u.name for u in communes if u.kind == "town"] == ["Thị trấn Tân Khai"]
    assert org.unit("UBND-HUYEN").reports_to == ("UBND-TINH",)
    assert org.hub == "PNV"
    assert len(org.reporting_units()) == 25
    assert all(u.reports_to == ("UBND-HUYEN",) for u in org.reporting_units())


def test_reporting_units_are_listed_in_vietnamese_alphabetical_order():
    names = [u.name for u in load_organisation(ROOT / "organisation" / "hon-quan-2023.yaml").reporting_units()]
    assert (names.index("Công an huyện") < names.index("Đài Truyền thanh – Truyền hình huyện")
            < names.index("Phòng Dân tộc"))
    assert (names.index("Xã Tân Hiệp") < names.index("Xã Tân Hưng") < names.index("Xã Tân Lợi")
            < names.index("Xã Tân Quan"))
    assert names.index("Xã Đồng Nơ") < names.index("Xã Minh Đức") < names.index("Xã Minh Tâm")


def test_the_calendar_has_the_plans_deadlines_each_year():
    calendar = load_calendar(ROOT / "periods" / "lich-bao-cao.yaml")
    assert calendar.get("2026-6t").due == date(2026, 5, 5)
    assert calendar.get("2026-nam").due == date(2026, 11, 10)
    assert calendar.get("2027-6t").title == "Báo cáo 6 tháng đầu năm 2027"
    assert calendar.get("2026-tcd").form == "tu-cham-diem"
    assert calendar.get("2026-6t").days_late(date(2026, 5, 8)) == 3


def test_a_year_can_move_a_deadline_without_touching_the_others(tmp_path):
    path = tmp_path / "lich.yaml"
    text = (ROOT / "periods" / "lich-bao-cao.yaml").read_text(encoding="utf-8").replace(
        "overrides: {}", "overrides:\n  2027:\n    nam: {due: 12/11}")
    path.write_text(text, encoding="utf-8")
    calendar = load_calendar(path)
    assert calendar.get("2027-nam").due == date(2027, 11, 12)
    assert calendar.get("2026-nam").due == date(2026, 11, 10)


def test_the_self_assessment_criteria_sum_to_100_and_are_marked_as_an_example():
    form = load_catalog(ROOT).form("tu-cham-diem")
    assert sum(f.max_score for f in form.score_fields()) == 100
    assert form.example is True
    assert [c.label for c in form.scoring.classes] == ["Tốt", "Khá", "Trung bình", "Yếu"]
    assert form.classify(80) == "Tốt" and form.classify(79.5) == "Khá" and form.classify(0) == "Yếu"


def test_the_periodic_report_has_one_section_per_content_area():
    form = load_catalog(ROOT).form("bao-cao-dinh-ky")
    titles = [s.title for s in form.sections]
    for number in range(1, 7):
        assert any(t.startswith(f"{number}. ") for t in titles)


def test_a_newer_criteria_version_applies_from_its_year_and_older_periods_keep_theirs(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(ROOT, root)
    text = (root / "forms" / "tu-cham-diem-v1.yaml").read_text(encoding="utf-8")
    text = text.replace("version: 1", "version: 3").replace("applies_from: 2025", "applies_from: 2027")
    text = text.replace("{label: Tốt, from: 80}", "{label: Tốt, from: 85}")
    text = text.replace("{label: Khá, from: 65, below: 80}", "{label: Khá, from: 65, below: 85}")
    (root / "forms" / "tu-cham-diem-v3.yaml").write_text(text, encoding="utf-8")
    catalog = load_catalog(root)
    assert catalog.form_for("2026-tcd").version == 1
    assert catalog.form_for("2027-tcd").version == 3
    assert catalog.form_for("2027-tcd").classify(82) == "Khá"
    assert catalog.form_for("2026-tcd").classify(82) == "Tốt"


def test_another_organisation_tree_is_just_another_file(tmp_path):
    path = tmp_path / "xa-moi-2025.yaml"
    path.write_text(textwrap.dedent("""\
        id: dong-nai-2025
        name: Các xã mới của tỉnh Đồng Nai (sau sắp xếp 2025)
        place: Đồng Nai
        hub: SNV
        units:
          - {code: UBND-TINH, name: Ủy ban nhân dân tỉnh Đồng Nai, kind: province, reports: false}
          - {code: SNV, name: Sở Nội vụ, kind: district_office, reports_to: [UBND-TINH]}
          - {code: XA-TAN-KHAI, name: Xã Tân Khai, kind: commune, reports_to: [UBND-TINH]}
          - {code: XA-TAN-QUAN, name: Xã Tân Quan, kind: commune, reports_to: [UBND-TINH]}
        """), encoding="utf-8")
    catalog = load_catalog(ROOT, org=path)
    assert [u.code for u in catalog.organisation.reporting_units()] == ["SNV", "XA-TAN-KHAI", "XA-TAN-QUAN"]


# ----------------------------------------------------------------- broken templates
MINIMAL = """\
id: thu-nghiem
version: 1
title: Biểu mẫu thử nghiệm
sections:
  - name: chung
    title: Phần chung
    fields:
{fields}
{extra}"""


def broken(tmp_path, fields, extra=""):
    path = tmp_path / "thu-nghiem.yaml"
    path.write_text(MINIMAL.format(fields=textwrap.indent(textwrap.dedent(fields), " " * 6), extra=extra),
                    encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_form(path)
    return str(info.value)


def test_an_unknown_field_type_is_refused_naming_file_and_field(tmp_path):
    message = broken(tmp_path, "- {name: so_cuoc, type: interger, label: Số cuộc}")
    assert "thu-nghiem.yaml" in message and "so_cuoc" in message and "interger" in message
    assert "integer" in message  # lists the types that exist


def test_a_bad_expression_is_refused_naming_file_and_field(tmp_path):
    message = broken(tmp_path, """\
        - {name: tiep_nhan, type: integer, label: Tiếp nhận}
        - {name: da_giai_quyet, type: integer, label: Đã giải quyết, constraint: "da_giai_quyet <= (tiep_nhan"}
        """)
    assert "thu-nghiem.yaml" in message and "da_giai_quyet" in message and "constraint" in message
    assert "lỗi cú pháp" in message


@pytest.mark.parametrize("expression", [
    "__import__('os').system('rm -rf /')",
    "tiep_nhan.__class__.__bases__",
    "open('/etc/passwd')",
    "9 ** 9 ** 9",
    "(lambda: 1)()",
])
def test_a_hostile_expression_in_a_template_is_refused(tmp_path, expression):
    message = broken(tmp_path, f"""\
        - {{name: tiep_nhan, type: integer, label: Tiếp nhận}}
        - {{name: tinh, type: integer, label: Tính, calculation: "{expression}"}}
        """)
    assert "tinh" in message and "calculation" in message


def test_an_expression_naming_a_field_that_does_not_exist_is_refused(tmp_path):
    message = broken(tmp_path, """\
        - {name: tiep_nhan, type: integer, label: Tiếp nhận, constraint: tiep_nhan <= tong_so}
        """)
    assert "tong_so" in message and "tiep_nhan" in message


def test_a_duplicate_field_name_is_refused(tmp_path):
    message = broken(tmp_path, """\
        - {name: so_cuoc, type: integer, label: Số cuộc}
        - {name: so_cuoc, type: integer, label: Số cuộc (lần 2)}
        """)
    assert "so_cuoc" in message and "bị trùng" in message


def test_a_gap_between_class_thresholds_is_refused(tmp_path):
    message = broken(tmp_path, "- {name: diem, type: decimal, label: Điểm, max_score: 100}", extra="""\
scoring:
  classes:
    - {label: Tốt, from: 80}
    - {label: Khá, from: 65, below: 75}
    - {label: Yếu, from: 0, below: 65}
""")
    assert "thu-nghiem.yaml" in message and "Khá" in message and "hở" in message and "75" in message


def test_overlapping_class_thresholds_are_refused(tmp_path):
    message = broken(tmp_path, "- {name: diem, type: decimal, label: Điểm, max_score: 100}", extra="""\
scoring:
  classes:
    - {label: Tốt, from: 80}
    - {label: Khá, from: 0, below: 90}
""")
    assert "chồng" in message


def test_thresholds_that_do_not_start_at_zero_are_refused(tmp_path):
    message = broken(tmp_path, "- {name: diem, type: decimal, label: Điểm, max_score: 100}", extra="""\
scoring:
  classes:
    - {label: Tốt, from: 80}
    - {label: Khá, from: 50, below: 80}
""")
    assert "bắt đầu từ 0" in message


def test_criteria_that_do_not_add_up_to_the_total_are_refused(tmp_path):
    message = broken(tmp_path, "- {name: diem, type: decimal, label: Điểm, max_score: 90}", extra="""\
scoring:
  classes:
    - {label: Đạt, from: 0}
""")
    assert "total_max" in message and "90" in message


def test_a_calculation_cycle_is_refused(tmp_path):
    message = broken(tmp_path, """\
        - {name: a, type: integer, label: A, calculation: b + 1}
        - {name: b, type: integer, label: B, calculation: a + 1}
        """)
    assert "vòng tròn" in message


def test_a_select_without_choices_is_refused(tmp_path):
    message = broken(tmp_path, "- {name: linh_vuc, type: select_one, label: Lĩnh vực}")
    assert "linh_vuc" in message and "choices" in message


def test_an_unknown_key_is_refused_as_a_likely_typo(tmp_path):
    message = broken(tmp_path, "- {name: so_cuoc, type: integer, label: Số cuộc, requird: true}")
    assert "requird" in message and "so_cuoc" in message


@pytest.mark.parametrize(("fields", "extra", "expected"), [
    ("- {name: so_cuoc, type: integer, label: Số cuộc, requird: true}", "",
     "sections[0] (chung).fields[0] (so_cuoc).requird: mục không được biết đến (gõ sai tên?); đang ghi: True"),
    ("- {name: so_cuoc, type: integer, label: ''}", "",
     "sections[0] (chung).fields[0] (so_cuoc).label: cần ít nhất 1 ký tự; đang ghi: ''"),
    ("- {name: so_cuoc, type: decimal, label: Số cuộc, step: 0}", "",
     "sections[0] (chung).fields[0] (so_cuoc).step: phải lớn hơn 0; đang ghi: 0"),
    ("- {name: so_cuoc, type: integer, label: Số cuộc, max_rows: 5000}", "",
     "sections[0] (chung).fields[0] (so_cuoc).max_rows: không được lớn hơn 1000; đang ghi: 5000"),
    ("- {name: So_Cuoc, type: integer, label: Số cuộc}", "",
     "sections[0] (chung).fields[0] (So_Cuoc).name: sai định dạng; đang ghi: 'So_Cuoc'"),
    ("- {type: integer, label: Số cuộc}", "", "sections[0] (chung).fields[0].name: thiếu mục bắt buộc"),
    ("- chỉ là một dòng chữ", "",
     "sections[0] (chung).fields[0]: phải là một bảng khóa: giá trị; đang ghi: 'chỉ là một dòng chữ'"),
    ("- {name: so_cuoc, type: integer, label: Số cuộc, max_score: 1}",
     "scoring: {total_max: 1, classes: [{label: Tốt, from: -1}]}",
     "scoring.classes[0].from: phải từ 0 trở lên; đang ghi: -1"),
])
def test_a_shape_problem_is_told_in_vietnamese_naming_the_place(tmp_path, fields, extra, expected):
    assert broken(tmp_path, fields, extra) == f"{tmp_path / 'thu-nghiem.yaml'}: {expected}"


def test_a_default_of_the_wrong_type_is_refused(tmp_path):
    message = broken(tmp_path, "- {name: so_cuoc, type: integer, label: Số cuộc, default: nhiều}")
    assert "so_cuoc" in message and "default" in message


def test_yaml_syntax_errors_give_the_line(tmp_path):
    path = tmp_path / "hong.yaml"
    path.write_text("id: x\nsections: [\n  - name: a\n", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_form(path)
    assert "hong.yaml" in str(info.value) and "dòng" in str(info.value)


def test_the_organisation_tree_refuses_a_parent_that_does_not_exist(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(textwrap.dedent("""\
        id: thu
        name: Thử
        place: Thử
        hub: A
        units:
          - {code: A, name: Đơn vị A, kind: district_office, reports_to: [KHONG-CO]}
        """), encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_organisation(path)
    assert "org.yaml" in str(info.value) and "KHONG-CO" in str(info.value)


def test_a_calendar_with_an_impossible_due_date_is_refused(tmp_path):
    path = tmp_path / "lich.yaml"
    path.write_text("years: [2026]\neach_year:\n  - {key: nam, kind: annual, title: Năm, form: x, due: 31/02}\n",
                    encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_calendar(path)
    assert "lich.yaml" in str(info.value) and "31/02" in str(info.value)


def test_check_templates_reports_a_period_whose_form_is_missing(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(ROOT, root)
    (root / "forms" / "dan-van-kheo.yaml").unlink()
    problems = [str(p) for p in check_templates(root)]
    assert any("dan-van-kheo" in p and "lich-bao-cao.yaml" in p for p in problems)


LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi"))


def test_nested_yaml_aliases_are_refused_naming_file_and_line(tmp_path):
    path = tmp_path / "cuoi.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    assert len(LAUGHS.encode()) < 400 and LAUGHS.count("*") == 72  # 9 ** 9 "lol" once walked
    with pytest.raises(TemplateError) as info:
        load_form(path)
    assert str(info.value) == (f"{path}: dòng 1, cột 4: mẫu không được dùng neo (&) hay bí danh (*) của YAML; hãy "
                               "viết đầy đủ từng mục")


def test_one_anchor_reused_by_a_merge_key_is_refused_at_the_anchors_line(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text("id: x\nname: Xã thử\nunits:\n  - &xa {code: XA-A, name: Xã A, reports: true}\n"
                    "  - {<<: *xa, code: XA-B}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_organisation(path)
    assert "org.yaml: dòng 4, cột 5: mẫu không được dùng neo (&)" in str(info.value)


def test_an_ampersand_in_quoted_text_is_no_anchor(tmp_path):
    path = tmp_path / "org.yaml"
    text = (ROOT / "organisation" / "hon-quan-2023.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("name: ", "name: 'A & B' #", 1), encoding="utf-8")
    assert load_organisation(path).name == "A & B"


def test_a_template_over_1_mb_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "lon.yaml"
    path.write_text("id: x\n" + "# chú thích\n" * 200_000, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_form(path)
    assert str(info.value) == f"{path}: tệp lớn hơn 1024 KB, quá lớn đối với một mẫu khai báo"


# ----------------------------------------------------------------- date bounds and opening days
def test_the_shipped_forms_refuse_dates_of_things_done_after_today(catalog):
    assert catalog.form("bao-cao-dinh-ky").field("ngay_bao_cao").max == "today"
    assert catalog.form("bao-cao-dinh-ky").field("hoat_dong_noi_bat").fields[0].max == "today"
    assert catalog.form("tu-cham-diem").field("ngay_lap").max == "today"


def test_a_date_field_takes_today_a_fixed_day_or_an_expression_as_its_bounds(tmp_path):
    path = tmp_path / "thu-nghiem.yaml"
    path.write_text(MINIMAL.format(fields=textwrap.indent(textwrap.dedent("""\
        - {name: bat_dau, type: date, label: Bắt đầu, min: 01/01/2020, max: today}
        - {name: ket_thuc, type: date, label: Kết thúc, min: bat_dau, max: 2030-12-31}
        """), " " * 6), extra=""), encoding="utf-8")
    engine = FormEngine.of(load_form(path))
    today = date(2026, 4, 28)
    ok = engine.validate({"bat_dau": "01/03/2026", "ket_thuc": "02/03/2026"}, today=today)
    assert ok.ok, [str(e) for e in ok.errors]
    bad = engine.validate({"bat_dau": "31/12/2019", "ket_thuc": "28/02/2026"}, today=today)
    assert [str(e) for e in bad.errors] == [
        "«Bắt đầu»: ngày 31/12/2019 không được trước ngày 01/01/2020"]
    bad = engine.validate({"bat_dau": "29/04/2026", "ket_thuc": "28/04/2026"}, today=today)
    assert [str(e) for e in bad.errors] == [
        "«Bắt đầu»: ngày 29/04/2026 không được sau ngày hôm nay (28/04/2026)",
        "«Kết thúc»: ngày 28/04/2026 không được trước ngày 29/04/2026"]
    assert [str(e) for e in engine.validate({"ket_thuc": "01/01/2031"}, today=today).errors] == [
        "«Kết thúc»: ngày 01/01/2031 không được sau ngày 31/12/2030"]


@pytest.mark.parametrize("fields,words", [
    ("- {name: ngay, type: date, label: Ngày, max: ngay_khac}", "dùng tên không có trong biểu mẫu: ngay_khac"),
    ("- {name: ngay, type: date, label: Ngày, min: 'hôm qua'}", "không phải ngày dd/mm/yyyy, không phải 'today'"),
    ("- {name: ngay, type: date, label: Ngày, max: 5}", "với trường ngày phải là ngày dd/mm/yyyy, 'today'"),
    ("- {name: so, type: integer, label: Số, max: today}", "với trường số phải là một số (đang ghi 'today')"),
    ("- {name: ten, type: text, label: Tên, max: today}", "min/max chỉ dùng cho số và ngày"),
])
def test_an_unusable_bound_is_refused_naming_file_field_and_key(tmp_path, fields, words):
    message = broken(tmp_path, fields)
    assert "thu-nghiem.yaml" in message and words in message
    assert "trường 'ngay'" in message or "trường 'so'" in message or "trường 'ten'" in message


def test_a_period_opens_on_new_years_day_unless_the_calendar_says_otherwise(tmp_path):
    calendar = load_calendar(ROOT / "periods" / "lich-bao-cao.yaml")
    assert calendar.get("2027-nam").opens == date(2027, 1, 1)
    assert not calendar.get("2027-nam").is_open(date(2026, 12, 31)) and calendar.get("2027-nam").is_open(
        date(2027, 1, 1))
    assert [p.id for p in calendar.offered(date(2026, 4, 28), analyst=False) if p.year == 2027] == []
    assert len(calendar.offered(date(2026, 4, 28), analyst=True)) == len(calendar.periods)
    path = tmp_path / "lich.yaml"
    text = (ROOT / "periods" / "lich-bao-cao.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("    due: 05/05\n", "    due: 05/05\n    opens: 01/04\n").replace(
        "overrides: {}", "overrides:\n  2027:\n    nam: {opens: 01/10}"), encoding="utf-8")
    moved = load_calendar(path)
    assert moved.get("2026-6t").opens == date(2026, 4, 1) and moved.get("2027-nam").opens == date(2027, 10, 1)
    assert moved.get("2026-nam").opens == date(2026, 1, 1)


@pytest.mark.parametrize("override,words", [
    ("nam: {opens: 31/02}", "overrides.2027.nam.opens: ngày mở '31/02' không phải ngày hợp lệ (dd/mm) của năm 2027"),
    ("nam: {opens: 01/12}", "overrides.2027.nam.opens: ngày mở 01/12/2027 sau hạn nộp 10/11/2027"),
])
def test_an_impossible_opening_day_is_refused_naming_file_and_period(tmp_path, override, words):
    path = tmp_path / "lich.yaml"
    path.write_text((ROOT / "periods" / "lich-bao-cao.yaml").read_text(encoding="utf-8").replace(
        "overrides: {}", f"overrides:\n  2027:\n    {override}"), encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_calendar(path)
    assert str(info.value) == f"{path}: {words}"
