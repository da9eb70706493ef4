"""Replays of the risk parts of the lessons: the missing man who left hospital (B28.4, P9) and the indecent
images suspect who was working away from home (B31.6, R6, R7, P11). Each acts the case out through the API
and expects the risk safeguards to refuse or prompt where the case went wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from watchkeeper.replays.engine import Actor, Run
from watchkeeper.replays.issue41 import person, settle


def _instrument(admin: Actor, code: str) -> None:
    """The force has loaded the shipped illustrative instrument (once per database)."""
    loaded = admin.do("GET", "/api/risk/instruments").body["loaded"]
    if not any(i["code"] == code for i in loaded):
        admin.do("POST", "/api/risk/instruments", {"shipped": code})


def _missing(actor: Actor, missing_id: int) -> dict[str, Any]:
    body: dict[str, Any] = actor.do("GET", f"/api/risk/missing/{missing_id}").body
    return body


def case_4_missing(run: Run, as_: Callable[[str], Actor]) -> None:
    """Missing following leave from hospital: the concern-for-safety log met the missing-person criteria and
    stayed unchanged; the hospital was never called back; entry was not forced and the house not ruled out;
    the risk rose with what was learnt."""
    handler, officer, inspector = as_("handler"), as_("officer"), as_("inspector")
    supervisor, records = as_("supervisor"), as_("investigator")
    home = "11 Weir Cottages, Kingsbridge KB5 3CC"

    run.step("A psychiatric hospital asks for a welfare check: a voluntary patient, after two recent attempts "
             "to take his own life, has not come back from leave. A concern-for-welfare log is opened.")
    man = person(records, "Martin", "Ellery", "1979-06-02", home=home)
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "101", "caller_name": "Ward 3, St Anne's Hospital", "caller_age_reason": "Organisation",
                    "account": "Our patient has not returned from authorised leave. Please check on him at home."},
        "category": "concern_for_welfare", "summary": "Patient not back from hospital leave",
        "location": home}).body["reference"]
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "subject", "person_id": man})

    run.step("The Crisis Team rings after visiting his home: he is missing. The log meets the missing-person "
             "criteria; the log's risk panel offers to open his missing-person record from it.")
    handler.do("POST", f"/api/logs/{ref}/entries", {"text": "Crisis Team visited his home: he has not come home "
                                                            "and is missing. Previous overdoses."})
    panel = officer.do("GET", f"/api/risk/logs/{ref}").body
    convert = panel.get("convert")
    if convert and convert["parties"] and convert["parties"][0]["id"] == man:
        run.intervened("C6", f"{convert['why']} (a missing-person record can be opened from the log in one step)")
    else:
        run.fail("C6: the log met the missing-person criteria and nothing offered to open a missing-person record")
    record = int(officer.do("POST", "/api/risk/missing", {"person_id": man, "level": "medium",
                                                          "reference": ref}).body["id"])

    run.step("The hospital calls for an update: calling them back is a task with an owner and a due time, "
             "open until it is done.")
    cb = officer.do("POST", f"/api/risk/missing/{record}/callbacks", {
        "agency": "Ward 3, St Anne's Hospital", "contact": "Ward 3 nurses' station",
        "ask": "Call back with the search plan; ask about medication he may have"}).body
    open_now = [f for f in _missing(officer, record)["followups"] if f["state"] == "open"]
    if cb["state"] == "open" and [f["id"] for f in open_now] == [cb["id"]]:
        run.intervened("P9", f"callback to {cb['party']} open, due {cb['due_at'][11:16]}; the owner is reminded "
                             "and it escalates if it is still open")
    else:
        run.fail("P9: the callback to the hospital is not an open task")

    run.step("Officers at his address knock, look through the windows and leave without forcing entry, "
             "recording nothing about why.")
    officer.attempt("POST", f"/api/risk/missing/{record}/places",
                    {"place": home, "status": "not_yet", "forced_entry": "not_forced"}, expect="P9")
    officer.do("POST", f"/api/risk/missing/{record}/places", {
        "place": home, "status": "not_yet", "forced_entry": "not_forced",
        "note": "No answer and nothing seen; the inspector is asked to authorise entry now"})
    officer.do("POST", f"/api/risk/missing/{record}/places", {
        "place": home, "status": "searched", "forced_entry": "forced",
        "note": "Entry forced on the inspector's authority; not inside; ruled out as where he is"})

    run.step("The Matron says the hospital believes he is a high risk to himself; his possessions are found "
             "by the river on a night with frost forecast. The level is raised, and only the duty inspector "
             "reviews a high-risk missing person.")
    officer.do("POST", f"/api/risk/missing/{record}/weather", {"condition": "cold", "note": "Frost forecast, -3C"})
    triggers = _missing(officer, record)["triggers"]
    weather = [t for t in triggers if t.startswith("Weather")]
    if weather:
        run.intervened("P9", weather[0])
    else:
        run.fail("P9: cold weather with a medium-risk missing man prompted nothing")
    supervisor.do("POST", f"/api/risk/missing/{record}/reviews", {
        "level": "high", "note": "Possessions by the river, high risk to himself per the hospital"})
    supervisor.attempt("POST", f"/api/risk/missing/{record}/reviews",
                       {"level": "high", "note": "Search continues at the river"}, expect="P9", status=403)
    inspector.do("POST", f"/api/risk/missing/{record}/reviews",
                 {"level": "high", "note": "Search continues at the river; hospital kept informed"})
    officer.do("POST", f"/api/risk/followups/{cb['id']}/done",
               {"outcome": "Ward 3 told of the search; medication details taken"})
    run.note(f"the callback is done: {_missing(officer, record)['followups'][0]['outcome']}")


def case_6(run: Run, as_: Callable[[str], Actor]) -> None:
    """Suicide of an indecent images suspect: officers went to search and arrest him with no suicide-risk
    assessment and no recorded plan for contacting him; he was working away, in another force's area, and
    was never contacted directly."""
    admin, handler, officer = as_("admin"), as_("handler"), as_("investigator")
    _instrument(admin, "suspect-suicide")
    home = "6 Tanners Yard, Kingsbridge KB6 2BB"

    run.step("Intelligence: a man at this address possesses indecent images of children. A log is raised "
             "with him as the suspect.")
    man = person(officer, "Gareth", "Lyle", "1984-01-12", home=home)
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "online", "caller_name": "Online offences team", "caller_age_reason": "Organisation",
                    "account": "Intelligence package: a man at this address is in possession of indecent images "
                               "of children."},
        "category": "child_protection", "summary": "Indecent images of children: search and arrest",
        "location": home}).body["reference"]
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "suspect", "person_id": man})

    run.step("Officers plan to search the property and arrest him, with no suicide-risk assessment.")
    officer.attempt("POST", "/api/risk/decisions", {
        "kind": "search", "decision": "Search the address and arrest him", "reference": ref, "person_id": man,
        "rationale": "Warrant granted for the devices at the address"}, expect="R7")

    run.step("At the address his partner says he is working away and has no phone; they leave their details "
             "with her. The plan for contacting him is recorded without saying why.")
    officer.attempt("POST", "/api/risk/decisions", {
        "kind": "plan", "decision": "Partner to pass on our details", "person_id": man, "reference": ref,
        "rationale": "Partner"}, expect="R6", status=400)
    officer.do("POST", f"/api/people/{man}/residences",
               {"address": "Site cabin 2, Harbour Works, Northam NX2 9ZZ", "current": True})

    run.step("The suicide-risk assessment is completed: the offence's stigma, he is alone, away from home, "
             "and could lose his family; the contact plan is to reach him directly through the local force.")
    a = officer.do("POST", "/api/risk/assessments", {"instrument": "suspect-suicide", "person_id": man,
                                                     "role": "suspect", "reference": ref}).body["id"]
    officer.do("POST", f"/api/risk/assessments/{a}/answers", {"answers": [
        {"question": "offence_shame", "value": "yes"}, {"question": "previous_attempt", "value": "not_known"},
        {"question": "mental_health", "value": "not_known"}, {"question": "lives_alone", "value": "yes"},
        {"question": "job_or_family", "value": "yes"}, {"question": "expressed_intent", "value": "not_known"},
        {"question": "means", "value": "not_known"},
        {"question": "contact_plan", "value": "The local force to see him in person today; our officer speaks to "
                                              "him by video; Samaritans details given", "source": "officer"}]})
    sub = officer.do("POST", f"/api/risk/assessments/{a}/submit", {"judgement": "high"}).body
    run.note(f"guidance {sub['guidance']}, judgement {sub['judgement']}: treated as high risk until shown otherwise")

    run.step("The arrest is recorded with its rationale; he lives in another force's area, so a referral to "
             "the local force is opened and stays open until that force acknowledges it.")
    officer.do("POST", "/api/risk/decisions", {
        "kind": "arrest", "decision": "Arrest by arrangement with the local force", "reference": ref,
        "person_id": man, "rationale": "High suicide risk; he must not learn of it alone and far from support"})
    referrals = [f for f in officer.do("GET", f"/api/risk/followups?person_id={man}").body
                 if f["kind"] == "force_referral" and f["state"] == "open"]
    if referrals:
        run.intervened("P11", f"referral to {referrals[0]['party']}, open until acknowledged "
                              f"(due {str(referrals[0]['due_at'])[11:16]})")
    else:
        run.fail("P11: a suspect in another force's area got no referral to the local force")
        return
    run.step("The referral is marked done after an email, with nobody at the local force acknowledging it.")
    officer.attempt("POST", f"/api/risk/followups/{referrals[0]['id']}/done",
                    {"outcome": "Emailed their control room"}, expect="P11", status=400)
    officer.do("POST", f"/api/risk/followups/{referrals[0]['id']}/done",
               {"outcome": "They will see him today with our officer on video",
                "acknowledged_by": "PS Khan, Northam control room"})


DA_CURRENT = ("injured", "frightened", "threats_to_kill", "strangulation", "escalating", "weapon", "separation",
              "children", "controlling", "isolated", "suicide_threat", "previous_police", "violent_to_others")
DA_STALKING = ("st_fear", "st_before", "st_property", "st_places", "st_through_others", "st_threats", "st_worse")


def _settle_all(actor: Actor, ref: str) -> None:
    """Every check recorded and every prompt answered, including those that answering raises (a pattern
    with earlier logs, checks a prompt brings): the log's other work done right, so what remains is risk's."""
    for _ in range(4):
        seen = actor.do("GET", f"/api/logs/{ref}").body
        if not any(c["state"] == "outstanding" for c in seen["checks"]) and not any(
                p["state"] == "open" for p in seen["prompts"]):
            return
        settle(actor, ref, "Nothing further recorded")


def _answers(codes: tuple[str, ...], yes: set[str]) -> list[dict[str, str]]:
    return [{"question": c, "value": "yes" if c in yes else "no"} for c in codes]


def case_1_risk(run: Run, as_: Callable[[str], Actor]) -> None:
    """Fatal shooting following marriage breakdown, the risk assessment: she reported stalking and the
    stalking questions were never asked; the log closed with no assessment; later incidents between them were
    each seen alone."""
    admin, records, handler, officer = as_("admin"), as_("investigator"), as_("handler"), as_("officer")
    _instrument(admin, "domestic-abuse")
    her_home = "3 Mill Cottages, Hatherley HT2 5DD"
    claire = person(records, "Claire", "Denton", "1979-02-14", home=her_home)
    paul = person(records, "Paul", "Denton", "1976-07-01", home="Lower Farm, Hatherley Road, Hatherley HT2 6EE")

    run.step("She reports that her estranged husband is stalking her and was controlling throughout the "
             "marriage. The log names both of them.")
    first = handler.do("POST", "/api/logs", {
        "contact": {"channel": "101", "caller_name": "Claire Denton", "caller_phone": "07700 900381",
                    "caller_age": 37, "account": "My husband has been stalking me since I left. He was controlling "
                                                 "all through the marriage."},
        "category": "domestic_incident", "summary": "Estranged husband stalking her", "location": her_home,
        # L8: where other replays left her earlier logs open, this report is still a matter of its own
        "second_call_reason": "Her report of stalking: a matter of its own"}).body["reference"]
    handler.do("POST", f"/api/logs/{first}/parties", {"role": "victim", "person_id": claire})
    handler.do("POST", f"/api/logs/{first}/parties", {"role": "suspect", "person_id": paul})

    run.step("The officer speaks to him and closes the log with no risk assessment.")
    handler.do("POST", f"/api/logs/{first}/assignments", {"user_id": officer.staff_id("officer")})
    _settle_all(officer, first)
    officer.do("GET", f"/api/logs/{first}")
    officer.attempt("POST", f"/api/logs/{first}/close", {"code": "spoken_to_safe",
                                                          "note": "Told his behaviour is not acceptable"},
                    expect="R1")

    run.step("The assessment is started; the officer answers the general questions and submits without the "
             "stalking questions.")
    a = officer.do("POST", "/api/risk/assessments", {"instrument": "domestic-abuse", "person_id": claire,
                                                     "role": "victim", "reference": first}).body["id"]
    officer.do("POST", f"/api/risk/assessments/{a}/answers", {"answers": [
        *_answers((*DA_CURRENT, "followed"), {"frightened", "controlling", "separation", "followed"}),
        {"question": "relationship", "value": "ex_partner"}]})
    officer.attempt("POST", f"/api/risk/assessments/{a}/submit", {"judgement": "standard"}, expect="R2")
    run.step("The stalking screen is asked: he turns up at her home and work and contacts her through others.")
    officer.do("POST", f"/api/risk/assessments/{a}/answers", {"answers": _answers(
        DA_STALKING, {"st_fear", "st_places", "st_through_others"})})
    sub = officer.do("POST", f"/api/risk/assessments/{a}/submit", {
        "judgement": "medium", "rationale": "Stalking after separation; the pattern is escalating"}).body
    run.note(f"guidance {sub['guidance']}, judgement {sub['judgement']}, level in force {sub['level']}")
    officer.do("POST", f"/api/logs/{first}/close", {"code": "spoken_to_safe",
                                                     "note": "Assessed medium; stalking advice given"})

    run.step("Weeks later she reports he will not return her passport: a new incident between them.")
    later = handler.do("POST", "/api/logs", {
        "contact": {"channel": "101", "caller_name": "Claire Denton", "caller_phone": "07700 900381",
                    "caller_age": 37, "account": "My husband is refusing to give me back my passport."},
        "category": "domestic_incident", "summary": "Estranged husband withholding passport", "location": her_home,
        "second_call_reason": "A new incident between them: the passport"}).body["reference"]
    handler.do("POST", f"/api/logs/{later}/parties", {"role": "victim", "person_id": claire})
    panel = officer.do("GET", f"/api/risk/logs/{later}").body
    again = [r for r in panel["reassess"] if r["person_id"] == claire]
    if again and again[0]["earlier"]:
        e = again[0]["earlier"][0]
        run.intervened("R4", f"reassess her for this incident: earlier {e['title']} on {e['log']}, level {e['level']}")
    else:
        run.fail("R4: a new incident with the same victim prompted no reassessment")
