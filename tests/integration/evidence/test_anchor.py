"""The audit chain is anchored by signed checkpoints kept outside the database (A3): deleting the last
records, or altering one and recomputing every later hash, leaves a chain that verifies, and the tail check
against the latest checkpoint reports it."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.integration.evidence.support import sql
from tests.support.factories import raise_log
from watchkeeper.audit import anchor
from watchkeeper.audit.chain import link_hash
from watchkeeper.audit.models import AuditRecord
from watchkeeper.audit.verify import verify_chain
from watchkeeper.clocks import sweeper
from watchkeeper.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "audit.pem")
    settings.AUDIT_CHECKPOINT_INTERVAL_SECONDS = 60
    anchor._last_written.clear()
    yield tmp_path
    anchor._last_written.clear()


def _open_trail(table: str = "audit_auditrecord") -> None:
    """What someone with the database's owner rights would do first (rolled back with the test)."""
    for op in ("update", "delete"):
        name = f"wk_refuse_{op}_{table}"
        sql(f"DROP TRIGGER {name}" if connection.vendor == "sqlite" else f"DROP TRIGGER {name} ON {table}")


def test_the_signing_key_is_made_on_first_use_readable_by_its_owner_only(people, place):
    raise_log(people.actor("handler"))
    cp = anchor.write_checkpoint()
    assert cp is not None
    key = place / "keys" / "audit.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert cp.seq == AuditRecord.objects.order_by("-seq").first().seq
    assert cp.count == AuditRecord.objects.count()
    assert anchor.write_checkpoint() is None  # nothing new: no new checkpoint
    assert anchor.verify_tail() == (cp, [])


@pytest.mark.safeguard("A3")
def test_the_sweeper_writes_a_checkpoint_at_its_interval(people, place):
    assert "audit checkpoints (A3)" in dict(sweeper.handlers())
    raise_log(people.actor("handler"))
    now = clock.now()
    assert sweeper.sweep_once(now)["audit checkpoints (A3)"] == 1
    raise_log(people.actor("handler"))
    assert sweeper.sweep_once(now + timedelta(seconds=30))["audit checkpoints (A3)"] == 0  # not yet due
    assert sweeper.sweep_once(now + timedelta(seconds=61))["audit checkpoints (A3)"] == 1
    assert anchor.latest().seq == AuditRecord.objects.order_by("-seq").first().seq


@pytest.mark.safeguard("A3")
def test_deleting_the_last_records_is_reported_though_the_chain_still_verifies(people, place):
    raise_log(people.actor("handler"))
    raise_log(people.actor("handler"))
    cp = anchor.write_checkpoint()
    assert cp is not None
    _open_trail()
    sql("DELETE FROM audit_auditrecord WHERE seq > %s", [cp.seq - 3])
    assert verify_chain()[1] is None  # the chain alone cannot tell
    problems = anchor.verify_tail()[1]
    assert problems and "missing" in problems[0] and "deleted" in problems[0]
    with pytest.raises(CommandError, match="does not hold"):
        call_command("verify_audit")


@pytest.mark.safeguard("A3")
def test_altering_a_record_and_recomputing_later_hashes_is_reported(people, place):
    raise_log(people.actor("handler"))
    raise_log(people.actor("handler"))
    cp = anchor.write_checkpoint()
    assert cp is not None
    _open_trail()
    target = AuditRecord.objects.filter(action="log.raised").order_by("seq").first()
    prev = target.prev_hash
    for rec in AuditRecord.objects.filter(seq__gte=target.seq).order_by("seq"):
        if rec.seq == target.seq:
            rec.reason = "rewritten"
        content = rec.content()
        new_hash = link_hash(prev, content)
        sql("UPDATE audit_auditrecord SET reason = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [rec.reason, prev, new_hash, rec.seq])
        prev = new_hash
    assert verify_chain()[1] is None  # the chain alone cannot tell
    problems = anchor.verify_tail()[1]
    assert len(problems) == 1 and "altered" in problems[0]


@pytest.mark.safeguard("A3")
def test_a_checkpoint_altered_to_match_is_reported(people, place):
    raise_log(people.actor("handler"))
    cp = anchor.write_checkpoint()
    data = json.loads(cp.path.read_text())
    data["count"] -= 1
    cp.path.write_text(json.dumps(data))
    problems = anchor.verify_tail()[1]
    assert problems and "signature" in problems[0]


def test_verify_audit_reports_a_valid_anchored_trail_and_can_write_a_checkpoint(people, place, capsys):
    raise_log(people.actor("handler"))
    call_command("verify_audit", "--checkpoint")
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "checkpoint written" in out and "tail matches the signed checkpoint" in out
    assert "audited rows match" in out


def test_after_a_restore_an_operator_re_anchors_on_purpose_and_the_trail_says_so(people, place):
    """A restored database lacks the records signed after its backup: verify-audit says so until someone
    re-anchors with a reason; the old checkpoints are kept and the trail records what was superseded."""
    raise_log(people.actor("handler"))
    cp = anchor.write_checkpoint()
    _open_trail()
    sql("DELETE FROM audit_auditrecord WHERE seq > %s", [cp.seq - 2])  # as a restore from an older backup
    with pytest.raises(CommandError):
        call_command("verify_audit")
    call_command("verify_audit", "--reanchor", "Restored from last night's backup")
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.action == "audit.reanchored" and rec.before["seq"] == cp.seq
    assert rec.reason == "Restored from last night's backup"
    (kept,) = [p for p in cp.path.parent.parent.iterdir() if ".superseded-" in p.name]
    assert (kept / cp.path.name).exists()  # the old checkpoint is kept, not deleted
    call_command("verify_audit")
    assert anchor.latest().seq == rec.seq
