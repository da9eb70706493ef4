"""The duty roster endpoints' contracts for the API table (`tests/integration/test_api.py`) and their rows in
the authorisation matrix (`tests/integration/authz/test_matrix.py`), kept beside the roster tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from tests.integration.staff_roster.support import hour, local_text
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.assurance import anomalies, roster, training
from watchkeeper.assurance.models import (
    AnomalyFlag,
    AnomalyRun,
    OverloadReport,
    Shift,
    StaffingAlert,
    TrainingLapse,
    TrainingRecord,
    WatchedPerson,
)
from watchkeeper.people import actions as people_actions


def state() -> dict[str, Any]:
    """What a roster call could write."""
    return {
        "roster_shifts": list(Shift.objects.order_by("pk").values_list("pk", "cancelled_at")),
        "staffing_alerts": list(StaffingAlert.objects.order_by("pk").values_list("pk", "resolved_at")),
        "training_records": TrainingRecord.objects.count(),
        "training_lapses": list(TrainingLapse.objects.order_by("pk").values_list("pk", "overridden_at")),
        "anomaly_flags": list(AnomalyFlag.objects.order_by("pk").values_list("pk", "state")),
        "anomaly_runs": AnomalyRun.objects.count(),
        "watched": WatchedPerson.objects.count(),
        "overload": OverloadReport.objects.count(),
    }


def _flag(p: Personas) -> AnomalyFlag:
    """A2: the response officer viewed a vulnerable person's record three times with no log or task on her."""
    person = people_actions.create_person(p.actor("investigator"), given_names="Vera", family_name="Vulnerable")
    people_actions.add_marker(p.actor("investigator"), kind="vulnerability", source="Adult social care",
                              review_at=date.today() + timedelta(days=90), person_id=person.pk)
    for _ in range(3):
        people_actions.view_person(p.actor("officer"), person.pk, purpose="Checking")
    anomalies.run()
    return AnomalyFlag.objects.get(person=person)


def _lapse(p: Personas) -> TrainingLapse:
    """A1: the call handler's emergency call handling lapsed; they take a 999 call."""
    training.record_training(p.actor("admin"), user_id=p.handler.pk, course="emergency_call_handling",
                             completed_on=date(2024, 1, 10))
    log = raise_log(p.actor("handler"), channel="999")
    return TrainingLapse.objects.get(log=log, action="emergency_call")


def _shift(p: Personas) -> Shift:
    """A shift to act on: each set-up rosters the next free eight hours (a table may set up many times)."""
    later = Shift.objects.filter(user=p.handler2).count()
    return roster.add_shift(p.actor("admin"), user_id=p.handler2.pk, desk_role="call_handler",
                            starts_at=hour(30 + 9 * later), ends_at=hour(38 + 9 * later))


