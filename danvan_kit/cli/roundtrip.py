"""`danvan blank-form` and `danvan import`: the Excel round trip (registered into the CLI by the integrator)."""
from __future__ import annotations

from pathlib import Path

import click

from .common import _fail, _store_options  # not ..cli: cli.py registers this module

__all__ = ["blank_form", "import_"]


def _catalog():
    from ..catalog.loading import load_catalog

    try:
        return load_catalog()
    except (ValueError, OSError) as exc:  # TemplateError is a ValueError
        raise _fail(exc) from None


@click.command("blank-form")
@click.option("--unit", "unit_code", required=True, metavar="CODE",
              help="Code of the reporting unit the form is for, e.g. XA-AN-PHU.")
@click.option("--period", "period_id", required=True, metavar="ID",
              help="Reporting period id, e.g. 2026-6t, 2026-nam, 2026-tcd, 2026-dvk.")
@click.option("--item", type=click.IntRange(1, 9999), default=None, metavar="N",
              help="Model number for periods filed per model (Dân vận khéo, e.g. 2); "
                   "default: the next free number, given on import.")
@click.option("--out", "out", type=click.Path(dir_okay=True), metavar="FILE",
              help="Workbook to write, or an existing folder for the default name "
                   "mau-nhap-lieu-<unit>-<period>.xlsx (default: the current folder).")
def blank_form(unit_code: str, period_id: str, item: int | None, out: str | None) -> None:
    """Write a blank Excel form of one unit and period, for units that cannot use the browser.

    One protected input sheet: labels locked, yellow input cells with the form's
    own rules as Excel data validation (number ranges, score maxima, dates, text
    lengths, choice lists), repeat groups as small tables, evidence beside each
    criterion. A hidden sheet names the unit, period and template version, so
    `danvan import` files the answers under the right unit. Attached files cannot
    travel through Excel; the sheet says so.

    Example: danvan blank-form --unit XA-AN-PHU --period 2026-6t --out ./mau-xa-an-phu.xlsx
    """
    from ..roundtrip.blank import BlankFormError, write_blank_form

    catalog = _catalog()
    try:
        path = write_blank_form(catalog, unit_code, period_id, Path(out) if out else Path.cwd(),
                                item=str(item or ""))
    except BlankFormError as exc:
        raise click.BadParameter(str(exc)) from None
    except OSError as exc:
        raise _fail(exc) from None
    click.echo(f"Đã ghi mẫu nhập liệu: {path}")


@click.command("import")
@_store_options
@click.argument("path", type=click.Path(exists=True), metavar="FILE_OR_FOLDER")
@click.option("--unit", "unit_code", metavar="CODE",
              help="Only accept files of this unit (a file of another unit is refused).")
@click.option("--period", "period_id", metavar="ID",
              help="Only accept files of this period, e.g. 2026-6t.")
@click.option("--login", metavar="LOGIN",
              help="Import as this account (a unit account may import only its own unit's files); "
                   "default: the command line's analyst identity.")
@click.option("--dry-run", is_flag=True, help="Check every file and print the problems, store nothing.")
def import_(db_url: str | None, data_dir: str | None, path: str, unit_code: str | None, period_id: str | None,
            login: str | None, dry_run: bool) -> None:
    """Import filled blank-form workbooks (one file, or every .xlsx of a folder) as the units' submissions.

    Each file is checked with the same rules as the browser form; a file with
    any problem stores nothing, and each problem is printed as
    `tệp.xlsx › sheet › ô C14 › «mục»: lỗi`. Importing the same file again makes
    no new revision. Exits with status 1 when any file was refused.

    Example: danvan import ./bao-cao-excel --period 2026-6t --dry-run
    """
    from ..roundtrip.importer import import_path
    from ..store import Store, StoreError

    catalog = _catalog()
    with Store.open(db_url, data_dir=data_dir, validator=catalog.validator) as store:
        try:
            store.list_accounts()  # a store never initialised says "run danvan init" here, not once per file
            actor = store.system_actor()
            if login:
                account = store.account(login)
                if account is None or not account.active:
                    raise click.BadParameter(f"không có tài khoản {login!r} đang hoạt động", param_hint="--login")
                actor = account
            report = import_path(catalog, store, path, actor=actor, unit_code=unit_code, period_id=period_id,
                                 dry_run=dry_run)
        except StoreError as exc:
            raise _fail(exc) from None
    if not report.results:
        click.echo(f"Không có tệp .xlsx nào trong thư mục {path}.", err=True)
        raise SystemExit(1)
    for result in report.results:
        if result.ok:
            click.echo(result.describe())
        for problem in result.problems:
            click.echo(str(problem), err=True)
    click.echo(report.summary())
    if not report.ok:
        raise SystemExit(1)
