"""The analysts' desk (Phòng Nội vụ): who has submitted, who is late, per period."""
from __future__ import annotations

import html

import ipywidgets as w

from ..text import format_date

__all__ = ["DeskView"]


class DeskView(w.VBox):
    """Status board of every reporting unit for a chosen period (analysts only)."""

    def __init__(self, app, account, token: str | None):
        from ..store import STATUS_LABELS
        from .form_page import default_period
        from .home import FORM_NOTEBOOKS

        self.app, self.account, self.token = app, account, token
        self._labels, self._notebooks = STATUS_LABELS, FORM_NOTEBOOKS
        if not account.is_analyst:
            super().__init__([w.HTML('<p class="dv-denied">Trang này chỉ dành cho Phòng Nội vụ.</p>')])
            return
        periods = list(app.catalog.calendar.periods)
        start = default_period(periods, app.today(), analyst=True)
        self.period_pick = w.Dropdown(description="Kỳ báo cáo", options=[(p.title, p.id) for p in periods],
                                      value=start.id, style={"description_width": "8em"}, layout=w.Layout(width="36em"))
        self.board = w.HTML()
        self.period_pick.observe(lambda _c: self.refresh(), "value")
        home = app.link("trang_chu.ipynb", token)
        super().__init__([w.HTML(f'<a href="{html.escape(home)}">← Trang chủ</a><h2>Tổng hợp, theo dõi</h2>'),
                          self.period_pick, self.board])
        self.refresh()

    def refresh(self) -> None:
        period = self.app.catalog.calendar.get(self.period_pick.value)
        rows = self.app.store.status(self.account, period.id)
        lines = []
        for r in rows:
            state = self._labels.get(r.state, r.state)
            if r.submitted_at is not None:
                when = format_date(r.submitted_at.date().isoformat())
                timing = "đúng hạn" if r.on_time else f"trễ {r.days_late} ngày"
            else:
                when, timing = "", (f"quá hạn {r.days_late} ngày" if r.days_late else "")
            link = self.app.link(self._notebooks[period.form], self.token, ky=period.id, dv=r.unit_code)
            lines.append(f'<tr class="dv-unit" data-unit="{r.unit_code}"><td>{html.escape(r.unit_name)}</td>'
                         f"<td>{html.escape(state)}</td><td>{when}</td><td>{timing}</td>"
                         f'<td><a href="{html.escape(link)}">Xem</a></td></tr>')
        done = sum(1 for r in rows if r.state in ("submitted", "approved", "needs_correction"))
        self.board.value = (f"<p>Hạn nộp: {format_date(period.due)} · Đã nộp {done}/{len(rows)} đơn vị</p>"
                            '<table class="dv-board" border="1" cellpadding="5" style="border-collapse:collapse">'
                            "<tr><th>Đơn vị</th><th>Tình trạng</th><th>Ngày nộp</th><th>Thời hạn</th><th></th></tr>"
                            + "".join(lines) + "</table>")
