"""Incident logs and everything attached to them.

Nothing here is ever deleted (L1): the database refuses DELETE on logs, entries and contacts, and foreign
keys use PROTECT. Corrections are new entries (L2); state changes are new rows or audited updates.
"""

from __future__ import annotations

from django.db import models

CHANNELS = [
    ("999", "999 emergency call"),
    ("101", "101 non-emergency call"),
    ("switchboard", "Switchboard transfer"),
    ("front_counter", "Front counter visit"),
    ("email", "Email"),
    ("online", "Online report"),
    ("partner_agency", "Partner agency"),
    ("alarm", "Alarm"),
    ("police_generated", "Police generated"),
]
SOURCES = [
    ("manual", "Raised by a person"),
    ("online", "Online form"),
    ("alarm", "Alarm"),
    ("transfer", "System transfer"),
]


class Log(models.Model):
    """An incident log: the record of one incident from first contact to close."""

    STATUS = [("open", "Open"), ("closed", "Closed"), ("cancelled", "Cancelled"), ("merged", "Merged")]

    reference = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=SOURCES, default="manual")
    category = models.CharField(max_length=64)
    summary = models.CharField(max_length=200)
    location = models.CharField(max_length=300, blank=True)
    flags = models.JSONField(default=list)
    grade = models.CharField(max_length=32, null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    proposed_grade = models.CharField(max_length=32, null=True, blank=True)
    thrive = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=STATUS, default="open")
    owner = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="owned_logs")
    # L3: an earlier instruction to close; void once anything is added after it.
    ready_to_close_by = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ready_to_close_at = models.DateTimeField(null=True, blank=True)
    ready_to_close_seq = models.PositiveIntegerField(null=True, blank=True)
    # L9: automatic intake waits in a review queue until a person owns it.
    review_queue = models.ForeignKey(
        "incidents.IntakeQueue", null=True, blank=True, on_delete=models.PROTECT, related_name="logs"
    )
    review_assignee = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_owned_at = models.DateTimeField(null=True, blank=True)
    review_due_at = models.DateTimeField(null=True, blank=True)
    review_stage = models.PositiveSmallIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_logs"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    closing_code = models.CharField(max_length=64, blank=True)
    closing_note = models.TextField(blank=True)
    closing_authorised_by = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    last_seq = models.PositiveIntegerField(default=0)
    last_entry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(
                fields=["review_due_at"],
                name="log_review_due",
                condition=models.Q(review_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def awaiting_review(self) -> bool:
        return self.review_queue_id is not None and self.review_owned_at is None


class Contact(models.Model):
    """One contact from a member of the public, an agency or an officer (L8): every channel is recorded and
    attached to a log or addressed to a member of staff."""

    channel = models.CharField(max_length=20, choices=CHANNELS)
    received_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    log = models.ForeignKey(Log, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts")
    caller_name = models.CharField(max_length=200, blank=True)
    caller_phone = models.CharField(max_length=40, blank=True)
    caller_dob = models.DateField(null=True, blank=True)
    caller_age = models.PositiveSmallIntegerField(null=True, blank=True)
    caller_age_reason = models.CharField(max_length=200, blank=True)
    # Which party the caller is (L7): a counter-allegation from another party is never merged away.
    party = models.CharField(max_length=100, blank=True)
    account = models.TextField()
    allegation = models.TextField(blank=True)
    addressed_to = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    routed_to_team = models.ForeignKey(
        "staff.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="redirected_messages"
    )
    routed_reason = models.CharField(max_length=200, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["caller_phone", "-received_at"])]


class Entry(models.Model):
    """One line of a log's narrative. Never edited (L2): a correction is a new entry pointing at this."""

    KINDS = [
        ("narrative", "Narrative"),
        ("contact", "Caller's account"),
        ("correction", "Correction"),
        ("grading", "Grading"),
        ("system", "System"),
        ("request", "Service request"),
        ("task", "Task"),
        ("link", "Link"),
        ("close", "Close"),
    ]

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    author = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=KINDS, default="narrative")
    text = models.TextField()
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "seq"], name="entry_seq_unique_per_log")]
        ordering = ["log", "seq"]


