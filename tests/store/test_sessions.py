"""The door, store side: log-in under a shared throttle, sessions as token hashes, their end.

Runs on SQLite and on PostgreSQL (see conftest.py); time moves with the store's clock.
"""
from __future__ import annotations

import dataclasses
import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select
from storekit import REPORT, VN

from danvan_kit.settings import (
    CLIENT_LOCK_AFTER,
    LOCKOUT_MINUTES,
    LOGIN_LOCK_AFTER,
    LOGIN_MAX_WAIT_SECONDS,
    SESSION_HOURS,
    SESSION_IDLE_MINUTES,
)
from danvan_kit.store import AccessDenied, Store, StoreError, ValidationFailed
from danvan_kit.store import accounts as accounts_module
from danvan_kit.store.tables import login_attempts, sessions

FORM, PERIOD = REPORT
WRONG = "Sai tài khoản hoặc mật khẩu."
PASS = "dung-mat-khau"


@pytest.fixture
def person(store):
    return store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode=PASS,
                                display_name="Xã An Phú")


@pytest.fixture
def boss(store):
    return store.create_account("phongnoivu", role="analyst", passcode=PASS, display_name="Phòng Nội vụ")


def later(clock, **delta) -> None:
    clock.moment += timedelta(**delta)


def fail(store, login="xa-an-phu", client="10.0.0.7"):
    return store.log_in(login, "sai-mat-khau", client=client)


def session_rows(store):
    with store.engine.connect() as conn:
        return conn.execute(select(sessions).order_by(sessions.c.id)).all()


def test_logging_in_opens_a_session_whose_token_finds_the_account(store, person, clock):
    result = store.log_in(" XA-AN-PHU", PASS, client="10.0.0.7", user_agent="Firefox/128")
    assert result.ok and result.message == "" and result.locked_until is None and result.wait_seconds == 0
    assert result.account.login == "xa-an-phu" and result.account.session_id is not None
    found = store.session_account(result.token)
    assert found == result.account and found.unit_code == "XA-AN-PHU"
    [info] = store.list_sessions()
    assert (info.login, info.client, info.user_agent, info.created_at, info.ended_at) == \
        ("xa-an-phu", "10.0.0.7", "Firefox/128", clock.moment, None)
    # the account from the session works with the store like any other
    store.save_draft(found, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1)


def test_a_wrong_passcode_is_refused_in_vietnamese_and_audited_with_the_client_address(store, person):
    wrong = fail(store, client="203.0.113.9")
    unknown = store.log_in("khong-ai", "sai-mat-khau", client="203.0.113.9")
    right = store.log_in("xa-an-phu", PASS, client="10.0.0.8")
    assert (wrong.account, wrong.token, wrong.message) == (None, None, WRONG)
    assert unknown.message == WRONG and unknown.locked_until is None
    logins = [e for e in store.audit(store.system_actor(), 10) if e.action == "login"][::-1]
    assert [(e.actor, e.outcome, e.client) for e in logins] == [
        ("xa-an-phu", "failed", "203.0.113.9"), ("khong-ai", "failed", "203.0.113.9"),
        ("xa-an-phu", "ok", "10.0.0.8")]
    assert "sai mật khẩu" in logins[0].detail and "không có tài khoản" in logins[1].detail
    assert f"#{right.account.session_id}" in logins[2].detail


def test_the_wait_before_answering_grows_after_two_failures_and_stops_growing(store, person, clock):
    waits = []
    for i in range(9):  # a different login each time: only the client address counts up
        waits.append(fail(store, login=f"doan-{i}").wait_seconds)
        later(clock, seconds=5)
    assert waits == [0, 0, 1, 2, 4, 8, 8, 8, 8] and LOGIN_MAX_WAIT_SECONDS == 8
    # the wait is the same whatever the outcome, so its timing does not give the answer away
    assert store.log_in("xa-an-phu", PASS, client="10.0.0.7").wait_seconds == 8


