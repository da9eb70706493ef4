"""The referral endpoints' contracts for the API table (`tests/integration/test_api.py`) and their rows in the
authorisation matrix (`tests/integration/authz/test_matrix.py`), kept beside the referral tests.

Built by functions taking the table's own classes, so the table imports this module and not the reverse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.integration.referrals.support import CSV, incoming, person, referral
from tests.support.personas import Personas
from watchkeeper.referrals.models import ImportBatch, IncomingReferral, IntelReferral, ReferralEvent


def state() -> dict[str, Any]:
    """What a referral call could write (for the table's before/after comparison of refused calls)."""
    return {
        "intel_referrals": list(IntelReferral.objects.order_by("pk").values_list(
            "pk", "state", "officer_id", "access", "grade", "tier", "stage", "case_id")),
        "referral_rows": [ImportBatch.objects.count(), ReferralEvent.objects.count()],
        "incoming_referrals": list(IncomingReferral.objects.order_by("pk").values_list(
            "pk", "state", "acknowledged_by_id", "stage")),
    }


def endpoints(endpoint: Callable[..., Any], call: Callable[..., Any]) -> list[Any]:
    """The referral rows of the API table: `endpoint` is its Endpoint class, `call` its Call."""

    def nothing(p: Personas) -> Any:
        return call()

    def on_referral(body: dict[str, Any] | None = None, allocated: str | None = "officer") -> Callable[[Personas], Any]:
        return lambda p: call({"referral_id": referral(p, allocated=allocated).pk}, body)

    def on_incoming(body: dict[str, Any], acknowledged: bool = False) -> Callable[[Personas], Any]:
        return lambda p: call({"incoming_id": incoming(p, acknowledged=acknowledged).pk}, body)

    def allocation(p: Personas) -> Any:
        return call({"referral_id": referral(p, allocated=None).pk}, {"officer_id": p.officer.pk})

    def receive(p: Personas) -> Any:
        return call(body={"sending_force": "Neighbouring Constabulary", "sender": "PC Ames",
                          "person_id": person(p).pk, "ask": "Concern for welfare: please check on her",
                          "subject_role": "victim", "address_given": "Flat 4, 9 Orchard Rise, EA1 7FF"})

    return [
        endpoint("GET", "/api/referrals/queue", "case.view", "officer", "learning", 200, None, nothing),
        endpoint("GET", "/api/referrals/backlog", "case.supervise", "supervisor", "officer", 200, None, nothing),
        endpoint("POST", "/api/referrals", "case.manage", "officer", "handler", 201, "referral.received",
                 lambda p: call(body={"source": "CEOP", "subject_name": "Martin Teacher",
                                      "summary": "Bought four items", "access_to_children": "unknown"})),
        endpoint("POST", "/api/referrals/import", "case.manage", "officer", "handler", 201, "referral.imported",
                 lambda p: call(body={"source": "CEOP", "operation": "Operation Spade", "text": CSV})),
        endpoint("GET", "/api/referrals/forces", "case.view", "officer", "learning", 200, None, nothing),
        endpoint("POST", "/api/referrals/forces/incoming", "risk.decide", "handler", "qa", 201,
                 "force_referral.received", receive),
        endpoint("POST", "/api/referrals/forces/incoming/{incoming_id}/acknowledge", "risk.decide", "handler", "qa",
                 200, "force_referral.acknowledged", on_incoming({"note": "Told PC Ames we have it"})),
        endpoint("POST", "/api/referrals/forces/incoming/{incoming_id}/actioned", "risk.decide", "handler", "qa",
                 200, "force_referral.actioned",
                 on_incoming({"note": "Seen safe at the address given"}, acknowledged=True)),
        endpoint("GET", "/api/referrals/{referral_id}", "case.view", "officer", "learning", 200, "referral.viewed",
                 on_referral()),
        endpoint("POST", "/api/referrals/{referral_id}/allocation", "case.manage", "supervisor", "handler", 200,
                 "referral.allocated", allocation),
        endpoint("POST", "/api/referrals/{referral_id}/risk", "case.manage", "officer", "handler", 200,
                 "referral.assessed", on_referral({"access_to_children": "yes", "risk_grade": "high",
                                                   "checks": ["dbs"], "note": "DBS: he is a teacher"})),
        endpoint("POST", "/api/referrals/{referral_id}/outcome", "case.manage", "officer", "handler", 200,
                 "referral.worked", on_referral({"outcome": "visited", "note": "Devices seized"})),
        endpoint("POST", "/api/referrals/{referral_id}/case", "case.manage", "officer", "handler", 201,
                 "case.opened", on_referral({"kind": "public_protection"})),
    ]


def _flat(body: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (body or {}).items():
        if isinstance(value, list):
            out[key] = [str(v) for v in value]
        elif value is not None:
            out[key] = str(value)
    return out


def referral_form(what: str) -> Callable[[Personas, Any], tuple[str, dict[str, Any]]]:
    """The referral page's `/referrals/<id>/do/<what>/` form."""
    return lambda p, c: (f"/referrals/{c.params['referral_id']}/do/{what}/", _flat(c.body))


def incoming_form(what: str) -> Callable[[Personas, Any], tuple[str, dict[str, Any]]]:
    """The force referrals page's `/referrals/forces/<id>/do/<what>/` form."""
    return lambda p, c: (f"/referrals/forces/{c.params['incoming_id']}/do/{what}/", _flat(c.body))


WORKS_CASES = "officer investigator supervisor inspector"
OPERATIONAL = "handler officer investigator dispatcher controller inspector supervisor"
# P7: the referral each row acts on is allocated to the response officer: the allocated officer or a
# supervisor (supervisors and duty inspectors) records its risk and outcome; supervisors allocate.
ALLOCATED_OR_SUPERVISOR = "officer supervisor inspector"


def matrix(row: Callable[..., Any]) -> list[Any]:
    """The referral rows of the authorisation matrix: `row` is its Row class."""
    return [
        row("POST", "/api/referrals", WORKS_CASES, None,
            form=lambda p, c: ("/referrals/do/create/", _flat(c.body))),
        row("POST", "/api/referrals/import", WORKS_CASES, None,
            form=lambda p, c: ("/referrals/do/import/", _flat(c.body))),
        row("POST", "/api/referrals/{referral_id}/allocation", "supervisor inspector", None,
            form=referral_form("allocate")),
        row("POST", "/api/referrals/{referral_id}/risk", ALLOCATED_OR_SUPERVISOR, None, form=referral_form("risk")),
        row("POST", "/api/referrals/{referral_id}/outcome", ALLOCATED_OR_SUPERVISOR, None,
            form=referral_form("outcome")),
        row("POST", "/api/referrals/{referral_id}/case", ALLOCATED_OR_SUPERVISOR, None, form=referral_form("case")),
        # P11: anyone in an operational role records, acknowledges and actions a referral from another force
        row("POST", "/api/referrals/forces/incoming", OPERATIONAL, None,
            form=lambda p, c: ("/referrals/forces/do/incoming/", _flat(c.body))),
        row("POST", "/api/referrals/forces/incoming/{incoming_id}/acknowledge", OPERATIONAL, None,
            form=incoming_form("acknowledge")),
        row("POST", "/api/referrals/forces/incoming/{incoming_id}/actioned", OPERATIONAL, None,
            form=incoming_form("actioned")),
    ]
