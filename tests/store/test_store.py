"""The store suite: drafts, submits, history, idempotency, deadlines, review, audit, text.

Runs on SQLite and on PostgreSQL (see conftest.py).
"""
from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from storekit import FORMS, REPORT

from danvan_kit.store import AccessDenied, Store, StoreError, ValidationFailed
from danvan_kit.store.tables import accounts, revisions

FORM, PERIOD = REPORT


def test_a_draft_is_saved_but_never_counts_as_submitted(store, unit_a, analyst):
    rev = store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, {"so_cuoc": 3}, template_version=1)
    assert (rev.number, rev.kind, rev.data, rev.on_time) == (1, "draft", {"so_cuoc": 3}, None)
    assert store.latest(unit_a, "XA-AN-PHU", FORM, PERIOD).id == rev.id
    assert store.latest(unit_a, "XA-AN-PHU", FORM, PERIOD, submitted_only=True) is None
    assert store.submissions(analyst, PERIOD) == []
    row = next(r for r in store.status(analyst, PERIOD) if r.unit_code == "XA-AN-PHU")
    assert (row.state, row.submitted_at, row.revision_count) == ("draft", None, 1)


def test_identical_autosaves_make_one_draft_revision(store, unit_a):
    first = store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, {"x": "a"}, template_version=1)
    again = store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, {"x": "a"}, template_version=1)
    changed = store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, {"x": "ab"}, template_version=1)
    assert again.id == first.id
    assert changed.number == 2
    assert [r.number for r in store.history(unit_a, "XA-AN-PHU", FORM, PERIOD)] == [1, 2]


def test_each_submit_appends_the_next_revision_and_history_keeps_every_one(store, unit_a):
    store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 0}, template_version=1)
    first = store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="a-1")
    second = store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 2}, template_version=1, attempt_id="a-2")
    assert (first.revision.number, second.revision.number) == (2, 3)
    assert not first.duplicate and not second.duplicate
    history = store.history(unit_a, "XA-AN-PHU", FORM, PERIOD)
    assert [(r.number, r.kind, r.data["v"]) for r in history] == [(1, "draft", 0), (2, "submitted", 1),
                                                                  (3, "submitted", 2)]
    assert all(r.author == "xa-an-phu" and r.template_version == 1 for r in history)


def test_the_latest_submitted_revision_counts_even_with_a_newer_draft(store, unit_a, analyst):
    store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="s1")
    draft = store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": "đang sửa"}, template_version=1)
    assert store.latest(unit_a, "XA-AN-PHU", FORM, PERIOD).id == draft.id
    assert store.latest(unit_a, "XA-AN-PHU", FORM, PERIOD, submitted_only=True).data == {"v": 1}
    [counted] = store.submissions(analyst, PERIOD)
    assert counted.data == {"v": 1} and counted.unit_code == "XA-AN-PHU"
    row = next(r for r in store.status(analyst, PERIOD) if r.unit_code == "XA-AN-PHU")
    assert row.state == "submitted" and row.revision_count == 2


def test_sending_the_same_attempt_twice_makes_one_revision(store, unit_a, analyst):
    one = store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="dbl")
    two = store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="dbl")
    assert not one.duplicate and two.duplicate
    assert two.revision == one.revision
    assert len(store.history(unit_a, "XA-AN-PHU", FORM, PERIOD)) == 1
    assert [e.outcome for e in store.audit(analyst, 2)] == ["duplicate", "ok"]


def test_a_reused_attempt_id_with_other_data_keeps_the_original_and_is_audited(store, unit_a, analyst):
    one = store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="re")
    two = store.submit(unit_a, "XA-AN-PHU", "dan-van-kheo", "2026-dvk", {"v": 99}, template_version=1,
                       attempt_id="re", item="1")
    assert two.duplicate and two.revision.data == {"v": 1} and two.revision.id == one.revision.id
    assert store.items(unit_a, "XA-AN-PHU", "dan-van-kheo", "2026-dvk") == []
    entry = store.audit(analyst, 1)[0]
    assert entry.outcome == "duplicate" and "khác" in entry.detail


