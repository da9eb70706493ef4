"""Replays of bulletin 28 (November 2016), protecting vulnerable people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from watchkeeper.replays.engine import Actor, Run
from watchkeeper.replays.issue41 import alerts_on, board_row, detail, open_prompts, past_log, person, settle


def _thrive(risk: str, vulnerability: str) -> dict[str, dict[str, str]]:
    return {"threat": {"level": "medium"}, "harm": {"level": "medium"}, "risk": {"level": risk},
            "vulnerability": {"level": vulnerability}}


def case_1(run: Run, as_: Callable[[str], Actor]) -> None:
    """Fatal shooting following marriage breakdown: a certificate holder's estranged wife reports stalking;
    the firearms licensing referral is never made; two parties' counter-allegations are merged; a pattern of
    incidents is seen one at a time."""
    records, handler, handler2 = as_("investigator"), as_("handler"), as_("handler2")
    officer, control, dispatcher = as_("officer"), as_("controller"), as_("dispatcher")
    her_phone, his_home = "07700 900281", "Lower Farm, Hatherley Road, Hatherley HT2 6EE"

    run.step("On record: the woman, her estranged husband (a shotgun certificate holder, marked on him and "
             "his address), and his parents.")
    claire = person(records, "Claire", "Denton", "1979-02-14", home="3 Mill Cottages, Hatherley HT2 5DD",
                    phone=her_phone)
    paul = person(records, "Paul", "Denton", "1976-07-01", home=his_home)
    roy = person(records, "Roy", "Denton", "1949-11-20", home="8 Church View, Hatherley HT2 7GG",
                 phone="07700 900282")
    jean = person(records, "Jean", "Denton", "1951-05-03", home="8 Church View, Hatherley HT2 7GG")
    records.do("POST", f"/api/people/{claire}/relationships", {"other_id": paul, "kind": "ex_partner"})
    for parent in (roy, jean):
        records.do("POST", f"/api/people/{parent}/relationships", {"other_id": paul, "kind": "parent"})
    expires = (date.today() + timedelta(days=3 * 365)).isoformat()
    records.do("POST", "/api/certificates", {"holder_id": paul, "address": his_home, "number": "SGC/HT/20417",
                                             "expires_on": expires})

    run.step("She calls the non-emergency number. From her number the call handler sees her estranged "
             "husband and his firearms marker before saying a word.")
    ctx = handler.do("GET", f"/api/context?phone={her_phone.replace(' ', '')}").body
    his = next((link for link in ctx["linked"] if link["id"] == paul), None)
    fm = [m for m in (his or {}).get("markers", []) if m["kind"] == "firearms_certificate"]
    if his is None:
        run.fail("C1: her number did not bring up her estranged husband")
    else:
        run.intervened("C1", f"linked: {his['name']} ({his['relationship']})")
    if fm and fm[0]["source"] and fm[0]["review_at"]:
        run.intervened("M1", f"{fm[0]['label']} on {fm[0]['on']}: source {fm[0]['source']}, review "
                             f"{fm[0]['review_at']}")
    else:
        run.fail("M1: the husband's firearms-certificate marker was not shown")

    run.step("She reports he is stalking her, was controlling throughout the marriage, and holds a "
             "certificate with access to guns. The log names both of them.")
    first = handler.do("POST", "/api/logs", {
        "contact": {"channel": "101", "caller_name": "Claire Denton", "caller_phone": her_phone, "caller_age": 37,
                    "account": "My marriage has just ended and my husband has been stalking me. He was controlling "
                               "all through the marriage. He has a shotgun certificate and access to guns."},
        "category": "domestic_incident", "summary": "Estranged husband stalking her",
        "location": "3 Mill Cottages, Hatherley HT2 5DD"}).body["reference"]
    handler.do("POST", f"/api/logs/{first}/parties", {"role": "victim", "person_id": claire})
    handler.do("POST", f"/api/logs/{first}/parties", {"role": "suspect", "person_id": paul})
    referral = [c for c in detail(handler, first)["checks"] if c["kind"] == "firearms_licensing"]
    if referral and referral[0]["mandatory"]:
        run.intervened("M4", f"a mandatory referral to firearms licensing: {referral[0]['subject']}")
    else:
        run.fail("M4: a domestic-abuse log involving a certificate holder made no firearms licensing referral")
    for prompt in open_prompts(handler, first, "C3"):
        handler.do("POST", f"/api/prompts/{prompt['id']}/decision", {"accept": True})
    run.step("The control room runs its intelligence checks and asks the officer to make the referral.")
    for check in detail(control, first)["checks"]:
        if check["state"] == "outstanding" and check["kind"] != "firearms_licensing":
            control.do("POST", f"/api/checks/{check['id']}", {"result": "Nothing further recorded",
                                                              "system": "force systems"})
    run.step("The officer speaks to the man, tells him his behaviour is not acceptable, and closes the log "
             "without making the referral.")
    handler.do("POST", f"/api/logs/{first}/assignments", {"user_id": officer.staff_id("officer")})
    officer.do("GET", f"/api/logs/{first}")
    officer.attempt("POST", f"/api/logs/{first}/close", {"code": "spoken_to_safe"}, expect="M4")
    run.step("The referral cannot be skipped: the officer makes it and records it.")
    for check in referral:
        officer.do("POST", f"/api/checks/{check['id']}", {
            "result": "Referred to firearms licensing: the holder's suitability to be reviewed",
            "system": "firearms licensing"})
    officer.do("GET", f"/api/logs/{first}")
    officer.do("POST", f"/api/logs/{first}/close", {"code": "spoken_to_safe",
                                                    "note": "Told his behaviour is not acceptable; referral made"})

    run.step("Two further calls to 101 at about the same time: his father says the woman assaulted his wife; "
             "the woman says her estranged husband is being aggressive.")
    counter = handler2.do("POST", "/api/logs", {
        "contact": {"channel": "101", "caller_name": "Roy Denton", "caller_phone": "07700 900282", "caller_age": 74,
                    "party": "Roy and Jean Denton", "account": "My son's wife came round and assaulted my wife.",
                    "allegation": "Claire Denton assaulted Jean Denton"},
        "category": "assault", "summary": "Assault on Jean Denton", "location": "8 Church View, Hatherley HT2 7GG",
    }).body["reference"]
    handler2.do("POST", f"/api/logs/{counter}/parties", {"role": "victim", "person_id": jean})
    handler2.do("POST", f"/api/logs/{counter}/parties", {"role": "suspect", "person_id": claire})
    her_call = {
        "contact": {"channel": "101", "caller_name": "Claire Denton", "caller_phone": her_phone, "caller_age": 37,
                    "party": "Claire Denton", "account": "My husband is being aggressive towards me.",
                    "allegation": "Paul Denton aggressive towards Claire Denton"},
        "category": "domestic_incident", "summary": "Estranged husband aggressive",
        "location": "3 Mill Cottages, Hatherley HT2 5DD"}
    # L8: she is named on the open log her father-in-law's call raised; that log is offered first.
    handler.attempt("POST", "/api/logs", her_call, expect="L8")
    hers = handler.do("POST", "/api/logs", {**her_call, "second_call_reason": "Her own allegation against her "
                                            "husband: a separate log, linked"}).body["reference"]
    handler.do("POST", f"/api/logs/{hers}/parties", {"role": "victim", "person_id": claire})
    handler.do("POST", f"/api/logs/{hers}/parties", {"role": "suspect", "person_id": paul})
    run.step("The dispatcher merges the two logs: one family, one dispute.")
    dispatcher.attempt("POST", f"/api/logs/{counter}/merge", {"into": hers, "reason": "Same family dispute"},
                       expect="L7")
    run.step("They are linked as counter-allegations instead, and a second attempt to merge them is refused.")
    dispatcher.do("POST", f"/api/logs/{counter}/links", {"other": hers, "kind": "counter_allegation",
                                                         "reason": "Two parties, separate allegations"})
    dispatcher.attempt("POST", f"/api/logs/{counter}/merge", {"into": hers, "reason": "Same family dispute"},
                       expect="L7")
    links = detail(dispatcher, hers)["links"]
    run.note(f"{hers} keeps its link to {counter}: {len(links)} link(s); both accounts stay on their own logs")

    run.step("She reports that he will not return her passport: the third incident between them in weeks.")
    third = handler.do("POST", "/api/logs", {
        "contact": {"channel": "101", "caller_name": "Claire Denton", "caller_phone": her_phone, "caller_age": 37,
                    "account": "My husband is refusing to give me back my passport."},
        "category": "domestic_incident", "summary": "Estranged husband withholding passport",
        "location": "3 Mill Cottages, Hatherley HT2 5DD",
        "second_call_reason": "A new incident between them: the passport"}).body["reference"]
    handler.do("POST", f"/api/logs/{third}/parties", {"role": "victim", "person_id": claire})
    handler.do("POST", f"/api/logs/{third}/parties", {"role": "suspect", "person_id": paul})
    pattern = open_prompts(handler, third, "C8")
    if pattern:
        run.intervened("C8", pattern[0]["text"])
    else:
        run.fail("C8: repeated incidents between the same people raised no pattern prompt")
    timeline = handler.do("GET", f"/api/people/{claire}?purpose=Pattern review on {third}").body["timeline"]
    with_him = [t["log"] for t in timeline if any(w["id"] == paul for w in t["with"])]
    run.note(f"her timeline: {len(with_him)} logs with him ({', '.join(with_him)})")
    if not any(c["kind"] == "firearms_licensing" for c in detail(handler, third)["checks"]):
        run.fail("M4: the passport incident made no firearms licensing referral")


def case_3(run: Run, as_: Callable[[str], Actor]) -> None:
    """Safeguarding a vulnerable man: a father's visit never recorded, a call graded a fixed appointment
    against policy, and a bail-breach log closed because no units were free."""
    counter, handler, operator = as_("officer"), as_("handler"), as_("dispatcher")
    records, controller = as_("investigator"), as_("controller")
    home = "Flat 2, 11 Wharf Street, Hatherley HT3 4JJ"
    run.step("The man's father visits the police station: he fears his son is held against his will. The "
             "visit is recorded as a front-counter contact on a log (L8).")
    ref = counter.do("POST", "/api/logs", {
        "contact": {"channel": "front_counter", "caller_name": "Father of the vulnerable man",
                    "account": "Worried my son is being held against his will by a man who befriended him."},
        "category": "vulnerable_adult", "summary": "Father fears son held against his will"}).body["reference"]
    accounts = counter.do("GET", f"/api/logs/{ref}").body["accounts"]
    if any(a["channel"] == "front_counter" for a in accounts):
        run.intervened("L8", f"the front-counter visit is on record under {ref}")
    else:
        run.fail("L8: the front-counter visit left no record")

    run.step("His health worker calls: the man has schizophrenia, is bullied, and the other man has his key "
             "and bank details.")
    handler.do("POST", f"/api/logs/{ref}/contacts", {
        "channel": "partner_agency", "caller_name": "Health worker",
        "account": "He has schizophrenia and is being bullied; the man took his spare key and bank details."})
    run.step("The call taker grades it a fixed appointment, below the force policy's prompt response.")
    handler.attempt("POST", f"/api/logs/{ref}/grade", {"grade": "scheduled", "thrive": _thrive("medium", "high"),
                                                       "expected_version": handler.version(ref)}, expect="C4")

    run.step("The man who befriended him is arrested and bailed with conditions to stay away from the man and "
             "his address: the conditions go on the orders register.")
    dan = person(records, "Daniel", "Hughes", "1979-02-14", home=home, phone="07700 900383")
    kyle = person(records, "Kyle", "Barton", "1984-10-03", home="22 Tannery Row, Hatherley HT3 9KK")
    records.do("POST", "/api/orders", {
        "kind": "bail_conditions", "restricted_id": kyle, "protected_person_ids": [dan],
        "protected_addresses": [home], "conditions": "Not to contact Daniel Hughes or go to his address",
        "starts_on": (date.today() - timedelta(days=14)).isoformat(),
        "ends_on": (date.today() + timedelta(days=28)).isoformat()})

    run.step("Months later the man calls: the alleged abuser is at his home in breach of bail conditions.")
    breach = handler.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_name": "Daniel Hughes", "caller_phone": "07700 900383",
                    "account": "He is here at my flat again. He is on bail not to come here."},
        "category": "breach_of_order", "summary": "Bail breach at vulnerable man's home",
        "location": home}).body["reference"]
    handler.do("POST", f"/api/logs/{breach}/parties", {"role": "victim", "person_id": dan})
    handler.do("POST", f"/api/logs/{breach}/parties", {"role": "suspect", "person_id": kyle})
    possible = open_prompts(handler, breach, "M3", "possible_breach")
    if possible:
        run.intervened("M3", possible[0]["text"])
    else:
        run.fail("M3: the bailed man at the protected man's home raised no possible breach")
    run.step("The call is graded for a response within an hour.")
    handler.do("POST", f"/api/logs/{breach}/grade", {"grade": "priority", "thrive": _thrive("medium", "high"),
                                                     "expected_version": handler.version(breach)})

    run.step("No units are free. The operator records it: the log stays open and pending, and the controller "
             "is alerted to find one.")
    operator.do("POST", f"/api/logs/{breach}/no-units", {"note": "High demand on resources"})
    row = board_row(operator, breach) or {}
    if row.get("pending") and controller.told("D3", breach, "alert_no_units"):
        run.intervened("D3", f"{breach} stays on the pending queue (target {str(row.get('target_at'))[11:16]}); "
                             "the controller is alerted")
    else:
        run.fail(f"D3: 'no units' left the log {row or 'off the board'} or the controller untold")
    for alert in alerts_on(controller, breach, "no_units"):
        run.note(f"alert for the {alert['level']}: {alert['text']} (unacknowledged, it goes to the duty inspector "
                 f"at {str(alert['escalate_at'])[11:16]})")
    run.step("The operator closes the log as 'no units available'.")
    operator.do("GET", f"/api/logs/{breach}")
    operator.attempt("POST", f"/api/logs/{breach}/close", {"code": "no_units_available"}, expect="L10")
    run.step("Told by phone that the man has gone, the operator closes it as advice given, nobody seen.")
    operator.attempt("POST", f"/api/logs/{breach}/close", {"code": "advice_given"}, expect="L10")
    run.step("He records the orders and national checks, then marks it resolved, advising the man that no "
             "units will attend.")
    settle(operator, breach, "Bail conditions in force: not to contact Daniel Hughes or go to his address.")
    operator.do("GET", f"/api/logs/{breach}")
    operator.attempt("POST", f"/api/logs/{breach}/close", {"code": "spoken_to_safe",
                                                           "note": "Abuser no longer there; no units will attend"},
                     expect="D3")


def case_5(run: Run, as_: Callable[[str], Actor]) -> None:
    """Concern for welfare: a neighbouring force's email gives her current address, but the address held is
    used; logs are opened and closed without her being found; her earlier domestic incidents are not linked."""
    handler, records, dispatcher = as_("handler"), as_("investigator"), as_("dispatcher")
    held, current = "27 Canal Street, Kingsbridge KB2 3CC", "Flat 4, 9 Orchard Rise, Eastleigh EA1 7FF"

    run.step("Earlier in the year: she called several times about her husband; the calls were coded as "
             "domestic incidents and closed. A non-molestation order now protects her.")
    leah = person(records, "Leah", "Morgan", "1988-08-08", home=held, phone="07700 900285")
    dean = person(records, "Dean", "Morgan", "1985-03-17", home="40 Foundry Road, Kingsbridge KB3 8HH")
    records.do("POST", f"/api/people/{leah}/relationships", {"other_id": dean, "kind": "ex_partner"})
    earlier = []
    for account in ("My husband is shouting at me and won't leave.", "My husband has been round again "
                    "threatening me."):
        earlier.append(past_log(handler, records, {
            "contact": {"channel": "999", "caller_name": "Leah Morgan", "caller_phone": "07700 900285",
                        "caller_age": 30, "account": account},
            "category": "domestic_incident", "summary": "Domestic: husband at address", "location": held,
        }, [("victim", leah), ("suspect", dean)], result="No crime disclosed", code="spoken_to_safe"))
    records.do("POST", "/api/orders", {
        "kind": "non_molestation", "restricted_id": dean, "protected_person_ids": [leah],
        "conditions": "Not to approach or communicate with Leah Morgan or her three children",
        "starts_on": (date.today() - timedelta(days=60)).isoformat(),
        "ends_on": (date.today() + timedelta(days=300)).isoformat()})

    run.step("The neighbouring force emails: two friends fear for her; she may be returning to her husband, "
             "who threatened to kill her if she left. The email gives her current address. The call handler "
             "looks her up by name.")
    ctx = handler.do("GET", "/api/context?name=Leah Morgan&purpose=Concern for welfare email").body
    found = [h["log"] for h in ctx["history"] if h["log"] in earlier]
    if set(found) == set(earlier):
        run.intervened("C1", f"her earlier domestic incidents ({', '.join(found)}) and "
                             f"{len(ctx['orders'])} active order(s) are on screen")
    else:
        run.fail(f"C1: her earlier domestic incidents were not found (found {found})")

    run.step("A log is raised at the address held for her.")
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "email", "caller_name": "PC, neighbouring force", "caller_age_reason": "Email",
                    "account": "Two friends reported her missing from a planned meeting. Her texts have been out "
                               "of character. Her husband threatened to seriously harm or kill her if she left "
                               f"him. Please check on her at her current address: {current}."},
        "category": "concern_for_welfare", "summary": "Concern for welfare: woman not seen by friends",
        "location": held}).body["reference"]
    run.step("She is put on the log at the address the email gives.")
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "subject", "person_id": leah, "address": current})
    seen = detail(handler, ref)
    c7 = [p for p in seen["prompts"] if p["safeguard"] == "C7" and p["state"] == "open"]
    if c7 and seen["location"] == current:
        run.intervened("C7", f"deployment goes to {seen['location']}; {c7[0]['text']}")
    else:
        run.fail(f"C7: the log still sends officers to {seen['location']!r} (prompts: {len(c7)})")
    residences = handler.do("GET", f"/api/context?name=Leah Morgan&purpose=Address check on {ref}").body
    run.note("addresses kept: " + "; ".join(a["text"] for a in residences["addresses"]) + f"; log: {current}")

    run.step("Officers go, find nobody, and the operator closes the log with nobody having seen her.")
    dispatcher.do("POST", f"/api/logs/{ref}/entries", {"text": "No reply at the address. Nobody has seen her."})
    dispatcher.do("GET", f"/api/logs/{ref}")
    dispatcher.attempt("POST", f"/api/logs/{ref}/close", {"code": "attended_resolved"}, expect="L10")
    run.step("A second log about the same concern is opened and closed as 'no further action'.")
    second_call = {
        "contact": {"channel": "101", "caller_name": "Friend of Leah Morgan", "caller_age": 31,
                    "account": "Still no word from her."},
        "category": "concern_for_welfare", "summary": "Concern for welfare: still not seen",
        "location": current}
    # L8: the open log about her at this address is offered first; a new one needs a reason and is linked.
    handler.attempt("POST", "/api/logs", second_call, expect="L8")
    again = handler.do("POST", "/api/logs", {**second_call, "second_call_reason": "Operator opens a new log "
                                             "for the renewed concern"}).body["reference"]
    dispatcher.do("GET", f"/api/logs/{again}")
    dispatcher.attempt("POST", f"/api/logs/{again}/close", {"code": "no_further_action"}, expect="L10")


def case_4(run: Run, as_: Callable[[str], Actor]) -> None:
    """Missing following leave from hospital: a log accepted automatically, new information that never
    changed its category, and promised call-backs to the hospital never made."""
    admin, handler = as_("admin"), as_("handler")
    run.step("The reviewer of transferred logs is away today.")
    admin.do("POST", f"/api/staff/{admin.staff_id('handler2')}/absence", {"absent": True, "reason": "Training"})
    try:
        run.step("A psychiatric hospital's request for a welfare check arrives by system transfer and is accepted "
                 "automatically as 'concern for safety'.")
        ref = handler.do("POST", "/api/logs", {
            "source": "transfer",
            "contact": {"channel": "partner_agency", "caller_name": "Psychiatric hospital",
                        "account": "Patient has not returned from authorised leave; two recent attempts on his "
                                   "life. Please carry out a welfare check."},
            "category": "concern_for_welfare", "summary": "Patient not returned from hospital leave"}).body
        ref = ref["reference"]
        deputy = as_("controller")
        if deputy.told("L9", ref, "review"):
            run.intervened("L9", "the automatic log went to the named deputy because the reviewer is away")
        else:
            run.fail("L9: the automatically accepted log reached no person")
        deputy.do("POST", f"/api/logs/{ref}/review")
        deputy.do("POST", f"/api/logs/{ref}/grade", {"grade": "scheduled", "thrive": _thrive("low", "medium"),
                                                     "expected_version": deputy.version(ref)})

        run.step("The NHS crisis team calls: he is missing; previous overdoses; please contact hospital staff. "
                 "The handler records it and marks the log missing.")
        handler.do("POST", f"/api/logs/{ref}/entries", {
            "text": "NHS crisis team visited his home: he is missing. Previous overdoses. Asks officers to "
                    "contact hospital staff.", "add_flags": ["missing"]})
        if deputy.told("C6", ref, "regrade"):
            run.intervened("C6", "the policy grade rose to priority and the owner was told to re-grade")
        else:
            run.fail("C6: new information did not re-propose the grade to the owner")

        run.step("The hospital asks for an update; the handler promises to call them back (L11).")
        due = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
        handler.do("POST", "/api/tasks", {"reference": ref, "description": "Call the hospital back with an update",
                                          "owner_id": handler.staff_id("handler"), "due_at": due})
        if handler.driver.wait_for_timers(lambda: handler.told("L11", ref, "task_overdue")):
            run.intervened("L11", "the call-back fell due and its owner was alerted")
        else:
            run.fail("L11: the promised call-back was forgotten silently")

        run.step("The next day the Hub Commander reviews the log and re-classifies him as a medium-risk missing "
                 "person, re-grading it for a prompt response: the response clock is armed, from the first "
                 "call.")
        reclassify = open_prompts(deputy, ref, "C6", "reclassify_missing")
        if reclassify:
            deputy.do("POST", f"/api/prompts/{reclassify[0]['id']}/decision", {"accept": True})
        elif detail(deputy, ref)["category"] != "missing_person":
            deputy.do("PATCH", f"/api/logs/{ref}", {"category": "missing_person",
                                                   "expected_version": deputy.version(ref)})
        before = (board_row(deputy, ref) or {}).get("target_at")
        deputy.do("POST", f"/api/logs/{ref}/grade", {"grade": "priority", "thrive": _thrive("medium", "high"),
                                                     "expected_version": deputy.version(ref)})
        medium = (board_row(deputy, ref) or {}).get("target_at")
        run.step("His possessions are found by the river: he is re-graded as a high-risk missing person. The "
                 "target is re-computed from the first call, and the reason kept on the log.")
        deputy.do("POST", f"/api/logs/{ref}/grade", {"grade": "emergency", "thrive": _thrive("high", "high"),
                                                     "expected_version": deputy.version(ref)})
        high = (board_row(deputy, ref) or {}).get("target_at")
        graded = [e["text"] for e in detail(deputy, ref)["entries"] if e["kind"] == "grading"]
        if before is None and medium and high and high < medium and any("(was Priority)" in t for t in graded):
            run.intervened("D1", f"target {medium[11:16]} (priority) → {high[11:16]} (emergency), timed from the "
                                 f"first call; on the log: {graded[-1][:70]}")
        else:
            run.fail(f"D1: the target did not follow the re-grading ({before} → {medium} → {high})")
    finally:
        admin.do("POST", f"/api/staff/{admin.staff_id('handler2')}/absence", {"absent": False})
