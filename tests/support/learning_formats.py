"""Test helpers: render learning documents to PDF, Word and HTML (safeguard K1).

The tests render each source document (a shared lesson or one of our own
fixtures, both written as light-Markdown text) to PDF, Word and HTML
themselves, so that "the same document in another format gives the same
record" is checked against files nobody hand-tuned for the parser.

Rendering rules, one block per non-blank source line:
  "- item"            -> bullet list item
  "3. Short title"     -> heading (numbered case headings stay literal text)
  "3. Long sentence."  -> numbered list item
  line with tab(s)     -> table row (consecutive rows form one table)
  short line, no full stop -> heading
  anything else        -> paragraph
The PDF gets what real PDFs have: a running "OFFICIAL" marking, a running
title on multi-page documents, "Page N of M" footers, ligature glyphs and
soft-hyphenated long words so that lines break inside words.
"""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

_LINK_RE = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")
_AUTOLINK_RE = re.compile(r"<((?:https?://|www\.)[^>\s]+)>")
_EMPHASIS_RE = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_NUMBERED_RE = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")


@dataclass(frozen=True)
class Block:
    kind: str  # heading | para | bullet | numbered | row
    text: str
    cells: tuple[str, ...] = ()


def _is_heading_text(text: str) -> bool:
    return len(text.split()) <= 12 and not text.rstrip().endswith((".", "?", "!", ",", ";", '"', "”", "…"))


def source_blocks(text: str) -> list[Block]:
    """Split light-Markdown source text into renderable blocks."""
    blocks = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip(" ")
        if not line.strip():
            continue
        if "\t" in line.strip("\t "):
            cells = tuple(cell.strip() for cell in line.split("\t") if cell.strip())
            blocks.append(Block("row", line, cells))
            continue
        line = line.strip()
        if line.startswith("- "):
            blocks.append(Block("bullet", line[2:].strip()))
        elif (numbered := _NUMBERED_RE.match(line)) and _is_heading_text(numbered.group(2)):
            blocks.append(Block("heading", line))
        elif numbered:
            blocks.append(Block("numbered", numbered.group(2)))
        elif _is_heading_text(line):
            blocks.append(Block("heading", line))
        else:
            blocks.append(Block("para", line))
    return blocks


def plain(text: str) -> str:
    """Inline Markdown reduced to what a reader sees."""
    text = _LINK_RE.sub(lambda m: m.group(1), text)
    text = _AUTOLINK_RE.sub(lambda m: m.group(1), text)
    return _EMPHASIS_RE.sub(lambda m: m.group(1), text)


# --------------------------------------------------------------------- HTML
def _inline_html(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"\[([^\]\n]*)\]\(([^)\s]*)\)", r'<a href="\2">\1</a>', out)
    out = re.sub(r"&lt;((?:https?://|www\.)[^&\s]+)&gt;", r'<a href="\1">\1</a>', out)
    return re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"<em>\1</em>", out)


def to_html(text: str) -> bytes:
    parts = [
        "<!DOCTYPE html><html><head><title>Rendered copy</title>",
        "<style>body{font-family:sans-serif}</style><script>var x = '<p>not content</p>';</script>",
        "</head><body><article>",
    ]
    open_list = None
    open_table = False
    for block in source_blocks(text):
        wanted = {"bullet": "ul", "numbered": "ol"}.get(block.kind)
        if open_list and open_list != wanted:
            parts.append(f"</{open_list}>")
            open_list = None
        if open_table and block.kind != "row":
            parts.append("</table>")
            open_table = False
        if wanted and not open_list:
            parts.append(f"<{wanted}>")
            open_list = wanted
        if block.kind in ("bullet", "numbered"):
            parts.append(f"<li>\n  <p>{_inline_html(block.text)}</p>\n</li>")
        elif block.kind == "row":
            if not open_table:
                parts.append("<table>")
                open_table = True
            cells = "".join(f"<td>{_inline_html(cell)}</td>" for cell in block.cells)
            parts.append(f"<tr>{cells}</tr>")
        elif block.kind == "heading":
            parts.append(f"<h2>{_inline_html(block.text)}</h2>")
        else:
            parts.append(f"<p>\n{_inline_html(block.text)}\n</p>")
    if open_list:
        parts.append(f"</{open_list}>")
    if open_table:
        parts.append("</table>")
    parts.append("</article></body></html>")
    return "\n".join(parts).encode("utf-8")


# --------------------------------------------------------------------- Word
def _add_runs(paragraph, text: str) -> None:  # noqa: ANN001
    text = _LINK_RE.sub(lambda m: m.group(1), text)
    text = _AUTOLINK_RE.sub(lambda m: m.group(1), text)
    position = 0
    for match in _EMPHASIS_RE.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position : match.start()])
        paragraph.add_run(match.group(1)).italic = True
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])


