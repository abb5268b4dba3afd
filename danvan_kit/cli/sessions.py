"""`danvan sessions`: see who is logged in and end their sessions (registered by the CLI)."""
from __future__ import annotations

from datetime import datetime

import click

from .common import _emit, _fail, _open, _store_options  # not .commands: it registers this module

__all__ = ["sessions"]

END_REASONS_VI = {
    "logout": "đăng xuất",
    "passcode_reset": "đặt lại mật khẩu",
    "disabled": "tài khoản bị ngừng",
    "ended_by_admin": "quản trị kết thúc",
    "expired": "hết hạn",
}


@click.group()
def sessions() -> None:
    """See who is logged in to the forms and end sessions (the tokens themselves are never shown).

    Example: danvan sessions list --all
    """


def _vn(moment: datetime | None, iso: bool = False) -> str:
    from ..settings import VN_TZ

    if moment is None:
        return ""
    local = moment.astimezone(VN_TZ)
    return local.isoformat() if iso else local.strftime("%d/%m/%Y %H:%M")


@sessions.command("list")
@_store_options
@click.option("--all", "show_all", is_flag=True, help="Also list sessions that have ended, and why.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True,
              help="table for people, csv for spreadsheets and scripts.")
def sessions_list(db_url: str | None, data_dir: str | None, show_all: bool, fmt: str) -> None:
    """List open log-in sessions by account: when they began, when last seen, from which address and browser.

    Example: danvan sessions list --all --format csv
    """
    from ..store import StoreError

    with _open(db_url, data_dir) as store:
        try:
            found = store.list_sessions(active_only=not show_all)
        except (StoreError, ValueError) as exc:
            raise _fail(exc) from None
    if fmt == "csv":
        _emit(["login", "created_at", "last_seen", "client", "user_agent", "ended_at", "end_reason"],
              [[s.login, _vn(s.created_at, True), _vn(s.last_seen, True), s.client, s.user_agent,
                _vn(s.ended_at, True), s.end_reason or ""] for s in found], "csv")
        return
    if not found:
        click.echo("Chưa có phiên đăng nhập nào." if show_all else "Không có phiên đăng nhập nào đang mở.")
        return
    headers = ["Tài khoản", "Đăng nhập lúc", "Lần cuối", "Địa chỉ", "Trình duyệt"]
    if show_all:
        headers += ["Kết thúc lúc", "Lý do"]
    rows = []
    for s in found:
        agent = s.user_agent if len(s.user_agent) <= 40 else s.user_agent[:39] + "…"
        row = [s.login, _vn(s.created_at), _vn(s.last_seen), s.client, agent]
        if show_all:
            row += [_vn(s.ended_at), END_REASONS_VI.get(s.end_reason or "", s.end_reason or "")]
        rows.append(row)
    _emit(headers, rows, "table")
    if show_all:
        open_now = sum(s.ended_at is None for s in found)
        click.echo(f"\n{len(found)} phiên, {open_now} đang mở.")


@sessions.command("end")
@_store_options
@click.argument("login", required=False)
@click.option("--all", "end_all", is_flag=True, help="End the open sessions of every account (everyone logs in again).")
def sessions_end(db_url: str | None, data_dir: str | None, login: str | None, end_all: bool) -> None:
    """End the open sessions of one account, or of every account with --all: open pages stop working at once.

    Example: danvan sessions end xa-an-phu
    """
    from ..store import StoreError

    if login is None and not end_all:
        raise _fail(ValueError("Chưa chọn tài khoản: ghi tên đăng nhập (ví dụ: danvan sessions end xa-an-phu) "
                               "hoặc dùng --all để kết thúc phiên của mọi tài khoản."))
    if login is not None and end_all:
        raise _fail(ValueError(f"Chỉ chọn một: tên đăng nhập {login!r} hoặc --all, không dùng cả hai."))
    with _open(db_url, data_dir) as store:
        try:
            ended = store.end_sessions(None if end_all else login, reason="ended_by_admin")
        except StoreError as exc:
            raise _fail(exc) from None
    whose = "của mọi tài khoản" if end_all else f"của {login}"
    click.echo(f"Đã kết thúc {ended} phiên đăng nhập {whose}.")