def test_five_failures_for_one_login_lock_it_for_fifteen_minutes_even_against_the_right_passcode(
        store, person, clock):
    clock.set_local(2026, 4, 20, 10, 0)
    answers = []
    for i in range(LOGIN_LOCK_AFTER):
        answers.append(fail(store, client=f"10.0.0.{i}"))  # from five places: the login is what locks
        later(clock, seconds=10)
    assert [a.wait_seconds for a in answers] == [0, 0, 1, 2, 4]
    assert [a.locked_until for a in answers[:-1]] == [None] * 4
    fifth = answers[-1]
    assert fifth.locked_until == (clock.moment - timedelta(seconds=10) + timedelta(minutes=LOCKOUT_MINUTES))
    assert fifth.message == ("Đăng nhập tạm bị khóa do nhập sai nhiều lần. "
                             "Vui lòng thử lại sau 10:16 (giờ Việt Nam).")  # 10:15:40 rounded up
    later(clock, minutes=5)
    refused = store.log_in("xa-an-phu", PASS, client="10.9.9.9")
    assert not refused.ok and refused.locked_until == fifth.locked_until and "10:16" in refused.message
    assert store.audit(store.system_actor(), 1)[0].outcome == "locked"
    assert store.log_in("phongnoi", "x", client="10.9.9.9").message == WRONG  # other logins are not locked
    clock.moment = datetime(2026, 4, 20, 10, 15, 40, tzinfo=VN)
    assert store.log_in("xa-an-phu", PASS, client="10.9.9.9").ok
    outcomes = [e.outcome for e in store.audit(store.system_actor(), 100) if e.actor == "xa-an-phu"]
    assert outcomes[::-1] == ["failed"] * 5 + ["locked", "ok"]


def test_twenty_failures_from_one_address_lock_that_address_for_every_login(store, person, clock):
    for i in range(CLIENT_LOCK_AFTER):
        last = fail(store, login=f"thu-{i}", client="198.51.100.4")
        later(clock, seconds=20)
    assert last.locked_until is not None and "tạm bị khóa" in last.message
    refused = store.log_in("xa-an-phu", PASS, client="198.51.100.4")
    assert not refused.ok and refused.locked_until == last.locked_until
    assert store.log_in("xa-an-phu", PASS, client="198.51.100.5").ok  # the same person from elsewhere
    later(clock, minutes=LOCKOUT_MINUTES)
    assert store.log_in("xa-an-phu", PASS, client="198.51.100.4").ok


def test_a_success_forgives_the_logins_earlier_failures_but_not_the_addresss(store, person):
    for _ in range(LOGIN_LOCK_AFTER - 1):
        fail(store)
    assert store.log_in("xa-an-phu", PASS, client="10.0.0.7").ok
    after = fail(store, client="10.0.0.8")
    assert after.wait_seconds == 0 and after.locked_until is None
    assert fail(store, login="ai-do", client="10.0.0.7").wait_seconds == 4  # 5th failure from 10.0.0.7


def test_failures_older_than_the_window_no_longer_count(store, person, clock):
    for _ in range(LOGIN_LOCK_AFTER - 1):
        fail(store)
    later(clock, minutes=15, seconds=1)
    fresh = fail(store)
    assert fresh.wait_seconds == 0 and fresh.locked_until is None


def test_every_store_object_shares_the_throttle_as_every_kernel_does(store, person, db_url):
    with Store.open(db_url, clock=store._clock) as other_process:
        for i in range(LOGIN_LOCK_AFTER):
            (store if i % 2 else other_process).log_in("xa-an-phu", "sai", client="10.0.0.7")
        assert store.log_in("xa-an-phu", PASS, client="10.0.0.7").locked_until is not None
        assert other_process.log_in("xa-an-phu", PASS, client="10.0.0.7").locked_until is not None


def test_an_unknown_login_costs_the_same_scrypt_as_a_known_one(store, person, monkeypatch):
    accounts_module._dummy()  # made once per process, before any attempt is timed
    calls = []
    real = accounts_module._scrypt
    monkeypatch.setattr(accounts_module, "_scrypt", lambda *a: calls.append(1) or real(*a))
    for login in ("xa-an-phu", "khong-ai", "x" * 500, ""):
        calls.clear()
        assert store.log_in(login, "sai-mat-khau", client=f"c-{len(login)}").message == WRONG
        assert len(calls) == 1, login


