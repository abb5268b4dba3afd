"""XLSForm features real forms use (issue 14), each through the widgets (live), the store's check at
submit, and the Excel blank form -> import path; and written the XLSForm way in an imported workbook."""
from __future__ import annotations

from datetime import datetime, timezone

import openpyxl
import pytest
from bookkit import INPUT, blank, fill, keys

from danvan_kit.catalog.loading import Catalog
from danvan_kit.forms.engine import FormEngine
from danvan_kit.forms.loader import load_form
from danvan_kit.roundtrip import import_file
from danvan_kit.roundtrip.xlsform_export import xlsform_bytes
from danvan_kit.roundtrip.xlsform_import import read_xlsform
from danvan_kit.store import Store, ValidationFailed
from danvan_kit.widgets import FormView

FORM = """\
id: bao-cao-dinh-ky
version: 9
applies_from: 2026
title: Biểu thử các tính năng XLSForm
sections:
  - name: ho_gia_dinh
    title: Hộ gia đình
    fields:
      - {name: so_ho, type: integer, label: Số hộ được thăm, max: 10}
      - name: ho
        type: repeat
        label: Các hộ được thăm
        repeat_count: so_ho
        max_rows: 10
        fields:
          - {name: chu_ho, type: text, label: Chủ hộ, required: true}
          - {name: so_nguoi, type: integer, label: Số người}
"""
NOW = datetime(2026, 4, 28, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "tinh-nang.yaml"
    path.write_text(FORM, encoding="utf-8")
    return load_form(path)


@pytest.fixture
def filed(catalog, data_dir, form):
    """A catalog whose 2026 periodic report is the test form, and a store that checks with it."""
    test_catalog = Catalog(catalog.root, catalog.organisation, catalog.calendar, (*catalog.forms, form))
    store = Store.open(data_dir=data_dir, validator=test_catalog.validator, clock=lambda: NOW)
    store.load_reference(test_catalog.organisation, test_catalog.calendar, test_catalog.forms)
    yield test_catalog, store
    store.close()


def submit(store, data, attempt="a"):
    return store.submit(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", data, template_version=9,
                        attempt_id=attempt)


# repeat_count ----------------------------------------------------------------------------------
def test_a_table_gets_as_many_rows_as_the_count_typed_while_typing(form):
    view = FormView(form)
    table = view.controls["ho"]
    assert table.rows == [] and table.add_button.layout.display == "none"
    view.controls["so_ho"].raw = "3"
    assert len(table.rows) == 3
    table.rows[0]["chu_ho"].raw = "Nguyễn Văn An"
    view.controls["so_ho"].raw = "1"
    assert len(table.rows) == 1 and table.rows[0]["chu_ho"].raw == "Nguyễn Văn An"
    view.controls["so_ho"].raw = "2"
    table.rows[1]["chu_ho"].raw = "Trần Thị Bình"
    result = view.submit()
    assert result.ok, [str(e) for e in result.errors]
    assert [r["chu_ho"] for r in result.data["ho"]] == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_the_store_refuses_a_table_whose_rows_do_not_match_its_count(filed):
    _catalog, store = filed
    with pytest.raises(ValidationFailed) as refused:
        submit(store, {"so_ho": 3, "ho": [{"chu_ho": "An"}, {"chu_ho": "Bình"}]})
    assert refused.value.errors == ["«Các hộ được thăm»: cần đúng 3 dòng theo «Số hộ được thăm», đang có 2"]
    submit(store, {"so_ho": 2, "ho": [{"chu_ho": "An"}, {"chu_ho": "Bình"}]}, attempt="b")


def test_the_blank_form_says_the_row_count_and_the_import_checks_it(filed, books):
    test_catalog, store = filed
    form = test_catalog.form("bao-cao-dinh-ky", 9)
    path = blank(test_catalog, books, "XA-AN-PHU", "2026-6t")
    ws = openpyxl.load_workbook(path)[INPUT]
    assert "Số dòng phải bằng «Số hộ được thăm»" in " ".join(str(c.value) for c in ws[keys(ws)["ho"]] if c.value)
    fill(path, form, {"so_ho": 2}, {"ho": [{"chu_ho": "An", "so_nguoi": 4}]})
    result = import_file(test_catalog, store, path)
    assert not result.stored and any("cần đúng 2 dòng" in str(p) for p in result.problems)
    fill(path, form, {"so_ho": 2}, {"ho": [{"chu_ho": "An", "so_nguoi": 4}, {"chu_ho": "Bình"}]})
    assert import_file(test_catalog, store, path).stored


def test_repeat_count_is_read_from_an_xlsform_and_written_back(form):
    out = xlsform_bytes(form)
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(out))["survey"]
    head = [c.value for c in sheet[1]]
    assert [r[head.index("repeat_count")] for r in sheet.iter_rows(min_row=2, values_only=True)
            if r[0] == "begin_repeat"] == ["${so_ho}"]
    back = read_xlsform("tinh-nang.xlsx", out)
    assert back.ok and back.form.model_dump() == form.model_dump()
    assert FormEngine.of(back.form).compute({"so_ho": "4"}).row_count == {"ho": 4}
