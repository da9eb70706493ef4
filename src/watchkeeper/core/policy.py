"""The force's policy configuration: grades, categories, grading rules, roles that may authorise.

Policy is data, never constants in rules: the defaults below are what a new force starts with; an
administrator changes them (each change a new audited row, the old value kept). Rules receive a `Policy`
and read only from it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

DEFAULTS: dict[str, Any] = {
    # Highest urgency first; rank 1 is the most urgent.
    "grades": [
        {"code": "emergency", "label": "Emergency", "rank": 1},
        {"code": "priority", "label": "Priority", "rank": 2},
        {"code": "scheduled", "label": "Scheduled", "rank": 3},
        {"code": "resolution", "label": "Resolution without deployment", "rank": 4},
    ],
    "categories": [
        {"code": "domestic_incident", "label": "Domestic incident", "flags": ["domestic_abuse"]},
        {"code": "concern_for_welfare", "label": "Concern for welfare", "flags": ["concern_for_welfare"]},
        {"code": "missing_person", "label": "Missing person", "flags": ["missing"]},
        {"code": "child_protection", "label": "Child protection", "flags": ["child"]},
        {"code": "vulnerable_adult", "label": "Vulnerable adult", "flags": ["vulnerable_adult"]},
        {"code": "breach_of_order", "label": "Breach of bail or order", "flags": ["breach"]},
        {"code": "assist_other_agency", "label": "Assist other emergency service", "flags": []},
        {"code": "sudden_collapse", "label": "Collapse / person unresponsive", "flags": ["concern_for_welfare"]},
        {"code": "suspicious_circumstances", "label": "Suspicious circumstances", "flags": []},
        {"code": "assault", "label": "Assault", "flags": []},
        {"code": "burglary", "label": "Burglary", "flags": []},
        {"code": "theft", "label": "Theft", "flags": []},
        {"code": "public_order", "label": "Public order / anti-social behaviour", "flags": []},
        {"code": "road_traffic_collision", "label": "Road traffic collision", "flags": []},
        {"code": "alarm_activation", "label": "Alarm activation", "flags": []},
        {"code": "abandoned_call", "label": "Abandoned or silent 999 call", "flags": []},
        {"code": "mental_health_concern", "label": "Mental health concern", "flags": ["concern_for_welfare"]},
        {"code": "stalking_harassment", "label": "Stalking or harassment", "flags": []},
        {"code": "other", "label": "Other", "flags": []},
    ],
    "flags": [
        {"code": "domestic_abuse", "label": "Domestic abuse"},
        {"code": "missing", "label": "Missing person"},
        {"code": "concern_for_welfare", "label": "Concern for welfare"},
        {"code": "child", "label": "Child"},
        {"code": "vulnerable_adult", "label": "Vulnerable adult"},
        {"code": "breach", "label": "Breach of bail or order"},
        {"code": "weapons", "label": "Weapons"},
        {"code": "firearms_access", "label": "Access to firearms"},
    ],
    # C4: the policy grade. The first rule (in order) whose conditions all hold proposes its grade; the
    # proposal is the most urgent grade among matching rules.
    "grade_rules": [
        {
            "name": "Domestic incident with high vulnerability",
            "when": {"flags_any": ["domestic_abuse"], "vulnerability_at_least": "high"},
            "grade": "emergency",
        },
        {
            "name": "Threat to life or serious harm",
            "when": {"threat_at_least": "high", "harm_at_least": "high"},
            "grade": "emergency",
        },
        {
            "name": "Person unresponsive or collapsed",
            "when": {"categories": ["sudden_collapse"]},
            "grade": "emergency",
        },
        {
            "name": "Weapon mentioned where firearms are held",
            "when": {"flags_all": ["weapons", "firearms_access"]},
            "grade": "emergency",
        },
        {
            "name": "Missing person at high risk",
            "when": {"flags_any": ["missing"], "risk_at_least": "high"},
            "grade": "emergency",
        },
        {"name": "Domestic incident", "when": {"flags_any": ["domestic_abuse"]}, "grade": "priority"},
        {
            "name": "Vulnerable adult being exploited or at risk",
            "when": {"flags_any": ["vulnerable_adult"], "risk_at_least": "medium"},
            "grade": "priority",
        },
        {"name": "Missing person", "when": {"flags_any": ["missing"]}, "grade": "priority"},
        {"name": "Child at risk", "when": {"flags_any": ["child"]}, "grade": "priority"},
        {"name": "Breach of bail or order", "when": {"flags_any": ["breach"]}, "grade": "priority"},
        {"name": "Weapon mentioned", "when": {"flags_any": ["weapons"]}, "grade": "priority"},
        {
            "name": "Concern for welfare with medium risk",
            "when": {"flags_any": ["concern_for_welfare"], "risk_at_least": "medium"},
            "grade": "priority",
        },
    ],
    "levels": ["none", "low", "medium", "high"],
    "downgrade_authoriser_roles": ["controller", "duty_inspector", "supervisor"],
    "flagged_close_authoriser_roles": ["supervisor", "controller", "duty_inspector"],
    # L10: a log on which one of these prompts was dismissed (a child, domestic abuse, weapons, exploitation)
    # needs a positive outcome or a supervisor's rationale to close, like a flagged log.
    "dismissal_close_prompt_kinds": ["child", "cue_children", "cue_domestic_abuse", "cue_weapons_firearms",
                                     "cue_exploitation_blackmail"],
    # L10: outcomes that count as positive action for a flagged log.
    "closing_codes": [
        {"code": "seen_safe", "label": "Person seen and safe", "positive": True},
        {"code": "located_safe", "label": "Person located and safe", "positive": True},
        {"code": "spoken_to_safe", "label": "Person spoken to and safe", "positive": True},
        {"code": "attended_resolved", "label": "Attended and resolved", "positive": False},
        {"code": "crime_recorded", "label": "Crime recorded, passed for investigation", "positive": False},
        {"code": "advice_given", "label": "Advice given", "positive": False},
        {"code": "transferred_other_agency", "label": "Handed to another agency", "positive": False},
        {"code": "no_further_action", "label": "No further police action", "positive": False},
    ],
    # L10 / D3: never a closing outcome, whatever the configuration says.
    "forbidden_closing_codes": ["no_units_available"],
    "cancellation_codes": [
        {"code": "duplicate", "label": "Duplicate of another log"},
        {"code": "raised_in_error", "label": "Raised in error"},
        {"code": "test_call", "label": "Test call"},
    ],
    # L11: minutes after a task falls due before its owner's supervisor is alerted.
    "task_escalation_minutes": 30,
    # L9: minutes an automatically created log may wait unowned before it escalates to the deputy.
    "review_escalation_minutes": 15,
    "automatic_sources": ["online", "alarm", "transfer"],
    "log_reference_format": "{date:%Y%m%d}-{seq:04d}",
    # How many latest entries a circulation summary carries (L12).
    "circulation_latest_entries": 10,
    # C1: computed context flags: at least N contacts in the last D days.
    "repeat_windows": {
        "repeat_caller": {"days": 28, "at_least": 3},
        "repeat_address": {"days": 28, "at_least": 3},
        "repeat_victim": {"days": 365, "at_least": 2},
    },
    # C1: how many of each kind of history the context panel lists before counting the rest.
    "context_list_limit": 10,
    # L12: when something held on a person, address or phone changes (a marker, order, certificate, scheme or
    # link), at most this many of the open logs it feeds (the newest) have their board rows and log pages
    # refreshed at once; the rest show the change when next read (a reload, the next event on the log).
    "risk_republish_max_logs": 50,
    # C5: at most this many phone numbers written in one text (an account, an entry) are attached to the log
    # as mentioned and each given a check: a pasted list of numbers should not bury the log in checks.
    "mentioned_numbers_max": 10,
    # L8: a new contact whose phone, address or named person is on an open log from the last this many hours
    # is offered that log first; raising a new one anyway needs a reason and links the two.
    "second_call_hours": 12,
    # C2: channels where no caller can be asked their age, and the age under which a person is a child.
    "age_exempt_channels": ["alarm", "police_generated", "online"],
    "child_age_under": 18,
    # C5: the checks each flag or category ("category:<code>") requires.
    "required_checks": {
        "domestic_abuse": ["national_systems", "local_intelligence", "previous_incidents_address",
                           "previous_incidents_phone", "orders"],
        "missing": ["national_systems", "local_intelligence", "previous_incidents_address"],
        "child": ["national_systems", "local_intelligence"],
        "vulnerable_adult": ["local_intelligence", "previous_incidents_address"],
        "breach": ["orders", "national_systems"],
        "weapons": ["national_systems", "local_intelligence", "previous_incidents_address"],
        "category:stalking_harassment": ["national_systems", "local_intelligence", "previous_incidents_phone",
                                         "orders"],
        "category:abandoned_call": ["location", "caller"],
    },
    # C8: this many related incidents between the same people within the window raise a pattern prompt.
    "pattern_window": {"days": 90, "at_least": 3},
    # M2: special schemes.
    "scheme_max_days": 183,
    "scheme_review_days_before": 14,
    "scheme_default_floor": "emergency",
    # M2: a scheme past its end date without a decision escalates this often (officer, then supervisor too).
    "scheme_overdue_escalation_hours": 24,
    # D5: a scheme's floor applies when its victim, address or phone is on the log in one of these roles.
    "scheme_floor_roles": ["caller", "victim", "location"],
    # C3: a force's own cue phrases and patterns, and default entries it switches off (by phrase).
    "cue_additions": {},
    "cue_disabled": {},
    # C3: the flag accepting each cue family's prompt adds to the log (its checks and policy grade follow).
    "cue_flags": {
        "domestic_abuse": "domestic_abuse", "weapons_firearms": "weapons", "suicide_self_harm": "concern_for_welfare",
        "missing": "missing", "children": "child", "mental_health_learning_disability": "vulnerable_adult",
        "exploitation_blackmail": "vulnerable_adult", "breach_of_bail_or_order": "breach",
    },
    # C3: accepting a weapons cue on a log whose parties or addresses hold a current firearms certificate also
    # adds this flag (so "Weapon mentioned where firearms are held" proposes its grade).
    "firearms_access_flag": "firearms_access",
    # L11: minutes after an entry that a promise written in it is due when it states no time.
    "promise_due_minutes": 60,
    # C6: categories that a missing-person cue prompts to reclassify as a missing person.
    "missing_reclassify_from": ["concern_for_welfare", "sudden_collapse", "mental_health_concern"],
    # D1: target attendance minutes by grade and area type (grades without an entry have no clock).
    "response_targets": {"emergency": {"urban": 15, "rural": 20}, "priority": {"urban": 60, "rural": 60}},
    "clock_alert_fractions": [0.5, 0.8, 1.0],
    # D1: a log from one of these channels must be graded within this many minutes of its first contact;
    # until then it is on the dispatch board as "ungraded", its grading clock alerting and escalating like a
    # response clock.
    "emergency_channels": ["999"],
    "grading_deadline_minutes": 5,
    "default_area_type": "urban",
    # D1/D2/D3: minutes before an unacknowledged alert goes up the chain; before a divert must be decided.
    "alert_escalation_minutes": 5,
    "divert_decision_minutes": 5,
    # M4: what makes an incident involving a certificate holder need a firearms licensing referral.
    "firearms_referral_triggers": ["domestic_abuse", "category:mental_health_concern", "cue:mental_health",
                                   "weapons"],
    # Duty roster: the fewest people on each desk role in each band of the day (local time; a band whose
    # end is before its start runs past midnight). Falling below alerts the duty inspector.
    "minimum_staffing": [
        {"desk_role": "call_handler", "start": "00:00", "end": "24:00", "minimum": 2},
        {"desk_role": "dispatcher", "start": "00:00", "end": "24:00", "minimum": 1},
        {"desk_role": "controller", "start": "00:00", "end": "24:00", "minimum": 1},
        {"desk_role": "support_operator", "start": "00:00", "end": "24:00", "minimum": 1},
        {"desk_role": "duty_inspector", "start": "00:00", "end": "24:00", "minimum": 1},
    ],
    # A1: training courses (how long each stays current, the roles that must hold it) and the gates: acting
    # (taking an emergency call, raising a log, a safeguarding flag) without a current course warns the
    # person, tells their supervisor and asks for the reason. `untrained_gated`: false gates only lapsed
    # training (someone with no record of a course at all is listed by the compliance report instead).
    "training": {
        "courses": [
            {"code": "emergency_call_handling", "label": "Emergency call handling", "valid_months": 12,
             "roles": ["call_handler", "dispatcher", "controller"]},
            {"code": "safeguarding_refresher", "label": "Safeguarding refresher", "valid_months": 24,
             "roles": ["call_handler", "dispatcher", "controller", "duty_inspector", "response_officer",
                       "investigator", "supervisor"]},
            {"code": "stalking", "label": "Stalking and harassment", "valid_months": 36, "roles": ["investigator"]},
            {"code": "firearms_licensing_awareness", "label": "Firearms licensing awareness", "valid_months": 36,
             "roles": ["controller", "duty_inspector"]},
        ],
        "gates": [
            {"action": "emergency_call", "courses": ["emergency_call_handling"], "flags": []},
            {"action": "log.raise", "courses": ["emergency_call_handling"], "flags": []},
            {"action": "safeguarding", "courses": ["safeguarding_refresher"],
             "flags": ["child", "vulnerable_adult", "domestic_abuse", "missing"]},
        ],
        "untrained_gated": False,
    },
    # A2: anomaly rules over the audit trail's views of people's records. A view is never flagged when the
    # viewer has a log (owner, assigned, recorded a contact) or a task involving the person.
    "anomaly_rules": {
        "vulnerable_markers": ["vulnerability", "domestic_abuse_victim", "child_protection", "mental_health"],
        "repeat_views": {"enabled": True, "window_days": 30, "at_least": 3},
        "watch_list_views": {"enabled": True},
        "outside_shift": {"enabled": True, "grace_minutes": 30},
        # Contact (views, contacts logged on a case) with one vulnerable person within three weeks: six with no
        # log, task or case; ten (one every other day) even with one.
        "high_contact": {"enabled": True, "window_days": 21, "at_least": 6, "involved_at_least": 10},
        # A member of staff's area is that of the units they crew; a person's, their current address's.
        "outside_area": {"enabled": True, "areas": [
            {"area": "Kingsbridge town", "postcodes": ["KB1", "KB2", "KB3", "KB4"]},
            {"area": "Moorland", "postcodes": ["KB7", "KB8", "KB9"]}]},
        "watch_list_searches": {"enabled": True},
        "max_records_per_run": 200000,
    },
    # R1: a log carrying one of these flags is not closed until the instrument's assessment is submitted on it
    # (or a risk decision records why none could be done); applies once the force has loaded the instrument.
    "risk_close_instruments": [{"flag": "domestic_abuse", "instrument": "domestic-abuse"}],
    # P9: how often a missing person's risk level is reviewed (minutes) and by whom, per level.
    "missing_review_cadence": [
        {"level": "high", "minutes": 60, "reviewer_roles": ["duty_inspector"]},
        {"level": "medium", "minutes": 240, "reviewer_roles": ["supervisor", "duty_inspector"]},
        {"level": "low", "minutes": 720, "reviewer_roles": ["supervisor", "duty_inspector"]},
    ],
    # P9, R7, P11: follow-ups that stay open until done: when a callback to the reporting agency or a referral
    # to another force falls due by default (minutes), and how long after the reminder an open one escalates.
    "risk_followup_minutes": {"agency_callback": 60, "force_referral": 240, "escalate_after": 60},
    # D1: what an acknowledgement of an alert says is being done ("other", in the person's words, is always
    # offered as well).
    "alert_ack_reasons": [
        {"code": "unit_found", "label": "Unit found and being sent"},
        {"code": "unit_en_route", "label": "A unit is already on its way"},
        {"code": "regrade", "label": "Grade being reviewed"},
        {"code": "caller_recontacted", "label": "Caller recontacted: situation checked"},
        {"code": "neighbouring_area", "label": "Asking a neighbouring area for a unit"},
        {"code": "supervisor_aware", "label": "Supervisor aware and deciding"},
    ],
    # R7, P11: the postcode areas the force covers (the letters before the first digit); a suspect whose
    # current address lies elsewhere gets a referral to the local force.
    "force_postcode_areas": ["KB"],
    # P7: the order intelligence referrals are worked in (each key most urgent first: access to children yes,
    # not known, no; grades as `grade_order`; higher scores; older), the days each risk tier may wait before
    # its allocated officer (or the supervisors) are reminded, the days after that before it escalates to the
    # team and the duty inspectors, and the checks without which "no access to children" is not accepted.
    "referral_queue": {"order": ["access_to_children", "risk_grade", "risk_score", "age"],
                       "access_order": ["yes", "unknown", "no"],
                       "grade_order": ["high", "medium", "unassessed", "low"],
                       "target_days": {"children": 2, "high": 7, "medium": 28, "unassessed": 14, "low": 56},
                       "escalate_after_days": 2, "no_access_checks": ["dbs"]},
    # P11: minutes a referral received from another force may wait for acknowledgement before its owner is
    # reminded, and minutes after that before it escalates to their team and the duty inspectors.
    "incoming_referral_minutes": {"acknowledge": 240, "escalate_after": 60},
    # P2: days between supervisory reviews of a case, by case kind and risk level; days after an overdue review
    # alerts before it escalates to the supervisor's team; days without activity before a case is flagged stale.
    "case_review_days": {"crime": {"standard": 28, "medium": 14, "high": 7},
                         "safeguarding": {"standard": 14, "medium": 7, "high": 3},
                         "public_protection": {"standard": 28, "medium": 14, "high": 7}},
    "case_review_escalation_days": 3,
    "case_stale_days": 14,
    "victim_update_confirm_hours": 48,
    # P5: a suspect's history that makes disclosure to their victim worth considering (marker kinds, and flags
    # on earlier logs they were on; any order that restricted them counts), and days to decide.
    "disclosure_markers": ["violence", "domestic_abuse_perpetrator", "weapons", "firearms"],
    "disclosure_flags": ["domestic_abuse", "weapons", "breach"],
    "disclosure_decision_days": 3,
    # P8: a bail condition is reviewed within this many days; a victim not told of a bail change within this
    # many hours alerts the officer in charge and the supervisor.
    "bail_review_max_days": 28,
    "bail_victim_notice_hours": 24,
}


@dataclass(frozen=True)
class Policy:
    """A snapshot of the force's policy, read once per action."""

    values: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(DEFAULTS))

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def grade_rank(self, code: str | None) -> int | None:
        for g in self.values["grades"]:
            if g["code"] == code:
                return int(g["rank"])
        return None

    def grade_codes(self) -> list[str]:
        return [g["code"] for g in sorted(self.values["grades"], key=lambda g: g["rank"])]

    def grade_label(self, code: str | None) -> str:
        for g in self.values["grades"]:
            if g["code"] == code:
                return str(g["label"])
        return "Ungraded"

    def category(self, code: str) -> dict[str, Any] | None:
        return next((c for c in self.values["categories"] if c["code"] == code), None)

    def category_label(self, code: str) -> str:
        cat = self.category(code)
        return str(cat["label"]) if cat else code

    def flag_label(self, code: str) -> str:
        return next((str(f["label"]) for f in self.values["flags"] if f["code"] == code), code)

    def flag_codes(self) -> list[str]:
        return [f["code"] for f in self.values["flags"]]

    def closing_code(self, code: str) -> dict[str, Any] | None:
        return next((c for c in self.values["closing_codes"] if c["code"] == code), None)

    def level_rank(self, level: str | None) -> int:
        levels: list[str] = self.values["levels"]
        return levels.index(level) if level in levels else 0