def test_a_session_ends_a_working_day_after_log_in_even_when_in_use(store, person, clock):
    token = store.log_in("xa-an-phu", PASS, client="10.0.0.7").token
    started = clock.moment
    for _ in range(SESSION_HOURS * 2 - 1):
        later(clock, minutes=30)
        assert store.session_account(token) is not None
    later(clock, minutes=30)
    assert store.session_account(token) is None
    [row] = session_rows(store)
    assert (row.end_reason, row.ended_at) == ("expired", started + timedelta(hours=SESSION_HOURS))


def test_a_session_unused_for_the_idle_limit_has_ended(store, person, clock):
    token = store.log_in("xa-an-phu", PASS, client="10.0.0.7").token
    later(clock, minutes=SESSION_IDLE_MINUTES - 1)
    assert store.session_account(token) is not None
    seen = clock.moment
    later(clock, minutes=SESSION_IDLE_MINUTES)
    assert store.session_account(token) is None
    [row] = session_rows(store)
    assert (row.end_reason, row.ended_at) == ("expired", seen + timedelta(minutes=SESSION_IDLE_MINUTES))
    assert store.list_sessions() == []


def test_the_idle_limit_is_read_from_DANVAN_SESSION_IDLE_MINUTES(store, person, clock, monkeypatch):
    monkeypatch.setenv("DANVAN_SESSION_IDLE_MINUTES", "5")
    token = store.log_in("xa-an-phu", PASS, client="10.0.0.7").token
    later(clock, minutes=5)
    assert store.session_account(token) is None
    monkeypatch.setenv("DANVAN_SESSION_IDLE_MINUTES", "năm")
    with pytest.raises(ValueError, match="DANVAN_SESSION_IDLE_MINUTES"):
        store.session_account(token)


def test_last_seen_is_written_at_most_once_a_minute(store, person, clock):
    token = store.log_in("xa-an-phu", PASS, client="10.0.0.7").token
    opened = clock.moment
    later(clock, seconds=59)
    assert store.session_account(token) is not None
    assert session_rows(store)[0].last_seen == opened
    later(clock, seconds=1)
    assert store.session_account(token, touch=False) is not None
    assert session_rows(store)[0].last_seen == opened
    assert store.session_account(token) is not None
    assert session_rows(store)[0].last_seen == clock.moment


@pytest.mark.parametrize("garbage", [None, "", " ", "x" * 10_000, "phiên-đăng-nhập", "\udcff\x00", 42, b"abc"],
                         ids=["none", "empty", "space", "10kB", "vietnamese", "surrogate", "int", "bytes"])
def test_garbage_tokens_find_nobody_and_raise_nothing(store, person, garbage):
    store.log_in("xa-an-phu", PASS, client="10.0.0.7")
    assert store.session_account(garbage) is None
    assert store.end_session(garbage) is False


def test_logging_out_ends_only_that_session_and_the_open_page_stops_working(store, person):
    office = store.log_in("xa-an-phu", PASS, client="10.0.0.7")
    home = store.log_in("xa-an-phu", PASS, client="10.0.0.8")
    assert store.end_session(office.token, client="10.0.0.7") is True
    assert store.end_session(office.token) is False
    assert store.session_account(office.token) is None
    with pytest.raises(AccessDenied):
        store.latest(office.account, "XA-AN-PHU", FORM, PERIOD)
    assert store.session_account(home.token) == home.account
    store.latest(home.account, "XA-AN-PHU", FORM, PERIOD)
    logout = next(e for e in store.audit(store.system_actor(), 20) if e.action == "logout")
    assert (logout.actor, logout.client) == ("xa-an-phu", "10.0.0.7")


def test_a_passcode_reset_ends_the_sessions_and_the_old_account_object_is_refused(store, person, boss):
    result = store.log_in("xa-an-phu", PASS, client="10.0.0.7")
    store.latest(result.account, "XA-AN-PHU", FORM, PERIOD)
    assert store.set_passcode("xa-an-phu", "mat-khau-moi") == 1
    assert store.session_account(result.token) is None
    with pytest.raises(AccessDenied):
        store.latest(result.account, "XA-AN-PHU", FORM, PERIOD)
    with pytest.raises(AccessDenied):
        store.save_draft(result.account, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1)
    [info] = store.list_sessions(active_only=False)
    assert info.end_reason == "passcode_reset"
    assert "kết thúc 1 phiên" in next(e.detail for e in store.audit(boss, 20) if e.action == "set_passcode")
    again = store.log_in("xa-an-phu", "mat-khau-moi", client="10.0.0.7")
    store.latest(again.account, "XA-AN-PHU", FORM, PERIOD)


