"""Pages for people, places and call-time context: the context pane that fills as a handler types (C1), the
people, prompts and checks on a log (C2, C3, C5-C9, M3, M4), and the person, address and phone pages with
their markers, schemes, orders and timelines (M1-M4, C8).

Thin, like the log pages: parse the form, call one action from `watchkeeper.people.actions`, render. Reading
about people is always audited with why (A2): the context pane says "call-time context"; a person, address or
phone page asks the viewer first. A refusal is shown beside the control that caused it, with a 4xx status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from watchkeeper.core import clock
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.incidents import actions as log_actions
from watchkeeper.incidents.models import Log
from watchkeeper.incidents.views import _date, _datetime, _int, actor_of
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
from watchkeeper.staff.roles import allowed

CALL_TIME = "call-time context"

# "Why are you looking?": the common reasons, and free text for the rest (A2: the audit names why).
PURPOSE_REASONS = [
    ("log", "A caller or party on a log I am handling"),
    ("check", "A check asked for on a log"),
    ("safeguarding", "Safeguarding or risk assessment"),
    ("review", "Reviewing a marker, scheme or order"),
    ("assurance", "Quality assurance or audit"),
    ("other", "Another reason (say below)"),
]
IN_FORCE = ("active", "review_overdue")  # M2: the scheme states in which its floor applies (D5)
PERMISSIONS = ("person.manage", "marker.manage", "scheme.manage", "order.manage", "check.run", "log.update")


def _may(request: HttpRequest) -> dict[str, bool]:
    """What this person's role lets them do here, so forms are offered only to those who may use them."""
    role = getattr(request.user, "role", "")
    return {p.replace(".", "_"): allowed(role, p) for p in PERMISSIONS}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def purpose_from(params: QueryDict) -> str | None:
    """The purpose a viewer gave: a carried-over purpose, or a reason from the list with optional detail.
    None when they have not said yet (the page asks); Invalid when what they said is not enough."""
    carried = params.get("purpose", "").strip()
    if carried:
        return carried
    reason, detail = params.get("reason", ""), " ".join(params.get("detail", "").split())
    if not reason and not detail:
        return None
    label = dict(PURPOSE_REASONS).get(reason)
    if label is None:
        raise Invalid("Choose why you are looking from the list", "reason")
    if reason == "other":
        if not detail:
            raise Invalid("Say why you are looking", "detail")
        return detail
    return f"{label}: {detail}" if detail else label


# ------------------------------------------------------------------------------------------- context
def _context_query(params: QueryDict) -> dict[str, Any]:
    """What the handler has typed, under the call-taking form's names or the plain ones."""
    return {
        "phone": params.get("phone") or params.get("caller_phone", ""),
        "address": params.get("address") or params.get("location", ""),
        "name": params.get("name") or params.get("caller_name", ""),
        "dob": _date(params.get("dob") or params.get("caller_dob"), "dob"),
    }


def _outcome_labels() -> dict[str, str]:
    policy = current_policy()
    return {c["code"]: c["label"] for c in [*policy["closing_codes"], *policy["cancellation_codes"]]}


def _context_view(ctx: Any, query: dict[str, Any]) -> dict[str, Any]:
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


PARTY_ROLES = [r for r in ROLES if r[0] != "location"]


def _party_picks(data: dict[str, Any], params: QueryDict, on_log: dict[int, str] | None = None) -> None:
    """C1: beside each person the panel found (and each linked person), a role and a control to attach them:
    what the context proposes (the caller; the involved, with their officer-safety markers) is preselected
    and named. On New contact the choice travels with the raise form (`party`, `party_role_<id>`) and is
    kept when the panel refreshes; on a log's page `on_log` says who is already on it, in which role."""
    from watchkeeper.people.hooks import proposals_from

    proposals = {p.person_id: p for p in proposals_from(data["people"], data["linked"])}
    chosen = {v for v in params.getlist("party") if v.isdigit()}
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
        given = params.get(f"party_role_{pid}") or ""
        line["pick"] = {
            "role": given if given and given != params.get(f"party_default_{pid}") else default,
            "default": default,
            "chosen": str(pid) in chosen,
            "proposed": proposal.role if proposal else "",
            "proposed_markers": [labels.get(k, k) for k in proposal.markers] if proposal else [],
            "on_log": (on_log or {}).get(pid, ""),
        }
    data["party_roles"] = PARTY_ROLES


