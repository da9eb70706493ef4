"""Risk assessments: the instruments a force loads (R1), the assessments made with them and every answer
given (R1, R5), the guidance beside the professional judgement and the supervisor's review (R3), and the
rationale of every risk decision (R6). Kept forever: nothing here is deleted, and answers and reviews are
appended, never edited."""

from __future__ import annotations

from django.db import models


class Instrument(models.Model):
    """One version of a risk instrument as a force loaded it (R1). The definition is the validated,
    canonical document; `digest` fingerprints it, so the same version is never loaded with other content."""

    code = models.CharField(max_length=64)
    version = models.CharField(max_length=32)
    title = models.CharField(max_length=300)
    definition = models.JSONField()
    digest = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    # A force withdraws an old version from new assessments by loading a newer one; the newest is offered.

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="risk_instrument_version")]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"


class Assessment(models.Model):
    """An assessment of one person with one instrument version, from a log or from the person (R1).

    draft -> submitted (the judgement at or above the guidance) or awaiting_review (below it, with the
    assessor's rationale, R3) -> reviewed (a supervisor agreed or raised the level, with their rationale).
    `level` is the level in force: the judgement, or the reviewer's."""

    STATES = [("draft", "In progress"), ("submitted", "Submitted"), ("awaiting_review", "Awaiting review"),
              ("reviewed", "Reviewed")]

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="risk_assessments")
    subject_role = models.CharField(max_length=16)
    log = models.ForeignKey("incidents.Log", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="risk_assessments")
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    started_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=STATES, default="draft")
    # R5: the person refused the whole assessment; the officer completes it from what police hold.
    person_refused = models.BooleanField(default=False)
    refusal_note = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    guidance_level = models.CharField(max_length=64, blank=True)
    guidance = models.JSONField(null=True, blank=True)  # Guidance.as_dict() at submission
    mandatory = models.JSONField(null=True, blank=True)  # the sections that were mandatory, and why (R2)
    judgement_level = models.CharField(max_length=64, blank=True)
    judgement_rationale = models.TextField(blank=True)
    below_guidance = models.BooleanField(default=False)
    level = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "started_at"], name="risk_assessment_person"),
            models.Index(fields=["log", "started_at"], name="risk_assessment_log"),
            models.Index(fields=["state", "submitted_at"], name="risk_assessment_state"),
        ]


class Answer(models.Model):
    """One answer given to one question, by whom and when. The newest answer per question is in force;
    a changed answer is a new row (R1: a half-finished assessment is never lost). R5: `refused` records
    that the person declined; `value` may then come from police records (`source`)."""

    SOURCES = [("person", "The person assessed"), ("records", "Police records"), ("officer", "The officer")]

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="answers")
    question = models.CharField(max_length=64)
    value = models.TextField(blank=True)
    refused = models.BooleanField(default=False)
    source = models.CharField(max_length=16, choices=SOURCES, default="person")
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["assessment", "question", "id"], name="risk_answer_question")]


class Review(models.Model):
    """R3: a supervisor's review of a judgement below the guidance: agreed or raised, with their rationale."""

    DECISIONS = [("agree", "Agreed"), ("raise", "Raised")]

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="reviews")
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=DECISIONS)
    from_level = models.CharField(max_length=64)
    to_level = models.CharField(max_length=64)
    rationale = models.TextField()


class Decision(models.Model):
    """R6: a decision that changes risk or the plan (arrest or not, a dynamic risk assessment at scene,
    removing protection, changing a level), with who, when, why, and the facts on screen then."""

    KINDS = [("arrest", "Arrest or not"), ("search", "Search of premises"), ("interview", "Interview"),
             ("dynamic_risk", "Dynamic risk assessment at scene"),
             ("protection_removed", "Removing protection"), ("level_changed", "Changing a risk level"),
             ("plan", "Safety or contact plan"), ("no_assessment", "Assessment could not be done (why)"),
             ("other", "Another risk decision")]
    # R1: a "no_assessment" decision names in `facts["instrument"]` the instrument it could not be done with

    log = models.ForeignKey("incidents.Log", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="risk_decisions")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="risk_decisions")
    kind = models.CharField(max_length=24, choices=KINDS)
    decision = models.TextField()
    rationale = models.TextField()
    facts = models.JSONField(default=dict)  # what the system showed when it was made
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")


