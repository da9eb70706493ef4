"""The learning library: documents as uploaded, the cases read from them, and what the force does about
them (K1-K5).

Nothing here is deleted (database triggers refuse it): documents keep their original bytes and hash, a
self-assessment answer or a piece of evidence is a new row (the newest answer per question is current),
recommendations and actions change only through audited actions.
"""

from __future__ import annotations

from django.db import models

from watchkeeper.learning.rules import ACCEPTANCE, IMPLEMENTATION

KIND_CHOICES = [
    ("bulletin", "Learning bulletin"),
    ("case_report", "Single-case learning report"),
    ("recommendation_record", "Recommendation record"),
    ("unknown", "Not a known kind (text only)"),
]


class LearningSetting(models.Model):
    """One version of one learning setting (e.g. the 56-day response period, K2). A change is a new row;
    the newest row per key is in force."""

    key = models.CharField(max_length=64)
    value = models.JSONField()
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["key", "-id"])]


class Document(models.Model):
    """A learning document as uploaded (K1): the original bytes and their SHA-256 (the same file again
    is the same document), the text read from it, and the parsed record with the parser's warnings."""

    sha256 = models.CharField(max_length=64, unique=True)
    # What the document says, whatever its format: a second format of a held document is kept as a copy.
    fingerprint = models.CharField(max_length=64, db_index=True)
    copy_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies")
    filename = models.CharField(max_length=255)
    source_format = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    original = models.BinaryField()
    text = models.TextField()
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    title = models.CharField(max_length=300, blank=True)
    issue = models.PositiveIntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    force = models.CharField(max_length=120, blank=True)
    reference = models.CharField(max_length=64, blank=True)
    themes = models.JSONField(default=list)
    record = models.JSONField()
    warnings = models.JSONField(default=list)
    ingested_at = models.DateTimeField()
    ingested_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["kind", "-date"])]

    def __str__(self) -> str:
        return self.title or self.filename

    @property
    def label(self) -> str:
        if self.kind == "bulletin" and self.issue:
            return f"Bulletin {self.issue}: {self.title}"
        if self.kind == "case_report" and self.issue:
            return f"Issue {self.issue}: {self.title}"
        return self.title or self.filename


class RecordVersion(models.Model):
    """One version of a document's parsed record (K1). Version 1 is what the parser read at ingest; a
    later version is a better reading of the same document (another format of it, or the same file read
    again by an improved parser: source "reparse") or a learning lead's correction of a field (source
    "hand"). Each holds the whole record as it then stood, where each field came from in the text read
    (`provenance`: field path -> page and line) and what changed from the version before. Never edited
    or removed: the parser's original stays beside every correction. The newest version is current."""

    SOURCES = [("parser", "Read by the parser"), ("reparse", "Read again, better"), ("hand", "Corrected by hand")]

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=SOURCES)
    record = models.JSONField()
    provenance = models.JSONField(default=dict)
    changes = models.JSONField(default=list)
    reason = models.TextField(blank=True)
    read_from = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()
    made_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["document_id", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="learning_record_version_once")]


class Case(models.Model):
    """One lesson case (K1): a bulletin's case, a single-case report, or a recommendation record's
    summary. `code` is how lessons are named everywhere (B31.2, I41.2, REC-ESSEX; K4). `body` is the
    searchable text (K5); filters (kind, year, force, themes) are columns so search can use them."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="cases")
    code = models.CharField(max_length=64, db_index=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    force = models.CharField(max_length=120, blank=True)
    narrative = models.TextField(blank=True)
    actions_taken = models.JSONField(default=list)
    outcomes = models.JSONField(default=list)
    findings = models.JSONField(default=list)
    links = models.JSONField(default=list)
    topics = models.JSONField(default=list)
    themes = models.JSONField(default=list)
    details = models.JSONField(default=dict)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["document_id", "number", "id"]
        indexes = [models.Index(fields=["kind", "year"]), models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()


class CaseTheme(models.Model):
    """A theme of a case (K5), one row each, so search filters and the themes-by-year view are indexed
    queries. `key` is the theme compared without case; `label` as the document wrote it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="theme_rows")
    key = models.CharField(max_length=120)
    label = models.CharField(max_length=120)
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["key", "case"]), models.Index(fields=["key", "year"])]


class KeyQuestion(models.Model):
    """A key question from a case (K3): for policy makers and managers, or for officers and staff."""

    AUDIENCES = [("managers", "Policy makers and managers"), ("staff", "Police officers and staff")]

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="questions")
    audience = models.CharField(max_length=10, choices=AUDIENCES)
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["case_id", "audience", "position"]


