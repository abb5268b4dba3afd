"""The written reports in a real browser: a unit downloads its Word report after submit, and the
analyst downloads the district's report from the desk; both read back with python-docx."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest

from .conftest import shot
from .test_browser import open_desk, submit_report

pytestmark = pytest.mark.slow
NARRATIVE = "Đề nghị hỗ trợ {{ kinh_phi }} và {% if %} in tài liệu song ngữ cho ấp 3."


def _download(page, link, target: Path) -> docx.document.Document:
    with page.expect_download() as info:
        link.click()
    info.value.save_as(target)
    return docx.Document(str(target))


def test_a_unit_downloads_its_word_report_after_submit_and_the_analyst_the_district_report(page, voila_server):
    submit_report(page, voila_server, "xa-dong-no", "2026-nam", so_ky_hieu="71/BC-UBND",
                  de_xuat_kien_nghi=NARRATIVE)
    page.locator(".dv-download-word").click()
    link = page.locator(".dv-word-link")
    link.wait_for()
    assert link.inner_text().strip().endswith("bao-cao_XA-DONG-NO_2026-nam.docx")
    doc = _download(page, link, Path(voila_server["data"]) / "unit-report.docx")
    texts = [p.text for p in doc.paragraphs]
    assert "Kết quả thực hiện công tác dân vận chính quyền năm 2026" in texts and NARRATIVE in texts
    assert "Số: 71/BC-UBND" in doc.tables[0].rows[0].cells[0].text
    shot(page, "word-unit-report-offered")

    open_desk(page, voila_server, "Báo cáo năm 2026")
    page.get_by_role("tab", name="Tổng hợp").click()
    page.locator(".dv-word-report").click()
    link = page.locator(".dv-word-link")
    link.wait_for(timeout=120_000)
    doc = _download(page, link, Path(voila_server["data"]) / "district-report.docx")
    texts = [p.text for p in doc.paragraphs]
    assert "I. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ" in texts
    assert f"- Xã Đồng Nơ: {NARRATIVE}" in texts
    shot(page, "word-district-report-offered")
