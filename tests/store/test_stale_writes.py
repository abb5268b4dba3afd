"""Two windows of one report: a write based on an old revision is refused, never merged.

And model numbers are allocated by the store, so two windows registering a
"Dân vận khéo" model at once get two numbers. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import threading

import pytest

from danvan_kit.store import StaleRevision, StoreError

KEY = ("XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")
MODELS = ("XA-AN-PHU", "dan-van-kheo", "2026-dvk")


def test_a_draft_based_on_an_older_revision_is_refused_naming_who_saved_and_when(store, unit_a, clock):
    first = store.save_draft(unit_a, *KEY, {"ket_qua": "A"}, template_version=1, base_revision=0)
    clock.set_local(2026, 4, 21, 14, 35)
    store.save_draft(unit_a, *KEY, {"ket_qua": "A, rồi sửa"}, template_version=1,
                              base_revision=first.number)
    history_before = store.history(unit_a, *KEY)

    with pytest.raises(StaleRevision) as caught:  # window B still shows revision 1
        store.save_draft(unit_a, *KEY, {"ket_qua": "B"}, template_version=1, base_revision=first.number)

    message = str(caught.value)
    assert "«xa-an-phu»" in message and "bản số 2" in message
    assert "14:35:00 ngày 21/04/2026" in message and "bản số 1" in message
    assert caught.value.number == 2 and caught.value.author == "xa-an-phu"
    assert store.history(unit_a, *KEY) == history_before
    assert store.latest(unit_a, *KEY).data == {"ket_qua": "A, rồi sửa"}
    assert store.audit(store.system_actor(), 1)[0].outcome == "stale"


def test_a_submit_based_on_an_older_revision_is_refused_and_the_newer_text_is_kept(store, unit_a):
    store.save_draft(unit_a, *KEY, {"ket_qua": "cũ"}, template_version=1, base_revision=0)
    newer = store.save_draft(unit_a, *KEY, {"ket_qua": "mới"}, template_version=1, base_revision=1)

    with pytest.raises(StaleRevision):
        store.submit(unit_a, *KEY, {"ket_qua": "cũ, nộp"}, template_version=1, attempt_id="a-1", base_revision=1)

    assert store.latest(unit_a, *KEY) == newer
    assert [r.kind for r in store.history(unit_a, *KEY)] == ["draft", "draft"]


def test_a_window_that_saw_no_revision_is_refused_once_another_window_saved(store, unit_a):
    store.save_draft(unit_a, *KEY, {"ket_qua": "cửa sổ A"}, template_version=1, base_revision=0)
    with pytest.raises(StaleRevision, match="bản số 1"):
        store.save_draft(unit_a, *KEY, {"ket_qua": "cửa sổ B"}, template_version=1, base_revision=0)
    assert store.latest(unit_a, *KEY).data == {"ket_qua": "cửa sổ A"}


def test_a_double_clicked_submit_returns_the_original_even_though_its_base_is_now_old(store, unit_a):
    result = store.submit(unit_a, *KEY, {"ket_qua": "x"}, template_version=1, attempt_id="click", base_revision=0)
    again = store.submit(unit_a, *KEY, {"ket_qua": "x"}, template_version=1, attempt_id="click", base_revision=0)
    assert again.duplicate and again.revision == result.revision
    assert len(store.history(unit_a, *KEY)) == 1


def test_writes_without_a_base_revision_are_not_checked(store, unit_a):
    """The command line and the import write on purpose; only windows carry a base."""
    store.save_draft(unit_a, *KEY, {"ket_qua": "1"}, template_version=1)
    store.save_draft(unit_a, *KEY, {"ket_qua": "2"}, template_version=1)
    assert store.latest(unit_a, *KEY).number == 2


def test_model_numbers_are_allocated_one_after_another_and_listed(store, unit_a):
    assert store.new_item(unit_a, *MODELS) == "1"
    assert store.new_item(unit_a, *MODELS) == "2"
    assert store.items(unit_a, *MODELS) == ["1", "2"]
    assert store.latest(unit_a, *MODELS, item="2") is None


def test_two_windows_registering_a_model_at_once_get_two_numbers(store, unit_a):
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def register() -> None:
        start.wait()
        try:
            numbers.append(store.new_item(unit_a, *MODELS))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers, key=int) == ["1", "2", "3", "4", "5", "6"]
    assert store.items(unit_a, *MODELS) == ["1", "2", "3", "4", "5", "6"]


def test_another_unit_cannot_allocate_a_model_number_for_a_unit(store, unit_a, unit_b):
    with pytest.raises(StoreError, match="đăng ký mô hình mới của đơn vị XA-AN-PHU"):
        store.new_item(unit_b, *MODELS)
    assert store.items(unit_a, *MODELS) == []
