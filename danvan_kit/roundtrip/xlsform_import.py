"""Read an XLSForm-style workbook (ours, or one edited in Excel) back into a YAML form template.

The package is size- and shape-checked first (`package.check_package`, the blank-form
import's limits); pyxform's reader (`xls2json_backends.xlsx_to_dict`, imported only here,
inside `read_xlsform`) turns the sheets into rows; our mapping (`xlsform_sheets`) makes a
template, which the form loader itself checks. Everything we cannot express, and every
problem the loader finds, is refused naming the sheet, the row and the column, in
Vietnamese; the caller writes nothing unless the result has no problem.
"""
from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..forms.bounds import parse_bound
from ..forms.loader import load_form
from ..forms.numbers import parse_number
from ..forms.schema import FormTemplate
from ..forms.template_error import TemplateError
from ..forms.yamlfile import read_yaml
from .cells import column_letter
from .package import MAX_FILE_BYTES, NOT_EXCEL, check_package
from .problems import ImportProblem
from .xlsform_settings import read_settings
from .xlsform_sheets import (
    CHOICE_COLUMNS,
    CHOICES,
    CLASSES,
    HARMLESS_APPEARANCE,
    SETTINGS,
    SURVEY,
    SURVEY_COLUMNS,
    TYPE_IN,
    YES_NO_CHOICES,
    YES_NO_LIST,
    filter_from_xlsform,
    from_xlsform,
    is_yes,
    text_from_xlsform,
)

__all__ = ["XlsformResult", "read_xlsform", "save_imported"]

_NUMBER_KEYS = {"min", "max", "step", "max_length", "max_score", "min_rows", "max_rows", "max_size_mb"}
_WHOLE_KEYS = {"max_length", "min_rows", "max_rows"}
_NOT_YET = {"label::": "nhãn nhiều ngôn ngữ", "media::": "hình ảnh, âm thanh kèm câu hỏi",
            "image": "hình ảnh kèm câu hỏi", "audio": "âm thanh kèm câu hỏi", "video": "video kèm câu hỏi",
            "trigger": "tính lại khi một trường đổi (trigger)", "read_only": "chỉ đọc (read_only)",
            "parameters": "tham số của câu hỏi (parameters)"}


@dataclass
class XlsformResult:
    """What was read: the template and its YAML text, or the problems (nothing usable then)."""

    file: str
    form: FormTemplate | None = None
    yaml_text: str = ""
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.form is not None and not self.problems


