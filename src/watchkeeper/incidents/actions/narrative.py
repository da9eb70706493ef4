"""The narrative: entries (L2, corrections) and the log's header (category, markers, summary)."""

from __future__ import annotations

from watchkeeper.audit import writer as audit
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents import hooks, rules
from watchkeeper.incidents.actions.common import (
    MAX_TEXT,
    _append,
    _changed,
    _lock,
    _repropose,
    _require_open,
    _snapshot,
)
from watchkeeper.incidents.actions.reading import changes_since
from watchkeeper.incidents.models import (
    Entry,
    Log,
)


def add_entry(
    actor: Actor,
    reference: str,
    text: str,
    *,
    corrects_seq: int | None = None,
    add_flags: list[str] | None = None,
) -> Entry:
    """Add to the narrative (L2: append only). A correction is a new entry pointing at the one it corrects.
    Appends never overwrite each other, so they need no version; everyone concerned is told (L4)."""
    actor.require("entry.add")
    policy = current_policy()
    text = v.text(text, "text", max_length=MAX_TEXT)
    flags = [v.choice(f, "add_flags", policy.flag_codes()) for f in (add_flags or [])]
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "add an entry")
        corrects = None
        if corrects_seq is not None:
            corrects = Entry.objects.filter(log=log, seq=corrects_seq).first()
            if corrects is None:
                raise Invalid(f"Log {log.reference} has no entry {corrects_seq} to correct", "corrects_seq")
        entry = _append(actor, log, "correction" if corrects else "narrative", text, corrects=corrects,
                        policy=policy)
        new_flags = [f for f in flags if f not in log.flags]
        if new_flags:
            log.flags = [*log.flags, *new_flags]
            log.save(update_fields=["flags"])
            _changed(log, "log.changed", {"flags": log.flags})
            hooks.run(hooks.AFTER_CLASSIFICATION, actor, log, policy)
        hooks.run(hooks.AFTER_ENTRIES, actor, log, [entry], policy)
        audit.record(actor, "entry.added", "entry", f"{log.reference}/{entry.seq}",
                     after={"text": text, "corrects": corrects_seq, "flags_added": new_flags})
        _repropose(actor, log, policy)
    return entry


def update_log(
    actor: Actor,
    reference: str,
    *,
    expected_version: int | None,
    category: str | None = None,
    summary: str | None = None,
    location: str | None = None,
    flags: list[str] | None = None,
    reason: str = "",
) -> Log:
    """Change a log's header (category, summary, location, flags). Refused with what changed when made
    against an old version (L4). Removing a safeguarding flag needs a reason."""
    actor.require("log.update")
    policy = current_policy()
    reason = v.text(reason, "reason", max_length=2000, required=False)
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "change it")
        rules.check_version(expected_version, log.version, changes_since(log, expected_version or 0))
        before = _snapshot(log)
        changes: list[str] = []
        if category is not None and category != log.category:
            if policy.category(category) is None:
                raise Invalid(f"Unknown category {category!r}", "category")
            changes.append(f"category {policy.category_label(log.category)} → {policy.category_label(category)}")
            log.category = category
            for f in policy.category(category)["flags"]:  # type: ignore[index]
                if f not in log.flags:
                    log.flags = [*log.flags, f]
        if summary is not None and summary.strip() != log.summary:
            log.summary = v.text(summary, "summary", max_length=200)
            changes.append(f"summary: {log.summary}")
        if location is not None and location.strip() != log.location:
            log.location = v.text(location, "location", max_length=300, required=False)
            changes.append(f"location: {log.location}")
        if flags is not None:
            wanted = [v.choice(f, "flags", policy.flag_codes()) for f in flags]
            removed = [f for f in log.flags if f not in wanted]
            if removed and not reason:
                raise Refusal("Removing a safeguarding flag needs a reason.", safeguard="L10",
                              next_step="Say why the flag no longer applies.")
            if set(wanted) != set(log.flags):
                changes.append("flags: " + (", ".join(policy.flag_label(f) for f in wanted) or "none"))
                log.flags = wanted
        if not changes:
            return log
        log.save(update_fields=["category", "summary", "location", "flags"])
        audit.record(actor, "log.updated", "log", log.reference, before=before, after=_snapshot(log),
                     reason=reason)
        _append(actor, log, "system", "Log updated: " + "; ".join(changes) + (f" (reason: {reason})"
                if reason else ""), policy=policy)
        hooks.run(hooks.AFTER_CLASSIFICATION, actor, log, policy)
        _repropose(actor, log, policy)
    return log
