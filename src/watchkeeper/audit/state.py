"""Does the data match its evidence? (A3) The current state of audited rows against their latest audit record.

The hash chain proves the trail was not altered; it says nothing of a row changed behind the trail's back
(direct SQL on a log's status). Triggers freeze what is never changed; what actions legitimately change
(a log's summary and status, a marker's end, a scheme's end date) is checked here: for each kind of audited
row, the fields its audit records carry, and how each record names them. A row whose current value differs
from the value its latest record gave is a mismatch, named by table, id, field, recorded and found.

The table is data: to check another field, add a `Source` for each action that sets it. A field no record of
the row has set yet (a marker made by a firearms certificate, with no `marker.added`) is not compared.
Rows are read in batches by primary key and their records by (object_type, object_id), so memory stays
bounded however long the history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps

from watchkeeper.audit.models import AuditRecord
from watchkeeper.audit.writer import plain

_MISSING = object()


@dataclass(frozen=True)
class Source:
    """How one audit action gives a field's value: `after[key]`, the record's `reason`, a constant, or
    whether the field is set at all (`present`: a time the action stamped, compared as set / not set)."""

    after: str | None = None
    reason: bool = False
    const: Any = _MISSING
    present: bool | None = None

    def value(self, rec: Mapping[str, Any]) -> Any:
        if self.after is not None:
            after = rec["after"]
            return after.get(self.after, _MISSING) if isinstance(after, dict) else _MISSING
        if self.reason:
            return rec["reason"]
        if self.present is not None:
            return self.present
        return self.const


def after(key: str) -> Source:
    return Source(after=key)


def const(value: Any) -> Source:
    return Source(const=value)


REASON = Source(reason=True)
SET = Source(present=True)
UNSET = Source(present=False)


@dataclass(frozen=True)
class Tracked:
    """One kind of audited row: its model, the audit object_type that names it, which model field the
    record's object_id is, and per field the actions that set it."""

    model: str
    object_type: str
    key: str
    fields: Mapping[str, Mapping[str, Source]]


_LOG_SNAPSHOT = ("log.raised", "log.updated", "log.graded", "downgrade.authorised", "log.closed",
                 "log.cancelled", "log.reopened", "log.merged")

TRACKED: tuple[Tracked, ...] = (
    Tracked("incidents.Log", "log", "reference", {
        "summary": {a: after("summary") for a in _LOG_SNAPSHOT},
        "status": {a: after("status") for a in _LOG_SNAPSHOT},
        "grade": {a: after("grade") for a in _LOG_SNAPSHOT},
        "closing_code": {"log.raised": const(""), "log.closed": after("code"), "log.cancelled": after("code"),
                         "log.reopened": const("")},
        "closed_at": {"log.raised": UNSET, "log.closed": SET, "log.cancelled": SET, "log.reopened": UNSET},
    }),
    Tracked("people.Marker", "marker", "pk", {
        "kind": {"marker.added": after("kind")},
        "note": {"marker.added": after("note")},
        "source": {"marker.added": after("source")},
        "review_at": {"marker.added": after("review_at")},
        "ended_at": {"marker.added": UNSET, "marker.ended": SET},
        "end_reason": {"marker.added": const(""), "marker.ended": REASON},
    }),
    Tracked("people.SpecialScheme", "scheme", "pk", {
        "grade_floor": {"scheme.created": after("floor")},
        "ends_at": {"scheme.created": after("ends_at"), "scheme.extended": after("ends_at")},
        "removed_at": {"scheme.created": UNSET, "scheme.removed": SET},
        "removal_reason": {"scheme.created": const(""), "scheme.removed": REASON},
    }),
    Tracked("people.Order", "order", "pk", {
        "kind": {"order.created": after("kind")},
        "conditions": {"order.created": after("conditions")},
        "starts_on": {"order.created": after("starts_on")},
        "ends_on": {"order.created": after("ends_on")},
        "protected_classes": {"order.created": after("classes")},
        "activities": {"order.created": after("activities")},
        "restricted_id": {"order.created": after("restricted")},
    }),
    Tracked("incidents.ServiceRequest", "service_request", "pk", {
        "ask": {"request.added": after("ask")},
        "state": {"request.added": const("open"), "request.updated": after("state")},
        "state_note": {"request.added": const(""), "request.updated": REASON},
    }),
)


@dataclass(frozen=True)
class Mismatch:
    table: str
    id: str
    field: str
    recorded: Any
    found: Any

    def __str__(self) -> str:
        return (f"{self.table} {self.id}: {self.field} is {self.found!r} but its latest audit record says "
                f"{self.recorded!r}")


def _same(recorded: Any, found: Any, presence: bool) -> bool:
    if presence:
        return bool(recorded) == (found not in (None, ""))
    if isinstance(found, datetime) and isinstance(recorded, str):
        try:
            when = datetime.fromisoformat(recorded.replace("Z", "+00:00"))
        except ValueError:
            return False
        return abs(when - found) < timedelta(milliseconds=1)  # the trail keeps milliseconds
    if isinstance(found, date) and not isinstance(found, datetime):
        return recorded == found.isoformat()
    return bool(plain(recorded) == plain(found))


def _latest(spec: Tracked, records: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, tuple[Any, bool]]]:
    """object_id -> field -> (value its latest record gave, compared as presence)."""
    out: dict[str, dict[str, tuple[Any, bool]]] = {}
    for rec in records:
        for field, sources in spec.fields.items():
            source = sources.get(rec["action"])
            if source is None:
                continue
            value = source.value(rec)
            if value is _MISSING:
                continue
            out.setdefault(rec["object_id"], {})[field] = (value, source.present is not None)
    return out


def check_kind(spec: Tracked, batch: int = 2000) -> Iterator[Mismatch]:
    model: Any = apps.get_model(spec.model)
    table = model._meta.db_table
    columns = [spec.key, *spec.fields] if spec.key != "pk" else ["pk", *spec.fields]
    actions = sorted({a for sources in spec.fields.values() for a in sources})
    last: Any = None
    while True:
        rows_q = model.objects.order_by("pk").values("pk", *columns)
        if last is not None:
            rows_q = rows_q.filter(pk__gt=last)
        rows = list(rows_q[:batch])
        if not rows:
            return
        last = rows[-1]["pk"]
        keys = {str(r[spec.key]): r for r in rows}
        records = (AuditRecord.objects.filter(object_type=spec.object_type, object_id__in=list(keys),
                                              action__in=actions)
                   .order_by("seq").values("object_id", "action", "after", "reason").iterator(chunk_size=batch))
        for object_id, fields in _latest(spec, records).items():
            row = keys[object_id]
            for field, (recorded, presence) in fields.items():
                found = row[field]
                if not _same(recorded, found, presence):
                    shown = (found is not None) if presence else found
                    yield Mismatch(table, object_id, field, "set" if presence and recorded else
                                   "not set" if presence else recorded,
                                   ("set" if shown else "not set") if presence else shown)


def check_state(tracked: tuple[Tracked, ...] = TRACKED,
                progress: Callable[[str], None] | None = None) -> tuple[int, list[Mismatch]]:
    """(number of kinds checked, every mismatch found)."""
    found: list[Mismatch] = []
    for spec in tracked:
        if progress:
            progress(spec.model)
        found.extend(check_kind(spec))
    return len(tracked), found
