"""Look inside a workbook's zip package before openpyxl loads it: the limits of an incoming workbook.

openpyxl holds a whole workbook in memory, so an 812 KB file that unpacks to
an 800 MB cell, or a sheet of a million rows, costs gigabytes before anything
can be refused. Here the package is checked first, cheaply:

- the size each part declares once unpacked, and their total (zipfile never
  unpacks more than a part declares: a part that lies fails its CRC check);
- every XML part streamed through expat with a hard stop: at most MAX_ROWS
  rows (and no row number beyond it), no cell beyond column MAX_COLUMNS, at
  most MAX_ELEMENTS elements in all, and no DOCTYPE (no entity expansion).

A blank form has about 100 rows, 5 columns, 2 000 elements and 100 KB unpacked,
so every limit leaves a wide margin for honest files.
"""
from __future__ import annotations

import re
import xml.parsers.expat
import zipfile

from ..forms.numbers import format_number
from .problems import ImportProblem

__all__ = ["NOT_EXCEL", "MAX_FILE_BYTES", "MAX_PART_BYTES", "MAX_UNPACKED_BYTES", "MAX_PARTS", "MAX_ROWS",
           "MAX_COLUMNS", "MAX_ELEMENTS", "check_package", "too_big"]

NOT_EXCEL = "không phải tệp Excel (.xlsx)"
MAX_FILE_BYTES = 20 * 1024 * 1024       # the file as sent
MAX_PART_BYTES = 8 * 1024 * 1024        # one part (a sheet, the shared strings …) once unpacked
MAX_UNPACKED_BYTES = 32 * 1024 * 1024   # every part together once unpacked
MAX_PARTS = 500                         # parts in the package
MAX_ROWS = 5_000                        # rows of one sheet, and the highest row number
MAX_COLUMNS = 100                       # the rightmost column a cell may use (CV)
MAX_ELEMENTS = 300_000                  # XML elements of every part together
_CHUNK = 64 * 1024
_XML_PARTS = (".xml", ".rels")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)")
_MB = 1024 * 1024


class _Refused(Exception):
    """A limit was passed; the message is the Vietnamese reason."""


def too_big(name: str, size: int) -> ImportProblem:
    """The file itself is larger than MAX_FILE_BYTES."""
    return ImportProblem(name, f"tệp nặng {size // _MB} MB, vượt giới hạn {MAX_FILE_BYTES // _MB} MB của một mẫu "
                               "nhập liệu")


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def _sheet_label(part: str) -> str:
    """'xl/worksheets/sheet1.xml' -> 'trang tính số 1' (the sheet's title is not known before openpyxl)."""
    match = re.search(r"worksheets/sheet(\d+)\.xml$", part)
    if match:
        return f"trang tính số {match.group(1)}"
    return "phần chữ của các ô" if part.endswith("sharedStrings.xml") else "một phần bên trong tệp"


class _Scan:
    """Counts elements, rows and cells of the XML parts while expat streams them."""

    def __init__(self) -> None:
        self.elements = 0
        self.part = ""
        self.rows = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise _Refused(f"tệp có hơn {format_number(MAX_ELEMENTS)} phần tử dữ liệu — quá lớn đối với một mẫu "
                           "nhập liệu")
        local = tag.rsplit(":", 1)[-1]
        if local == "row":
            self.rows += 1
            number = attrs.get("r", "")
            if self.rows > MAX_ROWS or (number.isdigit() and int(number) > MAX_ROWS):
                raise _Refused(f"{_sheet_label(self.part)} dùng quá {format_number(MAX_ROWS)} dòng — một mẫu nhập "
                               "liệu chỉ có vài trăm dòng; hãy xoá các dòng thừa")
        elif local == "c":
            match = _CELL_REF.fullmatch(attrs.get("r", ""))
            if match and _column_index(match.group(1)) > MAX_COLUMNS:
                raise _Refused(f"{_sheet_label(self.part)} có ô {match.group(0).upper()} nằm ngoài cột "
                               f"{MAX_COLUMNS} — một mẫu nhập liệu chỉ dùng vài cột; hãy xoá các cột thừa")

    def doctype(self, *_args: object) -> None:
        raise _Refused("tệp chứa khai báo DOCTYPE, điều không bao giờ có trong tệp Excel thật")

    def part_of(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        """Stream one XML part through expat; _Refused at the first limit passed."""
        self.part, self.rows = info.filename, 0
        parser = xml.parsers.expat.ParserCreate()
        parser.StartElementHandler = self.start
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.doctype
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)


def check_package(name: str, archive: zipfile.ZipFile) -> ImportProblem | None:
    """The reason `archive` must not reach openpyxl, or None; never unpacks more than the limits allow."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        return ImportProblem(name, f"tệp gồm {len(infos)} phần, vượt giới hạn {MAX_PARTS} phần của một tệp Excel "
                                   "mẫu nhập liệu")
    biggest = max(infos, key=lambda i: i.file_size, default=None)
    total = sum(i.file_size for i in infos)
    if biggest is not None and biggest.file_size > MAX_PART_BYTES:
        return ImportProblem(name, f"khi giải nén, {_sheet_label(biggest.filename)} nặng "
                                   f"{biggest.file_size // _MB} MB, vượt giới hạn {MAX_PART_BYTES // _MB} MB (một ô "
                                   "hoặc một trang chứa quá nhiều dữ liệu); hãy gửi lại đúng tệp mẫu đã điền")
    if total > MAX_UNPACKED_BYTES:
        return ImportProblem(name, f"khi giải nén, tệp nặng {total // _MB} MB, vượt giới hạn "
                                   f"{MAX_UNPACKED_BYTES // _MB} MB; hãy gửi lại đúng tệp mẫu đã điền")
    scan = _Scan()
    try:
        for info in infos:
            if info.filename.lower().endswith(_XML_PARTS):
                scan.part_of(archive, info)
    except _Refused as exc:
        return ImportProblem(name, str(exc))
    except (xml.parsers.expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError,
            RuntimeError):  # bad XML, CRC error, unknown compression, encrypted part
        return ImportProblem(name, f"{NOT_EXCEL}: tệp bị hỏng, không đọc được")
    return None
