"""Read a filled blank-form workbook into raw answers, and remember which cell each answer came from.

Cells are found by the key in hidden column A (see layout.py), never by label.
Nothing is checked here that the form engine checks: values go to
`validate_submission` as typed (text, Excel numbers, Excel dates). Only what
is Excel's own business is refused here: a formula, an error value (#DIV/0!),
a deleted or duplicated row, a renamed sheet.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..forms.schema import FieldSpec, FormTemplate
from ..forms.text import format_date
from ..forms.values import coerce_value
from .cells import (
    EXTRA_COL,
    KEY_COL,
    VALUE_COL,
    cell_key,
    choice_key,
    column_letter,
    excel_fields,
    row_key_pattern,
)
from .meta import WorkbookMeta, open_workbook, read_meta
from .package import MAX_FILE_BYTES, MAX_ROWS, too_big
from .problems import ImportProblem

__all__ = ["FilledWorkbook", "read_workbook", "read_workbook_bytes"]

_TEXTUAL = {"text", "long_text", "select_one", "select_many", "yes_no"}
_YES_NO = FieldSpec(name="x", type="yes_no", label="x")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Excel stores control characters as _xHHHH_ (e.g. a Word line break pasted as _x000B_); openpyxl
    leaves them as typed letters, so the engine would store "_x000B_". Decode them so its rules see them."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


@dataclass
class FilledWorkbook:
    """The answers of one file: `raw` for the engine, `cells` maps each engine key to (cell, label)."""

    name: str
    sha256: str
    meta: WorkbookMeta | None = None
    raw: dict[str, Any] = dc_field(default_factory=dict)
    cells: dict[str, tuple[str, str]] = dc_field(default_factory=dict)
    failed: set[str] = dc_field(default_factory=set)       # keys already reported (no second engine message)
    problems: list[ImportProblem] = dc_field(default_factory=list)
    stopped: bool = False    # a structural problem (no input sheet): no answer was read, so none may be checked

    @property
    def template(self) -> FormTemplate | None:
        return self.meta.template if self.meta else None

    @property
    def sheet(self) -> str | None:
        return self.meta.input_sheet if self.meta else None


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else format(value, ".15g")


def to_raw(value: Any, ftype: str) -> Any:
    """An openpyxl cell value as the engine takes it: Excel dates become dates, numbers in text fields text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if ftype == "date":
            return value.date()
        return format_date(value) if value.time() == time(0) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value if ftype == "date" else format_date(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return value if ftype in ("yes_no", "integer", "decimal") else ("Có" if value else "Không")
    if isinstance(value, (int, float)) and ftype in _TEXTUAL:
        return _number_text(value)
    if isinstance(value, str):
        return unescape_ooxml(value)
    return value


class _Reader:
    def __init__(self, book: FilledWorkbook, ws: Any):
        self.book, self.ws = book, ws
        self.index: dict[str, int] = {}
        for (cell,) in ws.iter_rows(min_col=KEY_COL + 1, max_col=KEY_COL + 1, max_row=min(ws.max_row, MAX_ROWS)):
            key = cell.value.strip() if isinstance(cell.value, str) else ""
            if not key:
                continue
            if key in self.index:
                self.problem(f"dòng {cell.row} trùng mã «{key}» với dòng {self.index[key]} (dòng bị sao chép hoặc "
                             "chèn thêm?): hãy xoá dòng thừa", cell=f"{column_letter(KEY_COL)}{cell.row}")
                continue
            self.index[key] = cell.row

    def row_of(self, key: str) -> int | None:
        return self.index.get(cell_key(key))

    def problem(self, message: str, cell: str | None = None, label: str | None = None, key: str | None = None) -> None:
        self.book.problems.append(ImportProblem(self.book.name, message, self.book.sheet, cell, label, key))
        if key:
            self.book.failed.add(key)

    def deleted(self, key: str, label: str) -> None:
        self.problem(f"dòng nhập mục này đã bị xoá (không thấy mã «{cell_key(key)}» ở cột A ẩn); hãy khôi phục dòng "
                     "hoặc chép số liệu sang mẫu mới", label=label, key=key)

    def value(self, row: int, col: int, ftype: str, label: str, key: str) -> tuple[Any, str]:
        """The raw value of one cell and its address; formulas and error values are reported, not read."""
        cell = self.ws.cell(row=row, column=col + 1)
        where = cell.coordinate
        if cell.data_type == "f" or type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula"):
            self.problem(f"ô {where} chứa công thức; hãy nhập giá trị (gõ số liệu, không bắt đầu bằng dấu =)",
                         where, label, key)
            return None, where
        if cell.data_type == "e":
            self.problem(f"ô {where} có giá trị lỗi {cell.value}; hãy nhập giá trị", where, label, key)
            return None, where
        return to_raw(cell.value, ftype), where

    # ---- one field --------------------------------------------------------
    def simple(self, f: FieldSpec) -> None:
        row = self.row_of(f.name)
        if row is None:
            self.deleted(f.name, f.label)
            return
        self.book.raw[f.name], where = self.value(row, VALUE_COL, f.type, f.label, f.name)
        self.book.cells[f.name] = (where, f.label)
        if f.evidence:
            label = f"{f.label} — minh chứng"
            self.book.raw[f.evidence_name], where = self.value(row, EXTRA_COL, "long_text", label, f.evidence_name)
            self.book.cells[f.evidence_name] = (where, label)

    def select_many(self, f: FieldSpec) -> None:
        if self.row_of(f.name) is None:
            self.deleted(f.name, f.label)
            return
        chosen = []
        first = None
        for choice in f.choices or []:
            key, label = choice_key(f, choice.value), f"{f.label}: {choice.label}"
            row = self.row_of(key)
            if row is None:
                self.deleted(key, label)
                self.book.failed.add(f.name)
                continue
            raw, where = self.value(row, VALUE_COL, "yes_no", label, f.name)
            first = first or where
            picked, error = coerce_value(_YES_NO, raw)
            if error:
                self.problem(error, where, label, f.name)
            elif picked:
                chosen.append(choice.label)
        self.book.raw[f.name] = chosen
        self.book.cells[f.name] = (first or f"{column_letter(VALUE_COL)}{self.row_of(f.name)}", f.label)

    def repeat(self, f: FieldSpec) -> None:
        pattern = row_key_pattern(f)
        found = sorted((row, int(m.group(1))) for key, row in self.index.items() if (m := pattern.match(key)))
        head = self.row_of(f.name)
        if head is None and not found:
            self.deleted(f.name, f.label)
            return
        self.book.cells[f.name] = (f"B{head or found[0][0]}", f.label)
        subs = [s for s in f.fields or [] if not s.calculation and s.type not in ("note", "file")]
        rows: list[dict[str, Any]] = []
        for sheet_row, number in found:
            values, where, failed = {}, {}, []
            for j, sub in enumerate(f.fields or []):
                if sub not in subs:
                    continue
                label = f"{f.label}, dòng {number}: {sub.label}"
                before = len(self.book.problems)
                values[sub.name], where[sub.name] = self.value(sheet_row, VALUE_COL + j, sub.type, label, "")
                if len(self.book.problems) > before:
                    failed.append(sub.name)
            if all(coerce_value(sub, values[sub.name]) == (None, None) for sub in subs):
                continue  # the engine drops an empty row too; keeping indexes aligned with its numbering
            rows.append(values)
            i = len(rows)
            for sub in subs:
                key = f"{f.name}[{i}].{sub.name}"
                self.book.cells[key] = (where[sub.name], f"{f.label}, dòng {number}: {sub.label}")
                if sub.name in failed:
                    self.book.failed.add(key)
        self.book.raw[f.name] = rows


def read_workbook_bytes(name: str, content: bytes, catalog: Any) -> FilledWorkbook:
    """Read one filled workbook given as bytes; `name` is used in every message."""
    book = FilledWorkbook(name=name, sha256=hashlib.sha256(content).hexdigest())
    wb, problem = open_workbook(name, content)
    if problem:
        book.problems.append(problem)
        return book
    assert wb is not None  # open_workbook gives a workbook or a problem
    try:
        meta, problems = read_meta(name, wb, catalog)
        if problems:
            book.problems.extend(problems)
            return book
        assert meta is not None  # read_meta gives the meta or its problems
        book.meta = meta
        if meta.input_sheet not in wb.sheetnames:
            others = ", ".join(f"«{s.title}»" for s in wb.worksheets if s.sheet_state == "visible") or "không có"
            book.problems.append(ImportProblem(
                name, f"không tìm thấy trang «{meta.input_sheet}» (các trang đang có: {others}): trang nhập liệu "
                      f"đã bị đổi tên hoặc xoá — hãy đặt lại đúng tên «{meta.input_sheet}»", meta.input_sheet))
            book.stopped = True
            return book
        reader = _Reader(book, wb[meta.input_sheet])
        for f in excel_fields(meta.template):
            if f.type == "repeat":
                reader.repeat(f)
            elif f.type == "select_many":
                reader.select_many(f)
            else:
                reader.simple(f)
    finally:
        wb.close()
    return book


def read_workbook(path: str | Path, catalog: Any) -> FilledWorkbook:
    """Read one filled workbook from disk (see read_workbook_bytes)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:  # never more than the limit in memory, however large the file
            content = handle.read(MAX_FILE_BYTES + 1)
            size = max(len(content), os.fstat(handle.fileno()).st_size)
    except OSError as exc:
        book = FilledWorkbook(name=path.name, sha256="")
        book.problems.append(ImportProblem(path.name, f"không đọc được tệp ({exc.strerror or exc})"))
        return book
    if size > MAX_FILE_BYTES:
        book = FilledWorkbook(name=path.name, sha256="")
        book.problems.append(too_big(path.name, size))
        return book
    return read_workbook_bytes(path.name, content, catalog)