def test_an_attempt_id_of_another_unit_is_refused_without_revealing_its_data(store, unit_a, unit_b, analyst):
    store.submit(unit_b, "XA-MINH-TAM", FORM, PERIOD, {"bi_mat": 1}, template_version=1, attempt_id="x")
    with pytest.raises(AccessDenied) as err:
        store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="x")
    assert "bi_mat" not in str(err.value)
    assert store.latest(unit_a, "XA-AN-PHU", FORM, PERIOD) is None
    assert store.audit(analyst, 1)[0].outcome == "denied"


def test_submitting_after_the_deadline_is_allowed_and_flagged(store, unit_a, clock):
    clock.set_local(2026, 5, 5, 23, 59)
    on_time = store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="t1")
    assert (on_time.on_time, on_time.days_late) == (True, 0)
    clock.set_local(2026, 5, 12)
    late = store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 2}, template_version=1, attempt_id="t2")
    assert (late.on_time, late.days_late) == (False, 7)
    assert (late.revision.on_time, late.revision.days_late) == (False, 7)


def test_the_deadline_is_decided_on_the_vietnam_local_date(store, unit_a, clock):
    # 17:30 UTC on 05/05 is already 00:30 on 06/05 in Vietnam: one day late.
    clock.moment = datetime(2026, 5, 5, 17, 30, tzinfo=timezone.utc)
    result = store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="tz")
    assert (result.on_time, result.days_late) == (False, 1)
    assert result.revision.created_at.tzinfo == timezone.utc
    assert result.revision.created_at.hour == 17


def test_status_lists_every_reporting_unit_in_vietnamese_order_with_days_late(store, unit_a, unit_b,
                                                                              analyst, organisation, clock):
    store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="on-time")
    clock.set_local(2026, 5, 8)
    store.submit(unit_b, "XA-MINH-TAM", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="late")
    clock.set_local(2026, 5, 15)
    rows = store.status(analyst, PERIOD)
    assert [r.unit_code for r in rows] == [u.code for u in organisation.reporting_units()]
    assert len(rows) == 25
    by_code = {r.unit_code: r for r in rows}
    assert (by_code["XA-AN-PHU"].state, by_code["XA-AN-PHU"].on_time, by_code["XA-AN-PHU"].days_late) == \
        ("submitted", True, 0)
    assert (by_code["XA-MINH-TAM"].on_time, by_code["XA-MINH-TAM"].days_late) == (False, 3)
    waiting = by_code["XA-TAN-QUAN"]
    assert (waiting.state, waiting.submitted_at, waiting.on_time, waiting.days_late) == \
        ("not_started", None, False, 10)


def test_before_the_due_date_a_unit_that_has_not_submitted_is_not_late(store, analyst):
    row = store.status(analyst, PERIOD)[0]
    assert (row.state, row.on_time, row.days_late) == ("not_started", None, 0)


def test_a_unit_sees_only_its_own_status_and_submissions(store, unit_a, unit_b):
    store.submit(unit_b, "XA-MINH-TAM", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="b")
    store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 2}, template_version=1, attempt_id="a")
    assert [r.unit_code for r in store.status(unit_a, PERIOD)] == ["XA-AN-PHU"]
    assert [r.unit_code for r in store.submissions(unit_a, PERIOD)] == ["XA-AN-PHU"]


def test_review_states_and_the_comment_are_visible_to_the_unit(store, unit_a, analyst):
    store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="r1")
    assert store.review_state(unit_a, "XA-AN-PHU", FORM, PERIOD) is None
    store.review(analyst, "XA-AN-PHU", FORM, PERIOD, state="received")
    assert store.review_state(unit_a, "XA-AN-PHU", FORM, PERIOD).state == "received"
    assert store.status(analyst, PERIOD)[-1].state  # every row has a state
    store.review(analyst, "XA-AN-PHU", FORM, PERIOD, state="needs_correction",
                 comment="Bổ sung số liệu tiếp công dân (mục 5)")
    info = store.review_state(unit_a, "XA-AN-PHU", FORM, PERIOD)
    assert (info.state, info.comment, info.reviewer, info.revision_number) == \
        ("needs_correction", "Bổ sung số liệu tiếp công dân (mục 5)", "phongnoivu", 1)
    row = store.status(unit_a, PERIOD)[0]
    assert (row.state, row.review_state) == ("needs_correction", "needs_correction")


