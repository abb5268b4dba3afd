"""Home page: this year's periods, deadlines, and the state of each of the unit's forms."""
from __future__ import annotations

import ipywidgets as w

from ..catalog.calendar import PERIOD_KINDS
from ..markup import attr, esc
from .form_page import describe_deadline

__all__ = ["HomeView", "FORM_NOTEBOOKS"]

FORM_NOTEBOOKS = {
    "bao-cao-dinh-ky": "bao_cao.ipynb",
    "tu-cham-diem": "tu_cham_diem.ipynb",
    "dan-van-kheo": "dan_van_kheo.ipynb",
}


class HomeView(w.VBox):
    """A table of the periods of the current (and last) year with links to each form."""

    def __init__(self, app, account):
        from ..store import STATUS_LABELS

        self.app, self.account = app, account
        today = app.today()
        org = app.catalog.organisation
        periods = [p for p in app.catalog.calendar.offered(today, account.is_analyst)
                   if p.year in (today.year - 1, today.year)]
        rows = []
        for period in sorted(periods, key=lambda p: p.due, reverse=True):
            status = app.store.status(account, period.id)
            link = app.link(FORM_NOTEBOOKS[period.form], ky=period.id)
            if account.is_analyst:
                done = sum(1 for r in status if r.state in ("submitted", "approved", "needs_correction"))
                late = sum(1 for r in status if r.state in ("not_started", "draft") and r.days_late > 0)
                state = f"{done}/{len(status)} đơn vị đã nộp" + (f"; {late} đơn vị quá hạn chưa nộp" if late else "")
            else:
                mine = next((r for r in status if r.unit_code == account.unit_code), None)
                state = STATUS_LABELS.get(mine.state, mine.state) if mine else "Chưa làm"
                if mine and mine.state in ("submitted", "approved", "needs_correction") and mine.on_time is False:
                    state += f" (trễ {mine.days_late} ngày)"
            rows.append(
                f'<tr class="dv-period" data-period="{attr(period.id)}"><td>{esc(period.title)}</td>'
                f"<td>{esc(PERIOD_KINDS[period.kind])}</td>"
                f"<td>{esc(describe_deadline(period, today))}</td>"
                f'<td class="dv-state">{esc(state)}</td>'
                f'<td><a href="{esc(link)}">Mở biểu mẫu</a></td></tr>')
        who = ("Phòng Nội vụ — xem tất cả đơn vị" if account.is_analyst
               else org.unit(account.unit_code).name)
        desk = (f'<p><a href="{esc(app.link("tong_hop.ipynb"))}">→ Tổng hợp, theo dõi đơn vị nộp muộn</a></p>'
                if account.is_analyst else "")
        table = ('<table class="dv-home" style="border-collapse:collapse" border="1" cellpadding="6">'
                 "<tr><th>Kỳ báo cáo</th><th>Loại</th><th>Thời hạn</th><th>Tình trạng</th><th></th></tr>"
                 + "".join(rows) + "</table>")
        heading = f"<h2>Công tác dân vận chính quyền</h2><p>Đơn vị: <b>{esc(who)}</b></p>"
        super().__init__([w.HTML(app.nav(account, home=False) + heading + desk + table)])
        self.add_class("dv-home-page")