def to_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "OFFICIAL"
    section.footer.paragraphs[0].text = "Rendered copy for tests - page footer"
    table = None
    for block in source_blocks(text):
        if block.kind != "row":
            table = None
        if block.kind == "heading":
            _add_runs(document.add_paragraph(style="Heading 2"), block.text)
        elif block.kind == "bullet":
            _add_runs(document.add_paragraph(style="List Bullet"), block.text)
        elif block.kind == "numbered":
            _add_runs(document.add_paragraph(style="List Number"), block.text)
        elif block.kind == "row":
            if table is None:
                table = document.add_table(rows=0, cols=len(block.cells))
            row = table.add_row()
            for cell, value in zip(row.cells, block.cells, strict=False):
                cell.text = plain(value)
        else:
            _add_runs(document.add_paragraph(), block.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------- PDF
def _font_paths() -> tuple[Path, Path] | None:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    return (regular, bold) if regular.exists() and bold.exists() else None


def _supported(text: str, cmap: set[int] | None) -> str:
    if cmap is None:  # core font: Latin-1 only
        return text.encode("latin-1", "ignore").decode("latin-1")
    return "".join(ch for ch in text if ord(ch) in cmap or ch in "\u00ad")


def _typeset(text: str) -> str:
    """Add what typesetting adds: ligatures and soft hyphens in long words."""
    text = text.replace("fi", "\ufb01").replace("fl", "\ufb02")

    def hyphenate(match: re.Match) -> str:
        word = match.group(0)
        return "\u00ad".join(word[i : i + 4] for i in range(0, len(word), 4))

    return re.sub(r"(?<![\w/.@-])[a-z]{10,}(?![\w/.@-])", hyphenate, text)


_TO_LATIN1 = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "•": "-",
        "·": "-",
        "↗": "",
        "✉": "",
    }
)


def latin1_copy(text: str) -> str:
    """The source as it can be set in a PDF core font (Latin-1 only)."""
    return text.translate(_TO_LATIN1).encode("latin-1", "ignore").decode("latin-1")


def _render_pdf(text: str, running_title: str | None, core_font: bool = False) -> tuple[bytes, int]:
    from fpdf import FPDF

    fonts = None if core_font else _font_paths()
    align = "L" if core_font else "J"

    class Rendered(FPDF):
        def header(self) -> None:
            self.set_font(self.body_font, "", 8)
            self.set_y(8)
            self.cell(0, 4, "OFFICIAL", align="C", new_x="LMARGIN", new_y="NEXT")
            if running_title:
                self.cell(0, 4, running_title, align="R", new_x="LMARGIN", new_y="NEXT")
            self.set_y(22)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font(self.body_font, "", 8)
            self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Rendered(format="A4")
    if fonts:
        pdf.add_font("DejaVu", "", str(fonts[0]))
        pdf.add_font("DejaVu", "B", str(fonts[1]))
        pdf.body_font = "DejaVu"
        from fontTools.ttLib import TTFont

        cmap: set[int] | None = set(TTFont(str(fonts[0])).getBestCmap())
    else:
        pdf.body_font = "Helvetica"
        cmap = None
    pdf.set_margins(20, 22, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    for block in source_blocks(text):
        body = _supported(plain(block.text), cmap)
        if block.kind == "heading":
            pdf.set_font(pdf.body_font, "B", 12)
            pdf.multi_cell(0, 6, body, align=align, new_x="LMARGIN", new_y="NEXT")
        elif block.kind == "row":
            pdf.set_font(pdf.body_font, "", 10)
            width = usable / max(len(block.cells), 1)
            for cell in block.cells:
                pdf.cell(width, 5, _supported(plain(cell), cmap))
            pdf.ln(5)
        else:
            pdf.set_font(pdf.body_font, "", 10)
            typeset = _typeset(body) if cmap is not None else body
            if block.kind == "para":
                pdf.multi_cell(0, 5, typeset, align=align, new_x="LMARGIN", new_y="NEXT")
            else:
                marker = "•" if block.kind == "bullet" and cmap is not None else "-"
                pdf.set_x(pdf.l_margin + 5)
                pdf.multi_cell(
                    usable - 5, 5, f"{marker} {typeset}", align=align, new_x="LMARGIN", new_y="NEXT"
                )
        pdf.ln(2.5)
    return bytes(pdf.output()), pdf.page_no()


@functools.lru_cache(maxsize=64)
def to_pdf(text: str, core_font: bool = False) -> bytes:
    """Render to PDF; documents longer than a page also get a running title.

    The default is a justified DejaVu rendering with ligatures and soft
    hyphens; ``core_font`` gives a ragged-right Helvetica rendering of
    ``latin1_copy(text)`` instead, a second, differently wrapped layout.
    """
    if core_font:
        text = latin1_copy(text)
    single, pages = _render_pdf(text, None, core_font)
    if pages > 1:
        return _render_pdf(text, "Learning the Lessons - rendered copy", core_font)[0]
    return single


CONVERTERS: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "pdf": (".pdf", to_pdf),
    "pdf-core-font": (".pdf", lambda text: to_pdf(text, core_font=True)),
    "docx": (".docx", to_docx),
    "html": (".html", to_html),
}
