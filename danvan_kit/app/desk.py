"""The analysts' desk (Phòng Nội vụ): who is late, review, consolidated figures, the province workbook."""
from __future__ import annotations

from collections import Counter

import ipywidgets as w

from ..forms.text import format_date
from ..markup import esc
from ..widgets.shared import picker
from .word_button import WordButton

__all__ = ["DeskView", "board_html"]

TAB_TITLES = ["Theo dõi", "Xem xét, duyệt", "Tổng hợp", "Biểu mẫu Excel"]


def board_html(app, period, rows) -> str:
    """The status board: totals, then one row per unit with state, date, lateness and review."""
    from ..store import STATUS_LABELS
    from .home import FORM_NOTEBOOKS

    lines = []
    late_unsent = 0
    for r in rows:
        state = STATUS_LABELS.get(r.state, r.state)
        if r.submitted_at is not None:
            when = format_date(r.submitted_at.date().isoformat())
            timing = "đúng hạn" if r.on_time else f"trễ {r.days_late} ngày"
        else:
            when, timing = "", (f"quá hạn {r.days_late} ngày" if r.days_late else "")
            late_unsent += bool(r.days_late)
        link = app.link(FORM_NOTEBOOKS[period.form], ky=period.id, dv=r.unit_code)
        review = STATUS_LABELS.get(r.review_state or "", "")
        style = ' style="background:#fdecea"' if r.submitted_at is None and r.days_late else ""
        lines.append(f'<tr class="dv-unit" data-unit="{r.unit_code}"{style}><td>{esc(r.unit_name)}</td>'
                     f"<td>{esc(state)}</td><td>{when}</td><td>{timing}</td><td>{esc(review)}</td>"
                     f'<td><a href="{esc(link)}">Xem</a></td></tr>')
    counts = Counter(r.state for r in rows)
    done = counts["submitted"] + counts["needs_correction"] + counts["approved"]
    totals = (f'<p class="dv-totals">Hạn nộp: {format_date(period.due)} · Đã nộp {done}/{len(rows)} đơn vị '
              f"(chờ duyệt {counts['submitted']}, cần chỉnh sửa {counts['needs_correction']}, "
              f"đã duyệt {counts['approved']}) · Đang soạn {counts['draft']} · Chưa làm {counts['not_started']}"
              f" · <b>Quá hạn chưa nộp {late_unsent}</b></p>")
    return (totals + '<table class="dv-board" border="1" cellpadding="5" style="border-collapse:collapse">'
            "<tr><th>Đơn vị</th><th>Tình trạng</th><th>Ngày nộp</th><th>Thời hạn</th><th>Duyệt</th><th></th></tr>"
            + "".join(lines) + "</table>")


class DeskView(w.VBox):
    """Period picker and three tabs; analysts only (the store refuses others anyway)."""

    def __init__(self, app, account):
        from .form_page import default_period

        self.app, self.account = app, account
        if not account.is_analyst:
            super().__init__([w.HTML('<p class="dv-denied">Trang này chỉ dành cho Phòng Nội vụ.</p>')])
            return
        periods = list(app.catalog.calendar.periods)
        start = default_period(periods, app.today(), analyst=True)
        self.period_pick = picker("Kỳ báo cáo", options=[(p.title, p.id) for p in periods], value=start.id)
        self.board = w.HTML()
        self.reminder = WordButton("Soạn công văn đôn đốc (Word)", self._reminder, "dv-word-reminder")
        self.review_box = w.VBox()
        self.summary_box = w.VBox()
        self.excel_box = w.VBox()
        self.tabs = w.Tab(children=[w.VBox([self.reminder, self.board]), self.review_box, self.summary_box,
                                    self.excel_box], titles=TAB_TITLES)
        self.period_pick.observe(lambda _c: self.refresh(), "value")
        self.tabs.observe(lambda _c: self._tab_opened(), "selected_index")
        super().__init__([w.HTML(app.nav(account) + "<h2>Tổng hợp, theo dõi</h2>"),
                          self.period_pick, self.tabs])
        self.add_class("dv-desk")
        self.refresh()

    @property
    def period(self):
        return self.app.catalog.calendar.get(self.period_pick.value)

    def refresh(self) -> None:
        """Reload the board; the other tabs are rebuilt when opened (they read more)."""
        from .excel_panel import ExcelPanel
        from .form_excel_panel import FormExcelPanel
        from .review import ReviewPanel

        rows = self.app.store.status(self.account, self.period.id)
        self.board.value = board_html(self.app, self.period, rows)
        self.reminder.link.value = ""
        self.review = ReviewPanel(self.app, self.account, self.period, on_done=self._reviewed, status=rows)
        self.review_box.children = [self.review]
        self.summary_box.children = []
        self.excel = ExcelPanel(self.app, self.account, self.period)
        self.form_excel = FormExcelPanel(self.app, self.account)
        self.excel_box.children = [self.excel, w.HTML("<hr>"), self.form_excel]
        self._tab_opened()

    def _reminder(self):
        from ..word import reminder_document

        return reminder_document(self.app.catalog, self.app.store, self.period.id)

    def _period_document(self):
        from ..word import period_document

        return period_document(self.app.catalog, self.app.store, self.period.id)

    def _reviewed(self) -> None:
        rows = self.app.store.status(self.account, self.period.id)
        self.board.value = board_html(self.app, self.period, rows)

    def _tab_opened(self) -> None:
        if self.tabs.selected_index == 2 and not self.summary_box.children:
            from .summary import SummaryView

            label = "Soạn thông báo kết quả (Word)" if self.period.kind == "self_assessment" \
                else "Soạn báo cáo tổng hợp (Word)"
            self.summary_box.children = [WordButton(label, self._period_document, "dv-word-report"),
                                         SummaryView(self.app, self.account, self.period)]
