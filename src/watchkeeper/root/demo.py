"""The demonstration force: one member of staff per role, policy, review queues and a dozen logs in
different states, all made through the actions (so the audit chain and events are real)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.incidents import actions as a
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import IntakeQueue, Log
from watchkeeper.staff.models import Team, User
from watchkeeper.staff.roles import Role

# username, role, first, last, team
STAFF = [
    ("handler", Role.CALL_HANDLER, "Casey", "Hall", "Control room A"),
    ("handler2", Role.CALL_HANDLER, "Morgan", "Reid", "Control room A"),
    ("dispatcher", Role.DISPATCHER, "Dee", "Patel", "Control room A"),
    ("dispatcher2", Role.DISPATCHER, "Rob", "Evans", "Control room A"),
    ("controller", Role.CONTROLLER, "Chris", "Lowe", "Control room A"),
    ("inspector", Role.DUTY_INSPECTOR, "Indira", "Shah", "Control room A"),
    ("officer", Role.RESPONSE_OFFICER, "Owen", "Price", "Response team 1"),
    ("investigator", Role.INVESTIGATOR, "Ivy", "Grant", "Public protection"),
    ("investigator2", Role.INVESTIGATOR, "Sam", "Okafor", "Public protection"),
    ("supervisor", Role.SUPERVISOR, "Sue", "Barnes", "Response team 1"),
    ("qa", Role.QUALITY_ASSURANCE, "Quinn", "Adams", ""),
    ("standards", Role.PROFESSIONAL_STANDARDS, "Pat", "Stone", ""),
    ("learning", Role.LEARNING_LEAD, "Lee", "Morris", ""),
    ("admin", Role.ADMINISTRATOR, "Ada", "King", ""),
]


def password_for(username: str) -> str:
    return f"{username}-demo-2026"


def seed_staff() -> dict[str, User]:
    """The demonstration staff, teams and review queues (no logs). Idempotent."""
    people = _people()
    for code, name, reviewer in [("online", "Online reports", "handler2"), ("alarm", "Alarm receiving centre",
                                                                            "dispatcher"),
                                 ("transfer", "Transfers from other systems", "handler2")]:
        IntakeQueue.objects.get_or_create(code=code, defaults={"name": name, "reviewer": people[reviewer],
                                                               "deputy": people["controller"]})
    return people


def _people() -> dict[str, User]:
    people: dict[str, User] = {}
    teams: dict[str, Team] = {}
    for username, role, first, last, team in STAFF:
        if team and team not in teams:
            teams[team] = Team.objects.get_or_create(name=team)[0]
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"role": role.value, "first_name": first, "last_name": last,
                      "team": teams.get(team)},
        )
        user.set_password(password_for(username))
        user.save()
        people[username] = user
    # Supervisors of the teams; an absent investigator (L8) with the supervisor's queue behind her.
    for name in ("Control room A",):
        Team.objects.filter(name=name).update(supervisor=people["controller"])
    for name in ("Response team 1", "Public protection"):
        Team.objects.filter(name=name).update(supervisor=people["supervisor"])
    User.objects.filter(pk=people["investigator2"].pk).update(absent=True, absence_reason="Long-term leave")
    for u in people.values():
        u.refresh_from_db()
    return people


def _thrive(t: str, h: str, r: str, v: str) -> dict[str, Any]:
    return {"threat": {"level": t}, "harm": {"level": h}, "risk": {"level": r}, "vulnerability": {"level": v},
            "investigation": {"note": ""}, "engagement": {"note": ""}}


def load(stdout: Any = None) -> dict[str, str]:
    """Load the demonstration force once; returns username -> password."""
    if Log.objects.exists():
        return {u: password_for(u) for u, *_ in STAFF}
    p = seed_staff()
    h, h2, disp, ctl, sup = (Actor(p[name], via="demo")
                             for name in ("handler", "handler2", "dispatcher", "controller", "supervisor"))
    now = clock.now()
    _nominal_index(Actor(p["investigator"], via="demo"), p)
    _units(disp, p)
    from watchkeeper.geo.demo import load as load_places

    load_places()  # the force's gazetteer and where its units last reported (the map)

    # 1. Domestic incident graded emergency under policy.
    l1 = a.raise_log(h, contact=ContactIn("999", "My ex-husband is outside shouting he will kill me. There was a "
                                          "domestic violence case last year and a court order.",
                                          caller_name="Rachel Moore", caller_phone="07700 900123", caller_age=34,
                                          allegation="Threats to kill by ex-husband"),
                     category="domestic_incident", summary="Ex-partner making threats outside address",
                     location="14 Orchard Way, Kingsbridge", entries=["Caller frightened, children in the house."])
    a.grade_log(h, l1.reference, grade="emergency", thrive=_thrive("high", "high", "high", "high"),
                expected_version=Log.objects.get(pk=l1.pk).version)
    a.add_task(h, reference=l1.reference, description="Call Rachel back in 10 minutes to check she is safe",
               owner_id=p["handler"].pk, due_at=now + timedelta(minutes=10))

    # 2. A welfare log marked ready to close, then a second caller: the instruction no longer stands (L3).
    l2 = a.raise_log(h2, contact=ContactIn("999", "Man lying at the side of the road, not moving much.",
                                           caller_name="Passer-by", caller_phone="07700 900456"),
                     category="concern_for_welfare", summary="Man lying at roadside", location="Station Road layby")
    a.add_entry(disp, l2.reference, "Sergeant on radio: officers spoke to him earlier tonight, no cause for concern.")
    a.view_log(disp, l2.reference)
    a.mark_ready_to_close(disp, l2.reference)
    a.record_contact(h, l2.reference, ContactIn("999", "He is unconscious and not breathing. I am a retired "
                                                "paramedic, doing CPR. Please send police and an ambulance.",
                                                caller_name="Retired paramedic", caller_phone="07700 900789"))
    a.add_service_request(h, l2.reference, direction="inbound", service="ambulance", requester="Retired paramedic",
                          ask="Send an ambulance: man not breathing")

    # 3. Ambulance service asks for police to force entry, with a condition (L6).
    l3 = a.raise_log(h, contact=ContactIn("partner_agency", "Ambulance crew may need police to force entry; man "
                                          "called 999 then the line went quiet.", caller_name="Ambulance control"),
                     category="assist_other_agency", summary="Ambulance requests help to force entry",
                     location="3 Mill Lane, Kingsbridge")
    a.add_service_request(h, l3.reference, direction="inbound", service="ambulance", requester="Ambulance control",
                          ask="Police to attend to force entry",
                          condition="Ambulance will call back to CANCEL if they gain entry")
    a.grade_log(h, l3.reference, grade="emergency", thrive=_thrive("high", "high", "high", "high"),
                expected_version=Log.objects.get(pk=l3.pk).version)

    # 4. Closed with a positive outcome.
    l4 = a.raise_log(h2, contact=ContactIn("101", "My neighbour has not been seen for three days; curtains shut.",
                                           caller_name="Tom Ellis", caller_phone="01632 960111"),
                     category="concern_for_welfare", summary="Neighbour not seen for three days",
                     location="22 Elm Court")
    a.add_entry(h2, l4.reference, "Officer attended: occupant seen and well, had been away.")
    from watchkeeper.people.actions import decide_prompt
    from watchkeeper.people.models import Prompt

    for prompt in Prompt.objects.filter(log=l4, state="open", blocking=True):
        decide_prompt(h2, prompt.pk, accept=False, reason="Occupant seen and well: she had been away.")
    a.close_log(h2, l4.reference, code="seen_safe", note="Occupant seen and safe.")

    # 5. Raised in error, cancelled (L1: the reference still resolves).
    l5 = a.raise_log(h, contact=ContactIn("police_generated", "Test entry raised in error.", caller_name="Control"),
                     category="other", summary="Raised in error")
    a.cancel_log(h, l5.reference, code="raised_in_error", reason="Raised against the wrong template.")

    # 6. Same caller twice: a true duplicate, merged (L7).
    l6a = a.raise_log(h, contact=ContactIn("101", "Someone has taken my bike from the shed.", caller_name="Ann Lee",
                                           caller_phone="07700 900222", allegation="Theft of bicycle from shed"),
                      category="theft", summary="Bike stolen from shed", location="9 Brook St")
    l6b = a.raise_log(h2, contact=ContactIn("online", "Reporting my bike stolen from my shed last night.",
                                            caller_name="Ann Lee", caller_phone="07700900222",
                                            allegation="Theft of bicycle from shed"),
                      category="theft", summary="Online: bicycle theft", location="9 Brook Street",
                      second_call_reason="Reported online before the first log was seen (L8): merged below")
    a.merge_logs(h2, l6b.reference, l6a.reference, reason="Same caller reporting the same theft online and by phone")

    # 7. Two parties accuse each other: a counter-allegation, linked (never merged).
    l7a = a.raise_log(h, contact=ContactIn("999", "My neighbour punched me over the fence.", caller_name="Ben Cole",
                                           party="Ben Cole", allegation="Assault by neighbour Dan Hart"),
                      category="assault", summary="Neighbour dispute, assault alleged", location="5 Hill Rd")
    l7b = a.raise_log(h2, contact=ContactIn("999", "Ben Cole threw a brick at my car.", caller_name="Dan Hart",
                                            party="Dan Hart", allegation="Criminal damage by Ben Cole"),
                      category="public_order", summary="Neighbour dispute, damage alleged", location="7 Hill Rd")
    a.link_logs(h2, l7b.reference, l7a.reference, kind="counter_allegation",
                reason="Each party accuses the other over the same dispute")

    # 8-9. Automatic intake waiting for an owner (L9).
    a.raise_log(Actor(p["handler2"], via="demo"), source="online",
                contact=ContactIn("online", "Online form: my daughter (15) has not come home from school and is not "
                                  "answering her phone.", caller_name="Online reporter"),
                category="missing_person", summary="Online: 15-year-old not home from school")
    a.raise_log(disp, source="alarm", contact=ContactIn("alarm", "Intruder alarm activation, zone 3 rear door.",
                                                        caller_name="Alarm receiving centre"),
                category="alarm_activation", summary="Intruder alarm, rear door", location="Unit 4, Quay Estate")

    # 10. A downgrade awaiting the controller's look and authorisation (L5).
    l10 = a.raise_log(h, contact=ContactIn("999", "Group of youths shouting outside the shop.",
                                           caller_name="Shopkeeper"),
                      category="public_order", summary="Youths shouting outside shop", location="High Street")
    a.grade_log(h, l10.reference, grade="priority", thrive=_thrive("low", "low", "medium", "low"),
                expected_version=Log.objects.get(pk=l10.pk).version)
    a.request_downgrade(disp, l10.reference, grade="scheduled", thrive=_thrive("low", "low", "low", "low"),
                        reason="Group has dispersed according to CCTV", authoriser_id=p["controller"].pk,
                        expected_version=Log.objects.get(pk=l10.pk).version)

    # 11. A promise already overdue: the sweeper alerts the owner, then the supervisor (L11).
    l11 = a.raise_log(h2, contact=ContactIn("101", "A man keeps calling me from a withheld number.",
                                            caller_name="Grace Hill", caller_phone="07700 900333"),
                      category="other", summary="Nuisance calls from withheld number")
    a.add_task(h2, reference=l11.reference, description="Make enquiries on the number and ring Grace back",
               owner_id=p["officer"].pk, due_at=now - timedelta(minutes=5))

    # 12. Missing person, priority.
    l12 = a.raise_log(h, contact=ContactIn("999", "My dad has dementia and walked out an hour ago.",
                                           caller_name="Lucy Ward", caller_phone="07700 900444"),
                      category="missing_person", summary="Man with dementia missing from home",
                      location="40 Park Avenue", flags=["vulnerable_adult"])
    a.grade_log(h, l12.reference, grade="priority", thrive=_thrive("medium", "high", "medium", "high"),
                rationale="", expected_version=Log.objects.get(pk=l12.pk).version)
    a.assign_staff(sup, l12.reference, p["officer"].pk)

    # Units on the two emergencies; the missing-person log waits on the dispatcher's board with its clock running.
    from watchkeeper.dispatch.actions import assign_unit, update_assignment

    on_l1 = assign_unit(disp, l1.reference, "KB11")
    update_assignment(disp, on_l1.pk, state="en_route")
    assign_unit(disp, l3.reference, "KB12")

    # An email for an absent investigator goes to her team's queue (L8).
    a.send_message(ctl, p["investigator2"].pk, ContactIn("email", "Please call me: he has been messaging me again.",
                                                         caller_name="Victim of harassment"))
    _learning_library(p["learning"])
    _risk_instruments()
    return {u: password_for(u) for u, *_ in STAFF}


def _risk_instruments() -> None:
    """The illustrative risk instruments the product ships (R1), loaded as a force would load its own."""
    from watchkeeper.core.actor import SYSTEM
    from watchkeeper.risk.actions import load_instrument, shipped

    for code in shipped():
        load_instrument(SYSTEM, shipped_code=code)


def _nominal_index(inv: Actor, p: dict[str, User]) -> None:
    """People, places and phones the call-time context finds (C1): a domestic-abuse victim under a special
    scheme (M2, D5), her ex-husband with markers (M1), a firearms certificate (M4) and a non-molestation
    order protecting her and her home (M3)."""
    from watchkeeper.people import actions as pa

    today = clock.local(clock.now()).date()
    rachel = pa.create_person(inv, given_names="Rachel", family_name="Moore",
                              dob=today - timedelta(days=34 * 365 + 100))
    gary = pa.create_person(inv, given_names="Gary", family_name="Moore", dob=today - timedelta(days=39 * 365 + 200),
                            aliases=["Gaz Moore"])
    home = "14 Orchard Way, Kingsbridge"
    pa.add_residence(inv, rachel.pk, home)
    pa.add_phone_use(inv, rachel.pk, "07700 900123")
    pa.add_residence(inv, gary.pk, "8 Quarry Lane, Kingsbridge")
    pa.relate(inv, rachel.pk, gary.pk, "ex_partner")
    review = today + timedelta(days=90)
    pa.add_marker(inv, kind="domestic_abuse_victim", source="MARAC", review_at=review, person_id=rachel.pk,
                  note="High-risk DASH last year; ex-husband threatened to kill her")
    pa.add_marker(inv, kind="domestic_abuse_perpetrator", source="Local intelligence", review_at=review,
                  person_id=gary.pk, note="Threats to kill ex-wife")
    pa.add_marker(inv, kind="violence", source="PNC", review_at=review, person_id=gary.pk)
    pa.add_certificate(inv, holder_id=gary.pk, address="8 Quarry Lane, Kingsbridge", number="SGC 40112",
                       expires_on=today + timedelta(days=400))
    pa.create_order(inv, kind="non_molestation", restricted_id=gary.pk, conditions="Not to contact Rachel Moore or "
                    "go within 100 metres of 14 Orchard Way", starts_on=today - timedelta(days=120),
                    ends_on=today + timedelta(days=245), protected_person_ids=[rachel.pk], protected_addresses=[home])
    pa.create_scheme(inv, victim_id=rachel.pk, reason="Ex-husband threatened to kill her; released on bail",
                     victim_told_how="Phone call by PC Grant", address=home, phone="07700 900123",
                     ends_at=clock.now() + timedelta(days=60), grade_floor="emergency", officer_id=p["investigator"].pk)
    grace = pa.create_person(inv, given_names="Grace", family_name="Hill")
    pa.add_phone_use(inv, grace.pk, "07700 900333")
    pa.add_marker(inv, kind="vulnerability", source="Adult social care", review_at=review, phone="07700 900333",
                  note="Lives alone; hearing impaired: text first")


def _units(disp: Actor, p: dict[str, User]) -> None:
    """A response shift (D4): urban and rural units with crews and skills."""
    from watchkeeper.dispatch.actions import create_unit

    for callsign, area, area_type, skills, crew in [
        ("KB11", "Kingsbridge town", "urban", ["advanced driver"], ["officer"]),
        ("KB12", "Kingsbridge town", "urban", [], ["supervisor"]),
        ("KB21", "Kingsbridge town", "urban", ["dog"], []),
        ("RM31", "Moorland", "rural", ["advanced driver", "firearms"], []),
        ("RM32", "Moorland", "rural", [], []),
    ]:
        create_unit(disp, callsign=callsign, area=area, area_type=area_type, skills=skills,
                    crew_ids=[p[c].pk for c in crew])


def _learning_library(lead: User) -> None:
    """The published learning beside the project (../shared/lessons), read into the learning library."""
    from django.conf import settings

    from watchkeeper.learning.actions import ingest

    folder = settings.PROJECT_DIR.parent / "shared" / "lessons"
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.is_file():
            ingest(Actor(lead, via="demo"), path.read_bytes(), path.name)
