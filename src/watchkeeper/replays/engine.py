"""The replay engine: steps, expected interventions, and drivers that speak to the API.

A replay acts out a lesson's case through the JSON API as the people in it would. At each point where the
case went wrong, it expects a safeguard to intervene (a refusal naming its ID, or a prompt/notification).
An expected intervention that does not happen fails the replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Response:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Driver(Protocol):
    """Speaks to the API as a named person (a persona with an API token)."""

    def call(self, persona: str, method: str, path: str, body: dict[str, Any] | None = None) -> Response: ...

    def wait_for_timers(self, until: Callable[[], bool], timeout: float = 15.0) -> bool:
        """Let the deadline sweeper run until `until()` holds (or time runs out)."""
        ...


class ReplayFailed(AssertionError):
    pass


@dataclass
class Intervention:
    safeguard: str
    step: str
    message: str


@dataclass
class Run:
    """What happened while a replay ran: its steps and the interventions seen."""

    name: str
    printer: Callable[[str], None] = print
    steps: list[str] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def step(self, text: str) -> None:
        self.steps.append(text)
        self.printer(f"  {len(self.steps):>2}. {text}")

    def note(self, text: str) -> None:
        self.printer(f"      {text}")

    def intervened(self, safeguard: str, message: str) -> None:
        self.interventions.append(Intervention(safeguard, self.steps[-1] if self.steps else "", message))
        self.printer(f"      ⛔ {safeguard} intervened: {message}")

    def fail(self, text: str) -> None:
        self.failures.append(text)
        self.printer(f"      ✗ EXPECTED INTERVENTION MISSING: {text}")


class Actor:
    """One person in the replay, acting through the driver."""

    def __init__(self, run: Run, driver: Driver, persona: str) -> None:
        self.run, self.driver, self.persona = run, driver, persona

    def notifications(self) -> list[dict[str, Any]]:
        body: list[dict[str, Any]] = self.do("GET", "/api/notifications").body
        return body

    def staff_id(self, username: str) -> int:
        staff: list[dict[str, Any]] = self.do("GET", "/api/staff").body
        return next(int(s["id"]) for s in staff if s["username"] == username)

    def version(self, reference: str) -> int:
        return int(self.do("GET", f"/api/logs/{reference}").body["version"])

    def told(self, safeguard: str, reference: str, kind: str | None = None) -> bool:
        return any(n["safeguard"] == safeguard and n["log"] == reference and (kind is None or n["kind"] == kind)
                   for n in self.notifications())

    def do(self, method: str, path: str, body: dict[str, Any] | None = None) -> Response:
        """An action the story needs to succeed."""
        resp = self.driver.call(self.persona, method, path, body)
        if not resp.ok:
            raise ReplayFailed(f"{self.persona} {method} {path} failed: {resp.status} {json.dumps(resp.body)[:400]}")
        return resp

    def attempt(self, method: str, path: str, body: dict[str, Any] | None = None, *,
                expect: str, status: int | None = None) -> Response:
        """An action the lesson shows going wrong: the safeguard `expect` must refuse it."""
        resp = self.driver.call(self.persona, method, path, body)
        sg = (resp.body or {}).get("safeguard", {}) if isinstance(resp.body, dict) else {}
        got = sg.get("id") if isinstance(sg, dict) else None
        if resp.ok or got != expect or (status is not None and resp.status != status):
            self.run.fail(f"{expect} should have refused {method} {path}; got {resp.status} {got or ''} "
                          f"{json.dumps(resp.body)[:300]}")
        else:
            self.run.intervened(expect, resp.body.get("message", ""))
        return resp


@dataclass(frozen=True)
class Replay:
    """A lesson case acted out. `safeguards` must all intervene when it runs; `planned` are the further
    safeguards the case calls for that are not built yet (shown by `replay --list`)."""

    name: str
    lesson: str
    title: str
    safeguards: tuple[str, ...]
    document: str
    quotes: tuple[str, ...]
    play: Callable[[Run, Callable[[str], Actor]], None] | None
    planned: tuple[str, ...] = ()

    @property
    def runnable(self) -> bool:
        return self.play is not None

    def run(self, driver: Driver, printer: Callable[[str], None] = print) -> Run:
        run = Run(self.name, printer)
        printer(f"▶ {self.name}: {self.title} ({self.lesson})")
        if self.play is None:
            run.fail("this replay is planned: the safeguards it needs are not built yet")
            return run
        try:
            self.play(run, lambda persona: Actor(run, driver, persona))
        except ReplayFailed as exc:
            run.fail(str(exc))
        missing = [sg for sg in self.safeguards if sg not in {i.safeguard for i in run.interventions}]
        for sg in missing:
            run.fail(f"{sg} never intervened")
        printer(f"  {'✔ passed' if run.ok else '✗ FAILED'}: interventions "
                f"{', '.join(sorted({i.safeguard for i in run.interventions})) or 'none'}")
        return run


@contextmanager
def quiet() -> Iterator[Callable[[str], None]]:
    lines: list[str] = []
    yield lines.append
