"""Replay of the Essex Police recommendation record (2019/127918): a series of abandoned 999 calls from a
high-risk victim of domestic abuse, officers who ran no checks, and a protection order nobody saw. The
abandoned-call workflow (C9), the order on screen and the possible breach (M3), and checks that are tasks
blocking closure (C5). The recommendation tracker itself (K2) is planned."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from watchkeeper.replays.engine import Actor, Run
from watchkeeper.replays.issue41 import detail, open_prompts, person

HER_PHONE = "07700 900127"
HER_HOME = "5 Kiln Row, Southend-on-Sea SS2 9QX"
HIS_HOME = "22 Harbour View, Westcliff-on-Sea SS0 9QY"


def case(run: Run, as_: Callable[[str], Actor]) -> None:
    """Abandoned 999 calls from a high-risk victim; officers at her partner's address take no action; the
    partner was subject to a Domestic Violence Protection Order prohibiting contact with her."""
    records, handler, officer = as_("investigator"), as_("handler"), as_("officer")

    run.step("On record: she is a high-risk victim of domestic abuse (marked on her and on her number); her "
             "partner is subject to a Domestic Violence Protection Order prohibiting contact with her.")
    kelly = person(records, "Kelly", "Shaw", "1991-06-21", home=HER_HOME, phone=HER_PHONE)
    lee = person(records, "Lee", "Carter", "1989-01-09", home=HIS_HOME)
    records.do("POST", f"/api/people/{kelly}/relationships", {"other_id": lee, "kind": "partner"})
    review = (date.today() + timedelta(days=90)).isoformat()
    for target in ({"person_id": kelly}, {"phone": HER_PHONE}):
        records.do("POST", "/api/markers", {"kind": "domestic_abuse_victim", "source": "DASH: high risk",
                                            "review_at": review, **target})
    records.do("POST", "/api/orders", {
        "kind": "protection_order", "restricted_id": lee, "protected_person_ids": [kelly],
        "protected_addresses": [HER_HOME], "conditions": "No contact with Kelly Shaw, directly or indirectly",
        "starts_on": (date.today() - timedelta(days=7)).isoformat(),
        "ends_on": (date.today() + timedelta(days=21)).isoformat()})

    run.step("A 999 call from her number is abandoned before anyone speaks; a log of category 'abandoned "
             "call' is raised.")
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_phone": HER_PHONE, "caller_age_reason": "Call abandoned",
                    "account": "Open line, then the call was abandoned. Nobody spoke."},
        "category": "abandoned_call", "summary": "Abandoned 999 call"}).body["reference"]
    handler.do("POST", f"/api/logs/{ref}/contacts", {
        "channel": "999", "caller_phone": HER_PHONE, "caller_age_reason": "Call abandoned",
        "account": "Second abandoned call from the same number."})
    seen = detail(handler, ref)
    kinds = {c["kind"] for c in seen["checks"]}
    prompts = {p["kind"]: p for p in seen["prompts"] if p["safeguard"] == "C9"}
    if {"location", "caller"} <= kinds and "abandoned_header" in prompts:
        run.intervened("C9", "location and caller checks are tasks; the owner must update the header")
    else:
        run.fail(f"C9: the abandoned call got checks {sorted(kinds)} and prompts {sorted(prompts)}")
    if "abandoned_da_guidance" in prompts:
        run.intervened("C9", prompts["abandoned_da_guidance"]["text"])
    else:
        run.fail("C9: no domestic-abuse-aware callback guidance for a marked victim's number")

    run.step("The call handler looks up the number: the order is on screen.")
    ctx = handler.do("GET", f"/api/context?phone={HER_PHONE.replace(' ', '')}&purpose=Abandoned call {ref}").body
    dvpo = [o for o in ctx["orders"] if o["restricted"] == "Lee Carter"]
    if dvpo:
        run.intervened("M3", f"{dvpo[0]['kind']}: {dvpo[0]['restricted']} — {dvpo[0]['conditions']}")
    else:
        run.fail("M3: the protection order was not visible from her number")
    run.step("The checks locate her at her partner's address in Westcliff-on-Sea; both are put on the log.")
    for check in seen["checks"]:
        if check["kind"] in {"location", "caller"} and check["state"] == "outstanding":
            handler.do("POST", f"/api/checks/{check['id']}", {
                "system": "call history and location",
                "result": f"Caller is Kelly Shaw; likely location her partner's address, {HIS_HOME}"})
    handler.do("PATCH", f"/api/logs/{ref}", {"location": HIS_HOME, "expected_version": handler.version(ref)})
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "location", "address": HIS_HOME})
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "victim", "person_id": kelly})
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "subject", "person_id": lee})
    breach = open_prompts(handler, ref, "M3", "possible_breach")
    if breach:
        run.intervened("M3", breach[0]["text"])
    else:
        run.fail("M3: the restricted partner and the protected woman together raised no possible breach")

    run.step("Officers attend, separate them, and she makes no allegation. With the header still 'abandoned "
             "call', the officer closes the log as spoken to and safe.")
    handler.do("POST", f"/api/logs/{ref}/assignments", {"user_id": officer.staff_id("officer")})
    officer.do("GET", f"/api/logs/{ref}")
    officer.attempt("POST", f"/api/logs/{ref}/close", {"code": "spoken_to_safe"}, expect="C9")
    run.step("The owner updates the header now the nature is known: a domestic incident. The checks a "
             "domestic incident needs become tasks.")
    handler.do("PATCH", f"/api/logs/{ref}", {"category": "domestic_incident",
                                             "summary": "Domestic: woman at partner's address; DVPO in force",
                                             "expected_version": handler.version(ref)})
    for prompt in detail(handler, ref)["prompts"]:
        if prompt["state"] == "open":
            handler.do("POST", f"/api/prompts/{prompt['id']}/decision", {"accept": True})
    pending = [c for c in detail(handler, ref)["checks"] if c["state"] == "outstanding" and c["mandatory"]]
    run.note("checks now required: " + ", ".join(c["label"] for c in pending))
    run.step("The attending officers request no PNC or other checks and close the log.")
    officer.do("GET", f"/api/logs/{ref}")
    officer.attempt("POST", f"/api/logs/{ref}/close", {"code": "spoken_to_safe"}, expect="C5")
    orders = next((c for c in pending if c["kind"] == "orders"), None)
    if orders is None:
        run.fail("C5: no orders check was required for a domestic incident")
    else:
        officer.do("POST", f"/api/checks/{orders['id']}", {
            "system": "orders register",
            "result": "Domestic Violence Protection Order in force: no contact with Kelly Shaw. Arrest for breach."})
