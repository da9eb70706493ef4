"""Full-text search over lesson cases (K5): one interface, two engines.

- SQLite: an FTS5 virtual table (`learning_case_fts`: title, body, facets, pairs; Porter stemming),
  ranked by BM25 with a title hit worth five body hits; snippets from FTS5's `snippet()`.
- PostgreSQL: a narrow side table (`learning_case_search`: the case's `tsvector`, title weight A and body
  weight B, a facets vector and a pairs vector), each under a GIN index; matches are set operations over
  index scans, ranked by `ts_rank`, with `ts_headline` snippets cut from the case's text. Where pg_trgm
  can be installed, titles get a trigram index and a query that matches no words falls back to titles
  that look like it (a misspelt title still finds its case).

Filters (theme, year, kind, force) are indexed as facet tokens beside the words ("y2017", "k1", ...), so
a filtered search is one intersection inside the index rather than a check of every matching case.

Both engines accept the same query language: words (all must match), "quoted phrases", -excluded words
and OR. A quoted phrase matches those exact words in that order: each pair of neighbouring words is also
indexed as a token, so a phrase is found by intersecting its pairs in the index, not by checking the
word positions of every case that holds its (often common) words.

Up to RANK_CAP matches are ranked by relevance; a query matching more (a word in nearly every case) is
shown newest first, and says so: ranking hundreds of near-equal matches means reading every one of
them and tells a person little. Recall is complete either way; only the order differs.

Snippets are marked with control characters by the database, then HTML-escaped here and the markers
turned into <mark>, so nothing a document contains can become markup. The index is written in the same
transaction as the case (`index_cases`), so a case is findable exactly when it exists; cases are never
edited, so the index never needs updating.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from watchkeeper.learning.rules import theme_key

START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 32
MAX_QUERY = 500
COUNT_CAP = 1000
RANK_CAP = 250  # more matches than this are shown newest first (see the module docstring)
KIND_TOKENS = {"bulletin": "k1", "case_report": "k2", "recommendation_record": "k3", "unknown": "k4"}

_FTS5 = (
    "CREATE VIRTUAL TABLE learning_case_fts USING fts5("
    "title, body, facets, pairs, tokenize = 'porter unicode61 remove_diacritics 2')"
)
# The table's own `rank` (ORDER BY rank, FTS5's fast path): BM25; a title hit worth five; facets, pairs none.
_FTS5_RANK = "INSERT INTO learning_case_fts(learning_case_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0, 0.0, 0.0)')"
_PG_TABLE = [
    "CREATE TABLE learning_case_search ("
    " case_id bigint PRIMARY KEY REFERENCES learning_case(id) DEFERRABLE INITIALLY DEFERRED,"
    " document tsvector NOT NULL,"
    " facets tsvector NOT NULL,"
    " pairs tsvector NOT NULL)",
    # The word pairs are large and only ever answered by their index: kept out of line, so the rows
    # the scans visit hold the (compressed) document vector that ranking reads.
    "ALTER TABLE learning_case_search ALTER COLUMN pairs SET STORAGE EXTERNAL",
    # fastupdate off: a pending list (which every search scans until vacuum) would trade slow searches for
    # fast ingest, the wrong way round for a library written rarely and searched often.
    "CREATE INDEX learning_case_search_document ON learning_case_search USING gin (document) WITH (fastupdate = off)",
    "CREATE INDEX learning_case_search_facets ON learning_case_search USING gin (facets) WITH (fastupdate = off)",
    "CREATE INDEX learning_case_search_pairs ON learning_case_search USING gin (pairs) WITH (fastupdate = off)",
]
_PG_TRIGRAM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS learning_case_title_trgm ON learning_case USING gin (title gin_trgm_ops) "
    "WITH (fastupdate = off)",
]
_PG_INSERT = (
    "INSERT INTO learning_case_search(case_id, document, facets, pairs) VALUES (%s, "
    "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B'), "
    "strip(to_tsvector('simple', %s)), strip(to_tsvector('simple', %s)))"
)


# ------------------------------------------------------------------------------------ the index
def _digits(text: str) -> str:
    """A theme or force as a token of digits (no tokenizer or stemmer changes digits)."""
    return str(int(hashlib.sha1(text.encode()).hexdigest()[:12], 16))


def facet_tokens(*, year: int | None, kind: str, force: str, themes: Iterable[str]) -> str:
    """The filter values of a case as index tokens: y<year>, k<kind>, f<force>, t<theme> each."""
    tokens = [KIND_TOKENS.get(kind, "k0")]
    if year:
        tokens.append(f"y{year}")
    if force.strip():
        tokens.append("f" + _digits(force.strip().casefold()))
    tokens += ["t" + _digits(theme_key(t)) for t in themes if t.strip()]
    return " ".join(tokens)


def _words(text: str) -> list[str]:
    """Words as both sides of a phrase are compared: lower case, accents dropped, split at non-letters."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return re.findall(r"\w+", "".join(ch for ch in plain if not unicodedata.combining(ch)))


