"""A log's officer-safety summary (L12, C1, M1, M3, M4): one computation, shown the same everywhere a
decision is made about the log (its header, the dispatch and command boards, the crew's unit page and the
circulation given to units).

It is computed from the people, addresses and phones on the log (and on logs merged into it), the people
linked to those people (a partner or ex-partner, family, a parent or child, an associate; anyone living at
the log's addresses; anyone using its phones), and what is held on all of them: markers in force, orders in
force (restricting or protecting), special schemes in force (one past its end date that nobody decided is
still in force, "review overdue"), and unexpired firearms certificates held by one of them or kept at one of
the addresses. "None recorded" is true only when nothing is held on any of them.

`gather` reads the database in a fixed number of queries whatever the number of logs (a board reads every
row's summary at once); `compose` is the pure rule that turns what was read into badges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from watchkeeper.people.rules import scheme_state

# The badge groups (shape and colour on the page; each badge also carries its words): risk to officers
# first, then orders, schemes, and needs for care.
GROUPS = {
    "firearms": "risk", "firearms_certificate": "risk", "weapons": "risk", "violence": "risk",
    "domestic_abuse_perpetrator": "risk", "registered_offender": "risk",
    "order": "order", "special_scheme": "scheme",
    "domestic_abuse_victim": "care", "vulnerability": "care", "mental_health": "care", "child_protection": "care",
}
GROUP_ORDER = {"risk": 0, "order": 1, "scheme": 2, "care": 3}
SHAPES = {"risk": "▲", "order": "●", "scheme": "■", "care": "◆"}  # the marker badges' shapes, per group
KIND_ORDER = ["firearms_certificate", "firearms", "weapons", "violence", "domestic_abuse_perpetrator",
              "registered_offender", "order", "special_scheme", "child_protection", "domestic_abuse_victim",
              "vulnerability", "mental_health"]
RELATION_WORDS = {"partner": "partner", "ex_partner": "ex-partner", "family": "family member",
                  "associate": "associate"}
ROLE_WORDS = {"location": "location", "caller": "caller", "victim": "victim", "suspect": "suspect",
              "subject": "subject", "witness": "witness", "mentioned": "mentioned"}


# ----------------------------------------------------------------------------------- plain facts
@dataclass(frozen=True)
class Subject:
    """Someone or somewhere the summary looks at, and how they come to be on the log."""

    kind: str  # person, address, phone
    id: int
    name: str
    how: str = ""  # "caller", "ex-partner of caller Jane Moore", "lives at 3 Mill Lane"

    @property
    def described(self) -> str:
        return f"{self.name} ({self.how})" if self.how else self.name


@dataclass(frozen=True)
class MarkerFact:
    kind: str
    label: str
    on: tuple[str, int]
    note: str = ""


@dataclass(frozen=True)
class OrderFact:
    id: int
    label: str
    restricted: int
    restricted_name: str
    protected_people: tuple[tuple[int, str], ...]
    protected_addresses: tuple[tuple[int, str], ...]
    ends_on: date | None
    conditions: str = ""
    activities: tuple[str, ...] = ()  # restricted activities, as written ("no unsupervised internet use")


@dataclass(frozen=True)
class SchemeFact:
    id: int
    victim: int
    victim_name: str
    address: int | None
    address_text: str
    phone: int | None
    phone_text: str
    floor: str
    ends_at: datetime
    overdue: bool


@dataclass(frozen=True)
class CertificateFact:
    id: int
    holder: int
    holder_name: str
    address: int
    address_text: str
    number: str
    expires_on: date


@dataclass
class Facts:
    """What was read for one log: its subjects and what is held on any of them."""

    subjects: list[Subject] = field(default_factory=list)
    markers: list[MarkerFact] = field(default_factory=list)
    orders: list[OrderFact] = field(default_factory=list)
    schemes: list[SchemeFact] = field(default_factory=list)
    certificates: list[CertificateFact] = field(default_factory=list)


# ----------------------------------------------------------------------------------- the rule
def compose(facts: Facts, floor_label: Any = None) -> dict[str, Any]:
    """L12, C1, M1, M3, M4: the officer-safety summary of one log from plain facts: one badge for each thing
    held (a marker in force, an order in force, a special scheme in force, an unexpired firearms
    certificate) on any person, address or phone on the log or linked to it, saying what, on whom, how they
    come to be on the log, and where. `none_recorded` is true only when there are no badges at all."""
    label = floor_label or (lambda code: code)
    by_key: dict[tuple[str, int], Subject] = {}
    for s in facts.subjects:
        by_key.setdefault((s.kind, s.id), s)  # the first way a subject came onto the log describes it
    badges: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, label_: str, text: str, whom: str, where: str, key: str, subject: str) -> None:
        if (kind, key) in seen:
            return
        seen.add((kind, key))
        group = GROUPS.get(kind, "care")
        badges.append({"kind": kind, "group": group, "shape": SHAPES[group], "label": label_, "subject": subject,
                       "text": text, "whom": whom, "where": where})

    for c in sorted(facts.certificates, key=lambda c: c.id):
        holder = by_key.get(("person", c.holder))
        whom = holder.described if holder else c.holder_name
        add("firearms_certificate", "Firearms certificate",
            f"Firearms — {whom} holds certificate {c.number} at {c.address_text} (until {c.expires_on:%d/%m/%Y})",
            whom, c.address_text, f"person:{c.holder}", c.holder_name)
        seen.add(("firearms_certificate", f"address:{c.address}"))  # its marker on the address: the same fact
    for m in facts.markers:
        subject = by_key.get(m.on)
        if subject is None:
            continue
        text = f"{m.label} — {subject.described}" + (f": {m.note}" if m.note else "")
        add(m.kind, m.label, text, subject.described if subject.kind == "person" else "",
            subject.name if subject.kind != "person" else "", f"{m.on[0]}:{m.on[1]}", subject.name)
    for o in sorted(facts.orders, key=lambda o: o.id):
        until = f" until {o.ends_on:%d/%m/%Y}" if o.ends_on else ""
        restricted = by_key.get(("person", o.restricted))
        protecting = ", ".join([n for _, n in o.protected_people] + [t for _, t in o.protected_addresses])
        if restricted is not None:
            text = (f"Order — {restricted.described} is restricted by a {o.label.lower()}{until}"
                    + (f", protecting {protecting}" if protecting else "")
                    + (f": {o.conditions}" if o.conditions else ""))
            whom = restricted.described
        else:
            on_log = [by_key[("person", p)].described for p, _ in o.protected_people if ("person", p) in by_key]
            on_log += [by_key[("address", a)].described for a, _ in o.protected_addresses
                       if ("address", a) in by_key]
            whom = ", ".join(on_log) or protecting
            text = (f"Order — {whom} protected by a {o.label.lower()}{until} restricting {o.restricted_name}"
                    + (f": {o.conditions}" if o.conditions else ""))
        if o.activities:
            text += f" (restricted: {'; '.join(o.activities)})"
        add("order", o.label, text, whom, ", ".join(t for _, t in o.protected_addresses), f"order:{o.id}",
            o.restricted_name)
    for sc in sorted(facts.schemes, key=lambda sc: sc.id):
        where = sc.address_text or sc.phone_text or sc.victim_name
        state = " — REVIEW OVERDUE (still in force)" if sc.overdue else ""
        text = (f"Special scheme — {where} (victim {sc.victim_name}); calls graded no lower than "
                f"{label(sc.floor)}{state}")
        add("special_scheme", "Special scheme" + (" (review overdue)" if sc.overdue else ""), text,
            sc.victim_name, where, f"scheme:{sc.id}", where)
    kinds = {k: i for i, k in enumerate(KIND_ORDER)}
    badges.sort(key=lambda b: (GROUP_ORDER.get(b["group"], 9), kinds.get(b["kind"], 99)))
    counts = {k: len({s.id for s in facts.subjects if s.kind == k}) for k in ("person", "address", "phone")}
    return {"badges": badges, "none_recorded": not badges,
            "checked": {"people": counts["person"], "addresses": counts["address"], "phones": counts["phone"]}}


def relation_words(kind: str, linked_is_parent: bool | None = None) -> str:
    """How a linked person relates to a party, in words ("ex-partner", "parent", "child")."""
    if kind == "parent":
        return "parent" if linked_is_parent else "child"
    return RELATION_WORDS.get(kind, kind.replace("_", " "))


def scheme_in_force(removed_at: datetime | None, starts_at: datetime, ends_at: datetime,
                    now: datetime) -> tuple[bool, bool]:
    """M2: (in force, review overdue). A scheme is in force from its start until someone removes it; one
    past its end date that nobody decided is still in force, its review overdue: protection never lapses
    silently."""
    state = scheme_state(starts_at, ends_at, removed_at, now)
    return state in ("active", "review_overdue"), state == "review_overdue"


# ------------------------------------------------------------------------------------ reading
def _families(log_ids: Iterable[int]) -> dict[int, int]:
    """Each log and every log merged into it (at any depth) -> the log asked about."""
    from watchkeeper.core.uow import new_pks
    from watchkeeper.incidents.models import Log

    root = {pk: pk for pk in log_ids}
    fresh = new_pks(Log)  # nothing is merged into a log raised in this unit of work
    frontier = [pk for pk in root if pk not in fresh]
    while frontier:
        children = list(Log.objects.filter(merged_into_id__in=frontier).values_list("pk", "merged_into_id"))
        frontier = []
        for child, parent in children:
            if child not in root:
                root[child] = root[parent]
                frontier.append(child)
    return root


def gather(log_ids: Iterable[int], now: datetime, today: date) -> dict[int, Facts]:
    """The facts of each log, read together: a fixed number of queries for any number of logs."""
    from django.db.models import Q

    from watchkeeper.people.models import (
        FirearmsCertificate,
        LogParty,
        Marker,
        Order,
        PhoneUse,
        Relationship,
        Residence,
        SpecialScheme,
    )

    ids = list(dict.fromkeys(log_ids))
    facts: dict[int, Facts] = {pk: Facts() for pk in ids}
    if not ids:
        return facts
    root = _families(ids)
    people: dict[int, set[int]] = defaultdict(set)
    places: dict[int, set[int]] = defaultdict(set)
    phones: dict[int, set[int]] = defaultdict(set)
    party_people: dict[int, list[tuple[int, str, str]]] = defaultdict(list)  # log -> (person, name, role)
    from watchkeeper.core.uow import created_any, kept, new_pks
    from watchkeeper.people.models import Address, Person, Phone
    from watchkeeper.people.parties import KEY

    held = [kept((KEY, pk)) for pk in root]
    if all(h is not None for h in held):  # every log's parties were read in this unit of work already
        parties: Iterable[LogParty] = sorted((p for h in held for p in h or ()), key=lambda p: (p.at, p.pk))
    else:
        parties = (LogParty.objects.filter(log_id__in=list(root)).select_related("person", "address", "phone")
                   .order_by("at", "id"))
    for p in parties:
        assert p.log_id is not None  # read by log above
        log = root[p.log_id]
        role = ROLE_WORDS.get(p.role, p.role)
        if p.person_id and p.person:  # the related rows came with the party (select_related): no query
            facts[log].subjects.append(Subject("person", p.person_id, p.person.name, role))
            people[log].add(p.person_id)
            party_people[log].append((p.person_id, p.person.name, role))
        if p.address_id and p.address:
            facts[log].subjects.append(Subject("address", p.address_id, p.address.text, role))
            places[log].add(p.address_id)
        if p.phone_id and p.phone:
            facts[log].subjects.append(Subject("phone", p.phone_id, p.phone.e164, role))
            phones[log].add(p.phone_id)
    all_people = set().union(*people.values()) if people else set()
    all_places = set().union(*places.values()) if places else set()
    all_phones = set().union(*phones.values()) if phones else set()
    # A person, place or phone first recorded in this unit of work (a number never seen before) has nothing
    # linked to it unless something that links was created in it too: it is not looked up.
    if created_any(PhoneUse, Residence, Relationship, Marker, Order, Order.protected_people.through,
                   Order.protected_addresses.through, SpecialScheme, FirearmsCertificate):
        fresh_people: set[Any] = set()
        fresh_places: set[Any] = set()
        fresh_phones: set[Any] = set()
    else:
        fresh_people, fresh_places, fresh_phones = new_pks(Person), new_pks(Address), new_pks(Phone)
    all_places -= fresh_places
    all_phones -= fresh_phones

    # People linked to the parties: relationships, residents of the log's addresses, users of its phones.
    linked: dict[int, list[Subject]] = defaultdict(list)
    if all_people - fresh_people:
        rels = (Relationship.objects.filter(Q(person_id__in=all_people) | Q(other_id__in=all_people),
                                            ended_at__isnull=True).select_related("person", "other"))
        for r in rels:
            for log, members in party_people.items():
                for pid, pname, role in members:
                    if r.person_id == pid and r.other_id != pid:
                        words = relation_words(r.kind, linked_is_parent=False)
                        linked[log].append(Subject("person", r.other_id, r.other.name, f"{words} of {role} {pname}"))
                    elif r.other_id == pid and r.person_id != pid:
                        words = relation_words(r.kind, linked_is_parent=True)
                        linked[log].append(Subject("person", r.person_id, r.person.name,
                                                   f"{words} of {role} {pname}"))
    if all_places:
        for res in Residence.objects.filter(address_id__in=all_places, current=True).select_related("person",
                                                                                                    "address"):
            for log, where in places.items():
                if res.address_id in where:
                    linked[log].append(Subject("person", res.person_id, res.person.name,
                                               f"lives at {res.address.text}"))
    if all_phones:
        for use in PhoneUse.objects.filter(phone_id__in=all_phones).select_related("person", "phone"):
            for log, nums in phones.items():
                if use.phone_id in nums:
                    linked[log].append(Subject("person", use.person_id, use.person.name,
                                               f"uses {use.phone.e164}"))
    for log, subjects in linked.items():
        facts[log].subjects.extend(subjects)
        people[log].update(s.id for s in subjects)
    all_people = (set().union(*people.values()) if people else set()) - fresh_people
    if not (all_people or all_places or all_phones):
        return facts

    def owners(kind: str, pk: int | None) -> list[int]:
        if pk is None:
            return []
        index = {"person": people, "address": places, "phone": phones}[kind]
        return [log for log, held in index.items() if pk in held]

    on = Q(person_id__in=all_people) | Q(address_id__in=all_places) | Q(phone_id__in=all_phones)
    for m in Marker.objects.filter(on, ended_at__isnull=True).order_by("created_at", "id"):
        fact_on: tuple[str, int]
        if m.person_id:
            fact_on = ("person", m.person_id)
        elif m.address_id:
            fact_on = ("address", m.address_id)
        elif m.phone_id:
            fact_on = ("phone", m.phone_id)
        else:  # a vehicle's marker: the query above reads only people, places and phones
            continue
        for log in owners(*fact_on):
            facts[log].markers.append(MarkerFact(m.kind, m.get_kind_display(), fact_on, m.note))

    orders = (Order.objects.filter(Q(restricted_id__in=all_people) | Q(protected_people__in=all_people)
                                   | Q(protected_addresses__in=all_places), starts_on__lte=today)
              .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).distinct()
              .select_related("restricted").prefetch_related("protected_people", "protected_addresses")
              if all_people or all_places else Order.objects.none())
    for o in orders:
        prot_people = tuple((p.pk, p.name) for p in o.protected_people.all())
        prot_places = tuple((a.pk, a.text) for a in o.protected_addresses.all())
        fact = OrderFact(o.pk, o.get_kind_display(), o.restricted_id, o.restricted.name, prot_people, prot_places,
                         o.ends_on, o.conditions, tuple(getattr(o, "activities", None) or ()))
        logs = set(owners("person", o.restricted_id))
        for pk, _ in prot_people:
            logs.update(owners("person", pk))
        for pk, _ in prot_places:
            logs.update(owners("address", pk))
        for log in logs:
            facts[log].orders.append(fact)

    schemes = (SpecialScheme.objects.filter(Q(victim_id__in=all_people) | Q(address_id__in=all_places)
                                            | Q(phone_id__in=all_phones), removed_at__isnull=True,
                                            starts_at__lte=now)
               .select_related("victim", "address", "phone"))
    for s in schemes:
        in_force, overdue = scheme_in_force(s.removed_at, s.starts_at, s.ends_at, now)
        if not in_force:
            continue
        scheme = SchemeFact(s.pk, s.victim_id, s.victim.name, s.address_id, s.address.text if s.address else "",
                            s.phone_id, s.phone.e164 if s.phone else "", s.grade_floor, s.ends_at, overdue)
        logs = set(owners("person", s.victim_id)) | set(owners("address", s.address_id)) | set(
            owners("phone", s.phone_id))
        for log in logs:
            facts[log].schemes.append(scheme)

    certs = (FirearmsCertificate.objects.filter(Q(holder_id__in=all_people) | Q(address_id__in=all_places),
                                                expires_on__gte=today).select_related("holder", "address")
             if all_people or all_places else FirearmsCertificate.objects.none())
    for c in certs:
        certificate = CertificateFact(c.pk, c.holder_id, c.holder.name, c.address_id, c.address.text, c.number,
                                      c.expires_on)
        for log in set(owners("person", c.holder_id)) | set(owners("address", c.address_id)):
            facts[log].certificates.append(certificate)
    return facts


def summaries(log_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The officer-safety summary of each log (by id), read together."""
    from watchkeeper.core import clock
    from watchkeeper.core.config import current_policy

    policy = current_policy()
    now = clock.now()
    gathered = gather(log_ids, now, clock.local(now).date())
    return {pk: compose(f, policy.grade_label) for pk, f in gathered.items()}


