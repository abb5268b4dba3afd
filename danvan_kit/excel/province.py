"""The province summary (indicators in the province's layout) and the roll-up of several bodies.

`roll_up` reads consolidated workbooks, province summaries or earlier roll-ups
back with openpyxl, one column per body, and recomputes totals by each row's
rule, so the level above (province over districts, district over communes)
uses the same tool.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import IO, Any

from ..figures.indicators import Indicator, compute_indicators
from ..figures.period import PeriodData, gather
from ..forms.expressions import compile_expression
from ..settings import today_vn
from .consolidated import TITLE, set_properties
from .indicator_sheet import INDICATOR_SHEET, KEY_HEADER, write_indicator_sheet
from .page import Heading, Styles, plain_body
from .safe import SheetNames, new_workbook

__all__ = ["build_province_summary", "write_province_summary", "roll_up", "read_indicators", "summary_name"]

ROLL_UP_TITLE = "Tổng hợp kết quả thực hiện công tác dân vận chính quyền"


def summary_name(period_id: str) -> str:
    return f"bao-cao-tinh-{period_id}.xlsx"


def write_province_summary(data: PeriodData, target: str | Path | IO[bytes]) -> None:
    wb = new_workbook(target)
    st = Styles(wb)
    heading = Heading.of(data, f"Báo cáo {TITLE[0].lower()}{TITLE[1:]}")
    write_indicator_sheet(wb, st, SheetNames(), heading, compute_indicators(data), [data.source or data.parent])
    set_properties(wb, data, "bao-cao-tinh/1")
    wb.close()


def build_province_summary(catalog: Any, store: Any, year_or_period: int | str, path: str | Path | IO[bytes], *,
                           today: date | None = None) -> PeriodData:
    """A year (its annual report with the year's scores and models) or one period, in the province layout."""
    if isinstance(year_or_period, int) or str(year_or_period).isdigit():
        year = int(year_or_period)
        annual = catalog.calendar.annual(year)
        if annual is None:
            raise KeyError(f"không có kỳ báo cáo năm {year}")
        period_id = annual.id
    else:
        period_id = str(year_or_period)
    data = gather(catalog, store, period_id, today=today)
    write_province_summary(data, path)
    return data


def read_indicators(path: str | Path) -> tuple[str, str, list[Indicator]]:
    """(body name, period title, indicators with one value each) from any workbook with the indicator sheet."""
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    try:
        props = {p.name: p.value for p in wb.custom_doc_props.props}
        sheet = wb[INDICATOR_SHEET] if INDICATOR_SHEET in wb.sheetnames else None
        if sheet is None:
            sheet = next((ws for ws in wb.worksheets
                          if any(r[0] == KEY_HEADER
                                 for r in ws.iter_rows(max_row=40, max_col=1, values_only=True))), None)
        if sheet is None:
            raise ValueError(f"{Path(path).name}: không có trang «{INDICATOR_SHEET}» (không phải tệp tổng hợp)")
        rows = list(sheet.iter_rows(values_only=True))
        head = next(i for i, r in enumerate(rows) if r and r[0] == KEY_HEADER)
        value_col = max(i for i, v in enumerate(rows[head]) if v not in (None, ""))
        label_col, unit_col = rows[head].index("Chỉ tiêu"), rows[head].index("Đơn vị tính")
        found = []
        for r in rows[head + 2:]:
            if not r or not r[0]:
                continue
            key, rule, n = str(r[0]), str(r[1] or "sum"), r[2]
            value = r[value_col] if value_col < len(r) else None
            found.append(Indicator(key, str(r[label_col] or ""), str(r[unit_col] or ""), rule,
                                   [value if isinstance(value, (int, float)) else None],
                                   [int(n) if isinstance(n, (int, float)) else 0]))
        period = props.get("danvan_period_title") or props.get("danvan_period") or ""
        return str(props.get("danvan_source") or Path(path).stem), str(period), found
    finally:
        wb.close()


def _total(ind: Indicator, context: dict[str, Any]) -> tuple[Any, int]:
    nums = [(v, n) for v, n in zip(ind.values, ind.ns) if isinstance(v, (int, float))]
    if ind.rule == "mean":
        weight = sum(n for _, n in nums)
        return (round(sum(v * n for v, n in nums) / weight, 2) if weight else None), weight
    if ind.rule.startswith("calc:"):
        try:
            return compile_expression(ind.rule[5:]).evaluate(context, {}), 0
        except Exception:  # noqa: BLE001 - a source without some figure: fall back to the sum
            pass
    return (sum(v for v, _ in nums) if nums else None), 0


def roll_up(paths: list[Path], path: str | Path | IO[bytes], *, parent: str = "", issuer: str = "",
            place: str = "", title: str = ROLL_UP_TITLE, today: date | None = None) -> list[str]:
    """Merge several bodies' workbooks into one: a column per body and a total; returns problems (Vietnamese)."""
    if not paths:
        raise ValueError("cần ít nhất một tệp để tổng hợp")
    sources, periods, merged, order = [], set(), {}, []
    for i, p in enumerate(paths):
        name, period, rows = read_indicators(p)
        sources.append(name)
        periods.add(period)
        for ind in rows:
            if ind.key not in merged:
                merged[ind.key] = Indicator(ind.key, ind.label, ind.unit, ind.rule, [None] * len(paths),
                                            [0] * len(paths))
                order.append(ind.key)
            merged[ind.key].values[i] = ind.values[0]
            merged[ind.key].ns[i] = ind.ns[0]
    problems = []
    if len(periods) > 1:
        problems.append(f"Các tệp thuộc những kỳ báo cáo khác nhau ({', '.join(sorted(periods))}); "
                        "kiểm tra lại trước khi gửi.")
    rows = [merged[k] for k in order]
    context: dict[str, Any] = {}
    totals: list[Any] = []
    ns: list[int] = []
    for ind in rows:  # sums first, so calculated rates see every figure
        if not ind.rule.startswith("calc:") and ind.rule != "heading":
            context[ind.key] = _total(ind, context)[0] or 0
    for ind in rows:
        if ind.rule == "heading":
            totals.append(None)
            ns.append(0)
            continue
        value, n = _total(ind, context)
        context[ind.key] = value
        totals.append(value)
        ns.append(n)
    wb = new_workbook(path)
    st = Styles(wb)
    period_title = next(iter(periods)) if len(periods) == 1 else ", ".join(sorted(periods))
    heading = Heading(plain_body(parent or "", issuer or "Cơ quan tổng hợp", place or "……"), title, period_title,
                      "", today or today_vn())
    write_indicator_sheet(wb, st, SheetNames(), heading, rows, sources, totals, ns)
    wb.set_custom_property("danvan_kind", "tong-hop-nhieu-don-vi/1")
    wb.set_custom_property("danvan_source", issuer or "Tổng hợp")
    wb.set_custom_property("danvan_period", period_title)
    wb.set_custom_property("danvan_period_title", period_title)
    wb.close()
    return problems
