"""Links and merges (L7)."""

from __future__ import annotations

from django.db.models import Q

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents import hooks, rules
from watchkeeper.incidents.actions.common import (
    _append,
    _repropose,
    _snapshot,
    family_ids,
    resolve,
)
from watchkeeper.incidents.models import (
    Contact,
    Link,
    Log,
)


def link_logs(actor: Actor, reference: str, other: str, *, kind: str, reason: str = "") -> Link:
    """L7: logs about the same or related events are linked; a counter-allegation is always a link."""
    actor.require("log.link")
    policy = current_policy()
    kind = v.choice(kind, "kind", [k for k, _ in Link.KINDS])
    reason = v.text(reason, "reason", max_length=2000, required=False)
    with unit_of_work():
        a, _ = resolve(reference)
        b, _ = resolve(other)
        if a.pk == b.pk:
            raise Invalid("A log cannot be linked to itself", "other")
        first, second = sorted([a, b], key=lambda x: x.pk)
        first = Log.objects.select_for_update().get(pk=first.pk)
        second = Log.objects.select_for_update().get(pk=second.pk)
        a, b = (first, second) if a.pk == first.pk else (second, first)
        if Link.objects.filter(Q(from_log=a, to_log=b) | Q(from_log=b, to_log=a), kind=kind).exists():
            raise Refusal("These logs are already linked that way.", status=409)
        link = _link_locked(actor, a, b, kind=kind, reason=reason, policy=policy)
        audit.record(actor, "log.linked", "log", a.reference,
                     after={"other": b.reference, "kind": kind, "reason": reason})
    return link


def _link_locked(actor: Actor, a: Log, b: Log, *, kind: str, reason: str, policy: Policy) -> Link:
    """L7: link two locked logs; each open one says so in its narrative (the caller writes the audit)."""
    link = Link.objects.create(from_log=a, to_log=b, kind=kind, reason=reason, created_at=clock.now(),
                               created_by=actor.person)
    label = dict(Link.KINDS)[kind]
    for x, y in ((a, b), (b, a)):
        if x.status == "open":
            _append(actor, x, "link", f"Linked to {y.reference} ({label})" + (f": {reason}" if reason else ""),
                    policy=policy)
    return link


def _merge_facts(log: Log) -> rules.MergeFacts:
    family = family_ids(log)
    contacts = Contact.objects.filter(log_id__in=family)
    callers: set[str] = set()
    for c in contacts:
        callers |= rules.normalise_caller(c.caller_name, c.caller_phone)
    parties = {c.party.casefold() for c in contacts if c.party} | hooks.merge_parties(family)
    return rules.MergeFacts(
        reference=log.reference,
        status=log.status,
        callers=frozenset(callers),
        parties=frozenset(parties),
        allegations=frozenset(rules.normalise_allegation(c.allegation) for c in contacts),
    )


def merge_logs(actor: Actor, source: str, target: str, *, reason: str) -> Log:
    """L7 and L1: merge a true duplicate into the surviving log. Every account stays visible; the merged
    log keeps its reference, which resolves to the survivor forever."""
    actor.require("log.merge")
    policy = current_policy()
    reason = v.text(reason, "reason", max_length=2000, required=False)
    with unit_of_work():
        src = Log.objects.filter(reference=source.strip()).first()
        tgt, _ = resolve(target)
        if src is None:
            raise NotFound(f"No log has reference {source!r}.")
        first, second = sorted([src, tgt], key=lambda x: x.pk)
        locked = {x.pk: Log.objects.select_for_update().get(pk=x.pk) for x in (first, second)}
        src, tgt = locked[src.pk], locked[tgt.pk]
        kinds = Link.objects.filter(
            Q(from_log=src, to_log=tgt) | Q(from_log=tgt, to_log=src)
        ).values_list("kind", flat=True)
        rules.check_merge(_merge_facts(src), _merge_facts(tgt), kinds, reason)
        before = _snapshot(src)
        src.status, src.merged_into = "merged", tgt
        src.save(update_fields=["status", "merged_into"])
        for f in src.flags:
            if f not in tgt.flags:
                tgt.flags = [*tgt.flags, f]
        tgt.save(update_fields=["flags"])
        _append(actor, src, "system", f"Merged into {tgt.reference}: {reason}", policy=policy)
        _append(actor, tgt, "system", f"{src.reference} merged into this log: {reason}. Its callers' accounts "
                "are shown under Accounts.", policy=policy)
        audit.record(actor, "log.merged", "log", src.reference, before=before, after=_snapshot(src),
                     reason=reason)
        hooks.run(hooks.AFTER_CLASSIFICATION, actor, tgt, policy)
        _repropose(actor, tgt, policy)
    return tgt
