"""C1: everything known about a phone, an address or a name, at the moment a handler types it.

Newest first, with no fixed look-back horizon, and bounded work however long the history: each list is
read from an index newest-first with a LIMIT, and the rest is counted, not loaded. Matching is exact on
normalised keys first (E.164 phones, address keys), then fuzzy (sound keys for names, street keys for
addresses) ranked with rapidfuzz.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q

from watchkeeper.core import clock
from watchkeeper.core.policy import Policy
from watchkeeper.people import rules
from watchkeeper.people.models import (
    Address,
    Alias,
    FirearmsCertificate,
    LogParty,
    Marker,
    Order,
    Person,
    Phone,
    Relationship,
    Residence,
    SpecialScheme,
)

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
def match_phone(raw: str) -> Phone | None:
    e164 = rules.try_phone(raw)
    return Phone.objects.filter(e164=e164).first() if e164 else None


def match_addresses(raw: str) -> list[tuple[Address, float]]:
    """Every held address that is this place: the same normalised key; the same flat, number and street
    held with or without a postcode; then the same building on a similarly written street. Never stops at
    the first exact match, because one place written twice (with and without its postcode) is two rows and
    a missed row is a missed history (C1)."""
    if len(raw.strip()) < 4:
        return []
    k = rules.address_key(raw)
    if not k.street_key:
        return []
    found: dict[int, tuple[Address, float]] = {}
    for a in Address.objects.filter(key=k.key):
        found[a.pk] = (a, 100.0)
    same_place = f"{k.flat}|{k.number}|{k.street_key}|"
    for a in Address.objects.filter(key__startswith=same_place).order_by("-id")[:FUZZY_CANDIDATES]:
        if a.pk not in found and rules.address_score(raw, a.text) >= 100:
            found[a.pk] = (a, 99.0)
    if k.postcode:
        qs = Address.objects.filter(postcode=k.postcode)
    else:
        first_word = k.street_key.split(" ")[0]
        qs = Address.objects.filter(street_key__startswith=first_word[:3])
    for a in qs.order_by("-id")[:FUZZY_CANDIDATES]:
        if a.pk in found:
            continue
        score = rules.address_score(raw, a.text)
        if score >= 85:
            found[a.pk] = (a, score)
    ranked = sorted(found.values(), key=lambda x: (-x[1], -x[0].pk))
    return ranked[:ADDRESS_MATCHES]


def match_people(raw: str, dob: date | None) -> list[tuple[Person, float]]:
    """Sound keys find spelling variants ("Jon Smyth" for "John Smith"); rapidfuzz ranks them; a matching
    date of birth ranks first."""
    given, family = rules.split_name(raw)
    if len(rules.fold_name(family)) < 2:
        return []
    key = rules.sound_key(given, family)
    family_part = key.split("|")[0] + "|"
    if given:
        ids = set(Person.objects.filter(sound_key=key).values_list("pk", flat=True)[:FUZZY_CANDIDATES])
        ids |= set(Alias.objects.filter(sound_key=key).values_list("person_id", flat=True)[:FUZZY_CANDIDATES])
    else:
        ids = set(Person.objects.filter(sound_key__gte=family_part, sound_key__lt=family_part + "\uffff")
                  .values_list("pk", flat=True)[:FUZZY_CANDIDATES])
    people = Person.objects.filter(pk__in=ids).prefetch_related("aliases")
    scored: list[tuple[Person, float]] = []
    for p in people:
        if given:
            names = [p.name, *[a.name for a in p.aliases.all()]]
        else:  # a family name alone is compared with family names
            names = [p.family_name, *[rules.split_name(a.name)[1] for a in p.aliases.all()]]
        score = max(rules.name_score(raw, n) for n in names)
        if dob is not None and p.dob == dob:
            score += 10
        if score >= 75:
            scored.append((p, score))
    scored.sort(key=lambda x: (-x[1], -x[0].pk))
    return scored[:PERSON_MATCHES]


# ------------------------------------------------------------------------------------------- gathering
def _history(parties: Q, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Previous logs and contacts on every channel (a message to an officer has a contact but no log),
    newest first, one line each however many of the matched phones, places and people were on it. The
    newest `limit` are loaded; the rest are counted, not loaded."""
    qs = LogParty.objects.filter(parties)
    seen: set[tuple[int | None, int | None]] = set()
    out: list[dict[str, Any]] = []
    offset, batch = 0, limit * 3
    while len(out) < limit:
        rows = list(qs.select_related("log", "contact__addressed_to", "person", "phone", "address")
                    .order_by("-at", "-id")[offset:offset + batch])
        for r in rows:
            key = (r.log_id, None) if r.log_id else (None, r.contact_id)
            if key in seen:
                continue
            seen.add(key)
            out.append(_history_line(r))
            if len(out) == limit:
                break
        if len(rows) < batch:
            break
        offset += batch
    total = len(out) if len(out) < limit else _distinct_count(qs)
    return out, total


