"""The settings sheet and our xep_loai sheet of an XLSForm workbook, read into a template's top keys
and its scoring (a part of `xlsform_import`)."""
from __future__ import annotations

import re
from typing import Any

from ..forms.numbers import parse_number
from .xlsform_sheets import CLASS_COLUMNS, CLASSES, SETTINGS, SETTINGS_COLUMNS, is_yes

__all__ = ["read_settings"]

def read_settings(reader: Any) -> dict[str, Any]:
    """id, title, version… and scoring from the settings and xep_loai sheets; problems go to `reader`."""
    rows = [r for r in reader.rows(SETTINGS) if r]
    reader.unknown_columns(SETTINGS, rows, SETTINGS_COLUMNS, ignored=("default_language",))
    if len(rows) != 1:
        reader.refuse(SETTINGS, None, None, "sheet settings cần đúng một dòng dữ liệu (form_id, version, form_title)")
        return {}
    row = rows[0]
    out: dict[str, Any] = {"id": row.get("form_id", ""), "title": row.get("form_title", "")}
    for key, target in (("version", "version"), ("applies_from", "applies_from")):
        if row.get(key):
            try:
                out[target] = int(parse_number(row[key]))
            except ValueError:
                reader.refuse(SETTINGS, 2, key, f"phải là số nguyên (đang ghi «{row[key][:40]}»)")
    if row.get("code"):
        out["code"] = row["code"]
    if row.get("description"):
        out["description"] = row["description"]
    if "example" in row:
        out["example"] = is_yes(row["example"])
    bands = [b for b in reader.rows(CLASSES) if b]
    if bands or row.get("total_max") or row.get("ineligible_when"):
        scoring: dict[str, Any] = {}
        if row.get("total_max"):
            scoring["total_max"] = parse_number(row["total_max"]) if re.fullmatch(r"[\d.,]+", row["total_max"]) \
                else row["total_max"]
        for key in ("ineligible_when", "ineligible_label"):
            if row.get(key):
                scoring[key] = row[key]
        classes = []
        for i, band in enumerate(reader.rows(CLASSES), start=2):
            if not band:
                continue
            for key in band:
                if key not in CLASS_COLUMNS:
                    reader.refuse(CLASSES, i, key, f"cột «{key}» không thuộc thang xếp loại (label, from, below)")
            item: dict[str, Any] = {"label": band.get("label", "")}
            for key in ("from", "below"):
                if band.get(key):
                    try:
                        item[key] = parse_number(band[key])
                    except ValueError:
                        reader.refuse(CLASSES, i, key, f"phải là một số (đang ghi «{band[key][:40]}»)")
            classes.append(item)
        scoring["classes"] = classes
        out["scoring"] = scoring
    return out