def summary(log: Any) -> dict[str, Any]:
    """The officer-safety summary of one log."""
    return summaries([log.pk])[log.pk]


def log_details(log: Any) -> dict[str, Any]:
    """What a log view shows: its officer-safety summary (the log page's header and the log's JSON)."""
    return {"risk_summary": summary(log)}


# ------------------------------------------------------------------------ what feeds which open logs
def open_logs_fed_by(people: Iterable[int | None] = (), addresses: Iterable[int | None] = (),
                     phones: Iterable[int | None] = (), *, linked: bool = True, limit: int) -> list[int]:
    """The open logs whose summary these people, addresses or phones feed, newest first, at most `limit`: the
    reverse of `gather`. An address or a phone feeds a log it is on. A person feeds a log they are on and,
    with `linked`, one they are linked to: related (a relationship not ended) to a person on it, living now at
    an address on it, or using a phone on it. (Without `linked`, only the logs the people are on: a new
    relationship links each person to the logs the other is on, not to the logs the other is linked to.)
    Being on a log merged into an open one feeds the open one. A fixed number of queries (three for the
    links, one for the open logs, one for merged ones) plus one per level of merge above them. A None among
    the keys (a marker or a scheme not on that kind of thing) is skipped."""
    from django.db.models import Q

    from watchkeeper.incidents.models import Log
    from watchkeeper.people.models import LogParty, PhoneUse, Relationship, Residence

    who = {pk for pk in people if pk is not None}
    where = {pk for pk in addresses if pk is not None}
    numbers = {pk for pk in phones if pk is not None}
    if who and linked:
        asked = set(who)
        for a, b in Relationship.objects.filter(Q(person_id__in=asked) | Q(other_id__in=asked),
                                                ended_at__isnull=True).values_list("person_id", "other_id"):
            who.update((a, b))
        where.update(Residence.objects.filter(person_id__in=asked, current=True).values_list("address_id", flat=True))
        numbers.update(PhoneUse.objects.filter(person_id__in=asked).values_list("phone_id", flat=True))
    on = [Q(**{f"{key}_id__in": ids}) for key, ids in (("person", who), ("address", where), ("phone", numbers)) if ids]
    if not on or limit <= 0:
        return []
    q = on[0]
    for more in on[1:]:
        q |= more
    parties = LogParty.objects.filter(q).values("log_id")
    found = set(Log.objects.filter(pk__in=parties, status="open").order_by("-pk").values_list("pk", flat=True)[:limit])
    up = set(Log.objects.filter(pk__in=parties, status="merged").order_by("-pk")
             .values_list("merged_into_id", flat=True)[:limit])
    seen: set[int] = set()
    while up - seen:  # a merged log's summary is its survivor's; survivors may themselves have been merged
        step = up - seen
        seen |= step
        up = set()
        for pk, status, into in Log.objects.filter(pk__in=step).values_list("pk", "status", "merged_into_id"):
            if status == "open":
                found.add(pk)
            elif status == "merged" and into is not None:
                up.add(into)
    return sorted(found, reverse=True)[:limit]


