"""`danvan export`: rebuild the shared Excel workbooks from the store (registered by the CLI)."""
from __future__ import annotations

from pathlib import Path

import click

from .common import _fail, _open, _store_options

__all__ = ["export"]


@click.command()
@_store_options
@click.option("--period", "periods", multiple=True, metavar="ID",
              help="Period to export, e.g. 2026-6t (repeat the option for several).")
@click.option("--all", "all_periods", is_flag=True, help="Every period that has at least one submission.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Output folder (env DANVAN_OUTPUT_DIR; default <data dir>/xuat-excel).")
@click.option("--quiet", is_flag=True, help="No progress bar; print only problems (for cron and the app).")
def export(db_url: str | None, data_dir: str | None, periods: tuple[str, ...], all_periods: bool,
           out_dir: str | None, quiet: bool) -> None:
    """Rebuild the consolidated workbook and the province summary of each period from the store.

    Each file is written as a new dated version in phien-ban/, then copied over
    the latest one atomically; a latest file held open in Excel is left alone and
    the newest version is named instead. Safe to run at any time.

    Example: danvan export --period 2026-6t --out ./data/xuat-excel
    """
    from ..catalog.loading import load_catalog
    from ..publishing.export import export_period
    from ..settings import output_dir
    from ..store import StoreError

    if not periods and not all_periods:
        raise click.UsageError("Chọn kỳ báo cáo với --period (ví dụ --period 2026-6t) hoặc dùng --all.")
    try:
        catalog = load_catalog()
    except (ValueError, OSError) as exc:
        raise _fail(exc) from None
    out = Path(out_dir) if out_dir else output_dir(data_dir)
    with _open(db_url, data_dir) as store:
        try:
            chosen = list(periods)
            known = {x.id for x in catalog.calendar.periods}
            for p in chosen:
                if p not in known:
                    raise click.BadParameter(f"không có kỳ báo cáo {p!r}", param_hint="--period")
            if all_periods:
                actor = store.system_actor()
                chosen += [p.id for p in catalog.calendar.periods if p.id not in chosen
                           and store.submissions(actor, p.id)]
            reports = []
            with click.progressbar(chosen, label="Đang xuất Excel", hidden=quiet,
                                   item_show_func=lambda p: p or "") as bar:
                for period_id in bar:
                    reports.append((period_id, export_period(catalog, store, period_id, out_dir=out)))
        except (StoreError, OSError) as exc:
            raise _fail(exc) from None
    for period_id, report in reports:
        for problem in report.all_problems:
            click.echo(f"[{period_id}] {problem}", err=True)
        if not quiet:
            for r in [report, *report.others]:
                click.echo(f"[{period_id}] {r.newest}")
    if not chosen and not quiet:
        click.echo("Chưa có kỳ báo cáo nào có báo cáo đã nộp.")
