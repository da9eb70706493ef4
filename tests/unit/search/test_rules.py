"""What a typed search becomes: terms, phrases, fields, and the two databases' query texts. Only word
characters reach either database's query syntax."""

from __future__ import annotations

from watchkeeper.search import rules


def test_words_and_quoted_phrases_and_hyphenated_words() -> None:
    p = rules.parse('knife "he will kill me" 20261207-0001')
    assert [t.words for t in p.terms] == [("knife",), ("he", "will", "kill", "me"), ("20261207", "0001")]


def test_query_syntax_typed_by_a_person_is_only_words() -> None:
    p = rules.parse('Moore OR NEAR(a b) people: "x" -y * ( ) ^ {col}: \'" AND')
    fts = rules.fts5_match(p)
    # every term is a quoted phrase of word characters; the operators typed are words like any other
    assert all(part.startswith('"') and part.endswith('"') for part in fts.split(" AND "))
    assert ":" not in fts and "(" not in fts and "*" not in fts and "^" not in fts
    ts = rules.tsquery_text(p)
    assert "|" not in ts and "!" not in ts and ":" not in ts


def test_a_field_restricts_the_term_to_its_column_and_weight() -> None:
    p = rules.combine(rules.parse("gary moore", "people"), rules.parse("orchard", "places"))
    assert rules.fts5_match(p) == 'people : "gary" AND people : "moore" AND places : "orchard"'
    assert rules.tsquery_text(p) == "(gary:A) & (moore:A) & (orchard:B)"


def test_phrases_join_words_in_order_for_postgresql() -> None:
    assert rules.tsquery_text(rules.parse('"not breathing"')) == "(not <-> breathing)"


def test_prefix_only_on_a_last_single_word_of_three_letters_or_more() -> None:
    assert rules.parse("kni", prefix_last=True).terms[0].prefix
    assert not rules.parse("kn", prefix_last=True).terms[0].prefix
    assert rules.fts5_match(rules.parse("kni", prefix_last=True)) == '"kni"*'
    assert rules.tsquery_text(rules.parse("moo", "people", prefix_last=True)) == "(moo:*A)"


def test_terms_are_bounded() -> None:
    p = rules.parse(" ".join(f"w{i}" for i in range(100)))
    assert len(p.terms) == rules.MAX_TERMS
    assert len(rules.parse("x" * 500).terms[0].words[0]) == rules.MAX_TERM_LENGTH


def test_a_phone_is_its_e164_digits_in_the_phones_field() -> None:
    t = rules.phone_term("+447700900123", "07700 900123")
    assert (t.words, t.field) == (("447700900123",), "phones")
    assert rules.phone_term("", "0123 45").words == ("012345",)


def test_what_looks_like_a_phone_or_a_reference() -> None:
    assert rules.looks_like_phone("07700 900123")
    assert rules.looks_like_phone("+44 7700 900123")
    assert not rules.looks_like_phone("20261207-0001")  # a reference starts with its date
    assert not rules.looks_like_phone("0770")
    assert not rules.looks_like_phone("07700 knife")
    assert rules.looks_like_reference("20261207-0001")
    assert not rules.looks_like_reference("knife attack")
    assert not rules.looks_like_reference("knife")


def test_snippets_are_escaped_and_only_the_marks_become_html() -> None:
    raw = f"<script>alert(1)</script> he will {rules.START}kill{rules.STOP} me &amp;"
    assert rules.snippet_html(raw) == ("&lt;script&gt;alert(1)&lt;/script&gt; he will <mark>kill</mark> me "
                                       "&amp;amp;")
    assert rules.snippet_text(raw) == "<script>alert(1)</script> he will kill me &amp;"


def test_an_empty_query_has_no_terms() -> None:
    assert rules.parse("  ").empty
    assert rules.parse('"" -- ...').empty