def _second_call(request: HttpRequest, query: dict[str, Any], params: QueryDict) -> dict[str, Any]:
    """L8: the open logs this contact matches (phone, place, named person), for "attach to that log" first."""
    from watchkeeper.incidents import hooks as log_hooks

    policy = current_policy()
    chosen = [int(v) for v in params.getlist("party") if v.isdigit()]
    matches = log_hooks.open_matches(query.get("phone") or "", query.get("address") or "", query.get("name") or "",
                                     chosen, policy)
    return {"matches": matches, "hours": int(policy["second_call_hours"]),
            "second_call_reason": params.get("second_call_reason", "")}


@login_required
@require_GET
def context_fragment(request: HttpRequest) -> HttpResponse:
    """C1: the context pane for what has been typed so far (phone, address, name and date of birth), newest
    first. On the call-taking screen it also fills the D5 slot beside the policy grade."""
    slot = request.GET.get("slot", "")
    try:
        query = _context_query(request.GET)
        purpose = CALL_TIME
        if "reason" in request.GET or "detail" in request.GET:  # the people search page asks why
            purpose = purpose_from(request.GET) or ""
            if not purpose:
                raise Invalid("Say why you are looking before searching", "reason")
        ctx = actions.context(actor_of(request), purpose=purpose, **query)
    except Refusal as exc:
        return render(request, "people/_context.html", {"error": exc, "slot": slot}, status=exc.status)
    data = _context_view(ctx, query)
    extra: dict[str, Any] = {}
    if slot == "new":
        _party_picks(data, request.GET)
        extra["second"] = _second_call(request, query, request.GET)
    return render(request, "people/_context.html", {"c": data, "policy": current_policy(), "slot": slot, **extra})


@login_required
@require_GET
def log_context(request: HttpRequest, reference: str) -> HttpResponse:
    """C1 on the log page: what is known about the log's caller phone, its place and its first named person."""
    try:
        actor = actor_of(request)
        actor.require("log.view")
        log, _ = log_actions.resolve(reference)
        query = _log_query(log)
        ctx = actions.context(actor, purpose=CALL_TIME, **query)
    except Refusal as exc:
        return render(request, "people/_context.html", {"error": exc}, status=exc.status)
    data = _context_view(ctx, query)
    # This log is not its own history: only what came before it, or alongside it, is context.
    shown = len(data["history"])
    data["history"] = [h for h in data["history"] if h["log"] != log.reference]
    data["history_total"] = max(0, data["history_total"] - (shown - len(data["history"])))
    roles = dict(ROLES)
    on_log: dict[int, str] = {}
    for pid, role in LogParty.objects.filter(log=log, person__isnull=False).order_by("at", "id").values_list(
            "person_id", "role"):
        on_log.setdefault(pid, roles.get(role, role))
    _party_picks(data, request.GET, on_log)
    may_attach = log.status == "open" and allowed(getattr(request.user, "role", ""), "log.update")
    return render(request, "people/_context.html", {"c": data, "policy": current_policy(), "on_log": True,
                                                    "log": log, "may_attach": may_attach})


def _log_query(log: Log) -> dict[str, Any]:
    parties = list(LogParty.objects.filter(log=log).select_related("person", "phone", "address").order_by("at"))
    phone = next((p.phone.e164 for p in parties if p.phone and p.role == "caller"), None) or next(
        (p.phone.e164 for p in parties if p.phone), "")
    place = next((p.address.text for p in parties if p.address and p.role == "location"), None) or log.location
    named = sorted((p for p in parties if p.person), key=lambda p: (p.role not in ("caller", "victim"), p.at))
    person = named[0].person if named else None
    return {"phone": phone, "address": place or "", "name": person.name if person else "",
            "dob": person.dob if person else None}


