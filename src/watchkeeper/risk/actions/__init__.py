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
from watchkeeper.risk.actions.instruments import load_instrument, shipped
from watchkeeper.risk.actions.missing import (
    fire_missing_reviews,
    record_found,
    record_place,
    report_missing,
    review_missing,
)

__all__ = ["answer", "fire_missing_reviews", "load_instrument", "newest_instrument", "record_decision",
           "record_found", "record_place", "record_refusal", "report_missing", "review", "review_missing",
           "shipped", "start_assessment", "submit", "view_assessment"]
