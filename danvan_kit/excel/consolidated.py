"""The consolidated workbook of a period (tổng hợp): status, content areas, narratives,
scoreboard, "Dân vận khéo" register, the province layout sheet, the same period last year
and native charts."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import IO, Any

from ..figures.indicators import compute_indicators
from ..figures.period import PeriodData, gather
from .appendix import write_appendix_sheet
from .chart_sheet import ChartSpec, write_charts_sheet
from .compare_sheet import write_compare_sheet
from .indicator_sheet import write_indicator_sheet
from .page import Heading, Styles
from .register import write_register_sheets
from .report_sheets import write_report_sheets
from .safe import SheetNames, new_workbook
from .score_sheets import write_score_sheets
from .status_sheet import write_status_sheet

__all__ = ["build_consolidated", "write_consolidated", "consolidated_name", "set_properties"]

TITLE = "Tổng hợp kết quả thực hiện công tác dân vận chính quyền"


def consolidated_name(period_id: str) -> str:
    return f"tong-hop-{period_id}.xlsx"


def set_properties(wb: Any, data: PeriodData, kind: str) -> None:
    """Document properties; the custom ones let `roll_up` read the workbook back."""
    wb.set_properties({"title": f"{TITLE} — {data.period.title}", "company": data.issuer,
                       "subject": data.period.title, "author": data.issuer, "comments": "danvan-kit"})
    wb.set_custom_property("danvan_kind", kind)
    wb.set_custom_property("danvan_source", data.source or data.parent)
    wb.set_custom_property("danvan_period", data.period.id)
    wb.set_custom_property("danvan_period_title", data.period.title)


_SHEETS = {"scores": write_score_sheets, "models": write_register_sheets, "report": write_report_sheets}


def _form_sheets(wb: Any, st: Styles, names: SheetNames, data: PeriodData, charts: list[ChartSpec]) -> None:
    _SHEETS[data.content](wb, st, names, data, charts)


def write_consolidated(data: PeriodData, target: str | Path | IO[bytes]) -> None:
    """Write the whole consolidated workbook for already gathered data."""
    wb = new_workbook(target)
    st = Styles(wb)
    names = SheetNames()
    charts: list[ChartSpec] = []
    write_status_sheet(wb, st, names, data, charts)
    _form_sheets(wb, st, names, data, charts)
    for part in data.companions:
        _form_sheets(wb, st, names, part, charts)
    write_indicator_sheet(wb, st, names, Heading.of(data, TITLE), compute_indicators(data),
                          [data.source or data.parent])
    write_compare_sheet(wb, st, names, data)
    write_charts_sheet(wb, st, names, Heading.of(data, "Biểu đồ tổng hợp"), charts)
    write_appendix_sheet(wb, st, names, Heading.of(data, "Phụ lục: toàn văn các nội dung dài"))
    set_properties(wb, data, "tong-hop/1")
    wb.close()


def build_consolidated(catalog: Any, store: Any, period_id: str, path: str | Path | IO[bytes], *,
                       today: date | None = None) -> PeriodData:
    """Gather the period from the store and write its consolidated workbook to `path`."""
    data = gather(catalog, store, period_id, today=today, with_previous=True)
    write_consolidated(data, path)
    return data