# --------------------------------------------------------------------------------------- person picker
@login_required
@require_GET
def pick(request: HttpRequest) -> HttpResponse:
    """Find an existing person by name (the context lookup, audited) to put on a log, relate or protect."""
    g = request.GET
    opts = {"field": g.get("field", "person_id"), "prefix": g.get("prefix", "pk"), "new": g.get("new") == "1",
            "none": g.get("none") == "1", "q": g.get("q", "").strip()}
    try:
        matches = _matches(request, opts["q"], _date(g.get("dob"), "dob"), g.get("why", "") or "finding a person")
    except Refusal as exc:
        return render(request, "people/_pick.html", {**opts, "error": exc}, status=exc.status)
    return render(request, "people/_pick.html", {**opts, "matches": matches})


def _matches(request: HttpRequest, q: str, dob: date | None, why: str) -> list[dict[str, Any]]:
    if not q:
        return []
    ctx = actions.context(actor_of(request), name=q, dob=dob, purpose=why[:200])
    ids = [p["id"] for p in ctx.people]
    marks = _active_markers(Q(person_id__in=ids))
    return [{**p, "markers": marks.get(("person", p["id"]), [])} for p in ctx.people]


def _active_markers(where: Q) -> dict[tuple[str, int], list[Marker]]:
    """Active markers keyed by what they are on, for badges beside people, phones and places."""
    out: dict[tuple[str, int], list[Marker]] = {}
    for m in Marker.objects.filter(where, ended_at__isnull=True).order_by("-created_at"):
        for kind, pk in (("person", m.person_id), ("address", m.address_id), ("phone", m.phone_id)):
            if pk is not None:
                out.setdefault((kind, pk), []).append(m)
    return out


# ---------------------------------------------------------------------------------------- log parts
def _open_log(request: HttpRequest, reference: str) -> Log:
    actor_of(request).require("log.view")
    log, _ = log_actions.resolve(reference)
    return log


def _parties(log: Log) -> list[dict[str, Any]]:
    rows = list(LogParty.objects.filter(log=log).select_related("person", "phone", "address").order_by("at", "id"))
    person_ids = [r.person_id for r in rows if r.person_id]
    phone_ids = [r.phone_id for r in rows if r.phone_id]
    address_ids = [r.address_id for r in rows if r.address_id]
    marks = _active_markers(Q(person_id__in=person_ids) | Q(phone_id__in=phone_ids) | Q(address_id__in=address_ids))
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


def _prompts(log: Log) -> list[Prompt]:
    policy = current_policy()
    prompts = list(Prompt.objects.filter(log=log).select_related("decided_by"))
    prompts.sort(key=lambda p: (p.state != "open", -p.pk))
    for p in prompts:
        if p.suggestion == "reclassify" and p.suggested_category:
            p.accept_label = f"Accept: reclassify as {policy.category_label(p.suggested_category)}"  # type: ignore[attr-defined]
        elif p.suggestion == "add_flag" and p.details.get("flag"):
            p.accept_label = f"Accept: add the {policy.flag_label(str(p.details['flag']))} marker"  # type: ignore[attr-defined]
        elif p.suggestion == "create_task":
            p.accept_label = "Accept: create the task"  # type: ignore[attr-defined]
        else:
            p.accept_label = "Accept"  # type: ignore[attr-defined]
    return prompts


def _checks(log: Log) -> list[Check]:
    checks = list(Check.objects.filter(log=log).select_related("done_by", "person", "phone", "address"))
    checks.sort(key=lambda c: (c.state != "outstanding", not c.mandatory, c.pk))
    return checks


