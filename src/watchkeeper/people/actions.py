"""Use cases of the nominal index, markers, schemes, orders, checks and prompts: one function each, in the
house pattern (permission, unit of work, rules, change, one audit record, events)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q

from watchkeeper.audit import writer as audit
from watchkeeper.audit.group import views as audit_views
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.uow import created_any, is_new, mark_new, unit_of_work
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Log, Task
from watchkeeper.people import rules
from watchkeeper.people.models import (
    ROLES,
    Address,
    Alias,
    Check,
    FirearmsCertificate,
    LogParty,
    Marker,
    Order,
    Person,
    Phone,
    PhoneUse,
    Prompt,
    Relationship,
    Residence,
    SpecialScheme,
    Vehicle,
    VictimContact,
)
from watchkeeper.people.sql import aware, db_when, fetch, starts_with_q
from watchkeeper.realtime.publish import publish
from watchkeeper.staff.models import User

ROLE_CODES = [r for r, _ in ROLES]


# ---------------------------------------------------------------------------------- identifiers
def phone_for(raw: str) -> Phone | None:
    """The Phone for a number as typed, created on first sight; None when it is not a phone number."""
    e164 = rules.try_phone(raw)
    if e164 is None:
        return None
    # One statement for a number seen before, two for a new one (no savepoint: a concurrent first sight of
    # the same number inserts nothing here and is read back).
    held = fetch("SELECT id, created_at FROM people_phone WHERE e164 = %s", [e164], prepared=True)
    if not held:
        now = clock.now()
        made = fetch("INSERT INTO people_phone (e164, created_at) VALUES (%s, %s) ON CONFLICT (e164) DO NOTHING"
                     " RETURNING id", [e164, db_when(now)])
        if made:
            phone = Phone.from_db("default", ["id", "e164", "created_at"], [made[0][0], e164, now])
            mark_new(phone)
            return phone
        held = fetch("SELECT id, created_at FROM people_phone WHERE e164 = %s", [e164], prepared=True)
    return Phone.from_db("default", ["id", "e164", "created_at"], [held[0][0], e164, aware(held[0][1])])


def address_for(text: str) -> Address | None:
    """The Address for a place as typed, created on first sight. The same place written another way is the
    same record: the same normalised key; else the same flat, number and street held with or without a
    postcode; else, in the same postcode, the same flat and number on a street written with or without its
    town. One place as two records would split its history, its schemes (D5) and its orders (M3)."""
    text = " ".join(text.split())
    if not text:
        return None
    k = rules.address_key(text)
    if not k.street_key and not k.postcode:
        return None
    same = Address.objects.filter(key=k.key).first() or _same_place(k)
    if same is not None:
        return same
    return Address.objects.get_or_create(
        key=k.key, defaults={"text": text, "street_key": k.street_key, "postcode": k.postcode,
                             "created_at": clock.now()})[0]


def _same_place(k: rules.AddressKey) -> Address | None:
    if not k.street_key:
        return None
    # The key's prefix up to the postcode, matched as an index range on SQLite (a LIKE there scans every
    # address: 31-41 ms per raise at 300,000 addresses).
    same_street = starts_with_q("key", f"{k.flat}|{k.number}|{k.street_key}|")
    if k.postcode:
        candidates = Address.objects.filter(Q(postcode=k.postcode) | (Q(postcode="") & same_street))
    else:
        candidates = Address.objects.filter(same_street)
    best: tuple[float, Address] | None = None
    for a in candidates.order_by("id")[:400]:
        held = rules.AddressKey.stored(a.key)  # scored on the key it was held under, not its text parsed again
        if (held.flat, held.number) != (k.flat, k.number):
            continue
        score = rules.key_score(k, held)
        if score >= 90 and (best is None or score > best[0]):
            best = (score, a)
    return best[1] if best else None


def _phone_in(raw: str, field: str = "phone") -> Phone | None:
    """A phone given as input: None when none was given; refused (not silently dropped) when what was given
    is not a phone number."""
    raw = v.text(raw, field, max_length=40, required=False)
    if not raw:
        return None
    e164 = rules.normalise_phone(raw)
    return Phone.objects.get_or_create(e164=e164, defaults={"created_at": clock.now()})[0]


def _address_in(raw: str, field: str = "address") -> Address | None:
    """An address given as input: None when none was given; refused when it names no street or postcode."""
    raw = v.text(raw, field, max_length=300, required=False)
    if not raw:
        return None
    a = address_for(raw)
    if a is None:
        raise Invalid(f"{raw!r} is not an address: give at least a street or a postcode", field)
    return a


_VRM = re.compile(r"[A-Z0-9]{1,8}")


def _vehicle_in(raw: str) -> Vehicle | None:
    """A vehicle by its registration mark, written any way ("ab12 cde" is AB12CDE), created on first sight."""
    raw = v.text(raw, "vehicle", max_length=20, required=False)
    if not raw:
        return None
    vrm = "".join(raw.upper().split())
    if not _VRM.fullmatch(vrm):
        raise Invalid(f"{raw!r} is not a vehicle registration mark", "vehicle")
    return Vehicle.objects.get_or_create(vrm=vrm, defaults={"created_at": clock.now()})[0]


def _open_log_of(log_id: int, doing: str) -> Log:
    """Lock the open log a check or prompt belongs to. A log merged into another is answered on the log
    that survived it (its open checks and prompts block closing the survivor, so they must stay answerable)."""
    log = Log.objects.select_for_update().get(pk=log_id)
    if log.merged_into_id is not None:
        log = logs._lock(log.reference)
    logs._require_open(log, doing)
    return log


def _person(person_id: int) -> Person:
    p = Person.objects.filter(pk=person_id).first()
    if p is None:
        raise NotFound(f"No person {person_id}.")
    return p


# --------------------------------------------------------------------------------------- people
def create_person(
    actor: Actor, *, given_names: str, family_name: str, dob: date | None = None, aliases: list[str] | None = None,
    sex: str = "",
) -> Person:
    """A new person in the nominal index, indexed by folded and sound keys (C1). Their sex is optional
    (blank: not recorded); M3's classes may turn on it ("any female partner")."""
    actor.require("person.manage")
    given = v.text(given_names, "given_names", max_length=120, required=False)
    family = v.text(family_name, "family_name", max_length=120)
    v.past_date(dob, "dob", clock.local(clock.now()).date())
    if sex:
        v.choice(sex, "sex", [k for k, _ in Person.SEXES])
    names = [v.text(a, "aliases", max_length=250) for a in (aliases or [])]
    with unit_of_work():
        p = Person.objects.create(
            given_names=given, family_name=family, dob=dob, sex=sex or "", created_at=clock.now(),
            name_key=rules.fold_name(f"{given} {family}"), sound_key=rules.sound_key(given, family),
        )
        for name in names:
            g, f = rules.split_name(name)
            Alias.objects.create(person=p, name=name, name_key=rules.fold_name(name), sound_key=rules.sound_key(g, f))
        audit.record(actor, "person.created", "person", p.pk,
                     after={"given_names": given, "family_name": family, "dob": dob, "sex": sex or "",
                            "aliases": names})
    return p


