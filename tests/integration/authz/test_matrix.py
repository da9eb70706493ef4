"""The authorisation matrix: every state-changing operation × every role × (their own record, someone
else's record), through the API and, where the page has a form for it, through the UI.

`MATRIX` is the data: for each write in the API's endpoint table (`tests/integration/test_api.py`, whose
setups prepare a valid call), which personas succeed on their own record and which on someone else's;
every other persona is refused with the row's status. A record is "their own" when it is tied to them: the
log they own, the unit they crew, the message addressed to them. "Someone else's" belongs to a colleague no
column of the matrix is (`STRANGER`). An operation on no one's record (raising a log, adding a person) has
one column, the same for both.

Each cell runs inside a savepoint rolled back afterwards, so one prepared call serves every role and the
whole matrix stays fast. A success writes exactly the endpoint's one audit record; a refusal writes nothing
(no audit record, no change to any row: `db_state`), the page after a refused form aside, which records who
looked at the page it shows again (a read, A2) and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.integration.assurance import contract as assurance_contract
from tests.integration.cases import contract as cases
from tests.integration.geo import contract as geo_contract
from tests.integration.referrals import contract as referrals
from tests.integration.risk import contract as risk
from tests.integration.staff_roster import contract as roster
from tests.integration.test_api import BY_ROUTE, WRITES, Call, Endpoint, db_state, send, token_client
from tests.support.personas import ONE_PER_ROLE, Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.dispatch.models import Assignment
from watchkeeper.incidents.models import (
    Contact,
    DowngradeRequest,
    Log,
    LogAssignment,
    LogSeen,
    Notification,
    ServiceRequest,
    Task,
)
from watchkeeper.people.models import Check, Marker, Prompt, SpecialScheme
from watchkeeper.staff.models import ApiToken

pytestmark = pytest.mark.django_db

ROLES = ONE_PER_ROLE
STRANGER = "handler2"  # whose "someone else's" records are: a call handler no column of the matrix is

# Who may, by name (one persona per role). The names are shorthand for writing the table, nothing more: the
# test never reads the permission table to decide what to expect.
ROOM = "dispatcher controller inspector supervisor"  # those who run the room
GRADERS = f"handler {ROOM}"
OPERATIONAL = f"handler officer investigator {ROOM}"
EVERYONE = " ".join(ROLES)
SAME = "same as own"  # someone else's record: the same personas as their own


@dataclass(frozen=True)
class Row:
    """One operation: who succeeds on their own record (`own`) and on someone else's (`other`: SAME, or
    None when the record is no one's), the status everyone else gets, and the page's form for it (or
    None: there is none, and `no_form` says why)."""

    method: str
    route: str
    own: str
    other: str | None = SAME
    refused: int = 403
    form: Callable[[Personas, Call], tuple[str, dict[str, Any]]] | None = None
    no_form: str = ""

    @property
    def endpoint(self) -> Endpoint:
        return BY_ROUTE[(self.method, self.route)]

    def __str__(self) -> str:
        return f"{self.method} {self.route}"

    def allowed(self, whose: str) -> set[str]:
        names = self.own if whose == "own" or self.other in (None, SAME) else self.other
        return set((names or "").split())

    @property
    def columns(self) -> tuple[str, ...]:
        return ("any",) if self.other is None else ("own", "other")


# ------------------------------------------------------------------------------------- the forms
def _flat(body: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON body as a page's form posts it (web/forms.py): nested fields dotted, list items numbered,
    lists of values repeated, booleans as words, absent values left out."""
    out: dict[str, Any] = {}
    for key, value in (body or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, name + "."))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value):
                out.update(_flat(item, f"{name}.{i}."))
        elif isinstance(value, list):
            out[name] = [str(v) for v in value] or [""]
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif value is not None:
            out[name] = str(value)
    return out