def _part_context(request: HttpRequest, log: Log, part: str) -> dict[str, Any]:
    ctx: dict[str, Any] = {"log": log, "part": part, "may": _may(request), "policy": current_policy(),
                           "errors": {}, "form": {}}
    if part == "prompts":
        ctx["prompts"] = _prompts(log)
        ctx["open_prompts"] = sum(1 for p in ctx["prompts"] if p.state == "open")
        ctx["checks"] = _checks(log)
        ctx["outstanding"] = sum(1 for c in ctx["checks"] if c.state == "outstanding")
        ctx["check_kinds"] = Check.KINDS
        ctx["log_people"] = [r["person"] for r in _parties(log) if r["person"]]
        ctx["party_roles"] = PARTY_ROLES
    else:
        ctx["parties"] = _parties(log)
        ctx["roles"] = [r for r in ROLES if r[0] != "location"] + [("location", "Location")]
    return ctx


LOG_PARTS = {"prompts": "people/_log_prompts.html", "parties": "people/_log_parties.html"}


@login_required
@require_GET
def log_part(request: HttpRequest, reference: str, part: str) -> HttpResponse:
    """The prompts and checks, or the people, phones and places, on a log: refreshed live when a prompt
    arrives or the log changes."""
    if part == "context":
        return log_context(request, reference)
    if part not in LOG_PARTS:
        return render(request, "_refusal.html", {"error": Invalid(f"Unknown part {part!r}", "part")}, status=400)
    try:
        log = _open_log(request, reference)
    except Refusal as exc:
        return render(request, "_refusal.html", {"error": exc}, status=exc.status)
    return render(request, LOG_PARTS[part], _part_context(request, log, part))


def _log_do(request: HttpRequest, log: Log, what: str) -> str:
    """One action on a log's people, prompts or checks; returns what it did, for the announcement."""
    actor = actor_of(request)
    p = request.POST
    if what == "party":
        return _add_party(request, log)
    if what == "decide":
        accept = p.get("decision") == "accept"
        prompt = actions.decide_prompt(actor, _int(p.get("prompt_id"), "prompt_id") or 0, accept=accept,
                                       reason=p.get("reason", ""))
        return f"{prompt.safeguard} prompt {prompt.state}."
    if what == "check":
        actions.add_check(actor, log.reference, kind=p.get("kind", ""), subject=p.get("subject", ""),
                          person_id=_int(p.get("person_id"), "person_id"), phone=p.get("phone", ""),
                          address=p.get("address", ""), mandatory=p.get("mandatory") == "yes")
        return "Check added."
    if what == "check_result":
        check = actions.record_check(actor, _int(p.get("check_id"), "check_id") or 0, result=p.get("result", ""),
                                     system=p.get("system", ""), possible=p.get("possible") != "no")
        return f"Check recorded: {check.get_state_display()}."
    raise Invalid(f"Unknown action {what!r}", "action")


def _add_party(request: HttpRequest, log: Log) -> str:
    """Put someone (found, or new to the index), a phone or a place on the log in a role."""
    actor = actor_of(request)
    p = request.POST
    role = p.get("role", "")
    if role not in dict(ROLES):
        raise Invalid("Choose the role they have on this log", "role")
    chosen = p.get("person_id", "")
    person_id: int | None = None
    if chosen == "new":
        given, family = p.get("given_names", "").strip(), p.get("family_name", "").strip()
        if not family:
            given, family = rules.split_name(p.get("q", ""))
        person = actions.create_person(actor, given_names=given, family_name=family,
                                       dob=_date(p.get("dob"), "dob"))
        person_id = person.pk
    elif chosen:
        person_id = _int(chosen, "person_id")
    party = actions.link_party(actor, log.reference, role=role, person_id=person_id, phone=p.get("phone", ""),
                               address=p.get("address", ""))
    return f"{dict(ROLES)[party.role]} added to the log."


LOG_ACTION_PART = {"party": "parties", "decide": "prompts", "check": "prompts", "check_result": "prompts"}


