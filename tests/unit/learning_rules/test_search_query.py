"""K5: the search query language, turned into each engine's terms without letting input become operators.
Pure functions; no database."""

from __future__ import annotations

import re

import pytest

from watchkeeper.learning.search import (
    Filters,
    Plan,
    Term,
    facet_tokens,
    highlight,
    pair_tokens,
    parse_query,
    phrase_pairs,
    plan,
    to_fts5,
)


@pytest.mark.safeguard("K5")
def test_words_phrases_exclusions_and_or_groups() -> None:
    groups = parse_query('ambulance "ready to close" -firearms OR custody')
    assert groups == [
        [Term("ambulance"), Term("ready to close", phrase=True), Term("firearms", negated=True)],
        [Term("custody")],
    ]
    first, second = plan(groups)
    # the phrase's short words are left to its pairs ("to" would match nearly every case)
    assert first.words == ("ambulance", "ready", "close") and first.without == ("firearms",)
    assert first.pairs == tuple(sorted(phrase_pairs("ready to close"))) and len(first.pairs) == 2
    assert second == Plan(("custody",), (), (), ())
    query = to_fts5(groups)
    assert query.startswith('(({title body} : ("ambulance" AND "ready" AND "close") AND pairs : (p')
    assert query.endswith(') NOT {title body} : ("firearms")) OR (({title body} : ("custody")))')


@pytest.mark.safeguard("K5")
@pytest.mark.parametrize("q", ["", "   ", "-firearms", '""', "OR", "- - -", "***"])
def test_queries_with_nothing_to_find_are_empty(q: str) -> None:
    assert parse_query(q) == []


@pytest.mark.safeguard("K5")
@pytest.mark.parametrize(
    "q",
    [
        "NEAR(a b)",
        "title:ambulance",
        "a AND b",
        "x*",
        '"unclosed phrase',
        'a"b',
        "facets : y2017",
        "{pairs}: p1",
    ],
)
def test_operator_syntax_stays_quoted_text(q: str) -> None:
    query = to_fts5(parse_query(q))
    # with every quoted string taken out, only our own structure is left: FTS5 reads no column filter,
    # NEAR, prefix or boolean from the input
    structure = re.sub(r'"(?:[^"]|"")*"', "Q", query)
    assert re.fullmatch(r"[()Q ]|\{title body\} :|AND|NOT|OR|pairs :|p\d+", "x") is None
    assert re.fullmatch(r"(?:[()Q ]|\{title body\} :|AND|NOT|OR|pairs :|p\d+)*", structure), structure
    assert "NEAR" not in structure and "facets" not in structure and "*" not in structure


@pytest.mark.safeguard("K5")
def test_quotes_inside_a_word_are_escaped() -> None:
    assert to_fts5([[Term('a"b')]]) == '(({title body} : ("a""b")))'


@pytest.mark.safeguard("K5")
def test_a_phrase_is_its_neighbouring_word_pairs_in_any_case_and_accent() -> None:
    assert phrase_pairs("Ready to close") == phrase_pairs("ready TO clöse".replace("ö", "o"))
    assert phrase_pairs("café  owner") == phrase_pairs("cafe owner")
    held = set(pair_tokens("Title here", "the log was marked ready to close down").split())
    assert set(phrase_pairs("ready to close")) <= held
    assert not set(phrase_pairs("close to ready")) <= held


@pytest.mark.safeguard("K5")
def test_a_phrase_of_short_words_keeps_its_longest_word() -> None:
    (p,) = plan(parse_query('"of the"'))
    assert p.words == ("the",) and p.pairs == tuple(phrase_pairs("of the"))


@pytest.mark.safeguard("K5")
def test_negated_phrases_exclude_by_their_pairs() -> None:
    (p,) = plan(parse_query('log -"ready to close" -firearms'))
    assert p.words == ("log",) and p.without == ("firearms",)
    assert p.without_pairs == (tuple(phrase_pairs("ready to close")),)


@pytest.mark.safeguard("K5")
def test_filters_become_the_same_facet_tokens_the_cases_carry() -> None:
    held = set(
        facet_tokens(
            year=2017, kind="bulletin", force="Essex Police", themes=["Call handling", "Public protection"]
        ).split()
    )
    assert (
        set(Filters(theme="call  HANDLING", year=2017, kind="bulletin", force="essex police").tokens())
        <= held
    )
    assert not set(Filters(theme="Custody").tokens()) <= held
    assert Filters().tokens() == [] and not Filters().active


@pytest.mark.safeguard("K5")
def test_snippets_escape_the_document_and_mark_only_the_engine_markers() -> None:
    html = str(highlight('<script>alert(1)</script> the \x02ambulance\x03 was "late"'))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>ambulance</mark>" in html
    assert "&quot;late&quot;" in html
