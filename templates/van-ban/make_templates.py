"""Make the Word templates of the written reports (Decree 30/2020/NĐ-CP, appendix I) with python-docx.

Run `.venv/bin/python templates/van-ban/make_templates.py` to write the four *-v1.docx files beside
this script; the output is the same on every run (fixed core properties, no timestamps), so the
committed files can be checked against it. Analysts edit the .docx files in Word afterwards; a new
layout for a later year is a copy (…-v2.docx) listed in van-ban.yaml with its `applies_from`.

The tags are docxtpl's (Jinja in Word): `{{ x }}` prints a value, `{%p for … %}` / `{%p endfor %}`
repeat whole paragraphs, `{%tr for … %}` / `{%tr endfor %}` repeat table rows. Values are text
prepared by danvan_kit.word (escaped, never evaluated as a template).
"""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
FONT = "Times New Roman"
BODY_PT = 14
# Decree 30 (appendix I, part I.4): A4; top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
FIXED_TIME = datetime(2026, 1, 1)

C, L, R, J = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY


def _font(run, size: float = BODY_PT, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)


def para(container, parts, align=J, size: float = BODY_PT, indent: bool = False, before: float = 0,
         after: float = 6, highlight: bool = False):
    """A paragraph of runs: parts is text or a list of (text, bold, italic)."""
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = 1.0 if size < BODY_PT else 1.15
    if indent:
        fmt.first_line_indent = Mm(10)
    for text, bold, italic in ([(parts, False, False)] if isinstance(parts, str) else parts):
        run = p.add_run(text)
        _font(run, size, bold, italic)
        if highlight:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return p


def rule(container, length_mm: float, cell_mm: float):
    """The short solid line under the issuing body and the motto: an empty paragraph with a bottom border."""
    p = container.add_paragraph()
    side = Mm(max(0.0, (cell_mm - length_mm) / 2))
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = side
    fmt.space_before, fmt.space_after = Pt(0), Pt(4)
    fmt.line_spacing = Pt(4)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().insert_element_before(  # CT_PPr's child order: pBdr comes before spacing and ind
        borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc", "w:rPr")
    return p


def tag(container, text: str):
    """A paragraph holding only a docxtpl paragraph tag ({%p … %}); it disappears when rendered."""
    return para(container, text, align=L, after=0)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    # CT_TblPr keeps a fixed child order; Word refuses a file whose tblBorders comes after tblLayout/tblLook
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                           "w:tblCaption", "w:tblDescription")


def _clear(cell) -> None:
    for p in list(cell.paragraphs):
        p._element.getparent().remove(p._element)


def _widths(table, widths_mm) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def two_cells(doc, widths_mm, centred: bool = False):
    """A borderless one-row table of two empty cells (the heading's and the closing's two sides)."""
    table = doc.add_table(rows=1, cols=2)
    if centred:
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, widths_mm)
    cells = table.rows[0].cells
    for cell in cells:
        _clear(cell)
    return cells


def new_document():
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    section.header_distance = section.footer_distance = Mm(10)
    # Page numbers from page 2 (Decree 30: Arabic numerals, centred in the top margin, not on page 1).
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = C
    _page_field(header)
    props = doc.core_properties
    props.author = props.last_modified_by = "danvan-kit"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.title = props.subject = props.keywords = props.comments = ""
    return doc


def _page_field(paragraph) -> None:
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        run = paragraph.add_run()
        _font(run, 13)
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._element.append(el)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._element.append(el)
        else:
            run.text = text


def heading(doc, number: str, subject: str = "") -> None:
    """The heading table: issuing body and number left, national name, motto, place and date right."""
    left, right = two_cells(doc, (62, 103), centred=True)
    tag(left, "{%p if lh.parent %}")
    para(left, "{{ lh.parent }}", align=C, size=13, after=0)
    tag(left, "{%p endif %}")
    each(left, "lh.issuer", [("{{ line }}", True, False)], align=C, size=13, after=0)
    rule(left, 22, 62)
    para(left, number, align=C, size=13, after=0)
    if subject:
        para(left, subject, align=C, size=12, after=0)
    para(right, [("{{ lh.national }}", True, False)], align=C, size=12.5, after=0)
    tag(right, "{%p if lh.motto %}")
    para(right, [("{{ lh.motto }}", True, False)], align=C, size=14, after=0)
    rule(right, 55, 103)
    tag(right, "{%p endif %}")
    para(right, [("{{ dated }}", False, True)], align=C, size=14, before=6, after=0)


def title(doc, kind: str, line: str) -> None:
    para(doc, [(kind, True, False)], align=C, size=14, before=18, after=0)
    para(doc, [(line, True, False)], align=C, size=14, after=12)


