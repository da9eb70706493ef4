"""A2 anomaly rules added beside repeated views, as pure functions: a high volume of contact (with its two
thresholds and its window), views outside the viewer's area, searches naming a watched person, and the
property that a view or search with a matching log, task or case is never flagged as unjustified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchkeeper.assurance.rules import (
    Search,
    Touch,
    View,
    anomalies,
    area_of,
    high_contact,
    more_anomalies,
    outward,
    searched_for,
)

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CONTACT = {"enabled": True, "window_days": 21, "at_least": 6, "involved_at_least": 10}
AREAS = [{"area": "Kingsbridge town", "postcodes": ["KB1", "KB3"]}, {"area": "Moorland", "postcodes": ["KB7"]}]
RULES = {"vulnerable_markers": ["vulnerability"], "repeat_views": {"enabled": True, "window_days": 30, "at_least": 3},
         "watch_list_views": {"enabled": True}, "outside_shift": {"enabled": True, "grace_minutes": 30},
         "high_contact": CONTACT, "outside_area": {"enabled": True, "areas": AREAS},
         "watch_list_searches": {"enabled": True}, "max_records_per_run": 1000}


def touches(user: int, person: int, n: int, every: timedelta = timedelta(hours=1), start: int = 1) -> list[Touch]:
    return [Touch(start + i, T0 + i * every, user, person, "contact" if i % 2 else "view") for i in range(n)]


def contact(ts: list[Touch], involved: set[tuple[int, int]] = frozenset(),
            prior: dict[tuple[int, int], list[datetime]] | None = None) -> list[tuple[int, int]]:
    return [(f.user_id, f.person_id) for f in high_contact(ts, rule=CONTACT, vulnerable={7}, involved=set(involved),
                                                           prior=prior or {})]


@pytest.mark.safeguard("A2")
def test_high_contact_flags_at_each_threshold() -> None:
    assert contact(touches(1, 7, 5)) == []
    assert contact(touches(1, 7, 6)) == [(1, 7)]
    assert contact(touches(1, 7, 9), involved={(1, 7)}) == []  # a case justifies that much
    assert contact(touches(1, 7, 10), involved={(1, 7)}) == [(1, 7)]  # but not any amount
    assert contact(touches(1, 8, 50)) == []  # not vulnerable
    # Earlier contact in the window counts; contact before it does not.
    assert contact(touches(1, 7, 1), prior={(1, 7): [T0 - timedelta(days=d) for d in range(1, 6)]}) == [(1, 7)]
    assert contact(touches(1, 7, 1), prior={(1, 7): [T0 - timedelta(days=30 + d) for d in range(9)]}) == []


@pytest.mark.safeguard("A2")
def test_high_contact_counts_within_any_window_not_across_a_batch() -> None:
    """Six contacts a week apart never have more than three in any 21 days."""
    assert contact(touches(1, 7, 6, every=timedelta(days=7))) == []
    assert contact(touches(1, 7, 6, every=timedelta(days=4))) == [(1, 7)]  # 20 days


def test_postcodes_and_areas() -> None:
    assert outward("KB3 7QL") == "KB3" and outward("kb37ql") == "KB3" and outward("KB3") == "KB3"
    assert area_of("KB3 7QL", AREAS) == "Kingsbridge town" and area_of("KB7 1AA", AREAS) == "Moorland"
    assert area_of("ZZ9 9ZZ", AREAS) is None and area_of("", AREAS) is None


@pytest.mark.safeguard("A2")
def test_views_outside_the_viewers_area() -> None:
    views = [View(1, T0, 1, 7), View(2, T0, 2, 7), View(3, T0, 3, 7), View(4, T0, 1, 9)]
    found = more_anomalies(views, rules_policy=RULES, vulnerable={7, 9}, involved=set(),
                           user_areas={1: {"Moorland"}, 2: {"Kingsbridge town", "Moorland"}},
                           person_areas={7: "Kingsbridge town"})
    # 2 works in her area; 3 has no area (the control room); 9's area is not known.
    assert [(f.rule, f.user_id, f.person_id) for f in found] == [("outside_area", 1, 7)]


@pytest.mark.safeguard("A2")
def test_a_search_names_a_person_by_family_name_and_a_given_name() -> None:
    assert searched_for("colin league", "Colin James", "League")
    assert searched_for("LEAGUE, James at the station", "Colin James", "League")
    assert searched_for("o'neil mary", "Mary", "O'Neil") and searched_for("smith-jones ann", "Ann", "Smith-Jones")
    assert not searched_for("League", "Colin", "League")  # a family name alone names nobody
    assert not searched_for("Colin Leaguer", "Colin", "League")
    assert not searched_for("colin", "Colin", "League")
    names = {9: ("Colin", "League", "colleague")}
    found = more_anomalies([], rules_policy=RULES, vulnerable=set(), involved={(2, 9)},
                           searches=[Search(1, T0, 1, "colin league"), Search(2, T0, 2, "colin league"),
                                     Search(3, T0, 3, "league")], watched_names=names)
    assert [(f.rule, f.user_id, f.person_id) for f in found] == [("watch_list_searches", 1, 9)]


def test_a_rule_not_enabled_finds_nothing() -> None:
    off = {**RULES, "high_contact": {**CONTACT, "enabled": False}, "outside_area": {"enabled": False, "areas": AREAS},
           "watch_list_searches": {"enabled": False}}
    found = more_anomalies([View(1, T0, 1, 7)], rules_policy=off, vulnerable={7}, involved=set(),
                           touches=touches(1, 7, 20), searches=[Search(2, T0, 1, "colin league")],
                           watched_names={9: ("Colin", "League", "colleague")}, user_areas={1: {"Moorland"}},
                           person_areas={7: "Kingsbridge town"})
    assert found == []


pair = st.tuples(st.integers(1, 4), st.integers(1, 4))


@pytest.mark.safeguard("A2")
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(pair, st.integers(0, 60 * 24 * 30), st.booleans()), max_size=60), st.sets(pair),
       st.sets(st.integers(1, 4)), st.sets(st.integers(1, 4)), st.lists(st.tuples(st.integers(1, 4),
                                                                                st.integers(1, 4)), max_size=10))
def test_a_view_or_search_with_a_matching_log_task_or_case_is_flagged_only_for_contact_beyond_what_it_needs(
        events: list[tuple[tuple[int, int], int, bool]], involved: set[tuple[int, int]], vulnerable: set[int],
        watched: set[int], searched: list[tuple[int, int]]) -> None:
    """Every rule, old and new: a pair with a log, task or case involving them is flagged by high_contact alone,
    and only once their contact in a window reaches `involved_at_least`."""
    views = [View(i + 1, T0 + timedelta(minutes=m), u, p) for i, ((u, p), m, is_view) in enumerate(events)
             if is_view]
    ts = [Touch(i + 1, T0 + timedelta(minutes=m), u, p, "view" if is_view else "contact")
          for i, ((u, p), m, is_view) in enumerate(events)]
    names = {p: (f"Given{p}", f"Family{p}", "colleague") for p in watched}
    searches = [Search(1000 + i, T0, u, f"given{p} family{p}") for i, (u, p) in enumerate(searched)]
    found = anomalies(views, rules_policy=RULES, vulnerable=vulnerable, involved=involved,
                      watched={p: "colleague" for p in watched}, prior_counts={},
                      shifts={u: [(T0 + timedelta(days=60), T0 + timedelta(days=61))] for u in range(1, 5)})
    found += more_anomalies(views, rules_policy=RULES, vulnerable=vulnerable, involved=involved, touches=ts,
                            searches=searches, watched_names=names,
                            user_areas={u: {"Moorland"} for u in range(1, 5)},
                            person_areas={p: "Kingsbridge town" for p in range(1, 5)})
    window = timedelta(days=CONTACT["window_days"])
    for f in found:
        if (f.user_id, f.person_id) not in involved:
            continue
        assert f.rule == "high_contact"
        times = sorted(t.at for t in ts if (t.user_id, t.person_id) == (f.user_id, f.person_id))
        assert max(sum(1 for s in times if t - window < s <= t) for t in times) >= CONTACT["involved_at_least"]
