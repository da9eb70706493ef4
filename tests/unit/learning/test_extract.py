"""Reading uploaded files into text (safeguard K1).

Covers format detection, encodings, the Word/HTML/PDF readers' output shape,
PDF clean-up (page furniture, wrapping, hyphenation) and clear refusals of
files that cannot be read.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import docx
import pdfplumber
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tests.support.learning_formats import to_pdf
from tests.support.lessons import BULLETIN_28, shared
from watchkeeper.learning.parsing import UnreadableDocument, extract_text, parse_document


class TestPlainText:
    @pytest.mark.safeguard("K1")
    def test_utf8_with_bom(self) -> None:
        assert extract_text("\ufeffOfficers’ notes".encode(), "notes.txt") == "Officers’ notes"

    @pytest.mark.safeguard("K1")
    def test_falls_back_to_windows_1252(self) -> None:
        assert extract_text(b"Officers\x92 notes \x96 draft", "notes.txt") == "Officers’ notes – draft"

    @pytest.mark.safeguard("K1")
    def test_markdown_is_read_as_text(self) -> None:
        document = parse_document(b"# Heading\n\nSome text.", "notes.md")
        assert document.source_format == "md"

    @pytest.mark.safeguard("K1")
    def test_binary_named_as_text_is_refused(self) -> None:
        with pytest.raises(UnreadableDocument, match="not plain text"):
            extract_text(b"\x00\x01\x02binary", "notes.txt")


class TestRefusals:
    @pytest.mark.safeguard("K1")
    def test_empty_file(self) -> None:
        with pytest.raises(UnreadableDocument, match="empty"):
            extract_text(b"", "lesson.pdf")

    @pytest.mark.safeguard("K1")
    def test_pdf_name_without_pdf_content(self) -> None:
        with pytest.raises(UnreadableDocument, match="not a PDF"):
            extract_text(b"just some text", "lesson.pdf")

    @pytest.mark.safeguard("K1")
    def test_damaged_pdf(self) -> None:
        with pytest.raises(UnreadableDocument, match="PDF could not be read"):
            extract_text(b"%PDF-1.7\n%garbage that is not a pdf body", "lesson.pdf")

    @pytest.mark.safeguard("K1")
    def test_damaged_word_file(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a word document")
        with pytest.raises(UnreadableDocument, match="Word file could not be read"):
            extract_text(buffer.getvalue(), "lesson.docx")

    @pytest.mark.safeguard("K1")
    def test_legacy_word_format(self) -> None:
        with pytest.raises(UnreadableDocument, match=r"\.docx"):
            extract_text(b"\xd0\xcf\x11\xe0 old word", "lesson.doc")

    @pytest.mark.safeguard("K1")
    def test_unknown_binary(self) -> None:
        with pytest.raises(UnreadableDocument, match="not a supported document type"):
            extract_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png")

    @pytest.mark.safeguard("K1")
    def test_pdf_without_text_layer(self) -> None:
        from fpdf import FPDF

        pdf = FPDF()
        pdf.add_page()
        pdf.rect(20, 20, 50, 50)
        with pytest.raises(UnreadableDocument, match="scanned image"):
            extract_text(bytes(pdf.output()), "scan.pdf")


class TestSniffing:
    @pytest.mark.safeguard("K1")
    def test_pdf_without_extension(self) -> None:
        data = to_pdf("Bulletin 9\n\nSome text.")
        assert parse_document(data, "upload").source_format == "pdf"

    @pytest.mark.safeguard("K1")
    def test_html_without_extension(self) -> None:
        text = extract_text(b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "upload.bin")
        assert text == "Hello"

    @pytest.mark.safeguard("K1")
    def test_docx_without_extension(self) -> None:
        document = docx.Document()
        document.add_paragraph("Hello from Word")
        buffer = io.BytesIO()
        document.save(buffer)
        assert parse_document(buffer.getvalue(), "upload").source_format == "docx"

    @pytest.mark.safeguard("K1")
    def test_text_without_extension(self) -> None:
        assert extract_text(b"Plain words", "README") == "Plain words"


class TestWord:
    def make(self) -> bytes:
        document = docx.Document()
        document.sections[0].header.paragraphs[0].text = "OFFICIAL - running header"
        document.add_paragraph("Key questions", style="Heading 2")
        document.add_paragraph("First question?", style="List Bullet")
        document.add_paragraph("Second question?", style="List Number")
        document.add_paragraph("Plain paragraph.")
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text = "Call handling"
        table.rows[0].cells[1].text = "Public protection"
        document.add_paragraph("After the table.")
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    @pytest.mark.safeguard("K1")
    def test_paragraphs_lists_and_tables_in_order(self) -> None:
        assert extract_text(self.make(), "lesson.docx").split("\n") == [
            "Key questions",
            "- First question?",
            "- Second question?",
            "Plain paragraph.",
            "Call handling\tPublic protection",
            "After the table.",
        ]

    @pytest.mark.safeguard("K1")
    def test_hyperlink_text_is_kept(self) -> None:
        document = docx.Document()
        paragraph = document.add_paragraph("Click ")
        relation = document.part.relate_to("https://example.org/report", RT.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), relation)
        run, text = OxmlElement("w:r"), OxmlElement("w:t")
        text.text = "here"
        run.append(text)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)
        paragraph.add_run(" for a link to the full learning report")
        buffer = io.BytesIO()
        document.save(buffer)
        assert (
            extract_text(buffer.getvalue(), "lesson.docx")
            == "Click here for a link to the full learning report"
        )


class TestHtml:
    @pytest.mark.safeguard("K1")
    def test_blocks_lists_tables_and_skipped_content(self) -> None:
        page = b"""<!DOCTYPE html><html><head><title>Title bar</title><style>p{}</style></head>
        <body><script>document.write("<p>nope</p>")</script>
        <h1>Bulletin&nbsp;12</h1><p>First   line<br>second line &amp; more</p>
        <ul><li><p>Item one</p></li><li>Item <em>two</em></li></ul>
        <table><tr><td>A</td><td>B</td></tr></table></body></html>"""
        assert extract_text(page, "page.html").split("\n") == [
            "Bulletin 12",
            "First line",
            "second line & more",
            "- Item one",
            "- Item two",
            "A\tB",
        ]

    @pytest.mark.safeguard("K1")
    def test_empty_list_item_does_not_turn_the_next_paragraph_into_a_bullet(self) -> None:
        assert extract_text(b"<ul><li></li><li> </li></ul><p>Para</p>", "page.html") == "Para"

    @pytest.mark.safeguard("K1")
    def test_windows_1252_page(self) -> None:
        assert extract_text("<p>Officers’ notes</p>".encode("cp1252"), "page.htm") == "Officers’ notes"


@pytest.fixture(scope="module")
def rendered() -> tuple[bytes, str, str]:
    """Bulletin 28 as a PDF, its naive pdfplumber text, and our extracted text."""
    data = to_pdf(shared(BULLETIN_28).read_text(encoding="utf-8"))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        raw = "\n".join(page.extract_text() for page in pdf.pages)
    return data, raw, extract_text(data, "bulletin.pdf")


class TestPdf:
    @pytest.mark.safeguard("K1")
    def test_page_furniture_is_removed(self, rendered: tuple[bytes, str, str]) -> None:
        _, raw, text = rendered
        assert raw.count("Learning the Lessons - rendered copy") > 10
        assert re.search(r"^Page \d+ of \d+$", raw, re.M)
        assert "rendered copy" not in text
        assert not re.search(r"^Page \d+ of \d+$", text, re.M)
        assert "OFFICIAL" not in text

    @pytest.mark.safeguard("K1")
    def test_hyphenated_line_ends_are_rejoined(self, rendered: tuple[bytes, str, str]) -> None:
        _, raw, text = rendered
        broken = re.findall(r"([A-Za-z]+)-\n([a-z]+)", raw)
        assert len(broken) >= 5, "the rendering should break some words across lines"
        for left, right in broken:
            assert f"{left}{right}" in text.replace("\n", " ")

    @pytest.mark.safeguard("K1")
    def test_wrapped_lines_become_one_paragraph(self, rendered: tuple[bytes, str, str]) -> None:
        _, _, text = rendered
        paragraph = (
            "Officers from the local policing unit spoke to the woman and established that the stalking "
            "related to a single incident."
        )
        assert paragraph in text

    @pytest.mark.safeguard("K1")
    def test_hash_is_of_the_uploaded_bytes(self, rendered: tuple[bytes, str, str]) -> None:
        data, _, _ = rendered
        assert parse_document(data, "bulletin.pdf").sha256 == hashlib.sha256(data).hexdigest()
