"""Every people and context action as the UI and the API both reach it: its input schema and the call.

`OPERATIONS[what]` is what a `/do/<what>/` form posts to (on a person, address or phone page, or a log's
people and prompts); the API endpoints call the same actions with the same schemas. Values that come from
the URL or the page rather than the form (a log reference, the person a page is about, the marker, scheme,
check or prompt a form sits beside) are given to `run` by name.
"""

from __future__ import annotations

from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.people import actions
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
from watchkeeper.web.forms import Operation


def _person(actor: Actor, body: PersonIn) -> Any:
    return actions.create_person(actor, **body.model_dump())


def _relationship(actor: Actor, body: RelationIn, *, person_id: int) -> Any:
    return actions.relate(actor, person_id, body.other_id, body.kind)


def _residence(actor: Actor, body: ResidenceIn, *, person_id: int) -> Any:
    return actions.add_residence(actor, person_id, body.address, current=body.current)


def _phone(actor: Actor, body: PhoneUseIn, *, person_id: int) -> Any:
    return actions.add_phone_use(actor, person_id, body.phone)


def _party(actor: Actor, body: PartyIn, *, reference: str) -> Any:
    return actions.link_party(actor, reference, **body.model_dump())


def _marker(actor: Actor, body: MarkerIn) -> Any:
    return actions.add_marker(actor, **body.model_dump())


def _end_marker(actor: Actor, body: EndIn, *, marker_id: int) -> Any:
    return actions.end_marker(actor, marker_id, reason=body.reason)


def _scheme(actor: Actor, body: SchemeIn) -> Any:
    return actions.create_scheme(actor, **body.model_dump())


def _scheme_contact(actor: Actor, body: VictimContactIn, *, scheme_id: int) -> Any:
    return actions.record_victim_contact(actor, scheme_id, **body.model_dump())


def _scheme_remove(actor: Actor, body: EndIn, *, scheme_id: int) -> Any:
    return actions.remove_scheme(actor, scheme_id, reason=body.reason)


def _scheme_extend(actor: Actor, body: ExtendIn, *, scheme_id: int) -> Any:
    return actions.extend_scheme(actor, scheme_id, until=body.until, reason=body.reason)


def _order(actor: Actor, body: OrderIn) -> Any:
    return actions.create_order(actor, **body.model_dump())


def _certificate(actor: Actor, body: CertificateIn) -> Any:
    return actions.add_certificate(actor, **body.model_dump())


def _check(actor: Actor, body: CheckIn, *, reference: str) -> Any:
    return actions.add_check(actor, reference, **body.model_dump())


def _check_result(actor: Actor, body: CheckResultIn, *, check_id: int) -> Any:
    return actions.record_check(actor, check_id, **body.model_dump())


def _decide(actor: Actor, body: PromptDecisionIn, *, prompt_id: int) -> Any:
    return actions.decide_prompt(actor, prompt_id, accept=body.accept, reason=body.reason)


OPERATIONS: dict[str, Operation[Any]] = {
    # the index
    "person": Operation(PersonIn, _person),
    "relationship": Operation(RelationIn, _relationship),
    "residence": Operation(ResidenceIn, _residence),
    "phone": Operation(PhoneUseIn, _phone),
    # markers, schemes, orders, certificates (M1-M4)
    "marker": Operation(MarkerIn, _marker),
    "end_marker": Operation(EndIn, _end_marker),
    "scheme": Operation(SchemeIn, _scheme),
    "scheme_contact": Operation(VictimContactIn, _scheme_contact),
    "scheme_remove": Operation(EndIn, _scheme_remove),
    "scheme_extend": Operation(ExtendIn, _scheme_extend),
    "order": Operation(OrderIn, _order),
    "certificate": Operation(CertificateIn, _certificate),
    # a log's people, checks and prompts (C1-C9)
    "party": Operation(PartyIn, _party),
    "check": Operation(CheckIn, _check),
    "check_result": Operation(CheckResultIn, _check_result),
    "decide": Operation(PromptDecisionIn, _decide),
}
