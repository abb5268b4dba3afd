"""Shared fixtures: the shipped catalog (sample answers live in samples.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from danvan_kit.catalog.loading import Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(ROOT / "templates")
