"""Policy helpers and role permissions: pure data, no database.

The rules read every code and number through `Policy`; these tests pin down what the helpers return for
known and unknown codes, and check that the default policy is internally consistent (every rule names real
grades, flags, levels, categories and roles), since a typo there would silently switch a safeguard off.
"""

from __future__ import annotations

import pytest

from watchkeeper.core.policy import DEFAULTS, Policy
from watchkeeper.staff.roles import PERMISSIONS, ROLE_LABELS, Role, allowed

POLICY = Policy()


# ------------------------------------------------------------------------------------------------ Policy
class TestPolicyHelpers:
    def test_item_access_reads_the_values(self) -> None:
        assert POLICY["task_escalation_minutes"] == DEFAULTS["task_escalation_minutes"]
        with pytest.raises(KeyError):
            POLICY["no_such_key"]

    def test_each_policy_has_its_own_values(self) -> None:
        """A policy overlaid with one change leaves the defaults and other snapshots as they were."""
        changed = Policy({**DEFAULTS, "task_escalation_minutes": 5})
        assert changed["task_escalation_minutes"] == 5
        assert Policy()["task_escalation_minutes"] == DEFAULTS["task_escalation_minutes"] == 30
        Policy().values["task_escalation_minutes"] = 1
        assert DEFAULTS["task_escalation_minutes"] == 30

    def test_grade_rank_and_label(self) -> None:
        assert POLICY.grade_rank("emergency") == 1
        assert POLICY.grade_rank("resolution") == 4
        assert POLICY.grade_label("priority") == "Priority"

    @pytest.mark.parametrize("code", [None, "", "urgent"])
    def test_unknown_grade_has_no_rank_and_reads_ungraded(self, code: str | None) -> None:
        assert POLICY.grade_rank(code) is None
        assert POLICY.grade_label(code) == "Ungraded"

    def test_grade_codes_are_most_urgent_first_whatever_the_stored_order(self) -> None:
        assert POLICY.grade_codes() == ["emergency", "priority", "scheduled", "resolution"]
        shuffled = Policy({**DEFAULTS, "grades": list(reversed(DEFAULTS["grades"]))})
        assert shuffled.grade_codes() == ["emergency", "priority", "scheduled", "resolution"]

    def test_category_lookup(self) -> None:
        assert POLICY.category("missing_person") == {
            "code": "missing_person", "label": "Missing person", "flags": ["missing"]
        }
        assert POLICY.category("nope") is None

    def test_category_label_falls_back_to_the_code(self) -> None:
        assert POLICY.category_label("breach_of_order") == "Breach of bail or order"
        assert POLICY.category_label("retired_category") == "retired_category"

    def test_flag_label_falls_back_to_the_code(self) -> None:
        assert POLICY.flag_label("vulnerable_adult") == "Vulnerable adult"
        assert POLICY.flag_label("firearms") == "firearms"

    def test_flag_codes_in_policy_order(self) -> None:
        assert POLICY.flag_codes() == [
            "domestic_abuse", "missing", "concern_for_welfare", "child", "vulnerable_adult", "breach", "weapons",
            "firearms_access",
        ]

    def test_closing_code_lookup(self) -> None:
        assert POLICY.closing_code("seen_safe") == {"code": "seen_safe", "label": "Person seen and safe",
                                                    "positive": True}
        assert POLICY.closing_code("no_units_available") is None

    def test_level_rank_orders_levels_and_treats_unknown_as_lowest(self) -> None:
        assert [POLICY.level_rank(x) for x in ("none", "low", "medium", "high")] == [0, 1, 2, 3]
        assert POLICY.level_rank(None) == 0
        assert POLICY.level_rank("extreme") == 0


class TestDefaultPolicyIsConsistent:
    @pytest.mark.safeguard("C4")
    def test_grade_ranks_are_distinct_and_start_at_one(self) -> None:
        """Rank 1 is the most urgent; a rank of 0 would be read as 'no rank' when grades are compared."""
        ranks = sorted(g["rank"] for g in DEFAULTS["grades"])
        assert ranks == list(range(1, len(ranks) + 1))

    @pytest.mark.safeguard("C4")
    def test_every_grade_rule_names_real_grades_flags_levels_and_categories(self) -> None:
        grades, flags = set(POLICY.grade_codes()), set(POLICY.flag_codes())
        categories = {c["code"] for c in DEFAULTS["categories"]}
        known_conditions = {"categories", "flags_any", "flags_all"} | {
            f"{e}_at_least" for e in ("threat", "harm", "risk", "vulnerability")
        }
        for rule in DEFAULTS["grade_rules"]:
            when = rule["when"]
            assert rule["grade"] in grades, rule["name"]
            assert set(when) <= known_conditions, rule["name"]
            assert set(when.get("categories", [])) <= categories, rule["name"]
            assert set(when.get("flags_any", [])) | set(when.get("flags_all", [])) <= flags, rule["name"]
            for key, value in when.items():
                if key.endswith("_at_least"):
                    assert value in DEFAULTS["levels"], rule["name"]

    @pytest.mark.safeguard("C4")
    def test_every_category_flag_is_a_known_flag(self) -> None:
        flags = set(POLICY.flag_codes())
        for category in DEFAULTS["categories"]:
            assert set(category["flags"]) <= flags, category["code"]

    @pytest.mark.safeguard("L10")
    def test_closing_codes_offer_a_positive_outcome_and_never_no_units(self) -> None:
        codes = {c["code"] for c in DEFAULTS["closing_codes"]}
        assert any(c["positive"] for c in DEFAULTS["closing_codes"])
        assert "no_units_available" in DEFAULTS["forbidden_closing_codes"]
        assert not codes & set(DEFAULTS["forbidden_closing_codes"])

    @pytest.mark.safeguard("L5", "L10")
    @pytest.mark.parametrize("key", ["downgrade_authoriser_roles", "flagged_close_authoriser_roles"])
    def test_authoriser_roles_are_real_roles_that_exclude_call_handlers(self, key: str) -> None:
        roles = set(DEFAULTS[key])
        assert roles <= {r.value for r in Role}
        assert Role.CALL_HANDLER.value not in roles

    @pytest.mark.safeguard("L9")
    def test_automatic_sources_are_listed(self) -> None:
        assert set(DEFAULTS["automatic_sources"]) >= {"online", "alarm", "transfer"}


