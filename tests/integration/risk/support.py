"""What the risk integration tests share: an instrument loaded, a person, a log with them on it."""

from __future__ import annotations

from typing import Any

from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.core.actor import SYSTEM
from watchkeeper.incidents.models import Log
from watchkeeper.people import actions as people
from watchkeeper.people.models import Person
from watchkeeper.risk import actions
from watchkeeper.risk.instrument import parse
from watchkeeper.risk.models import Assessment, Instrument

DA = parse(actions.shipped()["domestic-abuse"])
CURRENT = [q.code for q in DA.sections[0].questions]
STALKING = [q.code for q in DA.sections[1].questions]
RATIONALE = "He is remanded in custody until the hearing next month"


def load(code: str = "domestic-abuse") -> None:
    """The shipped instrument, loaded once (set-ups that share a database call this again)."""
    if not Instrument.objects.filter(code=code).exists():
        actions.load_instrument(SYSTEM, shipped_code=code)


def victim(p: Personas, family: str = "Victim") -> Person:
    return people.create_person(p.actor("officer"), given_names="Vera", family_name=family)


def da_log(p: Personas, person: Person, account: str = "She says her ex-partner hit her.", role: str = "victim",
           **kw: Any) -> Log:
    log = raise_log(p.actor("handler"), category="domestic_incident", account=account, **kw)
    people.link_party(p.actor("handler"), log.reference, role=role, person_id=person.pk)
    return log


def answers(codes: list[str], value: str = "no", **over: str) -> list[dict[str, Any]]:
    """Answers to the questions named (a choice gets its first option), with some overridden."""
    out = []
    for code in codes:
        q = DA.question(code)
        assert q is not None
        v = over.get(code, value if q.type == "yes_no" else q.options[0].code)
        out.append({"question": code, "value": v})
    return out


def started(p: Personas, who: str = "officer", *, log: Log | None = None, person: Person | None = None) -> Assessment:
    person = person or victim(p)
    return actions.start_assessment(p.actor(who), instrument="domestic-abuse", person_id=person.pk,
                                    role="victim", reference=log.reference if log else "")
