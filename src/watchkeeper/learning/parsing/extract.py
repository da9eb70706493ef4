"""Turn uploaded bytes into text, whatever the format (safeguard K1).

Learning leads upload whatever they were sent: plain text, PDF, Word or a
saved web page.  Each reader produces text in the same loose shape - one
logical line per paragraph, heading or list item, list items as "- " bullets,
table cells separated by tabs - so the parser sees the same thing for the
same document.  Anything we cannot read raises UnreadableDocument with a
message the uploader can act on; nothing is guessed from garbage.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .errors import UnreadableDocument
from .html_text import html_to_text
from .limits import check_text, check_zip
from .pdf_text import pdf_to_text
from .text import PAGE_BREAK, clean_unicode

TEXT_EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
_LIST_STYLE_PREFIXES = ("list",)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), falling back to Windows-1252.

    Windows-1252 is what older Word "Save as text" produces in UK forces;
    Latin-1 is the last resort because it can decode any byte.
    """
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _looks_binary(data: bytes) -> bool:
    """Text files do not contain NUL bytes; images, archives and old .doc files do."""
    return b"\x00" in data[:4096]


def _text(data: bytes) -> str:
    """A plain-text upload, refused if it is really binary."""
    if _looks_binary(data):
        raise UnreadableDocument("This file is not plain text (it contains binary data).")
    return decode_text(data)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _page_breaks(paragraph: Paragraph) -> int:
    """Page breaks before this paragraph's text: a hard page break, "page break before", or the break
    Word recorded where it last laid the page out (only when it comes before any text)."""
    element = paragraph._p
    count = 0
    p_pr = element.pPr
    if p_pr is not None and p_pr.find(f"{_W}pageBreakBefore") is not None:
        count += 1
    seen_text = False
    for node in element.iter(f"{_W}br", f"{_W}lastRenderedPageBreak", f"{_W}t"):
        if node.tag == f"{_W}t":
            seen_text = seen_text or bool(node.text and node.text.strip())
        elif node.tag == f"{_W}br" and node.get(f"{_W}type") == "page":
            count += 1
        elif node.tag == f"{_W}lastRenderedPageBreak" and not seen_text:
            count += 1
    return count


def _docx_paragraph_text(paragraph: Paragraph) -> str:
    """A Word paragraph as one line, list items marked "- ", preceded by a form feed for each page break
    before it (so fields can name their page)."""
    breaks = PAGE_BREAK * _page_breaks(paragraph)
    return breaks + _docx_line(paragraph)


def _docx_line(paragraph: Paragraph) -> str:
    text = paragraph.text
    style_name = (paragraph.style.name if paragraph.style is not None else "") or ""
    p_pr = paragraph._p.pPr
    numbered = p_pr is not None and p_pr.numPr is not None
    if text.strip() and (numbered or style_name.lower().startswith(_LIST_STYLE_PREFIXES)):
        return "- " + text.strip()
    return text


def _docx_table_text(table: Table) -> list[str]:
    """Each table row as one line of tab-separated cells (merged cells once)."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        seen_cells: list[object] = []
        for cell in row.cells:
            if any(cell._tc is seen for seen in seen_cells):
                continue
            seen_cells.append(cell._tc)
            cells.append(" ".join(cell.text.split()))
        lines.append("\t".join(cells))
    return lines


def _docx(data: bytes, filename: str = "document.docx") -> str:
    """Body paragraphs and tables in document order (headers/footers are page furniture). The archive is
    checked before it is inflated, and reading stops once the text passes its bound."""
    check_zip(data, filename)
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        length = 0
        for block in document.iter_inner_content():
            new = _docx_table_text(block) if isinstance(block, Table) else [_docx_paragraph_text(block)]
            lines += new
            length += sum(len(line) + 1 for line in new)
            check_text(length)
    except UnreadableDocument:
        raise
    except Exception as error:  # noqa: BLE001 - python-docx raises many types for bad files
        raise UnreadableDocument(f"This Word file could not be read ({type(error).__name__}).") from error
    return "\n".join(lines)


def _sniff(data: bytes) -> str | None:
    """Guess the format from the bytes when the file name does not say."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "docx" if "word/document.xml" in archive.namelist() else None
        except zipfile.BadZipFile:
            return None
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    if not _looks_binary(data):
        return "txt"
    return None


def _format_for(data: bytes, filename: str) -> str:
    """The format to read: trust the extension, check it where cheap, sniff when there is none."""
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if extension in TEXT_EXTENSIONS:
        return TEXT_EXTENSIONS[extension]
    if extension == ".pdf":
        if not data.startswith(b"%PDF-"):
            raise UnreadableDocument(f"'{filename}' is named as a PDF but is not a PDF file.")
        return "pdf"
    if extension == ".docx":
        return "docx"
    if extension in HTML_EXTENSIONS:
        return "html"
    if extension == ".doc":
        raise UnreadableDocument("Old-style Word .doc files are not supported; save the document as .docx.")
    sniffed = _sniff(data)
    if sniffed is None:
        raise UnreadableDocument(
            f"'{filename}' is not a supported document type (plain text, PDF, Word .docx or HTML)."
        )
    return sniffed


def extract_text_with_format(data: bytes, filename: str) -> tuple[str, str]:
    """Text of the document and the format it was read as ("txt", "md", "pdf", "docx", "html")."""
    if not data:
        raise UnreadableDocument(f"'{filename}' is empty.")
    source_format = _format_for(data, filename)
    if source_format in ("txt", "md"):
        text = _text(data)
        check_text(len(text))
    elif source_format == "pdf":
        text = pdf_to_text(data)
    elif source_format == "docx":
        text = _docx(data, filename)
    else:
        source = decode_text(data)
        check_text(len(source))  # the page's text is never longer than its source
        text = html_to_text(source)
    check_text(len(text))
    text = clean_unicode(text)
    if not text.strip():
        raise UnreadableDocument(
            f"No text could be read from '{filename}'"
            + (" (it may be a scanned image without a text layer)." if source_format == "pdf" else ".")
        )
    return text, source_format


def extract_text(data: bytes, filename: str) -> str:
    """Text of an uploaded document; raises UnreadableDocument if it cannot be read."""
    return extract_text_with_format(data, filename)[0]
