"""Excel fixtures: the filled store, the workbooks built from it once, LibreOffice (skipped when absent)."""
from __future__ import annotations

import pytest
from excelfill import (
    SOFFICE,
    SOFFICE_SKIP,
    TODAY,
    Books,
    Filled,
    LibreOffice,
    fill_store,
)


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    if not SOFFICE:
        terminalreporter.write_sep("-", "LibreOffice")
        terminalreporter.write_line(SOFFICE_SKIP)


@pytest.fixture(scope="session")
def filled(tmp_path_factory, catalog) -> Filled:
    data_dir = tmp_path_factory.mktemp("excel-store")
    f = fill_store(catalog, data_dir)
    yield f
    f.store.close()


@pytest.fixture(scope="session")
def books(filled, tmp_path_factory) -> Books:
    from danvan_kit.excel import (
        build_consolidated,
        build_province_summary,
        unit_copy_bytes,
    )

    folder = tmp_path_factory.mktemp("books")
    consolidated, data = {}, {}
    for period in ("2026-6t", "2026-nam", "2026-tcd", "2026-dvk"):
        consolidated[period] = folder / f"tong-hop-{period}.xlsx"
        data[period] = build_consolidated(filled.catalog, filled.store, period, consolidated[period], today=TODAY)
    actor = filled.store.system_actor()
    copies = {}
    for period in ("2026-6t", "2026-tcd", "2026-dvk"):
        revisions = filled.store.submissions(actor, period)
        rev = next((r for r in revisions if r.unit_code in filled.adjusted), revisions[0]) \
            if period == "2026-tcd" else revisions[0]
        review = filled.store.review_state(actor, rev.unit_code, rev.form_id, period, item=rev.item)
        copies[period] = folder / f"ban-cua-don-vi-{period}.xlsx"
        copies[period].write_bytes(unit_copy_bytes(filled.catalog, rev, unit=rev.unit_code, period=period,
                                                   review=review))
    province = folder / "bao-cao-tinh-2026.xlsx"
    build_province_summary(filled.catalog, filled.store, 2026, province, today=TODAY)
    return Books(folder, consolidated, copies, province, data)


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    if not SOFFICE:
        pytest.skip(SOFFICE_SKIP)
    return LibreOffice(tmp_path_factory.mktemp("lo"))
