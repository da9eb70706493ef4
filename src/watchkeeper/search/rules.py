"""Reading what a person typed into a search: pure functions, no Django.

A query is words and "quoted phrases"; a word written with hyphens or dots ("20261207-0001", "07700-900123")
is a phrase of its parts. Every term must match (AND). Terms can be restricted to one field (people, places,
phones). The same parsed query becomes an FTS5 MATCH expression (SQLite) or a `to_tsquery` text
(PostgreSQL); only word characters ever reach either, so nothing a person types is read as query syntax.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

MAX_TERMS = 12
MAX_TERM_LENGTH = 60
WORD = re.compile(r"\w+", re.UNICODE)
_CHUNK = re.compile(r'"([^"]*)"|(\S+)')

# Field -> FTS5 column, and PostgreSQL weight (sql.PG_DOCUMENT).
FIELDS = {"people": ("people", "A"), "places": ("places", "B"), "phones": ("phones", "C")}
# The marks the databases put around a matched word in a snippet; escaped text never contains them.
START, STOP = "\x02", "\x03"


@dataclass(frozen=True)
class Term:
    """One phrase of one or more words (a single word is a phrase of one); `prefix`: the last word may be
    the start of a longer one."""

    words: tuple[str, ...]
    field: str = ""
    prefix: bool = False


@dataclass
class Parsed:
    terms: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.terms


def words_of(text: str) -> tuple[str, ...]:
    return tuple(w[:MAX_TERM_LENGTH].casefold() for w in WORD.findall(text))


def parse(text: str, field_name: str = "", *, prefix_last: bool = False) -> Parsed:
    """Terms of a query box: quoted phrases and words (hyphenated words are phrases), at most MAX_TERMS."""
    terms: list[Term] = []
    for m in _CHUNK.finditer(text or ""):
        quoted, bare = m.group(1), m.group(2)
        words = words_of(quoted if quoted is not None else bare)
        if words:
            terms.append(Term(words, field_name))
        if len(terms) >= MAX_TERMS:
            break
    if prefix_last and terms and len(terms[-1].words) == 1 and len(terms[-1].words[0]) >= 3:
        terms[-1] = Term(terms[-1].words, field_name, prefix=True)
    return Parsed(terms)


def phone_term(e164: str, typed: str) -> Term:
    """A phone: its E.164 digits, as the index holds every linked phone (a typed one may differ in spaces)."""
    digits = e164.lstrip("+") if e164 else "".join(words_of(typed))
    return Term((digits,), "phones")


def combine(*parts: Parsed) -> Parsed:
    return Parsed([t for p in parts for t in p.terms][: MAX_TERMS * 2])


def fts5_match(parsed: Parsed) -> str:
    """An FTS5 MATCH expression: each term a quoted phrase (column-filtered when it has a field), all ANDed."""
    out = []
    for t in parsed.terms:
        phrase = '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")
        out.append(f"{FIELDS[t.field][0]} : {phrase}" if t.field else phrase)
    return " AND ".join(out)


def tsquery_text(parsed: Parsed) -> str:
    """A `to_tsquery` text: words joined by <-> within a phrase, terms by &, a field as a weight label."""
    out = []
    for t in parsed.terms:
        label = FIELDS[t.field][1] if t.field else ""
        parts = []
        for i, w in enumerate(t.words):
            suffix = ""
            if t.prefix and i == len(t.words) - 1:
                suffix = ":*" + label
            elif label:
                suffix = ":" + label
            parts.append(w + suffix)
        out.append("(" + " <-> ".join(parts) + ")")
    return " & ".join(out)


def snippet_html(raw: str) -> str:
    """A snippet from the database as safe HTML: the text escaped, the matched words in <mark>."""
    text = html.escape(" ".join(raw.split()))
    return text.replace(START, "<mark>").replace(STOP, "</mark>")


def snippet_text(raw: str) -> str:
    return " ".join(raw.replace(START, "").replace(STOP, "").split())


def looks_like_phone(text: str) -> bool:
    """A query that is a phone number and nothing else: digits, spaces and +()- only, starting + or 0 (a log
    reference starts with its date), 10 to 15 digits."""
    s = text.strip()
    digits = re.sub(r"\D", "", s)
    return (bool(re.fullmatch(r"[\d\s+()\-]+", s)) and s.lstrip("(")[:1] in ("+", "0")
            and 10 <= len(digits) <= 15)


def looks_like_reference(text: str) -> bool:
    """Worth trying as a log reference before searching: one token with a digit in it."""
    s = text.strip()
    return bool(s) and " " not in s and any(c.isdigit() for c in s) and len(s) <= 32
