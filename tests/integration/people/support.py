"""Shared set-up for the people-and-context integration tests: everything through the real actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.support.factories import SEPARATE, fresh
from tests.support.personas import Personas
from watchkeeper.core import clock
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import Log
from watchkeeper.people import actions
from watchkeeper.people.models import Person, Prompt

MS_A_PHONE = "07700 900411"
MS_A_E164 = "+447700900411"
MS_A_HOME = "14 Beech Grove, Kingsbridge KB4 1AA"
EX_HOME = "3 Quarry Lane, Kingsbridge KB6 2BB"


def person(p: Personas, given: str, family: str, dob: date | None = None, *, home: str = "",
           phone: str = "") -> Person:
    """A person in the nominal index, with a current address and a phone when given."""
    h = p.actor("handler")
    who = actions.create_person(h, given_names=given, family_name=family, dob=dob)
    if home:
        actions.add_residence(h, who.pk, home)
    if phone:
        actions.add_phone_use(h, who.pk, phone)
    return who


def call(p: Personas, *, account: str = "Caller reports a problem.", phone: str = "", channel: str = "999",
         category: str = "other", location: str = "", caller: str = "Alex Caller", age: int | None = 35,
         who: str = "handler", allegation: str = "", entries: list[str] | None = None,
         second_call_reason: str = SEPARATE, **kw: Any) -> Log:
    """A log raised from one contact (age given unless age=None, so C2 stays quiet unless asked about)."""
    return logs.raise_log(
        p.actor(who),
        contact=ContactIn(channel, account, caller_name=caller, caller_phone=phone, caller_age=age,
                          allegation=allegation, **kw),
        category=category, summary=f"{category} reported", location=location, entries=entries,
        second_call_reason=second_call_reason,
    )


def review_day(days: int = 90) -> date:
    return clock.local(clock.now()).date() + timedelta(days=days)


def open_prompts(log: Log, safeguard: str = "", kind: str = "") -> list[Prompt]:
    qs = Prompt.objects.filter(log=log, state="open").order_by("id")
    if safeguard:
        qs = qs.filter(safeguard=safeguard)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs)


def settle_prompts(p: Personas, log: Log, who: str = "handler") -> None:
    """Answer every open prompt on a log (dismissed with a reason, so nothing else changes)."""
    for prompt in open_prompts(log):
        actions.decide_prompt(p.actor(who), prompt.pk, accept=False, reason="Considered; not applicable")


def settle_checks(p: Personas, log: Log, who: str = "handler") -> None:
    from watchkeeper.people.models import Check

    for c in Check.objects.filter(log=log, state="outstanding").order_by("id"):
        actions.record_check(p.actor(who), c.pk, result="Nothing recorded", system="force systems")


def close(p: Personas, log: Log, code: str = "advice_given", who: str = "handler") -> Log:
    logs.view_log(p.actor(who), log.reference)
    logs.close_log(p.actor(who), log.reference, code=code)
    return fresh(log)
