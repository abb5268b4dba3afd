"""`danvan report`: draft a period's written report as a Word document (registered by the CLI)."""
from __future__ import annotations

from pathlib import Path

import click

from .common import _fail, _open, _store_options

__all__ = ["report"]


@click.command()
@_store_options
@click.option("--period", "period_id", required=True, metavar="ID", help="Period, e.g. 2026-nam or 2026-6t.")
@click.option("--unit", "unit_code", metavar="CODE",
              help="The unit's own report from its latest submission (a 6-month or annual period), e.g. XA-AN-PHU.")
@click.option("--reminder", is_flag=True,
              help="The reminder (công văn đôn đốc) to the units that have not submitted or were sent back.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Where to write the .docx (default: its own name in <data dir>/xuat-excel).")
def report(db_url: str | None, data_dir: str | None, period_id: str, unit_code: str | None, reminder: bool,
           out_file: str | None) -> None:
    """Draft a period's written report as a Word document (Decree 30/2020), from the store.

    Without --unit: the district's consolidated report (figures by content area with the same
    period last year, who reported, the units' own words grouped for the officer), or for a
    self-assessment period the notice of results. With --unit: that unit's report. The file is
    written whole or not at all.

    Example: danvan report --period 2026-nam --out bao-cao-nam-2026.docx
    """
    from ..catalog.loading import load_catalog
    from ..forms.template_error import TemplateError
    from ..publishing.publish import write_atomic
    from ..settings import output_dir, private_dir
    from ..store import StoreError
    from ..word import period_document, reminder_document, unit_document

    if unit_code and reminder:
        raise click.UsageError("Chọn một trong hai: --unit (báo cáo của đơn vị) hoặc --reminder (công văn đôn đốc).")
    try:
        catalog = load_catalog()
    except (ValueError, OSError) as exc:
        raise _fail(exc) from None
    if period_id not in {p.id for p in catalog.calendar.periods}:
        raise click.BadParameter(f"không có kỳ báo cáo {period_id!r}", param_hint="--period")
    if unit_code and unit_code not in catalog.organisation.by_code:
        raise click.BadParameter(f"không có đơn vị {unit_code!r}", param_hint="--unit")
    with _open(db_url, data_dir) as store:
        try:
            if unit_code:
                doc = unit_document(catalog, store, store.system_actor(), unit_code, period_id)
            elif reminder:
                doc = reminder_document(catalog, store, period_id)
            else:
                doc = period_document(catalog, store, period_id)
        except (StoreError, TemplateError, ValueError) as exc:
            raise _fail(exc) from None
    target = Path(out_file) if out_file else private_dir(output_dir(data_dir)) / doc.name
    try:
        write_atomic(target, lambda tmp: tmp.write_bytes(doc.content))
    except OSError as exc:
        raise _fail(exc) from None
    click.echo(f"Đã ghi {target}")
