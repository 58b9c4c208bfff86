"""Read a plan document into paragraphs: plain text, Markdown (front matter and HTML
paragraphs allowed), HTML, DOCX and PDF.

The format is told from the content, not the name: `%PDF-` is a PDF, a ZIP archive
holding `word/document.xml` is a DOCX, markup is HTML, front matter or Markdown syntax is
Markdown, the rest is text (UTF-8, with or without BOM, UTF-16 with BOM, GB18030).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
from typing import IO

from django.utils.translation import gettext as _

from gongxin.core.tabular.reading import detect_encoding
from gongxin.plans.parser import Block, Source

#: Larger files are refused before reading: a 200-page plan is well under 2 MB of text.
MAX_BYTES = 20 * 1024 * 1024
#: How much text a document may hold once extracted (characters).
MAX_CHARS = 5_000_000
_BLOCK_TAGS = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre",
    "section", "article", "dd", "dt", "tr", "caption", "figcaption",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "nav", "footer", "iframe",
              "svg", "object", "select", "button", "form", "textarea"}  # fmt: skip
# Headings, links and emphasis mark Markdown; "- 2 -" page numbers and "1." items do not.
_MARKDOWN_HINT = re.compile(r"^#{1,6}[ \t]+\S|\]\([^)\s]+\)|\*\*\S[^*\n]*\*\*", re.MULTILINE)
_HTML_HINT = re.compile(r"<(?:!doctype|html|body|p|div|h[1-6]|br|table|span)\b", re.IGNORECASE)


class DocumentError(Exception):
    """The file cannot be read as a document at all (empty, binary, damaged, too large)."""


def read(fileobj: IO[bytes], *, name: str = "") -> Source:
    """The paragraphs of the document in `fileobj` (the name is only used in messages).
    DocumentError when it is empty, too large, damaged or not a document, or holds no
    text at all."""
    source = _read(fileobj, name)
    if not any(block.text.strip() for block in source.blocks):
        raise DocumentError(_("%(name)s holds no text.") % {"name": name or _("the file")})
    return source


def _read(fileobj: IO[bytes], name: str) -> Source:
    data = _read_at_most(fileobj, MAX_BYTES + 1)
    label = name or _("the file")
    if len(data) > MAX_BYTES:
        raise DocumentError(
            _("%(name)s is larger than %(mb)d MB; a plan document is far smaller.")
            % {"name": label, "mb": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip() or not data.decode("utf-8", "ignore").strip("\ufeff \t\r\n\u3000"):
        raise DocumentError(_("%(name)s is empty.") % {"name": label})
    if data.startswith(b"%PDF-"):
        return _pdf(data, label)
    if data.startswith(b"PK\x03\x04"):
        return _docx(data, label)
    text = _decode(data, label)
    if len(text) > MAX_CHARS:
        raise DocumentError(
            _("%(name)s holds %(n)s characters; more than a plan document can.")
            % {"name": label, "n": f"{len(text):,}"}
        )
    stripped = text.lstrip()
    if re.match(r"---[ \t]*\n", stripped) or (
        _MARKDOWN_HINT.search(text[:20000]) and not stripped.startswith("<")
    ):
        return _markdown(text)
    if _HTML_HINT.search(text[:5000]):
        return _html(text, "html", {})
    return Source([Block(text)], "text", wrapped=True)


def _read_at_most(fileobj: IO[bytes], limit: int) -> bytes:
    """Up to `limit` bytes, read in pieces (asking for `limit` at once allocates it)."""
    pieces, size = [], 0
    while size < limit:
        piece = fileobj.read(min(1 << 20, limit - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def _decode(data: bytes, label: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = detect_encoding(data[: 1 << 16])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise DocumentError(
            _("%(name)s is neither text (UTF-8 or GB18030) nor a PDF or Word document.")
            % {"name": label}
        ) from None
    # Control characters other than line breaks and tabs mean a binary file.
    controls = sum(1 for char in text[:100000] if ord(char) < 32 and char not in "\r\n\t\f")
    if "\x00" in text[:100000] or controls > max(10, len(text[:100000]) // 100):
        raise DocumentError(
            _("%(name)s is not a text document (it holds binary data).") % {"name": label}
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")  # a form feed is a page break


def _markdown(text: str) -> Source:
    import frontmatter
    import markdown

    meta: dict = {}
    try:
        post = frontmatter.loads(text)
        meta, body = dict(post.metadata), post.content
    except Exception:  # malformed front matter: read it as part of the text
        body = text
    meta = {key.lower(): value for key, value in meta.items() if isinstance(key, str)}
    # sane_lists: an ordered list keeps the number it starts at (items that count on
    # across sections), which _collect writes back in front of each item.
    html = markdown.markdown(body, output_format="html", extensions=["sane_lists"])
    return _html(html, "markdown", meta)


def _html(text: str, kind: str, meta: dict) -> Source:
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return Source([Block(re.sub(r"<[^>]+>", "", text))], kind, meta, wrapped=True)
    title = root.findtext(".//title")
    if title and title.strip():
        # weaker than the document's own title or its covering notice: a page title
        # carries the site's name ("…_南昌市人民政府")
        meta["page_title"] = title.strip()
    for element in root.iter("meta"):
        name = (element.get("name") or "").lower()
        if name in ("author", "date") and element.get("content") and not meta.get(name):
            meta[name] = element.get("content").strip()
    for element in list(root.iter(*_SKIP_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    blocks: list[Block] = []
    body = root.find("body")
    _collect(body if body is not None else root, blocks)
    return Source(blocks, kind, meta)


def _collect(element, blocks: list[Block]) -> None:
    """Each innermost block element's text is a paragraph; <br> breaks one."""
    tag = element.tag if isinstance(element.tag, str) else ""
    children = [child for child in element if isinstance(child.tag, str)]
    if tag in _BLOCK_TAGS and not any(child.tag in _BLOCK_TAGS for child in children):
        for br in element.iter("br"):
            br.tail = "\n" + (br.tail or "")
        _break_after_bold_heading(element)
        text = element.text_content()
        links = sum(len(a.text_content()) for a in element.iter("a"))
        heading = int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else 0
        number = _list_number(element)
        if number is not None:
            text = f"{number}. {text.lstrip()}"
        for line in text.split("\n"):
            line = line.strip()
            # A paragraph that is all links is navigation ("返回首页"), not the document.
            if line and not (links and links >= 0.8 * len(text.strip())):
                blocks.append(Block(line, heading))
        return
    if element.text and element.text.strip() and tag in ("body", "html", "section", "div"):
        blocks.append(Block(element.text.strip()))
    for child in children:
        _collect(child, blocks)
        if child.tail and child.tail.strip():
            blocks.append(Block(child.tail.strip()))


