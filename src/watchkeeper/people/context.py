"""C1: everything known about a phone, an address or a name, at the moment a handler types it.

Newest first, with no fixed look-back horizon, and bounded work however long the history: each list is
read from an index newest-first with a LIMIT, and the rest is counted, not loaded. Matching is exact on
normalised keys first (E.164 phones, address keys), then fuzzy (sound keys for names, street keys for
addresses) ranked with rapidfuzz.

Speed: this runs on every keystroke pause (target p99 <= 10 ms in-process at a million logs). The SQL
itself is cheap (indexed, LIMITed); what dominated was the ORM building and compiling a dozen querysets
per lookup. So the reads here are plain parameterised SQL (`%s` placeholders), with related rows fetched
by JOIN or id list rather than one query per row, and counts read in one statement. Each query keeps the
filters and ORDER BY the ORM queryset it replaced had, so the results are the same. Lookups only read.
Once the phone, places and people are matched, the panel's lists do not depend on each other, so they are
read together (on PostgreSQL, one pipeline).

On PostgreSQL, planning the panel's statements cost more than running them. So the reads keyed by ids are
the same text on every lookup (an id list is one array parameter, `_in`; a newest-few-per-key read is a
LATERAL join over that array, `_each`), and they are prepared on the server (`_cursor`) and planned once:
the connection keeps one generic plan for each statement bound on the server (settings.py), and only these
reads are. Their plans are index reads by id, right for any id. The address matching reads compare text
prefixes, whose best plan depends on the value, so they bind in the client and are planned each time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.utils import timezone

from watchkeeper.core import clock
from watchkeeper.core.policy import Policy
from watchkeeper.incidents.models import CHANNELS
from watchkeeper.people import rules
from watchkeeper.people.models import Marker, Order, Relationship
from watchkeeper.staff.models import User

FUZZY_CANDIDATES = 400
PERSON_MATCHES = 5
ADDRESS_MATCHES = 3

# The choices' display labels (what get_FOO_display() gives, including the raw value for an unknown one).
_MARKER_LABELS = dict(Marker.KINDS)
_ORDER_LABELS = dict(Order.KINDS)
_RELATIONSHIP_LABELS = dict(Relationship.KINDS)
_CHANNEL_LABELS = dict(CHANNELS)


@dataclass
class Query:
    phone: str = ""
    address: str = ""
    name: str = ""
    dob: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.phone.strip() or self.address.strip() or self.name.strip())


@dataclass
class Context:
    phones: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    history_total: int = 0
    markers: list[dict[str, Any]] = field(default_factory=list)
    schemes: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    linked: list[dict[str, Any]] = field(default_factory=list)
    firearms: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    grade_floor: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# The few columns a lookup needs, instead of model instances.
class PhoneRow(NamedTuple):
    pk: int
    e164: str


class AddressRow(NamedTuple):
    pk: int
    text: str


class PersonRow(NamedTuple):
    pk: int
    given_names: str
    family_name: str
    dob: date | None

    @property
    def name(self) -> str:  # as Person.name
        return _name(self.given_names, self.family_name)


# --------------------------------------------------------------------------------------------- SQL
def _pg() -> bool:
    return connection.vendor == "postgresql"


def _cursor(prepared: bool) -> Any:
    """A cursor on Django's connection (its errors and query log as for any other). A `prepared` one on
    PostgreSQL binds parameters on the server, so psycopg prepares its statements (when the database
    settings allow it: WATCHKEEPER_PG_PREPARE); Django's own cursors bind in the client and never do."""
    if not (prepared and _pg()):
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def _fetch(sql: str, params: Sequence[Any] = (), prepared: bool = False) -> list[tuple[Any, ...]]:
    with _cursor(prepared) as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


class Read(NamedTuple):
    """One read of the panel: its SQL, its parameters, and what its rows become."""

    sql: str
    params: list[Any]
    result: Callable[[list[tuple[Any, ...]]], Any]


def _fetch_all(reads: Sequence[Read]) -> list[Any]:
    """Reads that do not depend on each other, answered together. On PostgreSQL they go in one pipeline: a
    single round trip to the server for all of them, where each read alone would wait for its own (and on a
    small server that wait costs as much as the read). SQLite runs in process, so they simply run in turn."""
    if not _pg() or len(reads) < 2:
        return [read.result(_fetch(read.sql, read.params, prepared=True)) for read in reads]
    connection.ensure_connection()
    cursors = []
    try:
        with connection.connection.pipeline():
            for read in reads:
                cursor = _cursor(prepared=True)
                cursors.append(cursor)
                cursor.execute(read.sql, read.params)
        return [read.result(cursor.fetchall()) for read, cursor in zip(reads, cursors, strict=True)]
    finally:
        for cursor in cursors:
            cursor.close()


def _marks(ids: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(ids))


def _in(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """`column` is one of `ids`. PostgreSQL gets the ids as one array (written as an array literal, so the
    parameter has one type whether or not the list is empty): the statement is the same text however many
    ids there are. SQLite gets an IN list."""
    if _pg():
        return f"{column} = ANY(%s::bigint[])", [_array(ids)]
    return f"{column} IN ({_marks(ids)})", list(ids)


def _array(ids: Sequence[int]) -> str:
    return "{" + ",".join(str(int(pk)) for pk in ids) + "}"


def _tested(ids: Sequence[int]) -> bool:
    """Whether a statement tests a list of ids: on SQLite only when it has some (as the ORM drops an empty
    `__in`); on PostgreSQL always, an empty array matching nothing, so that every lookup runs the same
    statement. A caller with no ids at all does not read."""
    return bool(ids) or _pg()


def _used(terms: Sequence[tuple[str, Sequence[int]]]) -> list[tuple[str, Sequence[int]]]:
    """The (column, ids) terms a statement tests (_tested)."""
    return [(column, ids) for column, ids in terms if _tested(ids)]


def _each(sql: str, ids: Sequence[int], params: Sequence[Any]) -> tuple[str, list[Any]]:
    """The rows `sql` gives for each of `ids`, together. `sql` reads one key, written `{key}` (before any of
    its own `params`), typically its newest few from the key's own index. PostgreSQL joins it LATERAL to
    the array of ids (one statement however many); SQLite reads each key in turn, UNION ALL."""
    if _pg():
        return (f"SELECT t.* FROM unnest(%s::bigint[]) AS k(key) CROSS JOIN LATERAL ({sql.format(key='k.key')}) t",
                [_array(ids), *params])
    return (" UNION ALL ".join(f"SELECT * FROM ({sql.format(key='%s')}) t{i}" for i in range(len(ids))),
            [x for pk in ids for x in (pk, *params)])


def _any_of(*terms: tuple[str, Sequence[int]]) -> tuple[str, list[Any]]:
    """`(a IN (...) OR b IN (...))` over the terms _used. The caller checks that at least one has ids."""
    parts, params = [], []
    for column, ids in _used(terms):
        sql, values = _in(column, ids)
        parts.append(sql)
        params += values
    return "(" + " OR ".join(parts) + ")", params


def _starts_with(column: str, prefix: str) -> tuple[str, list[Any]]:
    """The ORM's `__startswith`. On SQLite that is a LIKE, which ignores case and so cannot use the column's
    index: a scan of every address. The columns compared here (address keys up to the postcode, street keys)
    are written by rules.address_key as lower-case ASCII, like the prefix, so an index range [prefix,
    prefix + U+FFFF) is the same set. PostgreSQL's LIKE uses the `_like` pattern index Django made."""
    if connection.vendor == "sqlite":
        return f"{column} >= %s AND {column} < %s", [prefix, prefix + "\uffff"]
    return f"{column} LIKE %s", [connection.ops.prep_for_like_query(prefix) + "%"]


def _aware(value: Any) -> Any:
    """A datetime column (or None) as the ORM returns it: SQLite hands back naive UTC, PostgreSQL aware."""
    if value is None or not settings.USE_TZ or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, connection.timezone)


