"""Use cases of the learning library (K1-K5): one function each, one module per section.

Every action checks the actor's permission, validates its input, then inside one unit of work loads and
locks what it changes, asks the rules, changes, and writes exactly one audit record. A refusal raises
before anything is written. Ingesting the same file again (same SHA-256) changes nothing and writes
nothing - it answers with the document already held - unless the parser now reads it better, when the
better reading is the record's next version (`records`).

- `common`: the force's day, input checks, who hears about unowned recommendations;
- `ingest` (K1), `records` (K1: better readings and hand corrections as record versions),
  `tracker` (K2), `self_assessment` (K3), `replays` (K4: replay runs as queued jobs),
  `settings` (K2's periods), `alerts` (K2's due and overdue alerts, fired by the sweeper).
"""

from __future__ import annotations

from watchkeeper.learning.actions.alerts import fire_learning_alerts
from watchkeeper.learning.actions.common import MAX_BYTES, MAX_TEXT, at_start_of, learning_leads, today
from watchkeeper.learning.actions.ingest import Ingested, fingerprint, ingest, read
from watchkeeper.learning.actions.records import correct_field, current_record
from watchkeeper.learning.actions.replays import (
    REPLAY_TIMEOUT_SECONDS,
    STALE_AFTER_SECONDS,
    claim_next,
    fail_stale_runs,
    request_replay,
    sweep_replay_runs,
)
from watchkeeper.learning.actions.self_assessment import answer_question
from watchkeeper.learning.actions.settings import set_setting
from watchkeeper.learning.actions.tracker import (
    add_action,
    add_evidence,
    complete_action,
    record_response,
    update_recommendation,
)

__all__ = [
    "MAX_BYTES",
    "MAX_TEXT",
    "REPLAY_TIMEOUT_SECONDS",
    "STALE_AFTER_SECONDS",
    "Ingested",
    "add_action",
    "add_evidence",
    "answer_question",
    "at_start_of",
    "claim_next",
    "complete_action",
    "correct_field",
    "current_record",
    "fail_stale_runs",
    "fingerprint",
    "fire_learning_alerts",
    "ingest",
    "learning_leads",
    "read",
    "record_response",
    "request_replay",
    "set_setting",
    "sweep_replay_runs",
    "today",
    "update_recommendation",
]
