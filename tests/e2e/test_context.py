"""People, places and call-time context in a real browser: the context pane filling as the handler types
(C1) with an ex-partner's firearms marker and a lapsed special scheme, the D5 grade floor beside the grade,
risk-cue prompts arriving live and decided (C3), checks recorded (C5), people put on a log, and person,
address and phone pages opened only with a purpose (A2). Set-up goes through the API with the seeded tokens;
what is under test happens in the browser. Every new page passes axe-core."""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import LIVE_WAIT_MS, Api, People, Shot, post, raise_log, run_axe
from tests.support.live import Server

pytestmark = pytest.mark.e2e


# ------------------------------------------------------------------------------------------- set-up
def _post(api: Api, who: str, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    return post(api, who, path, body, status)


def _person(api: Api, given: str, family: str, dob: str | None = None) -> int:
    return int(_post(api, "handler", "/api/people", {"given_names": given, "family_name": family, "dob": dob})["id"])


def _marker(api: Api, kind: str, source: str, **on: Any) -> None:
    review = (date.today() + timedelta(days=90)).isoformat()
    _post(api, "investigator", "/api/markers", {"kind": kind, "source": source, "review_at": review, **on})


def _scheme(api: Api, victim: int, ends_at: datetime | None = None, **on: str) -> int:
    body: dict[str, Any] = {"victim_id": victim, "reason": "Repeat domestic abuse; ex-partner has made threats",
                            "victim_told_how": "In person by DC Hughes", **on}
    if ends_at is not None:
        body["ends_at"] = ends_at.isoformat()
    return int(_post(api, "investigator", "/api/schemes", body)["id"])


def _wait_until_overdue(api: Api, phone: str) -> None:
    """Wait (a bounded wait, not an assertion) until the server itself says the scheme has passed its end."""
    end = time.monotonic() + LIVE_WAIT_MS / 1000
    while time.monotonic() < end:
        with api("investigator") as c:
            schemes = c.get("/api/context", params={"phone": phone, "purpose": "test set-up"}).json()["schemes"]
        if schemes and schemes[0]["state"] == "review_overdue":
            return
        time.sleep(0.5)
    raise AssertionError(f"the scheme on {phone} did not reach its end")


def _audit_reasons(server: Server, action: str, object_id: str) -> list[str]:
    """What the audit trail records as the reason for an action on an object, read from the server's DB."""
    sql = "SELECT reason FROM audit_auditrecord WHERE action = %s AND object_id = %s ORDER BY seq"
    url = server.db_url
    if url.startswith("sqlite"):
        with sqlite3.connect(urlparse(url).path) as conn:
            return [r[0] for r in conn.execute(sql.replace("%s", "?"), (action, object_id))]
    import psycopg

    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(sql, (action, object_id)).fetchall()]


def _assert_accessible(page: Page, name: str) -> None:
    violations = run_axe(page)
    assert violations == [], f"{name}: " + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"] for n in v["nodes"])
        for v in violations
    )


# -------------------------------------------------------------------------------------------- tests
@pytest.mark.safeguard("C1", "M2", "M1")
def test_typing_a_phone_number_shows_an_ex_partners_firearms_marker_and_an_overdue_scheme_still_in_force(
    people: People, api: Api, shot: Shot
) -> None:
    phone = "07700 900461"
    victim = _person(api, "Leanne", "Marsh", "1991-03-14")
    ex = _person(api, "Darren", "Cole", "1987-11-02")
    _post(api, "handler", f"/api/people/{victim}/phones", {"phone": phone})
    _post(api, "handler", f"/api/people/{victim}/relationships", {"other_id": ex, "kind": "ex_partner"})
    _marker(api, "firearms", "Intelligence report 4471: keeps a shotgun at his mother's", person_id=ex)
    _marker(api, "domestic_abuse_victim", "MARAC referral", person_id=victim)
    _scheme(api, victim, ends_at=datetime.now(UTC) + timedelta(seconds=3), phone=phone)
    _wait_until_overdue(api, phone)

    page = people.page("handler")
    page.goto("/new/")
    expect(page.get_by_role("heading", name="New contact")).to_be_visible()
    page.get_by_label("Channel").select_option("999")
    page.get_by_label("Caller phone").press_sequentially(phone)

    pane = page.locator("#ctx-live")
    # The ex-partner, with *their* firearms marker, before anything is graded (C1).
    linked = pane.locator("#ctx-linked")
    expect(linked).to_contain_text("Ex-partner")
    expect(linked).to_contain_text("Darren Cole")
    expect(linked.locator(".badge.mk-firearms")).to_contain_text("Firearms")
    # The victim is found by the number, with her own marker.
    expect(pane).to_contain_text("Leanne Marsh")
    expect(pane.locator("#ctx-markers .badge.mk-domestic_abuse_victim")).to_contain_text("Domestic abuse victim")
    # The special scheme on the number passed its end date and nobody decided: it never lapses silently, it
    # is in force as REVIEW OVERDUE (M2, issue 10), and its floor still applies beside the policy grade (D5).
    scheme = pane.locator("#ctx-schemes .scheme-review_overdue")
    expect(scheme.locator(".badge.mk-scheme")).to_contain_text("REVIEW OVERDUE")
    expect(scheme).to_contain_text("without a decision")
    expect(page.locator("#d5-slot")).to_contain_text("graded no lower than Emergency")
    # Still on the call-taking screen: nothing has been raised or graded yet.
    assert page.url.endswith("/new/")
    shot(page, "context-panel")
    _assert_accessible(page, "new contact with the context pane filled")


