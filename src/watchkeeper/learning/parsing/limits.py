"""How much work one uploaded document may cause (safeguard K1 kept safe to run).

A 715 KB Word file once expanded to 300 million characters and took minutes to read. Every reader checks
these bounds before it does the expensive part, and refuses with `UnreadableDocument` (a 4xx naming the
bound) rather than reading on:

* a .docx is a zip: the sum of its members' uncompressed sizes, the number of members and the ratio of
  uncompressed to compressed size are checked from the zip's directory before anything is inflated;
* a PDF's page count is checked before any page is read;
* the extracted text's length is checked as it grows and at the end, whatever the format.

Real learning documents (bulletins, case reports, recommendation records) are a few dozen pages and well
under a million characters; the bounds leave ample room above that.
"""

from __future__ import annotations

import io
import zipfile

from .errors import UnreadableDocument

MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # all members of a .docx together, inflated
MAX_COMPRESSION_RATIO = 100  # inflated / compressed, over the whole archive
MAX_ZIP_MEMBERS = 5_000
MAX_PDF_PAGES = 500
MAX_TEXT_CHARS = 2_000_000


def check_zip(data: bytes, filename: str) -> None:
    """Refuse a zip (a .docx) whose members would inflate past the bounds, from its directory alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnreadableDocument(f"'{filename}' is not a readable Word file ({type(error).__name__}).") from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnreadableDocument(
            f"'{filename}' holds {len(members)} parts; a Word document has far fewer (at most {MAX_ZIP_MEMBERS})."
        )
    inflated = sum(m.file_size for m in members)
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableDocument(
            f"'{filename}' would expand to {inflated // (1024 * 1024)} MB, more than the "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB a document may; it is refused unread."
        )
    compressed = max(1, sum(m.compress_size for m in members))
    if inflated > 1024 * 1024 and inflated / compressed > MAX_COMPRESSION_RATIO:
        raise UnreadableDocument(
            f"'{filename}' is compressed {inflated // compressed} to 1, far more than any real document "
            f"(at most {MAX_COMPRESSION_RATIO} to 1); it is refused unread."
        )


def check_pages(pages: int) -> None:
    if pages > MAX_PDF_PAGES:
        raise UnreadableDocument(
            f"This PDF has {pages} pages; at most {MAX_PDF_PAGES} are read. Split it and upload the parts."
        )


def check_text(length: int) -> None:
    if length > MAX_TEXT_CHARS:
        raise UnreadableDocument(
            f"This document's text is longer than {MAX_TEXT_CHARS:,} characters; split it and upload the parts."
        )
