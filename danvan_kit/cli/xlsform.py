"""`danvan templates export-xlsform` and `import-xlsform`: form templates edited in Excel (XLSForm style).

pyxform is imported by the import command only (inside roundtrip.xlsform_import), so neither
the form layer nor any other command pays for it.
"""
from __future__ import annotations

from pathlib import Path

import click

from .common import _fail

__all__ = ["export_xlsform", "import_xlsform"]

_ROOT = click.option("--root", type=click.Path(exists=True, file_okay=False), envvar="DANVAN_TEMPLATES",
                     metavar="DIR", help="Templates folder (env DANVAN_TEMPLATES; default the project's templates/).")


@click.command("export-xlsform")
@click.argument("form_id", metavar="FORM")
@click.option("--version", type=click.IntRange(1), default=None, metavar="N",
              help="Version of the form (default: the newest).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Workbook to write (.xlsx).")
@_ROOT
def export_xlsform(form_id: str, version: int | None, out: str, root: str | None) -> None:
    """Write a form template as an XLSForm-style workbook (survey, choices, settings) to edit in Excel.

    Our extras (unit, min/max, step, max_score, evidence, rows of a table…) are extra
    columns of the survey sheet; scoring classes are the xep_loai sheet. README,
    "Biểu mẫu trong Excel", lists every column.

    Example: danvan templates export-xlsform tu-cham-diem --out tieu-chi.xlsx
    """
    from ..catalog.loading import load_catalog
    from ..roundtrip.xlsform_export import write_xlsform

    try:
        catalog = load_catalog(root)
        form = catalog.form(form_id, version)
    except KeyError:
        raise click.BadParameter(f"không có biểu mẫu «{form_id}»" + (f" phiên bản {version}" if version else ""),
                                 param_hint="FORM") from None
    except (ValueError, OSError) as exc:
        raise _fail(exc) from None
    try:
        path = write_xlsform(form, Path(out))
    except OSError as exc:
        raise _fail(exc) from None
    click.echo(f"Đã ghi biểu mẫu {form.id} phiên bản {form.version} ra tệp Excel: {path}")


@click.command("import-xlsform")
@click.argument("path", type=click.Path(dir_okay=False), metavar="FILE")
@click.option("--check", is_flag=True, help="Only check the workbook; write nothing.")
@_ROOT
def import_xlsform(path: str, check: bool, root: str | None) -> None:
    """Read an XLSForm-style workbook into a form template (forms/<id>-v<version>.yaml), checked like any template.

    Anything the forms cannot express, and every problem the template check finds,
    is listed naming sheet, row and column; nothing is written then, nor when that
    version already exists (raise `version` in the settings sheet). Run
    `danvan init` afterwards to load the new version into the store.

    Example: danvan templates import-xlsform tieu-chi.xlsx
    """
    from ..catalog.loading import templates_root
    from ..roundtrip.xlsform_import import read_xlsform, save_imported

    if not Path(path).is_file():
        raise click.BadParameter(f"không có tệp «{path}»", param_hint="FILE")
    result = read_xlsform(Path(path))
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    assert result.form is not None
    if check:
        click.echo(f"Tệp hợp lệ: biểu mẫu {result.form.id} phiên bản {result.form.version}")
        return
    try:
        target = save_imported(result, Path(root) if root else templates_root())
    except ValueError as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise _fail(exc) from None
    click.echo(f"Đã nạp biểu mẫu {result.form.id} phiên bản {result.form.version}: {target}")