def test_a_correction_after_review_goes_back_to_submitted_then_approved(store, unit_a, analyst):
    store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="c1")
    store.review(analyst, "XA-AN-PHU", FORM, PERIOD, state="needs_correction", comment="Sửa mục 2")
    store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 2}, template_version=1, attempt_id="c2")
    assert store.status(unit_a, PERIOD)[0].state == "submitted"
    store.review(analyst, "XA-AN-PHU", FORM, PERIOD, state="approved")
    assert store.status(unit_a, PERIOD)[0].state == "approved"
    assert store.review_state(unit_a, "XA-AN-PHU", FORM, PERIOD).revision_number == 2
    assert [r.data["v"] for r in store.history(unit_a, "XA-AN-PHU", FORM, PERIOD)] == [1, 2]


def test_reviewer_adjusted_scores_are_kept_beside_the_units_own(store, unit_a, analyst):
    own = {"tc_1_1": 5, "tc_1_2": 4.5}
    store.submit(unit_a, "XA-AN-PHU", "tu-cham-diem", "2026-tcd", own, template_version=1, attempt_id="sc")
    store.review(analyst, "XA-AN-PHU", "tu-cham-diem", "2026-tcd", state="approved",
                 adjusted_scores={"tc_1_2": 3.5})
    info = store.review_state(unit_a, "XA-AN-PHU", "tu-cham-diem", "2026-tcd")
    assert info.adjusted_scores == {"tc_1_2": 3.5}
    assert store.latest(analyst, "XA-AN-PHU", "tu-cham-diem", "2026-tcd").data == own


def test_review_needs_a_submission_a_valid_state_and_a_comment_for_corrections(store, unit_a, analyst):
    with pytest.raises(StoreError, match="chưa nộp"):
        store.review(analyst, "XA-AN-PHU", FORM, PERIOD, state="approved")
    store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="q")
    with pytest.raises(ValidationFailed, match="nhận xét"):
        store.review(analyst, "XA-AN-PHU", FORM, PERIOD, state="needs_correction")
    with pytest.raises(ValidationFailed):
        store.review(analyst, "XA-AN-PHU", FORM, PERIOD, state="ok")
    with pytest.raises(ValidationFailed):
        store.review(analyst, "XA-AN-PHU", FORM, PERIOD, state="approved", adjusted_scores={"a": "nhiều"})
    assert store.review_state(analyst, "XA-AN-PHU", FORM, PERIOD) is None


def test_every_write_and_every_refusal_is_in_the_audit_log(store, unit_a, unit_b, analyst):
    store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 0}, template_version=1)
    store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="au")
    store.review(analyst, "XA-AN-PHU", FORM, PERIOD, state="approved")
    with pytest.raises(AccessDenied):
        store.save_draft(unit_b, "XA-AN-PHU", FORM, PERIOD, {"v": 9}, template_version=1)
    entries = [(e.actor, e.action, e.outcome) for e in reversed(store.audit(analyst, 4))]
    assert entries == [("xa-an-phu", "save_draft", "ok"), ("xa-an-phu", "submit", "ok"),
                       ("phongnoivu", "review", "ok"), ("xa-minh-tam", "save_draft", "denied")]
    submit_entry = store.audit(analyst, 3)[-1]
    assert submit_entry.revision_id is not None and submit_entry.unit_code == "XA-AN-PHU"
    assert [e.action for e in store.audit(analyst, 100, outcome="ok")][-1] == "load_reference"


def test_text_arriving_decomposed_is_stored_composed(store, unit_a, db_url):
    nfd = unicodedata.normalize("NFD", "Xã An Phú tổ chức hội nghị")
    key_nfd = unicodedata.normalize("NFD", "Mô hình hiến đất")
    rev = store.save_draft(unit_a, "XA-AN-PHU", "dan-van-kheo", "2026-dvk", {key_nfd: [nfd]},
                           template_version=1, item="1")
    nfc_key, nfc_text = "Mô hình hiến đất", "Xã An Phú tổ chức hội nghị"
    assert rev.data == {nfc_key: [nfc_text]} and rev.item == "1"
    engine = Store.open(db_url).engine
    with engine.connect() as conn:
        stored = conn.execute(select(revisions.c.data)).scalar_one()
    engine.dispose()
    assert stored == {nfc_key: [nfc_text]}


