"""The Word templates under templates/van-ban/: which file a document of a given year uses.

Versioned like the forms: `van-ban.yaml` lists each kind's versions with `applies_from`, and a
document of year Y uses the newest version whose applies_from <= Y, so last year's report renders
with last year's template. Each .docx is size- and shape-checked before python-docx opens it.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from ..forms.filetypes import Check, FromFile
from ..forms.template_error import TemplateError
from ..forms.yamlfile import load_model
from ..settings import templates_root

__all__ = ["KINDS", "WordTemplate", "word_templates", "template_for", "check_package", "INDEX"]

INDEX = "van-ban.yaml"
FOLDER = "van-ban"
# kind -> what it is, as staff read it
KINDS = {
    "bao-cao-don-vi": "báo cáo của đơn vị",
    "bao-cao-tong-hop": "báo cáo tổng hợp",
    "thong-bao-ket-qua": "thông báo kết quả tự chấm điểm, xếp loại",
    "cong-van-don-doc": "công văn đôn đốc",
}
MAX_DOCX_BYTES = 5 * 1024 * 1024        # a template is a few tens of KB; pictures of a logo fit well under this
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_MEMBERS = 300


@dataclass(frozen=True, kw_only=True)
class _Entry(FromFile):
    kind: Annotated[str, Check(pattern=r"^(bao-cao-don-vi|bao-cao-tong-hop|thong-bao-ket-qua|cong-van-don-doc)$")]
    version: Annotated[int, Check(ge=1)]
    applies_from: Annotated[int, Check(ge=2000, le=2100)]
    file: Annotated[str, Check(pattern=r"^[a-z0-9][a-z0-9._-]{0,80}\.docx$")]


@dataclass(frozen=True, kw_only=True)
class _Index(FromFile):
    templates: Annotated[list[_Entry], Check(min_length=1)]


@dataclass(frozen=True)
class WordTemplate:
    """One version of one kind of document."""

    kind: str
    version: int
    applies_from: int
    path: Path


def word_templates(root: str | Path | None = None) -> list[WordTemplate]:
    """Every Word template listed in van-ban.yaml; TemplateError names the file and the entry."""
    folder = Path(root or templates_root()) / FOLDER
    index_path = folder / INDEX
    index = load_model(index_path, _Index)
    seen: set[tuple[str, int]] = set()
    out = []
    for i, e in enumerate(index.templates):
        where = f"templates[{i}] ({e.file})"
        if (e.kind, e.version) in seen:
            raise TemplateError(index_path, [(where, f"mẫu {e.kind} phiên bản {e.version} đã có; hãy tăng version")])
        seen.add((e.kind, e.version))
        if not (folder / e.file).is_file():
            raise TemplateError(index_path, [(where, f"không có tệp {e.file} trong thư mục {FOLDER}")])
        out.append(WordTemplate(e.kind, e.version, e.applies_from, folder / e.file))
    missing = sorted(set(KINDS) - {t.kind for t in out})
    if missing:
        raise TemplateError(index_path, [("templates", f"thiếu mẫu {', '.join(missing)}")])
    return out


def template_for(kind: str, year: int, root: str | Path | None = None) -> WordTemplate:
    """The version of `kind` a document of `year` uses: the newest whose applies_from <= year."""
    usable = [t for t in word_templates(root) if t.kind == kind and t.applies_from <= year]
    if not usable:
        raise TemplateError(Path(root or templates_root()) / FOLDER / INDEX,
                            [(kind, f"không có mẫu {KINDS.get(kind, kind)} dùng cho năm {year}")])
    return max(usable, key=lambda t: (t.applies_from, t.version))


def check_package(path: Path) -> None:
    """Refuse a .docx that is too big, not a Word package, or unpacks to far more than it weighs."""
    def refuse(why: str) -> TemplateError:
        return TemplateError(path, [("", why)])

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise refuse(f"không đọc được tệp: {exc.strerror}") from None
    if size > MAX_DOCX_BYTES:
        raise refuse(f"tệp lớn hơn {MAX_DOCX_BYTES // (1024 * 1024)} MB, quá lớn đối với một mẫu văn bản")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError):
        raise refuse("tệp không phải văn bản Word (.docx) hoặc đã hỏng") from None
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise refuse("tệp giải nén ra quá lớn; hãy lưu lại mẫu bằng Word")
    if "word/document.xml" not in names:
        raise refuse("tệp không phải văn bản Word (.docx): thiếu phần nội dung word/document.xml")
