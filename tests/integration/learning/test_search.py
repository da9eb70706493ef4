"""K5: full-text search and themes on the real database (SQLite FTS5 or PostgreSQL full text, whichever
this run uses): highlighted snippets, filters by theme, year, kind and force, the query language, input
that must never become an operator or markup, and recurring themes across years."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tests.integration.learning.conftest import FIXTURES, ingest_path
from watchkeeper.core.actor import SYSTEM
from watchkeeper.learning import actions, queries
from watchkeeper.learning.models import Case
from watchkeeper.learning.search import RANK_CAP, Filters, engine, search

pytestmark = pytest.mark.django_db


def codes(q: str, **filters: object) -> list[str]:
    return [Case.objects.get(pk=h.case_id).code for h in search(q, Filters(**filters), limit=100).hits]  # type: ignore[arg-type]


@pytest.mark.safeguard("K5")
def test_a_phrase_from_one_case_finds_that_case_with_the_phrase_marked(library) -> None:
    results = search('"throwaway comment"')
    assert codes('"throwaway comment"') == ["B31.2"]
    assert results.total == 1
    snippet = str(results.hits[0].snippet)
    marked = " ".join(re.findall(r"<mark>(.*?)</mark>", snippet))  # one mark per phrase or per word
    assert marked.split() == ["throwaway", "comment"]
    assert "throwaway comment" in re.sub(r"</?mark>", "", snippet)


@pytest.mark.safeguard("K5")
def test_words_match_by_stem_and_rank_the_best_case_first(library) -> None:
    found = codes("ambulance requests")
    assert found and found[0] in {"B31.1", "B31.2"}
    assert set(codes("ambulance")) >= {"B31.1", "B31.2"}
    assert "B28.1" in codes("stalking")  # "stalking" in the text, found through its stem


@pytest.mark.safeguard("K5")
def test_titles_weigh_more_than_body_text(library) -> None:
    assert codes("conflicts of interest")[0] == "B31.5"  # the case titled "Recognising conflicts of interest"


@pytest.mark.safeguard("K5")
def test_exclusions_and_or(library) -> None:
    with_firearms = set(codes("domestic"))
    without = set(codes("domestic -firearms"))
    assert without < with_firearms and "B28.1" in with_firearms - without
    assert set(codes("bail OR stalking")) == set(codes("bail")) | set(codes("stalking"))


@pytest.mark.safeguard("K5")
def test_filters_by_theme_year_kind_and_force(library, lead) -> None:
    ingest_path(lead, FIXTURES / "recommendation-record-northshire-three.md")
    assert set(codes("police", theme="call handling")) <= {
        "B28.3",
        "B28.4",
        "B28.5",
        "B31.1",
        "B31.2",
        "I41.2",
    }
    assert "B31.2" in codes("police", theme="Call handling")
    assert set(codes("police", year=2017)) == {
        c.code for c in Case.objects.filter(year=2017) if c.code in codes("police")
    }
    assert codes("recommends", kind="recommendation_record", force="Essex Police") == ["REC-ESSEX"]
    assert codes("custody", force="Northshire Police") == ["REC-NORTHSHIRE"]
    assert codes("police", year=2016, kind="case_report") == []


@pytest.mark.safeguard("K5")
def test_snippets_never_carry_markup_from_a_document(lead) -> None:
    hostile = (
        (FIXTURES / "bulletin-53-custody-two-cases.txt")
        .read_text()
        .replace(
            "A man was arrested in the early evening",
            "A man <img src=x onerror=alert(1)> was arrested in the early evening",
        )
    )
    actions.ingest(lead, hostile.encode(), "hostile.txt")
    snippet = str(search("arrested early evening").hits[0].snippet)
    assert "<img" not in snippet and "onerror=alert(1)&gt;" in snippet and "<mark>" in snippet


@pytest.mark.safeguard("K5")
@pytest.mark.parametrize(
    "q",
    [
        "NEAR(police officers)",
        "title:ambulance",
        '"unclosed',
        "***",
        "a AND OR NOT",
        "'; DROP TABLE learning_case; --",
        "\\",
        "police*",
        "{body}: x",
        "-",
    ],
)
def test_any_input_is_a_search_never_an_error(library, q: str) -> None:
    results = search(q)
    assert results.total >= 0 and all(h.case_id > 0 for h in results.hits)
    assert Case.objects.count() == 17


@pytest.mark.safeguard("K5")
def test_nothing_to_search_for_finds_nothing(library) -> None:
    assert search("").hits == [] and search("   -firearms").hits == []


@pytest.mark.safeguard("K5")
def test_paging_gives_each_case_once(library) -> None:
    first = search("police", limit=5)
    second = search("police", limit=5, offset=5)
    assert first.more and len(first.hits) == 5
    assert not {h.case_id for h in first.hits} & {h.case_id for h in second.hits}


@pytest.mark.safeguard("K5")
def test_a_word_in_more_cases_than_can_be_ranked_is_shown_newest_first(lead) -> None:
    text = (FIXTURES / "bulletin-53-custody-two-cases.txt").read_text()
    for issue in range(60, 60 + RANK_CAP // 2 + 1):  # two cases each: just over the cap
        actions.ingest(SYSTEM, text.replace("Bulletin 53", f"Bulletin {issue}").encode(), f"b{issue}.txt")
    results = search("custody", limit=3)
    assert results.total > RANK_CAP and not results.by_relevance
    ids = [h.case_id for h in results.hits]
    assert ids == sorted(ids, reverse=True) and ids[0] == Case.objects.order_by("-id").first().pk
    assert search("swallowed drugs rousing").by_relevance


@pytest.mark.safeguard("K5")
def test_the_engine_is_the_database_s_own(library) -> None:
    assert engine().startswith("SQLite FTS5" if connection.vendor == "sqlite" else "PostgreSQL full text")


@pytest.mark.safeguard("K5")
def test_a_misspelt_title_falls_back_to_titles_like_it_where_trigrams_exist(library) -> None:
    results = search("Abuse of posission")
    if connection.vendor == "postgresql" and engine().endswith("trigram titles"):
        assert results.fuzzy and Case.objects.get(pk=results.hits[0].case_id).code == "B31.4"
    else:
        assert results.hits == [] and not results.fuzzy


@pytest.mark.safeguard("K5")
def test_themes_recur_across_years(library, lead) -> None:
    ingest_path(lead, FIXTURES / "bulletin-38-missing-page.txt")
    chart = queries.themes_by_year()
    assert chart.years == list(range(2016, 2023))
    by = {s.label: s for s in chart.series}
    assert by["Call handling"].counts == {2016: 3, 2017: 2, 2019: 4, 2022: 1}
    assert by["Public protection"].counts == {2016: 8, 2017: 4, 2022: 1}
    assert chart.recurring[:2] == ["Call handling", "Public protection"]
    assert "Domestic abuse" not in chart.recurring and by["Domestic abuse"].counts == {2020: 1}


@pytest.mark.safeguard("K5")
def test_paging_newest_first_beyond_the_count_cap(lead, monkeypatch) -> None:
    """With more matches than are counted, the newest are found without sorting them all (PostgreSQL
    looks in a window of the newest ids); every page continues where the last stopped."""
    from watchkeeper.learning import search as engine_module

    monkeypatch.setattr(engine_module, "COUNT_CAP", 12)
    monkeypatch.setattr(engine_module, "RANK_CAP", 6)
    text = (FIXTURES / "bulletin-53-custody-two-cases.txt").read_text()
    for issue in range(300, 312):  # 24 cases that mention custody
        actions.ingest(SYSTEM, text.replace("Bulletin 53", f"Bulletin {issue}").encode(), f"b{issue}.txt")
    newest = list(Case.objects.filter(document__issue__gte=300).order_by("-id").values_list("pk", flat=True))
    first, second = search("custody", limit=5), search("custody", limit=5, offset=5)
    assert first.total == 13 and first.total_label == "more than 12" and not first.by_relevance
    assert [h.case_id for h in first.hits] == newest[:5]
    assert [h.case_id for h in second.hits] == newest[5:10]
    assert all("<mark>" in str(h.snippet) for h in first.hits)
