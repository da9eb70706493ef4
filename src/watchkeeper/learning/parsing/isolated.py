"""Read and parse an uploaded document in a child process with a time and memory limit (safeguard K1 kept
safe to run).

The bounds in `limits.py` stop the known ways a small file becomes a lot of work (zip bombs, endless PDFs,
endless text). What they cannot foresee (a pathological table, a PDF that makes pdfium spin) is stopped
here: the reading runs in a child process that is killed when it passes its time limit, and whose address
space is capped, so neither a hang nor a memory blow-up reaches the server. The child is forked from a
small fork server that has loaded only this parser (no Django, no database connection, none of the
server's threads), so starting one costs milliseconds.

Why a child process inside the request rather than a queued job (as lesson replays are): an upload is a
rare act of one learning lead, who waits for its result (the document page, or what was wrong with the
file); the child gives the same protection a job would (the work is off the server's threads' memory and
is killed at its bound) while the request keeps its contract (201 with the document, or a 4xx naming the
problem). The request waits at most the time limit, and holds no lock while it does.
"""

from __future__ import annotations

import multiprocessing
import resource
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from .errors import UnreadableDocument
from .extract import extract_text_with_format
from .models import ParsedDocument
from .parse import parse_text_located

DEFAULT_SECONDS = 30.0
DEFAULT_MEMORY_BYTES = 2 * 1024 * 1024 * 1024

_context: BaseContext | None = None


def _ctx() -> BaseContext:
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["watchkeeper.learning.parsing.isolated"])  # type: ignore[attr-defined]
        _context = ctx
    return _context


def read_here(data: bytes, filename: str) -> tuple[str, str, ParsedDocument]:
    """Text, format and parsed record of a document, in this process (the child's work)."""
    text, source_format, parsed, _ = read_here_located(data, filename)
    return text, source_format, parsed


def read_here_located(data: bytes, filename: str) -> tuple[str, str, ParsedDocument, dict[str, dict[str, Any]]]:
    """`read_here` and where each field of the record starts in the text (page and line)."""
    text, source_format = extract_text_with_format(data, filename)
    parsed, where = parse_text_located(text)
    return text, source_format, parsed, where


def _child(conn: Connection, data: bytes, filename: str, memory_bytes: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ValueError, OSError):  # pragma: no cover - a platform without the limit still has the timeout
        pass
    try:
        reply: tuple[Any, ...] = ("ok", *read_here_located(data, filename))
    except UnreadableDocument as exc:
        reply = ("unreadable", exc.message)
    except MemoryError:
        reply = ("unreadable", f"Reading '{filename}' needed more memory than a document may use.")
    except Exception as exc:  # noqa: BLE001 - any failure of a reader is the file's, reported as such
        reply = ("unreadable", f"'{filename}' could not be read ({type(exc).__name__}).")
    try:
        conn.send(reply)
    except MemoryError:
        conn.send(("unreadable", f"Reading '{filename}' needed more memory than a document may use."))
    finally:
        conn.close()


def read_isolated(
    data: bytes, filename: str, *, seconds: float = DEFAULT_SECONDS, memory_bytes: int = DEFAULT_MEMORY_BYTES
) -> tuple[str, str, ParsedDocument]:
    """`read_here` in a child process killed after `seconds`; UnreadableDocument for every failure."""
    text, source_format, parsed, _ = read_isolated_located(data, filename, seconds=seconds, memory_bytes=memory_bytes)
    return text, source_format, parsed


def read_isolated_located(
    data: bytes, filename: str, *, seconds: float = DEFAULT_SECONDS, memory_bytes: int = DEFAULT_MEMORY_BYTES
) -> tuple[str, str, ParsedDocument, dict[str, dict[str, Any]]]:
    """`read_here_located` in a child process killed after `seconds`; UnreadableDocument for every
    failure."""
    ctx = _ctx()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, data, filename, memory_bytes), daemon=True)  # type: ignore[attr-defined]
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise UnreadableDocument(
                f"Reading '{filename}' took longer than {seconds:g} seconds and was stopped; "
                "split the document or save it in a simpler form (plain text or a PDF with a text layer)."
            )
        try:
            reply = receive.recv()
        except (EOFError, OSError):
            raise UnreadableDocument(
                f"Reading '{filename}' stopped before it finished (the file may be damaged or too complex)."
            ) from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if reply[0] == "ok":
        _, text, source_format, parsed, where = reply
        return text, source_format, parsed, where
    raise UnreadableDocument(reply[1])