def view_person(actor: Actor, person_id: int, *, purpose: str) -> Person:
    """A2: every view of a person is audited with why the viewer looked."""
    actor.require("person.view")
    purpose = v.text(purpose, "purpose", max_length=200)
    p = _person(person_id)
    audit_views.record(actor, "person.viewed", "person", p.pk, reason=purpose)  # committed before it returns
    return p


def relate(actor: Actor, person_id: int, other_id: int, kind: str) -> Relationship:
    actor.require("person.manage")
    v.choice(kind, "kind", [k for k, _ in Relationship.KINDS])
    if person_id == other_id:
        raise Invalid("A person cannot be related to themselves", "other_id")
    with unit_of_work():
        a, b = _person(person_id), _person(other_id)
        r = Relationship.objects.create(person=a, other=b, kind=kind, created_at=clock.now())
        audit.record(actor, "person.related", "person", a.pk, after={"other": b.pk, "kind": kind})
        from watchkeeper.people import summary

        summary.risk_changed([a.pk, b.pk], linked=False)  # L12: each now feeds the logs the other is on
    return r


def add_residence(actor: Actor, person_id: int, address: str, *, current: bool = True) -> Residence:
    actor.require("person.manage")
    address = v.text(address, "address", max_length=300)
    with unit_of_work():
        p = _person(person_id)
        a = address_for(address)
        if a is None:
            raise Invalid("That is not an address", "address")
        moved_from: list[int] = []
        if current:
            moved_from = list(Residence.objects.filter(person=p, current=True).values_list("address_id", flat=True))
            Residence.objects.filter(person=p, current=True).update(current=False)
        r = Residence.objects.create(person=p, address=a, current=current, created_at=clock.now())
        audit.record(actor, "person.residence", "person", p.pk, after={"address": a.text, "current": current})
        if current:  # L12: they now feed the logs at their new address, no longer those at the old ones
            from watchkeeper.people import summary

            summary.risk_changed(addresses=[a.pk, *moved_from])
    return r


def add_phone_use(actor: Actor, person_id: int, phone: str) -> PhoneUse:
    actor.require("person.manage")
    phone = v.text(phone, "phone", max_length=40)
    e164 = rules.normalise_phone(phone)
    with unit_of_work():
        p = _person(person_id)
        ph = Phone.objects.get_or_create(e164=e164, defaults={"created_at": clock.now()})[0]
        use = PhoneUse.objects.create(person=p, phone=ph, created_at=clock.now())
        audit.record(actor, "person.phone", "person", p.pk, after={"phone": e164})
        from watchkeeper.people import summary

        summary.risk_changed(phones=[ph.pk])  # L12: they now feed the logs this phone is on
    return use


def link_party(
    actor: Actor, reference: str, *, role: str, person_id: int | None = None, phone: str = "", address: str = "",
) -> LogParty:
    """Put a person, phone or address on a log in a role (caller, victim, suspect, subject, witness,
    mentioned). Linking re-runs what depends on who is involved: orders (M3), firearms holders (M4),
    patterns between the same people (C8), a child involved (C2). Linking a person the context proposed for
    the log answers that proposal (C1); the same person twice in the same role is refused."""
    actor.require("log.update")
    v.choice(role, "role", ROLE_CODES)
    phone = v.text(phone, "phone", max_length=40, required=False)
    address = v.text(address, "address", max_length=300, required=False)
    if person_id is None and not phone and not address:
        raise Invalid("Say who or what to link: a person, a phone or an address", "person_id")
    policy = current_policy()
    with unit_of_work():
        log = logs._lock(reference)
        logs._require_open(log, "add a party")
        person = _person(person_id) if person_id is not None else None
        if person is not None and not phone and not address and LogParty.objects.filter(
                log=log, person=person, role=role, phone__isnull=True, address__isnull=True).exists():
            raise Refusal(f"{person.name} is already on {log.reference} as {dict(ROLES)[role]}.", status=409,
                          next_step="Choose another role, or leave them as they are.")
        ph = _phone_in(phone)
        addr = _address_in(address)
        party = LogParty.objects.create(log=log, role=role, person=person, phone=ph, address=addr, at=clock.now())
        what = ", ".join(x for x in [person.name if person else "", ph.e164 if ph else "",
                                     addr.text if addr else ""] if x)
        logs._append(actor, log, "system", f"{dict(ROLES)[role]} added: {what}", policy=policy)
        from watchkeeper.people import hooks

        if person is not None:
            hooks.resolve_proposals(actor, log, person.pk, role)
        hooks.after_parties(actor, log, policy)
        logs._repropose(actor, log, policy)  # who and where may set a floor (D5) or change the grade
        audit.record(actor, "log.party_linked", "log", log.reference,
                     after={"role": role, "person": person.pk if person else None,
                            "phone": ph.e164 if ph else None, "address": addr.text if addr else None})
    return party


# ---------------------------------------------------------------------------------------- markers
MARKER_KINDS = [k for k, _ in Marker.KINDS]


