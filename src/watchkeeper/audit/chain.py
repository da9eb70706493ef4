"""The hash chain of the audit trail (A3). Pure functions: no Django imports.

Each record's hash covers its own content and the previous record's hash, so changing, removing or
inserting any record breaks every hash after it. The first record chains from GENESIS.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "reason",
    "request_id",
)


def canonical(content: Mapping[str, Any]) -> bytes:
    """A stable byte form of a record's content: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        {k: content[k] for k in HASHED_FIELDS}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def link_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(content)).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where the chain first fails and why."""

    seq: int
    problem: str


def first_break(records: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> Break | None:
    """Walk (seq, prev_hash, hash, content) in order; return the first record that does not chain."""
    expected_prev = GENESIS
    for seq, prev_hash, stored_hash, content in records:
        if prev_hash != expected_prev:
            return Break(seq, "its previous-hash does not match the record before it (a record is missing "
                              "or was inserted)")
        if link_hash(prev_hash, content) != stored_hash:
            return Break(seq, "its content does not match its hash (the record was altered)")
        expected_prev = stored_hash
    return None
