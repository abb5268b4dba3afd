"""Every figure and narrative of the documents equals the store's, read back with python-docx;
text is NFC and hostile text prints exactly as typed."""
from __future__ import annotations

import unicodedata

from docxread import all_paragraphs, body_texts, figure_rows, open_doc
from wordfill import HOSTILE, HOSTILE_UNIT, LAST_YEAR

from danvan_kit.figures.compare import year_on_year
from danvan_kit.figures.deadlines import MISSING, deadline_label
from danvan_kit.figures.scores import period_scores
from danvan_kit.forms.numbers import format_number
from danvan_kit.forms.values import display_value


def _store_revision(docs, unit=HOSTILE_UNIT, period="2026-nam"):
    store = docs.filled.store
    return store.latest(store.system_actor(), unit, "bao-cao-dinh-ky", period, submitted_only=True)


def test_every_figure_of_the_unit_report_equals_the_stores(docs, catalog):
    rev = _store_revision(docs)
    form = catalog.form("bao-cao-dinh-ky", rev.template_version)
    rows = {r[1]: r for r in figure_rows(open_doc(docs.unit)) if len(r) == 4}
    numbers = [f for f in form.all_fields() if f.is_number]
    assert numbers
    for f in numbers:
        assert f.label in rows, f.label
        assert rows[f.label][3] == display_value(f, rev.data.get(f.name)), f.name
        assert rows[f.label][2] == f.unit
    assert rows["Số lượt người tham dự"][3] == "1.250"          # typed "1.250"; the store holds 1250
    assert rows["Tỷ lệ người dân hài lòng"][3] == "92,5"


def test_the_unit_report_writes_yes_no_and_choices_as_sentences_and_the_activities_as_a_table(docs):
    texts = body_texts(open_doc(docs.unit))
    assert "- Hình thức tuyên truyền đã sử dụng: Hội nghị, họp dân; Loa truyền thanh." in texts
    assert any(t.startswith("- Đã phổ biến, triển khai Chỉ thị số 33/CT-TTg") and t.endswith(": Có.") for t in texts)


def test_every_narrative_of_the_unit_report_is_there_in_full(docs, catalog):
    rev = _store_revision(docs)
    texts = body_texts(open_doc(docs.unit))
    form = catalog.form("bao-cao-dinh-ky", rev.template_version)
    narratives = [f for f in form.all_fields() if f.type == "long_text" and rev.data.get(f.name)]
    assert len(narratives) >= 6
    for f in narratives:
        for line in rev.data[f.name].split("\n"):
            assert line.strip() in texts, (f.name, line)
    assert "Đoạn hai: 98% hồ sơ đúng hạn." in texts         # a second paragraph is its own paragraph