def _distinct_count(qs: Any) -> int:
    """How many logs, and messages without a log, the matched parties were on."""
    logs = qs.filter(log__isnull=False).values("log_id").distinct().count()
    messages = qs.filter(log__isnull=True, contact__isnull=False).values("contact_id").distinct().count()
    return int(logs + messages)


def _history_line(r: LogParty) -> dict[str, Any]:
    contact = r.contact
    return {
        "at": r.at.isoformat(),
        "role": r.role,
        "log": r.log.reference if r.log else None,
        "summary": r.log.summary if r.log else (contact.account[:140] if contact else ""),
        "status": r.log.status if r.log else "message",
        "outcome": r.log.closing_code if r.log else "",
        "category": r.log.category if r.log else "",
        "flags": list(r.log.flags) if r.log else [],
        "channel": contact.get_channel_display() if contact else "",
        "addressed_to": (contact.addressed_to.display if contact and contact.addressed_to_id else ""),
        "handled": bool(contact.handled_at) if contact and not r.log else None,
        "via": r.phone.e164 if r.phone else (r.address.text if r.address else (r.person.name if r.person else "")),
    }


def _marker(m: Marker, now_day: date) -> dict[str, Any]:
    on = m.person.name if m.person else (m.address.text if m.address else (m.phone.e164 if m.phone else ""))
    return {"id": m.pk, "kind": m.kind, "label": m.get_kind_display(), "on": on, "source": m.source,
            "active": m.ended_at is None, "review_at": m.review_at.isoformat(),
            "review_overdue": m.ended_at is None and m.review_at < now_day, "note": m.note}