# ------------------------------------------------------------------------------------------------- Roles
class TestAllowed:
    @pytest.mark.parametrize("role", list(Role))
    @pytest.mark.parametrize("permission", ["", "log.delete", "entry.edit", "audit.delete", "LOG.VIEW"])
    def test_unknown_permission_is_never_allowed(self, role: Role, permission: str) -> None:
        """L1 and L2 in the permission table: there is no permission to delete a log or edit an entry."""
        assert allowed(role, permission) is False

    @pytest.mark.parametrize("permission", sorted(PERMISSIONS))
    @pytest.mark.parametrize("role", ["", "superuser", "CALL_HANDLER"])
    def test_unknown_role_is_never_allowed(self, role: str, permission: str) -> None:
        assert allowed(role, permission) is False

    def test_role_value_and_enum_are_the_same(self) -> None:
        assert allowed("call_handler", "log.raise") is True
        assert allowed(Role.CALL_HANDLER, "log.raise") is True

    @pytest.mark.parametrize(
        ("role", "permission"),
        [
            (Role.LEARNING_LEAD, "log.raise"),
            (Role.LEARNING_LEAD, "log.view"),
            (Role.CALL_HANDLER, "audit.view"),
            (Role.CALL_HANDLER, "staff.manage"),
            (Role.CALL_HANDLER, "policy.manage"),
            (Role.RESPONSE_OFFICER, "log.grade"),
            (Role.RESPONSE_OFFICER, "log.merge"),
            (Role.INVESTIGATOR, "log.close"),
            (Role.QUALITY_ASSURANCE, "log.raise"),
            (Role.PROFESSIONAL_STANDARDS, "entry.add"),
            (Role.ADMINISTRATOR, "log.raise"),
            (Role.ADMINISTRATOR, "log.view"),
            (Role.SUPERVISOR, "policy.manage"),
            (Role.SUPERVISOR, "audit.view"),
            (Role.DISPATCHER, "learning.manage"),
        ],
    )
    def test_refused(self, role: Role, permission: str) -> None:
        assert allowed(role, permission) is False

    @pytest.mark.parametrize(
        ("role", "permission"),
        [
            (Role.CALL_HANDLER, "log.raise"),
            (Role.CALL_HANDLER, "log.grade"),
            (Role.CALL_HANDLER, "log.merge"),
            (Role.RESPONSE_OFFICER, "log.close"),
            (Role.RESPONSE_OFFICER, "contact.record"),
            (Role.INVESTIGATOR, "task.manage"),
            (Role.QUALITY_ASSURANCE, "log.view"),
            (Role.QUALITY_ASSURANCE, "audit.view"),
            (Role.PROFESSIONAL_STANDARDS, "audit.view"),
            (Role.PROFESSIONAL_STANDARDS, "reports.view"),
            (Role.ADMINISTRATOR, "audit.view"),
            (Role.ADMINISTRATOR, "staff.manage"),
            (Role.SUPERVISOR, "staff.set_absence"),
            (Role.DUTY_INSPECTOR, "log.grade"),
            (Role.LEARNING_LEAD, "learning.manage"),
        ],
    )
    def test_granted(self, role: Role, permission: str) -> None:
        assert allowed(role, permission) is True

    def test_audit_is_seen_only_by_oversight_and_administrators(self) -> None:
        assert {r for r in Role if allowed(r, "audit.view")} == {
            Role.QUALITY_ASSURANCE, Role.PROFESSIONAL_STANDARDS, Role.ADMINISTRATOR
        }

    def test_only_administrators_manage_staff_and_policy(self) -> None:
        for permission in ("staff.manage", "policy.manage"):
            assert {r for r in Role if allowed(r, permission)} == {Role.ADMINISTRATOR}

    def test_everyone_can_read_the_learning_library(self) -> None:
        assert all(allowed(r, "learning.view") for r in Role)

    def test_whoever_may_change_a_log_may_also_view_it(self) -> None:
        """Nobody acts on a log they are not allowed to read (L3 read before close relies on it)."""
        changes = [p for p in PERMISSIONS if p.startswith(("log.", "entry.", "request.", "task."))]
        for permission in changes:
            for role in Role:
                if allowed(role, permission):
                    assert allowed(role, "log.view"), (role, permission)

    @pytest.mark.safeguard("L5", "L10")
    def test_policy_authorisers_may_grade_and_close(self) -> None:
        for role in DEFAULTS["downgrade_authoriser_roles"]:
            assert allowed(role, "log.grade") and allowed(role, "log.view"), role
        for role in DEFAULTS["flagged_close_authoriser_roles"]:
            assert allowed(role, "log.close"), role


class TestRoleLabels:
    def test_every_role_has_a_label(self) -> None:
        assert set(ROLE_LABELS) == set(Role)
        assert Role.DUTY_INSPECTOR.label == "Duty inspector"
        assert all(role.label for role in Role)

    def test_permissions_name_only_real_roles(self) -> None:
        for permission, roles in PERMISSIONS.items():
            assert roles and roles <= set(Role), permission