#: A bold run at the start of a paragraph this short, without closing punctuation, is a
#: heading run in with its text ("<strong>一、总体要求</strong>以……"): a paragraph of its own.
_BOLD_HEADING_MAX = 40
_CLOSING = "。！？；：!?;:，,"


def _break_after_bold_heading(element) -> None:
    if (element.text or "").strip():
        return
    first = next((child for child in element if isinstance(child.tag, str)), None)
    if first is None or first.tag not in ("strong", "b"):
        return
    bold = first.text_content().strip()
    rest = (first.tail or "").strip() or any(
        (sibling.text_content() or "").strip() for sibling in first.itersiblings()
    )
    if bold and rest and len(bold) <= _BOLD_HEADING_MAX and bold[-1] not in _CLOSING:
        first.tail = "\n" + (first.tail or "")


def _list_number(element) -> int | None:
    """The number of an ordered-list item, for the item's first block: in HTML and in
    Markdown the number is markup, not text, so it is written back in front."""
    item = element
    if element.tag != "li":
        item = element.getparent()
        if item is None or item.tag != "li":
            return None
        first = next((child for child in item if child.tag in _BLOCK_TAGS), None)
        if first is not element or (item.text and item.text.strip()):
            return None
    parent = item.getparent()
    if parent is None or parent.tag != "ol":
        return None
    try:
        start = int(parent.get("start") or 1)
    except ValueError:
        start = 1
    return start + [child for child in parent if child.tag == "li"].index(item)


