"""Bulletin 28, case 8 and bulletin 31, case 7 acted out against cases: a victim never told of her former
partner's history of violence, told of his bail by a text that never arrived and of its end by a voicemail she
never heard, after a risk record that disagreed with the officer's notebook (L2, P4, P5, P8); and bail
conditions nobody could justify, amended on the solicitor's representations (P8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from watchkeeper.replays.engine import Actor, Run
from watchkeeper.replays.issue41 import person

HER_HOME = "14 Linnet Close, Kingsbridge KB4 2LC"
DEPOT = "Kingsbridge bus depot, Station Road, Kingsbridge KB1 1SR"


def _case(actor: Actor, case_id: int) -> dict[str, Any]:
    body: dict[str, Any] = actor.do("GET", f"/api/cases/{case_id}").body
    return body


def _day(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def case_8(run: Run, as_: Callable[[str], Actor]) -> None:
    """Disclosure of information to a victim."""
    handler, officer, sergeant, records = as_("handler"), as_("officer"), as_("supervisor"), as_("investigator")
    her = person(records, "Karen", "Whitlow", "1974-05-18", home=HER_HOME)
    him = person(records, "Gary", "Mercer", "1970-09-30", home="Flat 2, 8 Ferry Street, Kingsbridge KB1 3FS")
    records.do("POST", "/api/markers", {
        "kind": "domestic_abuse_perpetrator", "person_id": him, "review_at": _day(365),
        "source": "PNC: stabbed an ex-partner with a kitchen knife after she ended their relationship; five years",
        "note": "Cautioned twelve years ago for criminal damage after an argument with his then partner"})

    run.step("She rings 999: her partner has hit her and will not leave the house. He is arrested.")
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_name": "Karen Whitlow", "caller_phone": "07700 900828",
                    "caller_age": 42, "account": "My partner has hit me and he won't leave the house."},
        "category": "domestic_incident", "summary": "Assault by partner who will not leave", "location": HER_HOME,
        "second_call_reason": "Her 999 call: a matter of its own"}).body["reference"]
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "victim", "person_id": her})
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "suspect", "person_id": him})

    run.step("The officer records her answers to the risk questions, then finds his notebook says otherwise. "
             "The record is not altered: the correction is a new entry pointing at the one it corrects (L2).")
    first = handler.do("POST", f"/api/logs/{ref}/entries", {
        "text": "DASH: she answered yes to four risk questions, including that she knew he had caused "
                "'wounding with criminal damage'; she said no when asked if she knew he had hurt anyone."}).body
    altered = officer.driver.call(officer.persona, "PATCH", f"/api/logs/{ref}/entries/{first['seq']}",
                                  {"text": "DASH: yes to three risk questions"})
    fix = handler.do("POST", f"/api/logs/{ref}/entries", {
        "corrects_seq": first["seq"],
        "text": "Correction from the officer's notebook: yes to three risk areas (she tried to separate, his "
                "alcohol and mental health, his recent suicide attempt). She did not know of his history."}).body
    entries = {e["seq"]: e for e in handler.do("GET", f"/api/logs/{ref}").body["entries"]}
    kept = entries.get(first["seq"], {})
    if not altered.ok and kept.get("text") == first["text"] and entries.get(fix["seq"], {}).get("corrects") == \
            first["seq"]:
        run.intervened("L2", f"no route alters entry #{first['seq']} ({altered.status}); it still reads as "
                             f"written and correction #{fix['seq']} points at it")
    else:
        run.fail(f"L2: the entry was altered or the correction does not point at it ({altered.status})")

    run.step("A case is opened from the log with both of them on it. His record shows a knife attack on a "
             "former partner: considering disclosure to her becomes a task on the case (P5).")
    officer_id = officer.staff_id("officer")
    case = sergeant.do("POST", "/api/cases", {"kind": "crime", "title": "Assault by partner (DA)",
                                              "reference": ref, "officer_id": officer_id, "risk": "medium"}).body
    case_id = int(case["id"])
    officer.do("POST", f"/api/cases/{case_id}/people", {"person_id": her, "role": "victim"})
    officer.do("POST", f"/api/cases/{case_id}/people", {"person_id": him, "role": "suspect"})
    tasks = [d for d in _case(officer, case_id)["disclosures"] if d["victim_id"] == her and d["suspect_id"] == him]
    told = [n for n in officer.notifications() if n["safeguard"] == "P5" and n["kind"] == "disclosure_task"]
    if tasks and not tasks[0]["decided"] and told:
        run.intervened("P5", f"a disclosure task on case {case['reference']}, undecided, due "
                             f"{tasks[0]['due_at'][:10]}: {tasks[0]['history'][0]['text'][:90]}")
    else:
        run.fail("P5: his history made no disclosure task on the case")
        return
    disclosure = int(tasks[0]["id"])

    run.step("A supervisor bails him with a condition not to go to her address. A condition without its "
             "proportionality rationale is refused (P8); with it, it goes on the orders register.")
    bail = {"suspect_id": him, "text": "Not to contact Karen Whitlow or go to her address", "places": [HER_HOME],
            "review_on": _day(7), "end_on": _day(21)}
    sergeant.attempt("POST", f"/api/cases/{case_id}/bail", {**bail, "rationale": ""}, expect="P8", status=400)
    condition = sergeant.do("POST", f"/api/cases/{case_id}/bail", {
        **bail, "rationale": "She wants him out of the house; previous knife violence against a former partner "
                             "after a separation"}).body
    run.note(f"condition {condition['id']} on the register as order {condition['order_id']}; "
             f"she is to be told of it")

    run.step("An officer tells her of the bail by a text sent through email to a mistyped address. The update "
             "records the channel and waits for confirmation that never comes.")
    sent = officer.do("POST", f"/api/cases/{case_id}/updates", {
        "person_id": her, "kind": "bail_change", "channel": "text",
        "text": "He is bailed for three weeks: not to contact you or come to your address"}).body
    run.note(f"update {sent['id']}: {sent['outcome_label']}")

    run.step("No further action is decided: the bail ends. The case cannot close while the disclosure is "
             "undecided (P5).")
    officer.do("POST", f"/api/cases/{case_id}/bail/end", {"condition_id": condition["id"],
                                                          "reason": "Final review: no further action"})
    officer.attempt("POST", f"/api/cases/{case_id}/close", {"note": "No further action"}, expect="P5", status=409)

    run.step("An officer leaves her a voicemail that the bail conditions no longer apply. Nobody hears back: "
             "the voicemail is recorded as not acknowledged, and the officer is told to try her another way (P4).")
    vm = officer.do("POST", f"/api/cases/{case_id}/updates", {
        "person_id": her, "kind": "bail_change", "channel": "phone",
        "text": "Voicemail: no further action; he is no longer on bail and the conditions no longer apply"}).body
    officer.do("POST", f"/api/cases/{case_id}/deliveries", {"update_id": vm["id"], "outcome": "failed",
                                                            "failure": "voicemail_unacknowledged"})
    failed = [n for n in officer.notifications() if n["safeguard"] == "P4" and n["kind"] == "victim_update_failed"]
    if failed:
        run.intervened("P4", failed[0]["text"])
    else:
        run.fail("P4: the unacknowledged voicemail asked nobody to try another channel")

    run.step("The disclosure is decided and delivered in person, with the reason; the case can then close.")
    officer.do("POST", f"/api/cases/{case_id}/updates", {
        "person_id": her, "kind": "bail_change", "channel": "in_person",
        "text": "Visited: he is no longer on bail; safety plan made"})
    officer.do("POST", f"/api/cases/{case_id}/disclosures/decide", {
        "disclosure_id": disclosure, "decision": "disclose", "channel": "in_person",
        "delivered_at": (date.today()).isoformat() + "T00:00",
        "rationale": "He stabbed a former partner after she ended their relationship; she is separating from him"})
    officer.do("POST", f"/api/cases/{case_id}/close", {"note": "No further action; disclosure made in person"})


def case_7(run: Run, as_: Callable[[str], Actor]) -> None:
    """Getting bail conditions right."""
    handler, officer, sergeant, records = as_("handler"), as_("officer"), as_("supervisor"), as_("investigator")
    worker = person(records, "Neil", "Ashby", "1965-02-11")
    picket = person(records, "Tom", "Riordan", "1971-08-04")

    run.step("A man crossing a picket line feels threatened by a demonstrator, who is arrested, interviewed and "
             "bailed to appear in court.")
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_name": "Neil Ashby", "caller_phone": "07700 900731", "caller_age": 58,
                    "account": "A man on the picket line at the depot is threatening me as I go in to work."},
        "category": "public_order", "summary": "Threats at a picket line", "location": DEPOT,
        "second_call_reason": "The picket line report: a matter of its own"}).body["reference"]
    case = sergeant.do("POST", "/api/cases", {"kind": "crime", "title": "Threats at the depot picket line",
                                              "reference": ref, "officer_id": officer.staff_id("officer")}).body
    case_id = int(case["id"])
    officer.do("POST", f"/api/cases/{case_id}/people", {"person_id": worker, "role": "victim"})
    officer.do("POST", f"/api/cases/{case_id}/people", {"person_id": picket, "role": "suspect"})

    run.step("Bail conditions keep him from his own workplace and from any trade union activity. Set without a "
             "proportionality rationale, they are refused (P8).")
    wide = {"suspect_id": picket, "places": [DEPOT],
            "activities": ["No trade union activity", "Not to attend organised strike action"],
            "text": "Not to be at the depot (his workplace); no trade union activity or organised strike action "
                    "until the case finishes", "review_on": _day(14), "end_on": _day(90)}
    sergeant.attempt("POST", f"/api/cases/{case_id}/bail", {**wide, "rationale": " "}, expect="P8", status=400)
    first = sergeant.do("POST", f"/api/cases/{case_id}/bail", {
        **wide, "rationale": "To stop a repeat at the picket line while the case is heard"}).body

    run.step("Four days later his solicitor makes representations on proportionality. The conditions are "
             "amended: a new record naming the old one and the reason; the victim is to be told (P8, P4).")
    amended = sergeant.do("POST", f"/api/cases/{case_id}/bail/amend", {
        "condition_id": first["id"], "text": "Not to approach or contact Neil Ashby",
        "reason": "Solicitor's representations: the conditions were disproportionate",
        "rationale": "No previous convictions, no history of interfering with witnesses or offending on bail: "
                     "only the complainant needs protecting", "review_on": _day(14), "end_on": _day(90)}).body
    view = _case(officer, case_id)
    old: dict[str, Any] = next((b for b in view["bail"] if b["id"] == first["id"]), {})
    untold = [n for n in view["bail_notices"] if n["condition_id"] == amended["id"] and not n["told"]]
    if amended.get("amends_id") == first["id"] and old.get("state") == "amended" and old.get("text") == wide["text"] \
            and untold:
        run.intervened("P8", f"condition {first['id']} kept as it was (amended); condition {amended['id']} records "
                             f"why: {amended['reason']}; {untold[0]['person']} is to be told")
    else:
        run.fail("P8: the amendment did not keep the old condition and its reason, or the victim is not to be told")
    sergeant.attempt("POST", f"/api/cases/{case_id}/bail/amend", {
        "condition_id": first["id"], "text": "x", "reason": "Again", "rationale": "x",
        "review_on": _day(14), "end_on": _day(90)}, expect="P8", status=409)
    officer.do("POST", f"/api/cases/{case_id}/updates", {
        "person_id": worker, "kind": "bail_change", "channel": "phone",
        "text": "His bail conditions changed: he must not approach or contact you"})

    run.step("Three months after his arrest he is found not guilty: the condition ends and the case closes.")
    officer.do("POST", f"/api/cases/{case_id}/bail/end", {"condition_id": amended["id"],
                                                          "reason": "Found not guilty; case dismissed"})
    officer.do("POST", f"/api/cases/{case_id}/updates", {
        "person_id": worker, "kind": "bail_change", "channel": "phone",
        "text": "Found not guilty: his bail has ended and its conditions no longer apply"})
    officer.do("POST", f"/api/cases/{case_id}/close", {"note": "Not guilty; case dismissed"})
