"""Two windows of one unit on one form, driven through their widgets (no browser).

The issue: window A saves «Mục tiêu», window B (still showing the old text)
saves «Lộ trình», and the latest draft silently lost A's «Mục tiêu». Now B is
refused, says who saved and when, and after "Tải bản mới nhất" shows what B had
typed beside the reloaded form.
"""
from __future__ import annotations

from samples import MODEL_INPUT, fill

from danvan_kit.app.form_page import FormPage


def login(app, who, passcode):
    return app.login(who, passcode)

DVK = ("XA-AN-PHU", "dan-van-kheo", "2026-dvk")


def _two_windows_on_model_1(app):
    """(account, window A, window B): model 1 registered as a draft, then opened in two windows."""
    account, _ = login(app, "xa-an-phu", "an-phu-2026")
    first = FormPage(app, account, "dan-van-kheo", {"ky": "2026-dvk"})
    fill(first.view, MODEL_INPUT)
    first.save_draft()
    windows = [FormPage(app, account, "dan-van-kheo", {"ky": "2026-dvk", "mh": "1"}) for _ in range(2)]
    return account, *windows


def test_a_second_window_saving_over_a_newer_draft_is_refused_and_nothing_is_lost(app):
    account, window_a, window_b = _two_windows_on_model_1(app)

    window_a.view.controls["muc_tieu"].input.value = "Mục tiêu mới của cửa sổ A"
    window_a.save_draft()
    assert "Đã lưu nháp" in window_a.view.status.value
    history = app.store.history(account, *DVK, item="1")

    window_b.view.controls["lo_trinh"].input.value = "Lộ trình gõ ở cửa sổ B"
    window_b.save_draft()

    status = window_b.view.status.value
    assert "Chưa lưu" in status and "«xa-an-phu»" in status and "bản số 2" in status
    assert "Tải bản mới nhất" in window_b.stale.message.value
    assert app.store.history(account, *DVK, item="1") == history
    assert app.store.latest(account, *DVK, item="1").data["muc_tieu"] == "Mục tiêu mới của cửa sổ A"

    window_b.view.controls["lo_trinh"].input.value = "Lộ trình gõ ở cửa sổ B, thêm một câu"
    window_b.autosave.flush()  # a refused window does not keep writing on every pause
    assert app.store.history(account, *DVK, item="1") == history

    window_b.stale.reload_button.click()
    assert window_b.view.controls["muc_tieu"].raw == "Mục tiêu mới của cửa sổ A"
    typed = window_b.stale.typed.value
    assert "Lộ trình, tiến độ thực hiện" in typed and "Lộ trình gõ ở cửa sổ B, thêm một câu" in typed
    assert ">Mục tiêu<" not in typed  # B left it as it found it: its old text is not offered back

    window_b.view.controls["lo_trinh"].input.value = "Lộ trình gõ ở cửa sổ B, thêm một câu"
    window_b.save_draft()  # after the reload, B stands on the latest revision
    latest = app.store.latest(account, *DVK, item="1").data
    assert latest["muc_tieu"] == "Mục tiêu mới của cửa sổ A"
    assert latest["lo_trinh"] == "Lộ trình gõ ở cửa sổ B, thêm một câu"


def test_a_stale_submit_is_refused_and_the_other_windows_submission_stays(app):
    account, window_a, window_b = _two_windows_on_model_1(app)
    window_a.view.submit()
    assert "Đã nộp thành công" in window_a.view.status.value

    window_b.view.controls["ten_mo_hinh"].input.value = "Tên khác, gõ ở cửa sổ B"
    window_b.view.submit()

    assert "đã nộp báo cáo này" in window_b.view.status.value
    latest = app.store.latest(account, *DVK, item="1")
    assert latest.kind == "submitted" and latest.data["ten_mo_hinh"] == MODEL_INPUT["ten_mo_hinh"]


def test_two_windows_registering_a_new_model_get_two_numbers(app):
    account, _ = login(app, "xa-an-phu", "an-phu-2026")
    window_a = FormPage(app, account, "dan-van-kheo", {"ky": "2026-dvk"})
    window_b = FormPage(app, account, "dan-van-kheo", {"ky": "2026-dvk"})
    assert window_a.item_pick.value == window_b.item_pick.value == "__new__"

    fill(window_a.view, dict(MODEL_INPUT, ten_mo_hinh="Mô hình của cửa sổ A"))
    window_a.view.submit()
    fill(window_b.view, dict(MODEL_INPUT, ten_mo_hinh="Mô hình của cửa sổ B"))
    window_b.view.submit()

    assert (window_a.item_pick.value, window_b.item_pick.value) == ("1", "2")
    names = [app.store.latest(account, *DVK, item=i).data["ten_mo_hinh"] for i in ("1", "2")]
    assert names == ["Mô hình của cửa sổ A", "Mô hình của cửa sổ B"]


def test_choosing_a_new_model_allocates_no_number_until_something_is_saved(app):
    account, _ = login(app, "xa-an-phu", "an-phu-2026")
    page = FormPage(app, account, "dan-van-kheo", {"ky": "2026-dvk"})
    page.period_pick.value = "2025-dvk"
    page.period_pick.value = "2026-dvk"
    assert app.store.items(account, *DVK) == []
    page.view.controls["ten_mo_hinh"].input.value = "Mô hình mới"
    page.save_draft()
    assert app.store.items(account, *DVK) == ["1"] and page.item_pick.value == "1"
