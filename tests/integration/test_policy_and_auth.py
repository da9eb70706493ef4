"""Policy is configuration (changed by administrators, audited, history kept); sign-in is Argon2 and
throttled."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.factories import raise_log
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.config import current_policy, set_policy
from watchkeeper.core.errors import Forbidden, Invalid
from watchkeeper.core.models import PolicySetting

pytestmark = pytest.mark.django_db


@pytest.mark.safeguard("C4")
def test_grading_rules_are_configurable_data_and_changes_are_audited(people):
    admin = people.actor("admin")
    rules = current_policy()["grade_rules"]
    new_rules = [{"name": "Any theft", "when": {"categories": ["theft"]}, "grade": "priority"}, *rules]
    set_policy(admin, "grade_rules", new_rules, reason="Force decision 12/2026")
    log = raise_log(people.actor("handler"), category="theft")
    assert log.proposed_grade == "priority"
    assert PolicySetting.objects.filter(key="grade_rules").count() == 1
    rec = AuditRecord.objects.filter(action="policy.changed").get()
    assert rec.reason == "Force decision 12/2026" and rec.before == rules


def test_policy_changes_are_validated_and_restricted(people):
    with pytest.raises(Forbidden):
        set_policy(people.actor("handler"), "task_escalation_minutes", 10, reason="x")
    admin = people.actor("admin")
    bad = [
        ("no_such_key", 1),
        ("task_escalation_minutes", "10"),
        ("task_escalation_minutes", -5),
        ("grade_rules", [{"name": "x", "when": {"colour": "red"}, "grade": "emergency"}]),
        ("grade_rules", [{"name": "x", "when": {}, "grade": "urgent"}]),
        ("downgrade_authoriser_roles", ["janitor"]),
        ("closing_codes", [{"code": "x", "label": "X"}]),
        # Checks the apps contribute (registered when Django starts): L10, M2, C3.
        ("closing_codes", [{"code": "no_units_available", "label": "No units", "positive": False}]),
        ("scheme_floor_roles", ["bystander"]),
        ("cue_flags", {"not_a_family": "domestic"}),
        # Values that stopped the control room for everyone: no category to raise in, no code to close with,
        # a cue family that breaks every scan, a string where the context lookup counts, a format string
        # reaching the values' attributes.
        ("categories", []),
        ("closing_codes", []),
        ("cue_disabled", {"no_such_family": ["knife"]}),
        ("repeat_windows", {"repeat_caller": "28", "repeat_address": {"days": 28, "at_least": 3},
                            "repeat_victim": {"days": 365, "at_least": 2}}),
        ("log_reference_format", "{seq.__class__.__mro__}"),
    ]
    for key, value in bad:
        with pytest.raises(Invalid):
            set_policy(admin, key, value, reason="test")
    assert not PolicySetting.objects.exists()


def test_passwords_are_argon2_and_sign_in_is_throttled(people, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    people.handler.set_password("a-long-password-1")
    people.handler.save()
    assert people.handler.password.startswith("argon2")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "handler", "password": "wrong"})
    locked = client.post("/login/", {"username": "handler", "password": "a-long-password-1"})
    assert locked.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
