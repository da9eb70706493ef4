"""Pages for call handlers, dispatchers, controllers and supervisors. Thin: parse the form, call one action,
render. A refusal is shown beside the control that caused it, naming its safeguard, with a 4xx status."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.incidents import actions, hooks, queries, rules
from watchkeeper.incidents.models import CHANNELS, Contact, Grading, Link, Log, Notification, ServiceRequest
from watchkeeper.realtime.models import Event
from watchkeeper.staff.models import User


def actor_of(request: HttpRequest) -> Actor:
    return Actor(user=request.user, request_id=getattr(request, "request_id", ""), via="ui")  # type: ignore[arg-type]


def _int(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except ValueError:
        raise Invalid(f"{field} must be a whole number", field) from None


def _date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)", field) from None


def _datetime(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    dt = parse_datetime(value)
    if dt is None:
        raise Invalid(f"{field} must be a date and time", field)
    return dt


def _thrive(post: Any) -> dict[str, Any]:
    return {
        el: {"level": post.get(f"thrive_{el}_level") or None, "note": post.get(f"thrive_{el}_note", "")}
        for el in ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
    }


def _contact(post: Any) -> actions.ContactIn:
    return actions.ContactIn(
        channel=post.get("channel", ""),
        account=post.get("account", ""),
        received_at=_datetime(post.get("received_at"), "received_at"),
        caller_name=post.get("caller_name", ""),
        caller_phone=post.get("caller_phone", ""),
        caller_dob=_date(post.get("caller_dob"), "caller_dob"),
        caller_age=_int(post.get("caller_age"), "caller_age"),
        caller_age_reason=post.get("caller_age_reason", ""),
        party=post.get("party", ""),
        allegation=post.get("allegation", ""),
    )


def _chosen_parties(post: Any) -> list[dict[str, Any]]:
    """C1: the people ticked in the context panel, each with the role chosen beside them."""
    return [{"person_id": int(pid), "role": post.get(f"party_role_{pid}", "")}
            for pid in dict.fromkeys(post.getlist("party")) if pid.isdigit()]


def _queue(user: User) -> list[Log]:
    """Open logs, newest first. Each is marked when the policy grade asks for more than the grade in force
    (C4), so boards can say so beside the grade."""
    policy = current_policy()
    logs = list(Log.objects.filter(status="open").select_related("owner").order_by("-created_at")[:200])
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
        "queue": _queue(request.user),  # type: ignore[arg-type]
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
    ctx = _common(request)
    ctx["grade_counts"] = _grade_counts(ctx["queue"], ctx["policy"])
    return render(request, "incidents/queue.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def new_contact(request: HttpRequest) -> HttpResponse:
    """The call-taking screen: record the contact, then raise a log or attach it to one (L8)."""
    ctx = _common(request)
    ctx["form"] = request.POST if request.method == "POST" else {}
    ctx["form_flags"] = request.POST.getlist("flags") if request.method == "POST" else []
    ctx["chosen_parties"] = _chosen_parties(request.POST) if request.method == "POST" else []
    ctx["now"] = clock.local(clock.now()).strftime("%Y-%m-%dT%H:%M")
    ctx.update(_preview(ctx["policy"], ctx["form"].get("category", ""), ctx["form_flags"]))
    if request.method == "POST":
        try:
            contact = _contact(request.POST)
            do = request.POST.get("do", "")
            if do == "attach" or do.startswith("attach:"):  # L8: the open log offered, or a reference typed
                target = do.removeprefix("attach:") if do != "attach" else request.POST.get("attach_to", "")
                c = actions.record_contact(actor_of(request), target, contact)
                assert c.log is not None
                return HttpResponseRedirect(reverse("log", args=[c.log.reference]))
            log = actions.raise_log(
                actor_of(request),
                contact=contact,
                category=request.POST.get("category", ""),
                summary=request.POST.get("summary", ""),
                location=request.POST.get("location", ""),
                flags=request.POST.getlist("flags"),
                source=request.POST.get("source", "manual"),
                parties=_chosen_parties(request.POST),
                second_call_reason=request.POST.get("second_call_reason", ""),
            )
            return HttpResponseRedirect(reverse("log", args=[log.reference]))
        except Refusal as exc:
            ctx["error"] = exc
            if exc.safeguard == "L8":
                ctx["second"] = {"matches": exc.details.get("matches", []),
                                 "hours": int(ctx["policy"]["second_call_hours"]),
                                 "second_call_reason": request.POST.get("second_call_reason", "")}
            return render(request, "incidents/new_contact.html", ctx, status=exc.status)
    return render(request, "incidents/new_contact.html", ctx)


def _preview(policy: Any, category: str, chosen: list[str]) -> dict[str, Any]:
    """C4: the policy grade for a category and markers (the category's own markers included)."""
    known = policy.category(category)
    flags = [f for f in chosen if f in policy.flag_codes()]
    for f in (known or {}).get("flags", []):
        if f not in flags:
            flags.append(f)
    proposal = rules.propose_grade(rules.GradeFacts(category=category, flags=tuple(flags), thrive={}), policy)
    return {"proposal": proposal, "preview_flags": flags, "policy": policy}


@login_required
def grade_preview(request: HttpRequest) -> HttpResponse:
    """C4 on the call-taking screen: the policy grade for the category and markers chosen so far, refreshed
    as the handler fills the form (pure rules: nothing is read or written)."""
    ctx = _preview(current_policy(), request.GET.get("category", ""), request.GET.getlist("flags"))
    return render(request, "incidents/_grade_preview.html", ctx)


def _open(request: HttpRequest, reference: str, purpose: str, mark_read: bool) -> tuple[Log, str | None]:
    """Open a log for display. Opening the page records it as read (L3, L5); a live refresh or a page
    re-shown after a refusal is still audited as a view but does not count as reading what arrived."""
    view = actions.view_log(actor_of(request), reference, purpose=purpose, mark_read=mark_read)
    return view.log, view.resolved_from


def _thrive_values(post: Any, log: Log) -> dict[str, Any]:
    """THRIVE as a form shows it: what the person typed after a refusal, else what the log holds."""
    return _thrive(post) if post else (log.thrive or {})


def _log_context(request: HttpRequest, reference: str, *, purpose: str = "", mark_read: bool = True,
                 refused: str = "") -> dict[str, Any]:
    since = _latest_event()
    log, resolved_from = _open(request, reference, purpose, mark_read)
    ctx = _common(request, current=log, since=since)
    policy = ctx["policy"]
    detail = queries.log_detail(log, request.user)  # type: ignore[arg-type]
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
        may_authorise_close=request.user.role in policy["flagged_close_authoriser_roles"],  # type: ignore[union-attr]
        errors={},
        form=request.POST if refused else {},
        thrive_grade=_thrive_values(post if refused == "grade" else None, log),
        thrive_downgrade=_thrive_values(post if refused == "downgrade" else None, log),
        grade_floor=actions.grade_floor(log, policy),  # D5: shown beside the grade control
        since_grading=actions.entries_since_last_grading(log)
        if detail.pending_downgrade and detail.pending_downgrade["authoriser_id"] == request.user.pk
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
           "d": queries.log_detail(log, request.user)}  # type: ignore[arg-type]
    return render(request, "incidents/_log_live.html", ctx)


