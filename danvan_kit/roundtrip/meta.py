"""Open a filled workbook safely and read what it says it is (its "meta" sheet).

Anything that is not a readable .xlsx made by `danvan blank-form` stops here
with one Vietnamese message: a text or Word file renamed .xlsx, an old .xls, a
password-protected file, a missing meta sheet, an unknown unit, period or
template version.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from ..forms.schema import FormTemplate
from .cells import FORMAT, INPUT_SHEET, META_LABELS, META_SHEET
from .package import MAX_FILE_BYTES, NOT_EXCEL, check_package, too_big
from .problems import ImportProblem

__all__ = ["MAX_FILE_BYTES", "WorkbookMeta", "open_workbook", "read_meta"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class WorkbookMeta:
    """What the workbook identifies itself as, resolved against the catalog."""

    unit: Any
    period: Any
    template: FormTemplate
    item: str
    input_sheet: str
    cells: dict[str, str]          # meta key -> cell (e.g. "unit_code" -> "B3"), for messages

    @property
    def unit_code(self) -> str:
        return self.unit.code


def open_workbook(name: str, content: bytes) -> tuple[Any | None, ImportProblem | None]:
    """openpyxl workbook (formulas kept, not their cached results) or the reason it is not one."""
    def refuse(detail: str = "") -> tuple[None, ImportProblem]:
        return None, ImportProblem(name, NOT_EXCEL + (f": {detail}" if detail else ""))

    if len(content) > MAX_FILE_BYTES:
        return None, too_big(name, len(content))
    if content.startswith(_OLE):
        return refuse("đây là tệp Excel 97–2003 (.xls) hoặc tệp có đặt mật khẩu mở; hãy bỏ mật khẩu và "
                      "lưu lại dạng Sổ làm việc Excel (.xlsx)")
    if not content.startswith(b"PK"):
        return refuse("hãy gửi lại đúng tệp mẫu đã tải bằng danvan blank-form")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                word = "word/document.xml" in names
                return refuse("có vẻ là tệp Word (.docx) được đổi đuôi" if word else "hãy gửi lại đúng tệp mẫu đã tải")
            problem = check_package(name, archive)
    except zipfile.BadZipFile:
        return refuse("tệp bị hỏng hoặc chưa tải về hết")
    if problem:
        return None, problem
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(content), data_only=False, keep_links=False), None
    except Exception as exc:  # noqa: BLE001 - any reader failure means "not a usable workbook"
        return refuse(f"tệp bị hỏng, không đọc được ({type(exc).__name__})")


def _meta_values(ws: Any) -> tuple[dict[str, str], dict[str, str]]:
    values, cells = {}, {}
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 200), max_col=2):
        key, value = row[0].value, row[1].value if len(row) > 1 else None
        if isinstance(key, str) and key.strip() in META_LABELS:
            values[key.strip()] = "" if value is None else str(value).strip()
            cells[key.strip()] = f"B{row[0].row}"
    return values, cells


def read_meta(name: str, wb: Any, catalog: Any) -> tuple[WorkbookMeta | None, list[ImportProblem]]:
    """Resolve unit, period and template named on the meta sheet; problems name the meta cell."""
    if META_SHEET not in wb.sheetnames:
        return None, [ImportProblem(name, f"thiếu trang «{META_SHEET}» (trang ẩn ghi đơn vị, kỳ báo cáo và mẫu "
                                          "biểu): tệp không phải mẫu tạo bằng danvan blank-form hoặc đã bị chép "
                                          "sang sổ khác; hãy nhập số liệu vào mẫu mới tải", sheet=META_SHEET)]
    values, cells = _meta_values(wb[META_SHEET])

    def problem(key: str, message: str) -> ImportProblem:
        return ImportProblem(name, message, META_SHEET, cells.get(key), META_LABELS[key])

    if values.get("format") != FORMAT:
        return None, [problem("format", f"định dạng «{values.get('format', '')}» không phải {FORMAT}; "
                                        "hãy dùng mẫu tải bằng danvan blank-form")]
    problems: list[ImportProblem] = []
    unit = catalog.organisation.by_code.get(values.get("unit_code", ""))
    if unit is None:
        problems.append(problem("unit_code", f"không có đơn vị mã «{values.get('unit_code', '')}» trong cây tổ chức"))
    period = next((p for p in catalog.calendar.periods if p.id == values.get("period_id")), None)
    if period is None:
        problems.append(problem("period_id", f"không có kỳ báo cáo «{values.get('period_id', '')}»"))
    template = None
    form_id, version = values.get("form_id", ""), values.get("template_version", "")
    try:
        template = catalog.form(form_id, int(version))
    except (KeyError, ValueError):
        problems.append(problem("template_version", f"mẫu biểu «{form_id}» phiên bản «{version}» không có trong hệ "
                                                    "thống; hãy tải mẫu mới bằng danvan blank-form"))
    if period is not None and template is not None and period.form != template.id:
        problems.append(problem("form_id", f"kỳ {period.id} dùng mẫu «{period.form}», không phải «{template.id}»"))
    item = str(values.get("item") or "").strip()
    if item and not (item.isascii() and item.isdigit() and 1 <= int(item) <= 9999):
        problems.append(problem("item", f"số thứ tự mô hình «{item[:20]}» phải là số nguyên từ 1 đến 9999"))
    if problems:
        return None, problems
    assert template is not None  # a template that could not be found was reported above
    return WorkbookMeta(unit, period, template, item, values.get("input_sheet") or INPUT_SHEET, cells), []
