"""The hub's consolidated written report of a period, for the officer to finish and send up.

Every figure comes from danvan_kit.figures: the indicators with the same period last year
(`year_on_year`), who reported on time, late or not at all (`deadline_label`, `short_status`),
and for the annual report the year's self-assessment classes and "Dân vận khéo" models (the
companions' indicators). The units' own narratives are grouped by content area, each attributed,
for the officer to condense; highlighted brackets in the template mark the officer's parts.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from ..catalog.letterhead import letterhead
from ..figures.compare import year_on_year
from ..figures.deadlines import LATE, MISSING, deadline_label, short_status
from ..figures.indicators import compute_indicators
from ..figures.period import PeriodData
from ..figures.sums import content_sections, unit_data
from ..forms.numbers import format_number
from ..settings import today_vn
from .render import render_bytes
from .templates import template_for
from .text import plain, split_first
from .wording import DIRECTIVE, heading_context, lower_first, period_phrase, subject, upper_first

__all__ = ["district_report_context", "district_report_bytes", "narrative_groups", "status_lines"]


def _change(value: float | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + format_number(round(value, 2))


def _sections(data: PeriodData) -> list[dict[str, Any]]:
    """Indicators grouped under their headings, each row with last year and the change."""
    out: list[dict[str, Any]] = []
    for c in year_on_year(data):
        if c.heading:
            out.append({"title": plain(c.indicator.label), "rows": []})
            continue
        if not out:
            out.append({"title": plain(data.period.title), "rows": []})
        rows = out[-1]["rows"]
        rows.append({"no": len(rows) + 1, "label": plain(c.indicator.label), "unit": plain(c.indicator.unit),
                     "value": plain(format_number(c.value)), "last": plain(format_number(c.last)),
                     "change": plain(_change(c.change))})
    return out


def status_lines(data: PeriodData) -> list[Any]:
    """How many units reported, on time, late, missing — with the late and missing ones named."""
    values = {i.key: i.values[0] for i in compute_indicators(data) if i.key.startswith("status__") and i.values}
    labels = [(u, deadline_label(u)) for u in data.units]
    late = [f"{u.name} ({short_status(u).lower()})" for u, lab in labels if lab == LATE]
    missing = [u.name for u, lab in labels if lab == MISSING]
    lines = [f"Có {values['status__submitted']}/{values['status__units']} đơn vị đã gửi báo cáo, trong đó "
             f"{values['status__on_time']} đơn vị gửi đúng hạn, {values['status__late']} đơn vị "
             f"gửi trễ hạn; {values['status__missing']} đơn vị chưa gửi."]
    if late:
        lines.append("Các đơn vị gửi trễ hạn: " + "; ".join(late) + ".")
    if missing:
        lines.append("Các đơn vị chưa gửi báo cáo: " + "; ".join(missing) + ".")
    return [plain(x) for x in lines]


def narrative_groups(data: PeriodData) -> list[dict[str, Any]]:
    """The units' narratives by content area (then the closing parts), each attributed to its unit."""
    form = data.form
    figures = content_sections(form)
    fields = [(s.title, f) for s in figures for f in s.fields if f.type == "long_text"]
    fields += [(f.label, f) for s in form.sections if s not in figures for f in s.fields if f.type == "long_text"]
    datas = [(u, unit_data(u)) for u in data.units]
    groups = []
    for title, f in fields:
        items = []
        for u, d in datas:
            if d and str(d.get(f.name) or "").strip():
                first, rest = split_first(d[f.name])
                items.append({"unit": plain(u.name), "first": first, "rest": rest})
        groups.append({"title": plain(title if title == f.label else f"{title} — {f.label}"), "entries": items})
    return groups


def district_report_context(catalog: Any, data: PeriodData, *, when: date | None = None) -> dict[str, Any]:
    """Every tag of the consolidated report template, from one gathered period (with_previous for the change)."""
    lh = letterhead(catalog.organisation)
    title = subject(data.period)
    before = catalog.calendar.previous(data.period)
    return {
        **heading_context(lh, lh.number_line(None), when or today_vn()),
        "subject": plain(title),
        "subject_lower": plain(lower_first(title)),
        "issuer_name": plain(lh.name),
        "opening": plain(f"Thực hiện {DIRECTIVE}, trên cơ sở báo cáo của các cơ quan, đơn vị, địa phương, "
                         f"{lh.name} tổng hợp kết quả thực hiện công tác dân vận chính quyền "
                         f"{period_phrase(data.period)} như sau:"),
        "status_lines": status_lines(data),
        "sections": _sections(data),
        "this_label": plain(upper_first(period_phrase(data.period))),
        "last_label": plain(f"Cùng kỳ {period_phrase(before)}" if before else "Cùng kỳ năm trước"),
        "groups": narrative_groups(data),
    }


def district_report_bytes(catalog: Any, data: PeriodData, *, when: date | None = None, root: Any = None) -> bytes:
    """The consolidated report of `data`'s period, with the template of its year."""
    context = district_report_context(catalog, data, when=when)
    return render_bytes(template_for("bao-cao-tong-hop", data.period.year, root or catalog.root), context)