def test_disabling_ends_the_sessions_and_enabling_does_not_revive_them(store, person, boss):
    result = store.log_in("xa-an-phu", PASS, client="10.0.0.7")
    assert store.set_active("xa-an-phu", False) == 1
    assert store.session_account(result.token) is None
    refused = store.log_in("xa-an-phu", PASS, client="10.0.0.7")
    assert not refused.ok and refused.message == WRONG
    assert "ngừng hoạt động" in store.audit(boss, 1)[0].detail
    assert store.set_active("xa-an-phu", True) == 0
    assert store.session_account(result.token) is None
    with pytest.raises(AccessDenied):
        store.latest(result.account, "XA-AN-PHU", FORM, PERIOD)
    assert [i.end_reason for i in store.list_sessions(active_only=False)] == ["disabled"]
    assert store.log_in("xa-an-phu", PASS, client="10.0.0.7").ok
    assert [e.action for e in store.audit(boss, 20)].count("set_active") == 2
    with pytest.raises(StoreError, match="Không có tài khoản"):
        store.set_active("khong-ai", False)


def test_end_sessions_ends_one_accounts_or_every_session(store, person, boss):
    tokens = [store.log_in(login, PASS, client="10.0.0.7").token
              for login in ("xa-an-phu", "xa-an-phu", "phongnoivu")]
    assert store.end_sessions("xa-an-phu", reason="ended_by_admin") == 2
    assert [store.session_account(t) is not None for t in tokens] == [False, False, True]
    assert store.end_sessions(None, reason="ended_by_admin") == 1
    assert store.end_sessions(reason="ended_by_admin") == 0
    assert all(store.session_account(t) is None for t in tokens)
    assert {i.end_reason for i in store.list_sessions(active_only=False)} == {"ended_by_admin"}
    with pytest.raises(StoreError, match="Không có tài khoản 'khong-ai'"):
        store.end_sessions("khong-ai", reason="ended_by_admin")
    with pytest.raises(ValidationFailed, match="Lý do"):
        store.end_sessions(None, reason="vì thích")


def test_a_session_past_its_working_day_no_longer_acts_but_an_idle_open_page_still_does(store, person, clock):
    result = store.log_in("xa-an-phu", PASS, client="10.0.0.7")
    later(clock, minutes=SESSION_IDLE_MINUTES + 5)  # idle: no new page, but the open page may still save
    store.save_draft(result.account, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1)
    later(clock, hours=SESSION_HOURS)
    with pytest.raises(AccessDenied):
        store.save_draft(result.account, "XA-AN-PHU", FORM, PERIOD, {"v": 2}, template_version=1)


def test_an_account_object_carrying_someone_elses_session_is_refused(store, person, boss):
    theirs = store.log_in("phongnoivu", PASS, client="10.0.0.7").account
    mine = store.log_in("xa-an-phu", PASS, client="10.0.0.8").account
    forged = dataclasses.replace(mine, session_id=theirs.session_id)
    with pytest.raises(AccessDenied):
        store.latest(forged, "XA-AN-PHU", FORM, PERIOD)
    with pytest.raises(AccessDenied):
        store.latest(dataclasses.replace(mine, session_id=10_000), "XA-AN-PHU", FORM, PERIOD)


def test_listing_sessions_never_exposes_a_token_or_its_hash(store, person, boss, clock):
    opened = clock.moment
    made = [store.log_in(login, PASS, client="10.0.0.7") for login in ("xa-an-phu", "phongnoivu")]
    store.end_session(made[0].token)
    later(clock, minutes=SESSION_IDLE_MINUTES + 1)
    listed = store.list_sessions(active_only=False)
    assert [(i.login, i.end_reason) for i in listed] == [("phongnoivu", "expired"), ("xa-an-phu", "logout")]
    assert listed[0].ended_at == opened + timedelta(minutes=SESSION_IDLE_MINUTES)  # shown, not yet written
    assert store.list_sessions() == []
    text = repr(listed) + repr(made)
    for result in made:
        assert result.token not in text
        assert hashlib.sha256(result.token.encode()).hexdigest() not in text
    assert not {f.name for f in dataclasses.fields(listed[0])} & {"token", "token_hash", "id"}


