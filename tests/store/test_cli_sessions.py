"""The danvan CLI for the door: users disable/enable, sessions list/end, against a real store."""
from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from danvan_kit.cli import main
from danvan_kit.store import Store

PASS = "dung-mat-khau"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture
def url(db_url) -> str:
    """An initialised store with two accounts that can log in."""
    result = run("init", "--db-url", db_url)
    assert result.exit_code == 0, result.output
    with Store.open(db_url) as store:
        store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode=PASS)
        store.create_account("phongnoivu", role="analyst", passcode=PASS)
    return db_url


def log_in(url: str, login: str, client: str = "10.0.0.7", agent: str = "Firefox/128") -> str:
    with Store.open(url) as store:
        result = store.log_in(login, PASS, client=client, user_agent=agent)
        assert result.ok, result.message
        return result.token


def alive(url: str, token: str) -> bool:
    with Store.open(url) as store:
        return store.session_account(token) is not None


def test_users_disable_ends_the_sessions_and_enable_lets_the_account_log_in_again(url):
    token = log_in(url, "xa-an-phu")
    disabled = run("users", "disable", "xa-an-phu", "--db-url", url)
    assert disabled.exit_code == 0, disabled.output
    assert "Đã ngừng tài khoản xa-an-phu" in disabled.output and "kết thúc 1 phiên" in disabled.output
    assert not alive(url, token)
    with Store.open(url) as store:
        assert not store.log_in("xa-an-phu", PASS, client="10.0.0.7").ok
    listed = run("users", "list", "--db-url", url, "--format", "csv")
    assert {r["login"]: r["active"] for r in csv.DictReader(io.StringIO(listed.output))}["xa-an-phu"] == "no"
    enabled = run("users", "enable", "xa-an-phu", "--db-url", url)
    assert enabled.exit_code == 0 and "Đã mở lại tài khoản xa-an-phu" in enabled.output
    assert not alive(url, token)
    assert alive(url, log_in(url, "xa-an-phu"))


def test_users_reset_says_how_many_sessions_it_ended(url):
    token = log_in(url, "xa-an-phu")
    reset = run("users", "reset", "xa-an-phu", "--db-url", url, "--passcode-stdin", input="mat-khau-moi\n")
    assert reset.exit_code == 0 and "đã kết thúc 1 phiên đăng nhập" in reset.output
    assert not alive(url, token)


def test_sessions_list_shows_open_sessions_as_a_table_and_as_csv_never_a_token(url):
    tokens = [log_in(url, "xa-an-phu", client="10.0.0.7"), log_in(url, "phongnoivu", client="10.0.0.9",
                                                                  agent="Mozilla/5.0 " + "x" * 100)]
    run("sessions", "end", "phongnoivu", "--db-url", url)
    table = run("sessions", "list", "--db-url", url)
    assert table.exit_code == 0, table.output
    assert "Tài khoản" in table.output and "Đăng nhập lúc" in table.output
    [line] = [ln for ln in table.output.splitlines() if ln.startswith(("xa-an-phu", "phongnoivu"))]
    assert line.startswith("xa-an-phu") and "10.0.0.7" in line and "Firefox/128" in line
    everything = run("sessions", "list", "--all", "--db-url", url)
    assert "quản trị kết thúc" in everything.output and "2 phiên, 1 đang mở" in everything.output
    assert "…" in everything.output  # a long browser name is cut in the table
    as_csv = run("sessions", "list", "--all", "--format", "csv", "--db-url", url)
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(r["login"], r["client"], r["end_reason"]) for r in rows] == [
        ("phongnoivu", "10.0.0.9", "ended_by_admin"), ("xa-an-phu", "10.0.0.7", "")]
    assert rows[1]["created_at"].endswith("+07:00") and rows[0]["user_agent"].endswith("x" * 100)
    for output in (table.output, everything.output, as_csv.output):
        assert not any(t in output for t in tokens)


def test_sessions_list_says_when_nobody_is_logged_in(url):
    result = run("sessions", "list", "--db-url", url)
    assert result.exit_code == 0 and "Không có phiên đăng nhập nào đang mở." in result.output


def test_sessions_end_ends_one_accounts_sessions_or_everyones(url):
    mine = [log_in(url, "xa-an-phu"), log_in(url, "xa-an-phu", client="10.0.0.8")]
    theirs = log_in(url, "phongnoivu")
    one = run("sessions", "end", "xa-an-phu", "--db-url", url)
    assert one.exit_code == 0 and "Đã kết thúc 2 phiên đăng nhập của xa-an-phu." in one.output
    assert [alive(url, t) for t in [*mine, theirs]] == [False, False, True]
    every = run("sessions", "end", "--all", "--db-url", url)
    assert every.exit_code == 0 and "Đã kết thúc 1 phiên đăng nhập của mọi tài khoản." in every.output
    assert not alive(url, theirs)


@pytest.mark.parametrize("args, message", [
    (["sessions", "end"], "Chưa chọn tài khoản"),
    (["sessions", "end", "xa-an-phu", "--all"], "không dùng cả hai"),
    (["sessions", "end", "khong-ai"], "Không có tài khoản 'khong-ai'"),
    (["users", "disable", "khong-ai"], "Không có tài khoản 'khong-ai'"),
    (["users", "enable", "khong-ai"], "Không có tài khoản 'khong-ai'"),
])
def test_door_mistakes_are_one_vietnamese_line_and_exit_status_1(url, args, message):
    result = run(*args, "--db-url", url)
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