@login_required
@require_POST
def log_do(request: HttpRequest, reference: str, what: str) -> HttpResponse:
    """A form in the log's people or prompts section. From the page (htmx) the section is re-rendered in
    place, with the refusal beside the form that caused it; without script, back to the log."""
    part = LOG_ACTION_PART.get(what, "prompts")
    try:
        log = _open_log(request, reference)
        done = _log_do(request, log, what)
    except Refusal as exc:
        if not _is_htmx(request):
            return render(request, "refused.html", {"error": exc}, status=exc.status)
        try:
            log = _open_log(request, reference)
        except Refusal:
            return render(request, "_refusal.html", {"error": exc}, status=exc.status)
        ctx = _part_context(request, log, part)
        ctx["errors"] = {_error_key(what, request.POST): exc}
        ctx["form"] = request.POST
        _attach_errors(ctx, ctx["errors"])
        return render(request, LOG_PARTS[part], ctx, status=exc.status)
    if not _is_htmx(request):
        return HttpResponseRedirect(f"/logs/{log.reference}/#{part}")
    log.refresh_from_db()
    ctx = _part_context(request, log, part)
    ctx["announce"] = done
    response = render(request, LOG_PARTS[part], ctx)
    if what == "party":
        response["HX-Trigger"] = "refresh-context"  # the context pane follows who is on the log
    return response


def _attach_errors(ctx: dict[str, Any], errors: dict[str, Refusal]) -> None:
    """Put each refusal beside the one prompt or check whose form caused it."""
    for p in ctx.get("prompts", []):
        p.error = errors.pop(f"decide-{p.pk}", None)
        p.error_id = f"dr-err-{p.pk}"
    for c in ctx.get("checks", []):
        c.error = errors.pop(f"check_result-{c.pk}", None)
    for key in [k for k in errors if "-" in k]:  # no longer on the page: shown at the section's head
        errors[key.split("-")[0]] = errors.pop(key)


def _error_key(what: str, post: QueryDict) -> str:
    """Which form a refusal belongs beside: per prompt or per check where the form is one of many."""
    for field in ("prompt_id", "check_id"):
        if post.get(field):
            return f"{what}-{post.get(field)}"
    return what


# ---------------------------------------------------------------------------------- people search
@login_required
@require_http_methods(["GET", "POST"])
def people_index(request: HttpRequest) -> HttpResponse:
    """Find a person, phone or address (the context lookup, with a purpose), or add a person to the index."""
    ctx: dict[str, Any] = {"reasons": PURPOSE_REASONS, "may": _may(request), "form": request.POST or {},
                           "policy": current_policy(), "sexes": Person.SEXES}
    if request.method == "POST":
        try:
            person = actions.create_person(
                actor_of(request), given_names=request.POST.get("given_names", ""),
                family_name=request.POST.get("family_name", ""), dob=_date(request.POST.get("dob"), "dob"),
                sex=request.POST.get("sex", "").strip(),
                aliases=[a.strip() for a in request.POST.get("aliases", "").split(";") if a.strip()])
        except Refusal as exc:
            ctx["error"] = exc
            return render(request, "people/index.html", ctx, status=exc.status)
        return HttpResponseRedirect(f"/people/{person.pk}/?" + urlencode({"purpose": "Added them to the index"}))
    return render(request, "people/index.html", ctx)


# ------------------------------------------------------------------------------- person, address, phone
SUBJECT_PATHS = {"person": "people", "address": "addresses", "phone": "phones"}


@dataclass
class Subject:
    """What a page is about: a person, an address or a phone."""

    kind: str
    pk: int

    @property
    def url(self) -> str:
        return f"/{SUBJECT_PATHS[self.kind]}/{self.pk}/"


def _purpose_form(request: HttpRequest, subject: Subject, error: Refusal | None = None) -> HttpResponse:
    title = {"person": "a person's record", "address": "an address", "phone": "a phone number"}[subject.kind]
    log_ref = request.GET.get("log", "")
    ctx = {"subject": subject, "reasons": PURPOSE_REASONS, "error": error, "title": title,
           "chosen": request.GET.get("reason", "log" if log_ref else ""),
           "detail": request.GET.get("detail", f"log {log_ref}" if log_ref else "")}
    return render(request, "people/purpose.html", ctx, status=error.status if error else 200)


