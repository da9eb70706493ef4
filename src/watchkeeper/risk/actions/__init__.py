"""The risk use cases, one function each (re-exported here)."""

from watchkeeper.risk.actions.assessments import (
    answer,
    newest_instrument,
    record_refusal,
    review,
    start_assessment,
    submit,
    view_assessment,
)
from watchkeeper.risk.actions.decisions import record_decision
from watchkeeper.risk.actions.followups import add_callback, complete_followup, fire_followups, refer_to_force
from watchkeeper.risk.actions.instruments import load_instrument, shipped
from watchkeeper.risk.actions.missing import (
    fire_missing_reviews,
    record_found,
    record_place,
    record_weather,
    report_missing,
    review_missing,
)

__all__ = ["add_callback", "answer", "complete_followup", "fire_followups", "fire_missing_reviews", "load_instrument",
           "newest_instrument", "record_decision", "record_found", "record_place", "record_refusal", "record_weather",
           "refer_to_force", "report_missing", "review", "review_missing", "shipped", "start_assessment", "submit",
           "view_assessment"]
