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

from xlsxwriter.workbook import Workbook

from .fields import calculated_totals, is_percent, ratio_pairs
from .layout import Heading, Styles, print_setup, write_heading, write_signature
from .model import PeriodData
from .report import _sums, content_sections, unit_data
from .safe import SheetNames, write_text
from .scores import NOT_SUBMITTED, period_scores
from .status import LATE, MISSING, ON_TIME, deadline_label

__all__ = ["Indicator", "compute_indicators", "write_indicator_sheet", "INDICATOR_SHEET", "KEY_HEADER", "slug"]

INDICATOR_SHEET = "Chỉ tiêu tổng hợp"
KEY_HEADER = "__key__"
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


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


def _num(v: Any) -> bool:
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
    sums = _sums(data)
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
                vals = [d[f.name] for d in datas if _num(d.get(f.name))]
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
            total = sum(e.data.get(f.name) for e in entries if _num(e.data.get(f.name)))
            out.append(Indicator(f"dvk__{f.name}", f.label, f.unit, values=[total]))


def compute_indicators(data: PeriodData) -> list[Indicator]:
    """The period's indicators (and its companions'), one value column."""
    out: list[Indicator] = [Indicator("status__section", f"Tình hình báo cáo: {data.period.title}", rule="heading")]
    _status(data, "status__", out)
    for part in [data, *data.companions]:
        kind = part.period.kind
        if kind == "self_assessment" or part.form.scoring is not None:
            _scores(part, out)
        elif kind == "models":
            _models(part, out)
        else:
            _report(part, out)
    for ind in out:
        if not ind.ns:
            ind.ns = [0]
    return out


def write_indicator_sheet(wb: Workbook, st: Styles, names: SheetNames, heading: Heading, rows: list[Indicator],
                          sources: list[str], totals: list[Any] | None = None, total_ns: list[int] | None = None,
                          preparer: str = "") -> str:
    """Hidden key/rule/n columns A–C, then STT, Chỉ tiêu, ĐVT, one column per body and 'Tổng cộng'."""
    name = names.add(INDICATOR_SHEET)
    ws = wb.add_worksheet(name)
    value_headers = list(sources) + (["Tổng cộng"] if totals is not None else [])
    widths = [6, 58, 11] + [max(14, min(22, len(s) * 0.8)) for s in value_headers]
    ws.set_column(0, 2, 10, None, {"hidden": True})
    for i, w in enumerate(widths):
        ws.set_column(3 + i, 3 + i, w)
    row = write_heading(ws, st, heading, widths, first_col=3)
    header = row
    for c, text in enumerate([KEY_HEADER, "__rule__", "__n__"]):
        ws.write_string(row, c, text)
    for i, text in enumerate(["STT", "Chỉ tiêu", "Đơn vị tính"] + value_headers):
        write_text(ws, row, 3 + i, text, st["th"])
    ws.set_row(row, 32)
    row += 1
    for i in range(len(widths)):
        write_text(ws, row, 3 + i, f"({i + 1})", st["th_num"])
    first = row + 1
    heads = items = 0
    for r, ind in enumerate(rows):
        at = first + r
        ws.write_string(at, 0, ind.key)
        ws.write_string(at, 1, ind.rule)
        n_total = (total_ns[r] if total_ns is not None else sum(ind.ns)) if ind.rule == "mean" else 0
        ws.write_number(at, 2, n_total)
        if ind.rule == "heading":
            write_text(ws, at, 3, _ROMAN[heads] if heads < len(_ROMAN) else str(heads + 1), st["section"])
            heads, items = heads + 1, 0
            ws.merge_range(at, 4, at, 3 + len(widths) - 1, "", st["section"])
            write_text(ws, at, 4, ind.label, st["section"])
            continue
        items += 1
        write_text(ws, at, 3, str(items), st["center"])
        write_text(ws, at, 4, ind.label, st["text"])
        write_text(ws, at, 5, ind.unit, st["center"])
        cells = list(ind.values) + ([totals[r]] if totals is not None else [])
        for c, v in enumerate(cells):
            bold = totals is not None and c == len(cells) - 1
            if _num(v):
                kind = "int" if float(v).is_integer() and ind.unit != "%" else "dec"
                ws.write_number(at, 6 + c, v, st[("total_" if bold else "") + kind])
            else:
                ws.write_blank(at, 6 + c, None, st["total_text" if bold else "center"])
    last = first + len(rows) - 1
    end = write_signature(ws, st, last + 1, len(widths), preparer=preparer, first_col=3)
    print_setup(ws, ncols=3 + len(widths), header=(header, header + 1), last_row=end,
                landscape=len(value_headers) > 3, freeze_col=6, autofilter=False)
    return name