def _subject_page(request: HttpRequest, subject: Subject, *, errors: dict[str, Refusal] | None = None,
                  purpose: str | None = None, status: int = 200) -> HttpResponse:
    """Ask why first (A2); then the page, its view audited with that purpose."""
    try:
        purpose = purpose or purpose_from(request.GET)
    except Refusal as exc:
        return _purpose_form(request, subject, exc)
    if purpose is None:
        return _purpose_form(request, subject)
    try:
        ctx = _subject_data(request, subject, purpose)
    except Invalid as exc:
        if exc.details.get("field") == "purpose":
            return _purpose_form(request, subject, exc)
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    except Refusal as exc:
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    errors = dict(errors or {})
    for m in ctx.get("markers", []):
        m.error = errors.pop(f"end_marker-{m.pk}", None)
    for s in ctx.get("schemes", []):
        s.contact_error = errors.pop(f"scheme_contact-{s.pk}", None)
        s.remove_error = errors.pop(f"scheme_remove-{s.pk}", None)
        s.extend_error = errors.pop(f"scheme_extend-{s.pk}", None)
    if any("-" in k for k in errors):  # about something no longer on the page: shown at the top
        ctx["page_error"] = next(v for k, v in errors.items() if "-" in k)
    ctx.update(errors=errors, form=request.POST if errors else {}, purpose=purpose,
               subject=subject, may=_may(request), policy=current_policy())
    return render(request, f"people/{subject.kind}.html", ctx, status=status)


def _subject_data(request: HttpRequest, subject: Subject, purpose: str) -> dict[str, Any]:
    actor = actor_of(request)
    if subject.kind == "person":
        person = actions.view_person(actor, subject.pk, purpose=purpose)
        return _person_data(person)
    actor.require("person.view")
    if subject.kind == "address":
        address = Address.objects.filter(pk=subject.pk).first()
        if address is None:
            raise NotFound(f"No address {subject.pk}.")
        ctx = actions.context(actor, address=address.text, purpose=purpose)
        return {"address": address, **_place_data(Q(address=address), ctx), **_address_extra(address)}
    phone = Phone.objects.filter(pk=subject.pk).first()
    if phone is None:
        raise NotFound(f"No phone {subject.pk}.")
    ctx = actions.context(actor, phone=phone.e164, purpose=purpose)
    users = [u.person for u in phone.users.select_related("person").order_by("-created_at")]
    return {"phone": phone, "users": users, **_place_data(Q(phone=phone), ctx)}


def _scheme_state(s: SpecialScheme, now: Any) -> str:
    """M2: removed, future, active, or review_overdue (past its end, undecided: still in force)."""
    return s.state_at(now)


def _schemes(where: Q) -> list[SpecialScheme]:
    now = clock.now()
    rows = list(SpecialScheme.objects.filter(where).select_related("victim", "address", "phone", "officer",
                                                                    "removed_by").prefetch_related("contacts__by")
                .order_by("-ends_at"))
    for s in rows:
        s.state = _scheme_state(s, now)  # type: ignore[attr-defined]
    rows.sort(key=lambda s: (s.state not in IN_FORCE, -s.ends_at.timestamp()))  # type: ignore[attr-defined]
    return rows


def _orders(where: Q) -> list[Order]:
    today = clock.local(clock.now()).date()
    rows = list(Order.objects.filter(where).distinct().select_related("restricted")
                .prefetch_related("protected_people", "protected_addresses").order_by("-starts_on"))
    for o in rows:
        o.in_force = o.starts_on <= today and (o.ends_on is None or o.ends_on >= today)  # type: ignore[attr-defined]
        o.class_labels = [rules.describe_class(c) for c in o.protected_classes or []]  # type: ignore[attr-defined]
    return rows


def _markers(where: Q) -> list[Marker]:
    rows = list(Marker.objects.filter(where).select_related("owner", "ended_by"))
    rows.sort(key=lambda m: (m.ended_at is not None, -m.created_at.timestamp()))
    today = clock.local(clock.now()).date()
    for m in rows:
        m.review_overdue = m.ended_at is None and m.review_at < today  # type: ignore[attr-defined]
    return rows


