"""The province layout: one row per indicator (STT, Chỉ tiêu, ĐVT, value per body, total).

Each row carries, in hidden columns, a stable key and how it adds up ("sum",
"mean" weighted by the count of reporting units, or "calc:<expression>" from
the form), so a roll-up of several bodies' workbooks recomputes rates from the
summed figures instead of averaging rates.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .deadlines import LATE, MISSING, ON_TIME, deadline_label
from .period import PeriodData
from .scores import NOT_SUBMITTED, period_scores
from .sums import (
    calculated_totals,
    content_sections,
    is_percent,
    period_sums,
    ratio_pairs,
    unit_data,
)

__all__ = ["Indicator", "compute_indicators", "slug", "is_number"]



@dataclass
class Indicator:
    """One row: `values` has one entry per body (column); `n` counts units behind a mean."""

    key: str
    label: str
    unit: str = ""
    rule: str = "sum"        # heading | sum | mean | calc:<expression>
    values: list[Any] = field(default_factory=list)
    ns: list[int] = field(default_factory=list)


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def is_number(v: Any) -> bool:
    """A real number (not a bool)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _status(data: PeriodData, prefix: str, out: list[Indicator]) -> None:
    labels = [deadline_label(u) for u in data.units]
    out += [Indicator(f"{prefix}units", "Số đơn vị phải báo cáo", "đơn vị", values=[len(data.units)]),
            Indicator(f"{prefix}submitted", "Số đơn vị đã nộp", "đơn vị",
                      values=[sum(x != MISSING for x in labels)]),
            Indicator(f"{prefix}on_time", "Trong đó: nộp đúng hạn", "đơn vị", values=[labels.count(ON_TIME)]),
            Indicator(f"{prefix}late", "Trong đó: nộp trễ hạn", "đơn vị", values=[labels.count(LATE)]),
            Indicator(f"{prefix}missing", "Số đơn vị chưa nộp", "đơn vị", values=[labels.count(MISSING)])]


def _report(data: PeriodData, out: list[Indicator]) -> None:
    form = data.form
    sums = period_sums(data)
    calc = calculated_totals(form, sums)
    datas = [d for d in (unit_data(u) for u in data.units) if d]
    pairs = ratio_pairs(form)
    for section in content_sections(form):
        out.append(Indicator(f"section__{section.name}", section.title, rule="heading"))
        names = {f.name for f in section.fields}
        for f in section.fields:
            if f.type == "yes_no":
                out.append(Indicator(f"{f.name}__co", f"Số đơn vị: {f.label}", "đơn vị",
                                     values=[sum(1 for d in datas if d.get(f.name) is True)]))
            elif f.is_number and f.calculation:
                out.append(Indicator(f.name, f.label, f.unit, f"calc:{f.calculation}", [calc.get(f.name)]))
            elif is_percent(f):
                vals = [d[f.name] for d in datas if is_number(d.get(f.name))]
                out.append(Indicator(f.name, f"{f.label} (bình quân)", f.unit, "mean",
                                     [round(sum(vals) / len(vals), 2) if vals else None], [len(vals)]))
            elif f.is_number:
                out.append(Indicator(f.name, f.label, f.unit, values=[sums.get(f.name, 0)]))
        for part, whole in pairs:
            if part in names and whole in names:
                expr = f"round(100 * {part} / {whole}, 1) if {whole} > 0 else None"
                value = round(100 * sums[part] / sums[whole], 1) if sums.get(whole) else None
                out.append(Indicator(f"{part}__ty_le", f"Tỷ lệ: {form.field(part).label} / {form.field(whole).label}",
                                     "%", f"calc:{expr}", [value]))


def _scores(data: PeriodData, out: list[Indicator]) -> None:
    form = data.form
    scores = period_scores(data)
    out.append(Indicator("tcd__section", data.period.title, rule="heading"))
    out.append(Indicator("tcd__submitted", "Số đơn vị đã tự chấm điểm", "đơn vị",
                         values=[sum(s.label != NOT_SUBMITTED for s in scores)]))
    labels = [b.label for b in form.scoring.classes] + [form.scoring.ineligible_label] if form.scoring else []
    for label in labels:
        out.append(Indicator(f"tcd__{slug(label)}", f"Xếp loại {label}", "đơn vị",
                             values=[sum(s.label == label for s in scores)]))
    finals = [s.final for s in scores if s.final is not None]
    out.append(Indicator("tcd__diem_binh_quan", "Điểm bình quân (sau thẩm định)", "điểm", "mean",
                         [round(sum(finals) / len(finals), 2) if finals else None], [len(finals)]))


def _models(data: PeriodData, out: list[Indicator]) -> None:
    form = data.form
    entries = [e for _, e in data.entries]
    out.append(Indicator("dvk__section", data.period.title, rule="heading"))
    out.append(Indicator("dvk__models", "Số mô hình “Dân vận khéo” đăng ký", "mô hình", values=[len(entries)]))
    out.append(Indicator("dvk__units", "Số đơn vị có mô hình đăng ký", "đơn vị",
                         values=[sum(1 for u in data.units if u.entries)]))
    for f in form.all_fields():
        if f.type == "select_one" and f.choices:
            for c in f.choices:
                out.append(Indicator(f"dvk__{f.name}__{c.value}", f"{f.label}: {c.label}", "mô hình",
                                     values=[sum(1 for e in entries if e.data.get(f.name) == c.value)]))
        elif f.is_number and not is_percent(f):
            total = sum(e.data[f.name] for e in entries if is_number(e.data.get(f.name)))
            out.append(Indicator(f"dvk__{f.name}", f.label, f.unit, values=[total]))


def compute_indicators(data: PeriodData) -> list[Indicator]:
    """The period's indicators (and its companions'), one value column; computed once per PeriodData."""
    if "indicators" not in data.cache:
        data.cache["indicators"] = _compute(data)
    return data.cache["indicators"]


def _compute(data: PeriodData) -> list[Indicator]:
    out: list[Indicator] = [Indicator("status__section", f"Tình hình báo cáo: {data.period.title}", rule="heading")]
    _status(data, "status__", out)
    for part in [data, *data.companions]:
        {"scores": _scores, "models": _models, "report": _report}[part.content](part, out)
    for ind in out:
        if not ind.ns:
            ind.ns = [0]
    return out


