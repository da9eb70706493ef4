"""Use cases of incident logs: one function each, one module per part of a log's life.

Every action: checks the actor's permission, loads and locks what it changes, asks the rules, changes,
writes its audit record(s) and publishes live events, all inside one unit of work. A refusal raises
before anything is written, so a refused action leaves no trace but its error.

- common: inputs (ContactIn) and the helpers the others share (resolve, lock, notify, append entries);
- contacts: raising a log, further contacts, messages for an officer (L1, L8);
- reading: the audited view of a log, what is unseen, circulation (L3, L5, L12);
- narrative: entries and the header;  grading: grade, downgrade, floor (C4, L5, D5);
- closing: ready, close, cancel, reopen (L3, L10);  tasks: service requests and tasks (L6, L11);
- links: links and merges (L7);  assignment: staff, reviews, notifications (L9, L12);
- sweeper: task alerts and review escalations;  intake: intake queue reviewers (L9).

Other apps and tests import from this package (`from watchkeeper.incidents import actions`); the names
below are the ones they use.
"""

from __future__ import annotations

from watchkeeper.incidents.actions.assignment import (
    assign_staff,
    read_notification,
    take_review,
)
from watchkeeper.incidents.actions.closing import (
    cancel_log,
    close_log,
    mark_ready_to_close,
    reopen_log,
)
from watchkeeper.incidents.actions.common import (
    CHANNEL_CODES,
    MAX_TEXT,
    ContactIn,
    _append,
    _changed,
    _lock,
    _notify,
    _repropose,
    _require_open,
    _staff,
    _supervisor_of,
    family_ids,
    grade_facts,
    grade_floor,
    resolve,
)
from watchkeeper.incidents.actions.contacts import (
    handle_message,
    raise_log,
    record_contact,
    send_message,
)
from watchkeeper.incidents.actions.grading import (
    decide_downgrade,
    entries_since_last_grading,
    grade_log,
    request_downgrade,
)
from watchkeeper.incidents.actions.intake import (
    intake_queues,
    set_intake_reviewers,
)
from watchkeeper.incidents.actions.links import (
    link_logs,
    merge_logs,
)
from watchkeeper.incidents.actions.narrative import (
    add_entry,
    update_log,
)
from watchkeeper.incidents.actions.reading import (
    LogView,
    changes_since,
    circulation,
    unseen_for,
    view_log,
    view_unseen,
)
from watchkeeper.incidents.actions.sweeper import (
    fire_review_escalations,
    fire_task_alerts,
)
from watchkeeper.incidents.actions.tasks import (
    SERVICE_CODES,
    _new_task,
    add_service_request,
    add_task,
    complete_task,
    update_service_request,
)

__all__ = [
    "_append",
    "_changed",
    "CHANNEL_CODES",
    "ContactIn",
    "family_ids",
    "grade_facts",
    "grade_floor",
    "_lock",
    "MAX_TEXT",
    "_notify",
    "_repropose",
    "_require_open",
    "resolve",
    "_staff",
    "_supervisor_of",
    "handle_message",
    "raise_log",
    "record_contact",
    "send_message",
    "changes_since",
    "circulation",
    "LogView",
    "unseen_for",
    "view_log",
    "view_unseen",
    "add_entry",
    "update_log",
    "decide_downgrade",
    "entries_since_last_grading",
    "grade_log",
    "request_downgrade",
    "cancel_log",
    "close_log",
    "mark_ready_to_close",
    "reopen_log",
    "add_service_request",
    "add_task",
    "complete_task",
    "_new_task",
    "SERVICE_CODES",
    "update_service_request",
    "link_logs",
    "merge_logs",
    "assign_staff",
    "read_notification",
    "take_review",
    "fire_review_escalations",
    "fire_task_alerts",
    "intake_queues",
    "set_intake_reviewers",
]
