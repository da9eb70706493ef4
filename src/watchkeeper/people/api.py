"""People, places, markers, schemes, orders, checks and prompts over the API. Thin: the body is validated
against the schema the UI's forms use too (people/schemas.py), and the one operation runs (people/operations.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from watchkeeper.core import clock
from watchkeeper.people import actions
from watchkeeper.people.models import Check, LogParty, Marker, Prompt, SpecialScheme
from watchkeeper.people.operations import OPERATIONS
from watchkeeper.people.schemas import (
    CertificateIn,
    CheckIn,
    CheckResultIn,
    EndIn,
    ExtendIn,
    MarkerIn,
    OrderIn,
    PartyIn,
    PersonIn,
    PhoneUseIn,
    PromptDecisionIn,
    RelationIn,
    ResidenceIn,
    SchemeIn,
    VictimContactIn,
)
from watchkeeper.web.forms import actor_of

router = Router(tags=["people and context"])


def _person_out(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "given_names": p.given_names, "family_name": p.family_name, "name": p.name,
            "dob": p.dob.isoformat() if p.dob else None, "sex": p.sex or None}


@router.get("/context", summary="C1: everything known about a phone, address or name, newest first")
def get_context(request: HttpRequest, phone: str = "", address: str = "", name: str = "", dob: date | None = None,
                purpose: str = "call-time context") -> dict[str, Any]:
    ctx = actions.context(actor_of(request, via="api"), phone=phone, address=address, name=name, dob=dob,
                          purpose=purpose)
    result: dict[str, Any] = ctx.as_dict()
    return result


@router.post("/people", response={201: dict}, summary="Add a person to the nominal index")
def create_person(request: HttpRequest, body: PersonIn) -> Status[dict[str, Any]]:
    return Status(201, _person_out(OPERATIONS["person"].run(actor_of(request, via="api"), body)))


@router.get("/people/{person_id}", summary="A person, their markers and timeline (C8); audited with purpose (A2)")
def get_person(request: HttpRequest, person_id: int, purpose: str) -> dict[str, Any]:
    p = actions.view_person(actor_of(request, via="api"), person_id, purpose=purpose)
    return {**_person_out(p), "aliases": [a.name for a in p.aliases.all()],
            "markers": [{"id": m.pk, "kind": m.kind, "active": m.ended_at is None, "source": m.source,
                         "review_at": m.review_at.isoformat()} for m in p.markers.order_by("-created_at")],
            "timeline": actions.timeline(p)}


@router.post("/people/{person_id}/relationships", response={201: dict}, summary="Relate two people")
def relate(request: HttpRequest, person_id: int, body: RelationIn) -> Status[dict[str, Any]]:
    r = OPERATIONS["relationship"].run(actor_of(request, via="api"), body, person_id=person_id)
    return Status(201, {"id": r.pk, "kind": r.kind})


@router.post("/people/{person_id}/residences", response={201: dict}, summary="A person's address")
def residence(request: HttpRequest, person_id: int, body: ResidenceIn) -> Status[dict[str, Any]]:
    r = OPERATIONS["residence"].run(actor_of(request, via="api"), body, person_id=person_id)
    return Status(201, {"id": r.pk, "address": r.address.text, "current": r.current})


@router.post("/people/{person_id}/phones", response={201: dict}, summary="A phone a person uses")
def phone_use(request: HttpRequest, person_id: int, body: PhoneUseIn) -> Status[dict[str, Any]]:
    u = OPERATIONS["phone"].run(actor_of(request, via="api"), body, person_id=person_id)
    return Status(201, {"id": u.pk, "phone": u.phone.e164})


@router.post("/logs/{reference}/parties", response={201: dict}, summary="Put a person, phone or address on a log")
def add_party(request: HttpRequest, reference: str, body: PartyIn) -> Status[dict[str, Any]]:
    p: LogParty = OPERATIONS["party"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {"id": p.pk, "role": p.role})


@router.post("/markers", response={201: dict}, summary="M1: a marker with source, owner and review date")
def add_marker(request: HttpRequest, body: MarkerIn) -> Status[dict[str, Any]]:
    m: Marker = OPERATIONS["marker"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": m.pk, "kind": m.kind, "review_at": m.review_at.isoformat()})


@router.post("/markers/{marker_id}/end", summary="M1: end a marker (kept, with the reason)")
def end_marker(request: HttpRequest, marker_id: int, body: EndIn) -> dict[str, Any]:
    m = OPERATIONS["end_marker"].run(actor_of(request, via="api"), body, marker_id=marker_id)
    return {"id": m.pk, "ended_at": m.ended_at.isoformat() if m.ended_at else None}


@router.post("/schemes", response={201: dict}, summary="M2: a special scheme (victim told at creation)")
def create_scheme(request: HttpRequest, body: SchemeIn) -> Status[dict[str, Any]]:
    s: SpecialScheme = OPERATIONS["scheme"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": s.pk, "ends_at": s.ends_at.isoformat(), "grade_floor": s.grade_floor})


@router.post("/schemes/{scheme_id}/contacts", response={201: dict}, summary="M2: an attempt to contact the victim")
def scheme_contact(request: HttpRequest, scheme_id: int, body: VictimContactIn) -> Status[dict[str, Any]]:
    c = OPERATIONS["scheme_contact"].run(actor_of(request, via="api"), body, scheme_id=scheme_id)
    return Status(201, {"id": c.pk, "reached": c.reached})


@router.post("/schemes/{scheme_id}/remove", summary="M2: remove a scheme (needs a recorded contact attempt)")
def remove_scheme(request: HttpRequest, scheme_id: int, body: EndIn) -> dict[str, Any]:
    s = OPERATIONS["scheme_remove"].run(actor_of(request, via="api"), body, scheme_id=scheme_id)
    return {"id": s.pk, "removed_at": s.removed_at.isoformat() if s.removed_at else None}


@router.post("/schemes/{scheme_id}/extend", summary="M2: extend a scheme (a decision, with a reason)")
def extend_scheme(request: HttpRequest, scheme_id: int, body: ExtendIn) -> dict[str, Any]:
    s = OPERATIONS["scheme_extend"].run(actor_of(request, via="api"), body, scheme_id=scheme_id)
    return {"id": s.pk, "ends_at": s.ends_at.isoformat(), "state": s.state_at(clock.now())}


@router.post("/orders", response={201: dict},
             summary="M3: bail conditions or an order (named people and places, classes of people, activities)")
def create_order(request: HttpRequest, body: OrderIn) -> Status[dict[str, Any]]:
    o = OPERATIONS["order"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": o.pk, "kind": o.kind, "protected_classes": o.protected_classes,
                        "activities": o.activities})


@router.post("/certificates", response={201: dict}, summary="M4: a firearms certificate holder")
def add_certificate(request: HttpRequest, body: CertificateIn) -> Status[dict[str, Any]]:
    c = OPERATIONS["certificate"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": c.pk, "number": c.number})


@router.post("/logs/{reference}/checks", response={201: dict}, summary="C5: check anyone or any number mentioned")
def add_check(request: HttpRequest, reference: str, body: CheckIn) -> Status[dict[str, Any]]:
    c: Check = OPERATIONS["check"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {"id": c.pk, "kind": c.kind, "state": c.state})


@router.post("/checks/{check_id}", summary="C5: record a check's result")
def record_check(request: HttpRequest, check_id: int, body: CheckResultIn) -> dict[str, Any]:
    c = OPERATIONS["check_result"].run(actor_of(request, via="api"), body, check_id=check_id)
    return {"id": c.pk, "state": c.state}


@router.post("/prompts/{prompt_id}/decision", summary="Accept or dismiss a prompt (with a reason)")
def decide(request: HttpRequest, prompt_id: int, body: PromptDecisionIn) -> dict[str, Any]:
    p: Prompt = OPERATIONS["decide"].run(actor_of(request, via="api"), body, prompt_id=prompt_id)
    return {"id": p.pk, "state": p.state}
