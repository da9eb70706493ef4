"""PDF to text from character positions (safeguard K1).

A PDF has no paragraphs, only positioned characters, so the same document
extracted naively comes out with arbitrary line wrapping, running headers
and footers, page numbers and hyphenated words split across lines.  To give
the parser the same text a Word or plain-text copy would, we rebuild words
and lines from the character boxes that pdfium reports (pypdfium2: several
times faster than pdfminer on long bulletins) and then decide, for each
line break, whether it was:

* a *wrap* (the next line's first word would not have fitted on this line) -
  joined with a space, or without the hyphen if a word was hyphenated;
* a *paragraph* break (a larger vertical gap, or a change of font size);
* a *hard* line break (everything else, e.g. "Addressed to:" lines).

Running headers and footers are lines at the top or bottom of the page that
repeat on at least half the pages (digits ignored, so "Page 3" matches
"Page 4"); bare page numbers and furniture by shape (copyright lines, "Page 1
of 5" footers: ``furniture.py``) in those zones are dropped too.  A block that
starts a new page is preceded by a form feed, so every field can name its page.  Single-column
layouts are assumed: multi-column PDFs will read column lines interleaved.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .errors import UnreadableDocument
from .furniture import furniture_shape, names_document
from .limits import check_pages, check_text
from .text import PAGE_BREAK, clean_unicode

_FURNITURE_ZONE = 0.12
_FURNITURE_LINES_PER_EDGE = 2
_PAGE_NUMBER_RE = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$", re.I)
_LIST_START_RE = re.compile(r"^(?:[•●▪■◦‣∙○*+-]|\d{1,3}[.)])\s")
_CELL_GAP_EM = 1.2
_SPACE_EM = 0.3
_PARAGRAPH_EXTRA_EM = 0.45
_MARGIN_PERCENTILE = 0.9
_WORD_GAP_EM = 0.25
_PDFIUM_LINE_END_HYPHEN = 2
_FULL_LINE = 0.85
_DEFAULT_GAP_EM = 0.3
_WORD_RE = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


@dataclass
class _Word:
    """A run of characters without a space or a gap, with its box (top-down coordinates)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float

    def continued_by(self, left: float, top: float, size: float) -> bool:
        """Does a character at (left, top) belong to this word?"""
        same_line = abs(top - self.top) <= 0.4 * size
        return same_line and self.x0 <= left <= self.x1 + _WORD_GAP_EM * size

    def add(self, char: str, right: float, top: float, bottom: float, size: float) -> None:
        """Extend the word by one character."""
        self.text += char
        self.x1 = right
        self.top, self.bottom, self.size = min(self.top, top), max(self.bottom, bottom), max(self.size, size)


@dataclass
class _Line:
    """One visual line: its words (text, x0, x1) and its box."""

    page: int
    words: list[tuple[str, float, float]]
    top: float
    bottom: float
    size: float

    @property
    def x0(self) -> float:
        return self.words[0][1]

    @property
    def x1(self) -> float:
        return self.words[-1][2]

    @property
    def text(self) -> str:
        return " ".join(word for word, _, _ in self.words)

    @property
    def first_word_width(self) -> float:
        return self.words[0][2] - self.words[0][1]

    @property
    def single_word(self) -> bool:
        return len(self.words) == 1

    def text_with_cells(self, right_margin: float) -> str:
        """Text with wide gaps between words shown as tabs (table cells).

        A justified line is stretched to the right margin, so its wide gaps
        are just stretched spaces, not cell boundaries.
        """
        if self.x1 >= right_margin - 1.0:
            return self.text
        pieces = [self.words[0][0]]
        for (_, _, before_x1), (word, x0, _) in zip(self.words, self.words[1:], strict=False):
            pieces.append("\t" if x0 - before_x1 > _CELL_GAP_EM * self.size else " ")
            pieces.append(word)
        return "".join(pieces)


def _build_line(page_number: int, words: list[_Word]) -> _Line:
    """One visual line from its words."""
    words = sorted(words, key=lambda word: word.x0)
    return _Line(
        page=page_number,
        words=[(clean_unicode(word.text), word.x0, word.x1) for word in words],
        top=min(word.top for word in words),
        bottom=max(word.bottom for word in words),
        size=max(word.size for word in words),
    )


