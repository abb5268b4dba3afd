"""The contract between the blank workbook and its reader: sheet names, columns, row keys, meta keys.

Both `blank.py` and `read.py` use only these names, so a change of layout is
made in one place. Input cells are found by the key in hidden column A, never by
label text: an inserted row is harmless and a deleted one is reported.
"""
from __future__ import annotations

import re

from ..forms.schema import FieldSpec, FormTemplate

__all__ = [
    "FORMAT", "INPUT_SHEET", "LISTS_SHEET", "META_SHEET", "KEY_COL", "LABEL_COL", "VALUE_COL", "EXTRA_COL",
    "HINT_COL", "MAX_TABLE_ROWS", "META_LABELS", "cell_key", "choice_key", "row_key", "row_key_pattern", "table_rows",
    "excel_fields", "column_letter",
]

FORMAT = "danvan-blank-form/1"          # written in meta; the reader refuses anything else
INPUT_SHEET = "Nhập liệu"
LISTS_SHEET = "Danh sách"
META_SHEET = "meta"

# 0-based columns of the input sheet.
KEY_COL, LABEL_COL, VALUE_COL, EXTRA_COL, HINT_COL = 0, 1, 2, 3, 4
MAX_TABLE_ROWS = 20                     # empty rows offered for a repeat group (capped by its max_rows)

# Meta sheet: key in column A, value in column B, a Vietnamese caption in column C.
META_LABELS: dict[str, str] = {
    "format": "Định dạng tệp",
    "unit_code": "Mã đơn vị",
    "unit_name": "Tên đơn vị",
    "period_id": "Mã kỳ báo cáo",
    "period_title": "Kỳ báo cáo",
    "form_id": "Mã biểu mẫu",
    "template_version": "Phiên bản biểu mẫu",
    "item": "Số thứ tự mô hình",
    "input_sheet": "Trang nhập liệu",
    "created": "Tạo lúc",
}


def cell_key(key: str) -> str:
    """How a row key is written in column A: underscores become dots.

    LibreOffice decodes "_xa_" inside "mang_xa_hoi" as an escaped line break
    when it opens the file, so a key must never contain "_x".
    """
    return key.replace("_", ".")


def choice_key(field: FieldSpec, value: str) -> str:
    """Row key of one option of a select_many field (one Có/Không row per option)."""
    return f"{field.name}={value}"


def row_key(field: FieldSpec, index: int) -> str:
    """Row key of the `index`-th (1-based) row of a repeat group."""
    return f"{field.name}[{index}]"


def row_key_pattern(field: FieldSpec) -> re.Pattern[str]:
    """Matches the column-A text of a repeat group's rows; group 1 is the row number."""
    return re.compile(rf"^{re.escape(cell_key(field.name))}\[(\d+)\]$")


def table_rows(field: FieldSpec) -> int:
    """How many empty rows the workbook offers for a repeat group."""
    return max(field.min_rows, min(field.max_rows, MAX_TABLE_ROWS))


def excel_fields(template: FormTemplate) -> list[FieldSpec]:
    """Top-level fields a unit can answer in Excel (not notes, files or calculations)."""
    return [f for f in template.all_fields() if f.type not in ("note", "file") and not f.calculation]


def column_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 27 -> AB)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
