"""`watchkeeper verify-audit`: prove the evidence (A3), or name what does not hold.

Three checks: the hash chain (the first record that does not chain); its tail against the latest signed
checkpoint kept outside the database (records deleted from the end, or altered with every later hash
recomputed); and the current state of audited rows against their latest audit record (a row changed
behind the trail's back, named by table, id, field, recorded and found)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("Verify the audit trail: its hash chain, its tail against the latest signed checkpoint, and the "
            "audited rows against their latest records.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--checkpoint", action="store_true",
                            help="after verifying, write a signed checkpoint of where the chain ends now")
        parser.add_argument("--reanchor", metavar="REASON", default="",
                            help="after a restore from backup: report the checkpoints that name records the "
                                 "database no longer has, move them aside, record why in the trail and sign a "
                                 "new checkpoint (the chain and the rows must still verify)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.audit.anchor import checkpoint_dir, reanchor, verify_tail, write_checkpoint
        from watchkeeper.audit.state import check_state
        from watchkeeper.audit.verify import verify_chain

        problems: list[str] = []
        count, brk = verify_chain()
        if brk is not None:
            problems.append(f"audit chain broken at record {brk.seq}: {brk.problem} ({count} records read)")
        else:
            self.stdout.write(f"audit chain valid: {count} records")

        cp, tail = verify_tail()
        if opts["reanchor"] and tail:
            for p in tail:
                self.stdout.write(f"superseded by re-anchoring: {p}")
            tail = []
        problems.extend(tail)
        if cp is None:
            self.stdout.write(f"no signed checkpoint yet in {checkpoint_dir()}: the tail is not anchored")
        elif not tail:
            self.stdout.write(f"tail matches the signed checkpoint of {cp.at} (record {cp.seq}, "
                              f"{cp.count} records)")

        kinds, mismatches = check_state()
        problems.extend(f"state differs from the audit trail: {m}" for m in mismatches)
        if not mismatches:
            self.stdout.write(f"audited rows match their latest audit records ({kinds} kinds checked)")

        if problems:
            for p in problems:
                self.stderr.write(p)
            raise CommandError(f"audit evidence does not hold: {len(problems)} problem(s)")
        if opts["reanchor"]:
            moved, written = reanchor(opts["reanchor"])
            self.stdout.write(f"re-anchored: earlier checkpoints kept in {moved}; new checkpoint at record "
                              f"{written.seq if written else '-'}")
        elif opts["checkpoint"]:
            written = write_checkpoint()
            self.stdout.write(f"checkpoint written: record {written.seq}" if written else
                              "no new records since the latest checkpoint")
