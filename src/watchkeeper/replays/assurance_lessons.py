"""Bulletin 31, case 4 acted out for the access audit (A2): an officer in charge of a case against a woman
marked as a vulnerable victim of domestic abuse calls her again and again, emails her and looks at her record.
His case justifies looking at her record, so the rules about unjustified views stay quiet; the volume of
contact is more than any case needs, and professional standards see it (only they do)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from watchkeeper.replays.engine import Actor, Run
from watchkeeper.replays.issue41 import person


def _flags(standards: Actor, username: str, person_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = standards.do("GET", "/api/assurance/anomalies?state=open").body
    return [f for f in rows if f["person_id"] == person_id and f["user"] == username]


def case_4(run: Run, as_: Callable[[str], Actor]) -> None:
    """Abuse of position."""
    records, supervisor, officer, standards = as_("investigator"), as_("supervisor"), as_("officer"), as_("standards")
    officer_id = supervisor.staff_id("officer")
    start = datetime.now(UTC) - timedelta(days=20)

    run.step("Her record carries a warning marker: a victim of domestic abuse, and so vulnerable.")
    her = person(records, "Dawn", "Carver", "1984-05-17")
    review = (datetime.now(UTC) + timedelta(days=90)).date().isoformat()
    records.do("POST", "/api/markers", {"person_id": her, "kind": "domestic_abuse_victim", "review_at": review,
                                        "source": "Disclosed at interview: abuse by her former partner"})

    run.step("The officer is in charge of the investigation of her alleged assault on her ex-partner and two "
             "others; she is a suspect on his case (P1).")
    case_id = int(supervisor.do("POST", "/api/cases", {
        "kind": "crime", "title": "Assault on a former partner and two others", "officer_id": officer_id}).body["id"])
    officer.do("POST", f"/api/cases/{case_id}/people", {"person_id": her, "role": "suspect"})

    run.step("At the voluntary interview she discloses domestic abuse by her ex-partner; the officer looks at her "
             "record, saying why (A2: every view audited with its purpose).")
    officer.do("GET", f"/api/people/{her}?purpose=Voluntary interview on the assault case")

    run.step("The same day she rings him: abusive calls from her ex-partner. He records her as a victim on his "
             "case and logs the call (P3).")
    officer.do("POST", f"/api/cases/{case_id}/people", {"person_id": her, "role": "victim"})
    officer.do("POST", f"/api/cases/{case_id}/contacts", {
        "person_id": her, "channel": "phone", "summary": "She reports abusive calls from her ex-partner",
        "at": start.isoformat()})

    run.step("He calls her personal phone six times over the next three weeks, each call logged on her case as "
             "contact with a victim must be; only the first is about the case.")
    for i in range(6):
        officer.do("POST", f"/api/cases/{case_id}/contacts", {
            "person_id": her, "channel": "phone",
            "summary": "How she is managing before the trial" if i == 0 else "Welfare call",
            "at": (start + timedelta(days=1 + 3 * i)).isoformat()})
    run.step("His first email is about her case and is logged; the exchanges that follow go through his work "
             "email, which no rule here reads.")
    officer.do("POST", f"/api/cases/{case_id}/contacts", {
        "person_id": her, "channel": "email", "summary": "Trial arrangements",
        "at": (start + timedelta(days=19)).isoformat()})

    run.step("He looks at her record twice more while in contact with her: three views in all.")
    for _ in range(2):
        officer.do("GET", f"/api/people/{her}?purpose=Assault case")

    run.step("The anomaly rules run (nightly, or now by professional standards). His case justifies looking at "
             "her record; it does not justify that much contact.")
    done = standards.do("POST", "/api/assurance/anomalies/run").body
    run.note(f"run: {done.get('scanned')} audit records read, {done.get('flagged')} new flags")
    flags = _flags(standards, "officer", her)
    volume = [f for f in flags if f["rule"] == "high_contact"]
    unjustified = [f for f in flags if f["rule"] != "high_contact"]
    if volume:
        run.intervened("A2", f"flagged to professional standards: {volume[0]['detail']}")
    else:
        run.fail(f"A2: no high_contact flag for the officer's contact with her ({[f['rule'] for f in flags]})")
    if unjustified:
        run.fail(f"A2: his case justifies his views of her record, yet flagged: {[f['rule'] for f in unjustified]}")

    run.step("The officer cannot see the queue or learn that he is flagged.")
    seen = officer.driver.call("officer", "GET", "/api/assurance/anomalies")
    if seen.ok:
        run.fail("the officer flagged could read professional standards' queue")
    else:
        run.note(f"the queue refused him: {seen.status}")

    if volume:
        run.step("Professional standards open a case on the flag and record its outcome.")
        flag_id = volume[0]["id"]
        standards.do("POST", f"/api/assurance/anomalies/{flag_id}/case",
                     {"note": "Contact with a vulnerable victim far beyond what his case needs"})
        standards.do("POST", f"/api/assurance/anomalies/{flag_id}/outcome",
                     {"outcome": "misconduct", "note": "Case to answer for gross misconduct"})