@pytest.mark.safeguard("D5", "C1")
def test_an_active_scheme_shows_its_grade_floor_while_typing_and_beside_the_grade_control(
    people: People, api: Api
) -> None:
    victim = _person(api, "Amira", "Haddad", "1984-06-30")
    _scheme(api, victim, address="14 Orchard Close, Kingsbridge TQ7 1AB")

    page = people.page("handler")
    page.goto("/new/")
    page.get_by_label("Location").press_sequentially("14 Orchard Close TQ7 1AB")
    floor = "Special scheme: graded no lower than Emergency (D5)"
    expect(page.locator("#d5-slot")).to_contain_text(floor)
    expect(page.locator("#ctx-live #ctx-schemes .scheme-active")).to_contain_text("Amira Haddad")

    with api("handler") as c:
        r = c.post("/api/logs", json={
            "contact": {"channel": "999", "account": "Caller says someone is banging on the door.",
                        "caller_name": "Amira Haddad", "caller_phone": "07700 900462"},
            "category": "suspicious_circumstances", "summary": "Banging on the door",
            "location": "14 Orchard Close, Kingsbridge TQ7 1AB",
        })
        assert r.status_code == 201, r.text
        ref = r.json()["reference"]
    page.goto(f"/logs/{ref}/")
    grade = page.locator("#grade")
    expect(grade.locator("#d5-floor")).to_contain_text(floor)
    expect(grade.get_by_label(re.compile(r"^Grade"))).to_have_attribute("aria-describedby", "d5-floor")


@pytest.mark.safeguard("C3")
def test_a_risk_cue_prompt_arrives_live_is_accepted_and_another_is_dismissed_with_a_reason(
    people: People, api: Api, shot: Shot
) -> None:
    ref = raise_log(api, "handler", "Disturbance at a house")
    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    expect(page.locator("#prompts")).to_be_visible()
    page.evaluate("() => { window.__sameDocument = true; }")

    # Someone else adds what the caller said; the domestic-abuse cue arrives as a live prompt.
    _post(api, "handler2", f"/api/logs/{ref}/entries",
          {"text": "Caller says her ex-partner punched her and is threatening to kill her."})
    prompt = page.locator("#prompts li.prompt-open", has_text="domestic abuse")
    expect(prompt).to_be_visible()
    expect(prompt.locator("a.sg")).to_contain_text("C3")
    assert page.evaluate("() => window.__sameDocument === true")

    prompt.get_by_role("button", name="Accept: reclassify as Domestic incident").click()
    # Accepted and recorded; the log is reclassified and its header follows live.
    expect(page.locator("#prompts li.prompt-accepted", has_text="domestic abuse")).to_contain_text("Accepted by")
    expect(page.locator(".log-summary")).to_contain_text("Domestic incident")
    expect(page.locator(".log-head .badge.flag")).to_contain_text("Domestic abuse")

    _post(api, "handler2", f"/api/logs/{ref}/entries", {"text": "He has a knife in his hand."})
    weapon = page.locator("#prompts li.prompt-open", has_text="Weapon")
    expect(weapon).to_be_visible()
    weapon.get_by_label("Reason to dismiss").fill("It is a kitchen knife; he is cooking and made no threat")
    weapon.get_by_role("button", name="Dismiss").click()
    dismissed = page.locator("#prompts li.prompt-dismissed", has_text="Weapon")
    expect(dismissed).to_contain_text("Dismissed by")
    expect(dismissed).to_contain_text("It is a kitchen knife; he is cooking and made no threat")
    expect(page.locator("#narrative")).to_contain_text("C3 prompt dismissed")
    shot(page, "log-prompts")
    _assert_accessible(page, "log with prompts and checks")