def _page_lines(page_number: int, words: list[_Word]) -> list[_Line]:
    """Group a page's words into visual lines by their vertical position."""
    lines: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and word.top - lines[-1][0].top <= 0.4 * word.size:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [_build_line(page_number, group) for group in lines]


def _furniture_key(text: str) -> str:
    """Compare header/footer lines ignoring digits, so "Page 3" and "Page 4" match."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _edge_lines(lines: list[_Line], height: float) -> list[_Line]:
    """Lines close to the top or bottom edge of a page: header/footer candidates."""
    top = [line for line in lines[:_FURNITURE_LINES_PER_EDGE] if line.top < _FURNITURE_ZONE * height]
    bottom = [line for line in lines[-_FURNITURE_LINES_PER_EDGE:] if line.bottom > (1 - _FURNITURE_ZONE) * height]
    return top + [line for line in bottom if line not in top]


def _remove_furniture(pages: list[tuple[float, list[_Line]]]) -> list[_Line]:
    """Drop running headers, footers and page numbers; return the body lines in order."""
    edges = [_edge_lines(lines, height) for height, lines in pages]
    counts = Counter(key for page_edges in edges for key in {_furniture_key(line.text) for line in page_edges})
    needed = max(2, math.ceil(len(pages) / 2))
    first_page = pages[0][1] if pages else []
    masthead = _masthead(first_page, edges[0] if edges else [], counts, needed)
    body: list[_Line] = []
    for (_, lines), page_edges in zip(pages, edges, strict=True):
        for line in lines:
            is_edge = any(line is edge for edge in page_edges)
            repeated = counts[_furniture_key(line.text)] >= needed
            by_shape = _PAGE_NUMBER_RE.match(line.text.strip()) or furniture_shape(line.text)
            if is_edge and (repeated or by_shape) and line is not masthead:
                continue
            body.append(line)
    return body


def _masthead(first_page: list[_Line], edges: list[_Line], counts: Counter[str], needed: int) -> _Line | None:
    """A running header that is the only place the first page says which document it is (its issue and
    case number): its first copy is kept, as the masthead."""
    running = [line for line in edges if counts[_furniture_key(line.text)] >= needed and names_document(line.text)]
    if not running:
        return None
    others = [line for line in first_page if not any(line is edge for edge in edges)]
    repeated = {_furniture_key(line.text) for line in running}
    if any(names_document(line.text) and _furniture_key(line.text) not in repeated for line in others):
        return None
    return running[0]


def _normal_gap_ratio(lines: list[_Line], right_margin: float) -> float:
    """Usual gap between the lines of one paragraph, as a fraction of the font size.

    Measured only after full-width lines, which are almost always followed by
    more of the same paragraph; in a document of short one-line paragraphs
    the most common gap overall would be the paragraph gap instead.
    """
    pairs = [
        (before, after)
        for before, after in zip(lines, lines[1:], strict=False)
        if before.page == after.page and abs(before.size - after.size) < 0.6 and after.top > before.top
    ]
    full = [(b, a) for b, a in pairs if b.x1 >= _FULL_LINE * right_margin]
    ratios = Counter(round((a.top - b.bottom) / b.size, 1) for b, a in (full or pairs))
    if not ratios:
        return _DEFAULT_GAP_EM
    return ratios.most_common(1)[0][0] if full else min(ratios)


def _right_margin(lines: list[_Line]) -> float:
    """Where full lines end.

    A high percentile rather than the maximum, so a table cell or web address
    running past the margin does not move it; for justified text it is exact.
    """
    ends = sorted(line.x1 for line in lines if not line.single_word) or sorted(line.x1 for line in lines)
    return ends[min(len(ends) - 1, int(len(ends) * _MARGIN_PERCENTILE))]


def _wrapped(before: _Line, after: _Line, right_margin: float) -> bool:
    """Would the next line's first word have fitted on this line? If not, this was a wrap."""
    needed = before.x1 + _SPACE_EM * before.size + after.first_word_width
    return needed > right_margin


