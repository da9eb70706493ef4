"""Pages for call handlers, dispatchers, controllers and supervisors. Thin: parse the form, call one action,
render. A refusal is shown beside the control that caused it, naming its safeguard, with a 4xx status."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import ValidationError

from watchkeeper.core import clock
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Refusal
from watchkeeper.incidents import actions, console, hooks, queries, rules
from watchkeeper.incidents.models import CHANNELS, Contact, Grading, Link, Log, Notification, ServiceRequest
from watchkeeper.incidents.operations import FORM_PATH_IDS, INTAKE_REVIEWERS, MESSAGE, OPERATIONS
from watchkeeper.incidents.schemas import ContactSchema, RaiseLogIn, ThriveIn
from watchkeeper.realtime.models import Event
from watchkeeper.staff.models import User
from watchkeeper.web.forms import (
    actor_of,
    form_to_data,
    int_param,
    invalid_from,
    operation,
    signed_in_user,
)


def _raise_form(post: QueryDict) -> QueryDict:
    """The raise form as `RaiseLogIn` reads it (`contact.*`, `parties.N.person_id` / `parties.N.role`). A row of
    the context panel the handler did not tick posts its role but no person: not chosen, so left out."""
    form = post.copy()
    for key in list(form):
        m = re.match(r"parties\.(\d+)\.", key)
        if m and f"parties.{m.group(1)}.person_id" not in form:
            del form[key]
    return form


def _queue(request: HttpRequest) -> list[Log]:
    """Open logs, newest first, read as `GET /api/logs` reads them (queries.logs: `log.view`). Each is marked
    when the policy grade asks for more than the grade in force (C4), so boards can say so beside the grade."""
    policy = current_policy()
    logs = queries.logs(actor_of(request), "open", 200)
    for log in logs:
        log.policy_higher = bool(log.proposed_grade) and (  # type: ignore[attr-defined]
            not log.grade or rules.less_urgent(log.grade, log.proposed_grade, policy))
    return logs


def _grade_counts(queue: list[Log], policy: Any) -> list[dict[str, Any]]:
    """How many open logs stand at each grade (and ungraded), for the board's summary strip."""
    counts = [{"code": g["code"], "count": sum(1 for q in queue if q.grade == g["code"])}
              for g in policy["grades"]]
    return [*counts, {"code": None, "count": sum(1 for q in queue if not q.grade)}]


def _staff_choices() -> list[User]:
    return list(User.objects.filter(is_active=True).order_by("role", "last_name", "username"))


def _latest_event() -> int:
    """The newest live event's sequence number. A page passes it to its event stream (`since`), so whatever
    happens between reading the page's data and the stream connecting is replayed, not missed."""
    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _common(request: HttpRequest, current: Log | None = None, since: int | None = None) -> dict[str, Any]:
    """What every page with the queue pane needs; `current` is the log being worked (marked in the queue)."""
    since = _latest_event() if since is None else since
    policy = current_policy()
    return {
        "since": since,
        "policy": policy,
        "grades": policy["grades"],
        "categories": policy["categories"],
        "flags": policy["flags"],
        "channels": CHANNELS,
        "levels": policy["levels"],
        "queue": _queue(request),
        "current": current,
        "thrive_elements": [("threat", "Threat"), ("harm", "Harm"), ("risk", "Risk"),
                            ("investigation", "Investigation"), ("vulnerability", "Vulnerability"),
                            ("engagement", "Engagement")],
        "thrive_levelled": ["threat", "harm", "risk", "vulnerability"],
    }


