"""The danvan CLI against a real store: init (twice, --demo), users, status."""
from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from danvan_kit.catalog.loading import load_catalog
from danvan_kit.cli import main
from danvan_kit.cli.commands import DEMO_ANALYST, DEMO_PASSCODE
from danvan_kit.store import Store


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input)
    return result


@pytest.fixture
def initialised(db_url) -> str:
    result = run("init", "--db-url", db_url)
    assert result.exit_code == 0, result.output
    return db_url


def test_init_creates_the_store_and_running_it_twice_is_safe(db_url):
    first = run("init", "--db-url", db_url)
    second = run("init", "--db-url", db_url)
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    forms = len(load_catalog().forms)
    assert "Đã nạp 27 đơn vị" in second.output and f"{forms} biểu mẫu" in second.output
    with Store.open(db_url) as store:
        assert len(store.status(store.system_actor(), "2026-6t")) == 25
        assert store.list_accounts() == []  # without --demo nobody has a known passcode


def test_init_uses_the_data_directory_for_the_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.delenv("DANVAN_DB_URL", raising=False)
    result = run("init", "--data-dir", str(tmp_path / "kho"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "kho" / "danvan.sqlite3").exists()


def test_init_demo_creates_the_documented_accounts_and_can_run_again(db_url):
    result = run("init", "--db-url", db_url, "--demo")
    assert result.exit_code == 0, result.output
    assert DEMO_PASSCODE in result.output and "xa-an-phu" in result.output
    assert run("init", "--db-url", db_url, "--demo").exit_code == 0
    with Store.open(db_url) as store:
        assert len(store.list_accounts()) == 26  # 25 reporting units + the analyst
        assert store.authenticate(DEMO_ANALYST, DEMO_PASSCODE).role == "analyst"
        unit = store.authenticate("xa-an-phu", DEMO_PASSCODE)
        assert unit.unit_code == "XA-AN-PHU" and unit.role == "unit"
        assert store.account_for_hub_user("xa-an-phu") == unit


def test_init_reports_a_broken_organisation_file(db_url, tmp_path):
    bad = tmp_path / "org.yaml"
    bad.write_text("id: x\nname: y\n", encoding="utf-8")
    result = run("init", "--db-url", db_url, "--org", str(bad))
    assert result.exit_code == 1 and "org.yaml" in result.output


def test_users_create_reset_and_list(initialised):
    url = initialised
    made = run("users", "create", "xa-an-phu", "--role", "unit", "--unit", "XA-AN-PHU", "--db-url", url,
               "--passcode-stdin", input="mat-khau-1\n")
    assert made.exit_code == 0, made.output
    prompted = run("users", "create", "chuyen-vien", "--role", "analyst", "--name", "Chuyên viên PNV",
                   "--db-url", url, input="mat-khau-2\nmat-khau-2\n")
    assert prompted.exit_code == 0, prompted.output
    with Store.open(url) as store:
        assert store.authenticate("xa-an-phu", "mat-khau-1") is not None
        assert store.authenticate("chuyen-vien", "mat-khau-2").role == "analyst"
    reset = run("users", "reset", "xa-an-phu", "--db-url", url, "--passcode-stdin", input="mat-khau-moi\n")
    assert reset.exit_code == 0, reset.output
    with Store.open(url) as store:
        assert store.authenticate("xa-an-phu", "mat-khau-1") is None
        assert store.authenticate("xa-an-phu", "mat-khau-moi") is not None
    listed = run("users", "list", "--db-url", url, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(listed.output)))
    assert [(r["login"], r["role"], r["unit_code"]) for r in rows] == [
        ("chuyen-vien", "analyst", ""), ("xa-an-phu", "unit", "XA-AN-PHU")]
    assert "mat-khau" not in listed.output and "scrypt" not in listed.output


@pytest.mark.parametrize("args, message", [
    (["users", "create", "x1", "--role", "unit", "--unit", "XA-KHONG-CO", "--passcode-stdin"], "Không có đơn vị"),
    (["users", "create", "x2", "--role", "unit", "--passcode-stdin"], "mã đơn vị"),
    (["users", "reset", "khong-ai", "--passcode-stdin"], "Không có tài khoản"),
    (["status", "--period", "2099-6t"], "Không có kỳ báo cáo"),
])
def test_mistakes_are_reported_as_errors_not_tracebacks(initialised, args, message):
    result = run(*args, "--db-url", initialised, input="mat-khau-9\n")
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_status_shows_who_submitted_as_a_table_and_as_csv(initialised):
    with Store.open(initialised) as store:
        unit = store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU")
        store.submit(unit, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", {"so_cuoc": 1}, template_version=1,
                     attempt_id="cli-1")
        store.save_draft(store.create_account("xa-minh-tam", role="unit", unit_code="XA-MINH-TAM"),
                         "XA-MINH-TAM", "bao-cao-dinh-ky", "2026-6t", {}, template_version=1)
    table = run("status", "--period", "2026-6t", "--db-url", initialised)
    assert table.exit_code == 0, table.output
    line = next(ln for ln in table.output.splitlines() if ln.startswith("XA-AN-PHU"))
    assert "Xã An Phú" in line and "Đã nộp" in line
    assert "Đang soạn" in next(ln for ln in table.output.splitlines() if ln.startswith("XA-MINH-TAM"))
    assert "Đã nộp 1/25" in table.output
    as_csv = run("status", "--period", "2026-6t", "--format", "csv", "--db-url", initialised)
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert len(rows) == 25
    by_code = {r["unit_code"]: r for r in rows}
    assert by_code["XA-AN-PHU"]["state"] == "submitted" and by_code["XA-AN-PHU"]["revision_count"] == "1"
    assert by_code["XA-AN-PHU"]["submitted_at"].endswith("+07:00")
    assert by_code["XA-MINH-TAM"]["state"] == "draft" and by_code["PNV"]["state"] == "not_started"