def _pair(a: str, b: str) -> str:
    return "p" + _digits(f"{a} {b}")


def pair_tokens(*texts: str) -> str:
    """Every pair of neighbouring words of the texts, as index tokens (see the module docstring)."""
    tokens: set[str] = set()
    for text in texts:
        words = _words(text)
        tokens.update(_pair(a, b) for a, b in zip(words, words[1:], strict=False))
    return " ".join(sorted(tokens))


def phrase_pairs(phrase: str) -> list[str]:
    words = _words(phrase)
    return sorted({_pair(a, b) for a, b in zip(words, words[1:], strict=False)})


def index_row(
    case_id: int, title: str, body: str, *, year: int | None, kind: str, force: str, themes: Iterable[str]
) -> tuple[int, str, str, str, str]:
    """What the index holds for one case: its words, its filter facets and its word pairs."""
    return (
        case_id,
        title,
        body,
        facet_tokens(year=year, kind=kind, force=force, themes=themes),
        pair_tokens(title, body),
    )


def install(apps: Any, schema_editor: Any) -> None:
    """Migration step: create the (empty) search index for this database."""
    _create(schema_editor)


def rebuild(apps: Any, schema_editor: Any) -> None:
    """Migration step: drop and recreate the index in its current shape, then fill it from the cases."""
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            "DROP TABLE IF EXISTS learning_case_fts"
            if schema_editor.connection.vendor == "sqlite"
            else "DROP TABLE IF EXISTS learning_case_search"
        )
    _create(schema_editor)
    Case = apps.get_model("learning", "Case")
    CaseTheme = apps.get_model("learning", "CaseTheme")
    themes: dict[int, list[str]] = {}
    for case_id, label in CaseTheme.objects.values_list("case_id", "label"):
        themes.setdefault(case_id, []).append(label)
    rows = [
        index_row(pk, title, body, year=year, kind=kind, force=force, themes=themes.get(pk, []))
        for pk, title, body, year, kind, force in Case.objects.values_list(
            "pk", "title", "body", "year", "kind", "force"
        ).iterator()
    ]
    _insert(schema_editor.connection, rows)


def _create(schema_editor: Any) -> None:
    conn = schema_editor.connection
    if conn.vendor == "sqlite":
        schema_editor.execute(_FTS5)
        schema_editor.execute(_FTS5_RANK)
        return
    for sql in _PG_TABLE:
        schema_editor.execute(sql)
    # pg_trgm is optional: a server without it (or a role that may not create it) still searches by words.
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        available = cur.fetchone() is not None
    if available:
        from django.db import DatabaseError, transaction

        try:
            with transaction.atomic(using=conn.alias):
                for sql in _PG_TRIGRAM:
                    schema_editor.execute(sql)
        except DatabaseError:
            pass


