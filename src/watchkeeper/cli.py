"""The `watchkeeper` command.

It runs the project's own management commands (and Django's `migrate` and `check`). Commands that would
remove records (`flush`, `sqlflush`, ...) are not reachable from here: nothing is deleted (L1).
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": "Run the web server and the sweeper",
    "demo": "Migrate, load the demonstration force and serve",
    "migrate": "Create or update the database schema",
    "load-demo": "Load the demonstration force into the database",
    "replay": "Replay lessons through the system (--list, --all, NAME)",
    "safeguards": "Print the safeguard registry (--json)",
    "verify-audit": "Prove the audit trail: chain, tail against the signed checkpoint, rows against their records",
    "backup": "Write a consistent backup of the database to PATH (safe while serving)",
    "restore": "Restore the database from a backup (refuses to replace records without --force)",
    "bench": "Run a benchmark and print JSON",
    "generate-history": "Write a synthetic force history for scale tests (--logs N, --seed N)",
    "eval-cues": "Measure risk-cue detection on the labelled set",
    "train-cues": "Retrain the learned risk-cue model from the labelled set (needs the dev dependencies)",
    "sweep": "Run the deadline sweeper once (or --forever)",
    "anomalies": "Run the access-audit anomaly rules (A2) from the last run's high-water mark",
    "import-gazetteer": "Load a gazetteer CSV (UPRN/postcode -> coordinates) for the map",
    "bench-search": "Benchmark search across logs over HTTP on a generated history (p50/p99)",
    "create-staff": "Create a member of staff",
    "api-token": "Issue an API token for a member of staff",
    "ingest": "Add learning documents to the library (--json prints every parsed record)",
    "check": "Check the installation",
    "makemigrations": "Developers: generate migrations",
    "showmigrations": "List migrations and whether they are applied",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print("usage: watchkeeper COMMAND [options]\n\ncommands:")
        for name, text in COMMANDS.items():
            print(f"  {name:<15} {text}")
        raise SystemExit(0)
    command = argv[0]
    if command not in COMMANDS:
        print(f"watchkeeper: unknown command {command!r}; see `watchkeeper --help`", file=sys.stderr)
        raise SystemExit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    if command == "replay" and "--list" not in argv and "--in-place" not in argv:
        # Replays act out incidents; they run in a throwaway database, never among real records.
        import tempfile

        scratch = tempfile.mkdtemp(prefix="watchkeeper-replay-")
        os.environ["WATCHKEEPER_DATABASE_URL"] = f"sqlite:///{scratch}/replay.sqlite3"
    argv = [a for a in argv if a != "--in-place"]
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["watchkeeper", command.replace("-", "_"), *argv[1:]])
    except ImproperlyConfigured as exc:
        # A setting that cannot be understood (or must not be used) stops the command with what to change.
        print(f"watchkeeper: not started: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
