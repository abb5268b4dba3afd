"""`danvan init --demo` fills last year for every unit and part of this year, through the store,
marked as demo data, the same every time, once per store; a store made without --demo stays empty."""
from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from danvan_kit.cli import main
from danvan_kit.cli.demo import DEMO_ACTION, DEMO_NOTE, demo_clock, fill_demo, has_demo
from danvan_kit.figures.compare import year_on_year
from danvan_kit.figures.period import gather
from danvan_kit.settings import local_date
from danvan_kit.store import Store

TODAY = date(2026, 11, 30)


def _demo_store(path, catalog, today=TODAY):
    """A store with the demo accounts (as init --demo makes them) and the demo data as of TODAY."""
    result = CliRunner().invoke(main, ["init", "--data-dir", str(path)])
    assert result.exit_code == 0, result.output
    clock = demo_clock()
    store = Store.open(data_dir=path, validator=catalog.validator, clock=clock)
    store.create_account("phongnoivu", role="analyst", passcode="demo123")
    for unit in catalog.organisation.reporting_units():
        store.create_account(unit.code.lower(), role="unit", unit_code=unit.code, passcode="demo123")
    summary = fill_demo(store, catalog, clock, today=today)
    return store, summary


@pytest.fixture(scope="module")
def demo(tmp_path_factory, catalog):
    store, summary = _demo_store(tmp_path_factory.mktemp("demo"), catalog)
    yield store, summary
    store.close()


def _revisions(store, period_id):
    return store.submissions(store.system_actor(), period_id)


def test_last_year_has_every_unit_in_every_period_with_some_late(demo, catalog):
    store, summary = demo
    units = {u.code for u in catalog.organisation.reporting_units()}
    for key in ("6t", "nam", "tcd"):
        subs = _revisions(store, f"2025-{key}")
        assert {s.unit_code for s in subs} == units
    rows = store.status(store.system_actor(), "2025-nam")
    late = [r for r in rows if r.days_late]
    assert 0 < len(late) < len(rows) / 2
    assert summary.late > 0 and summary.submitted > 4 * len(units)


def test_the_figures_vary_between_units_and_grow_from_last_year(demo, catalog):
    store, _ = demo
    files = [s.data["tthc_tiep_nhan"] for s in _revisions(store, "2025-nam")]
    assert len(set(files)) > len(files) // 2
    commune = next(s for s in _revisions(store, "2025-nam") if s.unit_code == "XA-AN-PHU")
    office = next(s for s in _revisions(store, "2025-nam") if s.unit_code == "PTP")
    assert commune.data["tthc_tiep_nhan"] > office.data["tthc_tiep_nhan"]
    half = next(s for s in _revisions(store, "2025-6t") if s.unit_code == "XA-AN-PHU")
    assert half.data["tthc_tiep_nhan"] < commune.data["tthc_tiep_nhan"]


def test_this_year_is_filled_only_in_part_and_never_after_today(demo, catalog):
    store, summary = demo
    units = {u.code for u in catalog.organisation.reporting_units()}
    assert {s.unit_code for s in _revisions(store, "2026-6t")} == units
    filed = {s.unit_code for s in _revisions(store, "2026-nam")}
    assert 0.4 * len(units) < len(filed) < len(units)
    assert _revisions(store, "2027-6t") == []
    assert all(local_date(s.created_at) < TODAY for p in summary.periods for s in _revisions(store, p))


def test_one_report_was_sent_back_then_corrected_and_approved(demo):
    store, _ = demo
    sent_back = [e for e in store.audit(store.system_actor(), limit=5000)
                 if e.action == "review" and e.detail == "needs_correction"]
    assert len(sent_back) >= 1
    e = sent_back[0]
    history = store.history(store.system_actor(), e.unit_code, e.form_id, e.period_id)
    submitted = [r for r in history if r.kind == "submitted"]
    assert len(submitted) == 2
    assert submitted[1].data["tthc_tre_han"] == submitted[0].data["tthc_tre_han"] + 3
    review = store.review_state(store.system_actor(), e.unit_code, e.form_id, e.period_id)
    assert review.state == "approved" and review.revision_number == submitted[1].number


