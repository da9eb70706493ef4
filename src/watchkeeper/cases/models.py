"""Cases (P1): what a case records, who is on it, who owns and supervises it, and every handover.

Kept forever: a case is closed, never deleted; people and logs on a case, handovers and timeline entries are
new rows (migration 0002 installs the triggers).
"""

from __future__ import annotations

from django.db import models

from watchkeeper.cases.rules import (
    BAIL_CHANGES,
    CHANNELS,
    DECISIONS,
    DISCLOSURE_DECISIONS,
    HANDOVER_KINDS,
    KINDS,
    OUTCOMES,
    PARTY_ROLES,
    REFERRAL_KINDS,
    RISKS,
    STATES,
    UPDATE_KINDS,
)


class Case(models.Model):
    """A crime, safeguarding or public-protection case. P1: it always has an officer in charge and a
    supervisor; `queued` says the officer in charge is the supervisor holding it until it is allocated."""

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=32, choices=list(KINDS.items()))
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=list(STATES.items()), default="open")
    officer = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="cases_in_charge")
    supervisor = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="cases_supervised")
    team = models.ForeignKey("staff.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    queued = models.BooleanField(default=False)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    origin = models.ForeignKey("incidents.Log", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    last_activity_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closing_note = models.TextField(blank=True)
    # P2: the risk the review schedule reads, when the next supervisory review is due, how far an overdue one
    # has escalated (0 not yet, 1 supervisor alerted, 2 their team told), and when the case was last flagged
    # stale (no activity for `case_stale_days`).
    risk = models.CharField(max_length=16, choices=list(RISKS.items()), default="standard")
    review_due_at = models.DateTimeField(null=True, blank=True)
    review_stage = models.PositiveSmallIntegerField(default=0)
    stale_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["review_due_at"], name="case_review_due",
                         condition=models.Q(state="open", review_stage__lt=2)),
            models.Index(fields=["last_activity_at"], name="case_activity_open", condition=models.Q(state="open")),
            models.Index(fields=["officer", "state", "-last_activity_at"], name="case_officer_open"),
            models.Index(fields=["supervisor", "state", "-last_activity_at"], name="case_supervisor_open"),
            models.Index(fields=["team", "state", "-last_activity_at"], name="case_team_open"),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseLog(models.Model):
    """A log the case is about (opened from it, or linked later)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="logs")
    log = models.ForeignKey("incidents.Log", on_delete=models.PROTECT, related_name="case_links")
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "log"], name="case_log_once")]


class CaseParty(models.Model):
    """A person on a case in a role (victim, suspect, witness, ...)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_parties")
    role = models.CharField(max_length=32, choices=list(PARTY_ROLES.items()))
    added_at = models.DateTimeField()
    added_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person", "role"], name="case_party_once")]


class Handover(models.Model):
    """P1: a case (or its supervision) handed from one member of staff to another: who, to whom, why and a
    summary, acknowledged by the receiver."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handovers")
    kind = models.CharField(max_length=16, choices=list(HANDOVER_KINDS.items()))
    from_user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="handovers_received")
    reason = models.TextField()
    summary = models.TextField()
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["to_user", "acknowledged_at"], name="handover_to_ack")]


class CaseEvent(models.Model):
    """The case's timeline: one line per thing that happened on it (appended, never changed)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32)
    text = models.TextField()
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["case", "-id"], name="case_event_recent")]


class CaseReview(models.Model):
    """P2: a supervisory review: who, when, what it found, the risk after it, and the evidence of progress it
    saw (timeline lines, log entries, tasks, risk assessments, as they read then), or that there was none."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField()
    risk_before = models.CharField(max_length=16)
    risk_after = models.CharField(max_length=16)
    no_progress = models.BooleanField(default=False)
    evidence = models.JSONField(default=list)
    next_due_at = models.DateTimeField()


class PointOfContact(models.Model):
    """P3: a victim's named single point of contact across all their cases. Each setting or change is a new
    row with who, why and when; the newest row for a person is their point of contact."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="points_of_contact")
    contact = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="victims_in_contact")
    reason = models.TextField()
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["person", "-id"], name="spoc_person_recent")]


class VictimContact(models.Model):
    """P3: a contact with a victim, logged on the case: the channel, when it happened, who made it and what
    was said (recorded when, by whom)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_contacts")
    channel = models.CharField(max_length=32, choices=list(CHANNELS.items()))
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "-at"], name="victim_contact_recent"),
                   models.Index(fields=["case", "-at"], name="case_contact_recent")]


class ChannelPreference(models.Model):
    """P4: how a victim prefers to be told, in order. Each recording is a new row; the newest is current."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="channel_preferences")
    channels = models.JSONField(default=list)
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["person", "-id"], name="channel_pref_recent")]


