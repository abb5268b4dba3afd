"""Two short documents of the hub: the notice of self-assessment results and the reminder (công văn đôn đốc).

Scores, classes and ranks are `figures.scores.period_scores` (after the reviewer's adjustment);
who is missing or was sent back is the store's status row (`figures.deadlines.short_status`).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from ..catalog.letterhead import letterhead
from ..figures.deadlines import MISSING, deadline_label, short_status
from ..figures.indicators import compute_indicators
from ..figures.period import PeriodData
from ..figures.scores import NOT_SUBMITTED, period_scores
from ..forms.numbers import format_number
from ..forms.text import format_date, vn_sort_key
from ..settings import today_vn
from .render import render_bytes
from .templates import template_for
from .text import plain
from .wording import heading_context, lower_first

__all__ = ["results_notice_context", "results_notice_bytes", "reminder_context", "reminder_bytes",
           "reminder_lines"]

_SENT_BACK = "needs_correction"


def results_notice_context(catalog: Any, data: PeriodData, *, when: date | None = None) -> dict[str, Any]:
    """Units ranked by their score after review, with class; class counts from the period's indicators."""
    lh = letterhead(catalog.organisation)
    scores = period_scores(data)
    pairs = sorted(zip(data.units, scores),
                   key=lambda p: (p[1].rank is None, p[1].rank or 0, vn_sort_key(p[0].name)))
    rows = [{"no": i, "name": plain(u.name), "self_total": plain(format_number(s.self_total)),
             "final": plain(format_number(s.final)), "label": plain(s.label),
             "rank": plain("" if s.rank is None else s.rank)} for i, (u, s) in enumerate(pairs, 1)]
    counts = [i for i in compute_indicators(data) if i.key.startswith("tcd__") and i.rule != "heading"]
    summary = "; ".join(f"{i.label}: {format_number(i.values[0])} {i.unit}".strip() for i in counts)
    sent = sum(s.label != NOT_SUBMITTED for s in scores)
    return {
        **heading_context(lh, lh.number_line(None, kind="TB"), when or today_vn()),
        "subject": plain(f"Kết quả tự chấm điểm, xếp loại công tác dân vận chính quyền năm {data.period.year}"),
        "opening": plain(f"Trên cơ sở kết quả tự chấm điểm của {sent}/{len(data.units)} cơ quan, đơn vị, địa phương "
                         f"và kết quả thẩm định, {lh.name} thông báo kết quả chấm điểm, xếp loại công tác dân vận "
                         f"chính quyền năm {data.period.year} như sau:"),
        "summary": [plain(summary + ".")] if summary else [],
        "rows": rows,
        "closing": plain("Đề nghị các cơ quan, đơn vị, địa phương căn cứ kết quả trên, phát huy ưu điểm, khắc phục "
                         "hạn chế trong thời gian tới./."),
    }


def reminder_lines(data: PeriodData, today: date) -> list[tuple[Any, str, int]]:
    """(unit line, state, days past the deadline) for units that have not submitted or were sent back."""
    out = []
    for u in data.units:
        sent_back = u.status is not None and u.status.state == _SENT_BACK
        if deadline_label(u) == MISSING:
            out.append((u, short_status(u), u.status.days_late if u.status is not None else 0))
        elif sent_back:
            out.append((u, short_status(u), max(0, (today - data.period.due).days)))
    return out


def reminder_context(catalog: Any, data: PeriodData, *, when: date | None = None) -> dict[str, Any]:
    """The reminder to every unit still owing the period's report, each with deadline and days late."""
    when = when or today_vn()
    lh = letterhead(catalog.organisation)
    owing = reminder_lines(data, when)
    rows = [{"no": i, "name": plain(u.name), "due": plain(format_date(data.period.due)), "state": plain(state),
             "days_late": plain(days if days else "")} for i, (u, state, days) in enumerate(owing, 1)]
    title = str(data.period.title)
    return {
        **heading_context(lh, lh.number_line(None, kind=""), when),
        "subject_short": plain(f"đôn đốc gửi {lower_first(title)}"),
        "addressees": [plain(u.name) for u, _, _ in owing] or [plain("Các cơ quan, đơn vị, địa phương")],
        "opening": plain(f"Theo kế hoạch, hạn gửi {lower_first(title)} về {lh.name} là ngày "
                         f"{format_date(data.period.due)}. Đến ngày {format_date(when)}, {len(owing)} cơ quan, đơn vị, "
                         "địa phương sau chưa gửi báo cáo hoặc báo cáo đã được trả lại để chỉnh sửa nhưng chưa gửi "
                         "lại:"),
        "rows": rows,
        "request": plain(f"{lh.name} đề nghị Thủ trưởng các cơ quan, đơn vị, địa phương nêu trên khẩn trương hoàn "
                         "thành và gửi báo cáo qua hệ thống báo cáo trực tuyến."),
    }


def results_notice_bytes(catalog: Any, data: PeriodData, *, when: date | None = None, root: Any = None) -> bytes:
    return render_bytes(template_for("thong-bao-ket-qua", data.period.year, root or catalog.root),
                        results_notice_context(catalog, data, when=when))


def reminder_bytes(catalog: Any, data: PeriodData, *, when: date | None = None, root: Any = None) -> bytes:
    return render_bytes(template_for("cong-van-don-doc", data.period.year, root or catalog.root),
                        reminder_context(catalog, data, when=when))
