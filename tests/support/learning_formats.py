"""Test helpers: render learning documents to PDF, Word and HTML (safeguard K1).

The renderer is shared with the learning benchmark (`watchkeeper.bench.documents`), so the tests and
`watchkeeper bench learning` render documents the same way; see that module for the rendering rules.
"""

from __future__ import annotations

from watchkeeper.bench.documents import (
    CONVERTERS,
    TO_LATIN1,
    Block,
    Furniture,
    latin1_copy,
    plain,
    render,
    source_blocks,
    to_docx,
    to_html,
    to_pdf,
)

__all__ = [
    "CONVERTERS",
    "TO_LATIN1",
    "Block",
    "Furniture",
    "latin1_copy",
    "plain",
    "render",
    "source_blocks",
    "to_docx",
    "to_html",
    "to_pdf",
]
