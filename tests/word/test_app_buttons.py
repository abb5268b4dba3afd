"""The download buttons on the form page and the desk, driven through their widgets on a real store."""
from __future__ import annotations

import base64
import io
import re

import docx
from samples import REPORT_INPUT
from test_desk import AFTER_DEADLINE, app, submit, who  # noqa: F401  (app is the desk tests' fixture)

from danvan_kit.app.desk import DeskView
from danvan_kit.app.form_page import FormPage


def _linked(html: str):
    href = re.search(r'href="data:[^;]+;base64,([^"]+)"', html)
    assert href, html
    return docx.Document(io.BytesIO(base64.b64decode(href.group(1))))


def test_the_form_page_offers_the_units_word_report_only_after_submit(app):  # noqa: F811
    account, _ = who(app, "xa-an-phu")
    page = FormPage(app, account, "bao-cao-dinh-ky", {"ky": "2026-nam"})
    assert page.word.layout.display == "none"
    page = submit(app, "xa-an-phu", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT)
    assert page.word.layout.display is None
    content = page.word.prepare()
    assert content and 'download="bao-cao_XA-AN-PHU_2026-nam.docx"' in page.word.link.value
    doc = _linked(page.word.link.value)
    assert "Kết quả thực hiện công tác dân vận chính quyền năm 2026" in [p.text for p in doc.paragraphs]
    assert "ỦY BAN NHÂN DÂN" in doc.tables[0].rows[0].cells[0].text


def test_the_analyst_downloads_any_units_report_and_is_told_when_there_is_none(app):  # noqa: F811
    submit(app, "xa-tan-quan", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT)
    analyst, _ = who(app, "phongnoivu")
    page = FormPage(app, analyst, "bao-cao-dinh-ky", {"ky": "2026-nam", "dv": "XA-TAN-QUAN"})
    assert page.word.prepare()
    assert "XÃ TÂN QUAN" in _linked(page.word.link.value).tables[0].rows[0].cells[0].text
    page = FormPage(app, analyst, "bao-cao-dinh-ky", {"ky": "2026-nam", "dv": "XA-DONG-NO"})
    assert page.word.prepare() is None and "Xã Đồng Nơ chưa nộp báo cáo năm 2026." in page.word.link.value


def test_the_desk_drafts_the_district_report_and_the_reminder(app):  # noqa: F811
    submit(app, "xa-an-phu", "bao-cao-dinh-ky", "2026-nam", REPORT_INPUT, when=AFTER_DEADLINE)
    analyst, _ = who(app, "phongnoivu")
    desk = DeskView(app, analyst)
    desk.period_pick.value = "2026-nam"
    desk.tabs.selected_index = 2
    button = desk.summary_box.children[0]
    assert button.button.description == "Soạn báo cáo tổng hợp (Word)"
    assert button.prepare()
    texts = [p.text for p in _linked(button.link.value).paragraphs]
    assert any(t.startswith("Có 1/25 đơn vị đã gửi báo cáo") for t in texts)
    assert desk.reminder.prepare()
    reminder = _linked(desk.reminder.link.value)
    rows = [[c.text for c in r.cells] for t in reminder.tables if t.rows[0].cells[0].text == "TT" for r in t.rows[1:]]
    assert len(rows) == 24 and "Xã An Phú" not in [r[1] for r in rows]
    desk.period_pick.value = "2026-tcd"
    desk.tabs.selected_index = 2
    assert desk.summary_box.children[0].button.description == "Soạn thông báo kết quả (Word)"