def _log_form(what: str, *, ref: Callable[[Call], str] | None = None, path_id: str = "",
              drop: tuple[str, ...] = ()) -> Callable[[Personas, Call], tuple[str, dict[str, Any]]]:
    """The log page's `/logs/<reference>/do/<what>/` form."""

    def form(p: Personas, call: Call) -> tuple[str, dict[str, Any]]:
        reference = ref(call) if ref else call.params.get("reference") or call.body["reference"]
        data = _flat({k: v for k, v in (call.body or {}).items() if k not in drop})
        if path_id:
            data[path_id] = str(call.params[path_id])
        return f"/logs/{reference}/do/{what}/", data

    return form


def _people_log_form(what: str, ref: Callable[[Call], str] | None = None,
                     path_id: str = "") -> Callable[[Personas, Call], tuple[str, dict[str, Any]]]:
    """The log's people and prompts section: `/logs/<reference>/people/do/<what>/`."""

    def form(p: Personas, call: Call) -> tuple[str, dict[str, Any]]:
        reference = ref(call) if ref else call.params["reference"]
        data = _flat(call.body)
        if path_id:
            data[path_id] = str(call.params[path_id])
        return f"/logs/{reference}/people/do/{what}/", data

    return form


def _subject_form(what: str, person: Callable[[Call], int], *, drop: tuple[str, ...] = (), path_id: str = "",
                  extra: Callable[[Call], dict[str, Any]] | None = None,
                  ) -> Callable[[Personas, Call], tuple[str, dict[str, Any]]]:
    """A person page's `/people/<id>/do/<what>/` form."""

    def form(p: Personas, call: Call) -> tuple[str, dict[str, Any]]:
        data = _flat({k: v for k, v in (call.body or {}).items() if k not in drop})
        if path_id:
            data[path_id] = str(call.params[path_id])
        data.update(extra(call) if extra else {})
        data["purpose"] = "Authorisation matrix"
        return f"/people/{person(call)}/do/{what}/", data

    return form


def _dispatch_form(what: str, target: str = "") -> Callable[[Personas, Call], tuple[str, dict[str, Any]]]:
    """A board's `/dispatch/do/<what>/<target>/` form."""

    def form(p: Personas, call: Call) -> tuple[str, dict[str, Any]]:
        suffix = f"{call.params[target]}/" if target else ""
        return f"/dispatch/do/{what}/{suffix}", _flat(call.body)

    return form


def _plain_form(path: str) -> Callable[[Personas, Call], tuple[str, dict[str, Any]]]:
    return lambda p, call: (path.format(**call.params), _flat(call.body))


def _raise_form(p: Personas, call: Call) -> tuple[str, dict[str, Any]]:
    return "/new/", _flat(call.body)


def _person_form(p: Personas, call: Call) -> tuple[str, dict[str, Any]]:
    body = dict(call.body)
    aliases = "; ".join(body.pop("aliases", []))
    return "/people/", {**_flat(body), "aliases": aliases}


def _order_extra(call: Call) -> dict[str, Any]:
    """M3: the order form gives its class of people as "anyone under N" and its activities one a line."""
    classes = call.body.get("protected_classes") or [{}]
    under = classes[0].get("max_age")
    return {"class_under_age": str(under + 1) if under is not None else "",
            "activities": "\n".join(call.body.get("activities", []))}


def _reference_of(model: Any, key: str) -> Callable[[Call], str]:
    return lambda call: str(model.objects.select_related("log").get(pk=call.params[key]).log.reference)


def _marker_person(call: Call) -> int:
    return int(Marker.objects.get(pk=call.params["marker_id"]).person_id or 0)


def _scheme_person(call: Call) -> int:
    return int(SpecialScheme.objects.get(pk=call.params["scheme_id"]).victim_id)


LEARNING_FORMS = "the learning library's forms are checked by tests/integration/learning"

