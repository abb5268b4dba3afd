"""Store fixtures: every store test runs on SQLite and, when DANVAN_TEST_PG_URL is set, on PostgreSQL.

Each test gets a clean database: a new SQLite file in tmp_path, or a PostgreSQL
database whose public schema was dropped and recreated.
"""
from __future__ import annotations

import pytest
from storekit import CALENDAR_PATH, FORMS, ORG_PATH, PG_SKIP_REASON, PG_URL, Clock, reset_postgres

from danvan_kit.catalog.calendar import load_calendar
from danvan_kit.catalog.organisation import Organisation, load_organisation
from danvan_kit.store import Account, Store

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql",
                 marks=[pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON)]),
]


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    if not PG_URL:
        terminalreporter.write_sep("-", "store backends")
        terminalreporter.write_line(PG_SKIP_REASON)


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """A URL to an empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'danvan.sqlite3'}"
    reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture(scope="session")
def organisation() -> Organisation:
    return load_organisation(ORG_PATH)


@pytest.fixture(scope="session")
def calendar():
    return load_calendar(CALENDAR_PATH)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db_url, clock, organisation, calendar):
    """A migrated store with the shipped organisation, calendar and the three forms."""
    s = Store.open(db_url, clock=clock)
    s.migrate()
    s.load_reference(organisation, calendar, FORMS)
    yield s
    s.close()


@pytest.fixture
def unit_a(store) -> Account:
    return store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", display_name="Xã An Phú")


@pytest.fixture
def unit_b(store) -> Account:
    return store.create_account("xa-minh-tam", role="unit", unit_code="XA-MINH-TAM")


@pytest.fixture
def analyst(store) -> Account:
    return store.create_account("phongnoivu", role="analyst", display_name="Phòng Nội vụ")