def endpoints(endpoint: Callable[..., Any], call: Callable[..., Any]) -> list[Any]:
    """The roster rows of the API table: `endpoint` is its Endpoint class, `call` its Call."""

    def nothing(p: Personas) -> Any:
        return call()

    def shift(p: Personas) -> Any:
        return call(body={"user_id": p.handler.pk, "desk_role": "call_handler", "desk": "Desk 2",
                          "starts_at": hour(2).isoformat(), "ends_at": hour(10).isoformat()})

    def imported(p: Personas) -> Any:
        text = ("username,desk_role,desk,starts_at,ends_at,absence,reason\n"
                f"dispatcher,dispatcher,Radio 1,{local_text(hour(3))},{local_text(hour(11))},no,\n")
        return call(body={"text": text})

    return [
        endpoint("GET", "/api/assurance/roster", "roster.view", "handler", "learning", 200, None, nothing),
        endpoint("GET", "/api/assurance/staffing", "roster.view", "handler", "learning", 200, None, nothing),
        endpoint("POST", "/api/assurance/roster/shifts", "roster.manage", "supervisor", "handler", 201,
                 "roster.shift_added", shift),
        endpoint("POST", "/api/assurance/roster/shifts/{shift_id}/cancel", "roster.manage", "inspector", "handler",
                 200, "roster.cancelled", lambda p: call({"shift_id": _shift(p).pk}, {"reason": "Swapped"})),
        endpoint("POST", "/api/assurance/roster/import", "roster.manage", "admin", "dispatcher", 201,
                 "roster.imported", imported),
        # ---- A1 training
        endpoint("GET", "/api/assurance/training/compliance", "training.view", "qa", "handler", 200, None, nothing),
        endpoint("POST", "/api/assurance/training/records", "training.manage", "learning", "handler", 201,
                 "training.recorded", lambda p: call(body={"user_id": p.handler.pk, "course": "stalking",
                                                           "completed_on": "2026-06-01"})),
        endpoint("GET", "/api/assurance/training/lapses", None, "handler", None, 200, None, nothing,
                 open_because="each member of staff sees their own training warnings, a supervisor their "
                              "team's; training.view sees all"),
        endpoint("POST", "/api/assurance/training/lapses/{lapse_id}/override", None, "handler", "handler2", 200,
                 "training.override", lambda p: call({"lapse_id": _lapse(p).pk}, {"reason": "Only one on"}),
                 refusal_says="only the person warned",
                 open_because="A1: only the person warned records why they went ahead"),
        # ---- A2 access audit
        endpoint("GET", "/api/assurance/anomalies", "anomaly.review", "standards", "qa", 200, None, nothing),
        endpoint("POST", "/api/assurance/anomalies/{flag_id}/case", "anomaly.review", "standards", "qa", 200,
                 "anomaly.case_opened", lambda p: call({"flag_id": _flag(p).pk}, {"note": "Late-night views"})),
        endpoint("POST", "/api/assurance/anomalies/{flag_id}/outcome", "anomaly.review", "standards", "qa", 200,
                 "anomaly.outcome", lambda p: call({"flag_id": _flag(p).pk},
                                                   {"outcome": "advice", "note": "Advice given"})),
        endpoint("POST", "/api/assurance/anomalies/watch-list", "anomaly.review", "standards", "qa", 201,
                 "anomaly.watched", lambda p: call(body={
                     "person_id": people_actions.create_person(p.actor("investigator"), given_names="Cole",
                                                               family_name="League").pk,
                     "kind": "colleague", "reason": "Works in the control room"})),
        # ---- A4 reports, A5 workload
        endpoint("GET", "/api/assurance/reports", "reports.view", "controller", "handler", 200, None, nothing),
        endpoint("GET", "/api/assurance/workload", "reports.view", "supervisor", "handler", 200, None, nothing),
        endpoint("POST", "/api/assurance/workload/overload", "workload.report", "handler", "qa", 201,
                 "workload.overload", lambda p: call(body={"reason": "Three calls waiting, nobody on support"})),
    ]


def _flat(body: dict[str, Any] | None) -> dict[str, Any]:
    return {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in (body or {}).items()
            if v is not None}


def page_form(what: str) -> Callable[[Personas, Any], tuple[str, dict[str, Any]]]:
    """The roster page's `/assurance/roster/do/<what>/` form."""
    return lambda p, c: (f"/assurance/roster/do/{what}/", _flat(c.body))


def cancel_form(p: Personas, c: Any) -> tuple[str, dict[str, Any]]:
    return f"/assurance/roster/shifts/{c.params['shift_id']}/do/cancel/", _flat(c.body)


KEEPERS = "inspector supervisor admin"


def matrix(row: Callable[..., Any]) -> list[Any]:
    """The roster rows of the authorisation matrix: `row` is its Row class. The roster is nobody's own."""
    return [
        row("POST", "/api/assurance/roster/shifts", KEEPERS, None, form=page_form("shift")),
        row("POST", "/api/assurance/roster/shifts/{shift_id}/cancel", KEEPERS, None, form=cancel_form),
        row("POST", "/api/assurance/roster/import", KEEPERS, None, form=page_form("import")),
        row("POST", "/api/assurance/training/records", "supervisor learning admin", None,
            form=lambda p, c: ("/assurance/training/do/training/", _flat(c.body))),
        # A1: the warning is the call handler's own; nobody else records their reason
        row("POST", "/api/assurance/training/lapses/{lapse_id}/override", "handler", None,
            form=lambda p, c: (f"/assurance/training/lapses/{c.params['lapse_id']}/do/override/", _flat(c.body))),
        # A2: professional standards only
        row("POST", "/api/assurance/anomalies/{flag_id}/case", "standards", None,
            form=lambda p, c: (f"/assurance/standards/flags/{c.params['flag_id']}/do/case/", _flat(c.body))),
        row("POST", "/api/assurance/anomalies/{flag_id}/outcome", "standards", None,
            form=lambda p, c: (f"/assurance/standards/flags/{c.params['flag_id']}/do/outcome/", _flat(c.body))),
        row("POST", "/api/assurance/anomalies/watch-list", "standards", None,
            form=lambda p, c: ("/assurance/standards/watch-list/do/watch/", _flat(c.body))),
        # A5: anyone at work says they are overloaded
        row("POST", "/api/assurance/workload/overload", "handler officer investigator dispatcher controller inspector "
            "supervisor", None, form=lambda p, c: ("/assurance/workload/do/overload/", _flat(c.body))),
    ]