def _history(ctx: Any) -> dict[str, Any]:
    data = _context_view(ctx, {"phone": "x"})
    return {"history": data["history"], "history_more": data["history_more"]}


def _place_data(where: Q, ctx: Any) -> dict[str, Any]:
    return {"markers": _markers(where), "schemes": _schemes(where), **_history(ctx)}


def _address_extra(address: Address) -> dict[str, Any]:
    return {
        "residents": list(Residence.objects.filter(address=address).select_related("person")
                          .order_by("-current", "-created_at")),
        "orders": _orders(Q(protected_addresses=address)),
        "certificates": list(FirearmsCertificate.objects.filter(address=address).select_related("holder")
                             .order_by("-expires_on")),
    }


def _person_data(person: Person) -> dict[str, Any]:
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
        "markers": _markers(Q(person=person)),
        "schemes": _schemes(Q(victim=person)),
        "orders_restricting": _orders(Q(restricted=person)),
        "orders_protecting": _orders(Q(protected_people=person)),
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


@login_required
@require_GET
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    return _subject_page(request, Subject("person", person_id))


@login_required
@require_GET
def address_page(request: HttpRequest, address_id: int) -> HttpResponse:
    return _subject_page(request, Subject("address", address_id))


@login_required
@require_GET
def phone_page(request: HttpRequest, phone_id: int) -> HttpResponse:
    return _subject_page(request, Subject("phone", phone_id))


def _required_date(value: str | None, field: str) -> date:
    found = _date(value, field)
    if found is None:
        raise Invalid(f"{field.replace('_', ' ').capitalize()} is required", field)
    return found


def _subject_do(request: HttpRequest, subject: Subject, what: str) -> None:
    """One action from a person, address or phone page (M1-M4 and the index's links)."""
    actor = actor_of(request)
    p = request.POST
    target = {"person": {"person_id": subject.pk}, "address": {}, "phone": {}}[subject.kind]
    if subject.kind == "address":
        target = {"address": _address(subject.pk).text}
    elif subject.kind == "phone":
        target = {"phone": _phone(subject.pk).e164}
    if what == "marker":
        actions.add_marker(actor, kind=p.get("kind", ""), source=p.get("source", ""), note=p.get("note", ""),
                           review_at=_required_date(p.get("review_at"), "review_at"), **target)
    elif what == "end_marker":
        actions.end_marker(actor, _int(p.get("marker_id"), "marker_id") or 0, reason=p.get("reason", ""))
    elif subject.kind != "person":
        raise Invalid(f"Unknown action {what!r}", "action")
    elif what == "scheme":
        actions.create_scheme(actor, victim_id=subject.pk, reason=p.get("reason", ""),
                              victim_told_how=p.get("victim_told_how", ""), address=p.get("address", ""),
                              phone=p.get("phone", ""), ends_at=_datetime(p.get("ends_at"), "ends_at"),
                              grade_floor=p.get("grade_floor", ""),
                              officer_id=_int(p.get("officer_id"), "officer_id"))
    elif what == "scheme_contact":
        actions.record_victim_contact(actor, _int(p.get("scheme_id"), "scheme_id") or 0,
                                      channel=p.get("channel", ""), outcome=p.get("outcome", ""),
                                      reached=p.get("reached") == "yes")
    elif what == "scheme_remove":
        actions.remove_scheme(actor, _int(p.get("scheme_id"), "scheme_id") or 0, reason=p.get("reason", ""))
    elif what == "scheme_extend":
        actions.extend_scheme(actor, _int(p.get("scheme_id"), "scheme_id") or 0, reason=p.get("reason", ""),
                              until=_required_datetime(p.get("until"), "until"))
    elif what == "order":
        actions.create_order(
            actor, kind=p.get("kind", ""), restricted_id=subject.pk, conditions=p.get("conditions", ""),
            starts_on=_required_date(p.get("starts_on"), "starts_on"), ends_on=_date(p.get("ends_on"), "ends_on"),
            protected_person_ids=[i for i in (_int(x, "protected_person_id")
                                              for x in p.getlist("protected_person_id")) if i is not None],
            protected_addresses=[a for a in p.getlist("protected_address") if a.strip()],
            protected_classes=_order_classes(p),
            activities=[a for a in p.get("activities", "").splitlines() if a.strip()])
    elif what == "certificate":
        actions.add_certificate(actor, holder_id=subject.pk, address=p.get("address", ""),
                                number=p.get("number", ""),
                                expires_on=_required_date(p.get("expires_on"), "expires_on"))
    elif what == "relationship":
        other = _int(p.get("other_id"), "other_id")
        if other is None:
            raise Invalid("Find and choose the other person first", "other_id")
        actions.relate(actor, subject.pk, other, p.get("kind", ""))
    elif what == "residence":
        actions.add_residence(actor, subject.pk, p.get("address", ""), current=p.get("current") == "yes")
    elif what == "phone":
        actions.add_phone_use(actor, subject.pk, p.get("phone", ""))
    else:
        raise Invalid(f"Unknown action {what!r}", "action")