@login_required
def presence(request: HttpRequest, reference: str) -> HttpResponse:
    """L4: who else has this log open, refreshed when someone opens or leaves it."""
    try:
        actor_of(request).require("log.view")
        log, _ = actions.resolve(reference)
    except Refusal as exc:
        return render(request, "_refusal.html", {"error": exc}, status=exc.status)
    viewers = queries.viewers_of(log, request.user.pk)
    return render(request, "incidents/_presence.html", {"viewers": viewers, "log": log})


# Each form on the log page posts here; the action name picks the use case.
def _do(request: HttpRequest, reference: str, what: str) -> HttpResponse | None:
    actor = actor_of(request)
    p = request.POST
    if what == "entry":
        actions.add_entry(actor, reference, p.get("text", ""),
                          corrects_seq=_int(p.get("corrects_seq"), "corrects_seq"),
                          add_flags=p.getlist("add_flags"))
    elif what == "contact":
        actions.record_contact(actor, reference, _contact(p))
    elif what == "update":
        actions.update_log(actor, reference,
                           expected_version=_int(p.get("expected_version"), "expected_version"),
                           category=p.get("category") or None, summary=p.get("summary"),
                           location=p.get("location"),
                           flags=p.getlist("flags") if p.get("flags_submitted") else None,
                           reason=p.get("reason", ""))
    elif what == "grade":
        actions.grade_log(actor, reference, grade=p.get("grade", ""), thrive=_thrive(p),
                          rationale=p.get("rationale", ""),
                          expected_version=_int(p.get("expected_version"), "expected_version"))
    elif what == "downgrade":
        actions.request_downgrade(actor, reference, grade=p.get("grade", ""), thrive=_thrive(p),
                                  reason=p.get("reason", ""),
                                  authoriser_id=_int(p.get("authoriser_id"), "authoriser_id"),
                                  expected_version=_int(p.get("expected_version"), "expected_version"))
    elif what == "decide":
        actions.decide_downgrade(actor, _int(p.get("request_id"), "request_id") or 0,
                                 approve=p.get("decision") == "approve", note=p.get("note", ""))
    elif what == "ready":
        through = _int(p.get("acknowledged_through"), "acknowledged_through")
        actions.mark_ready_to_close(actor, reference, acknowledged_through=through)
    elif what == "close":
        actions.close_log(actor, reference, code=p.get("code", ""), note=p.get("note", ""),
                          acknowledged_through=_int(p.get("acknowledged_through"), "acknowledged_through"),
                          authorisation_rationale=p.get("authorisation_rationale", ""))
    elif what == "cancel":
        actions.cancel_log(actor, reference, code=p.get("code", ""), reason=p.get("reason", ""),
                           duplicate_of=p.get("duplicate_of", ""),
                           acknowledged_through=_int(p.get("acknowledged_through"), "acknowledged_through"))
    elif what == "request":
        actions.add_service_request(actor, reference, direction=p.get("direction", ""),
                                    service=p.get("service", ""), requester=p.get("requester", ""),
                                    ask=p.get("ask", ""), condition=p.get("condition", ""))
    elif what == "request_update":
        actions.update_service_request(actor, _int(p.get("request_id"), "request_id") or 0,
                                       state=p.get("state", ""), note=p.get("note", ""))
    elif what == "task":
        due = _datetime(p.get("due_at"), "due_at")
        if due is None:
            raise Invalid("due_at is required", "due_at")
        actions.add_task(actor, reference=reference, description=p.get("description", ""),
                         owner_id=_int(p.get("owner_id"), "owner_id") or 0, due_at=due)
    elif what == "task_done":
        actions.complete_task(actor, _int(p.get("task_id"), "task_id") or 0, result=p.get("result", ""))
    elif what == "link":
        actions.link_logs(actor, reference, p.get("other", ""), kind=p.get("kind", ""),
                          reason=p.get("reason", ""))
    elif what == "merge":
        target = actions.merge_logs(actor, reference, p.get("into", ""), reason=p.get("reason", ""))
        return HttpResponseRedirect(reverse("log", args=[target.reference]))
    elif what == "assign":
        actions.assign_staff(actor, reference, _int(p.get("user_id"), "user_id") or 0)
    elif what == "review":
        actions.take_review(actor, reference)
    else:
        raise Invalid(f"Unknown action {what!r}", "action")
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
    user = request.user
    # L10: dismissed child, domestic-abuse, weapons or exploitation prompts need what a flag needs at close.
    dismissed = hooks.dismissed_concerns(log, actions.family_ids(log), policy) if mode == "close" else []
    return {
        "dialog_mode": mode,
        "mode": mode,
        "unseen": actions.unseen_for(log, user),  # type: ignore[arg-type]
        "closing_codes": policy["closing_codes"],
        "cancellation_codes": policy["cancellation_codes"],
        "may_authorise_close": user.role in policy["flagged_close_authoriser_roles"],  # type: ignore[union-attr]
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
    user = request.user
    team_q = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])  # type: ignore[union-attr]
    mine = Notification.objects.filter(recipient=user).select_related("log").order_by("-id")[:200]
    team = Notification.objects.filter(team_q).select_related("log").order_by("-id")[:200]
    messages = Contact.objects.filter(
        Q(addressed_to=user) | (Q(routed_to_team_id=user.team_id) if user.team_id else Q(pk__in=[])),  # type: ignore[union-attr]
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
            to = _int(request.POST.get("addressed_to"), "addressed_to") or 0
            c = actions.send_message(actor_of(request), to, _contact(request.POST))
        except Refusal as exc:
            ctx["error"] = exc
            return render(request, "incidents/message_new.html", ctx, status=exc.status)
        ctx["sent"] = c
    return render(request, "incidents/message_new.html", ctx)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    logs = (Log.objects.filter(review_queue__isnull=False, review_owned_at__isnull=True, status="open")
            .select_related("review_queue", "review_assignee").order_by("created_at"))
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
            reviewer = _int(request.POST.get("reviewer_id"), "reviewer_id")
            deputy = _int(request.POST.get("deputy_id"), "deputy_id")
            actions.set_intake_reviewers(actor, failed, reviewer_id=reviewer, deputy_id=deputy,  # type: ignore[arg-type]
                                         name=request.POST.get("name", ""))
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