def _scheme(s: SpecialScheme, now: Any) -> dict[str, Any]:
    state = ("removed" if s.removed_at else "active" if s.starts_at <= now < s.ends_at else
             "expired" if now >= s.ends_at else "future")
    return {"id": s.pk, "victim": s.victim.name, "state": state, "floor": s.grade_floor,
            "ends_at": s.ends_at.isoformat(), "on": s.address.text if s.address else (s.phone.e164 if s.phone else ""),
            "officer": s.officer.display, "removed_reason": s.removal_reason}


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
    people: list[tuple[Person, float, str]] = [(p, s, "name") for p, s in found]

    def add_person(person: Person, why: str) -> None:
        if all(person.pk != p.pk for p, _, _ in people):
            people.append((person, 100.0, why))

    if phone is not None:
        for use in phone.users.select_related("person").order_by("-created_at")[:PERSON_MATCHES]:
            add_person(use.person, "uses this phone")
    for address, _ in addresses:
        for res in (Residence.objects.filter(address=address, current=True).select_related("person")
                    .order_by("-created_at")[:PERSON_MATCHES]):
            add_person(res.person, "lives at this address")
    if not addresses:
        for person, _, _ in list(people[:PERSON_MATCHES]):
            res = Residence.objects.filter(person=person, current=True).select_related("address").first()
            if res is not None and all(res.address_id != a.pk for a, _ in addresses):
                addresses.append((res.address, 100.0))
    phone_ids = [phone.pk] if phone else []
    address_ids = [a.pk for a, _ in addresses]
    person_ids = [p.pk for p, _, _ in people]

    ctx.phones = [{"id": phone.pk, "e164": phone.e164}] if phone else []
    ctx.addresses = [{"id": a.pk, "text": a.text, "score": round(s)} for a, s in addresses]
    ctx.people = [{"id": p.pk, "name": p.name, "dob": p.dob.isoformat() if p.dob else None, "score": round(s),
                   "age": rules.age_on(p.dob, None, today), "why": why} for p, s, why in people]

    parties = Q(pk__in=[])
    if phone_ids:
        parties |= Q(phone_id__in=phone_ids)
    if address_ids:
        parties |= Q(address_id__in=address_ids)
    if person_ids:
        parties |= Q(person_id__in=person_ids)
    ctx.history, ctx.history_total = _history(parties, limit)

    marks = Marker.objects.filter(
        Q(person_id__in=person_ids) | Q(address_id__in=address_ids) | Q(phone_id__in=phone_ids)
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=now - timedelta(days=365)))
    # Active markers first (an ended one never crowds out a live warning), newest first within each.
    ctx.markers = [_marker(m, today) for m in marks.select_related("person", "address", "phone")
                   .order_by(F("ended_at").asc(nulls_first=True), "-created_at", "-id")[: limit * 2]]

    schemes = list(SpecialScheme.objects.filter(
        Q(phone_id__in=phone_ids) | Q(address_id__in=address_ids) | Q(victim_id__in=person_ids)
    ).select_related("victim", "address", "phone", "officer").order_by("-ends_at")[:limit])
    ctx.schemes = [_scheme(s, now) for s in schemes]
    # D5: the floor applies to a call from a phone or place under an active scheme (not merely a person).
    ctx.grade_floor = rules.grade_floor(
        [s.grade_floor for s in schemes if rules.scheme_active(s.starts_at, s.ends_at, s.removed_at, now)
         and (s.phone_id in phone_ids or s.address_id in address_ids)], policy)

    orders = Order.objects.filter(
        Q(restricted_id__in=person_ids) | Q(protected_people__in=person_ids) | Q(protected_addresses__in=address_ids)
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).distinct().select_related("restricted")
    ctx.orders = [{"id": o.pk, "kind": o.get_kind_display(), "restricted": o.restricted.name,
                   "conditions": o.conditions, "ends_on": o.ends_on.isoformat() if o.ends_on else None}
                  for o in orders.order_by("-starts_on")[:limit]]

    rels = Relationship.objects.filter(
        Q(person_id__in=person_ids) | Q(other_id__in=person_ids), ended_at__isnull=True
    ).select_related("person", "other")[:limit]
    for r in rels:
        other = r.other if r.person_id in person_ids else r.person
        their = Marker.objects.filter(person=other, ended_at__isnull=True).order_by("-created_at")[:limit]
        ctx.linked.append({"id": other.pk, "name": other.name, "relationship": r.get_kind_display(),
                           "markers": [_marker(m, today) for m in their.select_related("person")]})

    certs = FirearmsCertificate.objects.filter(
        Q(address_id__in=address_ids) | Q(holder_id__in=person_ids), expires_on__gte=today
    ).select_related("holder", "address")[:limit]
    ctx.firearms = [{"holder": c.holder.name, "address": c.address.text, "number": c.number,
                     "expires_on": c.expires_on.isoformat()} for c in certs]

    ctx.flags = _flags(phone_ids, address_ids, person_ids, now, policy)
    return ctx


def _flags(phone_ids: list[int], address_ids: list[int], person_ids: list[int], now: Any,
           policy: Policy) -> list[dict[str, Any]]:
    """C1: repeat caller, repeat address, repeat victim, each counted over its configured window."""
    windows = policy["repeat_windows"]
    checks = [
        ("repeat_caller", "Repeat caller", Q(phone_id__in=phone_ids, role="caller"), bool(phone_ids)),
        ("repeat_address", "Repeat address", Q(address_id__in=address_ids), bool(address_ids)),
        ("repeat_victim", "Repeat victim", Q(person_id__in=person_ids, role="victim"), bool(person_ids)),
    ]
    flags = []
    for code, label, where, applies in checks:
        if not applies:
            continue
        rule = windows[code]
        since = now - timedelta(days=int(rule["days"]))
        n = LogParty.objects.filter(where, at__gte=since).values("log_id").distinct().count()
        if n >= int(rule["at_least"]):
            flags.append({"code": code, "label": label, "count": n, "days": int(rule["days"])})
    return flags
