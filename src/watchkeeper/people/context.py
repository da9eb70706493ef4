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

Where things are: this module holds the lookup's logic (what a query is, matching places and people,
and which lists the panel reads for what was matched); people/context_sql.py holds the panel's reads (the
SQL text of each list and what its rows become); people/sql.py holds how they run on either database (a
prepared statement and a pipeline on PostgreSQL, id lists as one array parameter, prefixes by index range).

On PostgreSQL, planning the panel's statements cost more than running them. So the reads keyed by ids are
the same text on every lookup, prepared on the server and planned once: the connection keeps one generic
plan for each statement bound on the server (settings.py), and only these reads are. Their plans are index
reads by id, right for any id. The address matching reads compare text prefixes, whose best plan depends
on the value, so they bind in the client and are planned each time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from watchkeeper.core import clock
from watchkeeper.core.policy import Policy
from watchkeeper.people import context_sql as panel
from watchkeeper.people import rules
from watchkeeper.people.context_sql import AddressRow, PersonRow
from watchkeeper.people.sql import fetch, fetch_all, in_ids, marks, starts_with

FUZZY_CANDIDATES = 400
PERSON_MATCHES = 5
ADDRESS_MATCHES = 3


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
    longer, longer_params = starts_with("street_key", q.street_key + " ")
    parts = [("key = %s", [q.key]),
             (f"street_key IN ({marks(prefixes)})", prefixes),
             (longer, longer_params)]
    if q.postcode:
        parts.append(("postcode = %s", [q.postcode]))
    sql = " UNION ".join(f"SELECT * FROM (SELECT id, key FROM people_address WHERE {where} {newest}) c{i}"
                         for i, (where, _) in enumerate(parts))
    consider(fetch(sql, [x for _, params in parts for x in (*params, FUZZY_CANDIDATES)]))
    if not found:  # a slip: the same building on a street starting alike
        first = q.street_key.split(" ")[0][:3]
        where, params = (starts_with("key", f"{q.flat}|{q.number}|{first}") if q.number else
                         starts_with("street_key", first))
        consider(fetch(f"SELECT id, key FROM people_address WHERE {where} {newest}", [*params, FUZZY_CANDIDATES]))
    ranked = sorted(found.items(), key=lambda x: (-x[1], -x[0]))[:ADDRESS_MATCHES]
    if not ranked:
        return []
    where, params = in_ids("id", [pk for pk, _ in ranked])
    texts = dict(fetch(f"SELECT id, text FROM people_address WHERE {where}", params, prepared=True))
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
    for pk, given_names, family_name, born, alias in fetch(
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


def lookup(q: Query, policy: Policy) -> Context:
    """The context panel for what the handler has typed so far. Matching takes a query or two for each of
    phone, place and name; then every list of the panel is read at once (fetch_all)."""
    ctx = Context()
    if q.empty:
        return ctx
    now = clock.now()
    today = clock.local(now).date()
    limit = int(policy["context_list_limit"])
    phone, users = panel.phone_and_users(q.phone, PERSON_MATCHES) if q.phone.strip() else (None, [])
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
        for person in panel.residents([a for a, _ in addresses], PERSON_MATCHES):
            add_person(person, "lives at this address")
    elif people:
        firsts = [p.pk for p, _, _ in people[:PERSON_MATCHES]]
        homes = panel.homes(firsts)
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
    reads = {"history": panel.history_read(terms, limit, limit * 3), "counted": panel.distinct_count(terms),
             "markers": panel.markers(person_ids, address_ids, phone_ids, now, today, limit),
             "schemes": panel.schemes(phone_ids, address_ids, person_ids, now, limit, policy),
             "flags": panel.flags(phone_ids, address_ids, person_ids, now, policy)}
    if person_ids or address_ids:
        reads["orders"] = panel.orders(person_ids, address_ids, today, limit)
        reads["firearms"] = panel.firearms(address_ids, person_ids, today, limit)
    if person_ids:
        reads["linked"] = panel.linked(person_ids, today, limit)
    got = dict(zip(reads, fetch_all(list(reads.values())), strict=True))
    ctx.history, ctx.history_total = panel.history(terms, limit, got["history"], got["counted"])
    ctx.markers = got["markers"]
    ctx.schemes, ctx.grade_floor = got["schemes"]
    ctx.orders = got.get("orders", [])
    ctx.firearms = got.get("firearms", [])
    ctx.linked = got.get("linked", [])
    ctx.flags = got["flags"]
    return ctx