def _docx(data: bytes, label: str) -> Source:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise DocumentError(
                    _("%(name)s is a ZIP archive but not a Word document.") % {"name": label}
                )
        document = docx.Document(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        PackageNotFoundError,
        KeyError,
        ValueError,
        AttributeError,
        TypeError,
        etree.XMLSyntaxError,
    ) as exc:
        raise DocumentError(
            _("%(name)s cannot be opened as a Word document (%(error)s).")
            % {"name": label, "error": exc}
        ) from None
    try:
        blocks = _docx_blocks(docx, document)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:  # a damaged body
        raise DocumentError(
            _("%(name)s cannot be opened as a Word document (%(error)s).")
            % {"name": label, "error": exc}
        ) from None
    props = document.core_properties
    meta: dict = {}
    if props.title:
        meta["title"] = props.title
    if props.author:
        meta["author"] = props.author
    if isinstance(props.created, dt.datetime) and props.created.year > 1990:
        meta["created"] = props.created.date()
    return Source(blocks, "docx", meta)


def _docx_blocks(docx, document) -> list[Block]:
    """Paragraphs in order, a Word heading style as the outline level, and each table
    row as one paragraph (its cells joined with ｜)."""
    blocks: list[Block] = []
    # Style names by id, once: python-docx looks a paragraph's style up among all the
    # styles each time it is asked (seconds for a long document).
    names = {style.style_id: style.name or "" for style in document.styles}
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(child, document)
            text = _docx_text(paragraph)
            style = names.get(child.xpath("string(w:pPr/w:pStyle/@w:val)"), "")
            match = re.search(r"(?:Heading|标题)\s*(\d)", style)
            heading = int(match[1]) if match else (1 if style == "Title" else 0)
            for line in text.split("\n"):
                if line.strip():
                    blocks.append(Block(line, heading))
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    value = cell.text.strip()
                    if value and (not cells or cells[-1] != value):
                        cells.append(value)
                if cells:
                    blocks.append(Block("｜".join(cells)))
    return blocks


def _docx_text(paragraph) -> str:
    """The paragraph's text, with a line break after a bold heading run in at its start
    ("**一、总体要求**以……"), as `_break_after_bold_heading` does for HTML."""
    runs = paragraph.runs
    bold = []
    for run in runs:
        if not run.bold:
            break
        bold.append(run.text)
    heading = "".join(bold).strip()
    text = paragraph.text
    if (
        heading
        and len(bold) < len(runs)
        and len(heading) <= _BOLD_HEADING_MAX
        and heading[-1] not in _CLOSING
        and text.startswith("".join(bold))
    ):
        cut = len("".join(bold))
        return text[:cut] + "\n" + text[cut:]
    return text


def _pdf(data: bytes, label: str) -> Source:
    import pypdf
    from pypdf.errors import DependencyError, PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(_("%(name)s is an encrypted PDF.") % {"name": label})
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except DependencyError as exc:  # an encryption the installed libraries cannot undo
        raise DocumentError(
            _("%(name)s is an encrypted PDF that cannot be opened (%(error)s).")
            % {"name": label, "error": exc}
        ) from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise DocumentError(
            _("%(name)s cannot be read as a PDF (%(error)s).") % {"name": label, "error": exc}
        ) from None
    text = "\f".join(pages)  # the parser knows running headers by the page breaks
    warnings = []
    if not text.strip():
        raise DocumentError(
            _("%(name)s holds no text (a scanned PDF needs text recognition first).")
            % {"name": label}
        )
    meta: dict = {}
    info = reader.metadata
    if info is not None:
        if info.title:
            meta["title"] = str(info.title)
        if info.author:
            meta["author"] = str(info.author)
    return Source([Block(text)], "pdf", meta, warnings, wrapped=True)