def test_the_validator_checks_submits_but_not_drafts(db_url, clock, organisation, calendar, unit_a_login="xa-an-phu"):
    seen = []

    def validator(form_id, version, data, *, today):
        seen.append((form_id, version, today))
        if "so_cuoc" not in data:
            return None, ["Thiếu số cuộc tuyên truyền"]
        return {"so_cuoc": int(data["so_cuoc"])}, []

    with Store.open(db_url, clock=clock, validator=validator) as store:
        store.migrate()
        store.load_reference(organisation, calendar, FORMS)
        unit = store.create_account(unit_a_login, role="unit", unit_code="XA-AN-PHU")
        store.save_draft(unit, "XA-AN-PHU", FORM, PERIOD, {"bat_ky": "gì"}, template_version=1)
        with pytest.raises(ValidationFailed) as err:
            store.submit(unit, "XA-AN-PHU", FORM, PERIOD, {}, template_version=1, attempt_id="v1")
        assert err.value.errors == ["Thiếu số cuộc tuyên truyền"]
        done = store.submit(unit, "XA-AN-PHU", FORM, PERIOD, {"so_cuoc": "12"}, template_version=1,
                            attempt_id="v2")
        assert done.revision.data == {"so_cuoc": 12}
        assert seen == [(FORM, 1, date(2026, 4, 20)), (FORM, 1, date(2026, 4, 20))]   # the store's own day
        audit = store.audit(store.system_actor(), 2)
        assert [(e.action, e.outcome) for e in audit] == [("submit", "ok"), ("submit", "invalid")]


@pytest.mark.parametrize("data, message", [
    ({"x": "a" * (2 * 1024 * 1024 + 1)}, "quá lớn"),
    ({"x": object()}, "không lưu được"),
    ({"x": float("nan")}, "không lưu được"),
    ({"x": "a\x00b"}, "NUL"),
    (["not", "a", "dict"], "dict"),
])
def test_data_that_cannot_be_stored_is_refused_with_a_reason(store, unit_a, data, message):
    with pytest.raises(ValidationFailed, match=message):
        store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, data, template_version=1)
    assert store.history(unit_a, "XA-AN-PHU", FORM, PERIOD) == []


def test_several_models_of_one_unit_are_kept_as_separate_items(store, unit_a, analyst):
    for n, name in [(2, "Mô hình Ấp văn hóa"), (10, "Mô hình Đường hoa")]:
        store.submit(unit_a, "XA-AN-PHU", "dan-van-kheo", "2026-dvk", {"ten": name}, template_version=1,
                     attempt_id=f"m{n}", item=n)
    assert store.items(unit_a, "XA-AN-PHU", "dan-van-kheo", "2026-dvk") == ["2", "10"]   # by number
    assert len(store.submissions(analyst, "2026-dvk")) == 2
    row = store.status(unit_a, "2026-dvk")[0]
    assert row.state == "submitted" and row.items == ("2", "10")


@pytest.mark.parametrize("item", ["Mô hình 1", "<img src=x onerror=alert(1)>", "../../x", "0", "-1", "1.5",
                                  "10000", "１"])
def test_a_model_number_that_is_not_a_small_positive_integer_is_refused_and_nothing_is_stored(
        store, unit_a, analyst, item):
    with pytest.raises(ValidationFailed, match="Số thứ tự mô hình phải là số nguyên từ 1 đến 9999"):
        store.save_draft(unit_a, "XA-AN-PHU", "dan-van-kheo", "2026-dvk", {"ten": "x"}, template_version=1,
                         item=item)
    assert store.submissions(analyst, "2026-dvk") == [] and store.status(analyst, "2026-dvk")[0].revision_count == 0


@pytest.mark.parametrize("unit, form, period, version, message", [
    ("XA-KHONG-CO", FORM, PERIOD, 1, "Không có đơn vị"),
    ("XA-AN-PHU", FORM, "2099-6t", 1, "Không có kỳ báo cáo"),
    ("XA-AN-PHU", "tu-cham-diem", PERIOD, 1, "dùng mẫu"),
    ("XA-AN-PHU", FORM, PERIOD, 7, "phiên bản 7"),
])
def test_unknown_unit_period_form_or_version_is_refused_in_vietnamese(store, analyst, unit, form, period,
                                                                      version, message):
    with pytest.raises(StoreError, match=message):
        store.submit(analyst, unit, form, period, {"v": 1}, template_version=version, attempt_id="u")
    assert store.audit(analyst, 1)[0].outcome == "invalid"


