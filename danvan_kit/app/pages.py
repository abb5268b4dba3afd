"""Entry points the notebooks call: one line per page, so notebooks stay thin.

Nobody reaches a page without logging in at the server (app/auth.py); a page shows data
only for the account its request's ticket names. Any unexpected failure is logged for the
server and shown to staff as a Vietnamese sentence.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import ipywidgets as w
from IPython.display import display

from .connection_watch import watch_connection
from .context import App, get_app, request_params

__all__ = ["home_page", "form_page", "desk_page", "show_page"]

log = logging.getLogger(__name__)


def setup_logging(folder: Path | None = None) -> None:
    """Send danvan_kit's log records to <data dir>/logs/app.log (settings.setup_app_log).

    Not to stderr: ipykernel forwards a kernel's stderr (even the process's own
    file descriptor) to the page, and staff must never see a traceback.
    """
    from ..settings import setup_app_log

    setup_app_log(folder)


FAILURE = ("<p style='color:#b00020'>Trang chưa mở được do lỗi hệ thống. Vui lòng tải lại trang sau ít phút "
           "hoặc báo Phòng Nội vụ.</p>")


NO_SESSION = ('<div class="dv-login-needed"><p>Phiên đăng nhập không còn hiệu lực (đã đăng xuất, hết hạn hoặc '
              'trang được mở lại từ lịch sử trình duyệt).</p><p><a href="../../login">Đăng nhập lại</a></p></div>')


def show_page(build: Callable[[App, object, dict], w.Widget], app: App | None = None,
              params: dict[str, str] | None = None, environ: dict[str, str] | None = None,
              show: bool = True) -> w.VBox:
    """Build the page for the request's account; returns the root widget (displayed unless show=False).

    The server let the request in only with a live session; a page whose ticket cannot be redeemed
    (a reload of an old page, a session ended meanwhile) says so and links to the login page.
    """
    from ..widgets.form import STYLE

    style = w.HTML(STYLE)  # also for boxes outside a form: the review comment
    root = w.VBox()
    root.add_class("dv-root")
    try:
        app = app or get_app()
        setup_logging(app.data_dir)
        params = request_params() if params is None else params
        account = app.account_from(environ)
        if account is None:
            root.children = [w.HTML(NO_SESSION)]
        else:
            try:
                root.children = [build(app, account, params)]
                log.info("page built for %s (%s)", account.login, account.role)
            except Exception:
                log.exception("page failed to build")
                root.children = [w.HTML(FAILURE)]
    except Exception:
        setup_logging()
        log.exception("page failed to start")
        root.children = [w.HTML(FAILURE)]
    if show:
        display(w.VBox([style, root]))
        watch_connection()
    return root


def home_page(**kwargs) -> w.VBox:
    from .home import HomeView

    return show_page(lambda app, account, params: HomeView(app, account), **kwargs)


def form_page(form_id: str, **kwargs) -> w.VBox:
    from .form_page import FormPage

    return show_page(lambda app, account, params: FormPage(app, account, form_id, params), **kwargs)


def desk_page(**kwargs) -> w.VBox:
    from .desk import DeskView

    return show_page(lambda app, account, params: DeskView(app, account), **kwargs)