class LogSeen(models.Model):
    """How far a person has read a log (L3) and when they last opened it (L5)."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    seen_seq = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "user"], name="one_seen_per_user_log")]


class LogAssignment(models.Model):
    """A member of staff assigned to a log: told of every addition (L4), given the full summary (L12)."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    summary = models.JSONField(default=dict)


class Grading(models.Model):
    """One grading decision with its THRIVE and the policy proposal it was made against (C4)."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="gradings")
    at = models.DateTimeField()
    graded_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=32)
    previous_grade = models.CharField(max_length=32, null=True, blank=True)
    proposed_grade = models.CharField(max_length=32, null=True, blank=True)
    proposal_reasons = models.JSONField(default=list)
    below_policy = models.BooleanField(default=False)
    rationale = models.TextField(blank=True)
    thrive = models.JSONField()
    authorised_by = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    downgrade_request = models.ForeignKey(
        "incidents.DowngradeRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class DowngradeRequest(models.Model):
    """A request to lower a log's grade, decided by an authoriser who has read the log (L5)."""

    STATES = [("pending", "Pending"), ("authorised", "Authorised"), ("refused", "Refused"),
              ("superseded", "Superseded")]

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="downgrade_requests")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    from_grade = models.CharField(max_length=32)
    to_grade = models.CharField(max_length=32)
    reason = models.TextField()
    thrive = models.JSONField()
    authoriser = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=STATES, default="pending")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)


class ServiceRequest(models.Model):
    """A request to or from another service (L6): who asks, for what, on what condition, and its state."""

    DIRECTIONS = [("outbound", "We ask them"), ("inbound", "They ask us")]
    SERVICES = [
        ("ambulance", "Ambulance service"),
        ("fire", "Fire and rescue"),
        ("hospital", "Hospital"),
        ("mental_health", "Mental-health team"),
        ("social_services", "Social services"),
        ("other_force", "Another police force"),
        ("other", "Other agency"),
    ]
    STATES = [("open", "Open"), ("actioned", "Actioned"), ("declined", "Declined"), ("withdrawn", "Withdrawn")]

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="service_requests")
    direction = models.CharField(max_length=10, choices=DIRECTIONS)
    service = models.CharField(max_length=20, choices=SERVICES)
    requester = models.CharField(max_length=200)
    ask = models.TextField()
    condition = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=STATES, default="open")
    state_note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")


class Task(models.Model):
    """A commitment with an owner and a due time (L11). Overdue: the owner is alerted, then the supervisor.

    `alert_at` is the next deadline; the sweeper claims it with a conditional update on `stage`.
    """

    STATES = [("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")]

    log = models.ForeignKey(Log, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    description = models.TextField()
    owner = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="tasks")
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=STATES, default="open")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(blank=True)
    stage = models.PositiveSmallIntegerField(default=0)  # 0 due, 1 owner alerted, 2 supervisor alerted
    alert_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["alert_at"], name="task_alert_due", condition=models.Q(alert_at__isnull=False))
        ]


class Link(models.Model):
    """Two logs about the same event or related events (L7). A counter-allegation is always a link."""

    KINDS = [("same_event", "Same event"), ("related", "Related"), ("counter_allegation", "Counter-allegation")]

    from_log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="links_out")
    to_log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="links_in")
    kind = models.CharField(max_length=20, choices=KINDS)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")


class IntakeQueue(models.Model):
    """A review queue for automatically created logs (L9), with a responsible reviewer and a deputy."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    reviewer = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    deputy = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """Something a person (or a team's queue) must see: an addition to their log, an overdue task,
    a message for an absent colleague, a downgrade to authorise."""

    recipient = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    team = models.ForeignKey(
        "staff.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="queue"
    )
    log = models.ForeignKey(Log, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    safeguard = models.CharField(max_length=8, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "read_at", "-id"]),
            models.Index(fields=["team", "read_at", "-id"]),
        ]