def _require_may_view_people(actor: Actor, permission: str) -> None:
    """What is written about a person (a marker, an order, a certificate) is written only by someone who may
    read the person it is on: the write permission and the read permission the person's record uses
    (`person.view`, as view_person asks), so nobody records on people they may not see."""
    actor.require(permission)
    actor.require("person.view")


def add_marker(
    actor: Actor, *, kind: str, source: str, review_at: date, note: str = "", person_id: int | None = None,
    address: str = "", phone: str = "", vehicle: str = "",
) -> Marker:
    """M1: a marker on one person, address, phone or vehicle carries a source, an owner (who adds it), a
    created date and a review date."""
    _require_may_view_people(actor, "marker.manage")
    v.choice(kind, "kind", MARKER_KINDS)
    source = v.text(source, "source", max_length=200)
    note = v.text(note, "note", max_length=2000, required=False)
    today = clock.local(clock.now()).date()
    if not isinstance(review_at, date) or review_at <= today:
        raise Invalid("review_at must be a date after today", "review_at")
    given = [x for x in (person_id, v.text(address, "address", max_length=300, required=False),
                         v.text(phone, "phone", max_length=40, required=False),
                         v.text(vehicle, "vehicle", max_length=20, required=False)) if x not in (None, "")]
    if len(given) != 1:
        raise Invalid("A marker is on exactly one person, address, phone or vehicle", "person_id")
    with unit_of_work():
        person = _person(person_id) if person_id is not None else None
        addr, ph, car = _address_in(address), _phone_in(phone), _vehicle_in(vehicle)
        m = Marker.objects.create(kind=kind, person=person, address=addr, phone=ph, vehicle=car, note=note,
                                  source=source, owner=actor.user or _system_owner(), created_at=clock.now(),
                                  review_at=review_at)
        audit.record(actor, "marker.added", "marker", m.pk,
                     after={"kind": kind, "person": person.pk if person else None,
                            "address": addr.text if addr else None, "phone": ph.e164 if ph else None,
                            "vehicle": car.vrm if car else None, "source": source, "review_at": review_at,
                            "note": note})
        from watchkeeper.people import summary

        summary.risk_changed([m.person_id], [m.address_id], [m.phone_id])  # L12: the open logs it feeds
    return m


def end_marker(actor: Actor, marker_id: int, *, reason: str) -> Marker:
    """M1: a marker is ended with a reason and kept."""
    _require_may_view_people(actor, "marker.manage")
    reason = v.text(reason, "reason", max_length=2000)
    with unit_of_work():
        m = Marker.objects.select_for_update().filter(pk=marker_id).first()
        if m is None:
            raise NotFound(f"No marker {marker_id}.")
        if m.ended_at is not None:
            raise Refusal("This marker has already ended.", status=409)
        m.ended_at, m.ended_by, m.end_reason = clock.now(), actor.user, reason
        m.save(update_fields=["ended_at", "ended_by", "end_reason"])
        audit.record(actor, "marker.ended", "marker", m.pk, reason=reason)
        from watchkeeper.people import summary

        summary.risk_changed([m.person_id], [m.address_id], [m.phone_id])  # L12: the open logs it fed
    return m


def _system_owner() -> User:
    u = User.objects.filter(role="administrator", is_active=True).order_by("pk").first()
    if u is None:
        raise Refusal("No administrator exists to own a marker made by the system.")
    return u


# ---------------------------------------------------------------------------------------- schemes
# The contact recorded when a scheme is created: the victim was told. It is not an attempt to reach them
# about removing it (M2).
TOLD_AT_CREATION = "Told about the scheme and how long it lasts"

def create_scheme(
    actor: Actor, *, victim_id: int, reason: str, victim_told_how: str, address: str = "", phone: str = "",
    ends_at: datetime | None = None, grade_floor: str = "", officer_id: int | None = None,
) -> SpecialScheme:
    """M2: a special scheme on a victim's address or phone: at most the maximum length, an officer in
    charge, and the victim told at creation (recorded). Its review falls due before it ends (a task)."""
    actor.require("scheme.manage")
    policy = current_policy()
    reason = v.text(reason, "reason", max_length=2000)
    told = v.text(victim_told_how, "victim_told_how", max_length=200, required=False)
    if not told:
        raise Refusal("The victim must be told about the scheme when it is created.", safeguard="M2",
                      next_step="Tell the victim what the scheme is and how long it lasts; record how.")
    floor = grade_floor or policy["scheme_default_floor"]
    if policy.grade_rank(floor) is None:
        raise Invalid(f"Unknown grade {floor!r}", "grade_floor")
    now = clock.now()
    end = rules.scheme_end(now, v.aware(ends_at, "ends_at"), policy)
    officer = logs._staff(officer_id, "officer_id") if officer_id is not None else actor.user
    if officer is None:
        raise Invalid("A scheme needs an officer in charge", "officer_id")
    address = v.text(address, "address", max_length=300, required=False)
    phone = v.text(phone, "phone", max_length=40, required=False)
    if not address and not phone:
        raise Invalid("A scheme protects an address or a phone", "address")
    with unit_of_work():
        victim = _person(victim_id)
        addr, ph = _address_in(address), _phone_in(phone)
        s = SpecialScheme.objects.create(
            victim=victim, address=addr, phone=ph, reason=reason, grade_floor=floor, officer=officer,
            starts_at=now, ends_at=end, victim_told_at=now, victim_told_how=told,
            review_due_at=rules.scheme_review_at(end, policy), expiry_due_at=end, created_at=now,
            created_by=actor.user or officer,
        )
        VictimContact.objects.create(scheme=s, at=now, by=actor.user or officer, channel=told[:40],
                                     outcome=f"{TOLD_AT_CREATION} ({told})", reached=True)
        audit.record(actor, "scheme.created", "scheme", s.pk,
                     after={"victim": victim.pk, "address": addr.text if addr else None,
                            "phone": ph.e164 if ph else None, "floor": floor, "ends_at": end, "told": told,
                            "officer": officer.username})
        from watchkeeper.people import summary

        summary.risk_changed([s.victim_id], [s.address_id], [s.phone_id])  # L12: the open logs it feeds
    return s


