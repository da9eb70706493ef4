"""A2 anomaly rules as pure functions: thresholds, the watch list, views outside shift, and the property
that a view by someone with a log or task involving the person is never flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchkeeper.assurance.rules import View, anomalies

RULES = {"vulnerable_markers": ["vulnerability"], "repeat_views": {"enabled": True, "window_days": 30, "at_least": 3},
         "watch_list_views": {"enabled": True}, "outside_shift": {"enabled": True, "grace_minutes": 30},
         "max_records_per_run": 1000}
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def views(user: int, person: int, n: int, start: int = 1, at: datetime = T0) -> list[View]:
    return [View(start + i, at + timedelta(minutes=i), user, person) for i in range(n)]


def run(vs: list[View], *, vulnerable: set[int] = frozenset({7}), involved: set[tuple[int, int]] = frozenset(),
        watched: dict[int, str] | None = None, prior: dict[tuple[int, int], int] | None = None,
        shifts: dict[int, list[tuple[datetime, datetime]]] | None = None) -> list[tuple[str, int, int]]:
    return [(f.rule, f.user_id, f.person_id) for f in anomalies(
        vs, rules_policy=RULES, vulnerable=set(vulnerable), involved=set(involved), watched=watched or {},
        prior_counts=prior or {}, shifts=shifts or {})]


@pytest.mark.safeguard("A2")
def test_repeated_views_of_a_vulnerable_persons_record_are_flagged_at_the_threshold() -> None:
    assert run(views(1, 7, 2)) == []
    assert run(views(1, 7, 3)) == [("repeat_views", 1, 7)]
    assert run(views(1, 7, 1), prior={(1, 7): 2}) == [("repeat_views", 1, 7)]  # earlier runs count
    assert run(views(1, 8, 10)) == []  # not vulnerable


@pytest.mark.safeguard("A2")
def test_the_watch_list_and_views_outside_shift() -> None:
    assert run(views(2, 9, 1), watched={9: "colleague"}) == [("watch_list_views", 2, 9)]
    on = [(T0 - timedelta(hours=1), T0 + timedelta(hours=8))]
    off = [(T0 + timedelta(hours=2), T0 + timedelta(hours=10))]
    assert run(views(3, 7, 1), shifts={3: on}) == []
    assert run(views(3, 7, 1), shifts={3: off}) == [("outside_shift", 3, 7)]
    assert run(views(3, 7, 1)) == []  # not rostered at all: nothing to compare with


pair = st.tuples(st.integers(1, 4), st.integers(1, 4))


@pytest.mark.safeguard("A2")
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(pair, st.integers(0, 600)), max_size=40), st.sets(pair), st.sets(st.integers(1, 4)),
       st.sets(st.integers(1, 4)))
def test_a_view_with_a_matching_log_or_task_is_never_flagged(events: list[tuple[tuple[int, int], int]],
                                                             involved: set[tuple[int, int]], vulnerable: set[int],
                                                             watched: set[int]) -> None:
    vs = [View(i + 1, T0 + timedelta(minutes=m), u, p) for i, ((u, p), m) in enumerate(events)]
    found = anomalies(vs, rules_policy=RULES, vulnerable=vulnerable, involved=involved,
                      watched={p: "colleague" for p in watched}, prior_counts={k: 5 for k in involved},
                      shifts={u: [(T0 + timedelta(days=3), T0 + timedelta(days=4))] for u in range(1, 5)})
    flagged = {s for f in found for s in f.seqs}
    for view in vs:
        if (view.user_id, view.person_id) in involved:
            assert view.seq not in flagged
    for f in found:
        assert (f.user_id, f.person_id) not in involved