class _Reader:
    """Rows of the sheets and where each cell is, for messages naming sheet, row and column."""

    def __init__(self, name: str, content: bytes):
        from pyxform.xls2json_backends import xlsx_to_dict  # only the xlsform commands pay for pyxform

        self.file = name
        self.problems: list[ImportProblem] = []
        book = xlsx_to_dict(content)
        self.sheets: dict[str, list[dict[str, str]]] = {k: v for k, v in book.items()
                                                         if isinstance(v, list) and not k.endswith("_header")}
        self.titles = {t.lower(): t for t in book.get("sheet_names", [])}
        self.columns: dict[str, dict[str, str]] = {}
        import openpyxl  # already loaded by pyxform's reader; headers and our own xep_loai sheet

        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            for title in wb.sheetnames:
                rows = wb[title].iter_rows(values_only=True)
                first = next(rows, ()) or ()
                self.columns[title.lower()] = {str(h).strip().lower(): column_letter(i) for i, h in enumerate(first)
                                               if h is not None and str(h).strip()}
                if title.lower() == CLASSES:
                    headers = [str(h).strip().lower() if h is not None else "" for h in first]
                    self.sheets[CLASSES] = [{h: str(v).strip() for h, v in zip(headers, row)
                                             if h and v is not None and str(v).strip()} for row in rows]
                elif title.lower() in self.sheets:
                    self._nothing_left_behind(title, rows)
        finally:
            wb.close()

    def _nothing_left_behind(self, title: str, rows: Any) -> None:
        """pyxform's reader stops after a run of 60 empty rows: what follows would be lost without a word."""
        read = len(self.sheets[title.lower()])
        for number, row in enumerate(rows, start=2):
            if number - 1 > read and any(v is not None and str(v).strip() for v in row):
                self.refuse(title.lower(), number, None, "có dữ liệu sau một khoảng dài dòng trống; hãy xoá "
                                                         "các dòng trống ở giữa rồi nạp lại")
                return

    def rows(self, sheet: str) -> list[dict[str, str]]:
        return [{k.strip().lower(): v for k, v in row.items()} for row in self.sheets.get(sheet, [])]

    def refuse(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        """Record a problem as "sheet › ô E7: dòng 7, cột «constraint»: …" (as much of it as is known)."""
        letter = self.columns.get(sheet, {}).get(column) if column else None
        where = ", ".join(x for x in (f"dòng {row}" if row else "", f"cột «{column}»" if column else "") if x)
        self.problems.append(ImportProblem(self.file, f"{where}: {message}" if where else message,
                                           self.titles.get(sheet, sheet),
                                           f"{letter}{row}" if letter and row else None))

    def unknown_columns(self, sheet: str, rows: list[dict[str, str]], known: tuple[str, ...],
                        ignored: tuple[str, ...] = ()) -> None:
        for i, row in enumerate(rows, start=2):
            for column in row:
                if column in known or column in ignored:
                    continue
                what = next((v for k, v in _NOT_YET.items() if column.startswith(k)), None)
                self.refuse(sheet, i, column, f"chưa hỗ trợ {what}" if what
                            else f"cột «{column}» không thuộc biểu mẫu của hệ thống (xem README, Biểu mẫu trong Excel)")


class _Mapper:
    """Survey rows -> our template dict; `where[(name, key)]` remembers each cell for the loader's problems."""

    def __init__(self, reader: _Reader):
        self.r = reader
        self.where: dict[tuple[str, str], int] = {}
        self.lists: dict[str, list[dict[str, str]]] = {}
        self.keys: set[str] = set()  # the choices sheet's own columns: options' properties
        for i, row in enumerate(reader.rows(CHOICES), start=2):
            if not row:
                continue
            name = row.get("list_name", "")
            if not name or "name" not in row or "label" not in row:
                reader.refuse(CHOICES, i, "list_name" if not name else ("name" if "name" not in row else "label"),
                              "mỗi lựa chọn cần list_name, name và label")
                continue
            props = {k: v for k, v in row.items() if k not in CHOICE_COLUMNS}
            for key in props:
                what = next((v for k, v in _NOT_YET.items() if key.startswith(k)), None)
                if what:
                    reader.refuse(CHOICES, i, key, f"chưa hỗ trợ {what}")
            self.keys.update(props)
            self.lists.setdefault(name, []).append({"value": row["name"], "label": row["label"], **props})
            self.where[(f"list:{name}", "")] = i
        self.types: dict[str, str] = {}

    def _type(self, i: int, row: dict[str, str]) -> tuple[str, list[dict[str, str]] | None]:
        words = row.get("type", "").split()
        word = words[0].lower() if words else ""
        if word in ("select_one", "select_multiple"):
            if len(words) != 2 or words[1] not in self.lists:
                self.r.refuse(SURVEY, i, "type", f"danh sách lựa chọn «{' '.join(words[1:])}» không có trong sheet "
                                                 "choices")
                return "select_one", []
            items = self.lists[words[1]]
            if word == "select_one" and words[1] == YES_NO_LIST and \
                    [(c["value"], c["label"]) for c in items] == list(YES_NO_CHOICES):
                return "yes_no", None
            return TYPE_IN[word], items
        if word not in TYPE_IN or len(words) != 1:
            self.r.refuse(SURVEY, i, "type", f"kiểu câu hỏi «{row.get('type', '')}» chưa được hệ thống hỗ trợ")
            return "text", None
        appearance = row.get("appearance", "").strip().lower()
        if appearance not in HARMLESS_APPEARANCE:
            self.r.refuse(SURVEY, i, "appearance", f"cách hiển thị «{appearance}» chưa được hỗ trợ")
        return ("long_text" if word == "text" and appearance == "multiline" else TYPE_IN[word]), None

    def _number(self, i: int, key: str, text: str) -> Any:
        try:
            value = parse_number(text)
        except ValueError:
            self.r.refuse(SURVEY, i, key, f"phải là một số (đang ghi «{text[:40]}»)")
            return None
        if key in _WHOLE_KEYS and not float(value).is_integer():
            self.r.refuse(SURVEY, i, key, f"phải là số nguyên (đang ghi «{text[:40]}»)")
        return int(value) if key in _WHOLE_KEYS else value

    def field(self, i: int, row: dict[str, str], kind: str, choices: list | None) -> dict[str, Any]:
        name = row.get("name", "")
        out: dict[str, Any] = {"name": name, "type": kind, "label": row.get("label", "")}
        for key in ("hint", "required_message", "constraint_message", "unit", "accept"):
            if row.get(key):
                out[key] = row[key]
        for key in ("required", "evidence"):
            if key in row:
                out[key] = is_yes(row[key])
        for key in ("constraint", "relevant", "calculation", "repeat_count", "choice_filter"):
            if row.get(key):
                out[key] = row[key]  # translated once every name's type is known (see `translate`)
        for key in _NUMBER_KEYS:
            if row.get(key):
                is_day = kind == "date" and key in ("min", "max")
                out[key] = row[key] if is_day else self._number(i, key, row[key])
        if kind == "text" and row.get("type", "").split()[0].lower() == "calculate" and not row.get("calculation"):
            self.r.refuse(SURVEY, i, "calculation", "câu hỏi kiểu calculate cần biểu thức ở cột calculation")
        if "default" in row:
            out["default"] = self._default(i, kind, row["default"])
        if choices is not None:
            out["choices"] = choices
        for key in list(out) + ["name", "type", "label", "fields"]:
            self.where[(name, key)] = i
        self.types[name] = kind
        return out

    def _default(self, i: int, kind: str, text: str) -> Any:
        if kind in ("integer", "decimal"):
            return self._number(i, "default", text)
        if kind == "yes_no":
            return is_yes(text)
        return text

    def sections(self) -> list[dict[str, Any]]:
        sections: list[dict[str, Any]] = []
        stack: list[dict[str, Any]] = []   # the open section, then the open repeat
        group: dict[str, Any] | None = None  # the open group inside the section
        loose = 0
        for i, row in enumerate(self.r.rows(SURVEY), start=2):
            if not row:
                continue
            word = (row.get("type", "").split() or [""])[0].lower()
            if word in ("begin_group", "begin group"):
                if len(stack) == 1 and stack[0].get("_loose"):
                    stack = []  # the questions before this group keep their own section
                if len(stack) == 1 and group is None:  # a group inside a section
                    group = {"name": row.get("name", ""), "title": row.get("label", "")}
                    for key in ("hint", "relevant"):
                        if row.get(key):
                            group[key] = row[key]
                    for key in ("name", "title", "relevant", "hint"):
                        self.where[(f"group:{group['name']}", key)] = i
                    stack[0].setdefault("groups", []).append(group)
                    continue
                if stack:
                    self.r.refuse(SURVEY, i, "type", "chưa hỗ trợ nhóm lồng quá hai tầng hoặc nhóm trong bảng "
                                                     "nhiều dòng")
                    continue
                section: dict[str, Any] = {"name": row.get("name", ""), "title": row.get("label", "")}
                for key in ("hint", "relevant"):
                    if row.get(key):
                        section[key] = row[key]
                if row.get("max_score"):
                    section["max_score"] = self._number(i, "max_score", row["max_score"])
                for key in ("name", "title", "relevant", "max_score", "fields", "hint"):
                    self.where[(f"section:{section['name']}", key)] = i
                section["fields"] = []
                sections.append(section)
                stack = [section]
            elif word in ("end_group", "end group") and group is not None and len(stack) == 1:
                group = None
            elif word in ("end_group", "end group"):
                if len(stack) != 1:
                    self.r.refuse(SURVEY, i, "type", "end_group không khớp với begin_group nào")
                stack = []
            elif word in ("begin_repeat", "begin repeat"):
                if len(stack) > 1:
                    self.r.refuse(SURVEY, i, "type", "không lồng bảng nhiều dòng trong bảng nhiều dòng")
                    continue
                if not stack:
                    loose += 1
                    stack = [self._loose(sections, loose, i)]
                repeat = self.field(i, row, "repeat", None)
                repeat["fields"] = []
                if group is not None:
                    repeat["group"] = group["name"]
                stack[0]["fields"].append(repeat)
                stack.append(repeat)
            elif word in ("end_repeat", "end repeat"):
                if len(stack) != 2:
                    self.r.refuse(SURVEY, i, "type", "end_repeat không khớp với begin_repeat nào")
                else:
                    stack.pop()
                    if stack[0].get("_loose"):
                        stack = []
            else:
                if not stack:
                    loose += 1
                    stack = [self._loose(sections, loose, i)]
                kind, choices = self._type(i, row)
                question = self.field(i, row, kind, choices)
                if group is not None and len(stack) == 1:
                    question["group"] = group["name"]
                stack[-1]["fields"].append(question)
        if len(stack) > 1 or (stack and not stack[0].get("_loose")):
            self.r.refuse(SURVEY, None, "type", "thiếu end_group hoặc end_repeat ở cuối sheet")
        for section in sections:
            section.pop("_loose", None)
        return sections

    def _loose(self, sections: list[dict[str, Any]], n: int, i: int) -> dict[str, Any]:
        """Questions outside any group go into a section of their own (a form needs sections)."""
        if sections and sections[-1].get("_loose"):
            return sections[-1]
        section: dict[str, Any] = {"name": f"phan_{n}", "title": f"Phần {n}", "fields": [], "_loose": True}
        sections.append(section)
        return section

    def translate(self, sections: list[dict[str, Any]], settings: dict[str, Any]) -> None:
        """Expressions from XLSForm's way of writing into ours, now that every name's type is known."""
        def fields(items: list[dict[str, Any]]):
            for f in items:
                yield f
                yield from fields(f.get("fields") or [])

        for section in sections:
            for group in section.get("groups", []):
                if group.get("relevant"):
                    group["relevant"] = from_xlsform(group["relevant"], "", self.types)
                for key in ("title", "hint"):
                    if group.get(key):
                        group[key] = text_from_xlsform(group[key], self.types)
            if section.get("relevant"):
                section["relevant"] = from_xlsform(section["relevant"], "", self.types)
            for key in ("title", "hint"):
                if section.get(key):
                    section[key] = text_from_xlsform(section[key], self.types)
            for f in fields(section["fields"]):
                for key in ("label", "hint"):
                    if f.get(key):
                        f[key] = text_from_xlsform(f[key], self.types)
                for key in ("constraint", "relevant", "calculation", "repeat_count"):
                    if f.get(key):
                        f[key] = from_xlsform(f[key], f["name"], self.types)
                if f.get("choice_filter"):
                    f["choice_filter"] = filter_from_xlsform(f["choice_filter"], self.types, self.keys)
                for key in ("min", "max"):
                    if f["type"] == "date" and isinstance(f.get(key), str) and isinstance(parse_bound(f[key]), str):
                        f[key] = from_xlsform(f[key], f["name"], self.types)
        scoring = settings.get("scoring")
        if scoring and scoring.get("ineligible_when"):
            scoring["ineligible_when"] = from_xlsform(scoring["ineligible_when"], "", self.types)


_FIELD_WHERE = re.compile(r"trường '(?:(\w+)\.)?(\w+)'(?: \(([\w/]+)\))?")
_GROUP_WHERE = re.compile(r"nhóm '(\w+)'(?: \((\w+)\))?")
_SECTION_WHERE = re.compile(r"phần '(\w+)'(?: \((\w+)\))?")
_PYDANTIC_WHERE = re.compile(r"\(([^()]+)\)")


def _place(mapper: _Mapper, where: str) -> tuple[str, int | None, str | None]:
    """(sheet, row, column) of a loader problem's location (e.g. "trường 'x' (constraint)")."""
    if where.startswith("scoring") or where in ("id", "version", "title", "applies_from", "code"):
        key = {"id": "form_id", "title": "form_title"}.get(where, where.split(".")[-1].split(" ")[0])
        return (CLASSES, None, None) if "classes" in where else (SETTINGS, 2, key)
    m = _FIELD_WHERE.match(where)
    if m:
        name, key = m.group(2), (m.group(3) or "name").split("/")[0]
        key = "type" if key in ("choices", "fields") else key
        return SURVEY, mapper.where.get((name, key), mapper.where.get((name, "name"))), key
    m = _GROUP_WHERE.match(where)
    if m:
        key = m.group(2) or "name"
        return SURVEY, mapper.where.get((f"group:{m.group(1)}", key)), "label" if key == "title" else key
    m = _SECTION_WHERE.match(where)
    if m:
        key = m.group(2) or "name"
        return SURVEY, mapper.where.get((f"section:{m.group(1)}", key)), key
    names = _PYDANTIC_WHERE.findall(where)
    key = where.rsplit(".", 1)[-1].split(" ")[0] if "." in where else where
    if names:
        name = names[-1]
        row = mapper.where.get((name, key)) or mapper.where.get((name, "name")) \
            or mapper.where.get((f"section:{name}", "name"))
        return SURVEY, row, {"title": "label"}.get(key, key)
    return SURVEY, None, None


def read_xlsform(path: str | Path, content: bytes | None = None) -> XlsformResult:
    """Read and check one XLSForm workbook; `result.ok` only when nothing at all was refused."""
    path = Path(path)
    name = path.name
    result = XlsformResult(name)
    try:
        content = path.read_bytes() if content is None else content
    except OSError as exc:
        result.problems.append(ImportProblem(name, f"không đọc được tệp: {exc.strerror or exc}"))
        return result
    if len(content) > MAX_FILE_BYTES:
        result.problems.append(ImportProblem(name, f"tệp nặng hơn {MAX_FILE_BYTES // (1024 * 1024)} MB"))
        return result
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            problem = check_package(name, archive)
    except zipfile.BadZipFile:
        problem = ImportProblem(name, NOT_EXCEL)
    if problem:
        result.problems.append(problem)
        return result
    try:
        reader = _Reader(name, content)
    except Exception:  # noqa: BLE001 — pyxform's and openpyxl's many ways to fail on a broken file
        result.problems.append(ImportProblem(name, f"{NOT_EXCEL}: tệp bị hỏng, không đọc được"))
        return result
    for sheet in (SURVEY, CHOICES, SETTINGS):
        if sheet not in reader.sheets:
            reader.refuse(sheet, None, None, f"thiếu sheet «{sheet}»")
    mapper = _Mapper(reader)
    reader.unknown_columns(SURVEY, reader.rows(SURVEY), SURVEY_COLUMNS)
    settings = read_settings(reader)
    sections = mapper.sections()
    if reader.problems:
        result.problems = reader.problems
        return result
    mapper.translate(sections, settings)
    data = {**{k: v for k, v in settings.items() if k != "scoring"}, "sections": sections}
    if "scoring" in settings:
        data["scoring"] = settings["scoring"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
    with tempfile.TemporaryDirectory(prefix="danvan-xlsform-") as folder:
        target = Path(folder) / "bieu-mau.yaml"
        target.write_text(text, encoding="utf-8")
        try:
            form = load_form(target)
        except TemplateError as exc:
            for where, message in exc.problems:
                sheet, row, column = _place(mapper, where)
                reader.refuse(sheet, row, column, message)
            result.problems = reader.problems
            return result
    result.form, result.yaml_text = form, text
    return result


def save_imported(result: XlsformResult, root: str | Path) -> Path:
    """Write an accepted import as `<root>/forms/<id>-v<version>.yaml` (atomic); ValueError, in Vietnamese,
    when that version already exists in the folder — an edited form is loaded as a new version."""
    from .blank import write_bytes_atomic

    assert result.ok and result.form is not None
    forms = Path(root) / "forms"
    form = result.form
    for existing in sorted(forms.glob("*.y*ml")):
        try:
            data = read_yaml(existing)
        except (TemplateError, OSError):
            continue
        if isinstance(data, dict) and data.get("id") == form.id and data.get("version") == form.version:
            raise ValueError(f"{result.file}: biểu mẫu {form.id} phiên bản {form.version} đã có ({existing.name}); "
                             "hãy tăng version ở sheet settings rồi nạp lại")
    target = forms / f"{form.id}-v{form.version}.yaml"
    header = (f"# Nạp từ tệp Excel {result.file} (danvan templates import-xlsform).\n")
    write_bytes_atomic(target, (header + result.yaml_text).encode("utf-8"))
    return target