def test_only_the_tokens_hash_is_stored(store, person, db_url):
    token = store.log_in("xa-an-phu", PASS, client="10.0.0.7").token
    store.session_account(token)
    store.end_session(token)
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert [r.token_hash for r in session_rows(store)] == [digest]
    everything = MetaData()
    everything.reflect(store.engine)
    with store.engine.connect() as conn:
        dumped = " ".join(repr(row) for table in everything.sorted_tables for row in conn.execute(table.select()))
    assert digest in dumped and token not in dumped
    if db_url.startswith("sqlite"):
        store.close()
        path = Path(db_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert digest.encode() in raw and token.encode() not in raw


def test_attempts_are_written_for_the_throttle_with_login_and_client(store, person):
    fail(store, login=" XA-AN-PHU ", client="10.0.0.7")
    store.log_in("xa-an-phu", PASS, client="10.0.0.8")
    with store.engine.connect() as conn:
        rows = conn.execute(select(login_attempts).order_by(login_attempts.c.id)).all()
    assert [(r.login, r.client, r.ok) for r in rows] == [("xa-an-phu", "10.0.0.7", False),
                                                         ("xa-an-phu", "10.0.0.8", True)]
    assert all(r.at.tzinfo == timezone.utc for r in rows)


def test_the_lockout_time_is_told_in_vietnam_time(store, person, clock):
    clock.moment = clock.moment.replace(hour=23, minute=50, tzinfo=VN)
    for _ in range(LOGIN_LOCK_AFTER):
        last = fail(store)
    assert "sau 00:05 (giờ Việt Nam)" in last.message


def test_a_burst_of_parallel_guesses_gets_five_tries_not_more(store, person):
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: store.log_in("xa-an-phu", f"doan-{i}", client=f"10.1.0.{i}"), range(24)))
    assert not any(a.ok for a in answers) and answers[-1].locked_until is not None
    outcomes = [e.outcome for e in store.audit(store.system_actor(), 100) if e.action == "login"]
    assert (outcomes.count("failed"), outcomes.count("locked")) == (LOGIN_LOCK_AFTER, 24 - LOGIN_LOCK_AFTER)


# ---- page tickets: how a page's kernel learns which session asked for it ------------------------

def test_a_page_ticket_names_its_session_once(store, person):
    result = store.log_in("xa-an-phu", PASS, client="10.0.0.7")
    ticket = store.issue_page_ticket(store.session_account(result.token))
    first = store.redeem_page_ticket(ticket)
    assert (first.login, first.session_id) == ("xa-an-phu", store.session_account(result.token).session_id)
    assert store.redeem_page_ticket(ticket) is None                     # a copy of it is worth nothing


def test_a_page_ticket_is_only_stored_as_a_hash_and_expires_in_two_minutes(store, person, clock):
    from danvan_kit.store.tables import page_tickets

    token = store.log_in("xa-an-phu", PASS, client="10.0.0.7").token
    ticket = store.issue_page_ticket(store.session_account(token))
    with store.engine.connect() as conn:
        stored = conn.execute(select(page_tickets.c.ticket_hash)).scalars().all()
    assert stored == [hashlib.sha256(ticket.encode()).hexdigest()]
    later(clock, seconds=121)
    assert store.redeem_page_ticket(ticket) is None


def test_no_ticket_for_an_ended_session_and_none_redeemed_after_the_session_ends(store, person):
    token = store.log_in("xa-an-phu", PASS, client="10.0.0.7").token
    ticket = store.issue_page_ticket(store.session_account(token))
    store.end_session(token)
    assert store.issue_page_ticket(store.session_account(token)) is None
    assert store.redeem_page_ticket(ticket) is None


@pytest.mark.parametrize("garbage", [None, "", "x" * 10_000, "vé-giả", "AAAA"])
def test_garbage_tickets_name_nobody(store, person, garbage):
    assert store.redeem_page_ticket(garbage) is None
