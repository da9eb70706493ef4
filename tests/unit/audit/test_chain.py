"""The audit trail's hash chain (A3) as pure functions: no database.

A chain is built here exactly as the writer builds it (each record's hash over the previous hash and its
content), then altered, cut, extended or shuffled the way someone with direct database access could; the
verifier must name the first record that no longer chains.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchkeeper.audit.chain import GENESIS, HASHED_FIELDS, Break, canonical, first_break, link_hash

# Property tests: no example database written, and no time limit (tests make no timed assertions).
PROPERTY = settings(max_examples=50, deadline=None, database=None)

Row = tuple[int, str, str, dict[str, Any]]


def content(n: int, **changes: Any) -> dict[str, Any]:
    """A realistic record content: who did what to which object, and why."""
    base: dict[str, Any] = {
        "at": f"2026-03-01T14:{n % 60:02d}:00+00:00",
        "actor_id": 7,
        "actor_username": "handler",
        "actor_role": "call_handler",
        "action": "log.entry_added",
        "object_type": "log",
        "object_id": f"20260301-{n:04d}",
        "before": None,
        "after": {"seq": n, "text": "Caller says he is not breathing"},
        "reason": "",
        "request_id": f"req-{n}",
    }
    return {**base, **changes}


def chain(contents: Sequence[Mapping[str, Any]], start: int = 1) -> list[Row]:
    """Rows (seq, prev_hash, hash, content) chained the way the writer chains them."""
    rows: list[Row] = []
    prev = GENESIS
    for i, c in enumerate(contents):
        h = link_hash(prev, c)
        rows.append((start + i, prev, h, dict(c)))
        prev = h
    return rows


def honest(rows: Sequence[Row], at: int, new_content: Mapping[str, Any]) -> Row:
    """A forged record that is self-consistent: its hash matches its own (new) content."""
    seq, prev, _, _ = rows[at]
    return seq, prev, link_hash(prev, new_content), dict(new_content)


# --------------------------------------------------------------------------------------------- canonical
class TestCanonical:
    @pytest.mark.safeguard("A3")
    def test_sorted_keys_no_whitespace_utf8(self) -> None:
        c = content(1, reason="Café closed — “no units”")
        raw = canonical(c)
        assert raw == json.dumps(c, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert b" :" not in raw and b", " not in raw
        assert "Café closed — “no units”".encode() in raw

    @pytest.mark.safeguard("A3")
    def test_key_order_does_not_matter(self) -> None:
        c = content(1)
        assert canonical(dict(reversed(list(c.items())))) == canonical(c)

    @pytest.mark.safeguard("A3")
    def test_only_hashed_fields_are_covered(self) -> None:
        """Storage details (row id, the stored hashes) are not part of what is hashed."""
        assert canonical({**content(1), "id": 99, "hash": "x"}) == canonical(content(1))
        assert set(json.loads(canonical(content(1)))) == set(HASHED_FIELDS)

    @pytest.mark.safeguard("A3")
    @pytest.mark.parametrize("missing", HASHED_FIELDS)
    def test_content_missing_a_hashed_field_cannot_be_hashed(self, missing: str) -> None:
        c = content(1)
        del c[missing]
        with pytest.raises(KeyError):
            canonical(c)


class TestLinkHash:
    @pytest.mark.safeguard("A3")
    def test_is_sha256_of_previous_hash_newline_and_canonical_content(self) -> None:
        c = content(1)
        expected = hashlib.sha256(GENESIS.encode() + b"\n" + canonical(c)).hexdigest()
        assert link_hash(GENESIS, c) == expected
        assert len(expected) == 64

    @pytest.mark.safeguard("A3")
    def test_depends_on_the_previous_hash(self) -> None:
        assert link_hash(GENESIS, content(1)) != link_hash("1" * 64, content(1))

    @pytest.mark.safeguard("A3")
    @pytest.mark.parametrize("name", HASHED_FIELDS)
    def test_depends_on_every_hashed_field(self, name: str) -> None:
        changed = content(1, **{name: "tampered"})
        assert link_hash(GENESIS, changed) != link_hash(GENESIS, content(1))


# ------------------------------------------------------------------------------------------- first_break
class TestFirstBreak:
    @pytest.mark.safeguard("A3")
    def test_empty_chain_is_valid(self) -> None:
        assert first_break([]) is None

    @pytest.mark.safeguard("A3")
    def test_valid_chain_returns_none(self) -> None:
        assert first_break(chain([content(n) for n in range(1, 6)])) is None

    @pytest.mark.safeguard("A3")
    def test_break_names_the_record_and_the_problem(self) -> None:
        rows = chain([content(1)])
        seq, prev, h, c = rows[0]
        assert first_break([(seq, prev, h, {**c, "reason": "x"})]) == Break(
            1, "its content does not match its hash (the record was altered)"
        )

    @pytest.mark.safeguard("A3")
    def test_first_record_must_chain_from_genesis(self) -> None:
        rows = chain([content(1)])
        seq, _, _, c = rows[0]
        brk = first_break([(seq, "f" * 64, link_hash("f" * 64, c), c)])
        assert brk is not None and brk.seq == 1 and "previous-hash" in brk.problem

    @pytest.mark.safeguard("A3")
    def test_altered_content_is_found_at_that_record(self) -> None:
        rows = chain([content(n) for n in range(1, 6)])
        seq, prev, h, c = rows[2]
        rows[2] = (seq, prev, h, {**c, "reason": "tampered"})
        brk = first_break(rows)
        assert brk is not None and brk.seq == 3 and "altered" in brk.problem

    @pytest.mark.safeguard("A3")
    def test_altered_record_with_recomputed_hash_breaks_the_next_record(self) -> None:
        rows = chain([content(n) for n in range(1, 6)])
        rows[2] = honest(rows, 2, content(3, after={"text": "He is breathing"}))
        brk = first_break(rows)
        assert brk is not None and brk.seq == 4 and "previous-hash" in brk.problem

    @pytest.mark.safeguard("A3")
    @pytest.mark.parametrize("removed", [0, 2, 3])
    def test_removed_record_is_found_at_the_record_after_it(self, removed: int) -> None:
        rows = chain([content(n) for n in range(1, 6)])
        del rows[removed]
        brk = first_break(rows)
        assert brk is not None and brk.seq == removed + 2 and "missing" in brk.problem

    @pytest.mark.safeguard("A3")
    def test_inserted_record_is_found(self) -> None:
        """A record slipped in after record 2 (self-consistent itself) breaks the record that follows."""
        rows = chain([content(n) for n in range(1, 6)])
        extra_content = content(99, action="log.deleted")
        extra = (99, rows[1][2], link_hash(rows[1][2], extra_content), extra_content)
        rows.insert(2, extra)
        brk = first_break(rows)
        assert brk is not None and brk.seq == 3 and "inserted" in brk.problem

    @pytest.mark.safeguard("A3")
    def test_inserted_record_that_does_not_chain_is_found_at_itself(self) -> None:
        rows = chain([content(n) for n in range(1, 6)])
        c = content(99)
        rows.insert(2, (99, GENESIS, link_hash(GENESIS, c), c))
        brk = first_break(rows)
        assert brk is not None and brk.seq == 99

    @pytest.mark.safeguard("A3")
    def test_reordered_records_are_found_at_the_first_out_of_place(self) -> None:
        rows = chain([content(n) for n in range(1, 6)])
        rows[1], rows[3] = rows[3], rows[1]
        brk = first_break(rows)
        assert brk is not None and brk.seq == 4 and "previous-hash" in brk.problem

    @pytest.mark.safeguard("A3")
    def test_altered_stored_hash_is_found_at_that_record(self) -> None:
        rows = chain([content(n) for n in range(1, 4)])
        seq, prev, _, c = rows[1]
        rows[1] = (seq, prev, "0" * 64, c)
        brk = first_break(rows)
        assert brk is not None and brk.seq == 2 and "altered" in brk.problem

    @pytest.mark.safeguard("A3")
    def test_only_the_first_break_is_reported(self) -> None:
        rows = chain([content(n) for n in range(1, 6)])
        for i in (1, 3):
            seq, prev, h, c = rows[i]
            rows[i] = (seq, prev, h, {**c, "actor_username": "someone"})
        assert first_break(rows).seq == 2

    @pytest.mark.safeguard("A3")
    def test_accepts_a_stream_of_records(self) -> None:
        """The verifier streams records from the database in batches; it must not need a list."""
        rows = chain([content(n) for n in range(1, 4)])
        assert first_break(r for r in rows) is None


# -------------------------------------------------------------------------------------------- properties
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=4,
)
# Scalars everywhere, and nested JSON where the writer stores it (the before and after snapshots).
record_content = st.fixed_dictionaries(
    {name: (json_values if name in ("before", "after") else json_scalars) for name in HASHED_FIELDS}
)


def chains(min_size: int = 1) -> st.SearchStrategy[list[Row]]:
    return st.lists(record_content, min_size=min_size, max_size=6).map(chain)


class TestChainProperties:
    @pytest.mark.safeguard("A3")
    @PROPERTY
    @given(rows=chains())
    def test_untouched_chain_is_valid_and_so_is_every_prefix(self, rows: list[Row]) -> None:
        """A chain verifies while it grows. (So cutting off the newest records cannot be seen from the chain
        alone; the database's refusal of DELETE on the audit table covers that.)"""
        for end in range(len(rows) + 1):
            assert first_break(rows[:end]) is None

    @pytest.mark.safeguard("A3")
    @PROPERTY
    @given(rows=chains(), data=st.data())
    def test_any_single_field_change_is_found_at_exactly_that_record(
        self, rows: list[Row], data: Any
    ) -> None:
        at = data.draw(st.integers(0, len(rows) - 1), label="record")
        seq, prev, h, c = rows[at]
        where = data.draw(st.sampled_from(("prev_hash", "hash", *HASHED_FIELDS)), label="field")
        if where == "prev_hash":
            new = data.draw(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64).filter(
                lambda x: x != prev))
            rows[at] = (seq, new, h, c)
        elif where == "hash":
            new = data.draw(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64).filter(
                lambda x: x != h))
            rows[at] = (seq, prev, new, c)
        else:
            value = data.draw(json_values.filter(lambda v: canonical({**c, where: v}) != canonical(c)),
                              label="value")
            rows[at] = (seq, prev, h, {**c, where: value})
        brk = first_break(rows)
        assert brk is not None and brk.seq == seq

    @pytest.mark.safeguard("A3")
    @PROPERTY
    @given(rows=chains(min_size=2), data=st.data())
    def test_any_reordering_is_found(self, rows: list[Row], data: Any) -> None:
        shuffled = data.draw(st.permutations(rows).filter(lambda p: list(p) != rows))
        first_moved = next(i for i, (a, b) in enumerate(zip(shuffled, rows, strict=True)) if a != b)
        brk = first_break(shuffled)
        assert brk is not None and brk.seq == shuffled[first_moved][0]

    @pytest.mark.safeguard("A3")
    @PROPERTY
    @given(rows=chains(min_size=2), data=st.data())
    def test_any_removal_before_the_newest_is_found(self, rows: list[Row], data: Any) -> None:
        gone = data.draw(st.integers(0, len(rows) - 2))
        kept = rows[:gone] + rows[gone + 1:]
        brk = first_break(kept)
        assert brk is not None and brk.seq == rows[gone + 1][0]
