"""The duty roster page: who is on which desk, the day's shifts and absences, adding one, importing a CSV
roster, and staffing now against the minimum."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from watchkeeper.assurance import roster
from watchkeeper.assurance.api import day_window
from watchkeeper.assurance.operations import OPERATIONS
from watchkeeper.assurance.rules import DESK_ROLES
from watchkeeper.cases.rules import UPDATE_KINDS
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.staff.models import Team, User
from watchkeeper.web.forms import actor_of, operation


def _day(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"day must be a date (YYYY-MM-DD), not {raw!r}.", "day") from None


def _roster_page(request: HttpRequest, error: Refusal | None = None, form: Any = None,
                 status: int = 200, done: str = "") -> HttpResponse:
    actor = actor_of(request)
    actor.require("roster.view")
    day = _day(request.GET.get("day", ""))
    start, end = day_window(day)
    shifts = roster.roster_shifts(start, end)
    by_role = [(code, label, [s for s in shifts if s.desk_role == code and not s.absence])
               for code, label in DESK_ROLES.items()]
    ctx = {
        "day": timezone.localtime(start).date(), "by_role": by_role,
        "absences": [s for s in shifts if s.absence], "staffing": roster.staffing_now(),
        "may_manage": actor.may("roster.manage"), "desk_roles": list(DESK_ROLES.items()),
        "may_report": actor.may("workload.report"),
        "staff": User.objects.filter(is_active=True).order_by("last_name", "username")[:2000] if actor.may(
            "roster.manage") else [],
        "error": error, "form": form or {}, "done": done, "columns": ",".join(roster.IMPORT_COLUMNS),
        "max_rows": roster.MAX_IMPORT_ROWS,
    }
    return render(request, "assurance/roster.html", ctx, status=status)


@login_required
@require_GET
def roster_page(request: HttpRequest) -> HttpResponse:
    return _roster_page(request, done=request.GET.get("done", "")[:40])


@login_required
@require_POST
def roster_do(request: HttpRequest, what: str) -> HttpResponse:
    """Roster a shift or absence, or import a CSV roster (a file or pasted text)."""
    actor = actor_of(request)
    form = request.POST.copy()
    try:
        if what not in ("shift", "import"):
            raise Invalid(f"Unknown action {what!r}; expected one of: shift, import", "action")
        upload = request.FILES.get("file")
        if what == "import" and upload is not None:
            if upload.size is not None and upload.size > roster.MAX_IMPORT_BYTES:
                raise Invalid(f"The roster is larger than {roster.MAX_IMPORT_BYTES // 1024} KB.", "text")
            try:
                form["text"] = upload.read(roster.MAX_IMPORT_BYTES + 1).decode("utf-8")
            except UnicodeDecodeError:
                raise Invalid("The roster file must be UTF-8 text (CSV).", "text") from None
        done = operation(OPERATIONS, what).from_form(actor, form)
    except Refusal as exc:
        return _roster_page(request, exc, form, exc.status)
    said = f"imported-{len(done)}" if what == "import" else "added"
    back = reverse("assurance:roster")
    day = request.GET.get("day", "")
    return HttpResponseRedirect(f"{back}?done={said}" + (f"&day={day}" if day else ""))


@login_required
@require_POST
def shift_do(request: HttpRequest, shift_id: int, what: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        done = operation({"cancel": OPERATIONS["cancel"]}, what).from_form(actor, request.POST, shift_id=shift_id)
    except Refusal as exc:
        return _roster_page(request, exc, request.POST, exc.status)
    day = timezone.localtime(done.starts_at).date().isoformat()
    return HttpResponseRedirect(f"{reverse('assurance:roster')}?done=cancelled&day={day}")


# ------------------------------------------------------------------------------------- A1 training
def _training_page(request: HttpRequest, error: Refusal | None = None, form: Any = None,
                   status: int = 200) -> HttpResponse:
    from watchkeeper.assurance import training
    from watchkeeper.core.config import current_policy

    actor = actor_of(request)
    ctx: dict[str, Any] = {"error": error, "form": form or {}, "done": request.GET.get("done", "")[:20],
                           "may_view": actor.may("training.view"), "may_manage": actor.may("training.manage")}
    if ctx["may_view"]:
        team, state = request.GET.get("team", "")[:100], request.GET.get("state", "")[:16]
        rows = training.compliance(actor, team=team, state=state)
        ctx.update(rows=rows, summary=training.summary(rows), team=team, state=state)
    ctx["lapses"] = training.lapses(actor)
    ctx["me"] = actor.user_id
    if ctx["may_manage"]:
        ctx["courses"] = current_policy()["training"]["courses"]
        ctx["staff"] = User.objects.filter(is_active=True).order_by("last_name", "username")[:2000]
    return render(request, "assurance/training.html", ctx, status=status)


@login_required
@require_GET
def training_page(request: HttpRequest) -> HttpResponse:
    return _training_page(request)


@login_required
@require_POST
def training_do(request: HttpRequest) -> HttpResponse:
    try:
        OPERATIONS["training"].from_form(actor_of(request), request.POST)
    except Refusal as exc:
        return _training_page(request, exc, request.POST, exc.status)
    return HttpResponseRedirect(f"{reverse('assurance:training')}?done=recorded")


@login_required
@require_POST
def override_do(request: HttpRequest, lapse_id: int) -> HttpResponse:
    try:
        lapse = OPERATIONS["override"].from_form(actor_of(request), request.POST, lapse_id=lapse_id)
    except Refusal as exc:
        return _training_page(request, exc, request.POST, exc.status)
    back = request.POST.get("back", "")
    if back.startswith("/") and not back.startswith("//"):
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(f"{reverse('assurance:training')}?done=override-{lapse.pk}")


# ------------------------------------------------------------------------------------- A2 anomalies
def _standards_page(request: HttpRequest, error: Refusal | None = None, status: int = 200) -> HttpResponse:
    from watchkeeper.assurance import anomalies
    from watchkeeper.assurance.models import AnomalyFlag, AnomalyRun, WatchedPerson

    actor = actor_of(request)
    state = request.GET.get("state", "open")[:8]
    flags = anomalies.queue(actor, state=state)
    ctx = {"flags": flags, "state": state, "states": AnomalyFlag.STATES, "outcomes": AnomalyFlag.OUTCOMES,
           "kinds": WatchedPerson.KINDS, "error": error,
           "watched": WatchedPerson.objects.filter(ended_at__isnull=True).select_related("person")[:500],
           "last_run": AnomalyRun.objects.order_by("-pk").first()}
    return render(request, "assurance/standards.html", ctx, status=status)


@login_required
@require_GET
def standards_page(request: HttpRequest) -> HttpResponse:
    return _standards_page(request)


@login_required
@require_POST
def flag_do(request: HttpRequest, flag_id: int, what: str) -> HttpResponse:
    try:
        operation({"case": OPERATIONS["case"], "outcome": OPERATIONS["outcome"]}, what).from_form(
            actor_of(request), request.POST, flag_id=flag_id)
    except Refusal as exc:
        return _standards_page(request, exc, exc.status)
    return HttpResponseRedirect(reverse("assurance:standards"))


@login_required
@require_POST
def watch_do(request: HttpRequest) -> HttpResponse:
    try:
        OPERATIONS["watch"].from_form(actor_of(request), request.POST)
    except Refusal as exc:
        return _standards_page(request, exc, exc.status)
    return HttpResponseRedirect(reverse("assurance:standards"))


# ------------------------------------------------------------------------------------- A4, A5 dashboard
def _csv_response(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    import csv

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        # A cell starting with = + - @ is read as a formula by spreadsheets: quote it as text.
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    return response


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """A4: the assurance dashboard: charts with a table behind each, a date range and filters, the logs behind
    a figure, CSV export; A5: queue ages and overload reported."""
    from watchkeeper.assurance import dashboard, training
    from watchkeeper.core.config import current_policy

    actor = actor_of(request)
    actor.require("reports.view")
    first, last = dashboard.date_range(request.GET.get("from", "")[:10], request.GET.get("to", "")[:10])
    grade, area = request.GET.get("grade", "")[:32], request.GET.get("area", "")[:10]
    response = dashboard.response_compliance(first, last, grade, area)
    lists = dashboard.log_lists(first, last)
    comp = training.compliance(actor) if actor.may("training.view") else []
    export = request.GET.get("export", "")
    if export == "response":
        return _csv_response("response-compliance", ["grade", "area", "total", "met", "breached", "running",
                                                     "percent_met"],
                             [[r["grade"], r["area"], r["total"], r["met"], r["breached"], r["running"],
                               r["percent"]] for r in response])
    if export == "lists":
        return _csv_response("log-lists", ["list", "reference"], [[r["code"], ref] for r in lists for ref in r["refs"]])
    if export == "training":
        return _csv_response("training-compliance", ["username", "role", "team", "course", "state", "valid_until"],
                             [[r["username"], r["role"], r["team"], r["course"], r["state"],
                               r["expires_on"].isoformat() if r["expires_on"] else ""] for r in comp])
    floor, team, kind = (request.GET.get("floor", "")[:32], request.GET.get("team", "")[:100],
                         request.GET.get("kind", "")[:32])
    schemes = dashboard.schemes_ending(first, last, floor)
    overdue = dashboard.overdue_work(first, last, team)
    updates = dashboard.unconfirmed_updates(first, last, kind)
    desks = dashboard.desk_queues()
    more = _more_exports(export, schemes, overdue, updates, desks)
    if more is not None:
        return more
    if export:
        raise Invalid(f"No export {export!r}.", "export")  # the refusal page (RefusalMiddleware), 400
    drill = None
    if request.GET.get("drill") == "response":
        drill = {"title": f"Response clocks: {grade or 'no grade'}, {area}",
                 "rows": dashboard.response_logs(first, last, grade, area)}
    elif request.GET.get("drill") in {r["code"] for r in lists}:
        chosen = next(r for r in lists if r["code"] == request.GET["drill"])
        drill = {"title": chosen["label"], "refs": chosen["refs"]}
    else:
        drill = _more_drill(request.GET.get("drill", "")[:40], request.GET.get("week", "")[:10], schemes,
                            overdue, updates)
    summary = training.summary(comp)
    training_rows = [{"state": k, "count": n} for k, n in summary.items()]
    staffing = roster.staffing_now()
    policy = current_policy()
    ctx = {
        "first": first, "last": last, "grade": grade, "area": area,
        "grades": [g["code"] for g in policy["grades"]], "areas": ["urban", "rural"],
        "response": response, "response_chart": dashboard.chart(response, "grade", "percent", scale=100),
        "lists": lists, "lists_chart": dashboard.chart(lists, "label", "count"),
        "training": training_rows, "training_chart": dashboard.chart(training_rows, "state", "count"),
        "may_training": actor.may("training.view"), "staffing": staffing,
        "staffing_chart": dashboard.chart(staffing["rows"], "label", "count"),
        "queues": dashboard.queues(), "overload": dashboard.overload(), "drill": drill,
        "floor": floor, "team": team, "kind": kind, "teams": list(Team.objects.order_by("name")
                                                                  .values_list("name", flat=True)[:200]),
        "kinds": list(UPDATE_KINDS.items()),
        "schemes": schemes, "schemes_chart": dashboard.chart(schemes, "label", "count"),
        "overdue": overdue, "overdue_chart": dashboard.chart(overdue, "label", "count"),
        "updates": updates, "updates_chart": dashboard.chart(updates, "label", "count"),
        "desks": desks, "desks_chart": dashboard.chart(desks, "label", "size"),
        "referrals_kept": any(d["desk_role"] == "referrals" for d in desks) or dashboard.referral_backlog() is not None,
        "query": request.GET.urlencode(),
    }
    return render(request, "assurance/dashboard.html", ctx)


def _more_exports(export: str, schemes: list[dict[str, Any]], overdue: list[dict[str, Any]],
                  updates: list[dict[str, Any]], desks: list[dict[str, Any]]) -> HttpResponse | None:
    """A4, A5: the CSV of the reports on schemes, overdue work, victim updates and desk queues."""
    def when(value: Any) -> str:
        return timezone.localtime(value).isoformat() if value else ""

    if export == "schemes":
        return _csv_response("schemes-ending", ["week", "scheme", "ends_at", "grade_floor", "officer", "reviewed"],
                             [[w["week"].isoformat(), i["id"], when(i["ends_at"]), i["grade_floor"], i["officer"],
                               "yes" if i["reviewed"] else "no"] for w in schemes for i in w["items"]])
    if export == "overdue":
        return _csv_response("overdue-reviews-actions", ["list", "case", "what", "due_at", "days_overdue", "owner"],
                             [[r["code"], i["reference"], i["what"], when(i["due_at"]), i["days_overdue"],
                               i["owner"]] for r in overdue for i in r["items"]])
    if export == "updates":
        return _csv_response("unconfirmed-victim-updates", ["kind", "case", "channel", "sent_at", "outcome",
                                                            "escalated", "by"],
                             [[r["code"], i["reference"], i["channel"], when(i["sent_at"]), i["outcome"],
                               "yes" if i["escalated"] else "no", i["by"]] for r in updates for i in r["items"]])
    if export == "desks":
        return _csv_response("desk-queues", ["desk_role", "queue", "size", "oldest_minutes", "on_duty",
                                             "per_person"],
                             [[d["desk_role"], d["queue"], d["size"], d["age_minutes"], d["on_duty"],
                               d["per_person"]] for d in desks])
    return None


def _more_drill(drill: str, week: str, schemes: list[dict[str, Any]], overdue: list[dict[str, Any]],
                updates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The records behind a figure of the reports on schemes, overdue work and victim updates."""
    from django.utils.formats import date_format

    def at(value: Any) -> str:
        return date_format(timezone.localtime(value), "j M Y H:i") if value else "—"

    def case(i: dict[str, Any]) -> tuple[str, str]:
        return i["reference"], reverse("cases:case", args=[i["case_id"]])

    if drill == "schemes":
        chosen = next((w for w in schemes if w["week"].isoformat() == week), None)
        if chosen is None:
            return None
        return {"title": f"Special schemes ending in the week commencing {chosen['week']:%d %b %Y}",
                "columns": ["Scheme (the victim's record asks why you look)", "Ends", "Grade floor", "Officer",
                            "Reviewed"],
                "records": [[(f"Scheme {i['id']}", reverse("person", args=[i["person_id"]])), (at(i["ends_at"]), ""),
                             (i["grade_floor"], ""), (i["officer"], ""), ("yes" if i["reviewed"] else "no", "")]
                            for i in chosen["items"]]}
    chosen = next((r for r in overdue if f"overdue-{r['code']}" == drill), None)
    if chosen is not None:
        return {"title": chosen["label"], "columns": ["Case", "What", "Due", "Days overdue", "Owner"],
                "records": [[case(i), (i["what"], ""), (at(i["due_at"]), ""), (str(i["days_overdue"]), ""),
                             (i["owner"], "")] for i in chosen["items"]]}
    chosen = next((r for r in updates if f"updates-{r['code']}" == drill), None)
    if chosen is not None:
        return {"title": f"Unconfirmed victim updates: {chosen['label']}",
                "columns": ["Case", "Channel", "Sent", "Delivery", "Escalated", "By"],
                "records": [[case(i), (i["channel"], ""), (at(i["sent_at"]), ""), (i["outcome"], ""),
                             ("yes" if i["escalated"] else "no", ""), (i["by"], "")] for i in chosen["items"]]}
    return None


@login_required
@require_POST
def anomaly_run_do(request: HttpRequest) -> HttpResponse:
    """A2: professional standards run the rules now."""
    from watchkeeper.assurance import anomalies

    anomalies.run_now(actor_of(request))
    return HttpResponseRedirect(reverse("assurance:standards"))


@login_required
@require_POST
def overload_do(request: HttpRequest) -> HttpResponse:
    try:
        OPERATIONS["overload"].from_form(actor_of(request), request.POST)
    except Refusal as exc:
        return _roster_page(request, exc, request.POST, exc.status)
    return HttpResponseRedirect(f"{reverse('assurance:roster')}?done=overload")
