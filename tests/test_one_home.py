"""One home for each idea: scoring has one implementation, a submit builds one engine, validates
once in the widget and once in the store and encodes JSON at most twice; an export computes the
indicators once; a refusal by the store marks the fields in the form."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from samples import REPORT_INPUT, SELF_ASSESSMENT_INPUT

from danvan_kit.catalog import load_catalog
from danvan_kit.excel import build_consolidated
from danvan_kit.figures import indicators as indicators_module
from danvan_kit.forms import engine as engine_module
from danvan_kit.forms.engine import FieldError, FormEngine
from danvan_kit.publishing import export_period
from danvan_kit.store import Store
from danvan_kit.widgets import FormView

ROOT = Path(__file__).resolve().parent.parent / "templates"
TODAY = date(2026, 11, 28)


def _store(catalog, folder: Path) -> Store:
    store = Store.open(data_dir=folder, validator=catalog.validator)
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    return store


@pytest.fixture
def score_rule_templates(tmp_path):
    """The shipped templates, with an ineligibility rule that calls a form function."""
    root = tmp_path / "templates"
    shutil.copytree(ROOT, root)
    path = root / "forms" / "tu-cham-diem-v1.yaml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("ineligible_when: co_vi_pham_nghiem_trong == True",
                          "ineligible_when: co_vi_pham_nghiem_trong == True or score_total() < 50")
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    return root


def test_an_ineligibility_rule_using_form_functions_passes_the_check_and_exports_its_scoreboard(
        score_rule_templates, tmp_path):
    catalog = load_catalog(score_rule_templates)
    store = _store(catalog, tmp_path)
    actor = store.system_actor()
    low = {k: ("1" if k.startswith("tc_") and "__" not in k else v) for k, v in SELF_ASSESSMENT_INPUT.items()}
    for unit, raw in [("XA-AN-PHU", SELF_ASSESSMENT_INPUT), ("XA-TAN-QUAN", low)]:
        clean = catalog.engine("tu-cham-diem", 1).validate(raw).data   # 2026 periods use version 1
        store.submit(actor, unit, "tu-cham-diem", "2026-tcd", clean, template_version=1, attempt_id=unit)
    path = tmp_path / "tcd.xlsx"
    build_consolidated(catalog, store, "2026-tcd", path, today=TODAY)
    sheet = openpyxl.load_workbook(path)["Bảng điểm xếp loại"]
    rows = {r[1]: r for r in sheet.iter_rows(values_only=True) if r[1] in ("Xã An Phú", "Xã Tân Quan")}
    assert "Không đủ điều kiện xếp loại" in rows["Xã Tân Quan"]
    assert "Không đủ điều kiện xếp loại" not in rows["Xã An Phú"] and "Tốt" in rows["Xã An Phú"]
    # the live form classes the same way the scoreboard does
    view = FormView(catalog.form("tu-cham-diem", 1), low)
    assert view.engine.scorer.functions(view.engine.compute(view.inputs()).values)["classify"](10) == \
        "Không đủ điều kiện xếp loại"
    store.close()


class Counter:
    def __init__(self, monkeypatch, owner, name):
        self.calls = 0
        real = getattr(owner, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return real(*args, **kwargs)
        monkeypatch.setattr(owner, name, counted)


def test_one_submit_builds_one_engine_validates_twice_and_encodes_json_at_most_twice(tmp_path, monkeypatch):
    catalog = load_catalog(ROOT)             # a fresh catalog: no engine built yet
    store = _store(catalog, tmp_path)
    actor = store.system_actor()
    inits = Counter(monkeypatch, FormEngine, "__init__")
    validations = Counter(monkeypatch, FormEngine, "validate")
    encodes = Counter(monkeypatch, json.JSONEncoder, "encode")

    def on_submit(data, attempt_id):
        store.submit(actor, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", data, template_version=1,
                     attempt_id=attempt_id)
        return "Đã nộp."

    view = FormView(catalog.form("bao-cao-dinh-ky"), REPORT_INPUT, on_submit=on_submit)
    inits_after_build = inits.calls
    validations.calls = encodes.calls = 0
    assert view.submit().ok
    assert inits_after_build == 1 and inits.calls == 1        # the page and the store share one engine
    assert validations.calls == 2                              # once in the widget, once in the store
    assert encodes.calls <= 2
    assert store.latest(actor, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t").kind == "submitted"
    store.close()


def test_an_edit_after_a_submit_attempt_computes_the_form_once(tmp_path, monkeypatch):
    catalog = load_catalog(ROOT)
    view = FormView(catalog.form("bao-cao-dinh-ky"), {**REPORT_INPUT, "so_cuoc_tuyen_truyen": ""})
    assert not view.submit().ok                                # errors now follow every edit
    computes = Counter(monkeypatch, FormEngine, "compute")
    view.controls["so_cuoc_tuyen_truyen"].raw = "12"
    assert computes.calls == 1
    assert "so_cuoc_tuyen_truyen" not in {e.field for e in view.last_result.errors}


def test_a_refusal_by_the_store_marks_the_fields_it_refused(tmp_path):
    catalog = load_catalog(ROOT)
    store = _store(catalog, tmp_path)
    actor = store.system_actor()
    from danvan_kit.store import ValidationFailed
    from danvan_kit.widgets import UserFacingError

    def on_submit(data, attempt_id):
        tampered = {**data, "so_cuoc_tuyen_truyen": -5}        # what a forged widget message could send
        try:
            store.submit(actor, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", tampered, template_version=1,
                         attempt_id=attempt_id)
        except ValidationFailed as exc:
            assert all(isinstance(e, FieldError) for e in exc.fields)
            raise UserFacingError("Chưa nộp được: " + "; ".join(exc.errors), exc.fields) from None

    view = FormView(catalog.form("bao-cao-dinh-ky"), REPORT_INPUT, on_submit=on_submit)
    result = view.submit()
    refused = {e.field for e in result.errors}
    assert not result.ok and "so_cuoc_tuyen_truyen" in refused
    assert "không được là số âm" in view.controls["so_cuoc_tuyen_truyen"].error.value
    for name in refused & set(view.controls):
        assert "⚠" in view.controls[name].error.value, name
    assert "dv-error-summary" in view.summary.value and "Chưa nộp được" in view.status.value
    assert store.latest(actor, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t") is None
    store.close()


def test_one_export_of_a_period_computes_its_indicators_once(tmp_path, monkeypatch):
    catalog = load_catalog(ROOT)
    store = _store(catalog, tmp_path / "store")
    actor = store.system_actor()
    for unit in ("XA-AN-PHU", "XA-TAN-QUAN"):
        clean = catalog.engine("bao-cao-dinh-ky").validate(REPORT_INPUT).data
        store.submit(actor, unit, "bao-cao-dinh-ky", "2026-6t", clean, template_version=1, attempt_id=unit)
    computed = Counter(monkeypatch, indicators_module, "_compute")
    built = Counter(monkeypatch, engine_module.FormEngine, "__init__")
    report = export_period(catalog, store, "2026-6t", out_dir=tmp_path / "out", today=TODAY)
    assert report.newest.exists() and report.others[0].newest.exists()   # consolidated and province summary
    assert computed.calls == 2                  # once for the period, once for the same period last year
    assert built.calls <= 1                     # at most the one engine of the period's form version
    store.close()
