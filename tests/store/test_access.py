"""Access: a unit account reaches only its own unit's data, through every public method of the Store."""
from __future__ import annotations

import inspect

import pytest
from storekit import REPORT

from danvan_kit.store import AccessDenied, Account, Store

FORM, PERIOD = REPORT
A, B = "XA-AN-PHU", "XA-MINH-TAM"

# Every Store method that takes an acting account, with a call that aims at unit B.
AIMED_AT_B = {
    "save_draft": lambda s, who: s.save_draft(who, B, FORM, PERIOD, {"chen": 1}, template_version=1),
    "submit": lambda s, who: s.submit(who, B, FORM, PERIOD, {"chen": 1}, template_version=1, attempt_id="atk"),
    "latest": lambda s, who: s.latest(who, B, FORM, PERIOD),
    "history": lambda s, who: s.history(who, B, FORM, PERIOD),
    "items": lambda s, who: s.items(who, B, "dan-van-kheo", "2026-dvk"),
    "new_item": lambda s, who: s.new_item(who, B, "dan-van-kheo", "2026-dvk"),
    "review": lambda s, who: s.review(who, B, FORM, PERIOD, state="approved"),
    "review_state": lambda s, who: s.review_state(who, B, FORM, PERIOD),
    "audit": lambda s, who: s.audit(who),
}
# Methods that answer a unit account with its own rows only (never an error, never B's rows).
OWN_ROWS_ONLY = {"status", "submissions", "reviews"}


def _actor_methods() -> set[str]:
    return {name for name, fn in inspect.getmembers(Store, inspect.isfunction)
            if not name.startswith("_") and list(inspect.signature(fn).parameters)[1:2] == ["actor"]}


def test_every_public_method_that_takes_an_actor_is_covered_here():
    assert _actor_methods() == set(AIMED_AT_B) | OWN_ROWS_ONLY


@pytest.fixture
def b_has_data(store, unit_b, analyst):
    store.submit(unit_b, B, FORM, PERIOD, {"bi_mat": "số liệu của B"}, template_version=1, attempt_id="b1")
    store.save_draft(unit_b, B, "dan-van-kheo", "2026-dvk", {"ten": "Mô hình B"}, template_version=1,
                     item="2")
    return store.history(analyst, B, FORM, PERIOD)


@pytest.mark.parametrize("method", sorted(AIMED_AT_B))
def test_unit_a_cannot_reach_unit_b_and_the_attempt_is_audited(store, unit_a, analyst, b_has_data, method):
    with pytest.raises(AccessDenied, match="không có quyền") as err:
        AIMED_AT_B[method](store, unit_a)
    assert isinstance(err.value, PermissionError)
    assert "số liệu của B" not in str(err.value)
    entry = store.audit(analyst, 1)[0]
    assert (entry.actor, entry.action, entry.outcome) == ("xa-an-phu", method, "denied")
    assert store.history(analyst, B, FORM, PERIOD) == b_has_data


def test_status_and_submissions_show_unit_a_only_its_own_rows(store, unit_a, b_has_data):
    assert [r.unit_code for r in store.status(unit_a, PERIOD)] == [A]
    assert store.submissions(unit_a, PERIOD) == []
    store.submit(unit_a, A, FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="a1")
    assert [r.unit_code for r in store.submissions(unit_a, PERIOD)] == [A]


def test_a_periods_reviews_show_unit_a_only_its_own(store, unit_a, analyst, b_has_data):
    store.review(analyst, B, FORM, PERIOD, state="needs_correction", comment="Bổ sung số liệu của B")
    assert store.reviews(unit_a, PERIOD) == {}
    assert store.reviews(analyst, PERIOD)[(B, "")].comment == "Bổ sung số liệu của B"
    store.submit(unit_a, A, FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="a1")
    store.review(analyst, A, FORM, PERIOD, state="approved")
    assert [(key, r.state) for key, r in store.reviews(unit_a, PERIOD).items()] == [((A, ""), "approved")]


def test_a_unit_cannot_review_even_its_own_report(store, unit_a, analyst):
    store.submit(unit_a, A, FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="own")
    with pytest.raises(AccessDenied):
        store.review(unit_a, A, FORM, PERIOD, state="approved")
    assert store.review_state(unit_a, A, FORM, PERIOD) is None
    assert store.audit(analyst, 1)[0].outcome == "denied"


def test_a_forged_or_stale_account_object_grants_nothing(store, unit_a, analyst, b_has_data):
    forged = Account(id=unit_a.id, login=unit_a.login, role="analyst", unit_code=B)
    with pytest.raises(AccessDenied):
        store.latest(forged, B, FORM, PERIOD)
    with pytest.raises(AccessDenied):
        store.audit(forged)
    assert [r.unit_code for r in store.status(forged, PERIOD)] == [A]
    stranger = Account(id=9999, login="khong-ton-tai", role="analyst", unit_code=None)
    with pytest.raises(AccessDenied):
        store.status(stranger, PERIOD)
    impostor = Account(id=analyst.id, login="ten-khac", role="analyst", unit_code=None)
    with pytest.raises(AccessDenied):
        store.history(impostor, B, FORM, PERIOD)


def test_analysts_reach_every_unit(store, analyst, b_has_data):
    assert store.latest(analyst, B, FORM, PERIOD).data == {"bi_mat": "số liệu của B"}
    assert store.items(analyst, B, "dan-van-kheo", "2026-dvk") == ["2"]
    store.review(analyst, B, FORM, PERIOD, state="received")
    assert len(store.status(analyst, PERIOD)) == 25
