"""Drivers: the same replay runs in-process (Django's test client, for `watchkeeper replay`) or over real
HTTP against a running server (the scenario tests)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from watchkeeper.replays.engine import Response


def _poll(check: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(every)
    return check()


class InProcessDriver:
    """Through the whole Django stack (middleware, authentication, API), without a network."""

    def __init__(self, tokens: dict[str, str]) -> None:
        from django.test import Client

        self.client = Client(HTTP_HOST="localhost")
        self.tokens = tokens

    def call(self, persona: str, method: str, path: str, body: dict[str, Any] | None = None) -> Response:
        fn = getattr(self.client, method.lower())
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[persona]}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        resp = fn(path, **kwargs)
        try:
            data = resp.json()
        except ValueError:
            data = {"raw": resp.content.decode(errors="replace")[:500]}
        return Response(resp.status_code, data)

    def wait_for_timers(self, until: Callable[[], bool], timeout: float = 15.0) -> bool:
        """No server runs here: sweep in this process until the condition holds."""
        from watchkeeper.clocks.sweeper import sweep_once

        def sweep_then_check() -> bool:
            sweep_once()
            return until()

        return _poll(sweep_then_check, timeout)


class HttpDriver:
    """Over HTTP to a live server."""

    def __init__(self, base_url: str, tokens: dict[str, str]) -> None:
        import httpx

        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.tokens = tokens

    def call(self, persona: str, method: str, path: str, body: dict[str, Any] | None = None) -> Response:
        resp = self.http.request(method, path, json=body,
                                 headers={"Authorization": f"Bearer {self.tokens[persona]}"})
        try:
            data = resp.json()
        except ValueError:
            data = {"raw": resp.text[:500]}
        return Response(resp.status_code, data)

    def wait_for_timers(self, until: Callable[[], bool], timeout: float = 15.0) -> bool:
        """The server's own sweeper fires the timers; wait for the result."""
        return _poll(until, timeout)
