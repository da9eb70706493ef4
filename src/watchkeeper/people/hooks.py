"""What people and context add to incident logs, at the moment a log changes (registered with
`incidents.hooks` in PeopleConfig.ready). Everything runs inside the action's unit of work, so what a hook
writes commits or rolls back with the action, and is covered by the action's one audit record."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.db.models import Q

from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import created_any, is_new, older_only
from watchkeeper.incidents.hooks import Blocker
from watchkeeper.incidents.models import Contact, Entry, Log
from watchkeeper.people import parties as on_logs
from watchkeeper.people import rules
from watchkeeper.people.actions import address_for, phone_for, raise_prompt, tell_owner_and_supervisor
from watchkeeper.people.models import (
    ROLES,
    Address,
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
)
from watchkeeper.people.sql import aware, db_when, fetch, in_ids

DOMESTIC_ABUSE_MARKERS = ("domestic_abuse_victim", "domestic_abuse_perpetrator")


# ------------------------------------------------------------------------------------------- contact
def after_message(actor: Actor, contact: Contact, policy: Policy) -> None:
    """L8, C1: a message to an officer has a contact but no log; its sender's phone goes on the contact, so
    the next call from that number finds it (an email that sat unread is still history)."""
    phone = phone_for(contact.caller_phone) if contact.caller_phone else None
    if phone is not None and not LogParty.objects.filter(contact=contact, phone=phone).exists():
        LogParty.objects.create(contact=contact, role="caller", phone=phone, at=contact.received_at)


def merge_parties(log_ids: list[int]) -> set[str]:
    """L7: the people linked as callers on these logs. Two logs whose callers are different people are from
    different parties, even when both rang from one landline."""
    people = LogParty.objects.filter(log_id__in=log_ids, role="caller", person__isnull=False)
    return {f"person:{pk}" for pk in people.values_list("person_id", flat=True)}


def after_contact(actor: Actor, log: Log, contact: Contact, policy: Policy) -> None:
    """The caller's phone and the log's place go on the log (C1 finds them next time); the caller's age is
    asked for (C2); an abandoned call gets its workflow (C9)."""
    now = clock.now()
    phone = phone_for(contact.caller_phone) if contact.caller_phone else None
    if phone is not None:
        # A message recorded before it was attached to this log already has its caller party: it joins the log.
        if is_new(contact) or not LogParty.objects.filter(contact=contact, phone=phone,
                                                           log__isnull=True).update(log=log):
            LogParty.objects.create(log=log, contact=contact, role="caller", phone=phone, at=contact.received_at)
        else:
            on_logs.changed(log.pk)
    if log.location and not any(p.role == "location" for p in on_logs.on_log(log.pk)):
        place = address_for(log.location)
        if place is not None:
            LogParty.objects.create(log=log, contact=contact, role="location", address=place, at=now)
    try:
        rules.check_caller_age(contact.channel, contact.caller_dob, contact.caller_age, contact.caller_age_reason,
                               policy)
    except Refusal as exc:  # a prompt, not a refusal: the call is taken first, the age asked for
        raise_prompt(log, safeguard="C2", kind="caller_age", text=exc.message, blocking=False)
    if rules.is_child(contact.caller_dob, contact.caller_age, clock.local(now).date(), policy):
        raise_prompt(log, safeguard="C2", kind="child", suggestion="add_flag",
                     text="The caller is under 18: consider child safeguarding (flag the log 'child', run checks).",
                     details={"flag": "child"})
    if log.category == "abandoned_call":
        abandoned_call_workflow(log, policy)
    mentioned_numbers(actor, log, [contact.account, contact.allegation], policy, contact=contact)
    after_parties(actor, log, policy)


def abandoned_call_workflow(log: Log, policy: Policy) -> None:
    """C9: an abandoned or silent 999 call: location and caller checks (see required_checks), a header
    the owner must update when the nature is known, and domestic-abuse-aware callback guidance."""
    raise_prompt(log, safeguard="C9", kind="abandoned_header",
                 text="Abandoned call: update the category and summary as soon as the nature of the call is known.")
    if _domestic_abuse_suspected(log):
        raise_prompt(
            log, safeguard="C9", kind="abandoned_da_guidance",
            text="Domestic abuse is suspected at this number or address. Do not ring back blindly: a call back "
                 "may alert the abuser. Consider a silent-call check, a text, or sending a unit; record what "
                 "you decide.",
        )


def _domestic_abuse_suspected(log: Log) -> bool:
    """C9: domestic abuse is suspected when the number or the place (or a person who uses the number or
    lives there) carries a domestic-abuse marker, is under an active special scheme, or has had a
    domestic-abuse log before."""
    parties = on_logs.on_log(log.pk)
    phones = list(dict.fromkeys(p.phone_id for p in parties if p.phone_id))
    places = list(dict.fromkeys(p.address_id for p in parties if p.address_id))
    if not phones and not places:
        return False
    people = set(PhoneUse.objects.filter(phone_id__in=phones).values_list("person_id", flat=True))
    people |= set(Residence.objects.filter(address_id__in=places, current=True).values_list("person_id", flat=True))
    now = clock.now()
    on_them = Q(phone_id__in=phones) | Q(address_id__in=places)
    if Marker.objects.filter(on_them | Q(person_id__in=people), kind__in=DOMESTIC_ABUSE_MARKERS,
                             ended_at__isnull=True).exists():
        return True
    if SpecialScheme.objects.filter(on_them, SpecialScheme.in_force(now)).exists():
        return True
    earlier = list(LogParty.objects.filter(on_them | Q(person_id__in=people), log__isnull=False).exclude(log=log)
                   .order_by("-at").values_list("log_id", flat=True)[:200])
    return any(category == "domestic_incident" or "domestic_abuse" in (flags or [])
               for category, flags in Log.objects.filter(pk__in=earlier).values_list("category", "flags"))


# ----------------------------------------------------------------------------------- mentioned numbers
def mentioned_numbers(actor: Actor, log: Log, texts: list[str], policy: Policy, *, contact: Contact | None = None,
                      entry: Entry | None = None) -> list[str]:
    """C5: every phone number written in a contact or an entry goes on the log as a "mentioned" phone (so
    the next lookup of that number finds this log, C1) with a proposed check; numbers already on the log
    (the caller's own) are not added twice. When a number is used by someone with an order, a marker or a
    scheme the log says so at once (a prompt naming what is held), and M3's possible-breach check includes
    them. At most `mentioned_numbers_max` numbers per text. Returns the numbers newly added."""
    from watchkeeper.people.models import Phone

    limit = int(policy["mentioned_numbers_max"])
    numbers: list[str] = []
    for text in texts:
        for e164 in rules.mentioned_numbers(text or "", limit):
            if e164 not in numbers:
                numbers.append(e164)
    if not numbers:
        return []
    now = clock.now()
    on_log = {p.phone.e164 for p in on_logs.on_log(log.pk) if p.phone_id and p.phone and p.phone.e164 in numbers}
    added: list[str] = []
    for e164 in numbers:
        if e164 in on_log:
            continue
        phone = Phone.objects.get_or_create(e164=e164, defaults={"created_at": now})[0]
        LogParty.objects.create(log=log, contact=contact, role="mentioned", phone=phone, at=now)
        if not Check.objects.filter(log=log, phone=phone, kind="previous_incidents_phone").exists():
            Check.objects.create(log=log, kind="previous_incidents_phone", subject=f"{e164} (mentioned)",
                                 phone=phone, mandatory=False, created_at=now,
                                 why="C5: a number mentioned " + ("in an entry" if entry else "by the caller"))
        added.append(e164)
    if added:
        from watchkeeper.incidents import actions as logs

        logs._append(actor, log, "system", f"Number(s) mentioned, added to the log with a check: {', '.join(added)}",
                     policy=policy)
        _known_owners(log, added, entry)
    return added


def _held_by(person_ids: set[int]) -> dict[int, list[str]]:
    """What is held on each person: active markers, orders restricting them, schemes protecting them, and
    firearms certificates (labels, for a prompt)."""
    if not person_ids:
        return {}
    now = clock.now()
    today = clock.local(now).date()
    held: dict[int, list[str]] = {}
    labels = dict(Marker.KINDS)
    for pid, kind in Marker.objects.filter(person_id__in=person_ids, ended_at__isnull=True).values_list(
            "person_id", "kind").order_by("id"):
        held.setdefault(pid, []).append(f"marker: {labels.get(kind, kind)}")
    order_labels = dict(Order.KINDS)
    for pid, kind in Order.objects.filter(restricted_id__in=person_ids, starts_on__lte=today).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)).values_list("restricted_id", "kind").order_by("id"):
        held.setdefault(pid, []).append(f"restricted by a {order_labels.get(kind, kind).lower()}")
    for pid in SpecialScheme.objects.filter(victim_id__in=person_ids, removed_at__isnull=True,
                                            starts_at__lte=now).values_list("victim_id", flat=True):
        held.setdefault(pid, []).append("protected by a special scheme")
    for pid, number in FirearmsCertificate.objects.filter(holder_id__in=person_ids, expires_on__gte=today
                                                          ).values_list("holder_id", "number"):
        held.setdefault(pid, []).append(f"firearms certificate {number}")
    return {pid: list(dict.fromkeys(items)) for pid, items in held.items()}


def _known_owners(log: Log, numbers: list[str], entry: Entry | None) -> None:
    """C5, M3: a mentioned number used by someone the force holds something on: a prompt naming it, and the
    possible-breach check with the number's users included."""
    uses = list(PhoneUse.objects.filter(phone__e164__in=numbers).select_related("person", "phone").order_by("id"))
    owners = {u.person_id for u in uses}
    held = _held_by(owners)
    for use in uses:
        items = held.get(use.person_id)
        if not items:
            continue
        raise_prompt(log, safeguard="C5", kind="mentioned_known", entry=entry,
                     details={"phone": use.phone.e164, "person": use.person_id, "held": items},
                     text=f"{use.phone.e164}, mentioned on this log, is used by {use.person.name}: "
                          f"{'; '.join(items)}. Check who they are to this log and add them if involved.")
    if owners:
        person_ids, address_ids = _log_parties(log)
        _possible_breach(log, person_ids | owners | mentioned_owners(log), address_ids,
                         clock.local(clock.now()).date())


def _mentioned_people(log: Log, parties: list[LogParty]) -> None:
    """C5: a person put on the log as mentioned who has an order, a marker, a scheme or a certificate: the log
    says what is held at once."""
    held = _held_by({p.person_id for p in parties if p.person_id})
    for party in parties:
        items = held.get(party.person_id or 0)
        if items and party.person is not None:
            raise_prompt(log, safeguard="C5", kind="mentioned_known",
                         details={"person": party.person_id, "held": items},
                         text=f"{party.person.name}, mentioned on this log: {'; '.join(items)}. Check who they are "
                              "to this log and change their role if they are involved.")


def mentioned_owners(log: Log) -> set[int]:
    """M3: the people who use the numbers mentioned on a log (a restricted person's number written in the
    narrative puts them in contact with the people on it)."""
    phones = older_only({p.phone_id for p in on_logs.on_log(log.pk) if p.role == "mentioned" and p.phone_id},
                        Phone, PhoneUse)
    if not phones:
        return set()
    return set(PhoneUse.objects.filter(phone_id__in=phones).values_list("person_id", flat=True))


# ------------------------------------------------------------------------------------ parties at raise
def proposals_from(people: list[dict[str, Any]], linked: list[dict[str, Any]]) -> list[rules.Proposal]:
    """C1: who the context proposes for a log, from the panel's people and linked people (each resident's
    active markers read here, so a household member with an officer-safety marker is proposed too)."""
    ids = [int(p["id"]) for p in people if "lives at this address" in (p.get("why"), *p.get("also", ()))]
    kinds: dict[int, list[str]] = {}
    for pid, kind in Marker.objects.filter(person_id__in=ids, ended_at__isnull=True).values_list("person_id", "kind"):
        kinds.setdefault(pid, []).append(kind)
    return rules.proposed_parties([{**p, "marker_kinds": kinds.get(int(p["id"]), [])} for p in people], linked)


def raise_parties(actor: Actor, log: Log, contact: Contact, parties: list[dict[str, Any]], policy: Policy) -> None:
    """C1: the people chosen from the context panel go on the new log in their roles; the people the
    context proposes (the person the caller's phone or address resolves to, as the caller; linked people
    and household members with officer-safety markers, as involved) that nobody chose stay on the log as a
    prompt to accept (attach them, in a role the handler chooses) or dismiss with a reason."""
    from watchkeeper.incidents import actions as logs
    from watchkeeper.people.actions import ROLE_CODES, _person
    from watchkeeper.people.context import Query, lookup

    now = clock.now()
    labels = dict(ROLES)
    for p in parties:
        if p["role"] not in ROLE_CODES or p["role"] == "location":
            raise Invalid(f"{p['role']!r} is not a role a person can have on a log "
                          f"({', '.join(r for r in ROLE_CODES if r != 'location')})", "parties")
        person = _person(p["person_id"])
        LogParty.objects.create(log=log, contact=contact, role=p["role"], person=person, at=now)
        logs._append(actor, log, "system", f"{labels[p['role']]} added from the context panel: {person.name}",
                     policy=policy)
    if not (contact.caller_phone or log.location):
        return
    ctx = lookup(Query(phone=contact.caller_phone, address=log.location), policy)
    chosen = {p["person_id"] for p in parties}
    for proposal in proposals_from(ctx.people, ctx.linked):
        if proposal.person_id not in chosen:
            raise_party_proposal(log, proposal)


def raise_party_proposal(log: Log, proposal: rules.Proposal) -> Prompt | None:
    """C1: a person the context proposes for the log, as an open prompt until attached or dismissed."""
    if Prompt.objects.filter(log=log, kind="party_proposal", state="open",
                             details__person=proposal.person_id).exists():
        return None
    labels = dict(Marker.KINDS)
    markers = [labels.get(k, k) for k in proposal.markers]
    text = (f"{proposal.name} ({proposal.why}) is proposed as the caller." if proposal.role == "caller" else
            f"{proposal.name} ({proposal.why}) is proposed as involved: {', '.join(markers)}.")
    return raise_prompt(log, safeguard="C1", kind="party_proposal", suggestion="attach_party",
                        text=text + " Attach them to the log in a role, or dismiss saying why.",
                        details={"person": proposal.person_id, "name": proposal.name, "proposed_role": proposal.role,
                                 "why": proposal.why, "markers": list(proposal.markers)})


def resolve_proposals(actor: Actor, log: Log, person_id: int, role: str) -> None:
    """C1: attaching a proposed person answers the proposal (accepted, with the role chosen)."""
    Prompt.objects.filter(log=log, kind="party_proposal", state="open", details__person=person_id).update(
        state="accepted", decided_at=clock.now(), decided_by=actor.user, reason=f"Attached as {dict(ROLES)[role]}")


# ------------------------------------------------------------------------------------- L8 second call
def open_matches(phone: str, location: str, caller_name: str, person_ids: list[int],
                 policy: Policy) -> list[dict[str, Any]]:
    """L8: open logs active in the last `second_call_hours` that this contact's phone, place or a named
    person (chosen from the panel, or the caller's full name exactly as held) is on, newest first."""
    from watchkeeper.people.actions import _same_place

    now = clock.now()
    since = now - timedelta(hours=float(policy["second_call_hours"]))
    # One plain statement (this runs before every raise): the parties matching the phone, the place or the
    # people, on open logs active since `since`, newest log first.
    terms: list[str] = []
    params: list[Any] = []
    e164 = rules.try_phone(phone) if phone else None
    if e164:
        terms.append("lp.phone_id = (SELECT id FROM people_phone WHERE e164 = %s)")
        params.append(e164)
    if location.strip():
        k = rules.address_key(location)
        place = (Address.objects.filter(key=k.key).first() or _same_place(k)) if (k.street_key or k.postcode) else None
        if place is not None:
            terms.append("lp.address_id = %s")
            params.append(place.pk)
    if person_ids:
        sql, values = in_ids("lp.person_id", sorted(set(person_ids)))
        terms.append(sql)
        params += values
    if len(rules.fold_name(caller_name).split()) >= 2:
        terms.append("lp.person_id IN (SELECT id FROM people_person WHERE name_key = %s LIMIT 20)")
        params.append(rules.fold_name(caller_name))
    if not terms:
        return []
    rows = fetch(
        "SELECT l.reference, l.summary, l.category, l.grade, l.created_at FROM incidents_log l"
        " WHERE l.id IN (SELECT lp.log_id FROM people_logparty lp WHERE " + " OR ".join(terms) + ")"
        " AND l.status = 'open' AND l.merged_into_id IS NULL AND (l.created_at >= %s OR l.last_entry_at >= %s)"
        " ORDER BY l.created_at DESC LIMIT 10", [*params, db_when(since), db_when(since)])
    out = []
    for reference, summary, category, grade, created in rows:
        created = aware(created)
        out.append({"reference": reference, "summary": summary, "category": category,
                    "category_label": policy.category_label(category), "grade": grade or "",
                    "created_at": created.isoformat(),
                    "age_minutes": int((now - created).total_seconds() // 60)})
    return out


# -------------------------------------------------------------------------------------------- parties
def after_parties(actor: Actor, log: Log, policy: Policy) -> None:
    """Who is involved decides: a possible breach (M3), a firearms referral (M4), a pattern (C8), a child
    (C2) and an address that differs from the one held (C7)."""
    parties = list(on_logs.on_log(log.pk))
    person_ids = {p.person_id for p in parties if p.person_id}
    address_ids = {p.address_id for p in parties if p.address_id}
    today = clock.local(clock.now()).date()
    # M3 also when no person is on the log yet: the restricted person's phone and a caller's given age count.
    _possible_breach(log, person_ids | mentioned_owners(log), address_ids, today)
    if person_ids:
        _pattern(log, person_ids, policy)
        _firearms(log, policy, person_ids, address_ids)
        held = {p.person_id: p.person for p in parties if p.person_id and p.person is not None}
        for person in sorted(held.values(), key=lambda x: x.pk):
            if person.dob is not None and rules.is_child(person.dob, None, today, policy):
                raise_prompt(log, safeguard="C2", kind="child", suggestion="add_flag", details={"flag": "child"},
                             text=f"{person.name} is under 18: consider child safeguarding.")
    for party in parties:
        if party.person_id and party.address_id:
            _address_discrepancy(actor, log, party, policy)
    _mentioned_people(log, [p for p in parties if p.person_id and p.role == "mentioned"])
    from watchkeeper.incidents import hooks as log_hooks

    log_hooks.run(log_hooks.AFTER_PARTIES, actor, log, policy)  # e.g. the board row's risk summary (L12)


def _address_discrepancy(actor: Actor, log: Log, party: LogParty, policy: Policy) -> None:
    """C7: an address given for a person that differs from the one held: both are kept (the party keeps
    the one given, the person's residence the one held), the difference is flagged, and where the log was
    to deploy to the held address it now deploys to the newest one given."""
    assert party.person is not None and party.address is not None  # called only for a person with an address
    held = Residence.objects.filter(person=party.person, current=True).select_related("address").first()
    if held is None or held.address_id == party.address_id:
        return
    if not rules.address_discrepancy(held.address.text, party.address.text):
        return
    prompt = raise_prompt(
        log, safeguard="C7", kind="address_discrepancy",
        details={"person": party.person_id, "held": held.address.text, "given": party.address.text},
        text=f"{party.person.name}: the address given ({party.address.text}) differs from the one held "
             f"({held.address.text}). Both are kept; deployment uses the newest given.",
    )
    deploying_to_held = not log.location or (
        rules.address_key(log.location).key == rules.address_key(held.address.text).key)
    if prompt is not None and deploying_to_held and log.location != party.address.text:
        from watchkeeper.incidents import actions as logs

        was = log.location
        log.location = party.address.text
        log.save(update_fields=["location"])
        logs._changed(log, "log.changed", {"location": log.location})
        logs._append(actor, log, "system", f"Location changed to the newest address given for "
                     f"{party.person.name}: {log.location}" + (f" (was {was})" if was else ""), policy=policy)


def _possible_breach(log: Log, person_ids: set[int], address_ids: set[int], today: Any) -> None:
    """M3: a restricted person (on the log, or a phone they use is) together with a protected person or
    place, or a person in a protected class ("anyone under 16", "any partner": ages from dates of birth on
    the log's date) on the same log, for orders in force today. A person in an age class whose date of
    birth is not held, or in a sex class ("any female partner") whose sex is not recorded, raises a prompt to
    establish it, which does not block closing."""
    phones = older_only({p.phone_id for p in on_logs.on_log(log.pk) if p.phone_id}, Phone, PhoneUse)
    present = person_ids | (set(PhoneUse.objects.filter(phone_id__in=phones).values_list("person_id", flat=True))
                            if phones else set())
    if not present:
        return
    orders = list(Order.objects.filter(restricted_id__in=present, starts_on__lte=today)
                  .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
                  .select_related("restricted").prefetch_related("protected_people", "protected_addresses"))
    if not orders:
        return
    facts = [
        rules.OrderFact(o.pk, o.kind, o.restricted_id, frozenset(p.pk for p in o.protected_people.all()),
                        frozenset(a.pk for a in o.protected_addresses.all()), o.starts_on, o.ends_on,
                        tuple(o.protected_classes or ()))
        for o in orders
    ]
    restricted = {o.restricted_id for o in orders}
    related: dict[int, set[tuple[int, str]]] = {}
    for a, b, kind in Relationship.objects.filter(Q(person_id__in=restricted, other_id__in=person_ids) | Q(
            other_id__in=restricted, person_id__in=person_ids), ended_at__isnull=True).values_list(
            "person_id", "other_id", "kind"):
        related.setdefault(a, set()).add((b, kind))
        related.setdefault(b, set()).add((a, kind))
    people = [rules.PersonFact(p.pk, p.name, p.dob, frozenset(related.get(p.pk, ())), sex=p.sex)
              for p in Person.objects.filter(pk__in=person_ids).order_by("pk")]
    # A caller not (yet) in the index whose date of birth or age was taken is on the log too (C2 asks for it).
    people += [rules.PersonFact(-pk, name or "the caller", dob, age=age) for pk, name, dob, age in
               Contact.objects.filter(log=log).filter(Q(caller_dob__isnull=False) | Q(caller_age__isnull=False))
               .order_by("pk").values_list("pk", "caller_name", "caller_dob", "caller_age")]
    by_id = {o.pk: o for o in orders}
    names = {p.person_id: p.name for p in people}
    for breach in rules.order_breaches(facts, present, people, address_ids, today, clock.local(log.created_at).date()):
        o = by_id[breach.order.order_id]
        label = o.get_kind_display()
        classes = "; ".join(rules.describe_class(c) for c in o.protected_classes or ())
        who = breach.person_id if breach.person_id and breach.person_id > 0 else None  # None: a caller not in the index
        if breach.certain:
            raise_prompt(log, safeguard="M3", kind="possible_breach", suggestion="add_flag",
                         details={"flag": "breach", "order": o.pk, "person": who},
                         text=f"Possible breach: {label} (order {o.pk}) restricts {o.restricted.name} from "
                              f"{breach.why}, on this log." + (f" The order protects {classes}." if classes else ""))
        else:
            name = names.get(breach.person_id or 0, "a person")
            if "age" in breach.unknown:
                raise_prompt(log, safeguard="M3", kind="order_class_age", blocking=False,
                             details={"order": o.pk, "person": who},
                             text=f"Establish the age of {name}: {label} (order {o.pk}) restricts "
                                  f"{o.restricted.name} from {classes}, and no date of birth is held.")
            if "sex" in breach.unknown:
                raise_prompt(log, safeguard="M3", kind="order_class_sex", blocking=False,
                             details={"order": o.pk, "person": who},
                             text=f"Establish the sex of {name}: {label} (order {o.pk}) restricts "
                                  f"{o.restricted.name} from {classes}, and their sex is not recorded.")


def _pattern(log: Log, person_ids: set[int], policy: Policy) -> None:
    """C8: several incidents between the same people within the window."""
    for pid in sorted(person_ids):
        others = person_ids - {pid}
        if not others:
            continue
        shared = (LogParty.objects.filter(person_id=pid, log__isnull=False)
                  .filter(log__parties__person_id__in=others).values_list("log_id", "log__created_at").distinct())
        times = list(dict(shared).values())
        found = rules.pattern_prompt(times, clock.now(), policy)
        if found:
            raise_prompt(
                log, safeguard="C8", kind="pattern",
                text=f"{found['count']} incidents between the same people in {found['days']} days: consider "
                     "stalking, harassment or coercive control, and the stalking screening questions.",
                details=found,
            )
            return


def _firearms(log: Log, policy: Policy, person_ids: set[int], address_ids: set[int]) -> None:
    """M4: a domestic-abuse or mental-health incident involving a certificate holder (a party, or the place
    the guns are kept) needs a referral to firearms licensing, as a mandatory check. A cue the handler
    dismissed does not count."""
    if not person_ids and not address_ids:
        return  # no holder and no place a certificate could name
    if Check.objects.filter(log=log, kind="firearms_licensing").exists():
        return
    today = clock.local(clock.now()).date()
    certs = FirearmsCertificate.objects.filter(Q(holder_id__in=person_ids) | Q(address_id__in=address_ids),
                                               expires_on__gte=today).select_related("holder")
    cert = certs.order_by("-id").first()
    if cert is None:
        return
    cues = Prompt.objects.filter(log=log, safeguard="C3").exclude(state="dismissed").values_list("kind", flat=True)
    triggers = [*log.flags, *[f"cue:{k.removeprefix('cue_')}" for k in cues]]
    if rules.firearms_referral_needed(triggers, log.category, True, policy):
        Check.objects.create(log=log, kind="firearms_licensing", subject=f"{cert.holder.name}, certificate "
                             f"{cert.number}", person=cert.holder, address_id=cert.address_id, mandatory=True,
                             why="M4: a firearms certificate holder is involved", created_at=clock.now())


def _log_parties(log: Log) -> tuple[set[int], set[int]]:
    parties = on_logs.on_log(log.pk)
    return {p.person_id for p in parties if p.person_id}, {p.address_id for p in parties if p.address_id}


# -------------------------------------------------------------------------------------------- entries
@lru_cache(maxsize=8)
def _lexicon(additions: str, disabled: str) -> Any:
    from watchkeeper.cues import DEFAULT_LEXICON, compile_lexicon, merge_lexicon

    return compile_lexicon(merge_lexicon(DEFAULT_LEXICON, json.loads(additions), disabled=json.loads(disabled)))


def lexicon_for(policy: Policy) -> Any:
    """C3: the default cue lexicon with the force's additions (policy), compiled once per change."""
    return _lexicon(json.dumps(policy["cue_additions"], sort_keys=True), json.dumps(policy["cue_disabled"],
                                                                                     sort_keys=True))


def after_entries(actor: Actor, log: Log, entries: list[Entry], policy: Policy) -> None:
    """C3: every entry is scanned for risk cues; each family raises one prompt (reclassify, run checks,
    raise grade). C6: on a concern-for-safety log, a missing-person cue is instead a prompt to reclassify
    as a missing person, and the owner and the supervisor are told."""
    from watchkeeper.cues import detect, prompts

    compiled = lexicon_for(policy)
    today = clock.local(clock.now()).date()
    for entry in entries:
        for p in prompts(detect(entry.text, compiled, today=today)):
            family = p["family"]
            quoted = f"(\u201c{', '.join(p['phrases'][:3])}\u201d)"
            if family == "missing" and log.category in policy["missing_reclassify_from"]:
                _reclassify_to_missing(actor, log, entry, quoted, p)
                continue
            if Prompt.objects.filter(log=log, kind=f"cue_{family}").exclude(state="dismissed").exists():
                continue
            category = p.get("category") or ""
            if category and log.category == category:
                continue
            # C3: the words that raised it and where they stand in the entry, for highlighting and for the
            # record of what a dismissal dismissed
            raise_prompt(log, safeguard="C3", kind=f"cue_{family}", entry=entry, suggestion=p["suggestion"],
                         category=category, text=f"{p['reason']} {quoted}",
                         details={"phrases": p["phrases"][:20], "family": family, "spans": p["spans"][:20],
                                  "source": p["source"], "entry": entry.seq})
    _promises(log, entries, policy)
    mentioned_numbers(actor, log, [e.text for e in entries if e.kind in ("narrative", "correction")], policy,
                      entry=entries[-1] if entries else None)
    _firearms(log, policy, *_log_parties(log))


# Entries written by staff in their own words; a caller's account ("contact") never commits the force.
PROMISE_ENTRY_KINDS = {"narrative": "staff", "correction": "staff", "contact": "caller"}


def _promises(log: Log, entries: list[Entry], policy: Policy) -> None:
    """L11: each promise to a caller in the narrative ("I will call back", "will ring you in 10 minutes")
    raises a prompt to create a task with an owner and a due time (the time it states, else the policy
    default after the entry). Open promise prompts block closing like open tasks."""
    from watchkeeper.cues.promises import due_at, find_promises

    for entry in entries:
        speaker = PROMISE_ENTRY_KINDS.get(entry.kind)
        if speaker is None:
            continue
        written = clock.local(entry.at or clock.now())
        for promise in find_promises(entry.text, speaker=speaker):
            due, stated = due_at(promise, written, int(policy["promise_due_minutes"]))
            when = f"{due:%d/%m %H:%M}" + ("" if stated else " (no time stated: the policy default)")
            raise_prompt(
                log, safeguard="L11", kind="promise", entry=entry, suggestion="create_task", blocking=True,
                text=f"Promise to the caller (\u201c{promise.phrase}\u201d, entry {entry.seq}): create a task, "
                     f"due {when}.",
                details={"phrase": promise.phrase, "sentence": promise.sentence, "due_at": due.isoformat(),
                         "due_stated": stated, "due_phrase": promise.due_phrase, "entry": entry.seq},
            )


def _reclassify_to_missing(actor: Actor, log: Log, entry: Entry, quoted: str, cue: dict[str, Any]) -> None:
    if Prompt.objects.filter(log=log, kind="reclassify_missing", state="open").exists():
        return
    prompt = raise_prompt(
        log, safeguard="C6", kind="reclassify_missing", entry=entry, suggestion="reclassify",
        category="missing_person", details={"phrases": cue["phrases"][:20], "family": "missing",
                                            "spans": cue["spans"][:20], "source": cue["source"], "entry": entry.seq},
        text=f"New information meets the missing-person criteria {quoted}: reclassify this log as a missing "
             "person (the grade will be re-proposed).")
    if prompt is not None:
        tell_owner_and_supervisor(actor, log, safeguard="C6", kind="reclassify_prompt",
                                  text=f"{log.reference}: new information meets the missing-person criteria "
                                       f"{quoted}; reclassification is proposed.")


# ------------------------------------------------------------------------------------- classification
def after_classification(actor: Actor, log: Log, policy: Policy) -> None:
    """C5: the checks a flagged category requires are created as tasks with results to record, on the
    people, phones and addresses on the log (the caller's phone first; anyone else can be added). C9: once
    an abandoned call's header is changed to what it turned out to be, the prompt to do so is answered."""
    kinds = rules.required_checks(log.flags, log.category, policy)
    # A proposed check on a mentioned number (not mandatory) does not stand in for a required one.
    have = (set() if is_new(log) and not created_any(Check)  # a log raised in this unit of work: none yet
            else set(Check.objects.filter(log=log, mandatory=True).values_list("kind", flat=True)))
    parties = on_logs.on_log(log.pk)  # oldest first
    phones = [p for p in parties if p.phone_id]
    phone = next((p for p in phones if p.role == "caller"), None) or (phones[0] if phones else None)
    places = [p for p in parties if p.address_id]
    place = next((p for p in reversed(places) if p.role == "location"), None) or (places[-1] if places else None)
    number = phone.phone if phone else None  # the parties were read with a phone / an address
    address = place.address if place else None
    for kind in kinds:
        if kind in have:
            continue
        on_phone = kind in ("previous_incidents_phone", "caller")
        on_place = kind in ("previous_incidents_address", "location")
        subject = ((number.e164 if number else "the caller's number") if on_phone else
                   (address.text if address else log.location or "the location") if on_place else
                   "the people on this log")
        Check.objects.create(log=log, kind=kind, subject=subject[:200], mandatory=True,
                             phone=number if on_phone else None,
                             address=address if on_place else None,
                             why=f"C5: required for {', '.join(log.flags) or log.category}", created_at=clock.now())
    _firearms(log, policy, *_log_parties(log))
    if log.category == "abandoned_call":
        abandoned_call_workflow(log, policy)
    elif not is_new(log):  # a log raised in this unit of work as something else never had the prompt (C9)
        _header_updated(actor, log, policy)


def _header_updated(actor: Actor, log: Log, policy: Policy) -> None:
    now = clock.now()
    label = policy.category_label(log.category)
    Prompt.objects.filter(log=log, kind="abandoned_header", state="open").update(
        state="accepted", decided_at=now, decided_by=actor.user, reason=f"Header updated: {label}")


# ------------------------------------------------------------------------------------- floors, blockers
def grade_floor(log: Log, policy: Policy) -> str | None:
    """D5: a log has the floor of every scheme in force (review overdue included, M2) whose victim, address
    or phone is on it as a caller, victim or location (policy `scheme_floor_roles`); the same number or
    place as a suspect's, a witness's or mentioned sets no floor."""
    roles = set(policy["scheme_floor_roles"])
    parties = [rules.PartyFact(p.role, p.person_id, p.address_id, p.phone_id) for p in on_logs.on_log(log.pk)
               if p.role in roles]
    people = older_only({p.person_id for p in parties if p.person_id}, Person, SpecialScheme)
    places = older_only({p.address_id for p in parties if p.address_id}, Address, SpecialScheme)
    phones = older_only({p.phone_id for p in parties if p.phone_id}, Phone, SpecialScheme)
    if not (people or places or phones):
        return None
    schemes = [rules.SchemeFact(pk, victim, address, phone, floor) for pk, victim, address, phone, floor in
               SpecialScheme.objects.filter(Q(victim_id__in=people) | Q(address_id__in=places) | Q(
                   phone_id__in=phones), SpecialScheme.in_force(clock.now())).values_list(
                   "pk", "victim_id", "address_id", "phone_id", "grade_floor")]
    return rules.protected_floor(parties, schemes, policy)


def dismissed_concerns(log: Log, family: list[int], policy: Policy) -> list[dict[str, Any]]:
    """L10: the child, domestic-abuse, weapons and exploitation prompts dismissed on a log (policy kinds).
    Closing it then needs a positive outcome or a supervisor's rationale, as for a flagged log."""
    kinds = list(policy["dismissal_close_prompt_kinds"])
    return [
        {"id": p.pk, "safeguard": p.safeguard, "kind": p.kind, "text": p.text, "reason": p.reason,
         "by": p.decided_by.display if p.decided_by else ""}
        for p in Prompt.objects.filter(log_id__in=family, state="dismissed", kind__in=kinds)
        .select_related("decided_by").order_by("id")[:50]
    ]


def close_blockers(log: Log, family: list[int]) -> list[Blocker]:
    """Open prompts (C2, C3, C6, C7, C8, C9, M3) and outstanding mandatory checks (C5, M4) block closing."""
    found: list[Blocker] = []
    open_prompts = list(Prompt.objects.filter(log_id__in=family, state="open", blocking=True).order_by("id"))
    if open_prompts:
        first = open_prompts[0]
        found.append(Blocker(
            safeguard=first.safeguard,
            message=f"{len(open_prompts)} prompt(s) on this log have not been answered.",
            next_step="Accept or dismiss each prompt (with a reason), then close.",
            items=[{"id": p.pk, "safeguard": p.safeguard, "text": p.text} for p in open_prompts],
        ))
    checks = list(Check.objects.filter(log_id__in=family, state="outstanding", mandatory=True).order_by("id"))
    if checks:
        firearms = [c for c in checks if c.kind == "firearms_licensing"]
        found.append(Blocker(
            safeguard="M4" if firearms and len(firearms) == len(checks) else "C5",
            message=f"{len(checks)} mandatory check(s) are outstanding.",
            next_step="Run each check and record its result (or why it was not possible), then close.",
            items=[{"id": c.pk, "kind": c.get_kind_display(), "subject": c.subject} for c in checks],
        ))
    return found


def log_details(log: Log) -> dict[str, Any]:
    """What a log view shows from people and context: who is on it, its prompts and its checks."""
    return {
        "parties": [
            {"id": p.pk, "role": p.role, "person": {"id": p.person_id, "name": p.person.name} if p.person else None,
             "phone": p.phone.e164 if p.phone else None, "address": p.address.text if p.address else None}
            for p in LogParty.objects.filter(log=log).select_related("person", "phone", "address").order_by("at", "id")
        ],
        "prompts": [
            {"id": p.pk, "safeguard": p.safeguard, "kind": p.kind, "text": p.text, "state": p.state,
             "suggestion": p.suggestion, "suggested_category": p.suggested_category, "blocking": p.blocking,
             "reason": p.reason, "details": p.details}
            for p in Prompt.objects.filter(log=log).order_by("id")
        ],
        "checks": [
            {"id": c.pk, "kind": c.kind, "label": c.get_kind_display(), "subject": c.subject, "state": c.state,
             "mandatory": c.mandatory, "why": c.why, "result": c.result}
            for c in Check.objects.filter(log=log).order_by("id")
        ],
    }


def register() -> None:
    from watchkeeper.incidents import hooks

    on_logs.connect()
    hooks.AFTER_CONTACT.append(after_contact)
    hooks.AFTER_ENTRIES.append(after_entries)
    hooks.AFTER_CLASSIFICATION.append(after_classification)
    hooks.GRADE_FLOORS.append(grade_floor)
    hooks.CLOSE_BLOCKERS.append(close_blockers)
    hooks.DISMISSED_CONCERNS.append(dismissed_concerns)
    hooks.LOG_DETAILS.append(log_details)
    hooks.AFTER_MESSAGE.append(after_message)
    hooks.MERGE_PARTIES.append(merge_parties)
    hooks.RAISE_PARTIES.append(raise_parties)
    hooks.OPEN_MATCHES.append(open_matches)
    # L12, C1, M1, M3, M4: one officer-safety summary per log, the same in every view.
    from watchkeeper.people import summary

    hooks.RISK_SUMMARY.append(summary.summaries)
    hooks.LOG_DETAILS.append(summary.log_details)

    # The log page's panels: the prompts and checks, the people on the log, and the live context lookup,
    # each built from people's own routes (the log page names none of them).
    hooks.add_panel(hooks.Panel("main", "people/_panel_prompts.html", order=10))
    hooks.add_panel(hooks.Panel("main", "people/_panel_parties.html", order=20))
    hooks.add_panel(hooks.Panel("side", "people/_panel_context.html", order=10))
