"""Read models for the people pages: what the context pane, a log's people and prompts, the person picker and
the person, address and phone pages show, gathered in a few queries.

Reads only. Reading about people is audited with why (A2) by the actions these call (`actions.context`,
`actions.view_person`); the views parse, call these and render.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q
from django.http import QueryDict

from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import NotFound
from watchkeeper.incidents.models import Log
from watchkeeper.people import actions, rules
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
    Prompt,
    Relationship,
    Residence,
    SpecialScheme,
)
from watchkeeper.staff.models import User

IN_FORCE = ("active", "review_overdue")  # M2: the scheme states in which its floor applies (D5)


PARTY_ROLES = [r for r in ROLES if r[0] != "location"]


def _outcome_labels() -> dict[str, str]:
    policy = current_policy()
    return {c["code"]: c["label"] for c in [*policy["closing_codes"], *policy["cancellation_codes"]]}


def context_view(ctx: Any, query: dict[str, Any]) -> dict[str, Any]:
    """The context as the pane shows it: history with outcome labels, what is not shown counted."""
    data = ctx.as_dict()
    labels = _outcome_labels()
    for h in data["history"]:
        h["outcome_label"] = labels.get(h["outcome"], h["outcome"])
    limit = int(current_policy()["context_list_limit"])
    data["history_more"] = max(0, data["history_total"] - limit) if data["history_total"] > limit else 0
    data["queried"] = any(str(query.get(k) or "").strip() for k in ("phone", "address", "name"))
    data["found"] = any(data[k] for k in ("phones", "addresses", "people", "history", "markers", "schemes",
                                          "orders", "linked", "firearms"))
    # M2: a scheme past its end date without a decision is in force ("review overdue") and listed with the live ones.
    data["schemes_active"] = [s for s in data["schemes"] if s["state"] in IN_FORCE]
    data["schemes_lapsed"] = [s for s in data["schemes"] if s["state"] not in IN_FORCE]
    data["markers_active"] = [m for m in data["markers"] if m["active"]]
    data["markers_ended"] = [m for m in data["markers"] if not m["active"]]
    return data


def chosen_parties(params: QueryDict) -> list[int]:
    """The people ticked in the New contact panel (`parties.<id>.person_id`), in the order the form sent them."""
    found: list[int] = []
    for key in params:
        m = re.fullmatch(r"parties\.\d+\.person_id", key)
        value = params.get(key) or ""
        if m and value.isdigit() and int(value) not in found:
            found.append(int(value))
    return found


def party_picks(data: dict[str, Any], params: QueryDict, on_log: dict[int, str] | None = None) -> None:
    """C1: beside each person the panel found (and each linked person), a role and a control to attach them:
    what the context proposes (the caller; the involved, with their officer-safety markers) is preselected
    and named. On New contact the choice travels with the raise form (`parties.<id>.person_id` when ticked,
    `parties.<id>.role`, indexed by the person's id) and is kept when the panel refreshes; on a log's page
    `on_log` says who is already on it, in which role."""
    from watchkeeper.people.hooks import proposals_from

    proposals = {p.person_id: p for p in proposals_from(data["people"], data["linked"])}
    chosen = set(chosen_parties(params))
    labels = dict(Marker.KINDS)
    seen: set[int] = set()
    for line in [*data["people"], *data["linked"]]:
        pid = int(line["id"])
        if pid in seen:  # a linked person the panel also found: one control, beside the first
            line["pick"] = None
            continue
        seen.add(pid)
        proposal = proposals.get(pid)
        default = "caller" if proposal and proposal.role == "caller" else "mentioned"
        # The role sent back is the handler's choice only if it is not the default the panel last showed:
        # a name typed before the phone shows her as "mentioned"; once the phone resolves to her she is
        # proposed as the caller, unless the handler chose a role themselves.
        given = params.get(f"parties.{pid}.role") or ""
        line["pick"] = {
            "role": given if given and given != params.get(f"parties.{pid}.default") else default,
            "default": default,
            "chosen": pid in chosen,
            "proposed": proposal.role if proposal else "",
            "proposed_markers": [labels.get(k, k) for k in proposal.markers] if proposal else [],
            "on_log": (on_log or {}).get(pid, ""),
        }
    data["party_roles"] = PARTY_ROLES


def second_call(query: dict[str, Any], params: QueryDict) -> dict[str, Any]:
    """L8: the open logs this contact matches (phone, place, named person), for "attach to that log" first."""
    from watchkeeper.incidents import hooks as log_hooks

    policy = current_policy()
    matches = log_hooks.open_matches(query.get("phone") or "", query.get("address") or "", query.get("name") or "",
                                     chosen_parties(params), policy)
    return {"matches": matches, "hours": int(policy["second_call_hours"]),
            "second_call_reason": params.get("second_call_reason", "")}


def log_query(log: Log) -> dict[str, Any]:
    parties = list(LogParty.objects.filter(log=log).select_related("person", "phone", "address").order_by("at"))
    phone = next((p.phone.e164 for p in parties if p.phone and p.role == "caller"), None) or next(
        (p.phone.e164 for p in parties if p.phone), "")
    place = next((p.address.text for p in parties if p.address and p.role == "location"), None) or log.location
    named = sorted((p for p in parties if p.person), key=lambda p: (p.role not in ("caller", "victim"), p.at))
    person = named[0].person if named else None
    return {"phone": phone, "address": place or "", "name": person.name if person else "",
            "dob": person.dob if person else None}


def pick_matches(ctx: Any) -> list[dict[str, Any]]:
    """The people a name lookup found, each with their active markers (for the person picker)."""
    ids = [p["id"] for p in ctx.people]
    marks = active_markers(Q(person_id__in=ids))
    return [{**p, "markers": marks.get(("person", p["id"]), [])} for p in ctx.people]


def active_markers(where: Q) -> dict[tuple[str, int], list[Marker]]:
    """Active markers keyed by what they are on, for badges beside people, phones and places."""
    out: dict[tuple[str, int], list[Marker]] = {}
    for m in Marker.objects.filter(where, ended_at__isnull=True).order_by("-created_at"):
        for kind, pk in (("person", m.person_id), ("address", m.address_id), ("phone", m.phone_id)):
            if pk is not None:
                out.setdefault((kind, pk), []).append(m)
    return out


def parties(log: Log) -> list[dict[str, Any]]:
    rows = list(LogParty.objects.filter(log=log).select_related("person", "phone", "address").order_by("at", "id"))
    person_ids = [r.person_id for r in rows if r.person_id]
    phone_ids = [r.phone_id for r in rows if r.phone_id]
    address_ids = [r.address_id for r in rows if r.address_id]
    marks = active_markers(Q(person_id__in=person_ids) | Q(phone_id__in=phone_ids) | Q(address_id__in=address_ids))
    now = clock.now()
    schemes = SpecialScheme.objects.filter(Q(phone_id__in=phone_ids) | Q(address_id__in=address_ids)).filter(
        SpecialScheme.in_force(now))
    floors: dict[tuple[str, int], list[SpecialScheme]] = {}
    for s in schemes:
        key = ("phone", s.phone_id) if s.phone_id else ("address", s.address_id or 0)
        floors.setdefault(key, []).append(s)
    roles = dict(ROLES)
    out = []
    for r in rows:
        out.append({
            "id": r.pk, "role": r.role, "role_label": roles.get(r.role, r.role), "at": r.at,
            "person": r.person, "phone": r.phone, "address": r.address,
            "person_markers": marks.get(("person", r.person_id or 0), []),
            "phone_markers": marks.get(("phone", r.phone_id or 0), []),
            "address_markers": marks.get(("address", r.address_id or 0), []),
            "schemes": floors.get(("phone", r.phone_id or 0), []) + floors.get(("address", r.address_id or 0), []),
        })
    return out


HIGHLIGHT_CONTEXT = 80


def highlight(text: str, spans: Any) -> list[tuple[str, bool]]:
    """C3: the part of an entry around the words that raised a cue prompt, as (text, marked) pieces: every
    span marked, at most `HIGHLIGHT_CONTEXT` characters of context kept around each, gaps shown as "…".
    Spans that do not fit the text are ignored (an entry is never edited, so stored spans stay valid)."""
    good = sorted({(int(s), int(e)) for s, e in (spans or [])[:20]
                   if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)})
    merged: list[list[int]] = []
    for s, e in good:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for s, e in merged:
        lo = max(pos, s - HIGHLIGHT_CONTEXT)
        if lo > pos:
            pieces.append(("…", False))
        pieces.append((text[lo:s], False))
        pieces.append((text[s:e], True))
        pos = e
    if merged:
        hi = min(len(text), pos + HIGHLIGHT_CONTEXT)
        pieces.append((text[pos:hi] + ("…" if hi < len(text) else ""), False))
    return [(t, m) for t, m in pieces if t]


def prompts(log: Log) -> list[Prompt]:
    policy = current_policy()
    prompts = list(Prompt.objects.filter(log=log).select_related("decided_by", "entry"))
    prompts.sort(key=lambda p: (p.state != "open", -p.pk))
    for p in prompts:
        spans = p.details.get("spans") if isinstance(p.details, dict) else None
        if spans and p.entry is not None:  # C3: which words raised it, highlighted in the entry
            p.highlight = highlight(p.entry.text, spans)  # type: ignore[attr-defined]
        if p.suggestion == "reclassify" and p.suggested_category:
            p.accept_label = f"Accept: reclassify as {policy.category_label(p.suggested_category)}"  # type: ignore[attr-defined]
        elif p.suggestion == "add_flag" and p.details.get("flag"):
            p.accept_label = f"Accept: add the {policy.flag_label(str(p.details['flag']))} marker"  # type: ignore[attr-defined]
        elif p.suggestion == "create_task":
            p.accept_label = "Accept: create the task"  # type: ignore[attr-defined]
        else:
            p.accept_label = "Accept"  # type: ignore[attr-defined]
    return prompts


def checks(log: Log) -> list[Check]:
    checks = list(Check.objects.filter(log=log).select_related("done_by", "person", "phone", "address"))
    checks.sort(key=lambda c: (c.state != "outstanding", not c.mandatory, c.pk))
    return checks


def log_part(log: Log, part: str) -> dict[str, Any]:
    """What a log's people section ("parties") or prompts and checks section ("prompts") shows."""
    ctx: dict[str, Any] = {"log": log, "part": part}
    if part == "prompts":
        ctx["prompts"] = prompts(log)
        ctx["open_prompts"] = sum(1 for p in ctx["prompts"] if p.state == "open")
        ctx["checks"] = checks(log)
        ctx["outstanding"] = sum(1 for c in ctx["checks"] if c.state == "outstanding")
        ctx["check_kinds"] = Check.KINDS
        ctx["log_people"] = [r["person"] for r in parties(log) if r["person"]]
        ctx["party_roles"] = PARTY_ROLES
    else:
        ctx["parties"] = parties(log)
        ctx["roles"] = [r for r in ROLES if r[0] != "location"] + [("location", "Location")]
    return ctx


def log_context(ctx: Any, query: dict[str, Any], log: Log, params: QueryDict) -> dict[str, Any]:
    """C1 on a log's page: the context of its caller phone, place and first named person, without the log
    itself in its history, each person found offered for the log (or shown as on it already)."""
    data = context_view(ctx, query)
    # This log is not its own history: only what came before it, or alongside it, is context.
    shown = len(data["history"])
    data["history"] = [h for h in data["history"] if h["log"] != log.reference]
    data["history_total"] = max(0, data["history_total"] - (shown - len(data["history"])))
    roles = dict(ROLES)
    on_log: dict[int, str] = {}
    for pid, role in LogParty.objects.filter(log=log, person__isnull=False).order_by("at", "id").values_list(
            "person_id", "role"):
        on_log.setdefault(pid, roles.get(role, role))
    party_picks(data, params, on_log)
    return data


def subject_data(actor: Actor, kind: str, pk: int, purpose: str) -> dict[str, Any]:
    """A person, address or phone page: its view audited with the purpose given (A2), then what it shows."""
    if kind == "person":
        person = actions.view_person(actor, pk, purpose=purpose)
        return person_data(person)
    actor.require("person.view")
    if kind == "address":
        address = address_of(pk)
        ctx = actions.context(actor, address=address.text, purpose=purpose)
        return {"address": address, **place_data(Q(address=address), ctx), **address_extra(address)}
    phone = phone_of(pk)
    ctx = actions.context(actor, phone=phone.e164, purpose=purpose)
    users = [u.person for u in phone.users.select_related("person").order_by("-created_at")]
    return {"phone": phone, "users": users, **place_data(Q(phone=phone), ctx)}


def _scheme_state(s: SpecialScheme, now: Any) -> str:
    """M2: removed, future, active, or review_overdue (past its end, undecided: still in force)."""
    return s.state_at(now)


def schemes(where: Q) -> list[SpecialScheme]:
    now = clock.now()
    rows = list(SpecialScheme.objects.filter(where).select_related("victim", "address", "phone", "officer",
                                                                    "removed_by").prefetch_related("contacts__by")
                .order_by("-ends_at"))
    for s in rows:
        s.state = _scheme_state(s, now)  # type: ignore[attr-defined]
    rows.sort(key=lambda s: (s.state not in IN_FORCE, -s.ends_at.timestamp()))  # type: ignore[attr-defined]
    return rows


def orders(where: Q) -> list[Order]:
    today = clock.local(clock.now()).date()
    rows = list(Order.objects.filter(where).distinct().select_related("restricted")
                .prefetch_related("protected_people", "protected_addresses").order_by("-starts_on"))
    for o in rows:
        o.in_force = o.starts_on <= today and (o.ends_on is None or o.ends_on >= today)  # type: ignore[attr-defined]
        o.class_labels = [rules.describe_class(c) for c in o.protected_classes or []]  # type: ignore[attr-defined]
    return rows


def markers(where: Q) -> list[Marker]:
    rows = list(Marker.objects.filter(where).select_related("owner", "ended_by"))
    rows.sort(key=lambda m: (m.ended_at is not None, -m.created_at.timestamp()))
    today = clock.local(clock.now()).date()
    for m in rows:
        m.review_overdue = m.ended_at is None and m.review_at < today  # type: ignore[attr-defined]
    return rows


def history(ctx: Any) -> dict[str, Any]:
    data = context_view(ctx, {"phone": "x"})
    return {"history": data["history"], "history_more": data["history_more"]}


def place_data(where: Q, ctx: Any) -> dict[str, Any]:
    return {"markers": markers(where), "schemes": schemes(where), **history(ctx)}


def address_extra(address: Address) -> dict[str, Any]:
    return {
        "residents": list(Residence.objects.filter(address=address).select_related("person")
                          .order_by("-current", "-created_at")),
        "orders": orders(Q(protected_addresses=address)),
        "certificates": list(FirearmsCertificate.objects.filter(address=address).select_related("holder")
                             .order_by("-expires_on")),
    }


def person_data(person: Person) -> dict[str, Any]:
    today = clock.local(clock.now()).date()
    rels = []
    for r in Relationship.objects.filter(Q(person=person) | Q(other=person)).select_related("person", "other"):
        other = r.other if r.person_id == person.pk else r.person
        rels.append({"other": other, "kind": r.get_kind_display(), "ended": r.ended_at is not None,
                     "markers": list(other.markers.filter(ended_at__isnull=True).order_by("-created_at"))})
    residences = list(person.residences.select_related("address").order_by("-current", "-created_at"))
    phones = [u.phone for u in person.phone_uses.select_related("phone").order_by("-created_at")]
    return {
        "person": person,
        "age": rules.age_on(person.dob, None, today),
        "aliases": [a.name for a in person.aliases.all()],
        "markers": markers(Q(person=person)),
        "schemes": schemes(Q(victim=person)),
        "orders_restricting": orders(Q(restricted=person)),
        "orders_protecting": orders(Q(protected_people=person)),
        "relationships": rels,
        "residences": residences,
        "phones": phones,
        "certificates": list(person.certificates.select_related("address").order_by("-expires_on")),
        "timeline": actions.timeline(person),
        "relationship_kinds": Relationship.KINDS,
        "marker_kinds": Marker.KINDS,
        "order_kinds": Order.KINDS,
        "class_relationships": [(k, label) for k, label in Relationship.KINDS if k in rules.CLASS_RELATIONSHIPS],
        "sexes": Person.SEXES,
        "grades": current_policy()["grades"],
        "default_floor": current_policy()["scheme_default_floor"],
        "staff": list(User.objects.filter(is_active=True).order_by("last_name", "username")),
        "place_choices": [r.address.text for r in residences],
        "phone_choices": [p.e164 for p in phones],
    }


def address_of(pk: int) -> Address:
    a = Address.objects.filter(pk=pk).first()
    if a is None:
        raise NotFound(f"No address {pk}.")
    return a


def phone_of(pk: int) -> Phone:
    ph = Phone.objects.filter(pk=pk).first()
    if ph is None:
        raise NotFound(f"No phone {pk}.")
    return ph