class VictimUpdate(models.Model):
    """P4: an update to a victim (bail change, no further action, protection ending, court result, ...): the
    channel and whether delivery was confirmed. Unconfirmed past `victim_update_confirm_hours` it escalates
    (`escalated_at`); a failed channel asks for another one."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="updates")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_updates")
    kind = models.CharField(max_length=32, choices=list(UPDATE_KINDS.items()))
    channel = models.CharField(max_length=32, choices=list(CHANNELS.items()))
    text = models.TextField()
    sent_at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=list(OUTCOMES.items()), default="pending")
    failure = models.CharField(max_length=32, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at"], name="victim_update_pending",
                                condition=models.Q(outcome="pending", escalated_at__isnull=True)),
                   models.Index(fields=["person", "-sent_at"], name="victim_update_recent")]


class ConflictDeclaration(models.Model):
    """P10: a member of staff's declared conflict of interest on a case, or on a person (then every case the
    person is on), and a supervisor's assessment of it (once: allowed, allowed with conditions or not
    allowed, with the rationale). Until assessed, the declarer's actions on the case are refused."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="conflicts")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="conflicts_declared")
    user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="conflicts_declared")
    nature = models.TextField()
    declared_at = models.DateTimeField()
    decision = models.CharField(max_length=32, choices=list(DECISIONS.items()), blank=True)
    conditions = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    assessed_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["user", "case"], name="conflict_user_case"),
                   models.Index(fields=["user", "person"], name="conflict_user_person")]


class AgencyReferral(models.Model):
    """P6: a referral to, or a meeting of, a multi-agency forum (MARAC, MAPPA, a strategy meeting) on a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(max_length=16, choices=list(REFERRAL_KINDS.items()))
    meeting_at = models.DateTimeField()
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")


class AgencyAction(models.Model):
    """P6: an action agreed with partner agencies: what, its owner (a member of staff or a partner agency by
    name), when it is due and its completion. Open actions keep the case, and its logs, from closing."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agency_actions")
    referral = models.ForeignKey(AgencyReferral, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    completion_note = models.TextField(blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case"], name="agency_action_open", condition=models.Q(completed_at=None)),
                   models.Index(fields=["due_at"], name="agency_action_due",
                                condition=models.Q(completed_at=None, overdue_alerted_at=None))]


class Disclosure(models.Model):
    """P5: considering disclosure to a victim of a suspect's relevant history (markers, orders, earlier flagged
    logs: `history` keeps what was found, as it read then). A task on the case until its decision is recorded
    once: disclose or not, by whom, why, and for a disclosure how it was delivered and when. Undecided past
    `due_at` it alerts the officer in charge and the supervisor (once)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="disclosures")
    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="disclosures_to")
    suspect = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="disclosures_about")
    history = models.JSONField(default=list)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    decision = models.CharField(max_length=16, choices=list(DISCLOSURE_DECISIONS.items()), blank=True)
    rationale = models.TextField(blank=True)
    channel = models.CharField(max_length=32, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "victim", "suspect"], name="disclosure_once")]
        indexes = [models.Index(fields=["due_at"], name="disclosure_due",
                                condition=models.Q(decision="", overdue_alerted_at=None))]


class BailCondition(models.Model):
    """P8: one bail condition on a case for a suspect, as imposed: the condition, its proportionality rationale,
    whom and where it protects and what it restricts, its review and end dates, and the order it put on the
    orders register (M3). An amendment is a new row (`amends` the one it replaces, with the reason); nothing
    recorded here changes. `review_due_on` and `review_alerted_on` are the review schedule (moved by a review)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="bail_conditions")
    suspect = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="bail_conditions")
    text = models.TextField()
    rationale = models.TextField()
    protected = models.JSONField(default=list)  # person ids (the case's victims when imposed)
    places = models.JSONField(default=list)
    activities = models.JSONField(default=list)
    review_on = models.DateField()
    end_on = models.DateField()
    amends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments")
    reason = models.TextField(blank=True)
    order = models.ForeignKey("people.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    review_due_on = models.DateField()
    review_alerted_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "-id"], name="bail_case_recent"),
                   models.Index(fields=["review_due_on"], name="bail_review_due")]


class BailDecision(models.Model):
    """P8: a review of a bail condition (still necessary and proportionate, with the next review date) or its
    end (why). Appended, never changed."""

    KINDS = [("reviewed", "Reviewed"), ("ended", "Ended")]

    condition = models.ForeignKey(BailCondition, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=16, choices=KINDS)
    note = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")


class BailNotice(models.Model):
    """P8, P4: a victim to be told of a change to bail (a condition set, amended or ended). Told when an update
    of kind "bail change" is sent to them on the case (its delivery is then confirmed or escalates under P4);
    not told within `bail_victim_notice_hours` it alerts the officer in charge and the supervisor (once)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="bail_notices")
    condition = models.ForeignKey(BailCondition, on_delete=models.PROTECT, related_name="notices")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="bail_notices")
    change = models.CharField(max_length=16, choices=list(BAIL_CHANGES.items()))
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    update = models.ForeignKey(VictimUpdate, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "person"], name="bail_notice_untold",
                                condition=models.Q(update=None)),
                   models.Index(fields=["due_at"], name="bail_notice_due",
                                condition=models.Q(update=None, alerted_at=None))]