def recipients_and_signer(doc, with_officer: bool = False) -> None:
    """Nơi nhận (left, 12 pt bold italic; lines 11 pt) and the signature block (right)."""
    left, right = two_cells(doc, (80, 85))
    para(left, [("Nơi nhận:", True, True)], align=L, size=12, before=12, after=0)
    each(left, "lh.recipients", "- {{ line }}", align=L, size=11, after=0)
    each(right, "lh.signer", [("{{ line }}", True, False)], align=C, size=14, after=0)
    for _ in range(4):
        para(right, "", align=C, after=0)
    tag(right, "{%p if lh.signer_name %}")
    para(right, [("{{ lh.signer_name }}", True, False)], align=C, size=14, after=0)
    tag(right, "{%p endif %}")
    if with_officer:
        para(right, [("[Ký, ghi rõ họ tên, đóng dấu]", False, True)], align=C, size=13, highlight=True)


def start(kind: str):
    """A new document with the heading, the title (kind, then the subject) and the opening paragraph."""
    doc = new_document()
    heading(doc, "{{ number }}")
    title(doc, kind, "{{ subject }}")
    para(doc, "{{ opening }}", indent=True)
    return doc


def each(container, source: str, parts, **fmt) -> None:
    """One paragraph per item `line` of `source` (a docxtpl paragraph loop)."""
    tag(container, "{%p for line in " + source + " %}")
    para(container, parts, **fmt)
    tag(container, "{%p endfor %}")


def lines(doc, source: str) -> None:
    """One body paragraph per item of `source`."""
    each(doc, source, "{{ line }}", indent=True)


def figure_table(doc, source: str, headers: list[str], cells: list[str], widths: list[float],
                 when: str | None = None) -> None:
    """A bordered table: a header row, then one row per item of `source` (docxtpl row loop)."""
    if when:
        tag(doc, "{%p if " + when + " %}")
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    for cell, text in zip(table.rows[0].cells, headers):
        _clear(cell)
        para(cell, [(text, True, False)], align=C, size=13, after=0)
    first = table.rows[1].cells
    _clear(first[0])
    para(first[0], "{%tr for r in " + source + " %}", align=L, size=13, after=0)
    for cell, text in zip(table.rows[2].cells, cells):
        _clear(cell)
        para(cell, text, align=L if text.endswith(("label }}", "name }}", "unit_name }}")) else C, size=13,
             after=0)
    last = table.rows[3].cells
    _clear(last[0])
    para(last[0], "{%tr endfor %}", align=L, size=13, after=0)
    para(doc, "", after=0)
    if when:
        tag(doc, "{%p endif %}")


def narratives(doc, source: str) -> None:
    """Groups of attributed texts: group title, then '<unit>: first paragraph' and the rest."""
    tag(doc, "{%p for g in " + source + " %}")
    para(doc, [("{{ g.title }}", True, True)], indent=True)
    tag(doc, "{%p for n in g.entries %}")
    para(doc, [("- {{ n.unit }}: ", True, False), ("{{ n.first }}", False, False)], indent=True)
    tag(doc, "{%p for x in n.rest %}")
    para(doc, "{{ x }}", indent=True)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not g.entries %}")
    para(doc, [("Không có đơn vị nào nêu.", False, True)], indent=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def unit_report():
    """The unit's periodic report from its latest submission."""
    doc = start("BÁO CÁO")
    tag(doc, "{%p for s in sections %}")
    para(doc, [("{{ s.title }}", True, False)], indent=True, before=6)
    lines(doc, "s.sentences")
    figure_table(doc, "s.rows", ["TT", "Chỉ tiêu", "Đơn vị tính", "Số liệu"],
                 ["{{ r.no }}", "{{ r.label }}", "{{ r.unit }}", "{{ r.value }}"], [12, 95, 28, 30], when="s.rows")
    tag(doc, "{%p for t in s.tables %}")
    para(doc, [("{{ t.title }}", False, True)], indent=True)
    figure_table(doc, "t.rows", ["TT", "{{ t.headers[0] }}", "{{ t.headers[1] }}", "{{ t.headers[2] }}"],
                 ["{{ r.no }}", "{{ r.cells[0] }}", "{{ r.cells[1] }}", "{{ r.cells[2] }}"], [12, 30, 93, 30])
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for x in s.narrative %}")
    para(doc, "{{ x }}", indent=True)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for block in closing %}")
    para(doc, [("{{ block.title }}", True, False)], indent=True, before=6)
    tag(doc, "{%p for x in block.paragraphs %}")
    para(doc, "{{ x }}", indent=True)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    para(doc, "Trên đây là báo cáo {{ subject_lower }} của {{ unit_name }}./.", indent=True)
    recipients_and_signer(doc)
    return doc