def test_passcodes_are_stored_only_as_salted_scrypt_hashes(store):
    store.create_account("a1", role="analyst", passcode="cung-mat-khau")
    store.create_account("a2", role="analyst", passcode="cung-mat-khau")
    with store.engine.connect() as conn:
        hashes = [r.passcode_hash for r in conn.execute(select(accounts).order_by(accounts.c.login))]
    assert all(h.startswith("scrypt$") and "cung-mat-khau" not in h for h in hashes)
    assert hashes[0] != hashes[1]


def test_authenticate_accepts_the_right_passcode_and_audits_failures(store, analyst):
    store.create_account("xa-tan-quan", role="unit", unit_code="XA-TAN-QUAN", passcode="dung-roi")
    assert store.authenticate("XA-TAN-QUAN ", "dung-roi").unit_code == "XA-TAN-QUAN"
    assert store.authenticate("xa-tan-quan", "sai-roi") is None
    assert store.authenticate("khong-ai", "sai-roi") is None
    assert store.authenticate("phongnoivu", "") is None  # no passcode set: cannot log in
    store.set_passcode("xa-tan-quan", "moi-doi-123")
    assert store.authenticate("xa-tan-quan", "dung-roi") is None
    assert store.authenticate("xa-tan-quan", "moi-doi-123") is not None
    outcomes = [(e.actor, e.outcome) for e in store.audit(analyst, 7) if e.action == "login"]
    assert outcomes == [("xa-tan-quan", "ok"), ("xa-tan-quan", "failed"), ("phongnoivu", "failed"),
                        ("khong-ai", "failed"), ("xa-tan-quan", "failed"), ("xa-tan-quan", "ok")]


def test_accounts_are_checked_when_created(store):
    with pytest.raises(ValidationFailed):
        store.create_account("Tên Có Dấu", role="unit", unit_code="XA-AN-PHU")
    with pytest.raises(ValidationFailed):
        store.create_account("xa-an-phu", role="unit")
    with pytest.raises(ValidationFailed):
        store.create_account("xa-an-phu", role="admin", unit_code="XA-AN-PHU")
    with pytest.raises(ValidationFailed):
        store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode="123")
    with pytest.raises(StoreError, match="Không có đơn vị"):
        store.create_account("xa-an-phu", role="unit", unit_code="XA-NAO-DO")
    store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU")
    with pytest.raises(StoreError, match="đã có"):
        store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU")


def test_a_jupyterhub_user_name_maps_to_its_account(store):
    made = store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", hub_user="nguyen.hong")
    assert store.account_for_hub_user("nguyen.hong") == made
    assert store.account_for_hub_user("xa-an-phu") is None


def test_load_reference_is_idempotent_and_keeps_units_that_left_the_tree(store, organisation, calendar, analyst):
    again = store.load_reference(organisation, calendar, FORMS)
    assert again == {"units": 27, "periods": 12, "forms": 3}
    smaller = replace(organisation, units=tuple(u for u in organisation.units if u.code != "XA-TAN-QUAN"))
    store.load_reference(smaller, calendar, FORMS)
    assert "XA-TAN-QUAN" not in [r.unit_code for r in store.status(analyst, PERIOD)]
    with pytest.raises(StoreError, match="không còn"):
        store.save_draft(analyst, "XA-TAN-QUAN", FORM, PERIOD, {}, template_version=1)


def test_a_template_version_already_used_cannot_change_its_content(store, unit_a, organisation, calendar):
    edited = [(FORMS[0][0], 1, FORMS[0][2], FORMS[0][3] + "# sửa\n")]
    store.load_reference(organisation, calendar, edited)  # unused yet: allowed
    store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1)
    with pytest.raises(StoreError, match="tăng số phiên bản"):
        store.load_reference(organisation, calendar, FORMS)
    store.load_reference(organisation, calendar, edited + [(FORM, 2, "v2", "version: 2\n")])


def test_timestamps_come_back_as_aware_utc(store, unit_a, clock):
    rev = store.save_draft(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1)
    assert rev.created_at == clock.moment and rev.created_at.tzinfo == timezone.utc