def test_hostile_text_prints_as_typed_with_no_field_code_from_it(docs):
    doc = open_doc(docs.unit)
    assert HOSTILE in body_texts(doc)
    xml = doc.element.xml
    assert "fldSimple" not in xml.replace("&lt;w:fldSimple", "")
    instr = [e.text for e in doc.element.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText")]
    assert instr == []                                          # the body has no field at all
    district = open_doc(docs.district)
    assert any(HOSTILE in t for t in body_texts(district))


def test_every_text_of_every_document_is_nfc(docs):
    for path in (docs.unit, docs.district, docs.notice, docs.reminder):
        for t in body_texts(open_doc(path)):
            assert t == unicodedata.normalize("NFC", t), (path.name, t)
    assert any("Ś" in t for t in body_texts(open_doc(docs.unit)))   # typed as S + combining acute


def test_every_indicator_of_the_district_report_equals_the_figures_with_last_year_and_the_change(docs):
    compared = [c for c in year_on_year(docs.gathered) if not c.heading]
    rows = [r for r in figure_rows(open_doc(docs.district)) if len(r) == 6]
    assert len(rows) == len(compared)
    for row, c in zip(rows, compared):
        assert row[1] == c.indicator.label
        assert row[3] == format_number(c.value) and row[4] == format_number(c.last)
        expected = "" if c.change is None else ("+" if c.change > 0 else "") + format_number(round(c.change, 2))
        assert row[5] == expected
    inspections = next(r for r in rows if r[1].startswith("a) Số cuộc kiểm tra, giám sát"))
    store = docs.filled.store
    last_year = {r.unit_code: r.data["so_cuoc_kiem_tra"] for r in store.submissions(store.system_actor(), "2025-nam")}
    assert {code: last_year[code] for code in LAST_YEAR} == LAST_YEAR          # the three resubmitted in 2025
    assert inspections[4] == format_number(sum(last_year.values()))
    subs = store.submissions(store.system_actor(), "2026-nam")
    assert inspections[3] == format_number(sum(r.data["so_cuoc_kiem_tra"] for r in subs))


def test_the_annual_district_report_carries_the_classes_and_the_models(docs):
    labels = [r[1] for r in figure_rows(open_doc(docs.district))]
    assert "Số đơn vị đã tự chấm điểm" in labels and any(x.startswith("Xếp loại Tốt") for x in labels)
    assert "Số mô hình “Dân vận khéo” đăng ký" in labels
    recognised = [x for x in labels if x.startswith("Mức độ được công nhận, khen thưởng: ")]
    assert len(recognised) >= 4 and "Mức độ được công nhận, khen thưởng: Cấp xã" in recognised


def test_the_district_report_names_the_missing_and_late_units(docs):
    texts = body_texts(open_doc(docs.district))
    data = docs.gathered
    missing = [u.name for u in data.units if deadline_label(u) == MISSING]
    assert missing
    line = next(t for t in texts if t.startswith("Các đơn vị chưa gửi báo cáo: "))
    assert line == "Các đơn vị chưa gửi báo cáo: " + "; ".join(missing) + "."
    submitted = len(data.units) - len(missing)
    assert any(t.startswith(f"Có {submitted}/{len(data.units)} đơn vị đã gửi báo cáo") for t in texts)


def test_the_units_shortcomings_and_proposals_are_grouped_and_attributed(docs):
    doc = open_doc(docs.district)
    paragraphs = all_paragraphs(doc)
    texts = [p.text for p in paragraphs]
    start = texts.index("Tồn tại, hạn chế")
    end = texts.index("Nguyên nhân của tồn tại, hạn chế")
    attributed = texts[start + 1:end]
    data = docs.gathered
    reported = [u for u in data.units if u.entries]
    assert len(attributed) == len(reported)
    for text, u in zip(attributed, reported):
        assert text.startswith(f"- {u.name}: ")
    assert f"- {data.units[[u.code for u in data.units].index(HOSTILE_UNIT)].name}: {HOSTILE}" in attributed
    assert "Đề xuất, kiến nghị" in texts
    assert "[Phòng Nội vụ viết đánh giá chung về kết quả đạt được]" in texts     # the officer's marked place


def test_the_notice_lists_every_unit_with_its_score_after_review_and_class(docs, catalog):
    from danvan_kit.figures.period import gather

    data = gather(catalog, docs.filled.store, "2026-tcd", with_companions=False)
    scores = dict(zip([u.name for u in data.units], period_scores(data)))
    rows = figure_rows(open_doc(docs.notice))
    assert len(rows) == len(data.units)
    for row in rows:
        s = scores[row[1]]
        assert row[2:] == [format_number(s.self_total), format_number(s.final), s.label,
                           "" if s.rank is None else str(s.rank)]
    adjusted = [r for r in rows if r[2] != r[3] and r[3]]
    assert adjusted                                              # reviewed scores differ from the units' own
    ranks = [int(r[5]) for r in rows if r[5]]
    assert ranks == sorted(ranks)


def test_the_reminder_names_the_missing_and_sent_back_units_with_deadline_and_days_late(docs):
    store = docs.filled.store
    rows = {r[1]: r for r in figure_rows(open_doc(docs.reminder))}
    status = {s.unit_name: s for s in store.status(store.system_actor(), "2026-6t")}
    owing = {n for n, s in status.items() if s.state in ("not_started", "draft", "needs_correction")}
    assert set(rows) == owing and len(owing) >= 3
    for name, row in rows.items():
        assert row[2] == "05/05/2026"
        s = status[name]
        if s.state == "needs_correction":
            assert row[3] == "Cần chỉnh sửa" and row[4] == "199"     # 05/05 -> 20/11/2026
        else:
            assert row[3] == "Chưa nộp" and row[4] == str(s.days_late) and s.days_late == 199
    addressees = [t for t in body_texts(open_doc(docs.reminder)) if t.startswith("- ") and t.endswith(";")]
    assert sorted(a[2:-1] for a in addressees[:len(owing)]) == sorted(owing)


def test_the_models_period_has_its_own_title_and_its_register_figures(docs, catalog):
    from danvan_kit.word import period_document

    doc = period_document(catalog, docs.filled.store, "2026-dvk").content
    path = docs.folder / "dvk.docx"
    path.write_bytes(doc)
    texts = body_texts(open_doc(path))
    assert "Kết quả đăng ký mô hình \"Dân vận khéo\" năm 2026" in texts
    labels = [r[1] for r in figure_rows(open_doc(path))]
    assert "Số mô hình “Dân vận khéo” đăng ký" in labels