def test_self_assessments_carry_reviewer_scores_and_models_are_registered(demo):
    store, _ = demo
    reviews = store.reviews(store.system_actor(), "2025-tcd")
    assert any(r.adjusted_scores for r in reviews.values())
    models = _revisions(store, "2025-dvk")
    assert len(models) >= 25 and all(m.item.isdigit() for m in models)
    assert all(m.data["ten_mo_hinh"] for m in models)


def test_every_narrative_and_the_audit_say_it_is_demo_data(demo):
    store, _ = demo
    for period in ("2025-nam", "2026-6t"):
        for s in _revisions(store, period):
            assert s.data["ket_qua_dat_duoc"].startswith(DEMO_NOTE)
            assert s.data["ton_tai_han_che"].startswith(DEMO_NOTE)
    assert has_demo(store)
    assert any(e.action == DEMO_ACTION for e in store.audit(store.system_actor(), outcome="demo"))


def test_the_desks_year_on_year_has_last_years_figures(demo, catalog):
    store, _ = demo
    compared = [c for c in year_on_year(gather(catalog, store, "2026-nam", today=TODAY, with_previous=True))
                if not c.heading]
    with_last = [c for c in compared if c.last is not None and c.change is not None]
    assert len(with_last) > 10
    assert any(c.change != 0 for c in with_last)


def test_the_demo_is_the_same_every_time(tmp_path, catalog, demo):
    store, summary = demo
    other, again = _demo_store(tmp_path, catalog)
    try:
        assert (again.submitted, again.late, again.models, again.reviews) == \
            (summary.submitted, summary.late, summary.models, summary.reviews)
        for period in ("2025-nam", "2026-dvk"):
            ours = [(s.unit_code, s.item, s.data) for s in _revisions(store, period)]
            theirs = [(s.unit_code, s.item, s.data) for s in _revisions(other, period)]
            assert ours == theirs
    finally:
        other.close()


def test_init_demo_twice_adds_nothing_and_plain_init_adds_no_report(tmp_path):
    runner = CliRunner()
    plain = tmp_path / "plain"
    assert runner.invoke(main, ["init", "--data-dir", str(plain)]).exit_code == 0
    with Store.open(data_dir=plain) as store:
        assert not has_demo(store)
        assert _revisions(store, "2025-nam") == [] and store.list_accounts() == []
    demo = tmp_path / "demo"
    first = runner.invoke(main, ["init", "--data-dir", str(demo), "--demo"])
    assert first.exit_code == 0, first.output
    assert "Đã thêm dữ liệu minh họa" in first.output
    with Store.open(data_dir=demo) as store:
        count = len(store.audit(store.system_actor(), limit=100000))
        subs = len(_revisions(store, "2025-nam"))
    second = runner.invoke(main, ["init", "--data-dir", str(demo), "--demo"])
    assert second.exit_code == 0, second.output
    assert "không thêm gì" in second.output
    with Store.open(data_dir=demo) as store:
        assert len(_revisions(store, "2025-nam")) == subs == 25
        # the second init records only its own reference load
        assert len(store.audit(store.system_actor(), limit=100000)) == count + 1


@pytest.mark.parametrize("today", [date(2026, 3, 1), date(2026, 11, 30), date(2026, 12, 31)])
def test_the_period_the_desk_opens_on_has_reports_and_last_years_figures_whatever_the_day(tmp_path, catalog, today):
    from danvan_kit.app.form_page import default_period

    store, _ = _demo_store(tmp_path, catalog, today)
    try:
        period = default_period(list(catalog.calendar.periods), today, analyst=True)
        assert store.submissions(store.system_actor(), period.id), period.id
        data = gather(catalog, store, period.id, today=today, with_previous=True)
        assert any(c.last is not None for c in year_on_year(data) if not c.heading)
    finally:
        store.close()
