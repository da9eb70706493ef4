"""Pages for people, places and call-time context: the context pane that fills as a handler types (C1), the
people, prompts and checks on a log (C2, C3, C5-C9, M3, M4), and the person, address and phone pages with
their markers, schemes, orders and timelines (M1-M4, C8).

Thin, like the log pages: parse, then one action (`OPERATIONS[what]` from people/operations.py, validated
against the API's own schemas through `watchkeeper.web.forms`) or one read model (people/queries.py), then
render. Reading about people is always audited with why (A2): the context pane says "call-time context"; a
person, address or phone page asks the viewer first. A refusal is shown beside the control that caused it,
with a 4xx status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.incidents import actions as log_actions
from watchkeeper.incidents.models import Log
from watchkeeper.people import actions, queries, rules
from watchkeeper.people.models import ROLES, Person
from watchkeeper.people.operations import OPERATIONS
from watchkeeper.people.panels import person_panels
from watchkeeper.staff.roles import allowed
from watchkeeper.web.forms import actor_of, date_param, int_param, operation, parse_form

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
    """What the handler has typed, under the plain names or the New contact form's (its schema's: the
    contact's caller and the log's location)."""
    return {
        "phone": params.get("phone") or params.get("contact.caller_phone", ""),
        "address": params.get("address") or params.get("location", ""),
        "name": params.get("name") or params.get("contact.caller_name", ""),
        "dob": date_param(params.get("dob") or params.get("contact.caller_dob"), "dob"),
    }


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
    data = queries.context_view(ctx, query)
    extra: dict[str, Any] = {}
    if slot == "new":
        queries.party_picks(data, request.GET)
        extra["second"] = queries.second_call(query, request.GET)
    return render(request, "people/_context.html", {"c": data, "policy": current_policy(), "slot": slot, **extra})


@login_required
@require_GET
def log_context(request: HttpRequest, reference: str) -> HttpResponse:
    """C1 on the log page: what is known about the log's caller phone, its place and its first named person."""
    try:
        actor = actor_of(request)
        actor.require("log.view")
        log, _ = log_actions.resolve(reference)
        query = queries.log_query(log)
        ctx = actions.context(actor, purpose=CALL_TIME, **query)
    except Refusal as exc:
        return render(request, "people/_context.html", {"error": exc}, status=exc.status)
    data = queries.log_context(ctx, query, log, request.GET)
    may_attach = log.status == "open" and allowed(getattr(request.user, "role", ""), "log.update")
    return render(request, "people/_context.html", {"c": data, "policy": current_policy(), "on_log": True,
                                                    "log": log, "may_attach": may_attach})


# --------------------------------------------------------------------------------------- person picker
@login_required
@require_GET
def pick(request: HttpRequest) -> HttpResponse:
    """Find an existing person by name (the context lookup, audited) to put on a log, relate or protect."""
    g = request.GET
    opts: dict[str, Any] = {"field": g.get("field", "person_id"), "prefix": g.get("prefix", "pk"),
                            "new": g.get("new") == "1", "none": g.get("none") == "1", "q": g.get("q", "").strip()}
    try:
        dob = date_param(g.get("dob"), "dob")
        why = (g.get("why", "") or "finding a person")[:200]
        matches = (queries.pick_matches(actions.context(actor_of(request), name=opts["q"], dob=dob, purpose=why))
                   if opts["q"] else [])
    except Refusal as exc:
        return render(request, "people/_pick.html", {**opts, "error": exc}, status=exc.status)
    return render(request, "people/_pick.html", {**opts, "matches": matches})


# ---------------------------------------------------------------------------------------- log parts
def _open_log(request: HttpRequest, reference: str) -> Log:
    actor_of(request).require("log.view")
    log, _ = log_actions.resolve(reference)
    return log


def _part_context(request: HttpRequest, log: Log, part: str) -> dict[str, Any]:
    return {**queries.log_part(log, part), "may": _may(request), "policy": current_policy(), "errors": {},
            "form": {}}


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


# The form beside a prompt or check says which one it is about (the API has it in the URL).
LOG_ACTION_PATH = {"decide": "prompt_id", "check_result": "check_id"}
LOG_ACTION_PART = {"party": "parties", "decide": "prompts", "check": "prompts", "check_result": "prompts"}


def _log_do(request: HttpRequest, log: Log, what: str) -> str:
    """One action on a log's people, prompts or checks; returns what it did, for the announcement."""
    if what not in LOG_ACTION_PART:
        raise Invalid(f"Unknown action {what!r}; expected one of: {', '.join(sorted(LOG_ACTION_PART))}", "action")
    actor = actor_of(request)
    form = request.POST
    if what == "party":
        return _add_party(actor, log, form)
    if what == "check":
        OPERATIONS["check"].from_form(actor, form, reference=log.reference)
        return "Check added."
    field = LOG_ACTION_PATH[what]
    done = operation(OPERATIONS, what).from_form(actor, form, **{field: int_param(form.get(field), field) or 0})
    if what == "decide":
        return f"{done.safeguard} prompt {done.state}."
    return f"Check recorded: {done.get_state_display()}."