@pytest.mark.safeguard("C3")
def test_dismissing_a_prompt_without_a_reason_is_refused_beside_it(people: People, api: Api) -> None:
    ref = raise_log(api, "handler", "Argument in a car park")
    _post(api, "handler", f"/api/logs/{ref}/entries", {"text": "He has a knife in his hand."})
    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    weapon = page.locator("#prompts li.prompt-open", has_text="Weapon")
    # The browser would stop an empty reason; a reason of spaces reaches the server and is refused there.
    weapon.get_by_label("Reason to dismiss").fill("   ")
    weapon.get_by_role("button", name="Dismiss").click()
    refused = page.locator("#prompts li.prompt-open", has_text="Weapon").locator(".refusal")
    expect(refused).to_contain_text("reason")
    expect(page.locator("#prompts li.prompt-open", has_text="Weapon")).to_be_visible()


@pytest.mark.safeguard("C5")
def test_checks_are_recorded_and_any_number_mentioned_can_be_checked(people: People, api: Api) -> None:
    ref = raise_log(api, "handler", "Woman hurt by partner", category="domestic_incident")
    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    checks = page.locator("#checks")
    local = checks.locator("li.check-outstanding", has_text="Local intelligence")
    expect(local).to_be_visible()
    local.get_by_label("Result, or why it was not possible").fill("Two previous reports of threats, 2025")
    local.get_by_label("System").fill("Local intel")
    local.get_by_role("button", name="Record result").click()
    done = page.locator("#checks li.check-done", has_text="Local intelligence")
    expect(done).to_contain_text("Two previous reports of threats, 2025")

    national = page.locator("#checks li.check-outstanding", has_text="National systems")
    national.get_by_label("Result, or why it was not possible").fill("PNC unavailable: system outage")
    national.get_by_role("button", name="Not possible").click()
    expect(page.locator("#checks li.check-not_possible", has_text="National systems")).to_contain_text(
        "PNC unavailable")

    # C5: a number the caller mentions is checked too, not only the caller's.
    page.locator("#checks summary", has_text="Check someone or something else").click()
    # A live refresh arriving while the form is open (someone else adds an entry that raises a prompt) does
    # not shut it.
    _post(api, "handler2", f"/api/logs/{ref}/entries", {"text": "He has a knife in his hand."})
    expect(page.locator("#prompts li.prompt-open", has_text="Weapon")).to_be_visible()
    expect(page.locator("#check-other")).to_have_attribute("open", "")
    form = page.locator("#checks form", has=page.get_by_label("On whom or what"))
    form.get_by_label("Check", exact=True).select_option("previous_incidents_phone")
    form.get_by_label("On whom or what").fill("The number her ex-partner rang from")
    form.get_by_label("Phone number").fill("07700 900463")
    form.get_by_role("button", name="Add check").click()
    expect(page.locator("#checks li.check-outstanding", has_text="The number her ex-partner rang from")).to_be_visible()
    expect(page.locator("#narrative")).to_contain_text("Check requested")


