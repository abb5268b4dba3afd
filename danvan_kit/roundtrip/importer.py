"""Check filled workbooks with the form engine and store each as its unit's submission.

All or nothing per file: one problem anywhere and that file stores nothing.
The rules are the browser form's (`validate_submission`); this module only
maps the engine's field keys back to cells. The attempt id is a hash of the
file content, unit, period and form, so importing the same file twice makes
one revision; a file whose answers equal the latest submitted revision makes
none either.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any, Iterable

from ..forms.engine import validate_submission
from ..settings import local_date
from ..store.reference import unopened_message
from .problems import ImportProblem
from .read import FilledWorkbook, read_workbook

__all__ = ["FileResult", "ImportReport", "import_file", "import_path", "workbook_files"]

_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_CELL = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass
class FileResult:
    """What happened to one file: stored, already there, checked only (dry run), or refused with problems."""

    path: Path
    problems: list[ImportProblem] = dc_field(default_factory=list)
    unit_code: str = ""
    unit_name: str = ""
    period_id: str = ""
    form_id: str = ""
    item: str = ""
    revision_number: int | None = None
    stored: bool = False
    duplicate: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        """One Vietnamese line for a file that passed."""
        what = f"{self.unit_name} ({self.unit_code}), kỳ {self.period_id}"
        what += f", mô hình số {self.item}" if self.item else ""
        if self.dry_run:
            return f"{self.path.name}: hợp lệ — {what} (chưa lưu vì --dry-run)"
        if self.duplicate:
            return f"{self.path.name}: đã có — {what}, bản {self.revision_number}; không lưu thêm bản mới"
        return f"{self.path.name}: đã lưu — {what}, bản {self.revision_number}"


@dataclass
class ImportReport:
    """Every file's result; `refused` counts files that stored nothing because of a problem."""

    results: list[FileResult] = dc_field(default_factory=list)

    @property
    def stored(self) -> int:
        """Files that made a new revision."""
        return sum(r.stored for r in self.results)

    @property
    def unchanged(self) -> int:
        """Files already in the store (same file, or the same answers): no new revision."""
        return sum(r.ok and r.duplicate for r in self.results)

    @property
    def checked(self) -> int:
        """Files that passed every check in a dry run."""
        return sum(r.ok and r.dry_run for r in self.results)

    @property
    def refused(self) -> int:
        return sum(not r.ok for r in self.results)

    @property
    def ok(self) -> bool:
        return self.refused == 0

    @property
    def problems(self) -> list[ImportProblem]:
        return [p for r in self.results for p in r.problems]

    def summary(self) -> str:
        """e.g. "3 tệp: 1 đã lưu, 1 đã có (không lưu thêm), 1 bị từ chối"."""
        parts = [f"{self.stored} đã lưu"]
        if self.unchanged:
            parts.append(f"{self.unchanged} đã có (không lưu thêm)")
        if self.checked:
            parts.append(f"{self.checked} hợp lệ (chưa lưu vì --dry-run)")
        parts.append(f"{self.refused} bị từ chối")
        return f"{len(self.results)} tệp: " + ", ".join(parts)


def attempt_id(book: FilledWorkbook) -> str:
    """Stable per (file content, unit, period, form): the same file imported twice is one attempt."""
    meta = book.meta
    assert meta is not None  # only a workbook whose meta sheet was read is imported
    key = "\n".join([book.sha256, meta.unit_code, meta.period.id, meta.template.id])
    return "xlsx-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _in_sheet_order(problems: list[ImportProblem]) -> list[ImportProblem]:
    """Problems without a cell first, then by row and column, as the unit reads the sheet."""
    def key(p: ImportProblem) -> tuple[int, int, int, str]:
        match = _CELL.match(p.cell or "")
        return (1, int(match.group(2)), len(match.group(1)), match.group(1)) if match else (0, 0, 0, "")
    return sorted(problems, key=key)


def _engine_problems(book: FilledWorkbook, errors: Iterable[Any]) -> list[ImportProblem]:
    out = []
    for e in errors:
        if e.field in book.failed:
            continue
        base = e.field.split("[")[0].split("__")[0]
        cell, label = book.cells.get(e.field) or book.cells.get(base) or (None, e.label)
        out.append(ImportProblem(book.name, e.message, book.sheet, cell, label, e.field))
    return out