def _break_kind(before: _Line, after: _Line, right_margin: float, normal_gap_ratio: float) -> str:
    """Classify the break between two body lines as "join", "line" or "paragraph"."""
    same_page = before.page == after.page
    if abs(before.size - after.size) >= 0.6:
        return "paragraph"
    if same_page and after.top - before.bottom > (normal_gap_ratio + _PARAGRAPH_EXTRA_EM) * before.size:
        return "paragraph"
    if _LIST_START_RE.match(after.text):
        return "line" if same_page else "paragraph"
    if _wrapped(before, after, right_margin):
        return "join"
    return "line" if same_page else "paragraph"


def _join(before: str, after: str, before_line: _Line, right_margin: float, vocabulary: set[str]) -> str:
    """Join a wrapped line onto the next, undoing hyphenation and long words split mid-word."""
    if before_line.single_word and before_line.x1 - before_line.x0 > 0.9 * (right_margin - before_line.x0):
        return before + after  # a single over-long word (usually a web address) broken mid-word
    if before.endswith("-") and len(before) > 1 and not before[-2].isspace():
        left = re.search(r"([A-Za-z]+)-$", before)
        right = re.match(r"([a-z]+)", after)
        if left and right:
            compound = f"{left.group(1)}-{right.group(1)}".lower()
            return before + after if compound in vocabulary else before[:-1] + after
        return before + after
    return before + " " + after


def _vocabulary(lines: list[_Line]) -> set[str]:
    """Hyphenated words written in full somewhere, to tell "multi-agency" from "investi-gation"."""
    return {word.lower() for line in lines for word in _WORD_RE.findall(line.text) if "-" in word}


def _assemble(lines: list[_Line]) -> str:
    """Body lines to text: wraps joined, hard breaks as newlines, paragraphs as blank lines."""
    if not lines:
        return ""
    right_margin = _right_margin(lines)
    normal_gap_ratio = _normal_gap_ratio(lines, right_margin)
    vocabulary = _vocabulary(lines)
    blocks = [lines[0].text_with_cells(right_margin)]
    separators: list[str] = []
    for before, after in zip(lines, lines[1:], strict=False):
        kind = _break_kind(before, after, right_margin, normal_gap_ratio)
        if kind == "join":
            blocks[-1] = _join(blocks[-1], after.text_with_cells(right_margin), before, right_margin, vocabulary)
        else:
            separators.append("\n\n" if kind == "paragraph" else "\n")
            # A block that starts a new page is marked with a form feed, so each field can say its page.
            page_break = PAGE_BREAK * (after.page - before.page) if after.page > before.page else ""
            blocks.append(page_break + after.text_with_cells(right_margin))
    return blocks[0] + "".join(sep + block for sep, block in zip(separators, blocks[1:], strict=True))


def _page_words(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> list[_Word]:
    """Words of one page with their boxes (top-down coordinates) and font sizes.

    pdfium reports a hyphen it believes ends a line as code 2; we turn it
    back into "-" so our own de-hyphenation (which checks the document's
    vocabulary) decides the same way whoever produced the PDF.
    """
    height = page.get_height()
    words: list[_Word] = []
    current: _Word | None = None
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
        char = "-" if code == _PDFIUM_LINE_END_HYPHEN else chr(code)
        if (code < 32 and char != "-") or char.isspace():
            current = None
            continue
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        size = float(pdfium_c.FPDFText_GetFontSize(textpage.raw, index)) or 10.0
        top, bottom = height - top, height - bottom
        if current is not None and current.continued_by(left, top, size):
            current.add(char, right, top, bottom, size)
        else:
            current = _Word(char, left, right, top, bottom, size)
            words.append(current)
    return words


def pdf_to_text(data: bytes) -> str:
    """Text of a PDF with wrapping, hyphenation and page furniture undone."""
    pages: list[tuple[float, list[_Line]]] = []
    try:
        document = pdfium.PdfDocument(data)
    except Exception as error:  # noqa: BLE001 - pdfium raises PdfiumError and others for bad files
        raise UnreadableDocument(
            f"This PDF could not be read ({type(error).__name__}); it may be damaged or password-protected."
        ) from error
    try:
        check_pages(len(document))
        length = 0
        for number in range(len(document)):
            page = document[number]
            textpage = page.get_textpage()
            try:
                lines = _page_lines(number, _page_words(page, textpage))
                length += sum(len(w[0]) + 1 for line in lines for w in line.words)
                check_text(length)
                pages.append((float(page.get_height()), lines))
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()
    return _assemble(_remove_furniture(pages))
