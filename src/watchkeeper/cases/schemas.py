"""The input of every case action, as the API and the case pages both give it (one input path)."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from watchkeeper.core.validate import Day, Moment, Text


class OpenIn(Schema):
    """P1: a case, from a log (its reference) or directly; officer in charge and supervisor by default the
    person opening it and their team supervisor."""

    kind: Text
    title: Text
    summary: Text = ""
    reference: Text = ""
    officer_id: int | None = None
    supervisor_id: int | None = None
    risk: Text = "standard"


class CasePartyIn(Schema):
    person_id: int
    role: Text


class RiskAssessmentIn(Schema):
    """R1 from a case: assess a person on the case with an instrument (its code); `role` defaults to their role
    on the case."""

    person_id: int
    instrument: Text
    role: Text = ""


class LogIn(Schema):
    reference: Text


class HandoverIn(Schema):
    """P1: to whom, why, and the summary the receiver acknowledges. kind "officer" (the case) or
    "supervisor" (its supervision); handing the case to its supervisor queues it to them."""

    to_user_id: int
    reason: Text
    summary: Text
    kind: Text = "officer"


class AcknowledgeIn(Schema):
    handover_id: int


class CaseCloseIn(Schema):
    note: Text


class CaseReviewIn(Schema):
    """P2: a supervisory review: what it found, the evidence of progress it saw ("kind:id": event, entry, task,
    assessment) or that there was none, and the risk after it (blank: unchanged)."""

    note: Text
    evidence: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=50)] = []
    no_progress: bool = False
    risk: Text = ""


class PointOfContactIn(Schema):
    """P3: the victim's single point of contact across all their cases, and why it is set or changed."""

    user_id: int
    reason: Text


class ContactIn(Schema):
    """P3: a contact with a victim on the case: the channel, when (blank: now) and what was said."""

    person_id: int
    channel: Text
    summary: Text
    at: Moment | None = None


class ChannelsIn(Schema):
    """P4: how the victim prefers to be told, in order (channels: phone, in_person, letter, email, text, ...)."""

    channels: Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=10)]
    note: Text = ""


class UpdateIn(Schema):
    """P4: an update to a victim on the case: kind (bail_change, no_further_action, protection_ending,
    court_result, other), the channel, what they were told and when it was sent (blank: now)."""

    person_id: int
    kind: Text
    channel: Text
    text: Text
    sent_at: Moment | None = None


class DeliveryIn(Schema):
    """P4: whether an update reached the victim: outcome "confirmed" or "failed" (failure: returned_letter,
    unanswered_call, voicemail_unacknowledged, bounced_email, other)."""

    update_id: int
    outcome: Text
    failure: Text = ""
    note: Text = ""


class ConflictIn(Schema):
    """P10: a declared conflict of interest on the case, or on a person on it (person_id)."""

    nature: Text
    person_id: int | None = None


class AssessIn(Schema):
    """P10: a supervisor's assessment of a declaration: decision (allowed, allowed_with_conditions,
    not_allowed), the rationale, and the conditions when allowed with conditions."""

    conflict_id: int
    decision: Text
    rationale: Text
    conditions: Text = ""


class AgencyReferralIn(Schema):
    """P6: a referral to, or meeting of, a multi-agency forum: kind (marac, mappa, strategy, mash, other), its
    date and a note."""

    kind: Text
    meeting_at: Moment
    note: Text = ""


class AgencyActionIn(Schema):
    """P6: an action agreed with partner agencies: what, one owner (owner_id, a member of staff, or agency, a
    partner agency's name), when due, and the referral it came from (optional)."""

    description: Text
    due_at: Moment
    owner_id: int | None = None
    agency: Text = ""
    referral_id: int | None = None


class AgencyActionDoneIn(Schema):
    """P6: a multi-agency action complete, and what was done."""

    action_id: int
    note: Text


class DisclosureDecisionIn(Schema):
    """P5: the decision on considering disclosure to a victim of a suspect's history: decision (disclose,
    not_disclose) and why; for a disclosure, how it was delivered (channel: in_person, phone, letter, ...) and
    when (delivered_at)."""

    disclosure_id: int
    decision: Text
    rationale: Text
    channel: Text = ""
    delivered_at: Moment | None = None


Places = Annotated[list[Annotated[str, Field(max_length=300)]], Field(max_length=10)]


class BailConditionIn(Schema):
    """P8: a bail condition on a suspect on the case: the condition as imposed, its proportionality rationale,
    the review and end dates, places it keeps the suspect from and activities it restricts; the case's victims
    are protected unless protect_victims is false."""

    suspect_id: int
    text: Text
    rationale: Text
    review_on: Day
    end_on: Day
    places: Places = []
    activities: Places = []
    protect_victims: bool = True


class BailAmendIn(Schema):
    """P8: amend a condition in force: the new condition, its rationale and dates, and why it is amended."""

    condition_id: int
    text: Text
    rationale: Text
    reason: Text
    review_on: Day
    end_on: Day
    places: Places = []
    activities: Places = []
    protect_victims: bool = True


class BailReviewIn(Schema):
    """P8: a review of a condition in force: why it is still necessary and proportionate, and the next review."""

    condition_id: int
    note: Text
    next_review_on: Day


class BailEndIn(Schema):
    """P8: end a condition in force, and why."""

    condition_id: int
    reason: Text