def _identity_problems(book: FilledWorkbook, actor: Any, unit_code: str | None,
                       period_id: str | None) -> list[ImportProblem]:
    """The file's unit and period must be the ones asked for, and a unit account may import only its own."""
    meta = book.meta
    assert meta is not None  # import_file checked the meta sheet first
    unit = f"tệp của đơn vị {meta.unit.name} ({meta.unit_code})"

    def problem(key: str, label: str, message: str) -> ImportProblem:
        return ImportProblem(book.name, message, "meta", meta.cells.get(key), label)

    problems = []
    if unit_code and unit_code != meta.unit_code:
        problems.append(problem("unit_code", "Mã đơn vị", f"{unit}, không phải đơn vị {unit_code} đã chọn khi nhập"))
    if actor is not None and getattr(actor, "role", "") == "unit" and actor.unit_code != meta.unit_code:
        problems.append(problem("unit_code", "Mã đơn vị", f"{unit}; tài khoản {actor.login} chỉ được nhập báo cáo "
                                                          f"của đơn vị {actor.unit_code}"))
    if period_id and period_id != meta.period.id:
        problems.append(problem("period_id", "Mã kỳ báo cáo", f"tệp của kỳ {meta.period.id} ({meta.period.title}), "
                                                              f"không phải kỳ {period_id} đã chọn khi nhập"))
    return problems


def _item(store: Any, actor: Any, book: FilledWorkbook, dry_run: bool) -> str:
    """The model number: the file's, else a new one allocated by the store (periods filed per model only).

    A dry run allocates nothing and names the number the next registration would get now.
    """
    meta = book.meta
    assert meta is not None  # import_file checked the meta sheet first
    if meta.period.kind != "models":
        return ""
    if meta.item:
        return meta.item
    if not dry_run:
        return store.new_item(actor, meta.unit_code, meta.template.id, meta.period.id)
    from ..store import next_model_number

    return next_model_number(store.items(actor, meta.unit_code, meta.template.id, meta.period.id))


def import_file(catalog: Any, store: Any, path: str | Path, *, actor: Any = None, unit_code: str | None = None,
                period_id: str | None = None, dry_run: bool = False) -> FileResult:
    """Read, check and (unless dry_run) store one workbook; never raises for a bad file."""
    from ..store import StoreError, ValidationFailed

    path = Path(path)
    result = FileResult(path=path, dry_run=dry_run)
    book = read_workbook(path, catalog)
    if book.meta is None:
        result.problems = book.problems
        return result
    meta = book.meta
    result.unit_code, result.unit_name = meta.unit_code, meta.unit.name
    result.period_id, result.form_id = meta.period.id, meta.template.id
    if book.stopped:  # e.g. a renamed input sheet: every answer would look missing, so say only that
        result.problems = book.problems
        return result
    identity = _identity_problems(book, actor, unit_code, period_id)
    if identity:
        result.problems = identity
        return result
    today = local_date(store.now())  # the store's day: opening and `max: today` as the store will check them
    if not meta.period.is_open(today):
        result.problems = [ImportProblem(book.name, unopened_message(meta.period.title, meta.period.opens, "nộp "
                                         "báo cáo"), "meta", meta.cells.get("period_id"), "Mã kỳ báo cáo")]
        return result
    checked = validate_submission(meta.template, book.raw, today=today)
    result.problems = _in_sheet_order(book.problems + _engine_problems(book, checked.errors))
    if result.problems or checked.data is None:
        if not result.problems:  # pragma: no cover - the engine always explains a refusal
            result.problems = [ImportProblem(book.name, "dữ liệu không hợp lệ", book.sheet)]
        return result
    actor = actor if actor is not None else store.system_actor()
    key = (meta.unit_code, meta.template.id, meta.period.id)
    try:
        result.item = _item(store, actor, book, dry_run)
        if dry_run:
            return result
        latest = store.latest(actor, *key, item=result.item, submitted_only=True)
        if latest is not None and latest.template_version == meta.template.version and latest.data == checked.data:
            result.duplicate, result.revision_number = True, latest.number
            return result
        submitted = store.submit(actor, *key, checked.data, template_version=meta.template.version,
                                 attempt_id=attempt_id(book), item=result.item)
    except ValidationFailed as exc:
        result.problems = [ImportProblem(book.name, message, book.sheet) for message in exc.errors]
        return result
    except StoreError as exc:  # access denied, unknown unit in the store, template version not loaded, busy
        result.problems = [ImportProblem(book.name, str(exc))]
        return result
    result.stored = not submitted.duplicate
    result.duplicate = submitted.duplicate
    result.revision_number = submitted.revision.number
    return result


def workbook_files(folder: Path) -> list[Path]:
    """Workbooks of a folder (not its subfolders), by name; Excel's ~$ lock files and hidden files skipped."""
    return sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES
                   and not p.name.startswith(("~$", "."))), key=lambda p: p.name.casefold())


def import_path(catalog: Any, store: Any, path: str | Path, *, actor: Any = None, unit_code: str | None = None,
                period_id: str | None = None, dry_run: bool = False) -> ImportReport:
    """Import one file or every workbook of a folder; each file stands or falls alone."""
    path = Path(path)
    files = workbook_files(path) if path.is_dir() else [path]
    report = ImportReport()
    for file in files:
        report.results.append(import_file(catalog, store, file, actor=actor, unit_code=unit_code,
                                          period_id=period_id, dry_run=dry_run))
    return report