def risk_changed(people: Iterable[int | None] = (), addresses: Iterable[int | None] = (),
                 phones: Iterable[int | None] = (), *, linked: bool = True) -> list[int]:
    """L12: something held on these people, addresses or phones changed (a marker added or ended, an order, a
    certificate, a special scheme, a relationship, a residence, a phone's user). Called by the action that
    changed it, inside its unit of work, so the announcements commit with the change: the open logs they
    feed (`open_logs_fed_by`), at most the policy's `risk_republish_max_logs` (the newest), are announced on
    each log's topic (`log.changed`, so an open log page shows its header again) and to `RISK_CHANGED` (the
    boards show their rows again). Logs beyond the cap are not announced; their summary is computed whenever
    it is read, so each is right on the next reload or the next change to the log. Returns the logs
    announced."""
    from watchkeeper.core.config import current_policy
    from watchkeeper.incidents import hooks
    from watchkeeper.incidents.models import Log
    from watchkeeper.realtime.publish import publish_many

    limit = int(current_policy()["risk_republish_max_logs"])
    ids = open_logs_fed_by(people, addresses, phones, linked=linked, limit=limit)
    if not ids:
        return []
    refs = dict(Log.objects.filter(pk__in=ids).values_list("pk", "reference"))
    publish_many([(f"log:{pk}", "log.changed", {"reference": refs[pk], "risk_summary": "changed"}, pk, None)
                  for pk in ids])
    hooks.run(hooks.RISK_CHANGED, ids)
    return ids