def district_report():
    """The hub's consolidated report of a period, for the officer to finish and send up."""
    doc = start("BÁO CÁO")
    para(doc, [("I. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ", True, False)], indent=True, before=6)
    lines(doc, "status_lines")
    para(doc, [("II. KẾT QUẢ THỰC HIỆN THEO NỘI DUNG", True, False)], indent=True, before=6)
    tag(doc, "{%p for s in sections %}")
    para(doc, [("{{ s.title }}", True, False)], indent=True, before=6)
    figure_table(doc, "s.rows", ["TT", "Chỉ tiêu", "ĐVT", "{{ this_label }}", "{{ last_label }}", "Tăng (+), giảm (-)"],
                 ["{{ r.no }}", "{{ r.label }}", "{{ r.unit }}", "{{ r.value }}", "{{ r.last }}", "{{ r.change }}"],
                 [10, 63, 20, 24, 24, 24])
    para(doc, "[Phòng Nội vụ nhận xét kết quả nội dung này]", indent=True, highlight=True)
    tag(doc, "{%p endfor %}")
    para(doc, [("III. Ý KIẾN CỦA CÁC ĐƠN VỊ (để tổng hợp, chắt lọc)", True, False)], indent=True, before=6)
    narratives(doc, "groups")
    para(doc, [("IV. ĐÁNH GIÁ CHUNG", True, False)], indent=True, before=6)
    para(doc, [("1. Kết quả đạt được: ", True, False)], indent=True)
    para(doc, "[Phòng Nội vụ viết đánh giá chung về kết quả đạt được]", indent=True, highlight=True)
    para(doc, [("2. Tồn tại, hạn chế và nguyên nhân: ", True, False)], indent=True)
    para(doc, "[Phòng Nội vụ tổng hợp tồn tại, hạn chế từ ý kiến các đơn vị ở phần III]", indent=True,
         highlight=True)
    para(doc, [("V. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ KIẾN NGHỊ", True, False)], indent=True, before=6)
    para(doc, "[Phòng Nội vụ viết phương hướng kỳ tới và kiến nghị gửi cấp trên]", indent=True, highlight=True)
    para(doc, "Trên đây là báo cáo {{ subject_lower }} của {{ issuer_name }}./.", indent=True)
    recipients_and_signer(doc, with_officer=True)
    return doc


def results_notice():
    """The notice of the self-assessment results: units, scores after review, class."""
    doc = start("THÔNG BÁO")
    lines(doc, "summary")
    figure_table(doc, "rows", ["TT", "Đơn vị", "Điểm tự chấm", "Điểm sau thẩm định", "Xếp loại", "Xếp hạng"],
                 ["{{ r.no }}", "{{ r.name }}", "{{ r.self_total }}", "{{ r.final }}", "{{ r.label }}", "{{ r.rank }}"],
                 [10, 60, 22, 26, 24, 18])
    para(doc, "{{ closing }}", indent=True)
    recipients_and_signer(doc, with_officer=True)
    return doc


def reminder():
    """The reminder (công văn đôn đốc) to the units that have not submitted or were sent back."""
    doc = new_document()
    heading(doc, "{{ number }}", subject="V/v {{ subject_short }}")
    para(doc, [("Kính gửi:", False, False)], align=C, before=12, after=0)
    tag(doc, "{%p for name in addressees %}")
    para(doc, "- {{ name }};", align=C, after=0)
    tag(doc, "{%p endfor %}")
    para(doc, "", after=0)
    para(doc, "{{ opening }}", indent=True)
    figure_table(doc, "rows", ["TT", "Đơn vị", "Hạn nộp", "Tình trạng", "Số ngày trễ hạn"],
                 ["{{ r.no }}", "{{ r.name }}", "{{ r.due }}", "{{ r.state }}", "{{ r.days_late }}"],
                 [10, 62, 26, 44, 24])
    para(doc, "{{ request }}", indent=True)
    para(doc, [("[Phòng Nội vụ ghi hạn chót mới và người liên hệ]", False, False)], indent=True, highlight=True)
    recipients_and_signer(doc, with_officer=True)
    return doc


def _deterministic(path: Path) -> None:
    """Rewrite the package with fixed member times so the same script gives the same bytes."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)


MAKERS = {"bao-cao-don-vi-v1.docx": unit_report, "bao-cao-tong-hop-v1.docx": district_report,
          "thong-bao-ket-qua-v1.docx": results_notice, "cong-van-don-doc-v1.docx": reminder}


def main(folder: Path = HERE) -> list[Path]:
    written = []
    for name, make in MAKERS.items():
        path = folder / name
        make().save(path)
        _deterministic(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
