"""What people and context add to incident logs, at the moment a log changes (registered with
`incidents.hooks` in PeopleConfig.ready). Everything runs inside the action's unit of work, so what a hook
writes commits or rolls back with the action, and is covered by the action's one audit record."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.db.models import Q

from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.incidents.hooks import Blocker
from watchkeeper.incidents.models import Contact, Entry, Log
from watchkeeper.people import rules
from watchkeeper.people.actions import address_for, phone_for, raise_prompt, tell_owner_and_supervisor
from watchkeeper.people.models import (
    Check,
    FirearmsCertificate,
    LogParty,
    Marker,
    Order,
    Person,
    PhoneUse,
    Prompt,
    Residence,
    SpecialScheme,
)

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
        if not LogParty.objects.filter(contact=contact, phone=phone, log__isnull=True).update(log=log):
            LogParty.objects.create(log=log, contact=contact, role="caller", phone=phone, at=contact.received_at)
    if log.location and not LogParty.objects.filter(log=log, role="location").exists():
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
    phones = list(LogParty.objects.filter(log=log, phone__isnull=False).values_list("phone_id", flat=True))
    places = list(LogParty.objects.filter(log=log, address__isnull=False).values_list("address_id", flat=True))
    if not phones and not places:
        return False
    people = set(PhoneUse.objects.filter(phone_id__in=phones).values_list("person_id", flat=True))
    people |= set(Residence.objects.filter(address_id__in=places, current=True).values_list("person_id", flat=True))
    now = clock.now()
    on_them = Q(phone_id__in=phones) | Q(address_id__in=places)
    if Marker.objects.filter(on_them | Q(person_id__in=people), kind__in=DOMESTIC_ABUSE_MARKERS,
                             ended_at__isnull=True).exists():
        return True
    if SpecialScheme.objects.filter(on_them, removed_at__isnull=True, starts_at__lte=now, ends_at__gt=now).exists():
        return True
    earlier = list(LogParty.objects.filter(on_them | Q(person_id__in=people), log__isnull=False).exclude(log=log)
                   .order_by("-at").values_list("log_id", flat=True)[:200])
    return any(category == "domestic_incident" or "domestic_abuse" in (flags or [])
               for category, flags in Log.objects.filter(pk__in=earlier).values_list("category", "flags"))


# -------------------------------------------------------------------------------------------- parties
def after_parties(actor: Actor, log: Log, policy: Policy) -> None:
    """Who is involved decides: a possible breach (M3), a firearms referral (M4), a pattern (C8), a child
    (C2) and an address that differs from the one held (C7)."""
    parties = list(LogParty.objects.filter(log=log).select_related("person", "address"))
    person_ids = {p.person_id for p in parties if p.person_id}
    address_ids = {p.address_id for p in parties if p.address_id}
    today = clock.local(clock.now()).date()
    if person_ids:
        _possible_breach(log, person_ids, address_ids, today)
        _pattern(log, person_ids, policy)
        _firearms(log, policy, person_ids, address_ids)
        for person in Person.objects.filter(pk__in=person_ids, dob__isnull=False):
            if rules.is_child(person.dob, None, today, policy):
                raise_prompt(log, safeguard="C2", kind="child", suggestion="add_flag", details={"flag": "child"},
                             text=f"{person.name} is under 18: consider child safeguarding.")
    for party in parties:
        if party.person_id and party.address_id:
            _address_discrepancy(actor, log, party, policy)


def _address_discrepancy(actor: Actor, log: Log, party: LogParty, policy: Policy) -> None:
    """C7: an address given for a person that differs from the one held: both are kept (the party keeps
    the one given, the person's residence the one held), the difference is flagged, and where the log was
    to deploy to the held address it now deploys to the newest one given."""
    held = Residence.objects.filter(person_id=party.person_id, current=True).select_related("address").first()
    if held is None or held.address_id == party.address_id:
        return
    assert party.person is not None and party.address is not None
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
    """M3: a restricted person together with a protected person or place on the same log."""
    facts = [
        rules.OrderFact(o.pk, o.kind, o.restricted_id,
                        frozenset(p.pk for p in o.protected_people.all()),
                        frozenset(a.pk for a in o.protected_addresses.all()), o.starts_on, o.ends_on)
        for o in Order.objects.filter(restricted_id__in=person_ids).prefetch_related("protected_people",
                                                                                      "protected_addresses")
    ]
    for order in rules.possible_breaches(facts, person_ids, address_ids, today):
        raise_prompt(log, safeguard="M3", kind="possible_breach", suggestion="add_flag",
                     details={"flag": "breach", "order": order.order_id},
                     text=f"Possible breach: {Order(kind=order.kind).get_kind_display()} (order {order.order_id}) "
                          "restricts a person on this log from a protected person or place on it.")


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
    parties = LogParty.objects.filter(log=log)
    return (set(parties.filter(person__isnull=False).values_list("person_id", flat=True)),
            set(parties.filter(address__isnull=False).values_list("address_id", flat=True)))


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
            raise_prompt(log, safeguard="C3", kind=f"cue_{family}", entry=entry, suggestion=p["suggestion"],
                         category=category, text=f"{p['reason']} {quoted}",
                         details={"phrases": p["phrases"], "family": family})
    _firearms(log, policy, *_log_parties(log))


def _reclassify_to_missing(actor: Actor, log: Log, entry: Entry, quoted: str, cue: dict[str, Any]) -> None:
    if Prompt.objects.filter(log=log, kind="reclassify_missing", state="open").exists():
        return
    prompt = raise_prompt(
        log, safeguard="C6", kind="reclassify_missing", entry=entry, suggestion="reclassify",
        category="missing_person", details={"phrases": cue["phrases"], "family": "missing"},
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
    have = set(Check.objects.filter(log=log).values_list("kind", flat=True))
    phones = LogParty.objects.filter(log=log, phone__isnull=False).select_related("phone")
    phone = phones.filter(role="caller").order_by("at", "id").first() or phones.order_by("at", "id").first()
    places = LogParty.objects.filter(log=log, address__isnull=False).select_related("address")
    place = places.filter(role="location").order_by("-at", "-id").first() or places.order_by("-at", "-id").first()
    for kind in kinds:
        if kind in have:
            continue
        on_phone = kind in ("previous_incidents_phone", "caller")
        on_place = kind in ("previous_incidents_address", "location")
        subject = ((phone.phone.e164 if phone else "the caller's number") if on_phone else
                   (place.address.text if place else log.location or "the location") if on_place else
                   "the people on this log")
        Check.objects.create(log=log, kind=kind, subject=subject[:200], mandatory=True,
                             phone=phone.phone if phone and on_phone else None,
                             address=place.address if place and on_place else None,
                             why=f"C5: required for {', '.join(log.flags) or log.category}", created_at=clock.now())
    _firearms(log, policy, *_log_parties(log))
    if log.category == "abandoned_call":
        abandoned_call_workflow(log, policy)
    else:
        _header_updated(actor, log, policy)


def _header_updated(actor: Actor, log: Log, policy: Policy) -> None:
    now = clock.now()
    label = policy.category_label(log.category)
    Prompt.objects.filter(log=log, kind="abandoned_header", state="open").update(
        state="accepted", decided_at=now, decided_by=actor.user, reason=f"Header updated: {label}")


# ------------------------------------------------------------------------------------- floors, blockers
def grade_floor(log: Log, policy: Policy) -> str | None:
    """D5: calls from a phone or address under an active special scheme have its grade floor."""
    now = clock.now()
    phones = list(LogParty.objects.filter(log=log, phone__isnull=False).values_list("phone_id", flat=True))
    places = list(LogParty.objects.filter(log=log, address__isnull=False).values_list("address_id", flat=True))
    if not phones and not places:
        return None
    floors = SpecialScheme.objects.filter(Q(phone_id__in=phones) | Q(address_id__in=places), removed_at__isnull=True,
                                          starts_at__lte=now, ends_at__gt=now).values_list("grade_floor", flat=True)
    return rules.grade_floor(list(floors), policy)


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
             "reason": p.reason}
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

    hooks.AFTER_CONTACT.append(after_contact)
    hooks.AFTER_ENTRIES.append(after_entries)
    hooks.AFTER_CLASSIFICATION.append(after_classification)
    hooks.GRADE_FLOORS.append(grade_floor)
    hooks.CLOSE_BLOCKERS.append(close_blockers)
    hooks.LOG_DETAILS.append(log_details)
    hooks.AFTER_MESSAGE.append(after_message)
    hooks.MERGE_PARTIES.append(merge_parties)
