"""Word (DOCX) documents in the layout official documents use: 仿宋 body text with a
two-character first-line indent, 黑体 headings, a 宋体 title, tables in a plain grid.
Shared by the monthly briefing and the plans' progress report (python-docx)."""

from __future__ import annotations

BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋", "黑体", "宋体"


def new_document():
    """An empty A4 document with the margins official documents use."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.6)
        section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    return doc


def fonts(run, name: str, size: float, bold: bool = False) -> None:
    """Set a run's font, for East Asian text too (Word keeps a separate font for it)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def paragraph(doc, text: str, *, font=BODY_FONT, size=14, bold=False, align=None, indent=True):
    from docx.shared import Pt

    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    fonts(p.add_run(text), font, size, bold)
    return p


def table(doc, headers: list[str], rows: list[list[str]], *, numeric_from: int | None = 1):
    """A grid table; columns from `numeric_from` on are right-aligned (None: none)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    grid = doc.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        cell.text = ""
        fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
    for row in rows:
        cells = grid.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = ""
            para = cell.paragraphs[0]
            if numeric_from is not None and i >= numeric_from:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fonts(para.add_run(str(text)), BODY_FONT, 10.5)
    return grid
