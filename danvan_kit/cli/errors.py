"""How a failed `danvan` command is told: one Vietnamese line on stderr and an exit status.

`DanvanGroup` runs the command tree and turns whatever escapes into that line:
click's own usage errors (a missing option, a value of the wrong type), our
ClickExceptions, file system errors (disk full, no permission, read-only disk,
also when wrapped, e.g. in xlsxwriter's FileCreateError) and anything
unexpected. A traceback is printed only with `danvan --debug`.
"""
from __future__ import annotations

import errno
import gc
import sys
import traceback
from pathlib import Path
from typing import Any, NoReturn

import click

from ..publishing.publish import os_error_in

__all__ = ["DanvanGroup", "describe_os_error", "usage_message"]

EXIT_ERROR = 1
_OS_ERRORS = {
    errno.ENOSPC: "ổ đĩa đã đầy, không ghi được {name}; hãy giải phóng dung lượng rồi chạy lại",
    errno.EDQUOT: "đã hết hạn mức dung lượng được phép, không ghi được {name}; hãy giải phóng dung lượng rồi chạy lại",
    errno.EACCES: "không có quyền đọc hoặc ghi {name}; hãy kiểm tra quyền của tệp và thư mục",
    errno.EPERM: "không được phép thao tác trên {name}; hãy kiểm tra quyền của tệp và thư mục",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc, không ghi được {name}",
    errno.ENOENT: "không tìm thấy {name}",
    errno.EISDIR: "{name} là một thư mục, không phải tệp",
    errno.ENOTDIR: "{name} nằm trong một đường dẫn không phải thư mục",
    errno.EEXIST: "{name} đã có",
    errno.EIO: "lỗi thiết bị khi đọc hoặc ghi {name}; hãy kiểm tra ổ đĩa",
}


def describe_os_error(exc: OSError) -> str:
    """A file system error in Vietnamese, naming the file by its name only (never its folders)."""
    name = f"«{Path(exc.filename).name}»" if exc.filename else "tệp"
    template = _OS_ERRORS.get(exc.errno or 0)
    if template:
        return template.format(name=name)
    return f"lỗi hệ thống khi đọc hoặc ghi {name} (mã lỗi {exc.errno})"


def _hint(param: click.Parameter | None, given: Any = None) -> str:
    if given:
        return given if isinstance(given, str) else " / ".join(given)
    if isinstance(param, click.Option):
        return param.opts[0]
    if param is not None:
        return param.metavar or (param.name or "").upper()
    return ""


def _rule(kind: click.ParamType) -> str:
    """What click's type check wanted, in Vietnamese."""
    if isinstance(kind, click.IntRange):
        low, high = kind.min, kind.max
        if low is not None and high is not None:
            return f"phải là số nguyên từ {low} đến {high}"
        return f"phải là số nguyên {'từ ' + str(low) if low is not None else 'đến ' + str(high)}"
    if isinstance(kind, click.types.IntParamType):
        return "phải là số nguyên"
    if isinstance(kind, click.Choice):
        return "phải là một trong: " + ", ".join(str(c) for c in kind.choices)
    if isinstance(kind, click.Path):
        return "không có tệp hoặc thư mục này, hoặc không đúng loại (tệp hay thư mục)"
    return "không đúng dạng"


def usage_message(exc: click.UsageError) -> str:
    """click's usage error (English) as one Vietnamese line that points to --help."""
    command = exc.ctx.command_path if exc.ctx else "danvan"
    see = f" (xem {command} --help)"
    if isinstance(exc, click.MissingParameter):
        return f"thiếu {_hint(exc.param, exc.param_hint)}{see}"
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc.param, exc.param_hint)
        if exc.param is not None:  # click checked the value against the option's type
            return f"giá trị của {hint} không hợp lệ: {_rule(exc.param.type)}{see}"
        return f"{hint}: {exc.message}" if hint else exc.message  # raised by a command: already Vietnamese
    if isinstance(exc, click.NoSuchOption):
        return f"không có tùy chọn {exc.option_name}{see}"
    if isinstance(exc, click.BadOptionUsage):
        return f"tùy chọn {exc.option_name} dùng sai (thiếu giá trị?){see}"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        return f"không có lệnh «{exc.command_name}»{see}"
    return f"lệnh hoặc tham số không hợp lệ{see}"


class DanvanGroup(click.Group):
    """The main group: every error ends as one Vietnamese line and an exit status (traceback only with --debug)."""

    debug = False

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        DanvanGroup.debug = False  # set by the group's --debug while parsing
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except SystemExit:
            raise
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.format_message(), err=True)
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            self._fail(exc, usage_message(exc), exc.exit_code, traceback_too=False)
        except click.ClickException as exc:
            self._fail(exc, exc.format_message(), exc.exit_code)
        except click.Abort as exc:
            self._fail(exc, "đã dừng theo yêu cầu", EXIT_ERROR, traceback_too=False)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no raw traceback for staff
            found = os_error_in(exc)
            message = describe_os_error(found) if found else (
                "lỗi không mong đợi; lệnh chưa hoàn tất. Hãy chạy lại với danvan --debug và gửi nội dung hiện ra "
                "cho người quản trị")
            self._fail(exc, message, EXIT_ERROR)
        sys.exit(result if isinstance(result, int) else 0)

    def _fail(self, exc: BaseException, message: str, status: int, traceback_too: bool = True) -> NoReturn:
        if DanvanGroup.debug and traceback_too:
            # a command's ClickException is raised `from None` over the error it reports: show that one
            shown = (exc.__cause__ or exc.__context__ or exc) if isinstance(exc, click.ClickException) else exc
            traceback.print_exception(type(shown), shown, shown.__traceback__, file=sys.stderr)
        click.echo(f"Lỗi: {message}", err=True)
        _release_quietly(exc)
        sys.exit(status)


def _release_quietly(exc: BaseException) -> None:
    """Let go of what the failed command still holds through its traceback, now and silently.

    On a full disk, xlsxwriter's half-written zip file would otherwise be closed at exit by the
    garbage collector, fail again and print "Exception ignored … OSError" after our one line.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        current: BaseException | None = exc
        seen: set[int] = set()
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            if current.__traceback__ is not None:
                traceback.clear_frames(current.__traceback__)
                current.__traceback__ = None
            current = current.__cause__ or current.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook
