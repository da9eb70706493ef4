"""C1: everything known about a phone, an address or a name, at the moment a handler types it.

Newest first, with no fixed look-back horizon, and bounded work however long the history: each list is
read from an index newest-first with a LIMIT, and the rest is counted, not loaded. Matching is exact on
normalised keys first (E.164 phones, address keys), then fuzzy (sound keys for names, street keys for
addresses) ranked with rapidfuzz.

Speed: this runs on every keystroke pause (target p99 <= 10 ms in-process at a million logs). The SQL
itself is cheap (indexed, LIMITed); what dominated was the ORM building and compiling a dozen querysets
per lookup. So the reads here are plain parameterised SQL through `connection.cursor()` (`%s` placeholders,
portable between SQLite and PostgreSQL), with related rows fetched by JOIN or IN list rather than one
query per row, and counts read in one statement. Each query keeps the filters and ORDER BY the ORM
queryset it replaced had, so the results are the same. Lookups only read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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
def _fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _any_of(*terms: tuple[str, Sequence[int]]) -> tuple[str, list[Any]]:
    """`(a IN (%s, ...) OR b IN (...))` over the terms whose id list is not empty (as the ORM drops an empty
    `__in` from an OR). The caller checks that at least one list has ids."""
    parts, params = [], []
    for column, ids in terms:
        if ids:
            parts.append(f"{column} IN ({', '.join(['%s'] * len(ids))})")
            params.extend(ids)
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
def match_phone(raw: str) -> PhoneRow | None:
    e164 = rules.try_phone(raw)
    if not e164:
        return None
    rows = _fetch("SELECT id, e164 FROM people_phone WHERE e164 = %s", [e164])  # unique
    return PhoneRow(*rows[0]) if rows else None


def match_addresses(raw: str) -> list[tuple[AddressRow, float]]:
    """Every held address that is this place: the same normalised key; the same flat, number and street
    held with or without a postcode; then the same building on a similarly written street. Never stops at
    the first exact match, because one place written twice (with and without its postcode) is two rows and
    a missed row is a missed history (C1)."""
    if len(raw.strip()) < 4:
        return []
    k = rules.address_key(raw)
    if not k.street_key:
        return []
    found: dict[int, tuple[AddressRow, float]] = {}
    for pk, text in _fetch("SELECT id, text FROM people_address WHERE key = %s", [k.key]):
        found[pk] = (AddressRow(pk, text), 100.0)
    where, params = _starts_with("key", f"{k.flat}|{k.number}|{k.street_key}|")  # the same place
    for pk, text in _fetch(f"SELECT id, text FROM people_address WHERE {where} ORDER BY id DESC LIMIT %s",
                           [*params, FUZZY_CANDIDATES]):
        if pk not in found and rules.address_score(raw, text) >= 100:
            found[pk] = (AddressRow(pk, text), 99.0)
    if k.postcode:
        where, params = "postcode = %s", [k.postcode]
    else:
        where, params = _starts_with("street_key", k.street_key.split(" ")[0][:3])
    for pk, text in _fetch(f"SELECT id, text FROM people_address WHERE {where} ORDER BY id DESC LIMIT %s",
                           [*params, FUZZY_CANDIDATES]):
        if pk in found:
            continue
        score = rules.address_score(raw, text)
        if score >= 85:
            found[pk] = (AddressRow(pk, text), score)
    ranked = sorted(found.values(), key=lambda x: (-x[1], -x[0].pk))
    return ranked[:ADDRESS_MATCHES]


def match_people(raw: str, dob: date | None) -> list[tuple[PersonRow, float]]:
    """Sound keys find spelling variants ("Jon Smyth" for "John Smith"); rapidfuzz ranks them; a matching
    date of birth ranks first."""
    given, family = rules.split_name(raw)
    if len(rules.fold_name(family)) < 2:
        return []
    key = rules.sound_key(given, family)
    family_part = key.split("|")[0] + "|"
    if given:
        ids = {r[0] for r in _fetch("SELECT id FROM people_person WHERE sound_key = %s LIMIT %s",
                                    [key, FUZZY_CANDIDATES])}
        ids |= {r[0] for r in _fetch("SELECT person_id FROM people_alias WHERE sound_key = %s LIMIT %s",
                                     [key, FUZZY_CANDIDATES])}
    else:
        ids = {r[0] for r in _fetch("SELECT id FROM people_person WHERE sound_key >= %s AND sound_key < %s LIMIT %s",
                                    [family_part, family_part + "\uffff", FUZZY_CANDIDATES])}
    if not ids:
        return []
    # Each candidate with its aliases, in one query.
    candidates: dict[int, tuple[PersonRow, list[str]]] = {}
    for pk, given_names, family_name, born, alias in _fetch(
            "SELECT p.id, p.given_names, p.family_name, p.dob, a.name FROM people_person p"
            " LEFT JOIN people_alias a ON a.person_id = p.id"
            f" WHERE p.id IN ({', '.join(['%s'] * len(ids))})", sorted(ids)):
        person, aliases = candidates.setdefault(pk, (PersonRow(pk, given_names, family_name, born), []))
        if alias is not None:
            aliases.append(alias)
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
SELECT lp.id, lp.log_id, lp.contact_id, lp.role, lp.at,
       l.reference, l.summary, l.status, l.closing_code, l.category, l.flags,
       c.account, c.channel, c.addressed_to_id, c.handled_at,
       u.first_name, u.last_name, u.username, u.role,
       (SELECT ph.e164 FROM people_phone ph WHERE ph.id = lp.phone_id),
       (SELECT ad.text FROM people_address ad WHERE ad.id = lp.address_id),
       (SELECT pe.given_names FROM people_person pe WHERE pe.id = lp.person_id),
       (SELECT pe.family_name FROM people_person pe WHERE pe.id = lp.person_id)
  FROM ({page}) newest
  JOIN people_logparty lp ON lp.id = newest.id
  LEFT JOIN incidents_log l ON l.id = lp.log_id
  LEFT JOIN incidents_contact c ON c.id = lp.contact_id
  LEFT JOIN staff_user u ON u.id = c.addressed_to_id
 ORDER BY lp.at DESC, lp.id DESC
"""
# (The phone, place and person of each line are scalar subqueries rather than joins: on PostgreSQL planning a
# seven-way join cost several times more than running it.)


def _newest_page(terms: list[tuple[str, list[int]]], depth: int) -> tuple[str, list[Any]]:
    """SQL for the ids of one page (its LIMIT %s OFFSET %s still to bind; `depth` is offset + limit) of the
    matched parties, newest first. Each matched id is read newest first from its (column, -at) index and only
    `depth` deep, then the few candidates are merged and paged: the same rows, in the same order, as sorting
    every party of a busy place or phone, without reading them all."""
    parts, params = [], []
    for column, ids in terms:
        for pk in ids:
            parts.append(f"SELECT id, at FROM (SELECT id, at FROM people_logparty WHERE {column} = %s"
                         f" ORDER BY at DESC, id DESC LIMIT %s) t{len(parts)}")
            params += [pk, depth]
    return (f"SELECT id FROM ({' UNION '.join(parts)}) candidates ORDER BY at DESC, id DESC LIMIT %s OFFSET %s",
            params)


def _history(terms: list[tuple[str, list[int]]], limit: int) -> tuple[list[dict[str, Any]], int]:
    """Previous logs and contacts on every channel (a message to an officer has a contact but no log),
    newest first, one line each however many of the matched phones, places and people were on it. The
    newest `limit` are loaded; the rest are counted, not loaded. `terms` are the matched (column, ids)."""
    seen: set[tuple[int | None, int | None]] = set()
    out: list[dict[str, Any]] = []
    offset, batch = 0, limit * 3
    while len(out) < limit:
        page, page_params = _newest_page(terms, offset + batch)
        rows = _fetch(_HISTORY_SQL.format(page=page), [*page_params, batch, offset])
        for r in rows:
            key = (r[1], None) if r[1] else (None, r[2])
            if key in seen:
                continue
            seen.add(key)
            out.append(_history_line(r))
            if len(out) == limit:
                break
        if len(rows) < batch:
            break
        offset += batch
    total = len(out) if len(out) < limit else _distinct_count(*_any_of(*terms))
    return out, total


def _distinct_count(where: str, params: list[Any]) -> int:
    """How many logs, and messages without a log, the matched parties were on (both in one query)."""
    (logs, messages), = _fetch(
        "SELECT COUNT(DISTINCT log_id), COUNT(DISTINCT CASE WHEN log_id IS NULL THEN contact_id END)"
        f" FROM people_logparty WHERE {where}", params)
    return int(logs + messages)


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
             limit: int) -> list[dict[str, Any]]:
    """Live markers, and those ended within the year, on the matched people, places and phone. Active first
    (an ended one never crowds out a live warning), newest first within each."""
    where, params = _any_of(("m.person_id", person_ids), ("m.address_id", address_ids), ("m.phone_id", phone_ids))
    rows = _fetch(
        "SELECT m.id, m.kind, m.source, m.note, m.review_at, m.ended_at, pe.given_names, pe.family_name,"
        "       (SELECT ad.text FROM people_address ad WHERE ad.id = m.address_id),"
        "       (SELECT ph.e164 FROM people_phone ph WHERE ph.id = m.phone_id)"
        "  FROM people_marker m"
        "  LEFT JOIN people_person pe ON pe.id = m.person_id"
        f" WHERE {where} AND (m.ended_at IS NULL OR m.ended_at >= %s)"
        " ORDER BY m.ended_at ASC NULLS FIRST, m.created_at DESC, m.id DESC LIMIT %s",
        [*params, _db_when(now - timedelta(days=365)), limit * 2])
    out = []
    for pk, kind, source, note, review_at, ended_at, given_names, family_name, address, e164 in rows:
        on = (_name(given_names, family_name) if given_names is not None else
              address if address is not None else e164 if e164 is not None else "")
        out.append(_marker(pk, kind, source, note, review_at, ended_at, on, today))
    return out


def _schemes(phone_ids: list[int], address_ids: list[int], person_ids: list[int], now: datetime,
             limit: int, policy: Policy) -> tuple[list[dict[str, Any]], str | None]:
    """Special schemes on the matched phone, places or victims, latest ending first, and the grade floor."""
    where, params = _any_of(("s.phone_id", phone_ids), ("s.address_id", address_ids), ("s.victim_id", person_ids))
    rows = _fetch(
        "SELECT s.id, s.grade_floor, s.starts_at, s.ends_at, s.removed_at, s.removal_reason, s.phone_id,"
        "       s.address_id, v.given_names, v.family_name,"
        "       (SELECT ad.text FROM people_address ad WHERE ad.id = s.address_id),"
        "       (SELECT ph.e164 FROM people_phone ph WHERE ph.id = s.phone_id),"
        "       u.first_name, u.last_name, u.username, u.role"
        "  FROM people_specialscheme s"
        "  JOIN people_person v ON v.id = s.victim_id"
        "  JOIN staff_user u ON u.id = s.officer_id"
        f" WHERE {where} ORDER BY s.ends_at DESC LIMIT %s", [*params, limit])
    out, floors = [], []
    for (pk, floor, starts_at, ends_at, removed_at, removal_reason, phone_id, address_id, given_names,
         family_name, address, e164, first_name, last_name, username, role) in rows:
        starts_at, ends_at, removed_at = _aware(starts_at), _aware(ends_at), _aware(removed_at)
        state = ("removed" if removed_at else "active" if starts_at <= now < ends_at else
                 "expired" if now >= ends_at else "future")
        out.append({"id": pk, "victim": _name(given_names, family_name), "state": state, "floor": floor,
                    "ends_at": ends_at.isoformat(),
                    "on": address if address is not None else (e164 if e164 is not None else ""),
                    "officer": _staff(first_name, last_name, username, role), "removed_reason": removal_reason})
        # D5: the floor applies to a call from a phone or place under an active scheme (not merely a person).
        if (rules.scheme_active(starts_at, ends_at, removed_at, now)
                and (phone_id in phone_ids or address_id in address_ids)):
            floors.append(floor)
    return out, rules.grade_floor(floors, policy)


def _orders(person_ids: list[int], address_ids: list[int], today: date, limit: int) -> list[dict[str, Any]]:
    """Orders in force restricting a matched person, or protecting a matched person or place."""
    terms = []
    params: list[Any] = []
    if person_ids:
        marks = ", ".join(["%s"] * len(person_ids))
        terms += [f"o.restricted_id IN ({marks})",
                  f"o.id IN (SELECT order_id FROM people_order_protected_people WHERE person_id IN ({marks}))"]
        params += [*person_ids, *person_ids]
    if address_ids:
        marks = ", ".join(["%s"] * len(address_ids))
        terms.append(f"o.id IN (SELECT order_id FROM people_order_protected_addresses WHERE address_id IN ({marks}))")
        params += address_ids
    rows = _fetch(
        "SELECT o.id, o.kind, o.conditions, o.ends_on, r.given_names, r.family_name"
        "  FROM people_order o JOIN people_person r ON r.id = o.restricted_id"
        f" WHERE ({' OR '.join(terms)}) AND (o.ends_on IS NULL OR o.ends_on >= %s)"
        " ORDER BY o.starts_on DESC LIMIT %s", [*params, _db_day(today), limit])
    return [{"id": pk, "kind": _ORDER_LABELS.get(kind, kind), "restricted": _name(given_names, family_name),
             "conditions": conditions, "ends_on": ends_on.isoformat() if ends_on else None}
            for pk, kind, conditions, ends_on, given_names, family_name in rows]


def _linked(person_ids: list[int], today: date, limit: int) -> list[dict[str, Any]]:
    """People in a current relationship with a matched person, each with their active markers (newest
    `limit` each, all read in one query)."""
    where, params = _any_of(("r.person_id", person_ids), ("r.other_id", person_ids))
    rels = _fetch(
        "SELECT r.kind, r.person_id, a.given_names, a.family_name, r.other_id, b.given_names, b.family_name"
        "  FROM people_relationship r"
        "  JOIN people_person a ON a.id = r.person_id"
        "  JOIN people_person b ON b.id = r.other_id"
        f" WHERE {where} AND r.ended_at IS NULL LIMIT %s", [*params, limit])
    if not rels:
        return []
    others = [(kind, other, _name(og, of)) if pid in person_ids else (kind, pid, _name(pg, pf))
              for kind, pid, pg, pf, other, og, of in rels]
    other_ids = sorted({pk for _, pk, _ in others})
    their: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in other_ids}
    for row in _fetch(
            "SELECT id, kind, source, note, review_at, person_id FROM ("
            "  SELECT m.id, m.kind, m.source, m.note, m.review_at, m.person_id,"
            "         ROW_NUMBER() OVER (PARTITION BY m.person_id ORDER BY m.created_at DESC) AS n"
            "    FROM people_marker m"
            f"  WHERE m.person_id IN ({', '.join(['%s'] * len(other_ids))}) AND m.ended_at IS NULL) ranked"
            " WHERE n <= %s ORDER BY person_id, n", [*other_ids, limit]):
        their[row[5]].append(row)
    return [{"id": pk, "name": name, "relationship": _RELATIONSHIP_LABELS.get(kind, kind),
             "markers": [_marker(m_pk, m_kind, source, note, review_at, None, name, today)
                         for m_pk, m_kind, source, note, review_at, _ in their[pk]]}
            for kind, pk, name in others]


def _firearms(address_ids: list[int], person_ids: list[int], today: date, limit: int) -> list[dict[str, Any]]:
    """Unexpired firearms certificates held by a matched person or kept at a matched place."""
    where, params = _any_of(("c.address_id", address_ids), ("c.holder_id", person_ids))
    rows = _fetch(
        "SELECT h.given_names, h.family_name, ad.text, c.number, c.expires_on"
        "  FROM people_firearmscertificate c"
        "  JOIN people_person h ON h.id = c.holder_id"
        "  JOIN people_address ad ON ad.id = c.address_id"
        f" WHERE {where} AND c.expires_on >= %s LIMIT %s", [*params, _db_day(today), limit])
    return [{"holder": _name(given_names, family_name), "address": address, "number": number,
             "expires_on": expires_on.isoformat()} for given_names, family_name, address, number, expires_on in rows]


def lookup(q: Query, policy: Policy) -> Context:
    """The context panel for what the handler has typed so far."""
    ctx = Context()
    if q.empty:
        return ctx
    now = clock.now()
    today = clock.local(now).date()
    limit = int(policy["context_list_limit"])
    phone = match_phone(q.phone) if q.phone.strip() else None
    addresses = match_addresses(q.address) if q.address.strip() else []
    found = match_people(q.name, q.dob) if q.name.strip() else []
    people: list[tuple[PersonRow, float, str]] = [(p, s, "name") for p, s in found]

    def add_person(person: PersonRow, why: str) -> None:
        if all(person.pk != p.pk for p, _, _ in people):
            people.append((person, 100.0, why))

    person_columns = "p.id, p.given_names, p.family_name, p.dob"
    if phone is not None:
        for row in _fetch(f"SELECT {person_columns} FROM people_phoneuse u JOIN people_person p ON p.id = u.person_id"
                          " WHERE u.phone_id = %s ORDER BY u.created_at DESC LIMIT %s", [phone.pk, PERSON_MATCHES]):
            add_person(PersonRow(*row), "uses this phone")
    for address, _ in addresses:
        for row in _fetch(f"SELECT {person_columns} FROM people_residence r JOIN people_person p ON p.id = r.person_id"
                          ' WHERE r.address_id = %s AND r."current" = %s ORDER BY r.created_at DESC LIMIT %s',
                          [address.pk, True, PERSON_MATCHES]):
            add_person(PersonRow(*row), "lives at this address")
    if not addresses and people:
        # Each person's first current residence (lowest id, as .first() took), for all of them in one query.
        firsts = [p.pk for p, _, _ in people[:PERSON_MATCHES]]
        homes = {person_id: AddressRow(pk, text) for person_id, pk, text in _fetch(
            "SELECT r.person_id, a.id, a.text FROM people_residence r JOIN people_address a ON a.id = r.address_id"
            " WHERE r.id IN (SELECT MIN(id) FROM people_residence"
            f'                WHERE "current" = %s AND person_id IN ({", ".join(["%s"] * len(firsts))})'
            "                GROUP BY person_id)", [True, *firsts])}
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
                   "age": rules.age_on(p.dob, None, today), "why": why} for p, s, why in people]
    if not (phone_ids or address_ids or person_ids):
        return ctx  # nothing known: every list is empty and no flag applies

    ctx.history, ctx.history_total = _history(
        [("phone_id", phone_ids), ("address_id", address_ids), ("person_id", person_ids)], limit)
    ctx.markers = _markers(person_ids, address_ids, phone_ids, now, today, limit)
    ctx.schemes, ctx.grade_floor = _schemes(phone_ids, address_ids, person_ids, now, limit, policy)
    if person_ids or address_ids:
        ctx.orders = _orders(person_ids, address_ids, today, limit)
        ctx.firearms = _firearms(address_ids, person_ids, today, limit)
    if person_ids:
        ctx.linked = _linked(person_ids, today, limit)
    ctx.flags = _flags(phone_ids, address_ids, person_ids, now, policy)
    return ctx


def _flags(phone_ids: list[int], address_ids: list[int], person_ids: list[int], now: datetime,
           policy: Policy) -> list[dict[str, Any]]:
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
        if not ids:
            continue
        where = f"{column} IN ({', '.join(['%s'] * len(ids))})" + (" AND role = %s" if role else "")
        parts.append(f"SELECT {i}, COUNT(*) FROM (SELECT DISTINCT log_id FROM people_logparty"
                     f" WHERE {where} AND at >= %s) d{i}")
        params += [*ids, *([role] if role else []), _db_when(now - timedelta(days=int(windows[code]["days"])))]
    if not parts:
        return []
    counts = dict(_fetch(" UNION ALL ".join(parts), params))
    flags = []
    for i, (code, label, _, _, _) in enumerate(checks):
        if i not in counts:
            continue
        rule = windows[code]
        n = int(counts[i])
        if n >= int(rule["at_least"]):
            flags.append({"code": code, "label": label, "count": n, "days": int(rule["days"])})
    return flags
