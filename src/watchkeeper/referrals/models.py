"""Referrals (P7, P11). Kept forever: nothing here is deleted; what a referral recorded when it arrived is
frozen, and its history (allocations, risk, outcome, acknowledgement) is appended as events.

P7: an intelligence referral from a national agency or another unit (one row of a list of online offenders,
say), queued by risk (policy `referral_queue`), allocated by a supervisor, escalated when past its target
age, and worked to an outcome. P11: a referral received from another force (a suspect or victim living here),
tracked until acknowledged here and actioned."""

from __future__ import annotations

from django.db import models

from watchkeeper.referrals.rules import (
    ACCESS,
    GRADES,
    INCOMING_STATES,
    OUTCOMES,
    RECEIVED_VIA,
    STATES,
    SUBJECT_ROLES,
    TIERS,
)


class ImportBatch(models.Model):
    """P7: one list of referrals imported at once (a CSV checked row by row, all or nothing)."""

    source = models.CharField(max_length=200)
    operation = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField()
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")


class IntelReferral(models.Model):
    """P7: one intelligence referral: who it is about, what the intelligence says, where it came from and
    when; its risk now (access to children, grade, score) and the tier whose target age applies; the officer
    allocated; how far an overdue one has escalated (0 not yet, 1 reminded, 2 escalated); and its outcome."""

    reference = models.CharField(max_length=20, unique=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    source = models.CharField(max_length=200)
    operation = models.CharField(max_length=200, blank=True)
    source_reference = models.CharField(max_length=100, blank=True)
    subject_name = models.CharField(max_length=200)
    subject_dob = models.DateField(null=True, blank=True)
    subject_address = models.CharField(max_length=300, blank=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="intel_referrals")
    summary = models.TextField()
    received_at = models.DateTimeField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    access = models.CharField(max_length=8, choices=list(ACCESS.items()), default="unknown")
    grade = models.CharField(max_length=12, choices=list(GRADES.items()), default="unassessed")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    checks = models.JSONField(default=list)
    tier = models.CharField(max_length=12, choices=list(TIERS.items()))
    target_at = models.DateTimeField()
    stage = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=12, choices=list(STATES.items()), default="queued")
    officer = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="intel_referrals")
    allocated_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=list(OUTCOMES.items()), blank=True)
    outcome_note = models.TextField(blank=True)
    worked_at = models.DateTimeField(null=True, blank=True)
    worked_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["target_at"], name="referral_target_open",
                         condition=models.Q(state__in=["queued", "allocated"], stage__lt=2)),
            models.Index(fields=["state", "received_at"], name="referral_state_received"),
            models.Index(fields=["officer", "state"], name="referral_officer_state"),
        ]

    def __str__(self) -> str:
        return self.reference


class ReferralEvent(models.Model):
    """P7: a referral's history, one line per thing that happened to it (appended, never changed)."""

    referral = models.ForeignKey(IntelReferral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32)
    text = models.TextField()
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["referral", "-id"], name="referral_event_recent")]


class IncomingReferral(models.Model):
    """P11: a referral received from another force about someone living here (a suspect or a victim): the
    sending force, who sent it and how to reach them, what is asked, the person and the address the referral
    gives. Tracked until acknowledged here (who, when) and actioned; not acknowledged by `ack_due_at`, its
    owner is reminded (`stage` 1), and later its owner's team and the duty inspectors are told (`stage` 2)."""

    reference = models.CharField(max_length=20, unique=True)
    sending_force = models.CharField(max_length=200)
    sender = models.CharField(max_length=200)
    sender_contact = models.CharField(max_length=200, blank=True)
    their_reference = models.CharField(max_length=100, blank=True)
    received_via = models.CharField(max_length=16, choices=list(RECEIVED_VIA.items()))
    received_at = models.DateTimeField()
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="incoming_referrals")
    subject_role = models.CharField(max_length=16, choices=list(SUBJECT_ROLES.items()))
    address_given = models.CharField(max_length=300, blank=True)
    ask = models.TextField()
    log = models.ForeignKey("incidents.Log", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="incoming_referrals")
    state = models.CharField(max_length=16, choices=list(INCOMING_STATES.items()), default="received")
    ack_due_at = models.DateTimeField()
    stage = models.PositiveSmallIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    ack_note = models.TextField(blank=True)
    actioned_at = models.DateTimeField(null=True, blank=True)
    actioned_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action_note = models.TextField(blank=True)
    address_attended = models.CharField(max_length=300, blank=True)
    address_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["ack_due_at"], name="incoming_ack_due",
                                condition=models.Q(state="received", stage__lt=2)),
                   models.Index(fields=["state", "-received_at"], name="incoming_state_received")]

    def __str__(self) -> str:
        return self.reference