def _required_datetime(value: str | None, field: str) -> Any:
    found = _datetime(value, field)
    if found is None:
        raise Invalid(f"{field.replace('_', ' ').capitalize()} is required", field)
    return found


def _order_classes(p: QueryDict) -> list[dict[str, Any]]:
    """M3: the classes of people an order protects, as the order form gives them: "anyone under N", a
    relationship to the restricted person and a sex (together they are one class: any female partner under
    N)."""
    under = p.get("class_under_age", "").strip()
    relationship = p.get("class_relationship", "").strip()
    sex = p.get("class_sex", "").strip()
    cls: dict[str, Any] = {}
    if under:
        if not under.isdigit() or not 1 <= int(under) <= 121:
            raise Invalid(f"'Anyone under' must be an age in whole years (1 to 121), not {under!r}", "class_under_age")
        cls["max_age"] = int(under) - 1
    if relationship:
        cls["relationship"] = relationship
    if sex:
        cls["sex"] = sex
    return [cls] if cls else []


def _address(pk: int) -> Address:
    a = Address.objects.filter(pk=pk).first()
    if a is None:
        raise NotFound(f"No address {pk}.")
    return a


def _phone(pk: int) -> Phone:
    ph = Phone.objects.filter(pk=pk).first()
    if ph is None:
        raise NotFound(f"No phone {pk}.")
    return ph


SECTIONS = {"marker": "markers", "end_marker": "markers", "scheme": "schemes", "scheme_contact": "schemes",
            "scheme_remove": "schemes", "scheme_extend": "schemes", "order": "orders", "certificate": "certificates",
            "relationship": "relationships", "residence": "places", "phone": "places"}


def _subject_action(request: HttpRequest, subject: Subject, what: str) -> HttpResponse:
    purpose = request.POST.get("purpose", "").strip()
    try:
        _subject_do(request, subject, what)
    except Refusal as exc:
        key = what
        for field in ("marker_id", "scheme_id"):
            if request.POST.get(field):
                key = f"{what}-{request.POST.get(field)}"
        return _subject_page(request, subject, errors={key: exc}, purpose=purpose or None, status=exc.status)
    query = "?" + urlencode({"purpose": purpose}) if purpose else ""
    return HttpResponseRedirect(f"{subject.url}{query}#{SECTIONS.get(what, '')}")


@login_required
@require_POST
def person_do(request: HttpRequest, person_id: int, what: str) -> HttpResponse:
    return _subject_action(request, Subject("person", person_id), what)


@login_required
@require_POST
def address_do(request: HttpRequest, address_id: int, what: str) -> HttpResponse:
    return _subject_action(request, Subject("address", address_id), what)


@login_required
@require_POST
def phone_do(request: HttpRequest, phone_id: int, what: str) -> HttpResponse:
    return _subject_action(request, Subject("phone", phone_id), what)