def _db_when(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _db_day(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _name(given_names: str | None, family_name: str | None) -> str:
    return f"{given_names} {family_name}".strip()


def _staff(first_name: str, last_name: str, username: str, role: str) -> str:
    """A member of staff as User.display shows them (an unsaved instance, so the rule stays in one place)."""
    return User(first_name=first_name, last_name=last_name, username=username, role=role).display


# ------------------------------------------------------------------------------------------ matching
def match_addresses(raw: str) -> list[tuple[AddressRow, float]]:
    """Every held address that is this place, best first. Never stops at the first exact match, because one
    place written twice (with and without its postcode or town) is two rows, and a missed row is a missed
    history (C1). Candidates come from bounded, indexed reads, each scored on its stored key (no parsing of
    held text): the same key; the same street held with or without the town a caller adds or leaves off
    (a held street that is a word prefix of the typed one, or that starts with it); the same postcode; and
    only when none of those is this place, the same flat and number on streets starting with the same three
    letters (a slip later in the name)."""
    if len(raw.strip()) < 4:
        return []
    q = rules.address_key(raw)
    if not q.street_key:
        return []
    found: dict[int, float] = {}

    def consider(rows: list[tuple[Any, ...]]) -> None:
        for pk, key in rows:
            if pk in found:
                continue
            score = 100.0 if key == q.key else min(99.0, rules.key_score(q, rules.AddressKey.stored(key)))
            if score >= 85:
                found[pk] = score

    # Newest first, ordered by an expression rather than the id itself: otherwise PostgreSQL may walk every
    # address newest first, testing each, until it has found enough on this street (a thousand times the
    # work of reading the street's few rows from its index and sorting them). Candidates are their id and
    # key, which the street and postcode indexes carry: a busy street's hundreds are read from the index
    # alone, and only the few chosen places' text is read.
    newest = "ORDER BY id + 0 DESC LIMIT %s"
    prefixes = q.street_prefixes
    longer, longer_params = _starts_with("street_key", q.street_key + " ")
    parts = [("key = %s", [q.key]),
             (f"street_key IN ({_marks(prefixes)})", prefixes),
             (longer, longer_params)]
    if q.postcode:
        parts.append(("postcode = %s", [q.postcode]))
    sql = " UNION ".join(f"SELECT * FROM (SELECT id, key FROM people_address WHERE {where} {newest}) c{i}"
                         for i, (where, _) in enumerate(parts))
    consider(_fetch(sql, [x for _, params in parts for x in (*params, FUZZY_CANDIDATES)]))
    if not found:  # a slip: the same building on a street starting alike
        first = q.street_key.split(" ")[0][:3]
        where, params = (_starts_with("key", f"{q.flat}|{q.number}|{first}") if q.number else
                         _starts_with("street_key", first))
        consider(_fetch(f"SELECT id, key FROM people_address WHERE {where} {newest}", [*params, FUZZY_CANDIDATES]))
    ranked = sorted(found.items(), key=lambda x: (-x[1], -x[0]))[:ADDRESS_MATCHES]
    if not ranked:
        return []
    where, params = _in("id", [pk for pk, _ in ranked])
    texts = dict(_fetch(f"SELECT id, text FROM people_address WHERE {where}", params, prepared=True))
    return [(AddressRow(pk, texts[pk]), score) for pk, score in ranked]


def match_people(raw: str, dob: date | None) -> list[tuple[PersonRow, float]]:
    """Sound keys find spelling variants ("Jon Smyth" for "John Smith"); rapidfuzz ranks them; a matching
    date of birth ranks first."""
    given, family = rules.split_name(raw)
    if len(rules.fold_name(family)) < 2:
        return []
    key = rules.sound_key(given, family)
    family_part = key.split("|")[0] + "|"
    # The candidates (by sound key, on the name or an alias) each with their aliases, in one query. A name's
    # candidates come from the sound-key index alone, which carries the names and date of birth: a common
    # name's hundreds of candidates are a few index pages, not a row each from all over the table.
    named = "SELECT id, given_names, family_name, dob FROM people_person"
    if given:
        chosen = (f"SELECT * FROM ({named} WHERE sound_key = %s LIMIT %s) named UNION"
                  " SELECT * FROM (SELECT p.id, p.given_names, p.family_name, p.dob FROM people_alias al"
                  "                  JOIN people_person p ON p.id = al.person_id WHERE al.sound_key = %s LIMIT %s)"
                  " aliased")
        params = [key, FUZZY_CANDIDATES, key, FUZZY_CANDIDATES]
    else:
        chosen = f"{named} WHERE sound_key >= %s AND sound_key < %s LIMIT %s"
        params = [family_part, family_part + "\uffff", FUZZY_CANDIDATES]
    candidates: dict[int, tuple[PersonRow, list[str]]] = {}
    for pk, given_names, family_name, born, alias in _fetch(
            f"SELECT c.id, c.given_names, c.family_name, c.dob, a.name FROM ({chosen}) c"
            " LEFT JOIN people_alias a ON a.person_id = c.id ORDER BY c.id", params, prepared=True):
        person, aliases = candidates.setdefault(pk, (PersonRow(pk, given_names, family_name, born), []))
        if alias is not None:
            aliases.append(alias)
    if not candidates:
        return []
    scored: list[tuple[PersonRow, float]] = []
    for p, aliases in candidates.values():
        if given:
            names = [p.name, *aliases]
        else:  # a family name alone is compared with family names
            names = [p.family_name, *[rules.split_name(a)[1] for a in aliases]]
        score = max(rules.name_score(raw, n) for n in names)
        if dob is not None and p.dob == dob:
            score += 10
        if score >= 75:
            scored.append((p, score))
    scored.sort(key=lambda x: (-x[1], -x[0].pk))
    return scored[:PERSON_MATCHES]


# ------------------------------------------------------------------------------------------- gathering
_HISTORY_SQL = """
WITH newest AS ({page}),
     lines AS (SELECT id, ROW_NUMBER() OVER (PARTITION BY log_id, CASE WHEN log_id IS NULL THEN contact_id END
                                             ORDER BY at DESC, id DESC) AS n
                 FROM newest)
SELECT lp.id, lp.log_id, lp.contact_id, lp.role, lp.at,
       l.reference, l.summary, l.status, l.closing_code, l.category, l.flags,
       c.account, c.channel, c.addressed_to_id, c.handled_at,
       u.first_name, u.last_name, u.username, u.role,
       (SELECT ph.e164 FROM people_phone ph WHERE ph.id = lp.phone_id),
       (SELECT ad.text FROM people_address ad WHERE ad.id = lp.address_id),
       (SELECT pe.given_names FROM people_person pe WHERE pe.id = lp.person_id),
       (SELECT pe.family_name FROM people_person pe WHERE pe.id = lp.person_id),
       (SELECT COUNT(*) FROM newest)
  FROM lines
  JOIN people_logparty lp ON lp.id = lines.id
  LEFT JOIN incidents_log l ON l.id = lp.log_id
  LEFT JOIN incidents_contact c ON c.id = lp.contact_id
  LEFT JOIN staff_user u ON u.id = c.addressed_to_id
 WHERE lines.n = 1
 ORDER BY lp.at DESC, lp.id DESC
 LIMIT %s
"""
# (The phone, place and person of each line are scalar subqueries rather than joins: on PostgreSQL planning a
# seven-way join cost several times more than running it.)


def _newest(terms: list[tuple[str, list[int]]], depth: int) -> tuple[str, list[Any]]:
    """SQL for the newest `depth` parties of all the matched keys together: each key's newest `depth` are
    read from its own index (which holds everything asked for here, so no row is read), then merged. The
    same rows as sorting every party of a busy place or phone, without reading them all."""
    parts, params = [], []
    for column, ids in _used(terms):
        sql, values = _each(f"SELECT id, at, log_id, contact_id FROM people_logparty WHERE {column} = {{key}}"
                            " ORDER BY at DESC, id DESC LIMIT %s", ids, [depth])
        parts.append(f"SELECT * FROM ({sql}) c{len(parts)}")
        params += values
    return (f"SELECT id, at, log_id, contact_id FROM ({' UNION '.join(parts)}) candidates"
            " ORDER BY at DESC, id DESC LIMIT %s", [*params, depth])


def _history_read(terms: list[tuple[str, list[int]]], limit: int, depth: int) -> Read:
    """The newest `limit` lines among the newest `depth` parties: one line per log (or per message with no
    log) however many of the matched phones, places and people were on it, and only those lines joined to
    their logs and contacts."""
    page, params = _newest(terms, depth)
    return Read(_HISTORY_SQL.format(page=page), [*params, limit], list)


def _history(terms: list[tuple[str, list[int]]], limit: int, first: list[tuple[Any, ...]],
             counted: int) -> tuple[list[dict[str, Any]], int]:
    """Previous logs and contacts on every channel (a message to an officer has a contact but no log),
    newest first. The newest `limit` are loaded; the rest are counted, not loaded. `first` was read with
    the rest of the panel from the newest limit x 3 parties; only when so many of those were the same few
    logs that they gave fewer than `limit` lines is a deeper read made."""
    depth, rows = limit * 3, first
    while len(rows) < limit and rows and rows[0][-1] >= depth:
        depth *= 4
        read = _history_read(terms, limit, depth)
        rows = _fetch(read.sql, read.params, prepared=True)
    lines = [_history_line(r[:-1]) for r in rows]
    return lines, (len(lines) if len(lines) < limit else counted)


def _distinct_count(terms: list[tuple[str, list[int]]]) -> Read:
    """How many logs, and messages without a log, the matched parties were on (both in one query). Each
    key's rows are read from its own index, which carries the log and contact: the count never reads a row,
    however busy the place (an OR across the keys would fetch every row to check the others)."""
    parts, params = [], []
    for column, ids in _used(terms):
        where, values = _in(column, ids)
        parts.append(f"SELECT log_id, contact_id FROM people_logparty WHERE {where}")
        params += values
    return Read("SELECT COUNT(DISTINCT log_id), COUNT(DISTINCT CASE WHEN log_id IS NULL THEN contact_id END)"
                f" FROM ({' UNION ALL '.join(parts)}) parties", params, lambda rows: int(rows[0][0] + rows[0][1]))


def _history_line(r: tuple[Any, ...]) -> dict[str, Any]:
    (_, log_id, contact_id, role, at, reference, summary, status, closing_code, category, flags,
     account, channel, addressed_to_id, handled_at, first_name, last_name, username, staff_role,
     e164, address, given_names, family_name) = r
    has_log, has_contact = log_id is not None, contact_id is not None
    if has_log and isinstance(flags, str):
        flags = json.loads(flags)
    return {
        "at": _aware(at).isoformat(),
        "role": role,
        "log": reference if has_log else None,
        "summary": summary if has_log else (account[:140] if has_contact else ""),
        "status": status if has_log else "message",
        "outcome": closing_code if has_log else "",
        "category": category if has_log else "",
        "flags": list(flags) if has_log else [],
        "channel": _CHANNEL_LABELS.get(channel, channel) if has_contact else "",
        "addressed_to": (_staff(first_name, last_name, username, staff_role)
                         if has_contact and addressed_to_id else ""),
        "handled": bool(handled_at) if has_contact and not has_log else None,
        "via": e164 if e164 is not None else (address if address is not None else (
            _name(given_names, family_name) if given_names is not None else "")),
    }


def _marker(pk: int, kind: str, source: str, note: str, review_at: date, ended_at: datetime | None, on: str,
            now_day: date) -> dict[str, Any]:
    return {"id": pk, "kind": kind, "label": _MARKER_LABELS.get(kind, kind), "on": on, "source": source,
            "active": ended_at is None, "review_at": review_at.isoformat(),
            "review_overdue": ended_at is None and review_at < now_day, "note": note}


def _markers(person_ids: list[int], address_ids: list[int], phone_ids: list[int], now: datetime, today: date,
             limit: int) -> Read:
    """Live markers, and those ended within the year, on the matched people, places and phone. Active first
    (an ended one never crowds out a live warning), newest first within each."""
    where, params = _any_of(("m.person_id", person_ids), ("m.address_id", address_ids), ("m.phone_id", phone_ids))

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        out = []
        for pk, kind, source, note, review_at, ended_at, given_names, family_name, address, e164 in rows:
            on = (_name(given_names, family_name) if given_names is not None else
                  address if address is not None else e164 if e164 is not None else "")
            out.append(_marker(pk, kind, source, note, review_at, ended_at, on, today))
        return out

    return Read(
        "SELECT m.id, m.kind, m.source, m.note, m.review_at, m.ended_at, pe.given_names, pe.family_name,"
        "       (SELECT ad.text FROM people_address ad WHERE ad.id = m.address_id),"
        "       (SELECT ph.e164 FROM people_phone ph WHERE ph.id = m.phone_id)"
        "  FROM people_marker m"
        "  LEFT JOIN people_person pe ON pe.id = m.person_id"
        f" WHERE {where} AND (m.ended_at IS NULL OR m.ended_at >= %s)"
        " ORDER BY m.ended_at ASC NULLS FIRST, m.created_at DESC, m.id DESC LIMIT %s",
        [*params, _db_when(now - timedelta(days=365)), limit * 2], result)


def _schemes(phone_ids: list[int], address_ids: list[int], person_ids: list[int], now: datetime,
             limit: int, policy: Policy) -> Read:
    """Special schemes on the matched phone, places or victims, latest ending first, and the grade floor."""
    where, params = _any_of(("s.phone_id", phone_ids), ("s.address_id", address_ids), ("s.victim_id", person_ids))

    def result(rows: list[tuple[Any, ...]]) -> tuple[list[dict[str, Any]], str | None]:
        out, floors = [], []
        for (pk, floor, starts_at, ends_at, removed_at, removal_reason, phone_id, address_id, given_names,
             family_name, address, e164, first_name, last_name, username, role) in rows:
            starts_at, ends_at, removed_at = _aware(starts_at), _aware(ends_at), _aware(removed_at)
            state = rules.scheme_state(starts_at, ends_at, removed_at, now)  # M2: past its end, review overdue
            out.append({"id": pk, "victim": _name(given_names, family_name), "state": state, "floor": floor,
                        "ends_at": ends_at.isoformat(),
                        "on": address if address is not None else (e164 if e164 is not None else ""),
                        "officer": _staff(first_name, last_name, username, role),
                        "removed_reason": removal_reason})
            # D5: the floor applies to a call from a phone or place under a scheme in force (review overdue
            # included, M2), not merely to a person matched by name.
            if (rules.scheme_in_force(starts_at, removed_at, now)
                    and (phone_id in phone_ids or address_id in address_ids)):
                floors.append(floor)
        return out, rules.grade_floor(floors, policy)

    return Read(
        "SELECT s.id, s.grade_floor, s.starts_at, s.ends_at, s.removed_at, s.removal_reason, s.phone_id,"
        "       s.address_id, v.given_names, v.family_name,"
        "       (SELECT ad.text FROM people_address ad WHERE ad.id = s.address_id),"
        "       (SELECT ph.e164 FROM people_phone ph WHERE ph.id = s.phone_id),"
        "       u.first_name, u.last_name, u.username, u.role"
        "  FROM people_specialscheme s"
        "  JOIN people_person v ON v.id = s.victim_id"
        "  JOIN staff_user u ON u.id = s.officer_id"
        f" WHERE {where} ORDER BY s.ends_at DESC LIMIT %s", [*params, limit], result)


def _json(value: Any) -> list[Any]:
    """A JSON column as raw SQL reads it: text on SQLite, already decoded on PostgreSQL."""
    if value is None or value == "":
        return []
    found = json.loads(value) if isinstance(value, str | bytes) else value
    return list(found) if isinstance(found, list) else []


def _orders(person_ids: list[int], address_ids: list[int], today: date, limit: int) -> Read:
    """Orders in force restricting a matched person, or protecting a matched person or place. The orders are
    found through the three indexed links and only then read (an OR of the three would read every order)."""
    found: list[str] = []
    params: list[Any] = []
    for select, column, ids in [("SELECT id FROM people_order", "restricted_id", person_ids),
                                ("SELECT order_id FROM people_order_protected_people", "person_id", person_ids),
                                ("SELECT order_id FROM people_order_protected_addresses", "address_id", address_ids)]:
        if _tested(ids):
            where, values = _in(column, ids)
            found.append(f"{select} WHERE {where}")
            params += values

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        return [{"id": pk, "kind": _ORDER_LABELS.get(kind, kind), "restricted": _name(given_names, family_name),
                 "conditions": conditions, "ends_on": ends_on.isoformat() if ends_on else None,
                 "classes": [rules.describe_class(c) for c in _json(classes)], "activities": _json(activities)}
                for pk, kind, conditions, ends_on, given_names, family_name, classes, activities in rows]

    return Read(
        "SELECT o.id, o.kind, o.conditions, o.ends_on, r.given_names, r.family_name, o.protected_classes,"
        "       o.activities"
        "  FROM people_order o JOIN people_person r ON r.id = o.restricted_id"
        f" WHERE o.id IN ({' UNION '.join(found)}) AND (o.ends_on IS NULL OR o.ends_on >= %s)"
        " ORDER BY o.starts_on DESC LIMIT %s", [*params, _db_day(today), limit], result)


def _linked(person_ids: list[int], today: date, limit: int) -> Read:
    """People in a current relationship with a matched person, each with their active markers (newest
    `limit` each), in one query."""
    mine, params = _in("r.person_id", person_ids)
    theirs, _ = _in("r.other_id", person_ids)

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        by_relationship: dict[int, dict[str, Any]] = {}
        for rel_id, kind, other, given_names, family_name, m_pk, m_kind, source, note, review_at in rows:
            line = by_relationship.get(rel_id)
            if line is None:
                line = by_relationship[rel_id] = {"id": other, "name": _name(given_names, family_name),
                                                  "relationship": _RELATIONSHIP_LABELS.get(kind, kind),
                                                  "markers": []}
                out.append(line)
            if m_pk is not None:
                line["markers"].append(_marker(m_pk, m_kind, source, note, review_at, None, line["name"], today))
        return out

    return Read(
        "WITH rel AS ("
        f"  SELECT r.id, r.kind, CASE WHEN {mine} THEN r.other_id ELSE r.person_id END AS other"
        "     FROM people_relationship r"
        f"   WHERE ({mine} OR {theirs}) AND r.ended_at IS NULL"
        "    ORDER BY r.id LIMIT %s)"
        " SELECT rel.id, rel.kind, rel.other, o.given_names, o.family_name,"
        "        m.id, m.kind, m.source, m.note, m.review_at"
        "   FROM rel"
        "   JOIN people_person o ON o.id = rel.other"
        "   LEFT JOIN (SELECT mk.id, mk.kind, mk.source, mk.note, mk.review_at, mk.person_id,"
        "                     ROW_NUMBER() OVER (PARTITION BY mk.person_id ORDER BY mk.created_at DESC) AS n"
        "                FROM people_marker mk"
        "               WHERE mk.person_id IN (SELECT other FROM rel) AND mk.ended_at IS NULL) m"
        "     ON m.person_id = rel.other AND m.n <= %s"
        "  ORDER BY rel.id, m.n", [*params, *params, *params, limit, limit], result)


def _firearms(address_ids: list[int], person_ids: list[int], today: date, limit: int) -> Read:
    """Unexpired firearms certificates held by a matched person or kept at a matched place."""
    where, params = _any_of(("c.address_id", address_ids), ("c.holder_id", person_ids))

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        return [{"holder": _name(given_names, family_name), "address": address, "number": number,
                 "expires_on": expires_on.isoformat()}
                for given_names, family_name, address, number, expires_on in rows]

    return Read(
        "SELECT h.given_names, h.family_name, ad.text, c.number, c.expires_on"
        "  FROM people_firearmscertificate c"
        "  JOIN people_person h ON h.id = c.holder_id"
        "  JOIN people_address ad ON ad.id = c.address_id"
        f" WHERE {where} AND c.expires_on >= %s LIMIT %s", [*params, _db_day(today), limit], result)


_PERSON_COLUMNS = "p.id, p.given_names, p.family_name, p.dob"


def _phone_and_users(raw: str) -> tuple[PhoneRow | None, list[PersonRow]]:
    """The phone typed and the people who use it (newest first), in one query."""
    e164 = rules.try_phone(raw)
    if not e164:
        return None, []
    rows = _fetch(f"SELECT ph.id, ph.e164, {_PERSON_COLUMNS} FROM people_phone ph"
                  " LEFT JOIN people_phoneuse u ON u.phone_id = ph.id"
                  " LEFT JOIN people_person p ON p.id = u.person_id"
                  " WHERE ph.e164 = %s ORDER BY u.created_at DESC LIMIT %s", [e164, PERSON_MATCHES],
                  prepared=True)
    if not rows:
        return None, []
    return PhoneRow(*rows[0][:2]), [PersonRow(*r[2:]) for r in rows if r[2] is not None]


def _residents(addresses: list[AddressRow]) -> list[PersonRow]:
    """The current residents of each matched place (newest first, a few each), in one query."""
    ids = [a.pk for a in addresses]
    sql, params = _each(f"SELECT r.address_id, r.created_at, {_PERSON_COLUMNS}"
                        " FROM people_residence r JOIN people_person p ON p.id = r.person_id"
                        ' WHERE r.address_id = {key} AND r."current" = %s ORDER BY r.created_at DESC LIMIT %s',
                        ids, [True, PERSON_MATCHES])
    rows = _fetch(sql, params, prepared=True)
    rows.sort(key=lambda r: (ids.index(r[0]), -_aware(r[1]).timestamp()))  # by place, newest first
    return [PersonRow(*r[2:]) for r in rows]


def _homes(person_ids: list[int]) -> dict[int, AddressRow]:
    """Each person's first current residence (lowest id), for all of them in one query."""
    where, params = _in("person_id", person_ids)
    return {person_id: AddressRow(pk, text) for person_id, pk, text in _fetch(
        "SELECT r.person_id, a.id, a.text FROM people_residence r JOIN people_address a ON a.id = r.address_id"
        " WHERE r.id IN (SELECT MIN(id) FROM people_residence"
        f'                WHERE "current" = %s AND {where}'
        "                GROUP BY person_id)", [True, *params], prepared=True)}


def lookup(q: Query, policy: Policy) -> Context:
    """The context panel for what the handler has typed so far. Matching takes a query or two for each of
    phone, place and name; then every list of the panel is read at once (_fetch_all)."""
    ctx = Context()
    if q.empty:
        return ctx
    now = clock.now()
    today = clock.local(now).date()
    limit = int(policy["context_list_limit"])
    phone, users = _phone_and_users(q.phone) if q.phone.strip() else (None, [])
    addresses = match_addresses(q.address) if q.address.strip() else []
    found = match_people(q.name, q.dob) if q.name.strip() else []
    people: list[tuple[PersonRow, float, str]] = [(p, s, "name") for p, s in found]
    also: dict[int, list[str]] = {}  # a person found by name who also uses the phone or lives at the place

    def add_person(person: PersonRow, why: str) -> None:
        if all(person.pk != p.pk for p, _, _ in people):
            people.append((person, 100.0, why))
        else:
            also.setdefault(person.pk, []).append(why)

    for person in users:
        add_person(person, "uses this phone")
    if addresses:
        for person in _residents([a for a, _ in addresses]):
            add_person(person, "lives at this address")
    elif people:
        firsts = [p.pk for p, _, _ in people[:PERSON_MATCHES]]
        homes = _homes(firsts)
        for person_id in firsts:
            home = homes.get(person_id)
            if home is not None and all(home.pk != a.pk for a, _ in addresses):
                addresses.append((home, 100.0))
    phone_ids = [phone.pk] if phone else []
    address_ids = [a.pk for a, _ in addresses]
    person_ids = [p.pk for p, _, _ in people]

    ctx.phones = [{"id": phone.pk, "e164": phone.e164}] if phone else []
    ctx.addresses = [{"id": a.pk, "text": a.text, "score": round(s)} for a, s in addresses]
    ctx.people = [{"id": p.pk, "name": p.name, "dob": p.dob.isoformat() if p.dob else None, "score": round(s),
                   "age": rules.age_on(p.dob, None, today), "why": why, "also": also.get(p.pk, [])}
                  for p, s, why in people]
    if not (phone_ids or address_ids or person_ids):
        return ctx  # nothing known: every list is empty and no flag applies

    terms = [("phone_id", phone_ids), ("address_id", address_ids), ("person_id", person_ids)]
    reads = {"history": _history_read(terms, limit, limit * 3), "counted": _distinct_count(terms),
             "markers": _markers(person_ids, address_ids, phone_ids, now, today, limit),
             "schemes": _schemes(phone_ids, address_ids, person_ids, now, limit, policy),
             "flags": _flags(phone_ids, address_ids, person_ids, now, policy)}
    if person_ids or address_ids:
        reads["orders"] = _orders(person_ids, address_ids, today, limit)
        reads["firearms"] = _firearms(address_ids, person_ids, today, limit)
    if person_ids:
        reads["linked"] = _linked(person_ids, today, limit)
    got = dict(zip(reads, _fetch_all(list(reads.values())), strict=True))
    ctx.history, ctx.history_total = _history(terms, limit, got["history"], got["counted"])
    ctx.markers = got["markers"]
    ctx.schemes, ctx.grade_floor = got["schemes"]
    ctx.orders = got.get("orders", [])
    ctx.firearms = got.get("firearms", [])
    ctx.linked = got.get("linked", [])
    ctx.flags = got["flags"]
    return ctx


def _flags(phone_ids: list[int], address_ids: list[int], person_ids: list[int], now: datetime,
           policy: Policy) -> Read:
    """C1: repeat caller, repeat address, repeat victim, each counted over its configured window (the three
    counts in one query). A count is of distinct log ids, contact-only rows counting once together, as the
    ORM's `.values("log_id").distinct().count()` counted them."""
    windows = policy["repeat_windows"]
    checks = [
        ("repeat_caller", "Repeat caller", "phone_id", phone_ids, "caller"),
        ("repeat_address", "Repeat address", "address_id", address_ids, None),
        ("repeat_victim", "Repeat victim", "person_id", person_ids, "victim"),
    ]
    parts, params = [], []
    for i, (code, _, column, ids, role) in enumerate(checks):
        if not _tested(ids):
            continue
        where, values = _in(column, ids)
        where += " AND role = %s" if role else ""
        parts.append(f"SELECT {i}, COUNT(*) FROM (SELECT DISTINCT log_id FROM people_logparty"
                     f" WHERE {where} AND at >= %s) d{i}")
        params += [*values, *([role] if role else []), _db_when(now - timedelta(days=int(windows[code]["days"])))]

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        counts = dict(rows)
        flags = []
        for i, (code, label, _, _, _) in enumerate(checks):
            if i not in counts:
                continue
            rule = windows[code]
            n = int(counts[i])
            if n >= int(rule["at_least"]):
                flags.append({"code": code, "label": label, "count": n, "days": int(rule["days"])})
        return flags

    return Read(" UNION ALL ".join(parts), params, result)
