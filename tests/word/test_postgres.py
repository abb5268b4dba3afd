"""The documents read the store only through its API: the same district report from PostgreSQL."""
from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "store"))

from docxread import figure_rows, open_doc  # noqa: E402
from samples import REPORT_INPUT  # noqa: E402
from storekit import PG_SKIP_REASON, PG_URL, reset_postgres  # noqa: E402

from danvan_kit.forms.engine import validate_submission  # noqa: E402
from danvan_kit.store import Store  # noqa: E402
from danvan_kit.word import period_document, unit_document  # noqa: E402

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON)]
VN = timezone(timedelta(hours=7))


def test_the_district_and_unit_reports_come_the_same_from_postgresql(catalog, tmp_path):
    reset_postgres(PG_URL)
    store = Store.open(PG_URL, validator=catalog.validator, clock=lambda: datetime(2026, 11, 5, 9, tzinfo=VN))
    try:
        store.migrate()
        store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
        actor = store.system_actor()
        form = catalog.form_for("2026-nam")
        for code, n in (("XA-AN-PHU", "12"), ("XA-TAN-QUAN", "30")):
            clean = validate_submission(form, {**REPORT_INPUT, "so_cuoc_tuyen_truyen": n, "ngay_bao_cao": "05/11/2026"},
                                        today=date(2026, 11, 5)).data
            store.submit(actor, code, form.id, "2026-nam", clean, template_version=form.version, attempt_id=code)
        district = tmp_path / "district.docx"
        district.write_bytes(period_document(catalog, store, "2026-nam", when=date(2026, 11, 20)).content)
        unit = tmp_path / "unit.docx"
        unit.write_bytes(unit_document(catalog, store, actor, "XA-TAN-QUAN", "2026-nam").content)
    finally:
        store.close()
    rows = {r[1]: r for r in figure_rows(open_doc(district)) if len(r) == 6}
    assert rows["Số cuộc tuyên truyền, vận động Nhân dân"][3] == "42"
    assert rows["Số đơn vị đã nộp"][3] == "2"
    unit_rows = {r[1]: r for r in figure_rows(open_doc(unit)) if len(r) == 4}
    assert unit_rows["Số cuộc tuyên truyền, vận động Nhân dân"][3] == "30"
