"""Native Excel charts on their own printable sheet."""
from __future__ import annotations

from xlsxwriter.workbook import Workbook

from .page import FONT, Heading, Styles, write_heading
from .print_rule import PrintPlan, apply_print
from .safe import SheetNames

__all__ = ["write_charts_sheet", "ChartSpec", "MAX_BARS"]

_MAX_HEIGHT = 900   # pixels: a chart fits one portrait page
MAX_BARS = (_MAX_HEIGHT - 90) // 22   # units a bar chart shows legibly


def write_charts_sheet(wb: Workbook, st: Styles, names: SheetNames, heading: Heading,
                       specs: list[ChartSpec]) -> str | None:
    """One sheet 'Biểu đồ' with every chart stacked; None when there is nothing to draw."""
    if not specs:
        return None
    name = names.add("Biểu đồ")
    ws = wb.add_worksheet(name)
    widths = [11.0] * 7
    ws.set_column(0, 6, 11)
    row = write_heading(ws, st, heading, widths)
    font = {"name": FONT, "size": 11}
    keep = []
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
        # the unit goes in the title: an axis title would print turned on its side
        title = f"{spec.title} ({spec.y_title.lower()})" if spec.y_title and spec.y_title not in spec.title \
            else spec.title
        chart.set_title({"name": title, "name_font": {**font, "size": 13, "bold": True}})
        chart.set_legend({"none": True})
        axis = {"num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
        if spec.kind == "bar":
            chart.set_y_axis({"reverse": True, "num_font": font})  # units top-down, in table order
            chart.set_x_axis(axis)
        else:
            chart.set_x_axis({"num_font": font})
            chart.set_y_axis(axis)
        n = r2 - r1 + 1
        height = min(_MAX_HEIGHT, max(300, 22 * n + 90)) if spec.kind == "bar" else 320
        chart.set_size({"width": 650, "height": height})
        ws.insert_chart(row, 0, chart, {"x_offset": 10, "y_offset": 5})
        rows = -(-height // 20) + 1     # default rows are 20 pixels high
        keep.append((row, row + rows - 1))   # a chart prints whole on one page
        row += rows + 1
    apply_print(ws, PrintPlan(False, 100, ((0, 6),), 0), header=None, last_row=row, ncols=7, keep=keep)
    return name


class ChartSpec:
    """A native chart to draw on the charts sheet: categories and values as sheet ranges."""

    def __init__(self, title: str, sheet: str, categories: tuple[int, int, int, int],
                 values: tuple[int, int, int, int], kind: str = "column", y_title: str = ""):
        self.title, self.sheet, self.categories, self.values = title, sheet, categories, values
        self.kind, self.y_title = kind, y_title


