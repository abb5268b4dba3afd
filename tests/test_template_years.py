"""Editing the templates for next year never changes last year's figures."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
from samples import REPORT_INPUT, SELF_ASSESSMENT_INPUT

from danvan_kit.catalog.loading import load_catalog
from danvan_kit.excel import build_consolidated
from danvan_kit.forms.engine import validate_submission
from danvan_kit.store import Store

ROOT = Path(__file__).resolve().parent.parent / "templates"
TODAY = date(2026, 11, 28)


def cells(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}


def test_next_years_template_leaves_last_years_workbook_identical(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(ROOT, root)
    catalog = load_catalog(root)
    store = Store.open(data_dir=tmp_path, validator=catalog.validator)
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    actor = store.system_actor()
    for unit, scores in [("XA-AN-PHU", {}), ("XA-TAN-QUAN", {"tc_2_2": "10", "tc_4_1": "8"})]:
        for form_id, period_id, raw in [("bao-cao-dinh-ky", "2026-nam", REPORT_INPUT),
                                        ("tu-cham-diem", "2026-tcd", {**SELF_ASSESSMENT_INPUT, **scores})]:
            clean = validate_submission(catalog.form_for(period_id), raw).data
            store.submit(actor, unit, form_id, period_id, clean, template_version=1, attempt_id=f"{unit}-{period_id}")
    before = tmp_path / "before.xlsx"
    build_consolidated(catalog, store, "2026-nam", before, today=TODAY)

    # Next year: a new criteria version with other weights and thresholds, and a new figure in the report.
    v1 = (root / "forms" / "tu-cham-diem-v1.yaml").read_text(encoding="utf-8")
    v2 = (v1.replace("version: 1", "version: 3").replace("applies_from: 2025", "applies_from: 2027")
          .replace("{label: Tốt, from: 80}", "{label: Tốt, from: 90}")
          .replace("{label: Khá, from: 65, below: 80}", "{label: Khá, from: 65, below: 90}"))
    (root / "forms" / "tu-cham-diem-v3.yaml").write_text(v2, encoding="utf-8")
    report = (root / "forms" / "bao-cao-dinh-ky.yaml").read_text(encoding="utf-8")
    report_v2 = report.replace("version: 1", "version: 2").replace("applies_from: 2023", "applies_from: 2027").replace(
        "      - {name: so_cuoc_doi_thoai,",
        "      - {name: so_hoi_nghi_doi_thoai, type: integer, unit: hội nghị, label: Số hội nghị đối thoại}\n"
        "      - {name: so_cuoc_doi_thoai,")
    assert report_v2 != report
    (root / "forms" / "bao-cao-dinh-ky-v2.yaml").write_text(report_v2, encoding="utf-8")
    catalog = load_catalog(root)
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    assert catalog.form_for("2027-tcd").version == 3 and catalog.form_for("2026-tcd").version == 1
    after = tmp_path / "after.xlsx"
    build_consolidated(catalog, store, "2026-nam", after, today=TODAY)

    old, new = cells(before), cells(after)
    assert list(old) == list(new)
    for sheet in old:
        assert old[sheet] == new[sheet], sheet
    scoreboard = [v for row in old["Bảng điểm xếp loại"] for v in row if v in ("Tốt", "Khá")]
    assert "Tốt" in scoreboard            # 87.5 and 95.5: "Tốt" under the 2026 thresholds, kept after the edit
    store.close()