def _insert(conn: Any, rows: list[tuple[int, str, str, str, str]]) -> None:
    if not rows:
        return
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.executemany(
                "INSERT INTO learning_case_fts(rowid, title, body, facets, pairs) VALUES (%s, %s, %s, %s, %s)",
                rows,
            )
        else:
            cur.executemany(_PG_INSERT, rows)


def index_cases(rows: list[tuple[int, str, str, str, str]]) -> None:
    """Add cases (`index_row` each) to the index, inside the caller's transaction."""
    _insert(connection, rows)


def reindex_cases(rows: list[tuple[int, str, str, str, str]]) -> None:
    """Replace the index rows of cases whose text changed (a better reading, a correction), inside the
    caller's transaction."""
    if not rows:
        return
    ids = [row[0] for row in rows]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(f"DELETE FROM learning_case_fts WHERE rowid IN ({marks})", ids)
        else:
            cur.execute(f"DELETE FROM learning_case_search WHERE case_id IN ({marks})", ids)
    _insert(connection, rows)


# ------------------------------------------------------------------------------------- the query
@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    negated: bool = False


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(q: str) -> list[list[Term]]:
    """The query as OR-groups of terms. Words and phrases must all match within a group; a leading "-"
    excludes. Punctuation inside words is left to the database's tokenizer."""
    groups: list[list[Term]] = [[]]
    for m in _TOKEN.finditer(q[:MAX_QUERY]):
        neg, phrase, word = m.group(1), m.group(2), m.group(3)
        if word == "OR":
            groups.append([])
            continue
        if phrase is not None:
            text = " ".join(phrase.split())
            if _has_word(text):
                groups[-1].append(Term(text, phrase=True, negated=bool(neg)))
            continue
        negated = word.startswith("-") and len(word) > 1
        text = word[1:] if negated else word
        if _has_word(text):
            groups[-1].append(Term(text, negated=negated))
    return [g for g in groups if any(not t.negated for t in g)]


def _has_word(text: str) -> bool:
    return bool(re.search(r"\w", text))


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class Plan:
    """One OR-group as the engines search it: words that must all be there (a phrase's words included),
    word pairs that must be there (a phrase's neighbours), and what must not be."""

    words: tuple[str, ...]
    pairs: tuple[str, ...]
    without: tuple[str, ...]
    without_pairs: tuple[tuple[str, ...], ...]


def plan(groups: list[list[Term]]) -> list[Plan]:
    plans = []
    for group in groups:
        words: list[str] = []
        pairs: list[str] = []
        without: list[str] = []
        without_pairs: list[tuple[str, ...]] = []
        for t in group:
            phrase_words = _words(t.text) if t.phrase else []
            if t.negated:
                if len(phrase_words) > 1:
                    without_pairs.append(tuple(phrase_pairs(t.text)))
                else:
                    without.append(phrase_words[0] if phrase_words else t.text)
            elif len(phrase_words) > 1:
                # The pairs hold the phrase together; its words are there to rank and mark by, and its
                # short ones ("to", "the") would only make every search scan their huge lists.
                words += [w for w in phrase_words if len(w) > 3] or [max(phrase_words, key=len)]
                pairs += phrase_pairs(t.text)
            else:
                words.append(phrase_words[0] if phrase_words else t.text)
        plans.append(Plan(tuple(dict.fromkeys(words)), tuple(sorted(set(pairs))), tuple(without), tuple(without_pairs)))
    return plans


def to_fts5(groups: list[list[Term]]) -> str:
    """FTS5 syntax for the parsed query: every word quoted (so no input is read as an operator), words
    on title and body, phrases also by their word pairs."""
    parts = []
    for p in plan(groups):
        expr = "{title body} : (" + " AND ".join(_fts5_string(w) for w in p.words) + ")"
        if p.pairs:
            expr += " AND pairs : (" + " AND ".join(p.pairs) + ")"
        expr = f"({expr})"
        expr += "".join(f" NOT {{title body}} : ({_fts5_string(w)})" for w in p.without)
        expr += "".join(f" NOT pairs : ({' AND '.join(ps)})" for ps in p.without_pairs)
        parts.append(f"({expr})")
    return " OR ".join(parts)


