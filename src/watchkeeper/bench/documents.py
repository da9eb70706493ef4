"""Render learning documents to PDF, Word and HTML (safeguard K1): the one renderer the learning
benchmark and the tests share.

Each source document (a shared lesson, one of the test fixtures or a benchmark's synthetic bulletin, all
written as light-Markdown text) is rendered to PDF, Word and HTML here, so that "the same document in
another format gives the same record" is checked against files nobody hand-tuned for the parser.

Rendering rules, one block per non-blank source line:
  "- item"            -> bullet list item
  "3. Short title"     -> heading (numbered case headings stay literal text)
  "3. Long sentence."  -> numbered list item
  line with tab(s)     -> table row (consecutive rows form one table)
  short line, no full stop -> heading
  anything else        -> paragraph
The PDF gets what real PDFs have: a running "OFFICIAL" marking, a running
title on multi-page documents, "Page N of M" footers, ligature glyphs and
soft-hyphenated long words so that lines break inside words; a document can
name its own running header and footer (``Furniture``), printed on every page
as a publisher's are. The Word file gets the same header and footer in its
page header and footer parts, and a page break before every ``\f`` of the
source.
"""

from __future__ import annotations

import dataclasses
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
class Furniture:
    """A publisher's running header and footer; "{page}" and "{pages}" in the footer are filled in."""

    header: str = ""
    footer: str = ""

    def footer_for(self, page: int, pages: str | int) -> str:
        return self.footer.replace("{page}", str(page)).replace("{pages}", str(pages))


@dataclass(frozen=True)
class Block:
    kind: str  # heading | para | bullet | numbered | row
    text: str
    cells: tuple[str, ...] = ()
    page_break: bool = False  # a "\f" in the source stood before this block


def _is_heading_text(text: str) -> bool:
    return len(text.split()) <= 12 and not text.rstrip().endswith((".", "?", "!", ",", ";", '"', "”", "…"))


def _block(line: str) -> Block:
    if "\t" in line.strip("\t "):
        return Block("row", line, tuple(cell.strip() for cell in line.split("\t") if cell.strip()))
    line = line.strip()
    if line.startswith("- "):
        return Block("bullet", line[2:].strip())
    if (numbered := _NUMBERED_RE.match(line)) and _is_heading_text(numbered.group(2)):
        return Block("heading", line)
    if numbered:
        return Block("numbered", numbered.group(2))
    return Block("heading" if _is_heading_text(line) else "para", line)


def source_blocks(text: str) -> list[Block]:
    """Split light-Markdown source text into renderable blocks (a form feed marks the next one as
    starting a new page)."""
    blocks: list[Block] = []
    page_break = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        page_break = page_break or "\f" in raw
        line = raw.replace("\f", "").strip(" ")
        if not line.strip():
            continue
        block = _block(line)
        blocks.append(dataclasses.replace(block, page_break=True) if page_break and blocks else block)
        page_break = False
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


def to_html(text: str, furniture: Furniture | None = None) -> bytes:
    parts = [
        "<!DOCTYPE html><html><head><title>Rendered copy</title>",
        "<style>body{font-family:sans-serif}</style><script>var x = '<p>not content</p>';</script>",
        "</head><body>",
    ]
    if furniture and furniture.header:
        parts.append(f"<header><p>{html.escape(furniture.header)}</p></header>")
    parts.append("<article>")
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
    parts.append("</article>")
    if furniture and furniture.footer:
        parts.append(f"<footer><p>{html.escape(furniture.footer_for(1, 1))}</p></footer>")
    parts.append("</body></html>")
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


def to_docx(text: str, furniture: Furniture | None = None) -> bytes:
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = f"OFFICIAL {furniture.header}".strip() if furniture else "OFFICIAL"
    section.footer.paragraphs[0].text = (
        furniture.footer_for(1, 1) if furniture and furniture.footer else "Rendered copy for tests - page footer"
    )
    table = None
    for block in source_blocks(text):
        if block.page_break:
            document.add_page_break()
        if block.kind != "row" or block.page_break:
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


TO_LATIN1 = str.maketrans(
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
    return text.translate(TO_LATIN1).encode("latin-1", "ignore").decode("latin-1")


def _render_pdf(
    text: str, running_title: str | None, core_font: bool = False, furniture: Furniture | None = None
) -> tuple[bytes, int]:
    from fpdf import FPDF

    fonts = None if core_font else _font_paths()
    align = "L" if core_font else "J"

    class Rendered(FPDF):  # type: ignore[misc]
        body_font = "Helvetica"

        def header(self) -> None:
            self.set_font(self.body_font, "", 8)
            self.set_y(8)
            self.cell(0, 4, "OFFICIAL", align="C", new_x="LMARGIN", new_y="NEXT")
            if furniture and furniture.header:
                self.cell(0, 4, _supported(furniture.header, cmap), align="L", new_x="LMARGIN", new_y="NEXT")
            if running_title:
                self.cell(0, 4, running_title, align="R", new_x="LMARGIN", new_y="NEXT")
            self.set_y(22)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font(self.body_font, "", 8)
            if furniture and furniture.footer:
                self.cell(0, 4, _supported(furniture.footer_for(self.page_no(), "{nb}"), cmap), align="C")
            else:
                self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Rendered(format="A4")
    if fonts:
        pdf.add_font("DejaVu", "", str(fonts[0]))
        pdf.add_font("DejaVu", "B", str(fonts[1]))
        pdf.body_font = "DejaVu"
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

        cmap: set[int] | None = set(TTFont(str(fonts[0])).getBestCmap())
    else:
        pdf.body_font = "Helvetica"
        cmap = None
    pdf.set_margins(20, 22, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    for block in source_blocks(text):
        if block.page_break:
            pdf.add_page()
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
                pdf.multi_cell(usable - 5, 5, f"{marker} {typeset}", align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)
    return bytes(pdf.output()), pdf.page_no()


@functools.lru_cache(maxsize=64)
def to_pdf(text: str, core_font: bool = False, furniture: Furniture | None = None) -> bytes:
    """Render to PDF; documents longer than a page also get a running title.

    The default is a justified DejaVu rendering with ligatures and soft
    hyphens; ``core_font`` gives a ragged-right Helvetica rendering of
    ``latin1_copy(text)`` instead, a second, differently wrapped layout.
    """
    if core_font:
        text = latin1_copy(text)
    single, pages = _render_pdf(text, None, core_font, furniture)
    if pages > 1:
        return _render_pdf(text, "Learning the Lessons - rendered copy", core_font, furniture)[0]
    return single


def render(fmt: str, text: str, furniture: Furniture | None = None) -> bytes:
    """The document in one format: "txt" (the source itself), "pdf", "pdf-core-font", "docx" or "html"."""
    if fmt == "txt":
        return text.encode("utf-8")
    if fmt == "pdf":
        return to_pdf(text, furniture=furniture)
    if fmt == "pdf-core-font":
        return to_pdf(text, core_font=True, furniture=furniture)
    if fmt == "docx":
        return to_docx(text, furniture)
    if fmt == "html":
        return to_html(text, furniture)
    raise ValueError(f"no renderer for {fmt!r}")


CONVERTERS: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "pdf": (".pdf", to_pdf),
    "pdf-core-font": (".pdf", lambda text: to_pdf(text, core_font=True)),
    "docx": (".docx", to_docx),
    "html": (".html", to_html),
}