class MissingPerson(models.Model):
    """P9: a person reported missing, from a log or directly: the risk level in force, the officer leading,
    and when the next review of the level is due (its cadence and the reviewer's role depend on the level).
    An overdue review escalates once (`review_stage` 1) until a review is recorded."""

    LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
    STATES = [("missing", "Missing"), ("found", "Found")]

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="missing_records")
    log = models.ForeignKey("incidents.Log", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="missing_records")
    reported_at = models.DateTimeField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="missing_led")
    level = models.CharField(max_length=8, choices=LEVELS)
    state = models.CharField(max_length=8, choices=STATES, default="missing")
    review_due_at = models.DateTimeField(null=True, blank=True)
    review_stage = models.PositiveSmallIntegerField(default=0)
    found_at = models.DateTimeField(null=True, blank=True)
    found_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["review_due_at"], name="risk_missing_review_due",
                                condition=models.Q(state="missing", review_stage=0))]


class MissingReview(models.Model):
    """P9: a review of a missing person's risk level, by a reviewer of the level's role."""

    record = models.ForeignKey(MissingPerson, on_delete=models.PROTECT, related_name="reviews")
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    from_level = models.CharField(max_length=8)
    level = models.CharField(max_length=8)
    note = models.TextField()


class MissingPlace(models.Model):
    """P9: a place searched, ruled out or not yet done, with the decision on forcing entry and who made it."""

    STATUSES = [("searched", "Searched"), ("ruled_out", "Ruled out"), ("not_yet", "Not yet done")]
    ENTRY = [("not_needed", "Not needed"), ("forced", "Entry forced"), ("not_forced", "Decided not to force")]

    record = models.ForeignKey(MissingPerson, on_delete=models.PROTECT, related_name="places")
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    place = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=STATUSES)
    forced_entry = models.CharField(max_length=12, choices=ENTRY, default="not_needed")
    note = models.TextField(blank=True)


class MissingWeather(models.Model):
    """P9: the weather recorded or forecast where a missing person may be (cold, heat, storm, or none of
    concern), by whom and when; the newest is in force and feeds the escalation prompts."""

    CONDITIONS = [("cold", "Cold"), ("heat", "Heat"), ("storm", "Storm"), ("none", "No weather concern")]

    record = models.ForeignKey(MissingPerson, on_delete=models.PROTECT, related_name="weather")
    at = models.DateTimeField()
    by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    condition = models.CharField(max_length=8, choices=CONDITIONS)
    note = models.TextField(blank=True)


class FollowUp(models.Model):
    """A task that stays open until done: a callback to the agency that reported a missing person (P9), or a
    referral to the local force for a suspect living outside the force area (R7, P11), done when that force
    acknowledges it. Its owner is reminded when it falls due (`stage` 1); still open `escalate_after`
    minutes later, it escalates to the owner's team and the duty inspectors (`stage` 2)."""

    KINDS = [("agency_callback", "Callback to the reporting agency"), ("force_referral", "Referral to another force")]
    STATES = [("open", "Open"), ("done", "Done")]

    kind = models.CharField(max_length=16, choices=KINDS)
    missing = models.ForeignKey(MissingPerson, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="followups")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="risk_followups")
    log = models.ForeignKey("incidents.Log", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="risk_followups")
    party = models.CharField(max_length=200)  # the agency called back, or the force referred to
    contact = models.CharField(max_length=200, blank=True)  # how to reach them
    ask = models.TextField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="risk_followups")
    due_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=STATES, default="open")
    stage = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)  # P11: who at the other force

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="risk_followup_due", condition=models.Q(state="open"))]
