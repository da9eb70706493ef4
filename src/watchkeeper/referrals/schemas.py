"""The input of every referral action, as the API and the referral pages both give it (one input path).
Class names are unique across the API (the OpenAPI schema names them)."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from watchkeeper.core.validate import Day, Moment, Text
from watchkeeper.referrals.actions import MAX_IMPORT_BYTES

Code = Annotated[str, Field(max_length=32)]
Codes = Annotated[list[Code], Field(max_length=10)]


class IntelReferralIn(Schema):
    """P7: one intelligence referral: where it came from, who it is about, what it says, when it was received
    (blank: now) and its risk as known (access_to_children yes/unknown/no; risk_grade high/medium/low/unassessed;
    risk_score 0-100; checks done: dbs, pnc, visor, local, address, social_care)."""

    source: Text
    subject_name: Text
    summary: Text
    operation: Text = ""
    source_reference: Text = ""
    subject_dob: Day | None = None
    subject_address: Text = ""
    person_id: int | None = None
    received_at: Moment | None = None
    access_to_children: Code = "unknown"
    risk_grade: Code = "unassessed"
    risk_score: int | None = None
    checks: Codes = []


class ReferralImportIn(Schema):
    """P7: a list of referrals as CSV text (header: subject_name, summary and optionally dob, address,
    access_to_children, risk_grade, risk_score, source_reference, checks), all from one source."""

    source: Text
    text: Annotated[str, Field(max_length=MAX_IMPORT_BYTES)]
    operation: Text = ""
    received_at: Moment | None = None


class ReferralAllocateIn(Schema):
    """P7: the officer who takes charge of the referral (supervisors allocate)."""

    officer_id: int
    note: Text = ""


class ReferralRiskIn(Schema):
    """P7: the referral's risk as the checks show it now."""

    access_to_children: Code
    risk_grade: Code
    risk_score: int | None = None
    checks: Codes = []
    note: Text = ""


class ReferralOutcomeIn(Schema):
    """P7: the outcome of working the referral (visited, arrested, searched, case_opened, passed_on, no_action
    with the reason in note)."""

    outcome: Code
    note: Text = ""


class ReferralCaseIn(Schema):
    """P7: open a case from the referral (kind crime, safeguarding or public_protection)."""

    kind: Code = "public_protection"
    title: Text = ""


class IncomingReferralIn(Schema):
    """P11: a referral received from another force: who sent it (force, person, how to reach them), how, about
    whom (person_id, subject_role suspect/victim/witness/vulnerable/other), the address it gives, what is
    asked, the log it is on (reference, optional), its owner here (default: you) and when it must be
    acknowledged (blank: by policy)."""

    sending_force: Text
    sender: Text
    person_id: int
    ask: Text
    subject_role: Code = "other"
    received_via: Code = "email"
    sender_contact: Text = ""
    their_reference: Text = ""
    address_given: Text = ""
    reference: Text = ""
    received_at: Moment | None = None
    owner_id: int | None = None
    ack_due_at: Moment | None = None


class IncomingAckIn(Schema):
    """P11: acknowledge the referral (what the sending force was told)."""

    note: Text = ""


class IncomingActionedIn(Schema):
    """P11: what was done, the address attended (blank: the log's location when a log is named) and, when it is
    not the address the referral gives, why."""

    note: Text
    address_attended: Text = ""
    address_reason: Text = ""
    reference: Text = ""
