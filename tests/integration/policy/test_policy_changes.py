"""Policy that cannot stop the control room: a change is validated on write, previewed against current data,
saved with a reason and one audit record, and any earlier version can be put back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.support.factories import raise_log
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import (
    current_policy,
    policy_versions,
    preview_policy,
    rollback_policy,
    set_policy,
)
from watchkeeper.core.errors import Forbidden, Invalid, NotFound, Refusal
from watchkeeper.core.models import PolicySetting
from watchkeeper.core.policy import DEFAULTS
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db

WINDOWS = {"repeat_caller": {"days": 28, "at_least": 3}, "repeat_address": {"days": 28, "at_least": 3},
           "repeat_victim": {"days": 365, "at_least": 2}}


def api(user: Any) -> Client:
    _, secret = issue_token(Actor(None), user.pk, "policy tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    call = getattr(client, method.lower())
    if method == "GET":
        return call(path)
    return call(path, data=json.dumps(body), content_type="application/json")


def snapshot() -> tuple[int, int]:
    return PolicySetting.objects.count(), AuditRecord.objects.count()


# ------------------------------------------------------------------------------ the issue's findings
ISSUE_PUTS = [
    ("categories", []),
    ("closing_codes", []),
    ("cue_disabled", {"no_such_family": ["knife"]}),
    ("repeat_windows", {**WINDOWS, "repeat_caller": "28"}),
    ("log_reference_format", "{seq.__class__.__mro__}"),
]


@pytest.mark.parametrize(("key", "value"), ISSUE_PUTS, ids=[k for k, _ in ISSUE_PUTS])
def test_one_administrators_put_cannot_store_what_stops_the_control_room(people: Any, key: str, value: Any) -> None:
    """Each of these was saved (200) and then broke raising, grading, closing, context or references."""
    client = api(people.admin)
    before = snapshot()
    response = send(client, "PUT", f"/api/policy/{key}", {"value": value, "reason": "Trying it"})
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["error"] == "refused" and key in body["message"]
    assert snapshot() == before
    assert current_policy()[key] == DEFAULTS[key]
    # The control room goes on working.
    log = raise_log(people.actor("handler"), category="theft")
    assert log.reference.count("-") == 1 and "class" not in log.reference


def test_the_reference_format_cannot_reach_attributes_but_a_safe_one_is_used(people: Any) -> None:
    admin = people.actor("admin")
    with pytest.raises(Invalid):
        set_policy(admin, "log_reference_format", "{date:%Y%m%d}-{seq.__class__.__mro__}", "Try it")
    set_policy(admin, "log_reference_format", "WK/{date:%Y%m%d}/{seq:05d}", "Force standard")
    log = raise_log(people.actor("handler"))
    assert log.reference.startswith("WK/") and log.reference.endswith("/00001")


def test_a_value_stored_before_its_key_had_a_schema_is_passed_over(people: Any) -> None:
    """Rows written by the old check (a string where the context lookup needs numbers) no longer reach a rule:
    the newest valid version, or the default, is in force."""
    PolicySetting.objects.create(key="repeat_windows", value={"repeat_caller": "28"}, changed_at="2026-01-01T00:00Z")
    assert current_policy()["repeat_windows"] == DEFAULTS["repeat_windows"]
    assert [v["in_force"] for v in policy_versions(people.actor("admin"), "repeat_windows")] == [False, True]
    windows = {**WINDOWS, "repeat_caller": {"days": 14, "at_least": 2}}
    set_policy(people.actor("admin"), "repeat_windows", windows, "Shorter window")
    assert current_policy()["repeat_windows"] == windows


def test_a_reason_is_required(people: Any) -> None:
    client = api(people.admin)
    before = snapshot()
    with pytest.raises(Invalid, match="reason"):
        set_policy(people.actor("admin"), "review_escalation_minutes", 20, "  ")
    response = send(client, "PUT", "/api/policy/review_escalation_minutes", {"value": 20, "reason": ""})
    assert response.status_code == 400
    assert snapshot() == before


def test_unknown_keys_and_bodies_that_are_not_json_objects_are_4xx(people: Any) -> None:
    client = api(people.admin)
    for method, path, body in [("PUT", "/api/policy/no_such_key", {"value": 1, "reason": "x"}),
                               ("POST", "/api/policy/no_such_key/preview", {"value": 1}),
                               ("GET", "/api/policy/no_such_key/versions", None),
                               ("POST", "/api/policy/no_such_key/rollback", {"version_id": 0, "reason": "x"}),
                               ("POST", "/api/policy/grades/rollback", {"version_id": "one", "reason": "x"}),
                               ("POST", "/api/policy/grades/rollback", {"version_id": 99999, "reason": "x"}),
                               ("POST", "/api/policy/grades/preview", {"value": "\x00"})]:
        response = send(client, method, path, body)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.content[:200])


# ------------------------------------------------------------------------------------------ preview
def test_preview_shows_open_logs_whose_policy_grade_would_move_and_writes_nothing(people: Any) -> None:
    handler = people.actor("handler")
    theft = raise_log(handler, category="theft")
    raise_log(handler, category="assault")
    rules = [{"name": "Any theft", "when": {"categories": ["theft"]}, "grade": "emergency"},
             *DEFAULTS["grade_rules"]]
    client = api(people.admin)
    before = snapshot()
    response = send(client, "POST", "/api/policy/grade_rules/preview", {"value": rules})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["changed"] and body["refused"] == [] and body["before"] == DEFAULTS["grade_rules"]
    [impact] = body["impacts"]
    assert impact["count"] == 1 and theft.reference in impact["message"] and not impact["blocking"]
    assert snapshot() == before


def test_removing_a_category_open_logs_use_is_refused_and_the_preview_says_which(people: Any) -> None:
    """Decided per key: a category, grade, flag or level an open log carries cannot disappear (the log could
    not be shown, re-proposed or edited against it); reclassify those logs first."""
    log = raise_log(people.actor("handler"), category="burglary")
    categories = [c for c in DEFAULTS["categories"] if c["code"] != "burglary"]
    admin = people.actor("admin")
    preview = preview_policy(admin, "categories", categories)
    assert preview["refused"] and log.reference in preview["refused"][0]
    before = snapshot()
    with pytest.raises(Refusal) as refused:
        set_policy(admin, "categories", categories, "Merge burglary into theft")
    assert refused.value.status == 409 and log.reference in refused.value.message
    assert snapshot() == before
    # A category nothing uses can go.
    unused = [c for c in DEFAULTS["categories"] if c["code"] != "alarm_activation"]
    assert preview_policy(admin, "categories", unused)["refused"] == []
    set_policy(admin, "categories", unused, "Alarms go to the alarm desk")


def test_removing_a_grade_open_logs_carry_is_refused(people: Any) -> None:
    raise_log(people.actor("handler"), category="domestic_incident", flags=["domestic_abuse"])
    admin = people.actor("admin")
    grades = [g for g in DEFAULTS["grades"] if g["code"] != "priority"]
    rules = [r for r in DEFAULTS["grade_rules"] if r["grade"] != "priority"]
    set_policy(admin, "response_targets", {"emergency": {"urban": 15, "rural": 20}}, "Only emergencies timed")
    set_policy(admin, "grade_rules", rules, "No priority rules")
    with pytest.raises(Refusal, match="priority"):
        set_policy(admin, "grades", grades, "No priority grade")


def test_removing_a_closing_code_ended_logs_used_is_shown_not_refused(people: Any) -> None:
    """A closed log keeps the outcome it was closed with; the preview says how many carry it."""
    from watchkeeper.incidents import actions
    from watchkeeper.incidents.models import Log

    log = raise_log(people.actor("handler"), category="theft")
    actions.close_log(people.actor("handler"), log.reference, code="advice_given",
                      acknowledged_through=Log.objects.get(pk=log.pk).last_seq)
    codes = [c for c in DEFAULTS["closing_codes"] if c["code"] != "advice_given"]
    preview = preview_policy(people.actor("admin"), "closing_codes", codes)
    assert preview["refused"] == [] and preview["impacts"][0]["count"] == 1
    set_policy(people.actor("admin"), "closing_codes", codes, "Advice is recorded as no further action")


# ----------------------------------------------------------------------------------------- rollback
def test_rollback_writes_a_new_version_equal_to_an_earlier_one(people: Any) -> None:
    admin = people.actor("admin")
    first = set_policy(admin, "task_escalation_minutes", 20, "Tighter")
    set_policy(admin, "task_escalation_minutes", 90, "Looser")
    client = api(people.admin)
    listed = send(client, "GET", "/api/policy/task_escalation_minutes/versions").json()["versions"]
    assert [v["value"] for v in listed] == [90, 20, DEFAULTS["task_escalation_minutes"]]
    assert listed[0]["in_force"] and listed[-1]["id"] == 0
    audited = AuditRecord.objects.count()
    response = send(client, "POST", "/api/policy/task_escalation_minutes/rollback",
                    {"version_id": first.pk, "reason": "Looser was a mistake"})
    assert response.status_code == 200, response.content[:300]
    assert response.json()["rolled_back_from"] == first.pk
    assert current_policy()["task_escalation_minutes"] == 20
    assert PolicySetting.objects.filter(key="task_escalation_minutes").count() == 3  # nothing deleted
    [record] = AuditRecord.objects.filter(pk__gt=0).order_by("-seq")[:AuditRecord.objects.count() - audited]
    assert record.action == "policy.rolled_back" and record.before == 90 and record.after == 20
    assert f"version {first.pk}" in record.reason and "Looser was a mistake" in record.reason
    # Back to the default (version 0), also a new row.
    rollback_policy(admin, "task_escalation_minutes", 0, "Back to the standard")
    assert current_policy()["task_escalation_minutes"] == DEFAULTS["task_escalation_minutes"]
    assert PolicySetting.objects.filter(key="task_escalation_minutes").count() == 4


def test_rollback_is_validated_again_against_todays_schema_and_data(people: Any) -> None:
    """A version that was valid when written but is not now (here: one stored before the schema, and one
    that would remove a category an open log now uses) is refused, and nothing is written."""
    admin = people.actor("admin")
    legacy = PolicySetting.objects.create(key="categories", value=[], changed_at="2026-01-01T00:00Z")
    before = snapshot()
    with pytest.raises(Invalid):
        rollback_policy(admin, "categories", legacy.pk, "Restore")
    assert snapshot() == before
    with_alarm = current_policy()["categories"]
    set_policy(admin, "categories", [c for c in with_alarm if c["code"] != "public_order"], "Not ours")
    set_policy(admin, "categories", with_alarm, "Ours again")
    older = PolicySetting.objects.filter(key="categories").exclude(pk=legacy.pk).order_by("id").first()
    assert older is not None
    raise_log(people.actor("handler"), category="public_order")
    before = snapshot()
    with pytest.raises(Refusal, match="public_order"):
        rollback_policy(admin, "categories", older.pk, "Back")
    assert snapshot() == before
    with pytest.raises(NotFound):
        rollback_policy(admin, "grades", older.pk, "A version of another key")


# ---------------------------------------------------------------------------------------- permission
@pytest.mark.parametrize("who", ["handler", "supervisor", "controller", "inspector", "learning"])
def test_only_administrators_preview_list_change_or_roll_back(people: Any, who: str) -> None:
    actor = people.actor(who)
    for call in (lambda: set_policy(actor, "task_escalation_minutes", 20, "x"),
                 lambda: preview_policy(actor, "task_escalation_minutes", 20),
                 lambda: policy_versions(actor, "task_escalation_minutes"),
                 lambda: rollback_policy(actor, "task_escalation_minutes", 0, "x")):
        with pytest.raises(Forbidden):
            call()
    client = api(getattr(people, who))
    for method, path, body in [("PUT", "/api/policy/grades", {"value": DEFAULTS["grades"], "reason": "x"}),
                               ("POST", "/api/policy/grades/preview", {"value": DEFAULTS["grades"]}),
                               ("GET", "/api/policy/grades/versions", None),
                               ("POST", "/api/policy/grades/rollback", {"version_id": 0, "reason": "x"})]:
        assert send(client, method, path, body).status_code == 403
    assert not PolicySetting.objects.exists()
    assert send(client, "GET", "/api/policy").status_code == 200  # everyone reads the policy in force


# ---------------------------------------------------------------------------------------------- page
def test_the_policy_page_edits_previews_saves_and_rolls_back(people: Any) -> None:
    client = Client()
    client.force_login(people.admin)
    index = client.get("/policy/")
    assert index.status_code == 200 and b"log_reference_format" in index.content
    page = "/policy/review_escalation_minutes/"
    bad = client.post(page, {"step": "preview", "value": '"fifteen"'})
    assert bad.status_code == 400 and b"review_escalation_minutes" in bad.content
    not_json = client.post(page, {"step": "preview", "value": "{"})
    assert not_json.status_code == 400 and b"not JSON" in not_json.content
    preview = client.post(page, {"step": "preview", "value": "25"})
    assert preview.status_code == 200 and b"Preview" in preview.content and b"Save this version" in preview.content
    assert not PolicySetting.objects.exists()
    no_reason = client.post(page, {"step": "save", "value": "25", "reason": ""})
    assert no_reason.status_code == 400 and not PolicySetting.objects.exists()
    saved = client.post(page, {"step": "save", "value": "25", "reason": "Reviewers asked"})
    assert saved.status_code == 302 and current_policy()["review_escalation_minutes"] == 25
    shown = client.get(saved["Location"])
    assert b"Reviewers asked" in shown.content and b"In force" in shown.content
    back = client.post(page, {"step": "rollback", "version_id": "0", "reason": "Standard again"})
    assert back.status_code == 302
    assert current_policy()["review_escalation_minutes"] == DEFAULTS["review_escalation_minutes"]
    assert list(AuditRecord.objects.filter(action__startswith="policy.").values_list("action", flat=True)
                .order_by("seq")) == ["policy.changed", "policy.rolled_back"]


def test_the_policy_page_is_for_administrators_only(people: Any) -> None:
    client = Client()
    client.force_login(people.supervisor)
    assert client.get("/policy/").status_code == 403
    assert client.post("/policy/grades/", {"step": "save", "value": "[]", "reason": "x"}).status_code == 403
    assert not PolicySetting.objects.exists()
