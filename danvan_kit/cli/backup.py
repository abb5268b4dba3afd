"""`danvan backup` and `danvan restore`: a dated archive of the store and templates, and bringing it back."""
from __future__ import annotations

from pathlib import Path

import click

from .common import _fail, _store_options  # not .commands: it registers this module

__all__ = ["backup", "restore"]


def _figures(counts: dict[str, int]) -> str:
    return (f"{counts.get('revisions', 0)} bản báo cáo, {counts.get('reviews', 0)} lượt duyệt, "
            f"{counts.get('audit_log', 0)} dòng nhật ký, {counts.get('accounts', 0)} tài khoản")


def _local_time(iso: str) -> str:
    """An ISO moment from a manifest as Vietnam time (dd/mm/yyyy HH:MM:SS), or as written if unreadable."""
    from datetime import datetime

    from ..settings import VN_TZ

    try:
        return datetime.fromisoformat(iso).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return iso


@click.command()
@_store_options
@click.option("--to", "to_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Folder for the archives (default: backups/ beside the data directory).")
@click.option("--keep", type=click.IntRange(min=1), metavar="N",
              help="Keep only the N newest archives in that folder, deleting older danvan-backup-*.tar.gz files.")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False), envvar="DANVAN_TEMPLATES",
              metavar="DIR", help="Templates folder to include (env DANVAN_TEMPLATES; default the project's "
                                  "templates/).")
@click.option("--quiet", is_flag=True, help="Print only problems (for cron).")
def backup(db_url: str | None, data_dir: str | None, to_dir: str | None, keep: int | None,
           templates_dir: str | None, quiet: bool) -> None:
    """Write a consistent, dated backup of the store and the templates, safe while the app runs.

    One file danvan-backup-YYYYMMDD-HHMMSS.tar.gz (mode 0600) with a manifest of
    row counts and sha256 checksums. SQLite is copied with its online backup API,
    PostgreSQL with pg_dump; log-in sessions are left out.

    Example: danvan backup --to /srv/danvan/backups --keep 30
    """
    from ..store.backup import BackupError, default_backup_dir, make_backup
    from ..store.engine import resolve_url

    folder = Path(to_dir) if to_dir else default_backup_dir(data_dir)
    try:
        result = make_backup(resolve_url(db_url, data_dir), folder,
                             Path(templates_dir) if templates_dir else None, keep=keep)
    except (BackupError, OSError) as exc:
        raise _fail(exc) from None
    templates = [n for n in result.manifest["members"] if n.startswith("templates/")]
    if not templates:
        click.echo(f"Chú ý: không có thư mục mẫu {result.manifest['templates_root']}; bản sao lưu "
                   f"{result.path.name} chỉ có kho dữ liệu.", err=True)
    if quiet:
        return
    click.echo(f"Đã sao lưu vào {result.path} ({result.size / 1e6:.1f} MB): "
               f"{_figures(result.manifest['row_counts'])}, {len(templates)} tệp mẫu.")
    if result.removed:
        click.echo(f"Đã xoá {len(result.removed)} bản sao lưu cũ, giữ {keep} bản mới nhất trong {folder}.")


@click.command()
@_store_options
@click.argument("archive", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Put the backup's templates in this folder (it must be missing or empty). Default: the "
                   "templates folder in use if it is missing or empty, else a folder beside the store.")
def restore(db_url: str | None, data_dir: str | None, archive: str, templates_dir: str | None) -> None:
    """Bring a backup back into an empty data folder (or empty PostgreSQL database), then upgrade it.

    The manifest and every checksum are checked before anything is written; an
    existing store is never overwritten. Everyone logs in again afterwards.

    Example: danvan restore /srv/danvan/backups/danvan-backup-20261130-021500.tar.gz --data-dir ./data
    """
    from ..store.backup import BackupError
    from ..store.engine import resolve_url
    from ..store.restore import restore_backup

    url = resolve_url(db_url, data_dir)
    try:
        result = restore_backup(Path(archive), url, data_dir=data_dir,
                                templates_dir=Path(templates_dir) if templates_dir else None)
    except (BackupError, OSError) as exc:
        raise _fail(exc) from None
    from sqlalchemy.engine import make_url

    shown = make_url(url).render_as_string(hide_password=True)
    made = _local_time(str(result.manifest.get("created_at", "")))
    click.echo(f"Đã khôi phục {archive} (sao lưu lúc {made}) vào kho {shown}: {_figures(result.counts)}.")
    if result.revision_before != result.revision_after:
        click.echo(f"Đã nâng cấp cấu trúc kho từ phiên bản {result.revision_before} lên {result.revision_after}.")
    notes = {
        "restored": f"Đã chép các mẫu của bản sao lưu vào {result.templates_dir}.",
        "same": f"Thư mục mẫu {result.templates_dir} đã có đúng các mẫu của bản sao lưu.",
        "beside": f"Thư mục mẫu đang dùng có mẫu khác bản sao lưu nên được giữ nguyên; mẫu của bản sao lưu ở "
                  f"{result.templates_dir} (đặt DANVAN_TEMPLATES={result.templates_dir} để dùng).",
        "none": "Bản sao lưu không có thư mục mẫu.",
    }
    click.echo(notes[result.templates_note])
    recorded = result.manifest.get("settings") or {}
    if recorded:
        click.echo("Cài đặt lúc sao lưu: " + "; ".join(f"{k}={v}" for k, v in sorted(recorded.items())))
    click.echo("Phiên đăng nhập không được sao lưu: mọi người cần đăng nhập lại.")