# --------------------------------------------------------------------------------------- the matrix
MATRIX: list[Row] = [
    # ---- logs
    Row("POST", "/api/logs", OPERATIONAL, None, form=_raise_form),
    Row("PATCH", "/api/logs/{reference}", OPERATIONAL, form=_log_form("update")),
    Row("POST", "/api/logs/{reference}/contacts", OPERATIONAL, form=_log_form("contact")),
    Row("POST", "/api/logs/{reference}/entries", OPERATIONAL, form=_log_form("entry")),
    Row("POST", "/api/logs/{reference}/grade", GRADERS, form=_log_form("grade")),
    Row("POST", "/api/logs/{reference}/downgrade-requests", GRADERS, form=_log_form("downgrade")),
    # L5: only the authoriser the request names (the controller) decides it, whoever's log it is.
    Row("POST", "/api/downgrade-requests/{request_id}/decision", "controller", None,
        form=_log_form("decide", ref=_reference_of(DowngradeRequest, "request_id"), path_id="request_id")),
    # Per record: the owner (or staff assigned) closes, cancels, reopens; those who run the room any log.
    Row("POST", "/api/logs/{reference}/ready-to-close", f"handler officer {ROOM}", ROOM, form=_log_form("ready")),
    Row("POST", "/api/logs/{reference}/close", f"handler officer {ROOM}", ROOM, form=_log_form("close")),
    Row("POST", "/api/logs/{reference}/cancel", GRADERS, ROOM, form=_log_form("cancel")),
    Row("POST", "/api/logs/{reference}/reopen", f"handler officer {ROOM}", ROOM, form=_log_form("reopen")),
    Row("POST", "/api/logs/{reference}/service-requests", OPERATIONAL, form=_log_form("request")),
    Row("POST", "/api/service-requests/{request_id}", OPERATIONAL, None,
        form=_log_form("request_update", ref=_reference_of(ServiceRequest, "request_id"), path_id="request_id")),
    Row("POST", "/api/tasks", OPERATIONAL, None, form=_log_form("task")),
    # L11: a task is completed by its owner, their supervisor, or a supervisor, controller or duty inspector
    # (the stranger's supervisor is the controller).
    Row("POST", "/api/tasks/{task_id}/complete", OPERATIONAL, "controller inspector supervisor",
        form=_log_form("task_done", ref=_reference_of(Task, "task_id"), path_id="task_id")),
    Row("POST", "/api/logs/{reference}/links", OPERATIONAL, form=_log_form("link")),
    Row("POST", "/api/logs/{reference}/merge", f"handler {ROOM}", form=_log_form("merge")),
    Row("POST", "/api/logs/{reference}/assignments", f"handler {ROOM}", form=_log_form("assign")),
    # L9: an automatically created log is taken by anyone who may own a review.
    Row("POST", "/api/logs/{reference}/review", OPERATIONAL, form=_log_form("review")),
    # ---- messages and notifications (L8)
    Row("POST", "/api/messages", OPERATIONAL, None, form=_plain_form("/messages/new/")),
    # The addressee (own); someone else's is for their supervisor (the stranger's is the controller) or a
    # controller or duty inspector.
    Row("POST", "/api/messages/{contact_id}/handle", OPERATIONAL, "controller inspector",
        form=_plain_form("/messages/{contact_id}/handle/")),
    # A notification is read by its recipient (or their team, for a team's): to anyone else it does not exist.
    Row("POST", "/api/notifications/{notification_id}/read", EVERYONE, "", refused=404,
        form=_plain_form("/notifications/{notification_id}/read/")),
    # ---- staff, policy, intake
    Row("PUT", "/api/policy/{key}", "admin", None, form=lambda p, c: (
        f"/policy/{c.params['key']}/", {"step": "save", "value": json.dumps(c.body["value"]),
                                        "reason": c.body["reason"]})),
    Row("POST", "/api/policy/{key}/preview", "admin", None, form=lambda p, c: (
        f"/policy/{c.params['key']}/", {"step": "preview", "value": json.dumps(c.body["value"])})),
    Row("POST", "/api/policy/{key}/rollback", "admin", None, form=lambda p, c: (
        f"/policy/{c.params['key']}/", {"step": "rollback", "version_id": str(c.body["version_id"]),
                                        "reason": c.body["reason"]})),
    # A token is revoked by its owner or an administrator.
    Row("POST", "/api/staff/tokens/{token_id}/revoke", EVERYONE, "admin",
        form=lambda p, call: ("/account/tokens/", {"revoke": str(call.params["token_id"])})),
    Row("POST", "/api/staff/{user_id}/absence", "supervisor admin", None,
        no_form="absence is recorded through the API only"),
    Row("POST", "/api/staff/{user_id}/move", "supervisor inspector admin", None,
        form=lambda p, call: ("/staff/", {"move": str(call.params["user_id"]), **_flat(call.body)})),
    Row("PUT", "/api/intake/queues/{code}", "admin", None,
        form=lambda p, call: ("/intake/", {"code": call.params["code"], **_flat(call.body)})),
    # ---- learning library (K1-K5)
    Row("POST", "/api/learning/documents", "learning admin", None, no_form=LEARNING_FORMS),
    Row("POST", "/api/learning/documents/{document_id}/corrections", "learning admin", None, no_form=LEARNING_FORMS),
    Row("POST", "/api/learning/cases/{case_id}/replay", "learning admin", None, no_form=LEARNING_FORMS),
    Row("PATCH", "/api/learning/recommendations/{rec_id}", "learning admin", None, no_form=LEARNING_FORMS),
    Row("POST", "/api/learning/recommendations/{rec_id}/response", "learning admin", None, no_form=LEARNING_FORMS),
    Row("POST", "/api/learning/recommendations/{rec_id}/actions", "learning admin", None, no_form=LEARNING_FORMS),
    Row("POST", "/api/learning/actions/{action_id}/complete", "learning admin", None, no_form=LEARNING_FORMS),
    Row("POST", "/api/learning/recommendations/{rec_id}/evidence", "learning admin", None, no_form=LEARNING_FORMS),
    Row("POST", "/api/learning/questions/{question_id}/answers", "learning admin", None, no_form=LEARNING_FORMS),
    Row("POST", "/api/learning/settings", "learning admin", None, no_form=LEARNING_FORMS),
    # ---- people and places (C1-C9, M1-M4). Markers, orders and certificates are written only by those who
    # may also read the person they are on (the administrator may not).
    Row("POST", "/api/people", OPERATIONAL, None, form=_person_form),
    Row("POST", "/api/people/{person_id}/relationships", OPERATIONAL, None,
        form=_subject_form("relationship", lambda c: int(c.params["person_id"]))),
    Row("POST", "/api/people/{person_id}/residences", OPERATIONAL, None,
        form=_subject_form("residence", lambda c: int(c.params["person_id"]))),
    Row("POST", "/api/people/{person_id}/phones", OPERATIONAL, None,
        form=_subject_form("phone", lambda c: int(c.params["person_id"]))),
    Row("POST", "/api/logs/{reference}/parties", OPERATIONAL, form=_people_log_form("party")),
    Row("POST", "/api/markers", "investigator controller inspector supervisor", None,
        form=_subject_form("marker", lambda c: int(c.body["person_id"]), drop=("person_id",))),
    Row("POST", "/api/markers/{marker_id}/end", "investigator controller inspector supervisor", None,
        form=_subject_form("end_marker", _marker_person, path_id="marker_id")),
    Row("POST", "/api/schemes", "investigator inspector supervisor", None,
        form=_subject_form("scheme", lambda c: int(c.body["victim_id"]), drop=("victim_id",))),
    Row("POST", "/api/schemes/{scheme_id}/contacts", "investigator inspector supervisor", None,
        form=_subject_form("scheme_contact", _scheme_person, path_id="scheme_id")),
    Row("POST", "/api/schemes/{scheme_id}/remove", "investigator inspector supervisor", None,
        form=_subject_form("scheme_remove", _scheme_person, path_id="scheme_id")),
    Row("POST", "/api/schemes/{scheme_id}/extend", "investigator inspector supervisor", None,
        form=_subject_form("scheme_extend", _scheme_person, path_id="scheme_id")),
    Row("POST", "/api/orders", "investigator supervisor", None,
        form=_subject_form("order", lambda c: int(c.body["restricted_id"]),
                           drop=("restricted_id", "protected_classes", "activities"), extra=_order_extra)),
    Row("POST", "/api/certificates", "investigator controller inspector supervisor", None,
        form=_subject_form("certificate", lambda c: int(c.body["holder_id"]), drop=("holder_id",))),
    Row("POST", "/api/logs/{reference}/checks", OPERATIONAL, form=_people_log_form("check")),
    Row("POST", "/api/checks/{check_id}", OPERATIONAL, None,
        form=_people_log_form("check_result", ref=_reference_of(Check, "check_id"), path_id="check_id")),
    Row("POST", "/api/prompts/{prompt_id}/decision", OPERATIONAL, None,
        form=_people_log_form("decide", ref=_reference_of(Prompt, "prompt_id"), path_id="prompt_id")),
    # ---- dispatch and response clocks (D1-D4)
    Row("POST", "/api/units", f"{ROOM} admin", None, form=_dispatch_form("create_unit")),
    Row("POST", "/api/units/{callsign}/duty", f"{ROOM} admin", None, form=_dispatch_form("duty", "callsign")),
    Row("POST", "/api/logs/{reference}/units", ROOM, form=_dispatch_form("assign", "reference")),
    # D1: the unit's own crew, or a dispatcher's permission (those who run the room).
    Row("POST", "/api/assignments/{assignment_id}", f"officer {ROOM}", ROOM,
        form=_dispatch_form("state", "assignment_id")),
    Row("POST", "/api/diverts", ROOM, None, form=_dispatch_form("divert")),
    Row("POST", "/api/diverts/{divert_id}/decision", "controller inspector", None,
        form=_dispatch_form("decide", "divert_id")),
    # D1, D3: a no-units alert goes to the controller; it is acknowledged at that level of the chain or above
    # (the duty inspector), not by the dispatcher it went past nor by anyone outside the chain.
    Row("POST", "/api/alerts/{alert_id}/acknowledge", "controller inspector", None,
        form=_dispatch_form("ack", "alert_id")),
    Row("POST", "/api/logs/{reference}/no-units", ROOM, form=_dispatch_form("no_units", "reference")),
    Row("POST", "/api/logs/{reference}/area", ROOM, form=_dispatch_form("area", "reference")),
    # ---- risk assessment (R1-R6): tests/integration/risk/contract.py
    *risk.matrix(Row),
    # ---- unit positions and the gazetteer: tests/integration/geo/contract.py
    *geo_contract.matrix(Row, ROOM),
    # ---- the duty roster (A4): tests/integration/staff_roster/contract.py
    *roster.matrix(Row),
    *assurance_contract.matrix(Row),
    # ---- cases (P1): tests/integration/cases/contract.py
    *cases.matrix(Row),
    # ---- referrals (P7, P11): tests/integration/referrals/contract.py
    *referrals.matrix(Row),
]
ROWS = {(r.method, r.route): r for r in MATRIX}


