"""Export one period: gather once, publish the consolidated workbook and the province summary."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ..excel.consolidated import consolidated_name, write_consolidated
from ..excel.province import summary_name, write_province_summary
from ..figures.period import gather
from ..settings import output_dir
from .publish import ExportReport, export_lock, publish, retry_stale, sweep_temp_files

__all__ = ["export_period"]


def export_period(catalog: Any, store: Any, period_id: str, *, out_dir: Path | None = None,
                  today: date | None = None, lock_timeout: float = 600) -> ExportReport:
    """Rebuild a period's workbooks from the store and publish them under the export lock
    (database-wide on PostgreSQL: see publish.export_lock).

    The report's `problems` (Vietnamese) say what could not be replaced and
    which file is newest; raises only when the store or the folder is unusable.
    """
    out = Path(out_dir) if out_dir is not None else output_dir()
    with export_lock(out, timeout=lock_timeout, engine=store.engine):
        sweep_temp_files(out)
        earlier = retry_stale(out)
        data = gather(catalog, store, period_id, today=today, with_previous=True)   # "cùng kỳ năm trước" sheet
        report = publish(out, consolidated_name(period_id), lambda tmp: write_consolidated(data, tmp))
        summary = publish(out, summary_name(period_id), lambda tmp: write_province_summary(data, tmp))
    report.others.append(summary)
    mine = {p for p in report.all_problems}
    report.problems += [p for p in earlier if p not in mine and consolidated_name(period_id) not in p
                        and summary_name(period_id) not in p]
    return report
