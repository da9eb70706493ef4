"""Proving the audit chain (A3): `watchkeeper verify-audit`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from watchkeeper.audit.chain import Break, first_break
from watchkeeper.audit.models import AuditRecord


def _rows(batch: int = 5000) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
    last = 0
    while True:
        chunk = list(AuditRecord.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        for rec in chunk:
            yield rec.seq, rec.prev_hash, rec.hash, rec.content()
        last = chunk[-1].seq


def verify_chain() -> tuple[int, Break | None]:
    """(number of records checked, first break or None)."""
    count = 0

    def counted() -> Iterator[tuple[int, str, str, dict[str, Any]]]:
        nonlocal count
        for row in _rows():
            count += 1
            yield row

    brk = first_break(counted())
    return count, brk