def _fts5_match(groups: list[list[Term]], filters: Filters) -> str:
    """The whole FTS5 expression: the query within the filter facets."""
    match = to_fts5(groups)
    if filters.active:
        match = f"({match}) AND facets : ({' AND '.join(filters.tokens())})"
    return match


# --------------------------------------------------------------------------------------- filters
@dataclass(frozen=True)
class Filters:
    theme: str = ""
    year: int | None = None
    kind: str = ""
    force: str = ""

    @property
    def active(self) -> bool:
        return bool(self.theme or self.year or self.kind or self.force)

    def tokens(self) -> list[str]:
        """The facet tokens a case must carry to pass these filters."""
        out = []
        if self.kind:
            out.append(KIND_TOKENS.get(self.kind, "k0"))
        if self.year:
            out.append(f"y{self.year}")
        if self.force.strip():
            out.append("f" + _digits(self.force.strip().casefold()))
        if self.theme.strip():
            out.append("t" + _digits(theme_key(self.theme)))
        return out


# ---------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Hit:
    case_id: int
    snippet: SafeString
    rank: float


@dataclass
class Results:
    query: str
    filters: Filters
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    more: bool = False
    fuzzy: bool = False
    by_relevance: bool = True

    @property
    def total_label(self) -> str:
        return f"more than {COUNT_CAP:,}" if self.total > COUNT_CAP else str(self.total)


def highlight(raw: str) -> SafeString:
    """Escape the snippet, then turn the database's markers into <mark> (never the document's text)."""
    escaped = str(escape(raw.replace("\n", " ")))
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308 - escaped above; only our own markers become tags


def search(q: str, filters: Filters | None = None, *, limit: int = 20, offset: int = 0) -> Results:
    """K5: cases matching the query, best first (newest first beyond RANK_CAP matches), with highlighted
    snippets, within the filters."""
    filters = filters or Filters()
    limit = max(1, min(limit, 100))
    offset = max(0, min(offset, 10_000))
    groups = parse_query(q)
    results = Results(query=q, filters=filters)
    if not groups:
        return results
    if connection.vendor == "sqlite":
        rows, total = _sqlite(groups, filters, limit + 1, offset)
    else:
        rows, total = _postgres(groups, filters, limit + 1, offset)
        if not rows and offset == 0 and _has_trigram():
            rows, total = _postgres_fuzzy(q, filters, limit + 1)
            results.fuzzy = bool(rows)
    results.more = len(rows) > limit
    results.hits = [Hit(int(r[0]), highlight(r[1] or ""), float(r[2])) for r in rows[:limit]]
    results.total = total
    results.by_relevance = total <= RANK_CAP
    return results


def _sqlite(groups: list[list[Term]], filters: Filters, limit: int, offset: int) -> tuple[list[Any], int]:
    match = _fts5_match(groups, filters)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM (SELECT 1 FROM learning_case_fts WHERE learning_case_fts MATCH %s LIMIT %s)",
            [match, COUNT_CAP + 1],
        )
        total = int(cur.fetchone()[0])
        order = "rank" if total <= RANK_CAP else "rowid DESC"
        # Snippets are computed only for the rows of the page, as FTS5 returns them in order.
        cur.execute(
            "SELECT rowid, snippet(learning_case_fts, 1, char(2), char(3), '…', %s), rank "
            f"FROM learning_case_fts WHERE learning_case_fts MATCH %s ORDER BY {order} LIMIT %s OFFSET %s",
            [SNIPPET_WORDS, match, limit, offset],
        )
        page = cur.fetchall()
    return [(r[0], r[1], -r[2]) for r in page], total