def record_victim_contact(actor: Actor, scheme_id: int, *, channel: str, outcome: str, reached: bool) -> VictimContact:
    """M2: an attempt to contact the victim about their scheme, reached or not, with its outcome."""
    actor.require("scheme.manage")
    channel = v.text(channel, "channel", max_length=40)
    outcome = v.text(outcome, "outcome", max_length=2000)
    with unit_of_work():
        s = SpecialScheme.objects.select_for_update().filter(pk=scheme_id).first()
        if s is None:
            raise NotFound(f"No scheme {scheme_id}.")
        c = VictimContact.objects.create(scheme=s, at=clock.now(), by=actor.person, channel=channel,
                                         outcome=outcome, reached=reached)
        audit.record(actor, "scheme.victim_contact", "scheme", s.pk,
                     after={"channel": channel, "outcome": outcome, "reached": reached})
    return c


def remove_scheme(actor: Actor, scheme_id: int, *, reason: str) -> SpecialScheme:
    """M2: removing a scheme needs a recorded attempt to contact the victim after they were told of it at
    creation, and a reason. Its review task is closed with the removal, and the officer in charge is told
    when someone else removes it: it never disappears silently."""
    actor.require("scheme.manage")
    reason = v.text(reason, "reason", max_length=2000)
    with unit_of_work():
        s = SpecialScheme.objects.select_for_update().filter(pk=scheme_id).select_related("victim").first()
        if s is None:
            raise NotFound(f"No scheme {scheme_id}.")
        if s.removed_at is not None:
            raise Refusal("This scheme was already removed.", status=409)
        contacts = VictimContact.objects.filter(scheme=s)
        told = contacts.order_by("pk").values_list("pk", flat=True).first()
        attempts = 0 if told is None else contacts.exclude(pk=told).count()  # none recorded: none made
        rules.check_scheme_removal(attempts)
        now = clock.now()
        s.removed_at, s.removed_by, s.removal_reason = now, actor.user, reason
        s.review_due_at = s.expiry_due_at = None
        s.save(update_fields=["removed_at", "removed_by", "removal_reason", "review_due_at", "expiry_due_at"])
        if s.review_task_id is not None:
            Task.objects.filter(pk=s.review_task_id, state="open").update(
                state="done", completed_at=now, completed_by=actor.user, alert_at=None,
                result=f"Scheme removed: {reason}")
        if s.officer_id != actor.user_id:
            logs._notify(s.officer, kind="scheme_removed", safeguard="M2",
                         text=f"Special scheme for {s.victim.name} was removed by {actor.username}: {reason}")
        audit.record(actor, "scheme.removed", "scheme", s.pk, reason=reason, after={"contact_attempts": attempts})
        from watchkeeper.people import summary

        summary.risk_changed([s.victim_id], [s.address_id], [s.phone_id])  # L12: the open logs it fed
    return s


def extend_scheme(actor: Actor, scheme_id: int, *, until: datetime, reason: str) -> SpecialScheme:
    """M2: extending a scheme is a person's decision, recorded with a reason: a new end after now and after
    its current end, at most the maximum length from now. An overdue scheme is no longer overdue; its review
    task is done (the extension is the review's outcome) and a new review falls due before the new end. The
    officer in charge is told when someone else extends it."""
    actor.require("scheme.manage")
    reason = v.text(reason, "reason", max_length=2000)
    new_end = v.aware(until, "until")
    if new_end is None:
        raise Invalid("Give the date and time the extended scheme ends", "until")
    policy = current_policy()
    with unit_of_work():
        s = SpecialScheme.objects.select_for_update().filter(pk=scheme_id).select_related("victim", "officer").first()
        if s is None:
            raise NotFound(f"No scheme {scheme_id}.")
        if s.removed_at is not None:
            raise Refusal("This scheme was removed; start a new one if the victim needs protection.", status=409)
        now = clock.now()
        was, overdue = s.ends_at, s.ends_at <= now
        s.ends_at = rules.scheme_extension(now, s.ends_at, new_end, policy)
        s.review_due_at = max(now, rules.scheme_review_at(s.ends_at, policy))
        s.expiry_due_at, s.overdue_escalations = s.ends_at, 0
        if s.review_task_id is not None:
            Task.objects.filter(pk=s.review_task_id, state="open").update(
                state="done", completed_at=now, completed_by=actor.user, alert_at=None,
                result=f"Scheme extended until {clock.local(s.ends_at):%d/%m/%Y}: {reason}")
        s.save(update_fields=["ends_at", "review_due_at", "expiry_due_at", "overdue_escalations"])
        if s.officer_id != actor.user_id:
            logs._notify(s.officer, kind="scheme_extended", safeguard="M2",
                         text=f"Special scheme for {s.victim.name} was extended by {actor.username} until "
                              f"{clock.local(s.ends_at):%d/%m/%Y}: {reason}")
        audit.record(actor, "scheme.extended", "scheme", s.pk, reason=reason,
                     before={"ends_at": was, "review_overdue": overdue}, after={"ends_at": s.ends_at})
        from watchkeeper.people import summary

        summary.risk_changed([s.victim_id], [s.address_id], [s.phone_id])  # L12: no longer review overdue
    return s


