"""What the store refuses before a word is stored: broken text, dates of things not yet done, unopened periods.

Each refusal names the field or the period in Vietnamese, and the store holds exactly what it held before.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from samples import REPORT_INPUT
from sqlalchemy import select
from storekit import FORMS, REPORT

from danvan_kit.store import Store, StoreError, ValidationFailed
from danvan_kit.store.tables import revisions, submissions

ROOT = Path(__file__).resolve().parents[2] / "templates"
FORM, PERIOD = REPORT


@pytest.fixture
def checked(db_url, clock, organisation, calendar, catalog):
    """A store that checks submits with the shipped forms (catalog.validator), as the app opens it."""
    s = Store.open(db_url, clock=clock, validator=catalog.validator)
    s.migrate()
    s.load_reference(organisation, calendar, FORMS)
    yield s
    s.close()


def held(store: Store) -> list[tuple]:
    """Every stored submission and revision, as rows."""
    with store.engine.connect() as conn:
        subs = [tuple(r) for r in conn.execute(select(submissions).order_by(submissions.c.id))]
        revs = [tuple(r) for r in conn.execute(select(revisions).order_by(revisions.c.id))]
    return subs + revs


def report(catalog, **changes) -> dict:
    """The sample report as the form cleans it, dated 20/04/2026 (the test clock's first day) unless changed."""
    answers = {**REPORT_INPUT, "ngay_bao_cao": "20/04/2026", **changes}
    return catalog.engine(FORM).validate(answers, today=date(2026, 4, 28)).data or {}


def test_a_draft_with_a_lone_surrogate_is_refused_naming_the_field_and_stores_nothing(checked):
    unit = checked.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU")
    checked.save_draft(unit, "XA-AN-PHU", FORM, PERIOD, {"nguoi_lap": "Nguyễn Văn A"}, template_version=1)
    before = held(checked)
    with pytest.raises(ValidationFailed) as refused:
        checked.save_draft(unit, "XA-AN-PHU", FORM, PERIOD, {"nguoi_lap": "Nguyễn\ud83d Văn A"}, template_version=1)
    assert refused.value.errors == ["Trường «nguoi_lap»: có ký tự hỏng (U+D83D, nửa ký tự bị cắt khi sao chép) nên "
                                    "không lưu được; hãy xóa rồi gõ lại"]
    with pytest.raises(ValidationFailed) as in_a_row:
        checked.save_draft(unit, "XA-AN-PHU", FORM, PERIOD, {"hoat_dong_noi_bat": [{}, {"noi_dung": "Hội\udc00"}]},
                           template_version=1)
    assert in_a_row.value.errors[0].startswith("Trường «hoat_dong_noi_bat[2].noi_dung»: có ký tự hỏng (U+DC00")
    assert held(checked) == before
    audit = checked.audit(checked.system_actor(), 2)
    assert [(e.action, e.outcome) for e in audit] == [("save_draft", "invalid"), ("save_draft", "invalid")]


def test_a_submit_with_a_direction_override_is_refused_naming_the_field_and_stores_nothing(checked, catalog):
    unit = checked.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU")
    before = held(checked)
    data = dict(report(catalog), ket_qua_dat_duoc="Đã giải quyết \u202e001 hồ sơ")
    with pytest.raises(ValidationFailed) as refused:
        checked.submit(unit, "XA-AN-PHU", FORM, PERIOD, data, template_version=1, attempt_id="rlo")
    assert refused.value.errors == ["«Kết quả đạt được»: có ký tự điều khiển hướng chữ (U+202E) dùng để ngụy trang "
                                    "văn bản; hãy xóa rồi gõ lại"]
    assert [e.field for e in refused.value.fields] == ["ket_qua_dat_duoc"]
    assert held(checked) == before


def test_a_report_dated_after_the_stores_today_is_refused_whatever_the_servers_date(checked, catalog, clock):
    unit = checked.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU")
    clock.set_local(2026, 4, 27, 23, 30)                            # the evening before the report's date
    before = held(checked)
    with pytest.raises(ValidationFailed) as refused:
        checked.submit(unit, "XA-AN-PHU", FORM, PERIOD, report(catalog, ngay_bao_cao="28/04/2026"),
                       template_version=1, attempt_id="som")
    assert refused.value.errors == ["«Ngày báo cáo»: ngày 28/04/2026 không được sau ngày hôm nay (27/04/2026)"]
    assert held(checked) == before
    clock.set_local(2026, 4, 28, 0, 5)
    done = checked.submit(unit, "XA-AN-PHU", FORM, PERIOD, report(catalog, ngay_bao_cao="28/04/2026"),
                          template_version=1, attempt_id="dung")
    assert done.revision.data["ngay_bao_cao"] == "2026-04-28" and done.on_time


def test_an_activity_held_in_2099_is_refused_naming_its_row(checked, catalog):
    unit = checked.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU")
    data = dict(report(catalog), hoat_dong_noi_bat=[{"ngay": "2099-01-01", "noi_dung": "Hội nghị"}])
    with pytest.raises(ValidationFailed) as refused:
        checked.submit(unit, "XA-AN-PHU", FORM, PERIOD, data, template_version=1, attempt_id="2099")
    assert refused.value.errors == ["«Các hoạt động tuyên truyền nổi bật, dòng 1: Ngày»: ngày 01/01/2099 không được "
                                    "sau ngày hôm nay (20/04/2026)"]
    assert held(checked) == []


def test_a_unit_can_neither_draft_nor_submit_a_period_before_it_opens(store, unit_a, clock):
    before = held(store)
    with pytest.raises(StoreError) as draft:
        store.save_draft(unit_a, "XA-AN-PHU", FORM, "2027-nam", {"so_cuoc": 1}, template_version=1)
    assert str(draft.value) == "Kỳ «Báo cáo năm 2027» chưa mở: từ ngày 01/01/2027 mới lưu nháp được cho kỳ này."
    with pytest.raises(StoreError) as submit:
        store.submit(unit_a, "XA-AN-PHU", FORM, "2027-nam", {"so_cuoc": 1}, template_version=1, attempt_id="a")
    assert str(submit.value) == "Kỳ «Báo cáo năm 2027» chưa mở: từ ngày 01/01/2027 mới nộp báo cáo được cho kỳ này."
    assert held(store) == before
    assert [(e.action, e.outcome) for e in store.audit(store.system_actor(), 2)] == [
        ("submit", "invalid"), ("save_draft", "invalid")]
    clock.set_local(2027, 1, 1, 7, 30)
    done = store.submit(unit_a, "XA-AN-PHU", FORM, "2027-nam", {"so_cuoc": 1}, template_version=1, attempt_id="a")
    assert done.on_time and done.revision.number == 1


def test_an_analyst_prepares_an_unopened_period_as_a_draft_but_nothing_is_submitted_on_time_before_it_opens(
        store, analyst):
    draft = store.save_draft(analyst, "XA-AN-PHU", FORM, "2027-6t", {"so_cuoc": 1}, template_version=1)
    assert draft.kind == "draft" and draft.on_time is None
    before = held(store)
    for actor in (analyst, store.system_actor()):                    # the web desk and `danvan import`
        with pytest.raises(StoreError, match="từ ngày 01/01/2027 mới nộp báo cáo"):
            store.submit(actor, "XA-AN-PHU", FORM, "2027-6t", {"so_cuoc": 1}, template_version=1, attempt_id="x")
    assert held(store) == before
    assert [r.state for r in store.status(analyst, "2027-6t") if r.unit_code == "XA-AN-PHU"] == ["draft"]


def test_a_calendar_override_moves_the_opening_day_the_store_enforces(db_url, clock, organisation, tmp_path):
    from danvan_kit.catalog.calendar import load_calendar

    text = (ROOT / "periods" / "lich-bao-cao.yaml").read_text(encoding="utf-8").replace(
        "overrides: {}", "overrides:\n  2026:\n    dvk: {opens: 01/05}")
    (tmp_path / "lich.yaml").write_text(text, encoding="utf-8")
    with Store.open(db_url, clock=clock) as store:
        store.migrate()
        store.load_reference(organisation, load_calendar(tmp_path / "lich.yaml"), FORMS)
        unit = store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU")
        with pytest.raises(StoreError, match="từ ngày 01/05/2026 mới lưu nháp"):
            store.save_draft(unit, "XA-AN-PHU", "dan-van-kheo", "2026-dvk", {"x": 1}, template_version=1, item="1")
        assert held(store) == []
        store.save_draft(unit, "XA-AN-PHU", FORM, PERIOD, {"x": 1}, template_version=1)   # 2026-6t opened 01/01
        clock.set_local(2026, 5, 1, 8)
        assert store.save_draft(unit, "XA-AN-PHU", "dan-van-kheo", "2026-dvk", {"x": 1}, template_version=1,
                                item="1").number == 1