# ------------------------------------------------------------------------------------- ownership
def _make(p: Personas, call: Call, persona: str, whose: str) -> None:
    """Tie the record the call acts on to the persona (own) or to the stranger (other), as the force's
    records tie them: the log's owner, the unit's crew, the message's addressee. Whoever acts on a log has
    read it to its latest entry (so reading before closing, L3, is not what is being tested)."""
    user = getattr(p, persona if whose == "own" else STRANGER)
    if "reference" in call.params and whose != "any":
        log = Log.objects.get(reference=call.params["reference"])
        Log.objects.filter(pk=log.pk).update(owner=user)
        LogAssignment.objects.filter(log=log).exclude(user=user).update(active=False)
    if "assignment_id" in call.params and whose != "any":
        unit = Assignment.objects.get(pk=call.params["assignment_id"]).unit
        unit.crew.set([user])
    if "contact_id" in call.params and whose != "any":
        Contact.objects.filter(pk=call.params["contact_id"]).update(addressed_to=user, routed_to_team=None)
    if "task_id" in call.params and whose != "any":
        Task.objects.filter(pk=call.params["task_id"]).update(owner=user)
    if "notification_id" in call.params and whose != "any":
        Notification.objects.filter(pk=call.params["notification_id"]).update(recipient=user, team=None)
    if "token_id" in call.params and whose != "any":
        ApiToken.objects.filter(pk=call.params["token_id"]).update(user=user)
    for log in Log.objects.all():
        LogSeen.objects.update_or_create(log=log, user=getattr(p, persona), defaults={"seen_seq": log.last_seq})


