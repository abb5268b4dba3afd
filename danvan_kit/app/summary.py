"""The consolidated view: key figures with last year beside them, charts, and the province workbook."""
from __future__ import annotations

import logging

import ipywidgets as w

from ..forms.numbers import format_number
from ..markup import download_link, esc
from .bar_chart import bar_chart

__all__ = ["SummaryView"]

log = logging.getLogger(__name__)


def _download(path, label: str) -> str:
    return download_link(path.name, path.read_bytes(), label=label)


class SummaryView(w.VBox):
    """Figures of one period from the store, the same ones the workbooks carry."""

    def __init__(self, app, account, period):
        self.app, self.account, self.period = app, account, period
        self.figures = w.HTML()
        self.charts = w.HTML()
        self.progress = w.IntProgress(min=0, max=3, value=0, description="Tiến độ", layout=w.Layout(display="none"))
        self.export_button = w.Button(description="Tạo bảng tổng hợp gửi tỉnh (Excel)", button_style="primary",
                                      layout=w.Layout(width="auto"))
        self.export_button.add_class("dv-export")
        self.export_button.on_click(lambda _b: self.export())
        self.links = w.HTML()
        super().__init__([self.export_button, self.progress, self.links, self.figures, self.charts])
        self.add_class("dv-summary")
        self.refresh()

    def refresh(self) -> None:
        from ..figures.compare import year_on_year
        from ..figures.period import gather

        catalog, store = self.app.catalog, self.app.store
        data = gather(catalog, store, self.period.id, with_previous=True)
        compared = year_on_year(data)
        indicators = [c.indicator for c in compared]
        old = {c.indicator.key: c.last for c in compared if c.last is not None}
        before = catalog.calendar.previous(self.period)
        rows = []
        for c in compared:
            ind, value, last = c.indicator, c.value, c.last
            if c.heading:
                rows.append(f'<tr><td colspan="4" style="background:#eef3f8"><b>{esc(ind.label)}</b></td></tr>')
                continue
            rows.append(f'<tr class="dv-indicator" data-key="{esc(ind.key)}"><td>{esc(ind.label)}</td>'
                        f"<td>{esc(ind.unit)}</td><td style='text-align:right'>{format_number(value)}</td>"
                        f"<td style='text-align:right;color:#555'>{format_number(last)}</td></tr>")
        last_title = esc(before.title) if before else "Cùng kỳ năm trước"
        self.figures.value = ('<table class="dv-figures" border="1" cellpadding="4" style="border-collapse:collapse">'
                              f"<tr><th>Chỉ tiêu</th><th>ĐVT</th><th>{esc(self.period.title)}</th>"
                              f"<th>{last_title}</th></tr>" + "".join(rows) + "</table>")
        self.charts.value = self._charts(data, indicators, old)

    def _charts(self, data, indicators, old) -> str:
        from ..figures.scores import period_scores

        parts = []
        form = data.form
        if form.scoring is not None:
            scores = period_scores(data)
            labels = [b.label for b in form.scoring.classes] + [form.scoring.ineligible_label]
            parts.append(bar_chart("Số đơn vị theo xếp loại", labels,
                                   {"đơn vị": [sum(s.label == lab for s in scores) for lab in labels]}))
            parts.append(bar_chart("Điểm (sau thẩm định) theo đơn vị", [u.name for u in data.units],
                                   {"điểm": [s.final for s in scores]}))
        else:
            numbers = [f for f in form.all_fields() if f.is_number and not f.calculation and f.unit != "%"]
            if numbers:
                key = numbers[0]
                parts.append(bar_chart(f"{key.label} — theo đơn vị", [u.name for u in data.units],
                                       {key.unit or "": [next((e.data.get(key.name) for e in u.entries), None)
                                                         for u in data.units]}, key.unit))
            compare = [i for i in indicators
                       if i.rule == "sum" and i.key in old and not i.key.startswith("status__")][:8]
            if compare:
                parts.append(bar_chart("So với cùng kỳ năm trước", [i.label for i in compare],
                                       {"kỳ này": [i.values[0] for i in compare],
                                        "cùng kỳ năm trước": [old[i.key] for i in compare]}))
        return "<br>".join(parts)

    def export(self) -> None:
        """Build the consolidated and province workbooks now and offer both for download."""
        from ..publishing import export_period

        self.export_button.disabled = True
        self.progress.layout.display = None
        self.progress.value = 1
        self.progress.description = "Đang tổng hợp"
        try:
            report = export_period(self.app.catalog, self.app.store, self.period.id)
            self.progress.value = 3
            self.progress.description = "Xong"
            links = [_download(report.newest, "Bảng tổng hợp")]
            links += [_download(other.newest, "Báo cáo gửi tỉnh") for other in report.others]
            notes = "".join(f"<li>{esc(p)}</li>" for p in report.all_problems)
            self.links.value = "<br>".join(links) + (f"<ul style='color:#b00020'>{notes}</ul>" if notes else "")
        except Exception:
            log.exception("export failed for %s", self.period.id)
            self.progress.description = "Lỗi"
            self.links.value = ('<span style="color:#b00020">Chưa tạo được tệp Excel. Dữ liệu vẫn an toàn trong kho; '
                                "vui lòng thử lại hoặc chạy «danvan export».</span>")
        finally:
            self.export_button.disabled = False
