"""Units, assignments, response clocks, alerts and diverts (D1–D4). Every state transition is a row or a
time-stamped column; nothing is deleted."""

from __future__ import annotations

from django.db import models

UNIT_STATUSES = [
    ("available", "Available"),
    ("assigned", "Assigned"),
    ("en_route", "En route"),
    ("at_scene", "At scene"),
    ("committed", "Committed"),
    ("off_duty", "Off duty"),
]
AREA_TYPES = [("urban", "Urban"), ("rural", "Rural")]


class Unit(models.Model):
    """A unit: callsign, crew, skills, area and status (D4). Its status follows from its assignments, so a
    change on one assignment never bleeds into another."""

    callsign = models.CharField(max_length=20, unique=True)
    area = models.CharField(max_length=100)
    area_type = models.CharField(max_length=10, choices=AREA_TYPES, default="urban")
    skills = models.JSONField(default=list)
    crew = models.ManyToManyField("staff.User", related_name="units", blank=True)
    on_duty = models.BooleanField(default=True)
    status = models.CharField(max_length=12, choices=UNIT_STATUSES, default="available")
    status_at = models.DateTimeField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.callsign


class UnitStatusChange(models.Model):
    """Every change of a unit's status, time-stamped, with the assignment that caused it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="status_changes")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    assignment = models.ForeignKey("dispatch.Assignment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")


class Assignment(models.Model):
    """A unit on a log. Its own state (assigned → en route → at scene → cleared; or diverted, cancelled);
    a scheduled appointment stays "assigned" (the unit is committed, not en route) until it is attended.
    The circulation summary it was given is kept (L12)."""

    STATES = [("assigned", "Assigned"), ("en_route", "En route"), ("at_scene", "At scene"), ("cleared", "Cleared"),
              ("diverted", "Diverted"), ("cancelled", "Cancelled")]
    ACTIVE = ("assigned", "en_route", "at_scene")

    log = models.ForeignKey("incidents.Log", on_delete=models.PROTECT, related_name="unit_assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    state = models.CharField(max_length=10, choices=STATES, default="assigned")
    appointment_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    en_route_at = models.DateTimeField(null=True, blank=True)
    at_scene_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["unit", "state"]), models.Index(fields=["log", "state"])]


class ResponseClock(models.Model):
    """A log's target attendance time (D1): from the first contact, by grade and area type. The next alert
    is a deadline column the sweeper claims; attendance stops it. A log from an emergency channel gets its
    clock at once, as a grading clock: until it is graded its target is the grading deadline, alerting and
    escalating the same way; grading turns it into the response clock (from the same first contact) and
    keeps when it was graded and whether the grading deadline was missed."""

    KINDS = [("grading", "Grading deadline"), ("response", "Response target")]

    log = models.OneToOneField("incidents.Log", on_delete=models.PROTECT, related_name="clock")
    kind = models.CharField(max_length=10, choices=KINDS, default="response")
    graded_at = models.DateTimeField(null=True, blank=True)
    grading_breached_at = models.DateTimeField(null=True, blank=True)
    grade = models.CharField(max_length=32, null=True, blank=True)
    area_type = models.CharField(max_length=10, choices=AREA_TYPES, default="urban")
    started_at = models.DateTimeField()
    target_at = models.DateTimeField(null=True, blank=True)
    stage = models.PositiveSmallIntegerField(default=0)
    next_alert_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_alert_at"], name="clock_alert_due",
                                condition=models.Q(next_alert_at__isnull=False))]


class ClockChange(models.Model):
    """Why a clock's target changed (armed, re-graded, area changed), with the new target."""

    clock = models.ForeignKey(ResponseClock, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=32, null=True, blank=True)
    target_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()


class Alert(models.Model):
    """Something a person in the chain must acknowledge: a clock at 50% or 80% of its target, a breach, a
    divert awaiting a decision, no units available. Unacknowledged, it escalates dispatcher → controller →
    duty inspector at its deadline."""

    KINDS = [("clock", "Response clock"), ("breach", "Target breached"), ("grading", "Not graded in time"),
             ("divert", "Divert"),
             ("divert_approved", "Divert approved: find another unit"), ("no_units", "No units available")]
    LEVELS = [("dispatcher", "Dispatcher"), ("controller", "Controller"), ("duty_inspector", "Duty inspector")]

    log = models.ForeignKey("incidents.Log", on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16, choices=KINDS)
    level = models.CharField(max_length=16, choices=LEVELS)
    text = models.TextField()
    created_at = models.DateTimeField()
    escalate_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    note = models.TextField(blank=True)
    divert = models.ForeignKey("dispatch.Divert", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["escalate_at"], name="alert_escalate_due",
                                condition=models.Q(escalate_at__isnull=False))]


class Divert(models.Model):
    """A unit moved from log A to log B (D2): A is tagged, back on the pending queue with its clock running,
    and the controller approves or overrides by a deadline."""

    STATES = [("awaiting", "Awaiting decision"), ("approved", "Approved"), ("overridden", "Overridden"),
              ("escalated", "Escalated: no decision in time")]

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="diverts")
    from_log = models.ForeignKey("incidents.Log", on_delete=models.PROTECT, related_name="diverts_from")
    to_log = models.ForeignKey("incidents.Log", on_delete=models.PROTECT, related_name="diverts_to")
    from_assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    to_assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    state = models.CharField(max_length=12, choices=STATES, default="awaiting")
    decide_by = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["decide_by"], name="divert_decision_due",
                                condition=models.Q(decide_by__isnull=False))]