@contextmanager
def _rolled_back() -> Iterator[None]:
    sid = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(sid)


def _last_seq() -> int:
    return AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _writes(state: dict[str, Any]) -> dict[str, Any]:
    """What a call changed, leaving out the audit trail and the event stream (compared on their own)."""
    return {k: v for k, v in state.items() if k not in ("audit", "events")}


READS = (".viewed", "context.viewed")


def _call(p: Personas, row: Row, call: Call, client: Client, channel: str) -> tuple[int, bool]:
    """One request through the API or the page's form: its status, and whether that status is success."""
    endpoint = row.endpoint
    if channel == "api":
        response = send(client, endpoint.method, endpoint.path(call) + call.query, call.body)
        return response.status_code, response.status_code == endpoint.status
    assert row.form is not None
    path, data = row.form(p, call)
    response = client.post(path, data)
    return response.status_code, response.status_code in (200, 302)


def _run_cells(p: Personas, row: Row) -> list[str]:
    """Every cell of one row; returns what disagreed with the table (empty when all agree)."""
    endpoint = row.endpoint
    call = endpoint.setup(p)
    clients: dict[tuple[str, str], Client] = {}
    for name in ROLES:
        clients[name, "api"] = token_client(getattr(p, name))
        if row.form:
            clients[name, "ui"] = Client()
            clients[name, "ui"].force_login(getattr(p, name))
    channels = ("api", "ui") if row.form else ("api",)
    wrong: list[str] = []
    for whose in row.columns:
        allowed = row.allowed(whose)
        for name in ROLES:
            expect_ok = name in allowed
            before: dict[str, Any] | None = None
            for channel in channels:
                with _rolled_back():
                    _make(p, call, name, whose)
                    since = _last_seq()
                    if not expect_ok and before is None:  # the same state for both channels
                        before = _writes(db_state())
                    status, ok = _call(p, row, call, clients[name, channel], channel)
                    new = [r.action for r in AuditRecord.objects.filter(seq__gt=since).order_by("seq")]
                    cell = f"{row} [{whose}] {name} via {channel}: {status}"
                    if expect_ok:
                        writes = [a for a in new if not a.endswith(READS)]
                        if not ok or writes != ([endpoint.audit] if endpoint.audit else []):
                            wrong.append(f"{cell}, expected success writing {endpoint.audit}; wrote {writes}")
                        continue
                    if status != row.refused:
                        wrong.append(f"{cell}, expected {row.refused}")
                    assert before is not None
                    after = _writes(db_state())
                    changed = [k for k in before if after[k] != before[k]]
                    written = [a for a in new if channel == "api" or not a.endswith(READS)]
                    if changed or written:
                        wrong.append(f"{cell}: a refusal wrote {written} and changed {changed}")
    return wrong


# ------------------------------------------------------------------------------------------ tests
def test_every_write_of_the_api_is_in_the_matrix() -> None:
    """A new state-changing endpoint fails here until someone writes down who may call it, on whose record."""
    writes = {(e.method, e.route) for e in WRITES}
    assert sorted(writes - set(ROWS)) == [], "writes without a row in MATRIX"
    assert sorted(set(ROWS) - writes) == [], "rows for endpoints the API table no longer lists"
    assert len(ROWS) == len(MATRIX), "an operation is listed twice"
    for row in MATRIX:
        assert row.form or row.no_form, f"{row}: name the page's form, or say why there is none"
        assert row.allowed("own") <= set(ROLES) and row.allowed("other") <= set(ROLES), row


@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_matrix(people: Personas, row: Row) -> None:
    wrong = _run_cells(people, row)
    assert not wrong, "\n".join(wrong)

