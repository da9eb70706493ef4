"""The document readers' bounds, checked before the expensive part (no database)."""

from __future__ import annotations

import io
import zipfile

import pytest

from watchkeeper.learning.parsing import UnreadableDocument, limits
from watchkeeper.learning.parsing.extract import extract_text
from watchkeeper.learning.parsing.isolated import read_isolated


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_inflated_size_is_checked_from_the_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNCOMPRESSED_BYTES", 1000)
    data = _zip({"word/document.xml": bytes(range(256)) * 8})  # 2 KB, barely compressible
    with pytest.raises(UnreadableDocument, match="would expand to"):
        limits.check_zip(data, "a.docx")


def test_ratio_and_member_count_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnreadableDocument, match="compressed .* to 1"):
        limits.check_zip(_zip({"word/document.xml": b"\x00" * (8 * 1024 * 1024)}), "a.docx")
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 3)
    with pytest.raises(UnreadableDocument, match="parts"):
        limits.check_zip(_zip({f"p{i}.xml": b"<x/>" for i in range(4)}), "a.docx")


def test_a_docx_bomb_is_refused_before_python_docx_reads_it() -> None:
    with pytest.raises(UnreadableDocument, match="refused unread"):
        extract_text(_zip({"word/document.xml": b" " * (8 * 1024 * 1024)}), "bomb.docx")


def test_page_count_and_text_length() -> None:
    limits.check_pages(limits.MAX_PDF_PAGES)
    with pytest.raises(UnreadableDocument, match="pages"):
        limits.check_pages(limits.MAX_PDF_PAGES + 1)
    with pytest.raises(UnreadableDocument, match="longer than"):
        extract_text(b"a" * (limits.MAX_TEXT_CHARS + 1), "long.txt")


def test_the_isolated_reader_gives_the_same_result_and_stops_at_its_time_limit() -> None:
    text, source_format, parsed = read_isolated(b"Learning the lessons\n\nA short note.", "note.txt")
    assert source_format == "txt" and "short note" in text and parsed.kind
    with pytest.raises(UnreadableDocument, match="took longer than"):
        read_isolated(b"Learning the lessons", "note.txt", seconds=0.0001)
    with pytest.raises(UnreadableDocument, match="not plain text"):
        read_isolated(b"\x00\x01binary", "x.txt")
