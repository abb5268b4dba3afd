"""Helpers of the round-trip tests: fill a blank workbook the way a unit would (with openpyxl), break it."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Callable

import openpyxl

from danvan_kit.roundtrip import write_blank_form

INPUT = "Nhập liệu"
VALUE, EXTRA = 3, 4  # 1-based columns C and D


def keys(ws: Any) -> dict[str, int]:
    """Row of each key in hidden column A (written with dots for underscores; no shipped name has a dot)."""
    return {c.value.replace(".", "_"): c.row for (c,) in ws.iter_rows(min_col=1, max_col=1)
            if isinstance(c.value, str) and c.value}


def blank(catalog: Any, folder: Path, unit: str, period: str, name: str | None = None, item: str = "") -> Path:
    return write_blank_form(catalog, unit, period, folder / name if name else folder, item=item)


def fill(path: Path, template: Any, answers: dict[str, Any], rows: dict[str, list[dict | None]] | None = None) -> Path:
    """Type answers into the input cells found by key; select_many as a list of values; None rows stay empty."""
    wb = openpyxl.load_workbook(path)
    ws = wb[INPUT]
    at = keys(ws)
    for name, value in answers.items():
        if name.endswith("__evidence"):
            ws.cell(at[name.removesuffix("__evidence")], EXTRA).value = value
            continue
        f = template.field(name)
        if f.type == "select_many":
            for c in f.choices:
                ws.cell(at[f"{name}={c.value}"], VALUE).value = "Có" if c.value in value else "Không"
        elif f.type == "yes_no" and isinstance(value, bool):
            ws.cell(at[name], VALUE).value = "Có" if value else "Không"
        else:
            ws.cell(at[name], VALUE).value = value
    for name, row_list in (rows or {}).items():
        subs = [s.name for s in template.field(name).fields]
        for i, row in enumerate(row_list, start=1):
            for sub, value in (row or {}).items():
                ws.cell(at[f"{name}[{i}]"], VALUE + subs.index(sub)).value = value
    wb.save(path)
    return path


def edit(path: Path, change) -> Path:
    """Open with openpyxl, let `change(wb)` break something, save."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def cell_of(path: Path, key: str, column: str = "C") -> str:
    wb = openpyxl.load_workbook(path)
    return f"{column}{keys(wb[INPUT])[key]}"


def patch_xml(path: Path, old: str, new: str) -> Path:
    """Replace text inside the package's XML (to plant what openpyxl refuses to write, e.g. _x0000_)."""
    src = path.read_bytes()
    out = io.BytesIO()
    patched = []
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if old.encode() in data:
                data = data.replace(old.encode(), new.encode())
                patched.append(info.filename)
            zout.writestr(info, data)
    assert patched, f"{old!r} is in no part of {path.name}"
    path.write_bytes(out.getvalue())
    return path


def rewrite_part(path: Path, target: Path, part: str, write: Callable[[bytes, BinaryIO], None]) -> Path:
    """Copy the package to `target`, streaming part `part` through write(old_bytes, out) (for huge parts)."""
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        assert part in zin.namelist(), f"{part} is not in {path.name}"
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                with zout.open(part, "w", force_zip64=True) as out:
                    write(data, out)
            else:
                zout.writestr(info, data)
    return target
