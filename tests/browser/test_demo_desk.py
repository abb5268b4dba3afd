"""A fresh `danvan init --demo` (the browser suite's server) shows the whole cycle on the analyst's desk:
a board with reports in it, charts, and last year's figures beside this period's."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import shot
from .test_browser import open_page

pytestmark = pytest.mark.slow


def test_the_desk_of_a_demo_store_shows_a_filled_board_charts_and_last_year(page, voila_server):
    open_page(page, voila_server, "tong_hop.ipynb", "phongnoivu")
    totals = page.locator(".dv-totals")
    expect(totals).to_contain_text("Đã nộp")
    done, units = map(int, re.search(r"Đã nộp (\d+)/(\d+)", totals.inner_text()).groups())
    assert units == 25 and 0 < done <= units
    assert page.locator(".dv-board tr.dv-unit").count() == units

    page.get_by_role("tab", name="Tổng hợp").click()
    figures = page.locator(".dv-figures")
    expect(figures).to_be_visible()
    cells = page.locator(".dv-figures tr.dv-indicator td:nth-child(4)").all_inner_texts()
    last_year = [c for c in cells if c.strip() not in ("", "—")]
    assert len(last_year) > 10, cells[:20]
    expect(page.locator(".dv-summary .dv-chart").first).to_be_visible()
    shot(page, "demo-desk")