@pytest.mark.safeguard("A2", "C8", "C1")
def test_a_person_is_put_on_a_log_and_their_page_opens_only_with_a_purpose(
    people: People, api: Api, server: Server, shot: Shot
) -> None:
    victim = _person(api, "Sophie", "Turner", "1995-09-21")
    _marker(api, "vulnerability", "Adult social care referral", person_id=victim)
    earlier = raise_log(api, "handler", "Earlier report from Sophie")
    _post(api, "handler", f"/api/logs/{earlier}/parties", {"role": "victim", "person_id": victim})
    ref = raise_log(api, "handler", "Shouting heard from a flat")

    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    parties = page.locator("#parties")
    parties.get_by_text("Add a person, phone or place").click()
    parties.get_by_label("Role").select_option("victim")
    parties.get_by_label("Find a person by name").press_sequentially("Sofie Turner")
    match = parties.get_by_role("radio", name=re.compile(r"Sophie Turner"))
    expect(match).to_be_visible()
    match.check()
    parties.get_by_role("button", name="Add to the log").click()
    row = page.locator("#parties li.party", has_text="Sophie Turner")
    expect(row).to_contain_text("Victim")
    expect(row.locator(".badge.mk-vulnerability")).to_contain_text("Vulnerability")

    row.get_by_role("link", name="Sophie Turner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why are you looking?")
    _assert_accessible(page, "purpose form")
    expect(page.get_by_role("radio", name="A caller or party on a log I am handling")).to_be_checked()
    expect(page.get_by_label(re.compile(r"^Details"))).to_have_value(f"log {ref}")
    page.get_by_label(re.compile(r"^Details")).fill(f"log {ref}: checking her history before deployment")
    page.get_by_role("button", name="Open").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sophie Turner")
    expect(page.locator(".subject-badges .badge.mk-vulnerability")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(ref)
    expect(timeline).to_contain_text(earlier)
    # A2: the view is audited with the purpose the viewer gave.
    reasons = _audit_reasons(server, "person.viewed", str(victim))
    assert any(f"log {ref}: checking her history before deployment" in r for r in reasons), reasons
    shot(page, "person")
    _assert_accessible(page, "person page")


@pytest.mark.safeguard("M1", "M2", "M4")
def test_an_investigator_manages_markers_and_a_scheme_on_the_person_page(people: People, api: Api) -> None:
    victim = _person(api, "Grace", "Okafor", "1979-01-05")
    _post(api, "handler", f"/api/people/{victim}/residences", {"address": "3 Mill Lane, Kingsbridge TQ7 2DE"})
    scheme = _scheme(api, victim, address="3 Mill Lane, Kingsbridge TQ7 2DE")

    page = people.page("investigator")
    page.goto(f"/people/{victim}/?reason=review&detail=scheme+review")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Okafor")

    markers = page.locator("#markers")
    markers.get_by_text("Add a marker").click()
    markers.get_by_label("Kind").select_option("mental_health")
    markers.get_by_label(re.compile(r"^Source")).fill("Crisis team letter, May")
    markers.get_by_label("Review by").fill((date.today() + timedelta(days=60)).isoformat())
    markers.get_by_role("button", name="Add marker").click()
    expect(page.locator("#markers .badge.mk-mental_health")).to_be_visible()
    page.locator("#markers summary", has_text="End this marker").first.click()
    page.locator("#markers").get_by_label("Why it ends").first.fill("Discharged by the crisis team")
    page.locator("#markers").get_by_role("button", name="End marker").first.click()
    expect(page.locator("#markers .badge.mk-mental_health.ended")).to_contain_text("ended")

    # M2: removal without a recorded contact attempt is refused, naming M2, beside the form.
    row = page.locator(f"#scheme-{scheme}")
    expect(row.locator(".badge.mk-scheme")).to_contain_text("active")
    row.locator("summary", has_text="Remove the scheme").click()
    row.get_by_label("Why it is removed").fill("Victim has moved away")
    row.get_by_role("button", name="Remove scheme").click()
    row = page.locator(f"#scheme-{scheme}")
    expect(row.locator(".refusal")).to_contain_text("M2")
    row.locator("summary", has_text="Record an attempt to contact the victim").click()
    row.get_by_label("How", exact=True).fill("Phone call")
    row.get_by_label("What happened").fill("Confirmed she has moved to another force area")
    row.get_by_label("The victim was reached").check()
    row.get_by_role("button", name="Record attempt").click()
    row = page.locator(f"#scheme-{scheme}")
    row.locator("summary", has_text="Remove the scheme").click()
    row.get_by_label("Why it is removed").fill("Victim has moved away")
    row.get_by_role("button", name="Remove scheme").click()
    expect(page.locator(f"#scheme-{scheme} .badge.mk-scheme")).to_contain_text("REMOVED")
    expect(page.locator(f"#scheme-{scheme}")).to_contain_text("Victim has moved away")

    certificates = page.locator("#certificates")
    certificates.get_by_text("Add a certificate").click()
    certificates.get_by_label("Certificate number").fill("FAC-22/1987")
    certificates.get_by_label("Where the guns are kept").fill("3 Mill Lane, Kingsbridge TQ7 2DE")
    certificates.get_by_label("Expires").fill((date.today() + timedelta(days=400)).isoformat())
    certificates.get_by_role("button", name="Add certificate").click()
    expect(page.locator("#certificates")).to_contain_text("FAC-22/1987")
    _assert_accessible(page, "person page (investigator)")

    # The address page: asked why, then its scheme history and certificate holder.
    page.locator("#places").get_by_role("link", name=re.compile("3 Mill Lane")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why are you looking?")
    page.get_by_role("radio", name="Reviewing a marker, scheme or order").check()
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("3 Mill Lane")
    expect(page.locator("#schemes .badge.mk-scheme")).to_contain_text("REMOVED")
    expect(page.locator("#firearms")).to_contain_text("Grace Okafor")
    _assert_accessible(page, "address page")


@pytest.mark.safeguard("C1", "A2")
def test_the_people_search_asks_why_and_finds_a_phone(people: People, api: Api) -> None:
    owner = _person(api, "Callum", "Reid")
    _post(api, "handler", f"/api/people/{owner}/phones", {"phone": "07700 900464"})
    page = people.page("handler")
    page.goto("/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People, phones and places")
    page.get_by_label("Phone", exact=True).press_sequentially("07700900464")
    results = page.locator("#search-results")
    expect(results.locator(".refusal")).to_contain_text("Say why you are looking")
    page.get_by_role("radio", name="Safeguarding or risk assessment").check()
    expect(results).to_contain_text("Callum Reid")
    _assert_accessible(page, "people search")

    with page.context.expect_page() as opened:  # opened beside the search, which keeps what was typed
        results.get_by_role("link", name=re.compile(r"\+447700900464")).click()
    phone_page = opened.value
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Why are you looking?")
    phone_page.get_by_role("radio", name="Safeguarding or risk assessment").check()
    phone_page.get_by_role("button", name="Open").click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("+447700900464")
    expect(phone_page.locator("#users")).to_contain_text("Callum Reid")
    _assert_accessible(phone_page, "phone page")


def test_adding_someone_new_to_a_log_creates_them_in_the_index(people: People, api: Api) -> None:
    ref = raise_log(api, "handler", "Neighbour dispute")
    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    parties = page.locator("#parties")
    parties.get_by_text("Add a person, phone or place").click()
    parties.get_by_label("Role").select_option("witness")
    parties.get_by_label("Find a person by name").press_sequentially("Priya Natarajan")
    expect(parties.locator("#pt-matches")).to_contain_text("No one known by that name")
    parties.get_by_role("radio", name=re.compile("Someone new")).check()
    parties.get_by_label("Phone", exact=True).fill("07700 900465")
    parties.get_by_role("button", name="Add to the log").click()
    row = page.locator("#parties li.party", has_text="Priya Natarajan")
    expect(row).to_contain_text("Witness")
    expect(row).to_contain_text("+447700900465")
    expect(page.locator("#narrative")).to_contain_text("Witness added: Priya Natarajan")


@pytest.mark.safeguard("M2", "M3")
def test_an_overdue_scheme_is_extended_and_an_order_protecting_a_class_is_added_on_the_person_page(
    people: People, api: Api
) -> None:
    phone = "07700 900468"
    victim = _person(api, "Hana", "Price", "1990-02-11")
    _post(api, "handler", f"/api/people/{victim}/phones", {"phone": phone})
    scheme = _scheme(api, victim, ends_at=datetime.now(UTC) + timedelta(seconds=3), phone=phone)
    _wait_until_overdue(api, phone)

    page = people.page("investigator")
    page.goto(f"/people/{victim}/?reason=review&detail=scheme+review")
    row = page.locator(f"#scheme-{scheme}")
    # M2: past its end without a decision it is in force, REVIEW OVERDUE, its floor still applying.
    expect(row.locator(".badge.mk-scheme")).to_contain_text("REVIEW OVERDUE")
    expect(row).to_contain_text("graded no lower than")
    row.locator("summary", has_text="Extend the scheme").click()
    row.get_by_label("New end").fill((datetime.now() + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M"))
    row.get_by_label("Why it is extended").fill("Ex-partner released on licence next month")
    row.get_by_role("button", name="Extend scheme").click()
    row = page.locator(f"#scheme-{scheme}")
    expect(row.locator(".refusal")).to_contain_text("M2")  # more than the maximum from now; the form stays open
    row.get_by_label("New end").fill((datetime.now() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"))
    row.get_by_label("Why it is extended").fill("Ex-partner released on licence next month")
    row.get_by_role("button", name="Extend scheme").click()
    expect(page.locator(f"#scheme-{scheme} .badge.mk-scheme")).to_contain_text("active")
    _assert_accessible(page, "person page with an extended scheme")

    # M3: an order on her ex-partner protecting anyone under 16, and an activity.
    ex = _person(api, "Carl", "Dunn", "1985-07-19")
    page.goto(f"/people/{ex}/?reason=review&detail=adding+his+order")
    orders = page.locator("#orders")
    orders.get_by_text(re.compile("^Add an order restricting")).click()
    orders.get_by_label("Kind").select_option("sexual_harm_prevention")
    orders.get_by_label("Conditions").fill("No unsupervised contact with any child under 16")
    orders.get_by_label("From").fill(date.today().isoformat())
    orders.get_by_label(re.compile("^Anyone under")).fill("16")
    orders.get_by_label(re.compile("^Restricted activities")).fill("No unsupervised internet use")
    orders.get_by_role("button", name="Add order").click()
    expect(page.locator("#orders")).to_contain_text("anyone under 16")
    expect(page.locator("#orders")).to_contain_text("No unsupervised internet use")
    _assert_accessible(page, "person page with an order protecting a class")