_HEADLINE = (
    f'StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)


def _pg_where(groups: list[list[Term]], filters: Filters, cur: Any) -> tuple[str, list[Any], str]:
    """The condition for the plan: words through the english stemmer, pairs and facets as tokens, each
    answered by its own GIN index, exclusions as sets taken from the index once. Returns it with the
    words query to rank and highlight by. Words that are all stop words ("of the") leave the pairs to
    decide, as on SQLite, which has no stop words."""
    plans = plan(groups)
    texts = [" ".join(p.words) for p in plans] + [w for p in plans for w in p.without]
    # (With the planner setting of the caller's transaction in the same round trip.)
    cur.execute(
        "SELECT set_config('enable_seqscan', 'off', true), "
        + ", ".join(["plainto_tsquery('english', %s)::text"] * len(texts)),
        texts,
    )
    queries = list(cur.fetchone())[1:]
    parts, params, ranked = [], [], []
    for i, p in enumerate(plans):
        conds, group_params = [], []
        if queries[i]:
            conds.append("s.document @@ %s::tsquery")
            group_params.append(queries[i])
            ranked.append(f"({queries[i]})")
        if p.pairs:
            conds.append("s.pairs @@ to_tsquery('simple', %s)")
            group_params.append(" & ".join(p.pairs))
        if not conds:
            continue  # nothing searchable in this group
        first = len(plans) + sum(len(q.without) for q in plans[:i])
        for word in queries[first : first + len(p.without)]:
            if word:
                conds.append(
                    "s.case_id NOT IN (SELECT x.case_id FROM learning_case_search x WHERE x.document @@ %s::tsquery)"
                )
                group_params.append(word)
        for ps in p.without_pairs:
            conds.append(
                "s.case_id NOT IN (SELECT x.case_id FROM learning_case_search x "
                "WHERE x.pairs @@ to_tsquery('simple', %s))"
            )
            group_params.append(" & ".join(ps))
        parts.append("(" + " AND ".join(conds) + ")")
        params += group_params
    if not parts:
        return "", [], ""
    where = "(" + " OR ".join(parts) + ")"
    if filters.active:
        where += " AND s.facets @@ to_tsquery('simple', %s)"
        params.append(" & ".join(filters.tokens()))
    return where, params, " | ".join(ranked)


def _postgres(groups: list[list[Term]], filters: Filters, limit: int, offset: int) -> tuple[list[Any], int]:
    # One transaction, so the planner setting holds for these statements only: every condition has its
    # index, and a sequential scan (which the planner picks for common words) would unpack every vector.
    with transaction.atomic(), connection.cursor() as cur:
        where, params, words = _pg_where(groups, filters, cur)
        if not where:
            return [], 0
        words = words or ""  # only stop words and pairs: nothing to rank or mark by
        # Up to the cap of matches, straight from the indexes (no vector is read), with the newest id.
        cur.execute(f"SELECT s.case_id FROM learning_case_search s WHERE {where} LIMIT %s", [*params, COUNT_CAP + 1])
        found = [r[0] for r in cur.fetchall()]
        total = len(found)
        headline, headline_params = _headline_sql(groups, words)
        if total <= RANK_CAP:
            # Rank the few, and make the page's headlines, in one statement.
            cur.execute(
                "WITH page AS (SELECT s.case_id, ts_rank(s.document, %s::tsquery) AS score "
                "FROM learning_case_search s WHERE s.case_id = ANY(%s) "
                "ORDER BY score DESC, s.case_id LIMIT %s OFFSET %s) "
                f"SELECT page.case_id, {headline}, page.score FROM page "
                "JOIN learning_case c ON c.id = page.case_id ORDER BY page.score DESC, page.case_id",
                [words, found, limit, offset, *headline_params],
            )
            rows = cur.fetchall()
        else:  # too many to rank: newest first, and no vector is read
            if total <= COUNT_CAP:  # all of them are in hand
                ids = sorted(found, reverse=True)[offset : offset + limit]
            else:
                ids = _newest(cur, where, params, found, offset + limit)[offset:]
            cur.execute(
                f"SELECT c.id, {headline}, 0.0 FROM learning_case c WHERE c.id = ANY(%s) ORDER BY c.id DESC",
                [*headline_params, ids],
            )
            rows = cur.fetchall()
    return [(r[0], r[1], float(r[2])) for r in rows], total


def _newest(cur: Any, where: str, params: list[Any], sample: list[int], need: int) -> list[int]:
    """The newest `need` matches of a query with very many, without sorting them all: look in a window
    of the newest case ids sized from how densely the sample matched, and widen it until it holds
    enough."""
    cur.execute("SELECT max(case_id) FROM learning_case_search")
    top = int(cur.fetchone()[0] or 0)
    density = len(sample) / max(1, max(sample) - min(sample) + 1)
    window = int(need / max(density, 1e-6) * 1.5) + 64
    while True:
        cur.execute(
            f"SELECT s.case_id FROM learning_case_search s WHERE {where} AND s.case_id > %s "
            "ORDER BY s.case_id DESC LIMIT %s",
            [*params, top - window, need],
        )
        ids = [r[0] for r in cur.fetchall()]
        if len(ids) >= need or window > top:
            return ids
        window *= 4


SNIPPET_WINDOW = 420


def _needle(groups: list[list[Term]]) -> str:
    """The start of the query's longest word: where in a case's text its headline is cut from."""
    words = sorted((w.casefold() for p in plan(groups) for w in p.words), key=len, reverse=True)
    return words[0][: max(4, len(words[0]) - 3)] if words else ""


def _headline_sql(groups: list[list[Term]], words: str) -> tuple[str, list[Any]]:
    """A case's headline, made only for the page shown and from a few hundred characters of its text
    around the first place the query's longest word (or a word starting like it) appears, rather than
    from the whole case: ts_headline's cost grows with the text it reads."""
    return (
        "ts_headline('english', substr(c.body, greatest(1, strpos(lower(c.body), %s) - %s), %s), %s::tsquery, %s)",
        [_needle(groups), SNIPPET_WINDOW // 4, SNIPPET_WINDOW, words, _HEADLINE],
    )


def _pg_filter(filters: Filters) -> tuple[str, list[Any]]:
    if not filters.active:
        return "", []
    return " AND s.facets @@ to_tsquery('simple', %s)", [" & ".join(filters.tokens())]


def _postgres_fuzzy(q: str, filters: Filters, limit: int) -> tuple[list[Any], int]:
    """Titles like the query (trigram similarity), for a query whose words match no case."""
    text = " ".join(q.split())[:120]
    if len(text) < 4 or not re.search(r"\w{4}", text) or re.search(r'"|(^|\s)-|\sOR\s', text):
        return [], 0  # a phrase, an exclusion, an OR or a few short words: not a misspelt title
    cond, params = _pg_filter(filters)
    if cond:
        cond = " AND EXISTS (SELECT 1 FROM learning_case_search s WHERE s.case_id = c.id" + cond + ")"
    with transaction.atomic(), connection.cursor() as cur:
        # A misspelt title is still most of the title: a high threshold keeps the candidates few.
        cur.execute("SET LOCAL pg_trgm.similarity_threshold = 0.5")
        cur.execute(
            "SELECT c.id, c.title, similarity(c.title, %s) AS score FROM learning_case c "
            f"WHERE c.title %% %s{cond} ORDER BY score DESC, c.id LIMIT %s",
            [text, text, *params, limit],
        )
        rows = cur.fetchall()
    return rows, len(rows)


_TRIGRAM: dict[str, bool] = {}


def _has_trigram() -> bool:
    name = str(connection.settings_dict.get("NAME"))
    if name not in _TRIGRAM:
        with connection.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'learning_case_title_trgm'")
            _TRIGRAM[name] = cur.fetchone() is not None
    return _TRIGRAM[name]


def engine() -> str:
    """Which engine answers on this database (shown on the search page)."""
    if connection.vendor == "sqlite":
        return "SQLite FTS5"
    return "PostgreSQL full text" + (" + trigram titles" if _has_trigram() else "")