def fire_scheme_deadlines(now: datetime, limit: int = 500) -> int:
    """M2: before a scheme ends its officer gets a review task. At its end date without a decision it stays
    in force as "review overdue" (its floor still applies) and escalates every interval (policy
    `scheme_overdue_escalation_hours`) until a person extends it or removes it: the first time to the
    officer in charge (with a review task, kept open), every later time to their supervisor too. Each step is
    claimed with a conditional update, so two sweepers never fire it twice."""
    fired = 0
    for pk in list(SpecialScheme.objects.filter(review_due_at__lte=now).values_list("pk", flat=True)[:limit]):
        with unit_of_work():
            if not SpecialScheme.objects.filter(pk=pk, review_due_at__lte=now).update(review_due_at=None):
                continue
            s = SpecialScheme.objects.select_related("officer", "victim").get(pk=pk)
            task = Task.objects.create(
                description=f"Review the special scheme for {s.victim.name} before it ends on "
                            f"{clock.local(s.ends_at):%d/%m/%Y}: contact the victim, then extend or remove it.",
                owner=s.officer, due_at=s.ends_at, created_at=now, alert_at=s.ends_at,
            )
            SpecialScheme.objects.filter(pk=pk).update(review_task=task)
            logs._notify(s.officer, kind="scheme_review", safeguard="M2",
                         text=f"Special scheme for {s.victim.name} ends {clock.local(s.ends_at):%d/%m}: review it "
                         "and contact the victim.")
            audit.record(SYSTEM, "scheme.review_due", "scheme", pk, after={"task": task.pk})
            fired += 1
    policy = current_policy()
    due = SpecialScheme.objects.filter(expiry_due_at__lte=now, removed_at__isnull=True)
    for pk, when, count in list(due.values_list("pk", "expiry_due_at", "overdue_escalations")[:limit]):
        assert when is not None  # read by its due time, so it has one
        with unit_of_work():
            to_supervisor, following = rules.overdue_escalation(count, when, now, policy)
            if not SpecialScheme.objects.filter(pk=pk, expiry_due_at=when, overdue_escalations=count,
                                                removed_at__isnull=True).update(
                    expiry_due_at=following, overdue_escalations=count + 1):
                continue
            s = SpecialScheme.objects.select_related("officer", "victim", "review_task").get(pk=pk)
            review = s.review_task
            if review is None or review.state != "open":
                review = Task.objects.create(
                    description=f"Decide the special scheme for {s.victim.name}: it passed its end date "
                                f"({clock.local(s.ends_at):%d/%m/%Y}) and is in force as review overdue. Contact "
                                "the victim, then extend it or remove it.",
                    owner=s.officer, due_at=now, created_at=now)
                SpecialScheme.objects.filter(pk=pk).update(review_task=review)
            days = max(1, (now - s.ends_at) // timedelta(days=1))  # whole days overdue
            text = (f"Special scheme for {s.victim.name} reached its end date "
                    f"({clock.local(s.ends_at):%d/%m/%Y}) without a decision"
                    + (f" and has been review overdue for {days} day(s)" if count else "")
                    + ". It stays in force (calls still have its grade floor) until someone extends it, or "
                    "removes it after an attempt to contact the victim.")
            recipients = {s.officer.pk: s.officer}
            sup = logs._supervisor_of(s.officer) if to_supervisor else None
            if sup is not None:
                recipients[sup.pk] = sup
            for person in recipients.values():
                logs._notify(person, kind="scheme_overdue", safeguard="M2", text=text)
            audit.record(SYSTEM, "scheme.review_overdue", "scheme", pk,
                         after={"told": sorted(recipients), "escalation": count + 1, "task": review.pk,
                                "next": following})
            if not count:  # L12: the first time, open logs it protects show "review overdue" at once
                from watchkeeper.people import summary

                summary.risk_changed([s.victim_id], [s.address_id] if s.address_id else [],
                                     [s.phone_id] if s.phone_id else [])
            fired += 1
    return fired


# ----------------------------------------------------------------------------------------- orders
ORDER_KINDS = [k for k, _ in Order.KINDS]


def create_order(
    actor: Actor, *, kind: str, restricted_id: int, conditions: str, starts_on: date, ends_on: date | None = None,
    protected_person_ids: list[int] | None = None, protected_addresses: list[str] | None = None,
    protected_classes: list[dict[str, Any]] | None = None, activities: list[str] | None = None,
) -> Order:
    """M3: an order or bail conditions: who is restricted; who, which classes of people ("anyone under 16":
    {"max_age": 15}; "any partner": {"relationship": "partner"}) and where are protected; which activities
    are restricted ("no unsupervised internet use"), as written; until when."""
    _require_may_view_people(actor, "order.manage")
    v.choice(kind, "kind", ORDER_KINDS)
    conditions = v.text(conditions, "conditions", max_length=4000)
    if not isinstance(starts_on, date) or (ends_on is not None and not isinstance(ends_on, date)):
        raise Invalid("starts_on and ends_on must be dates", "starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise Invalid("An order cannot end before it starts", "ends_on")
    protected_ids = list(dict.fromkeys(protected_person_ids or []))
    places = [v.text(a, "protected_addresses", max_length=300) for a in (protected_addresses or [])]
    if not isinstance(protected_classes or [], list) or not isinstance(activities or [], list):
        raise Invalid("protected_classes and activities must be lists", "protected_classes")
    classes = list({json.dumps(c, sort_keys=True): c for c in
                    (rules.protected_class(c) for c in (protected_classes or []))}.values())
    restricted_activities = list(dict.fromkeys(v.text(a, "activities", max_length=300)
                                               for a in (activities or [])))
    if len(classes) > 10 or len(restricted_activities) > 20:
        raise Invalid("At most 10 protected classes and 20 activities per order", "protected_classes")
    if not protected_ids and not places and not classes and not restricted_activities:
        raise Invalid("An order protects at least one person, place or class of people, or restricts an "
                      "activity", "protected_person_ids")
    if restricted_id in protected_ids:
        raise Invalid("The restricted person cannot also be the person the order protects", "protected_person_ids")
    with unit_of_work():
        restricted = _person(restricted_id)
        protected = [_person(i) for i in protected_ids]
        addresses = [_address_in(a, "protected_addresses") for a in places]
        o = Order.objects.create(kind=kind, restricted=restricted, conditions=conditions, starts_on=starts_on,
                                 ends_on=ends_on, protected_classes=classes, activities=restricted_activities,
                                 created_at=clock.now(), created_by=actor.user or _system_owner())
        o.protected_people.set(protected)
        o.protected_addresses.set([a for a in addresses if a is not None])
        audit.record(actor, "order.created", "order", o.pk,
                     after={"kind": kind, "restricted": restricted.pk, "protected": protected_ids,
                            "places": [a.text for a in addresses if a is not None], "classes": classes,
                            "activities": restricted_activities, "starts_on": starts_on, "ends_on": ends_on,
                            "conditions": conditions})
        from watchkeeper.people import summary

        summary.risk_changed([restricted.pk, *protected_ids], [a.pk for a in addresses if a is not None])  # L12
    return o


def add_certificate(
    actor: Actor, *, holder_id: int, address: str, number: str, expires_on: date
) -> FirearmsCertificate:
    """M4: a certificate holder is marked on the person and the address."""
    _require_may_view_people(actor, "marker.manage")
    number = v.text(number, "number", max_length=40)
    address = v.text(address, "address", max_length=300)
    if not isinstance(expires_on, date) or expires_on < clock.local(clock.now()).date():
        raise Invalid("expires_on must be today or later (an expired certificate is not held)", "expires_on")
    with unit_of_work():
        holder = _person(holder_id)
        addr = _address_in(address)
        assert addr is not None
        cert = FirearmsCertificate.objects.create(holder=holder, address=addr, number=number, expires_on=expires_on,
                                                  created_at=clock.now())
        owner = actor.user or _system_owner()
        for target in ({"person": holder}, {"address": addr}):
            Marker.objects.create(kind="firearms_certificate", source=f"Certificate {number}", owner=owner,
                                  created_at=clock.now(), review_at=expires_on, **target)
        audit.record(actor, "firearms.certificate", "person", holder.pk,
                     after={"number": number, "address": addr.text, "expires_on": expires_on})
        from watchkeeper.people import summary

        summary.risk_changed([holder.pk], [addr.pk])  # L12: the open logs the holder or the address feed
    return cert


# ----------------------------------------------------------------------------------------- checks
CHECK_KINDS = [k for k, _ in Check.KINDS]


def add_check(
    actor: Actor, reference: str, *, kind: str, subject: str, person_id: int | None = None, phone: str = "",
    address: str = "", mandatory: bool = True,
) -> Check:
    """C5: anyone and any number mentioned can be checked, not only the caller."""
    actor.require("check.run")
    v.choice(kind, "kind", CHECK_KINDS)
    subject = v.text(subject, "subject", max_length=200)
    with unit_of_work():
        log = logs._lock(reference)
        logs._require_open(log, "add a check")
        c = Check.objects.create(
            log=log, kind=kind, subject=subject, person=_person(person_id) if person_id is not None else None,
            phone=_phone_in(phone), address=_address_in(address), mandatory=mandatory,
            why=f"Asked for by {actor.username}", created_at=clock.now(),
        )
        logs._append(actor, log, "system", f"Check requested: {c.get_kind_display()} on {subject}"
                     + (" (mandatory)" if mandatory else ""), policy=current_policy())
        audit.record(actor, "check.added", "check", c.pk,
                     after={"log": log.reference, "kind": kind, "subject": subject, "mandatory": mandatory,
                            "person": c.person_id, "phone": c.phone.e164 if c.phone else None,
                            "address": c.address.text if c.address else None})
    return c


def record_check(actor: Actor, check_id: int, *, result: str, system: str = "", possible: bool = True) -> Check:
    """C5: the person who ran a check records its result (national systems are external)."""
    actor.require("check.run")
    result = v.text(result, "result", max_length=4000)
    system = v.text(system, "system", max_length=60, required=False)
    with unit_of_work():
        c = Check.objects.select_for_update().filter(pk=check_id).first()
        if c is None:
            raise NotFound(f"No check {check_id}.")
        if c.state != "outstanding":
            raise Refusal("This check already has a result.", status=409)
        log = _open_log_of(c.log_id, "record a check on it")
        c.state = "done" if possible else "not_possible"
        c.result, c.system, c.done_at, c.done_by = result, system, clock.now(), actor.user
        c.save(update_fields=["state", "result", "system", "done_at", "done_by"])
        logs._append(actor, log, "system", f"Check result ({c.get_kind_display()}, {c.subject}): {result}",
                     policy=current_policy())
        audit.record(actor, "check.recorded", "check", c.pk, after={"state": c.state, "result": result})
    return c


# ---------------------------------------------------------------------------------------- prompts
def decide_prompt(actor: Actor, prompt_id: int, *, accept: bool, reason: str = "") -> Prompt:
    """A prompt is accepted (its suggestion applied: a flag added, the log reclassified, or the flags of
    the category a cue points to added so their checks and policy grade follow) or dismissed with a reason;
    both are recorded with who and when. The grade is re-proposed after any change (C6), and accepting a
    reclassification to a missing person tells the owner and the supervisor. A dismissal whose reason the
    record contradicts ("adult" with a 16-year-old on the log, "no weapons" with a certificate held, "no
    history" with earlier logs) is refused naming the data (C2, M4, C1)."""
    actor.require("log.update")
    if not isinstance(accept, bool):
        raise Invalid("accept must be true or false", "accept")
    reason = v.text(reason, "reason", max_length=2000, required=not accept)
    policy = current_policy()
    with unit_of_work():
        p = Prompt.objects.select_for_update().filter(pk=prompt_id).first()
        if p is None:
            raise NotFound(f"No prompt {prompt_id}.")
        if p.state != "open":
            raise Refusal(f"This prompt was already {p.state}.", status=409)
        log = _open_log_of(p.log_id, "answer its prompts")
        if accept and p.kind == "abandoned_header" and log.category == "abandoned_call":
            raise Refusal(
                "The header still says this is an abandoned call.", safeguard="C9",
                next_step="Change the category and summary to what the call turned out to be (this prompt is "
                          "answered when you do), or dismiss it saying why its nature is still unknown.",
            )
        if not accept and rules.claims_in(reason, policy):  # C1, C2, M4: not for a reason the record refutes
            rules.check_dismissal(reason, _dismissal_facts(log, p, policy), policy)
        p.state = "accepted" if accept else "dismissed"
        p.decided_at, p.decided_by, p.reason = clock.now(), actor.user, reason
        p.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        note = f"{p.safeguard} prompt {p.state}: {p.text}" + (f" — {reason}" if reason else "")
        phrases = p.details.get("phrases") if isinstance(p.details, dict) else None
        if phrases and not accept:  # C3: the dismissal names every word it set aside
            note += f" [dismissed words: {', '.join(f'“{w}”' for w in list(phrases)[:20])}]"
        logs._append(actor, log, "system", note, policy=policy)
        if accept and p.kind == "party_proposal":  # C1: accepting attaches the person in the proposed role
            _attach_proposed(actor, log, p, policy)
        applied = _apply_suggestion(p, log, policy, actor) if accept else {}
        if applied:
            log.save(update_fields=list(applied))
            logs._changed(log, "log.changed", applied)
            from watchkeeper.incidents import hooks as log_hooks

            log_hooks.run(log_hooks.AFTER_CLASSIFICATION, actor, log, policy)
            logs._repropose(actor, log, policy)
            if p.safeguard == "C6":
                tell_owner_and_supervisor(actor, log, safeguard="C6", kind="reclassified",
                                          text=f"{log.reference} reclassified as "
                                               f"{policy.category_label(log.category)} by {actor.username}.")
        # C3: a decision on a cue prompt records the words it was about (what a dismissal dismissed)
        words = p.details.get("phrases") if isinstance(p.details, dict) else None
        audit.record(actor, f"prompt.{p.state}", "prompt", p.pk, reason=reason,
                     after={"log": log.reference, "safeguard": p.safeguard, "kind": p.kind, "applied": applied,
                            **({"words": list(words)[:20], "entry": p.details.get("entry")} if words else {})})
    return p


CHILD_PROMPT_KINDS = ("child", "cue_children")


def _dismissal_facts(log: Log, prompt: Prompt, policy: Any) -> rules.DismissalFacts:
    """What the record holds that a dismissal reason could contradict, in a few bounded reads: the ages of
    the people on the log and of its callers (C2), firearms certificates held by its people, by people
    linked to them or at its addresses (M4), and the earlier logs of its phones, addresses and people (C1)."""
    from watchkeeper.incidents.models import Contact

    family = logs.family_ids(log)
    today = clock.local(clock.now()).date()
    parties = list(LogParty.objects.filter(log_id__in=family).select_related("person")[:500])
    ages: list[rules.AgeFact] = []
    for party in parties:
        if party.person is not None and party.person.dob is not None:
            years = rules.age_on(party.person.dob, None, today)
            if years is not None:
                ages.append(rules.AgeFact(party.person.name, years, party.role))
    for name, dob, age in Contact.objects.filter(log_id__in=family).values_list("caller_name", "caller_dob",
                                                                                "caller_age")[:100]:
        years = rules.age_on(dob, age, today)
        if years is not None:
            ages.append(rules.AgeFact(name or "the caller", years, "caller"))
    people = {party.person_id: party.person for party in parties if party.person_id and party.person}
    phones = {party.phone_id for party in parties if party.phone_id}
    places = {party.address_id for party in parties if party.address_id}
    linked: dict[int, str] = {}
    for a, b in (Relationship.objects.filter(Q(person_id__in=people) | Q(other_id__in=people), ended_at__isnull=True)
                 .values_list("person_id", "other_id")[:200]):
        for mine, theirs in ((a, b), (b, a)):
            if mine in people and theirs not in people:
                linked.setdefault(theirs, people[mine].name)
    certificates = []
    for cert in (FirearmsCertificate.objects.filter(Q(holder_id__in=[*people, *linked]) | Q(address_id__in=places),
                                                    expires_on__gte=today)
                 .select_related("holder", "address").order_by("-id")[:20]):
        how = ("a party on this log" if cert.holder_id in people else
               f"linked to {linked[cert.holder_id]}, a party on this log" if cert.holder_id in linked else
               f"kept at {cert.address.text}")
        certificates.append(rules.CertificateFact(cert.holder.name, cert.number, how))
    earlier = (LogParty.objects.filter(Q(phone_id__in=phones) | Q(address_id__in=places) | Q(person_id__in=people),
                                       log__isnull=False, log__created_at__lt=log.created_at)
               .exclude(log_id__in=family))
    newest = earlier.order_by("-log__created_at").values_list("log__reference", flat=True).first()
    count = len(set(earlier.values_list("log_id", flat=True)[:1000])) if newest else 0
    return rules.DismissalFacts(ages=tuple(ages), certificates=tuple(certificates), earlier_logs=count,
                                newest_earlier=newest or "", child_prompt=prompt.kind in CHILD_PROMPT_KINDS)


def _attach_proposed(actor: Actor, log: Log, p: Prompt, policy: Any) -> None:
    """C1: a proposed person accepted without choosing a role goes on the log in the proposed one (a
    proposed caller as the caller; someone proposed as involved as mentioned)."""
    person = _person(int(p.details.get("person", 0)))
    role = str(p.details.get("proposed_role", ""))
    role = role if role in ROLE_CODES else "mentioned"
    if not LogParty.objects.filter(log=log, person=person).exists():
        LogParty.objects.create(log=log, role=role, person=person, at=clock.now())
        logs._append(actor, log, "system", f"{dict(ROLES)[role]} added: {person.name}", policy=policy)
        from watchkeeper.people import hooks

        hooks.after_parties(actor, log, policy)


def _apply_suggestion(p: Prompt, log: Log, policy: Any, actor: Actor | None = None) -> dict[str, Any]:
    """What accepting a prompt changes on its log (in memory; the caller saves): the fields changed.

    C3: accepting a cue always does something visible: the flag policy maps its family to (`cue_flags`) is
    added, so the checks that flag requires and its policy grade follow; a weapons cue on a log whose people or
    places hold a current firearms certificate also adds the firearms-access flag. L11: accepting a promise
    creates its task (the log's fields are unchanged)."""
    changed: dict[str, Any] = {}
    if p.suggestion == "create_task":
        _create_promise_task(actor or Actor(user=p.decided_by), p, log, policy)
        return changed
    category = policy.category(p.suggested_category) if p.suggested_category else None
    wanted: list[str] = []
    if p.suggestion == "add_flag":
        wanted = [str(p.details.get("flag", ""))]
    elif p.suggestion == "reclassify" and category is not None:
        if log.category != p.suggested_category:
            log.category = p.suggested_category
            changed["category"] = log.category
        wanted = list(category["flags"])
    elif p.suggestion in ("run_checks", "raise_grade") and category is not None:
        wanted = list(category["flags"])
    family = str(p.details.get("family", "")) if p.safeguard == "C3" else ""
    if family:
        flag = policy["cue_flags"].get(family)
        if flag:
            wanted.append(flag)
        if family == "weapons_firearms" and _firearms_held(log) is not None:
            wanted.append(policy["firearms_access_flag"])
    new = [f for f in dict.fromkeys(wanted) if f in policy.flag_codes() and f not in log.flags]
    if new:
        log.flags = [*log.flags, *new]
        changed["flags"] = log.flags
    return changed


def _firearms_held(log: Log) -> FirearmsCertificate | None:
    """A current firearms certificate held by a person on the log, or kept at one of its addresses or at
    the home of a person on it (M4, C3)."""
    parties = LogParty.objects.filter(log_id__in=logs.family_ids(log))
    people = set(parties.filter(person__isnull=False).values_list("person_id", flat=True))
    places = set(parties.filter(address__isnull=False).values_list("address_id", flat=True))
    places |= set(Residence.objects.filter(person_id__in=people, current=True).values_list("address_id", flat=True))
    today = clock.local(clock.now()).date()
    return (FirearmsCertificate.objects.filter(Q(holder_id__in=people) | Q(address_id__in=places),
                                               expires_on__gte=today).order_by("-id").first())


def _create_promise_task(actor: Actor, p: Prompt, log: Log, policy: Any) -> Task:
    """L11: accepting a promise prompt makes the promise a task: owned by whoever wrote the entry (or the
    person accepting, when the writer cannot hold tasks), due when the promise said (or the policy default
    after the entry). The task is recorded on the prompt."""
    actor.require("task.manage")
    author = p.entry.author if p.entry_id and p.entry is not None else None
    owner = author if author is not None and author.is_active and Actor(user=author).may("task.manage") else actor.user
    if owner is None:
        raise Refusal("A promise task needs an owner: accept it as a member of staff.", safeguard="L11")
    due_text = p.details.get("due_at")
    due = datetime.fromisoformat(due_text) if isinstance(due_text, str) else None
    if due is None:
        due = clock.now() + timedelta(minutes=int(policy["promise_due_minutes"]))
    sentence = str(p.details.get("sentence") or p.details.get("phrase") or p.text)
    task = logs._new_task(actor, log, description=f"Promise to the caller: {sentence}"[:4000], owner=owner,
                          due=due, policy=policy)
    p.details = {**p.details, "task": task.pk, "task_owner": owner.username}
    p.save(update_fields=["details"])
    return task


def tell_owner_and_supervisor(actor: Actor, log: Log, *, safeguard: str, kind: str, text: str) -> None:
    """Tell a log's owner and their supervisor (or the actor's, for an unowned log), except whoever acted."""
    supervisor = logs._supervisor_of(log.owner) or logs._supervisor_of(actor.user)
    for person in {p.pk: p for p in (log.owner, supervisor) if p is not None}.values():
        if person.pk != actor.user_id:
            logs._notify(person, kind=kind, text=text, log=log, safeguard=safeguard)


def raise_prompt(log: Log, *, safeguard: str, kind: str, text: str, suggestion: str = "", category: str = "",
                 entry: Any = None, details: dict[str, Any] | None = None, blocking: bool = True) -> Prompt | None:
    """Open a prompt on a log unless the same one is already open (called inside an action), and tell the
    log's viewers."""
    # A log raised in this unit of work has no prompt but those raised in it: none yet, nothing to read.
    fresh = is_new(log) and not created_any(Prompt)
    if not fresh and Prompt.objects.filter(log=log, kind=kind, state="open", text=text).exists():
        return None
    prompt = Prompt.objects.create(log=log, entry=entry, safeguard=safeguard, kind=kind, text=text,
                                   suggestion=suggestion, suggested_category=category, blocking=blocking,
                                   details=audit.plain(details or {}), created_at=clock.now())
    publish(f"log:{log.pk}", "prompt", {"reference": log.reference, "id": prompt.pk, "safeguard": safeguard,
                                              "text": text}, log_id=log.pk, log_version=log.version)
    return prompt


# ---------------------------------------------------------------------------------------- reading
def context(actor: Actor, *, phone: str = "", address: str = "", name: str = "", dob: date | None = None,
            purpose: str = "call-time context") -> Any:
    """C1: the context panel. Looking at people's records is audited with its purpose (A2)."""
    from watchkeeper.people.context import Query, lookup

    actor.require("person.view")
    q = Query(phone=v.text(phone, "phone", max_length=40, required=False),
              address=v.text(address, "address", max_length=300, required=False),
              name=v.text(name, "name", max_length=200, required=False), dob=dob)
    purpose = v.text(purpose, "purpose", max_length=200)
    ctx = lookup(q, current_policy())
    if not q.empty:  # committed (grouped with concurrent views) before the panel is shown
        audit_views.record(actor, "context.viewed", "context", q.phone or q.address or q.name, reason=purpose,
                           after={"phone": q.phone, "address": q.address, "name": q.name,
                                  "people": [p["id"] for p in ctx.people]})
    return ctx


def timeline(person: Person, limit: int = 200) -> list[dict[str, Any]]:
    """C8: a person's course of conduct: every log they are on, newest first, with their role and who else
    was involved."""
    rows = list(LogParty.objects.filter(person=person, log__isnull=False).select_related("log")
                .order_by("-at", "-id")[:limit])
    others: dict[int, list[dict[str, Any]]] = {}
    for o in (LogParty.objects.filter(log_id__in={r.log_id for r in rows}, person__isnull=False)
              .exclude(person=person).select_related("person").order_by("at", "id")):
        assert o.log_id is not None and o.person is not None  # read by log, with a person
        others.setdefault(o.log_id, []).append({"id": o.person_id, "name": o.person.name, "role": o.role})
    out: list[dict[str, Any]] = []
    for r in rows:
        log = r.log
        assert log is not None  # read with a log
        out.append({"at": r.at.isoformat(), "log": log.reference, "role": r.role, "summary": log.summary,
                    "category": log.category, "status": log.status, "with": others.get(log.pk, [])})
    return out
