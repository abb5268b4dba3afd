"""Native Excel charts on their own printable sheet."""
from __future__ import annotations

from xlsxwriter.workbook import Workbook

from .page import FONT, Heading, Styles, write_heading
from .safe import SheetNames

__all__ = ["write_charts_sheet", "ChartSpec"]


def write_charts_sheet(wb: Workbook, st: Styles, names: SheetNames, heading: Heading,
                       specs: list[ChartSpec]) -> str | None:
    """One sheet 'Biểu đồ' with every chart stacked; None when there is nothing to draw."""
    if not specs:
        return None
    name = names.add("Biểu đồ")
    ws = wb.add_worksheet(name)
    widths = [10.0] * 14
    ws.set_column(0, 13, 10)
    row = write_heading(ws, st, heading, widths)
    font = {"name": FONT}
    for spec in specs:
        chart = wb.add_chart({"type": spec.kind})
        r1, c1, r2, c2 = spec.categories
        v1, w1, v2, w2 = spec.values
        chart.add_series({
            "name": spec.title,
            "categories": [spec.sheet, r1, c1, r2, c2],
            "values": [spec.sheet, v1, w1, v2, w2],
            "data_labels": {"value": True, "font": font},
            "fill": {"color": "#4472C4"},
        })
        chart.set_title({"name": spec.title, "name_font": {**font, "size": 13, "bold": True}})
        chart.set_legend({"none": True})
        axis = {"num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
        if spec.kind == "bar":
            chart.set_y_axis({"reverse": True, "num_font": font})  # units top-down, in table order
            chart.set_x_axis({**axis, "name": spec.y_title, "name_font": font})
        else:
            chart.set_x_axis({"num_font": font})
            chart.set_y_axis({**axis, "name": spec.y_title, "name_font": font})
        n = r2 - r1 + 1
        height = max(300, 22 * n + 90) if spec.kind == "bar" else 320
        chart.set_size({"width": 900, "height": height})
        ws.insert_chart(row, 0, chart, {"x_offset": 10, "y_offset": 5})
        row += int(height / 20) + 2
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_footer(f'&C&"{FONT},Regular"&10Trang &P/&N')
    return name


class ChartSpec:
    """A native chart to draw on the charts sheet: categories and values as sheet ranges."""

    def __init__(self, title: str, sheet: str, categories: tuple[int, int, int, int],
                 values: tuple[int, int, int, int], kind: str = "column", y_title: str = ""):
        self.title, self.sheet, self.categories, self.values = title, sheet, categories, values
        self.kind, self.y_title = kind, y_title


