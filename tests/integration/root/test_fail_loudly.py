"""Where the system must not guess, it says so: a moved clock is recorded in the audit trail, and a
synthetic history is never written among real logs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.factories import raise_log
from watchkeeper.audit import writer
from watchkeeper.audit.models import AuditRecord
from watchkeeper.audit.verify import verify_chain
from watchkeeper.bench.history import refuse_real_logs
from watchkeeper.core import clock
from watchkeeper.core.actor import SYSTEM
from watchkeeper.core.uow import unit_of_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill_clock(monkeypatch: pytest.MonkeyPatch) -> timedelta:
    """This process as a drill: its clock moved two hours on (as WATCHKEEPER_CLOCK_OFFSET_SECONDS with
    WATCHKEEPER_DRILL=1 would at start), not yet recorded."""
    offset = timedelta(hours=2)
    monkeypatch.setattr(clock, "_OFFSET", offset)
    monkeypatch.setattr(writer, "_offset_recorded", writer.threading.Event())
    return offset


def test_a_moved_clock_is_recorded_before_the_first_record_of_the_process(people, drill_clock) -> None:
    raise_log(people.actor("handler"))
    raise_log(people.actor("handler"), phone="07700 900002")
    records = list(AuditRecord.objects.order_by("seq"))
    offsets = [r for r in records if r.action == "clock.offset"]
    assert len(offsets) == 1  # once per process
    first = offsets[0]
    assert records.index(first) < next(i for i, r in enumerate(records) if r.action == "log.raised")
    assert first.object_id == writer.PROCESS and first.actor_username == "system"
    assert first.after["offset_seconds"] == drill_clock.total_seconds() and first.after["drill"] is True
    assert "not the real time" in first.reason
    assert verify_chain()[1] is None


def test_a_moved_clock_rolled_back_with_its_action_is_recorded_again(people, drill_clock) -> None:
    with pytest.raises(RuntimeError), unit_of_work():
        writer.record(SYSTEM, "test.action", "test", 1)
        raise RuntimeError("the action fails after writing")
    assert not AuditRecord.objects.exists()
    with unit_of_work():
        writer.record(SYSTEM, "test.action", "test", 2)
    assert list(AuditRecord.objects.order_by("seq").values_list("action", flat=True)) == ["clock.offset",
                                                                                        "test.action"]


def test_the_real_clock_writes_no_offset_record(people) -> None:
    raise_log(people.actor("handler"))
    assert not AuditRecord.objects.filter(action="clock.offset").exists()


def test_generate_history_refuses_a_database_with_real_logs(people) -> None:
    refuse_real_logs()  # no logs at all: a fresh database
    raise_log(people.actor("handler"))
    with pytest.raises(RuntimeError, match="1 log\\(s\\) that were not generated"):
        refuse_real_logs()


def test_generate_history_accepts_a_database_of_generated_logs_only(people) -> None:
    log = raise_log(people.actor("handler"))
    # As if that log had been written by an earlier generation (its import record counts the logs it wrote).
    with unit_of_work():
        writer.record(SYSTEM, "history.imported", "history", "seed-1", after={"logs": 1})
    refuse_real_logs()
    assert log.pk
