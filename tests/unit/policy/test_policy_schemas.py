"""Every policy key has a schema; malformed values are refused before they reach a rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from watchkeeper.core.config import validate_policy_value
from watchkeeper.core.errors import Invalid
from watchkeeper.core.policy import DEFAULTS, Policy
from watchkeeper.core.policy_schemas import SCHEMAS, check_reference_format, consistency, shape_problem


def test_every_default_key_has_a_schema_and_the_defaults_pass_it() -> None:
    assert set(DEFAULTS) - set(SCHEMAS) == set(), "policy keys without a schema"
    assert set(SCHEMAS) - set(DEFAULTS) == set(), "schemas for keys that do not exist"
    for key, value in DEFAULTS.items():
        assert shape_problem(key, value) is None, key
        validate_policy_value(key, value)
    assert consistency(copy.deepcopy(DEFAULTS)) == []


# The values the issue names: each was accepted before (the old check only compared the top-level type, or
# not at all) and each stopped part of the control room.
ISSUE_VALUES: list[tuple[str, Any, str]] = [
    ("categories", [], "at least 1"),  # no category to raise a log in
    ("closing_codes", [], "at least 1"),  # no code to close with
    ("cue_disabled", {"no_such_family": ["knife"]}, "unknown cue family"),  # every entry scan fails
    ("repeat_windows", {"repeat_caller": "28 days", "repeat_address": {"days": 28, "at_least": 3},
                        "repeat_victim": {"days": 365, "at_least": 2}}, "repeat_caller"),  # context lookups 500
    ("log_reference_format", "{seq.__class__.__mro__}", "not allowed"),  # a format string reaching attributes
]


@pytest.mark.parametrize(("key", "value", "says"), ISSUE_VALUES, ids=[k for k, _, _ in ISSUE_VALUES])
def test_the_malformed_values_the_issue_names_are_refused(key: str, value: Any, says: str) -> None:
    with pytest.raises(Invalid, match=says):
        validate_policy_value(key, value)


MALFORMED: list[tuple[str, Any]] = [
    ("repeat_windows", {"repeat_caller": {"days": "28", "at_least": 3},
                        "repeat_address": {"days": 28, "at_least": 3}, "repeat_victim": {"days": 365, "at_least": 2}}),
    ("repeat_windows", {"repeat_caller": {"days": 28, "at_least": 3}}),  # the others missing
    ("pattern_window", {"days": 0, "at_least": 3}),
    ("grades", []),
    ("grades", [{"code": "emergency", "label": "E", "rank": 1}, {"code": "priority", "label": "P", "rank": 1}]),
    ("grades", [{"code": "emergency", "label": "E", "rank": True}]),
    ("flags", [{"code": "a", "label": "A"}, {"code": "a", "label": "A again"}]),
    ("closing_codes", [{"code": "advice_given", "label": "Advice", "positive": False}]),  # no positive outcome
    ("closing_codes", [{"code": "seen_safe", "label": "", "positive": True}]),
    ("cancellation_codes", []),
    ("levels", ["high"]),
    ("task_escalation_minutes", True),
    ("task_escalation_minutes", 10.5),
    ("child_age_under", 0),
    ("clock_alert_fractions", [0.8, 0.5]),
    ("clock_alert_fractions", [0.5, 1.5]),
    ("clock_alert_fractions", []),
    ("downgrade_authoriser_roles", []),
    ("emergency_channels", []),
    ("grade_rules", []),
    ("grade_rules", [{"name": "x", "when": {"flags_any": "domestic_abuse"}, "grade": "emergency"}]),
    ("cue_flags", {"domestic_abuse": 3}),
    ("required_checks", {"domestic_abuse": []}),
    ("response_targets", {"emergency": {"urban": "15"}}),
    ("scheme_default_floor", ["emergency"]),
    ("log_reference_format", "{date:%Y%m%d}-{seq!r}"),
    ("log_reference_format", "{date.year}-{seq:04d}"),
    ("log_reference_format", "{date:%Y%m%d}-{seq[0]}"),
    ("log_reference_format", "{date:%Y%m%d}-{seq:04d}-{seq:04d}"),
    ("log_reference_format", "{seq:06d}"),  # the sequence restarts daily: references would repeat
    ("log_reference_format", "{date:%Y%m}-{seq:04d}"),
    ("log_reference_format", "{date:%Y%m%d}-{seq:>999999999}"),
    ("log_reference_format", "{date:%Y%m%d}-{seq:04d}-" + "X" * 30),  # longer than the column
    ("log_reference_format", "{date:%Y%m%d}<script>{seq:04d}"),
    ("log_reference_format", "{date:%Y%m%d}-{seq:04d}{"),
    ("dismissal_close_prompt_kinds", "child"),
    ("scheme_floor_roles", []),
    ("firearms_referral_triggers", ["category:"]),
]


@pytest.mark.parametrize(("key", "value"), MALFORMED, ids=[f"{k}-{i}" for i, (k, _) in enumerate(MALFORMED)])
def test_malformed_values_are_refused_naming_the_key(key: str, value: Any) -> None:
    with pytest.raises(Invalid) as refused:
        validate_policy_value(key, value)
    assert key in refused.value.message and refused.value.status == 400


# What a key names in another key must exist (in the policy as it would be after the change).
DANGLING: list[tuple[str, Any, str]] = [
    ("grade_rules", [{"name": "x", "when": {"categories": ["no_such_category"]}, "grade": "emergency"}], "categories"),
    ("grade_rules", [{"name": "x", "when": {"flags_any": ["no_such_flag"]}, "grade": "emergency"}], "flags"),
    ("grade_rules", [{"name": "x", "when": {"risk_at_least": "extreme"}, "grade": "emergency"}], "levels"),
    ("grade_rules", [{"name": "x", "when": {}, "grade": "urgent"}], "grade"),
    ("grades", [{"code": "urgent", "label": "Urgent", "rank": 1}], "grade"),  # rules still name emergency
    ("flags", [{"code": "domestic_abuse", "label": "DA"}], "flags"),  # categories and rules name the others
    ("categories", [{"code": "other", "label": "Other", "flags": []}], "categories"),  # rules name sudden_collapse
    ("categories", [{"code": "x", "label": "X", "flags": ["no_such_flag"]}], "flags"),
    ("scheme_default_floor", "urgent", "grade"),
    ("scheme_review_days_before", 200, "scheme_max_days"),
    ("firearms_access_flag", "no_such_flag", "flag"),
    ("missing_reclassify_from", ["no_such_category"], "categories"),
    ("response_targets", {"urgent": {"urban": 15}}, "grades"),
    ("required_checks", {"category:no_such_category": ["orders"]}, "category"),
    ("firearms_referral_triggers", ["no_such_flag"], "flag"),
    ("forbidden_closing_codes", ["advice_given", "no_units_available"], "forbidden"),
]


@pytest.mark.parametrize(("key", "value", "says"), DANGLING, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(DANGLING)])
def test_references_to_codes_that_do_not_exist_are_refused(key: str, value: Any, says: str) -> None:
    with pytest.raises(Invalid, match=says):
        validate_policy_value(key, value)


def test_a_reference_to_a_code_is_checked_against_the_policy_it_joins() -> None:
    """A rule may name a grade the force has added (in the policy the value joins), not one it has not."""
    grades = [*DEFAULTS["grades"], {"code": "immediate", "label": "Immediate", "rank": 9}]
    rules = [{"name": "x", "when": {}, "grade": "immediate"}]
    with pytest.raises(Invalid):
        validate_policy_value("grade_rules", rules)
    validate_policy_value("grade_rules", rules, Policy({**copy.deepcopy(DEFAULTS), "grades": grades}))


def test_problems_already_stored_do_not_block_an_unrelated_repair() -> None:
    """A policy stored before these checks (a rule naming a grade that is gone) can still be changed."""
    broken = Policy({**copy.deepcopy(DEFAULTS),
                     "grade_rules": [{"name": "old", "when": {}, "grade": "gone"}]})
    validate_policy_value("task_escalation_minutes", 45, broken)
    validate_policy_value("grade_rules", DEFAULTS["grade_rules"], broken)


@pytest.mark.parametrize("template", ["{date:%Y%m%d}-{seq:04d}", "WK/{date:%Y-%m-%d}/{seq:06d}",
                                      "{date:%y%j}{seq:05d}", "{date:%Y}-{date:%m%d}-{seq}"])
def test_safe_reference_templates_are_accepted(template: str) -> None:
    assert check_reference_format(template) == template
    validate_policy_value("log_reference_format", template)


def test_the_format_string_attack_is_never_formatted() -> None:
    """`{seq.__class__.__mro__}` used to become a reference ("(<class 'int'>, <class 'object'>)")."""
    with pytest.raises(ValueError, match="not allowed"):
        check_reference_format("{seq.__class__.__mro__}")
    with pytest.raises(ValueError, match="not allowed"):
        check_reference_format("{date:%Y%m%d}-{seq:04d}-{date.__class__.__init__.__globals__}")


def test_app_checks_registered_when_django_starts() -> None:
    """Channels, check kinds, area types, the cue lexicon and the closing codes that are never an outcome are
    known to the apps that own them (root/wiring.py registers their checks)."""
    for key, value in [("emergency_channels", ["998"]), ("age_exempt_channels", ["carrier_pigeon"]),
                       ("automatic_sources", ["manual"]), ("required_checks", {"weapons": ["palm_reading"]}),
                       ("default_area_type", "suburban"), ("response_targets", {"emergency": {"suburban": 9}}),
                       ("cue_disabled", {"weapons_firearms": ["no such phrase in the lexicon"]}),
                       ("cue_additions", {"no_such_family": [{"phrase": "knife"}]}),
                       ("cue_additions", {"weapons_firearms": [{"pattern": "("}]}),
                       ("forbidden_closing_codes", ["something_else"]),
                       ("firearms_referral_triggers", ["cue:astrology"]),
                       ("dismissal_close_prompt_kinds", ["cue_astrology"])]:
        with pytest.raises(Invalid):
            validate_policy_value(key, value)
    validate_policy_value("cue_additions", {"weapons_firearms": [{"phrase": "machete"}]})
    validate_policy_value("emergency_channels", ["999", "101"])
