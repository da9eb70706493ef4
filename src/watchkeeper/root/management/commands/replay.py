"""`watchkeeper replay [--list | --all | NAME ...]`: replay lessons through the API.

By default a replay runs against a throwaway database (the `watchkeeper` command points this process at a
temporary SQLite file before Django starts), so it never touches operational records. Each step and each
intervention is printed; the exit status is non-zero when an expected intervention did not happen.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Replay lesson cases through the system and show where safeguards intervene."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("names", nargs="*")
        parser.add_argument("--list", action="store_true")
        parser.add_argument("--all", action="store_true")
        parser.add_argument("--json", action="store_true", help="with --list: print JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.replays.catalogue import every, get

        if opts["list"]:
            rows: list[dict[str, Any]] = [{"name": r.name, "lesson": r.lesson, "title": r.title,
                     "safeguards": list(r.safeguards) if r.runnable else [],
                     "planned": list(r.planned) if r.runnable else list(r.safeguards),
                     "runnable": r.runnable} for r in every()]
            if opts["json"]:
                self.stdout.write(json.dumps(rows, indent=2))
            else:
                for r in rows:
                    state = "runnable" if r["runnable"] else "planned "
                    shows = ", ".join(r["safeguards"]) or "-"
                    later = f"  (planned: {', '.join(r['planned'])})" if r["planned"] else ""
                    self.stdout.write(f"{r['name']:<22} {state}  shows {shows:<16} {r['title']}{later}")
            return
        if opts["all"]:
            chosen = [r for r in every() if r.runnable]
            planned = [r.name for r in every() if not r.runnable]
        else:
            if not opts["names"]:
                raise CommandError("name a replay, or use --list or --all")
            try:
                chosen = [get(n) for n in opts["names"]]
            except KeyError as exc:
                raise CommandError(f"no replay called {exc.args[0]!r}; see `watchkeeper replay --list`") from None
            planned = []
        driver = _prepare()
        failed = []
        for replay in chosen:
            run = replay.run(driver, printer=self.stdout.write)
            if not run.ok:
                failed.append(replay.name)
        if planned:
            self.stdout.write(f"not yet replayable (their safeguards are planned): {', '.join(planned)}")
        if failed:
            raise CommandError(f"replays failed: {', '.join(failed)}")
        self.stdout.write(f"{len(chosen)} replay(s) passed")


def _prepare() -> Any:
    from watchkeeper.core.actor import Actor
    from watchkeeper.replays.drivers import InProcessDriver
    from watchkeeper.root.demo import seed_staff
    from watchkeeper.staff.actions import issue_token

    call_command("migrate", interactive=False, verbosity=0)
    people = seed_staff()
    tokens = {name: issue_token(Actor(None, via="replay"), u.pk, "replay")[1] for name, u in people.items()}
    return InProcessDriver(tokens)
