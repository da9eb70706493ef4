"""What the referral integration tests share: referrals received by the supervisor, one allocated to the
response officer, and a person referred from another force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.personas import Personas
from watchkeeper.people import actions as people
from watchkeeper.people.models import Person
from watchkeeper.referrals import actions
from watchkeeper.referrals.models import IncomingReferral, IntelReferral

CSV = ("subject_name,summary,access_to_children,risk_grade,risk_score,checks\n"
       "Alan Low,Bought two items,no,low,10,dbs;pnc\n"
       "Brian High,Bought ten items,unknown,high,80,pnc\n"
       "Colin Child,Bought four items,yes,medium,40,dbs\n")


def referral(p: Personas, name: str = "Martin Teacher", *, allocated: str | None = "officer",
             received_at: datetime | None = None, **risk: Any) -> IntelReferral:
    """A referral from a national agency, received by the supervisor and (by default) allocated."""
    r = actions.create_referral(p.actor("supervisor"), source="CEOP", operation="Operation Spade",
                                subject_name=name, summary="Bought indecent images from an overseas website",
                                received_at=received_at, **risk)
    if allocated:
        r = actions.allocate(p.actor("supervisor"), r.pk, officer_id=getattr(p, allocated).pk)
    return r


def person(p: Personas, family: str = "Morgan") -> Person:
    return people.create_person(p.actor("officer"), given_names="Leah", family_name=family)


def incoming(p: Personas, *, acknowledged: bool = False, address: str = "Flat 4, 9 Orchard Rise, EA1 7FF",
             owner: str = "handler") -> IncomingReferral:
    """A concern-for-welfare referral from a neighbouring force, owned by the call handler."""
    x = actions.receive_from_force(p.actor("handler"), sending_force="Neighbouring Constabulary",
                                   sender="PC Ames", person_id=person(p).pk, subject_role="victim",
                                   ask="Check on her as a concern for welfare", address_given=address,
                                   owner_id=getattr(p, owner).pk)
    if acknowledged:
        x = actions.acknowledge_from_force(p.actor("handler"), x.pk, note="Told PC Ames we have it")
    return x
