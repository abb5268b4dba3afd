"""Round-trip fixtures: an initialised store per test (copied from one built per session), blank workbooks."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from danvan_kit.store import Store


@pytest.fixture(scope="session")
def initialised_db(tmp_path_factory, catalog) -> Path:
    """A migrated store with the shipped organisation, calendar and forms, closed and ready to copy."""
    folder = tmp_path_factory.mktemp("roundtrip-db")
    store = Store.open(data_dir=folder, validator=catalog.validator)
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    store.close()
    return folder


@pytest.fixture
def data_dir(tmp_path, initialised_db) -> Path:
    target = tmp_path / "data"
    shutil.copytree(initialised_db, target)
    return target


@pytest.fixture
def store(data_dir, catalog):
    s = Store.open(data_dir=data_dir, validator=catalog.validator)
    yield s
    s.close()


@pytest.fixture
def books(tmp_path) -> Path:
    folder = tmp_path / "books"
    folder.mkdir()
    return folder