class Answer(models.Model):
    """The force's answer to a key question (K3): its answer, evidence, the action it will take, owner and
    due date. Never edited: answering again adds a row; the newest is current."""

    question = models.ForeignKey(KeyQuestion, on_delete=models.PROTECT, related_name="answers")
    answer = models.TextField()
    evidence = models.TextField(blank=True)
    action = models.TextField(blank=True)
    owner = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["question", "-id"])]


class Recommendation(models.Model):
    """A recommendation to a force and its tracking (K2): reference, date made, response due (statutory
    default 56 days), addressed to, linked bodies, acceptance, the response, implementation.

    `alert_at` is the next deadline alert (due soon, then overdue); the sweeper claims it with a
    conditional update on `alert_stage`, so it fires once."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="recommendations")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveIntegerField()
    reference = models.CharField(max_length=100)
    scope = models.CharField(max_length=16, blank=True)
    text = models.TextField()
    date_made = models.DateField(null=True, blank=True)
    response_due = models.DateField(null=True, blank=True)
    response_due_is_default = models.BooleanField(default=False)
    addressed_to = models.CharField(max_length=200, blank=True)
    linked_bodies = models.JSONField(default=list)
    acceptance = models.CharField(max_length=16, choices=list(ACCEPTANCE.items()), default="pending")
    response = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    implementation = models.CharField(max_length=16, choices=list(IMPLEMENTATION.items()), default="not_started")
    owner = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    alert_stage = models.PositiveSmallIntegerField(default=0)
    alert_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["response_due", "id"]
        indexes = [
            models.Index(
                fields=["alert_at"], name="learning_rec_alert_due", condition=models.Q(alert_at__isnull=False)
            ),
        ]

    @property
    def responded(self) -> bool:
        return bool(self.response.strip())


class RecommendationAction(models.Model):
    """An action the force takes on a recommendation (K2), with an owner and a due date; alerted when due
    soon and when overdue (claimed like every timer)."""

    STATES = [("open", "Open"), ("done", "Done")]

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    state = models.CharField(max_length=8, choices=STATES, default="open")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    result = models.TextField(blank=True)
    alert_stage = models.PositiveSmallIntegerField(default=0)
    alert_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(
                fields=["alert_at"],
                name="learning_action_alert_due",
                condition=models.Q(alert_at__isnull=False),
            ),
        ]


class Evidence(models.Model):
    """Evidence that a recommendation is being (or has been) implemented (K2): what it is and where it is
    kept. Never edited or removed."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="evidence")
    action = models.ForeignKey(
        RecommendationAction, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    description = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]


class ReplayResult(models.Model):
    """One run of a lesson's replay (K4): whether the system would have intervened, with what it printed."""

    lesson = models.CharField(max_length=64, db_index=True)
    replay = models.CharField(max_length=64)
    passed = models.BooleanField()
    output = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    run_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-id"]


class ReplayRun(models.Model):
    """A lesson replay someone asked for (K4), run as a queued job rather than inside their request.

    The request makes a `queued` row (one audit record); the sweeper claims it with a conditional update
    (`queued` -> `running`), so two sweepers never run the same job, and runs the replay in its own
    throwaway database, recording each step as it completes. The outcome is `passed` or `failed` with a
    summary, the failure detail, and the `ReplayResult` it produced. A job still running past its bound
    (its server stopped, say) is failed on the next sweep with the reason. Kept forever, never deleted."""

    STATES = [("queued", "Queued"), ("running", "Running"), ("passed", "Passed"), ("failed", "Failed")]

    case = models.ForeignKey(Case, null=True, on_delete=models.PROTECT, related_name="replay_runs")
    lesson = models.CharField(max_length=64, db_index=True)
    replay = models.CharField(max_length=64)
    state = models.CharField(max_length=8, choices=STATES, default="queued")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(null=True, blank=True)
    current_step = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    failure = models.TextField(blank=True)
    result = models.OneToOneField(ReplayResult, null=True, blank=True, on_delete=models.PROTECT, related_name="run")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["state", "id"],
                name="learning_replay_run_open",
                condition=models.Q(state__in=["queued", "running"]),
            ),
        ]

    @property
    def done(self) -> bool:
        return self.state in ("passed", "failed")

    @property
    def percent(self) -> int | None:
        if self.state == "passed":
            return 100
        if not self.steps_total:
            return None
        return min(99, round(100 * self.steps_done / self.steps_total))