@login_required
def queue_fragment(request: HttpRequest) -> HttpResponse:
    """The queue pane (or the board's rows) alone, refreshed live when logs are raised or change."""
    ref = request.GET.get("current", "")
    current = Log.objects.filter(reference=ref).first() if ref else None
    ctx = _common(request, current=current)
    if request.GET.get("view") == "board":
        return render(request, "incidents/_board_rows.html", ctx)
    if request.GET.get("view") == "strip":
        ctx["grade_counts"] = _grade_counts(ctx["queue"], ctx["policy"])
        return render(request, "incidents/_grade_strip.html", ctx)
    return render(request, "incidents/_queue_rows.html", ctx)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The queue. A role that may not read logs (learning lead, administrator) starts in the learning
    library, which every role reads, rather than on a refusal."""
    if not actor_of(request).may("log.view"):
        return HttpResponseRedirect(reverse("learning:index"))
    ctx = _common(request)
    ctx["grade_counts"] = _grade_counts(ctx["queue"], ctx["policy"])
    return render(request, "incidents/queue.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def new_contact(request: HttpRequest) -> HttpResponse:
    """The call-taking screen: record the contact, then raise a log or attach it to one (L8)."""
    ctx = _common(request)
    raw = _raise_form(request.POST) if request.method == "POST" else QueryDict()
    form = form_to_data(RaiseLogIn, raw)  # what the handler typed, shown again after a refusal
    ctx["form"] = {**form, "attach_to": request.POST.get("attach_to", "")}
    ctx["form_flags"] = form.get("flags", [])
    ctx["chosen_parties"] = form.get("parties", [])
    ctx["now"] = clock.local(clock.now()).strftime("%Y-%m-%dT%H:%M")
    # The grade and THRIVE beside the narrative: shown again after a refusal, as typed.
    ctx["grade_form"] = {"grade": request.POST.get("grade", ""), "rationale": request.POST.get("rationale", "")}
    ctx["thrive_new"] = form_to_data(ThriveIn, request.POST, "thrive.") if request.method == "POST" else {}
    ctx.update(_preview(ctx["policy"], form.get("category", ""), ctx["form_flags"], ctx["thrive_new"]))
    if request.method == "POST":
        actor = actor_of(request)
        try:
            do = request.POST.get("do", "")
            if do == "attach" or do.startswith("attach:"):  # L8: the open log offered, or a reference typed
                target = do.removeprefix("attach:") if do != "attach" else request.POST.get("attach_to", "")
                c = OPERATIONS["contact"].run(actor, _parse_contact(raw), reference=target)
                assert c.log is not None
                return HttpResponseRedirect(reverse("log", args=[c.log.reference]))
            if not str(raw.get("summary", "")).strip():  # blank: the first sentence of what was said
                raw = raw.copy()
                raw["summary"] = console.summary_from(str(raw.get("contact.account", "")))
            log = console.raise_and_grade(actor, raw)
            return HttpResponseRedirect(reverse("log", args=[log.reference]))
        except Refusal as exc:
            ctx["error"] = exc
            if exc.safeguard == "L8":
                ctx["second"] = {"matches": exc.details.get("matches", []),
                                 "hours": int(ctx["policy"]["second_call_hours"]),
                                 "second_call_reason": request.POST.get("second_call_reason", "")}
            return render(request, "incidents/new_contact.html", ctx, status=exc.status)
    return render(request, "incidents/new_contact.html", ctx)


def _parse_contact(form: QueryDict) -> ContactSchema:
    """The contact part of a form (`contact.*`), validated as the API validates a contact."""
    try:
        return ContactSchema.model_validate(form_to_data(ContactSchema, form, "contact."))
    except ValidationError as exc:
        raise invalid_from(exc) from None


def _preview(policy: Any, category: str, chosen: list[str], thrive: dict[str, Any] | None = None) -> dict[str, Any]:
    """C4: the policy grade for a category, markers (the category's own markers included) and the THRIVE
    levels chosen so far."""
    known = policy.category(category)
    flags = [f for f in chosen if f in policy.flag_codes()]
    for f in (known or {}).get("flags", []):
        if f not in flags:
            flags.append(f)
    levels = {el: {"level": v["level"]} for el, v in (thrive or {}).items()
              if isinstance(v, dict) and v.get("level") in policy["levels"]}
    proposal = rules.propose_grade(rules.GradeFacts(category=category, flags=tuple(flags), thrive=levels), policy)
    return {"proposal": proposal, "preview_flags": flags, "policy": policy}


@login_required
def grade_preview(request: HttpRequest) -> HttpResponse:
    """C4 on the call-taking screen: the policy grade for the category and markers chosen so far, refreshed
    as the handler fills the form (pure rules: nothing is read or written)."""
    ctx = _preview(current_policy(), request.GET.get("category", ""), request.GET.getlist("flags"),
                   form_to_data(ThriveIn, request.GET, "thrive."))
    return render(request, "incidents/_grade_preview.html", ctx)


def _open(request: HttpRequest, reference: str, purpose: str, mark_read: bool) -> tuple[Log, str | None]:
    """Open a log for display. Opening the page records it as read (L3, L5); a live refresh or a page
    re-shown after a refusal is still audited as a view but does not count as reading what arrived."""
    view = actions.view_log(actor_of(request), reference, purpose=purpose, mark_read=mark_read)
    return view.log, view.resolved_from


def _thrive_values(post: Any, log: Log) -> dict[str, Any]:
    """THRIVE as a form shows it: what the person typed after a refusal, else what the log holds."""
    return form_to_data(ThriveIn, post, "thrive.") if post else (log.thrive or {})


def _log_context(request: HttpRequest, reference: str, *, purpose: str = "", mark_read: bool = True,
                 refused: str = "") -> dict[str, Any]:
    since = _latest_event()
    log, resolved_from = _open(request, reference, purpose, mark_read)
    ctx = _common(request, current=log, since=since)
    policy = ctx["policy"]
    user = signed_in_user(request)
    detail = queries.log_detail(log, user)
    staff = _staff_choices()
    post = request.POST if refused else None
    ctx.update(
        log=log,
        d=detail,
        resolved_from=resolved_from,
        staff=staff,
        authorisers=[u for u in staff if u.role in policy["downgrade_authoriser_roles"] and not u.absent],
        closing_codes=policy["closing_codes"],
        cancellation_codes=policy["cancellation_codes"],
        services=ServiceRequest.SERVICES,
        link_kinds=Link.KINDS,
        may_authorise_close=user.role in policy["flagged_close_authoriser_roles"],
        errors={},
        form=request.POST if refused else {},
        thrive_grade=_thrive_values(post if refused == "grade" else None, log),
        thrive_downgrade=_thrive_values(post if refused == "downgrade" else None, log),
        grade_floor=actions.grade_floor(log, policy),  # D5: shown beside the grade control
        panels=hooks.panels(),  # what other capabilities show on the log (their templates, by slot)
        since_grading=actions.entries_since_last_grading(log)
        if detail.pending_downgrade and detail.pending_downgrade["authoriser_id"] == user.pk
        else [],
    )
    return ctx


@login_required
def log_page(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        ctx = _log_context(request, reference, purpose=request.GET.get("purpose", ""))
    except Refusal as exc:
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    if ctx["resolved_from"] is None and ctx["log"].reference != reference:
        return HttpResponseRedirect(reverse("log", args=[ctx["log"].reference]))
    return render(request, "incidents/log.html", ctx)


@login_required
def narrative(request: HttpRequest, reference: str) -> HttpResponse:
    """The log's live part (header and narrative), refreshed when an entry arrives or the log changes. It is
    a view, so it is audited; it does not mark the new entries read (L3): they stay marked unseen until the
    person opens the log again or acknowledges them."""
    try:
        log, resolved_from = _open(request, reference, "live refresh", mark_read=False)
    except Refusal as exc:
        return render(request, "_refusal.html", {"error": exc}, status=exc.status)
    ctx = {"log": log, "resolved_from": resolved_from, "policy": current_policy(),
           "d": queries.log_detail(log, signed_in_user(request))}
    return render(request, "incidents/_log_live.html", ctx)


@login_required
def presence(request: HttpRequest, reference: str) -> HttpResponse:
    """L4: who else has this log open, refreshed when someone opens or leaves it."""
    try:
        actor_of(request).require("log.view")
        log, _ = actions.resolve(reference)
    except Refusal as exc:
        return render(request, "_refusal.html", {"error": exc}, status=exc.status)
    viewers = queries.viewers_of(log, signed_in_user(request).pk)
    return render(request, "incidents/_presence.html", {"viewers": viewers, "log": log})


# Each form on the log page posts here; `what` names the operation (the same one its API endpoint runs).
def _do(request: HttpRequest, reference: str, what: str) -> HttpResponse | None:
    op = operation(OPERATIONS, what)
    path: dict[str, Any] = {"reference": reference}
    if what in FORM_PATH_IDS:  # the request or task the form acts on (in the API, part of the path)
        name = FORM_PATH_IDS[what]
        path[name] = int_param(request.POST.get(name), name) or 0
    result = op.from_form(actor_of(request), request.POST, **path)
    if what == "merge":  # the log was merged: go to the one that survives
        return HttpResponseRedirect(reverse("log", args=[result.reference]))
    return None


DIALOGS = {"close", "cancel", "ready"}


@login_required
@require_POST
def log_action(request: HttpRequest, reference: str, what: str) -> HttpResponse:
    try:
        redirect = _do(request, reference, what)
    except Refusal as exc:
        # Shown again with the refusal beside the control that caused it. Not marked read: a refusal
        # (for instance L3's list of unseen entries) must not count as having read the log.
        try:
            ctx = _log_context(request, reference, purpose=f"after refused {what}", mark_read=False,
                               refused=what)
        except Refusal:
            return render(request, "refused.html", {"error": exc}, status=exc.status)
        ctx["errors"] = {what: exc}
        ctx["open_section"] = what
        if what in DIALOGS:
            ctx.update(_dialog_context(request, ctx["log"], what))
            ctx["dialog_error"] = exc
        return render(request, "incidents/log.html", ctx, status=exc.status)
    return redirect or HttpResponseRedirect(reverse("log", args=[reference]) + f"#{what}")


def _dialog_context(request: HttpRequest, log: Log, mode: str) -> dict[str, Any]:
    """What the close / ready / cancel dialog shows: this person's unseen entries (L3) and the outcomes."""
    policy = current_policy()
    user = signed_in_user(request)
    # L10: dismissed child, domestic-abuse, weapons or exploitation prompts need what a flag needs at close.
    dismissed = hooks.dismissed_concerns(log, actions.family_ids(log), policy) if mode == "close" else []
    return {
        "dialog_mode": mode,
        "mode": mode,
        "unseen": actions.unseen_for(log, user),
        "closing_codes": policy["closing_codes"],
        "cancellation_codes": policy["cancellation_codes"],
        "may_authorise_close": user.role in policy["flagged_close_authoriser_roles"],
        "log_flagged": any(f in policy.flag_codes() for f in log.flags) or bool(dismissed),
        "dismissed_concerns": dismissed,
    }


@login_required
def close_dialog(request: HttpRequest, reference: str) -> HttpResponse:
    """L3: the close dialog lists what this person has not seen and asks them to acknowledge it."""
    mode = request.GET.get("mode", "close")
    if mode not in DIALOGS:
        mode = "close"
    try:
        log, _ = actions.view_unseen(actor_of(request), reference)
    except Refusal as exc:
        return render(request, "_refusal.html", {"error": exc}, status=exc.status)
    ctx = {"log": log, "policy": current_policy(), "form": {}, **_dialog_context(request, log, mode)}
    return render(request, "incidents/_close_dialog.html", ctx)


@login_required
def find(request: HttpRequest) -> HttpResponse:
    """Go to a log by reference (L1: every reference resolves, merged ones to the survivor)."""
    ref = request.GET.get("q", "").strip()
    try:
        log, _ = actions.resolve(ref)
    except Refusal as exc:
        ctx = _common(request)
        ctx["error"] = exc
        ctx["q"] = ref
        ctx["grade_counts"] = _grade_counts(ctx["queue"], ctx["policy"])
        return render(request, "incidents/queue.html", ctx, status=exc.status)
    return HttpResponseRedirect(reverse("log", args=[ref if log.reference != ref else log.reference]))


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    since = _latest_event()
    user = signed_in_user(request)
    team_q = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    mine = Notification.objects.filter(recipient=user).select_related("log").order_by("-id")[:200]
    team = Notification.objects.filter(team_q).select_related("log").order_by("-id")[:200]
    messages = Contact.objects.filter(
        Q(addressed_to=user) | (Q(routed_to_team_id=user.team_id) if user.team_id else Q(pk__in=[])),
        log__isnull=True, handled_at__isnull=True,
    ).select_related("addressed_to").order_by("-received_at")[:200]
    return render(request, "incidents/notifications.html",
                  {"mine": mine, "team": team, "messages": messages, "error": None, "since": since})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        actions.read_notification(actor_of(request), notification_id)
    except Refusal as exc:
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    return HttpResponseRedirect(request.POST.get("next") or reverse("notifications"))


@login_required
@require_POST
def message_handle(request: HttpRequest, contact_id: int) -> HttpResponse:
    try:
        actions.handle_message(actor_of(request), contact_id, request.POST.get("reference", ""),
                               request.POST.get("note", ""))
    except Refusal as exc:
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    return HttpResponseRedirect(reverse("notifications"))


@login_required
@require_http_methods(["GET", "POST"])
def message_new(request: HttpRequest) -> HttpResponse:
    """L8: record a message (email, call) for a named officer; an absent officer's goes to their team."""
    ctx: dict[str, Any] = {"channels": CHANNELS, "staff": _staff_choices(), "form": request.POST or {}}
    if request.method == "POST":
        try:
            c = MESSAGE.from_form(actor_of(request), request.POST)
        except Refusal as exc:
            ctx["error"] = exc
            return render(request, "incidents/message_new.html", ctx, status=exc.status)
        ctx["sent"] = c
    return render(request, "incidents/message_new.html", ctx)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    logs = queries.awaiting_review(actor_of(request))
    return render(request, "incidents/review.html", {"logs": logs, "policy": current_policy()})


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """C4, L5, L10: what is reported for assurance: grades below policy, downgrades, flagged closures."""
    actor_of(request).require("reports.view")
    policy = current_policy()
    below = Grading.objects.filter(below_policy=True).select_related("log", "graded_by").order_by("-at")[:200]
    downgrades = (Grading.objects.filter(authorised_by__isnull=False)
                  .select_related("log", "graded_by", "authorised_by").order_by("-at")[:200])
    flagged = (Log.objects.filter(status="closed", closing_authorised_by__isnull=False)
               .select_related("closing_authorised_by").order_by("-closed_at")[:200])
    cancelled = (Log.objects.filter(status="cancelled").select_related("closed_by")
                 .order_by("-closed_at")[:200])
    return render(request, "incidents/reports.html", {"below": below, "downgrades": downgrades,
                                                      "flagged": flagged, "cancelled": cancelled,
                                                      "policy": policy})


@login_required
@require_http_methods(["GET", "POST"])
def intake_reviewers(request: HttpRequest) -> HttpResponse:
    """L9: administrators set the reviewer and the deputy of each automatic intake queue."""
    from watchkeeper.staff.roles import allowed

    actor = actor_of(request)
    actor.require("intake.manage")
    error: Refusal | None = None
    failed = ""
    saved = ""
    if request.method == "POST":
        failed = request.POST.get("code", "")
        try:
            INTAKE_REVIEWERS.from_form(actor, request.POST, code=failed)
            saved, failed = failed, ""
        except Refusal as exc:
            error = exc
    staff = [u for u in _staff_choices() if allowed(u.role, "review.own")]
    queues = actions.intake_queues()
    for q in queues:
        q["error"] = error if q["code"] == failed else None
        q["saved"] = q["code"] == saved
    return render(request, "incidents/intake.html", {"queues": queues, "staff": staff, "form": request.POST},
                  status=error.status if error else 200)
