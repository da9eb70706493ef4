"""Errors raised by the learning-document parser (safeguard K1).

Only *reading* a file can fail loudly: a file we cannot turn into text is the
uploader's problem to fix, so it raises :class:`UnreadableDocument`, which the
API turns into a 4xx response.  Once we have text, parsing never raises; it
degrades to warnings instead (see ``watchkeeper.learning.parsing.parse``).
"""

from __future__ import annotations


class UnreadableDocument(Exception):
    """The uploaded bytes could not be turned into text.

    The message is written for the person who uploaded the file: it says what
    was wrong and, where possible, what to do about it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
