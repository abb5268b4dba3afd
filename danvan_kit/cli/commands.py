"""The `danvan` command: set up the store, manage accounts, see who has reported.

A plain click group, one function per command; each docstring ends with an
example (tests/test_cli_docs.py checks it).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import _emit, _fail, _open, _store_options, _table
from .errors import DanvanGroup

DEMO_PASSCODE = "demo123"
DEMO_ANALYST = "phongnoivu"


def _load_templates(org: str | None) -> tuple[Any, Any, list[Any]]:
    """Organisation, calendar and form templates from the templates folder."""
    from ..catalog import load_catalog

    catalog = load_catalog(org=org)
    return catalog.organisation, catalog.calendar, list(catalog.forms)


@click.group("danvan", cls=DanvanGroup)
@click.option("--debug", is_flag=True,
              help="On an error, also print the Python traceback (for whoever maintains the server).")
def main(debug: bool) -> None:
    """danvan: the store, forms and Excel outputs of the dân vận reporting cycle (Chỉ thị 33/CT-TTg).

    Start with `danvan init`; every command has --help. An error is one
    Vietnamese line and exit status 1 (2 for a mistyped command); --debug adds
    the traceback.

    Example: danvan init --demo
    """
    DanvanGroup.debug = debug


@main.command()
@_store_options
@click.option("--org", type=click.Path(exists=True, dir_okay=False), envvar="DANVAN_ORG", metavar="PATH",
              help="Organisation tree YAML (env DANVAN_ORG; default templates/organisation/hon-quan-2023.yaml).")
@click.option("--demo", is_flag=True,
              help=f"Also create demo accounts: one per reporting unit (login = unit code in lower case) "
                   f"and the analyst '{DEMO_ANALYST}', all with passcode '{DEMO_PASSCODE}'; and fill last year "
                   f"and part of this year with demo reports, marked as demo data (once per store).")
def init(db_url: str | None, data_dir: str | None, org: str | None, demo: bool) -> None:
    """Create or upgrade the store, then load the organisation, calendar and form templates.

    Safe to run again: migrations already applied are skipped and the templates
    are upserted; submissions are never touched. Without --demo no account has a
    known passcode (create them with `danvan users create`) and no report is
    written; --demo adds its demo reports only to a store that has none yet.

    Example: danvan init --data-dir ./data --demo
    """
    from ..store import StoreError

    try:
        organisation, calendar, forms = _load_templates(org)
    except (ValueError, OSError) as exc:  # TemplateError is a ValueError
        raise _fail(exc) from None
    with _open(db_url, data_dir) as store:
        try:
            store.migrate()
            counts = store.load_reference(organisation, calendar, forms)
        except StoreError as exc:
            raise _fail(exc) from None
        click.echo(f"Kho dữ liệu: {store.engine.url.render_as_string(hide_password=True)}")
        click.echo(f"Đã nạp {counts['units']} đơn vị ({organisation.name}), {counts['periods']} kỳ báo cáo, "
                   f"{counts['forms']} biểu mẫu.")
        if demo:
            _create_demo_accounts(store, organisation)
    if demo:
        _fill_demo(db_url, data_dir, org)


def _fill_demo(db_url: str | None, data_dir: str | None, org: str | None) -> None:
    """Last year and part of this year, written through the store with its clock set to each day."""
    from ..catalog import load_catalog
    from ..store import Store, StoreError
    from .demo import demo_clock, fill_demo

    catalog = load_catalog(org=org)
    clock = demo_clock()
    with Store.open(db_url, data_dir=data_dir, validator=catalog.validator, clock=clock) as store:
        try:
            done = fill_demo(store, catalog, clock)
        except StoreError as exc:
            raise _fail(exc) from None
    if done.already:
        click.echo("Kho đã có dữ liệu minh họa: không thêm gì.")
    else:
        click.echo(f"Đã thêm dữ liệu minh họa: {done.submitted} báo cáo ({done.late} nộp trễ), "
                   f"{done.models} mô hình “Dân vận khéo”, {done.reviews} lượt duyệt "
                   f"(kỳ {', '.join(done.periods)}).")


def _create_demo_accounts(store: Any, organisation: Any) -> None:
    wanted = [(DEMO_ANALYST, "analyst", None, "Phòng Nội vụ (chuyên viên, demo)")]
    wanted += [(u.code.lower(), "unit", u.code, u.name) for u in organisation.reporting_units()]
    rows = []
    for login, role, unit, name in wanted:
        if store.account(login) is None:
            store.create_account(login, role=role, unit_code=unit, passcode=DEMO_PASSCODE,
                                 display_name=name, hub_user=login)
            note = "mới tạo"
        else:
            note = "đã có (giữ nguyên mật khẩu)"
        rows.append([login, DEMO_PASSCODE if note == "mới tạo" else "", role, unit or "", name, note])
    click.echo("\nTài khoản demo (chỉ dùng để thử, đừng dùng khi chạy thật):")
    click.echo(_table(["Đăng nhập", "Mật khẩu", "Vai trò", "Đơn vị", "Tên", "Ghi chú"], rows))


@main.group()
def users() -> None:
    """Manage accounts: create one, reset a passcode, disable or enable one, list them all.

    Example: danvan users create xa-an-phu --role unit --unit XA-AN-PHU
    """


def _read_passcode(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")


@users.command("create")
@_store_options
@click.argument("login")
@click.option("--role", type=click.Choice(["unit", "analyst"]), required=True,
              help="unit: staff of one unit (own data only); analyst: Phòng Nội vụ (everything).")
@click.option("--unit", "unit_code", metavar="CODE", help="Unit code for a unit account, e.g. XA-AN-PHU.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--hub-user", metavar="NAME",
              help="JupyterHub user name of this account (kept for a hub login; today every login is at "
                   "the app's own page, with a passcode).")
@click.option("--passcode-stdin", is_flag=True, help="Read the passcode from standard input instead of a prompt.")
@click.option("--no-passcode", is_flag=True,
              help="Create without a passcode: the account cannot log in until `danvan users reset` gives it one.")
def users_create(db_url: str | None, data_dir: str | None, login: str, role: str, unit_code: str | None,
                 display_name: str, hub_user: str | None, passcode_stdin: bool, no_passcode: bool) -> None:
    """Create an account; the passcode is asked twice (or read from stdin) and stored only as a hash.

    Example: echo 'mat-khau-moi' | danvan users create xa-an-phu --role unit --unit XA-AN-PHU --passcode-stdin
    """
    from ..store import StoreError

    passcode = None if no_passcode else _read_passcode(passcode_stdin)
    with _open(db_url, data_dir) as store:
        try:
            account = store.create_account(login, role=role, unit_code=unit_code, passcode=passcode,
                                           display_name=display_name, hub_user=hub_user)
        except StoreError as exc:
            raise _fail(exc) from None
    unit = f", {account.unit_code}" if account.unit_code else ""
    click.echo(f"Đã tạo tài khoản {account.login} ({account.role}{unit}).")


@users.command("reset")
@_store_options
@click.argument("login")
@click.option("--passcode-stdin", is_flag=True, help="Read the new passcode from standard input.")
def users_reset(db_url: str | None, data_dir: str | None, login: str, passcode_stdin: bool) -> None:
    """Set a new passcode for an account: the old one stops working and its open sessions end at once.

    Example: danvan users reset xa-an-phu
    """
    from ..store import StoreError

    passcode = _read_passcode(passcode_stdin)
    with _open(db_url, data_dir) as store:
        try:
            ended = store.set_passcode(login, passcode)
        except StoreError as exc:
            raise _fail(exc) from None
    click.echo(f"Đã đặt lại mật khẩu cho {login}; đã kết thúc {ended} phiên đăng nhập đang mở.")


@users.command("disable")
@_store_options
@click.argument("login")
def users_disable(db_url: str | None, data_dir: str | None, login: str) -> None:
    """Disable an account: it can no longer log in, and its open sessions end at once.

    Its reports and history stay; `danvan users enable` lets it log in again.

    Example: danvan users disable xa-an-phu
    """
    from ..store import StoreError

    with _open(db_url, data_dir) as store:
        try:
            ended = store.set_active(login, False)
        except StoreError as exc:
            raise _fail(exc) from None
    click.echo(f"Đã ngừng tài khoản {login}: không đăng nhập được nữa; đã kết thúc {ended} phiên đăng nhập đang mở.")


@users.command("enable")
@_store_options
@click.argument("login")
def users_enable(db_url: str | None, data_dir: str | None, login: str) -> None:
    """Enable a disabled account again; sessions ended when it was disabled stay ended.

    Example: danvan users enable xa-an-phu
    """
    from ..store import StoreError

    with _open(db_url, data_dir) as store:
        try:
            store.set_active(login, True)
        except StoreError as exc:
            raise _fail(exc) from None
    click.echo(f"Đã mở lại tài khoản {login}; người dùng cần đăng nhập lại.")


@users.command("list")
@_store_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True,
              help="table for people, csv for spreadsheets and scripts.")
def users_list(db_url: str | None, data_dir: str | None, fmt: str) -> None:
    """List accounts (never passcodes).

    Example: danvan users list --format csv
    """
    with _open(db_url, data_dir) as store:
        accounts = store.list_accounts()
    headers = ["login", "role", "unit_code", "display_name", "hub_user", "active"]
    rows = [[a.login, a.role, a.unit_code or "", a.display_name, a.hub_user or "", "yes" if a.active else "no"]
            for a in accounts]
    _emit(headers, rows, fmt)


@main.command()
@_store_options
@click.option("--period", "period_id", required=True, metavar="ID",
              help="Reporting period id, e.g. 2026-6t, 2026-nam, 2026-tcd, 2026-dvk.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True,
              help="table for people, csv for spreadsheets and scripts.")
def status(db_url: str | None, data_dir: str | None, period_id: str, fmt: str) -> None:
    """Who has submitted what for a period, who is late, and the review state of each unit.

    Example: danvan status --period 2026-6t --format csv
    """
    from ..forms.text import format_date
    from ..settings import VN_TZ, local_date
    from ..store import STATUS_LABELS, StoreError

    with _open(db_url, data_dir) as store:
        try:
            rows = store.status(store.system_actor(), period_id)
        except StoreError as exc:
            raise _fail(exc) from None
        today = local_date(store.now())

    def when(value: Any) -> str:
        return value.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if value else ""

    if fmt == "csv":
        headers = ["unit_code", "unit_name", "state", "submitted_at", "on_time", "days_late", "review_state",
                   "revision_count", "last_submitted_at"]
        _emit(headers, [[r.unit_code, r.unit_name, r.state,
                         r.submitted_at.astimezone(VN_TZ).isoformat() if r.submitted_at else "",
                         "" if r.on_time is None else str(r.on_time).lower(), str(r.days_late),
                         r.review_state or "", str(r.revision_count),
                         r.last_submitted_at.astimezone(VN_TZ).isoformat() if r.last_submitted_at else ""]
                        for r in rows], "csv")
        return
    table = [[r.unit_code, r.unit_name, STATUS_LABELS[r.state], when(r.submitted_at),
              {True: "đúng hạn", False: "trễ hạn", None: ""}[r.on_time], str(r.days_late or ""),
              STATUS_LABELS.get(r.review_state or "", ""), str(r.revision_count)] for r in rows]
    submitted = sum(r.submitted_at is not None for r in rows)
    late = sum(r.on_time is False for r in rows)
    click.echo(f"Kỳ {period_id} — hôm nay {format_date(today)}")
    click.echo(_table(["Mã", "Đơn vị", "Trạng thái", "Nộp lúc", "Hạn nộp", "Trễ (ngày)", "Duyệt", "Số bản"], table))
    click.echo(f"\nĐã nộp {submitted}/{len(rows)}; trễ hạn (kể cả chưa nộp) {late}.")



@main.command()
@click.option("--port", default=8866, show_default=True, help="TCP port for Voilà.")
@click.option("--ip", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep 127.0.0.1 behind a reverse proxy.")
@click.option("--data-dir", envvar="DANVAN_DATA_DIR", type=click.Path(file_okay=False), metavar="DIR",
              help="Data directory (env DANVAN_DATA_DIR, default ./data); passed to the kernels as an absolute path.")
@click.option("--hub", is_flag=True,
              help="Run as JupyterHub's single-user command: address and base URL /user/<name>/ from the hub's "
                   "environment, no preheated kernels.")
def serve(port: int, ip: str, data_dir: str | None, hub: bool) -> None:
    """Serve the forms with Voilà over notebooks/, using the project's voila.json.

    Run `danvan init` first (the README's `make serve` does both). Behind
    JupyterHub, `c.Spawner.cmd = ["/srv/danvan/.venv/bin/danvan", "serve", "--hub"]`
    (see hub/jupyterhub_config.py).

    Example: danvan serve --port 8866
    """
    from ..app.server import serve as run

    try:
        run(port=port, ip=ip, data_dir=Path(data_dir) if data_dir else None, hub=hub)
    except RuntimeError as exc:
        raise _fail(exc) from None


@main.command()
@_store_options
@click.option("--port", default=8888, show_default=True, help="TCP port for JupyterLab.")
@click.option("--ip", default="127.0.0.1", show_default=True,
              help="Address to listen on; JupyterLab runs any code as this account, so keep it local.")
@click.option("--allow-root", is_flag=True, help="Let JupyterLab run as root (it refuses otherwise; avoid it).")
def lab(db_url: str | None, data_dir: str | None, port: int, ip: str, allow_root: bool) -> None:
    """Open JupyterLab on analysis/ with the store configured, for analysts' own tables and charts.

    Its kernels read the same store as the app (--db-url or --data-dir), so
    `danvan_kit.analysis.frames("2026-nam")` works at once; analysis/bieu_do_tong_hop.ipynb
    redraws the desk's charts. JupyterLab prints the link with its token.

    Example: danvan lab --port 8888
    """
    from ..app.server import lab as run

    run(port=port, ip=ip, data_dir=Path(data_dir) if data_dir else None, db_url=db_url, allow_root=allow_root)


@main.group()
def templates() -> None:
    """Work with the declarative templates (forms, organisation tree, calendar, Word documents).

    Example: danvan templates check
    """


@templates.command("check")
@click.option("--root", type=click.Path(exists=True, file_okay=False), envvar="DANVAN_TEMPLATES", metavar="DIR",
              help="Templates folder (env DANVAN_TEMPLATES; default the project's templates/).")
def templates_check(root: str | None) -> None:
    """Validate every template before it goes live; each problem names file and field.

    The Word templates (templates/van-ban) are rendered against sample data; a broken
    one is named with its tag. Exits with status 1 when anything is wrong.

    Example: danvan templates check --root ./templates
    """
    from ..catalog.loading import check_templates, templates_root
    from ..word import check_word_templates

    problems = check_templates(root) + check_word_templates(root)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    click.echo(f"Mẫu hợp lệ: {Path(root) if root else templates_root()}")


def _register_commands() -> None:
    """Commands that live beside the code they drive."""
    from .backup import backup, restore
    from .export import export
    from .report import report
    from .roundtrip import blank_form, import_
    from .sessions import sessions
    from .xlsform import export_xlsform, import_xlsform

    for command in (export, report, blank_form, import_, sessions, backup, restore):
        main.add_command(command)
    for command in (export_xlsform, import_xlsform):
        templates.add_command(command)


_register_commands()