def _add_party(actor: Actor, log: Log, form: QueryDict) -> str:
    """Put someone (found, or new to the index), a phone or a place on the log in a role. Someone new is
    added to the index first (the person form's fields, defaulting to the name searched for), then linked."""
    if form.get("person_id") == "new":
        body = parse_form(OPERATIONS["party"].schema, form, person_id=None)
        if body.role not in dict(ROLES):  # refused before anyone is added to the index
            raise Invalid("Choose the role they have on this log", "role")
        form = form.copy()
        if not form.get("family_name", "").strip():
            form["given_names"], form["family_name"] = rules.split_name(form.get("q", ""))
        form["person_id"] = str(OPERATIONS["person"].from_form(actor, form).pk)
    party = OPERATIONS["party"].from_form(actor, form, reference=log.reference)
    return f"{dict(ROLES)[party.role]} added to the log."


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
        return HttpResponseRedirect(reverse("log", args=[log.reference]) + f"#{part}")
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
        form = request.POST.copy()
        # The form takes the aliases in one box, separated by ";" (the schema's list, one item each).
        form.setlist("aliases", [a.strip() for a in request.POST.get("aliases", "").split(";") if a.strip()])
        try:
            person = OPERATIONS["person"].from_form(actor_of(request), form)
        except Refusal as exc:
            ctx["error"] = exc
            return render(request, "people/index.html", ctx, status=exc.status)
        return HttpResponseRedirect(reverse("person", args=[person.pk]) + "?"
                                    + urlencode({"purpose": "Added them to the index"}))
    return render(request, "people/index.html", ctx)


# ------------------------------------------------------------------------------- person, address, phone
SUBJECT_ROUTES = {"person": "person", "address": "address", "phone": "phone"}


@dataclass
class Subject:
    """What a page is about: a person, an address or a phone."""

    kind: str
    pk: int

    @property
    def url(self) -> str:
        return reverse(SUBJECT_ROUTES[self.kind], args=[self.pk])

    @property
    def action_route(self) -> str:
        """The name of the route its forms post to: `{% url subject.action_route subject.pk "marker" %}`."""
        return f"{SUBJECT_ROUTES[self.kind]}-action"


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
        ctx = queries.subject_data(actor_of(request), subject.kind, subject.pk, purpose)
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
    if subject.kind == "person":
        ctx["person_panels"] = person_panels()  # other capabilities' parts of the page (people/panels.py)
    return render(request, f"people/{subject.kind}.html", ctx, status=status)


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


# What each page's forms may do, and what the page itself gives the action (not the form): the person, place
# or phone the page is about, or the marker or scheme the form sits beside (the API has it in the URL).
SUBJECT_ACTIONS = {
    "person": ("marker", "end_marker", "scheme", "scheme_contact", "scheme_remove", "scheme_extend", "order",
               "certificate", "relationship", "residence", "phone"),
    "address": ("marker", "end_marker"),
    "phone": ("marker", "end_marker"),
}
OWN_FIELD = {"scheme": "victim_id", "order": "restricted_id", "certificate": "holder_id"}  # the person's id
PERSON_PATH = ("relationship", "residence", "phone")  # run(..., person_id=the person's id)
FORM_PATH = {"end_marker": "marker_id", "scheme_contact": "scheme_id", "scheme_remove": "scheme_id",
             "scheme_extend": "scheme_id"}


def _subject_do(request: HttpRequest, subject: Subject, what: str) -> None:
    """One action from a person, address or phone page (M1-M4 and the index's links)."""
    if what not in SUBJECT_ACTIONS[subject.kind]:
        raise Invalid(f"Unknown action {what!r}; expected one of: {', '.join(SUBJECT_ACTIONS[subject.kind])}",
                      "action")
    op = operation(OPERATIONS, what)
    form = request.POST
    given: dict[str, Any] = {}  # schema fields the page gives
    path: dict[str, Any] = {}  # values run() takes besides the body
    if what == "marker":
        if subject.kind == "person":
            given = {"person_id": subject.pk}
        elif subject.kind == "address":
            given = {"address": queries.address_of(subject.pk).text}
        else:
            given = {"phone": queries.phone_of(subject.pk).e164}
    elif what in OWN_FIELD:
        given = {OWN_FIELD[what]: subject.pk}
    elif what in PERSON_PATH:
        path = {"person_id": subject.pk}
    elif what in FORM_PATH:
        field = FORM_PATH[what]
        path = {field: int_param(form.get(field), field) or 0}
    if what == "order":
        given.update(_order_form(form))
    op.run(actor_of(request), parse_form(op.schema, form, **given), **path)


def _order_form(form: QueryDict) -> dict[str, Any]:
    """M3: what the order form gives in its own way. Restricted activities are one a line. The class of people
    it protects is "anyone under N", a relationship to the restricted person and a sex (together they are one
    class: any female partner under N)."""
    under = form.get("class_under_age", "").strip()
    relationship = form.get("class_relationship", "").strip()
    sex = form.get("class_sex", "").strip()
    cls: dict[str, Any] = {}
    if under:
        if not under.isdigit() or not 1 <= int(under) <= 121:
            raise Invalid(f"'Anyone under' must be an age in whole years (1 to 121), not {under!r}", "class_under_age")
        cls["max_age"] = int(under) - 1
    if relationship:
        cls["relationship"] = relationship
    if sex:
        cls["sex"] = sex
    return {"protected_classes": [cls] if cls else [],
            "activities": [a for a in form.get("activities", "").splitlines() if a.strip()]}


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
