"""Word fixtures: the filled store (wordfill.py) and the four documents rendered from it once."""
from __future__ import annotations

from pathlib import Path

import pytest
import wordfill  # noqa: F401  (first: it puts tests/excel on the path for excelfill)
from excelfill import SOFFICE, TODAY, LibreOffice, fill_store
from wordfill import HOSTILE_UNIT, Docs, add_last_year_and_hostile


@pytest.fixture(scope="session")
def docs(tmp_path_factory, catalog) -> Docs:
    from danvan_kit.figures.period import gather
    from danvan_kit.word import period_document, reminder_document, unit_document

    f = fill_store(catalog, tmp_path_factory.mktemp("word-store"))
    clean = add_last_year_and_hostile(f)
    folder = tmp_path_factory.mktemp("word-docs")
    actor = f.store.system_actor()

    def save(name: str, content: bytes) -> Path:
        (folder / name).write_bytes(content)
        return folder / name

    unit = save("unit.docx", unit_document(catalog, f.store, actor, HOSTILE_UNIT, "2026-nam").content)
    district = save("district.docx", period_document(catalog, f.store, "2026-nam", when=TODAY).content)
    district_6t = save("district-6t.docx", period_document(catalog, f.store, "2026-6t", when=TODAY).content)
    notice = save("notice.docx", period_document(catalog, f.store, "2026-tcd", when=TODAY).content)
    remind = save("reminder.docx", reminder_document(catalog, f.store, "2026-6t", when=TODAY).content)
    data = gather(catalog, f.store, "2026-nam", today=TODAY, with_previous=True)
    yield Docs(f, folder, unit, clean, district, district_6t, notice, remind, data)
    f.store.close()


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    if not SOFFICE:
        pytest.skip("LibreOffice (soffice) not found: the Word documents were not converted to PDF "
                    "(apt install libreoffice-writer-nogui)")
    return LibreOffice(tmp_path_factory.mktemp("lo-word"))
