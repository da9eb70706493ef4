"""Bulletin 28, case 2 acted out across risk and cases: a victim who refused a DASH assessment, was passed
between units with nobody holding the contact, was discussed at a MARAC, and was killed after an officer
decided not to arrest on a dynamic risk assessment he never wrote down (M1, R4, R5, R6, P3, P6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from watchkeeper.replays.engine import Actor, Run
from watchkeeper.replays.issue41 import person
from watchkeeper.replays.risk_lessons import DA_CURRENT, DA_STALKING, _answers, _instrument, _settle_all

HER_HOME = "22 Quarry Lane, Kingsbridge KB3 7QL"
SISTER_HOME = "5 Orchard Close, Kingsbridge KB3 8OC"


def case_2(run: Run, as_: Callable[[str], Actor]) -> None:
    """Contact with the police before a woman's murder."""
    admin, records, handler = as_("admin"), as_("investigator"), as_("handler")
    ppu, sso, supervisor = as_("officer"), as_("investigator"), as_("supervisor")
    _instrument(admin, "domestic-abuse")
    her = person(records, "Joanne", "Marsh", "1988-03-09", home=HER_HOME)
    him = person(records, "Kevin", "Doyle", "1985-11-23", home="Flat 9, Canal Buildings, Kingsbridge KB1 4CB")

    run.step("A third party reports that a woman has been raped and attacked by her former partner. The call "
             "is passed to the public protection unit: a case with both of them on it.")
    first = handler.do("POST", "/api/logs", {
        "contact": {"channel": "101", "caller_name": "Lisa Marsh", "caller_phone": "07700 900522", "caller_age": 35,
                    "account": "My sister Joanne was raped and attacked by her ex, Kevin Doyle."},
        "category": "domestic_incident", "summary": "Third party: rape and assault by former partner",
        "location": HER_HOME, "second_call_reason": "A report of its own"}).body["reference"]
    handler.do("POST", f"/api/logs/{first}/parties", {"role": "victim", "person_id": her})
    handler.do("POST", f"/api/logs/{first}/parties", {"role": "suspect", "person_id": him})
    ppu_id = admin.staff_id("officer")
    case = supervisor.do("POST", "/api/cases", {"kind": "safeguarding", "title": "Rape and assault by a former partner",
                                                "reference": first, "officer_id": ppu_id, "risk": "medium"}).body
    case_id = int(case["id"])
    ppu.do("POST", f"/api/cases/{case_id}/people", {"person_id": her, "role": "victim"})
    ppu.do("POST", f"/api/cases/{case_id}/people", {"person_id": him, "role": "suspect"})

    run.step("She refuses to meet the officer or complete a DASH risk assessment. The refusal is recorded as "
             "her answer, and the officer completes what police records hold.")
    a = int(ppu.do("POST", f"/api/cases/{case_id}/assessments",
                   {"person_id": her, "instrument": "domestic-abuse"}).body["id"])
    ppu.do("POST", f"/api/risk/assessments/{a}/refusal",
           {"refused": True, "note": "Refused to meet or answer; says the relationship is over"})
    held = {"injured", "separation", "previous_police"}
    ppu.do("POST", f"/api/risk/assessments/{a}/answers", {"answers": [
        *({"question": q, "refused": True, **({"value": "yes", "source": "records"} if q in held else {})}
          for q in (*DA_CURRENT, "followed")),
        *({"question": q, "refused": True} for q in DA_STALKING),
        {"question": "relationship", "value": "ex_partner", "source": "records"}]})
    sub = ppu.do("POST", f"/api/risk/assessments/{a}/submit", {
        "judgement": "medium", "rationale": "Refused; what we hold puts her at medium risk at least"}).body
    detail = sub.get("guidance_detail") or {}
    if detail.get("partly_from_records") or detail.get("from_records"):
        run.intervened("R5", f"her refusal is an answer and the assessment was still done from records: guidance "
                             f"{sub.get('guidance')}, judgement {sub.get('judgement')}, said to be partly from records")
    else:
        run.fail(f"R5: the guidance does not say it was partly from records ({sorted(detail)})")

    run.step("A domestic-abuse marker is placed on her address, with its source and a review date.")
    review = (date.today() + timedelta(days=90)).isoformat()
    records.do("POST", "/api/markers", {"kind": "domestic_abuse_victim", "address": HER_HOME,
                                        "source": "Third-party report of rape; DASH refused", "review_at": review})

    run.step("Ten days later the sister rings: he has assaulted Joanne. The address brings up the marker.")
    ctx = handler.do("GET", f"/api/context?address={HER_HOME}&purpose=Second report from the sister").body
    marks = [m for p in ctx.get("addresses", []) for m in p.get("markers", [])] + [
        m for m in ctx.get("markers", []) if isinstance(m, dict)]
    shown = [m for m in marks if m.get("kind") == "domestic_abuse_victim"]
    if shown and shown[0].get("source") and shown[0].get("review_at"):
        run.intervened("M1", f"{shown[0].get('label', 'marker')} at her address: source {shown[0]['source']}, "
                             f"review {shown[0]['review_at']}")
    else:
        run.fail(f"M1: the marker on her address was not shown ({sorted(ctx)})")
    second = handler.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_name": "Lisa Marsh", "caller_phone": "07700 900522", "caller_age": 35,
                    "account": "Kevin has assaulted my sister Joanne again."},
        "category": "domestic_incident", "summary": "Assault by former partner", "location": HER_HOME,
        "second_call_reason": "A new assault"}).body["reference"]
    handler.do("POST", f"/api/logs/{second}/parties", {"role": "victim", "person_id": her})
    ppu.do("POST", f"/api/cases/{case_id}/logs", {"reference": second})
    panel = ppu.do("GET", f"/api/risk/logs/{second}").body
    again = [r for r in panel["reassess"] if r["person_id"] == her]
    if again and again[0]["earlier"]:
        e = again[0]["earlier"][0]
        run.intervened("R4", f"reassess her for the assault: earlier {e['title']}, level {e['level']}")
    else:
        run.fail("R4: the new assault with the same victim prompted no reassessment")

    run.step("The case moves between the public protection unit and the unit for serious sexual offences. "
             "One officer is named as her point of contact across both, and every contact is logged on the case.")
    contact = ppu.do("POST", f"/api/cases/victims/{her}/contact-point",
                     {"user_id": ppu_id, "reason": "Public protection keeps protecting and supporting her"}).body
    ppu.attempt("POST", f"/api/cases/victims/{her}/contact-point",
                {"user_id": ppu_id, "reason": "Named again by the other unit"}, expect="P3", status=409)
    ppu.do("POST", f"/api/cases/{case_id}/contacts", {
        "person_id": her, "channel": "in_person", "summary": "Told of the MARAC and the support on offer"})
    run.note(f"point of contact: {contact.get('contact') or contact.get('user') or ppu_id}")

    run.step("A MARAC is held: the police are to be her primary contact and encourage support services. The "
             "assault log cannot be closed while that action is open.")
    when = (date.today() + timedelta(days=7)).isoformat() + "T10:00"
    ref_id = int(ppu.do("POST", f"/api/cases/{case_id}/referrals",
                        {"kind": "marac", "meeting_at": when, "note": "High risk after the assault"}).body["id"])
    ppu.do("POST", f"/api/cases/{case_id}/agency-actions", {
        "description": "Police as primary contact: encourage her to take up support services", "owner_id": ppu_id,
        "due_at": (date.today() + timedelta(days=14)).isoformat() + "T12:00", "referral_id": ref_id})
    handler.do("POST", f"/api/logs/{second}/assignments", {"user_id": ppu_id})
    _settle_all(ppu, second)
    a2 = int(ppu.do("POST", f"/api/cases/{case_id}/assessments",
                    {"person_id": her, "instrument": "domestic-abuse"}).body["id"])
    ppu.do("POST", f"/api/risk/assessments/{a2}/answers", {"answers": [
        *_answers((*DA_CURRENT, "followed"), {"injured", "frightened", "separation", "escalating", "children",
                                             "previous_police"}),
        *_answers(DA_STALKING, set()), {"question": "relationship", "value": "ex_partner"}]})
    ppu.do("POST", f"/api/risk/assessments/{a2}/submit",
           {"judgement": "high", "rationale": "Assaulted again after the rape report; he is sought for arrest"})
    ppu.attempt("POST", f"/api/logs/{second}/close",
                {"code": "spoken_to_safe", "note": "Victim says she is fine"}, expect="P6")

    run.step("His solicitor says he will come in to be questioned. The officer decides not to arrest after a "
             "dynamic risk assessment he does not write down.")
    sso.attempt("POST", "/api/risk/decisions", {"kind": "arrest", "decision": "Not arrested for now",
                                                "reference": second, "person_id": him, "rationale": "Risk"},
                expect="R6", status=400)
    sso.do("POST", "/api/risk/decisions", {
        "kind": "arrest", "decision": "Arrest today by appointment through his solicitor", "reference": second,
        "person_id": him, "rationale": "High risk to her: she withdrew under pressure, he is still contacting her, "
                                       "so safeguarding her outweighs the doubt about the allegation"})
