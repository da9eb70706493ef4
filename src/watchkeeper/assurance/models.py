"""The duty roster (shifts and rostered absences) and the staffing alerts raised from it."""

from __future__ import annotations

from django.db import models

from watchkeeper.assurance.rules import DESK_ROLES


class Shift(models.Model):
    """Someone on a desk role from one instant to another, or a rostered absence (leave, training,
    sickness). Never deleted or edited: a correction cancels the row (with its reason) and rosters anew.

    A rostered absence marks the person absent through staff's absence path when it begins (L8: their
    messages go to the team's queue; L9: review queues go to the deputy) and back when it ends; the two
    timers are columns the sweeper fires."""

    user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="shifts")
    desk_role = models.CharField(max_length=32, choices=list(DESK_ROLES.items()), blank=True)
    desk = models.CharField(max_length=100, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    absence = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=16, default="form")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    cancel_reason = models.CharField(max_length=500, blank=True)
    absence_start_due = models.DateTimeField(null=True, blank=True)
    absence_end_due = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["starts_at", "ends_at"], name="shift_window"),
            models.Index(fields=["user", "starts_at"], name="shift_user"),
            models.Index(fields=["absence_start_due"], name="shift_absence_start",
                         condition=models.Q(absence_start_due__isnull=False)),
            models.Index(fields=["absence_end_due"], name="shift_absence_end",
                         condition=models.Q(absence_end_due__isnull=False)),
        ]


class StaffingAlert(models.Model):
    """A desk role fell below its minimum: raised once (the duty inspector told, the gap named), resolved
    when the roster is back at the minimum. At most one open alert per desk role."""

    desk_role = models.CharField(max_length=32, choices=list(DESK_ROLES.items()))
    required = models.PositiveIntegerField()
    on_duty = models.PositiveIntegerField()
    short_from = models.DateTimeField()
    missing = models.JSONField(default=list)
    text = models.TextField()
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["desk_role"], condition=models.Q(resolved_at__isnull=True),
                                    name="one_open_staffing_alert"),
        ]


class TrainingRecord(models.Model):
    """A1: a course completed, and its last valid day (from the policy's validity when recorded). Kept
    forever; a renewal is a new record."""

    user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="training")
    course = models.CharField(max_length=64)
    completed_on = models.DateField()
    expires_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["user", "course", "-completed_on"], name="training_user_course")]


class TrainingLapse(models.Model):
    """A1: someone acted without current training a gate needs: they were warned and their supervisor told.
    The person records the reason they went ahead (the override); what was found is never changed."""

    user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="training_lapses")
    action = models.CharField(max_length=64)
    courses = models.JSONField(default=list)
    log = models.ForeignKey("incidents.Log", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    supervisor = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    override_reason = models.TextField(blank=True)
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "action", "log"], name="one_lapse_per_action_and_log"),
        ]
        indexes = [models.Index(fields=["user", "-at"], name="lapse_user")]


class AnomalyRun(models.Model):
    """A2: one run of the anomaly rules over the audit trail: the high-water mark it reached (the last audit
    sequence number read), so the next run reads only what is newer."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    from_seq = models.BigIntegerField()
    to_seq = models.BigIntegerField()
    scanned = models.PositiveIntegerField()
    flagged = models.PositiveIntegerField()
    via = models.CharField(max_length=16)


class WatchedPerson(models.Model):
    """A2: a person whose record is watched (a colleague, a neighbour of staff, a public figure): views by
    someone with no involvement are flagged. Kept by professional standards; ended, never deleted."""

    KINDS = [("colleague", "Colleague"), ("neighbour", "Neighbour of staff"), ("public_figure", "Public figure"),
             ("other", "Other")]

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=KINDS)
    reason = models.CharField(max_length=500)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)


class AnomalyFlag(models.Model):
    """A2: what a rule found, for professional standards only (the person flagged is never told). One open
    flag per rule, person flagged and record; later views add to it. A case is opened on it and its outcome
    recorded; nothing is deleted."""

    STATES = [("open", "Open"), ("case", "Case opened"), ("closed", "Outcome recorded")]
    OUTCOMES = [("no_concern", "No concern: a legitimate reason found"), ("advice", "Advice given"),
                ("misconduct", "Referred as misconduct"), ("criminal", "Referred for criminal investigation")]

    rule = models.CharField(max_length=32)
    user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    detail = models.TextField()
    seqs = models.JSONField(default=list)
    raised_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=STATES, default="open")
    case_opened_at = models.DateTimeField(null=True, blank=True)
    case_opened_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    case_note = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=OUTCOMES, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        indexes = [models.Index(fields=["state", "-raised_at"], name="flag_queue")]
        constraints = [
            models.UniqueConstraint(fields=["rule", "user", "person"], condition=models.Q(state="open"),
                                    name="one_open_flag_per_rule_user_person"),
        ]


class OverloadReport(models.Model):
    """A5: a member of staff says they are overloaded, and why. Supervisors see it on the dashboard."""

    user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("staff.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-at"], name="overload_at")]
