"""Against a real server: the sign-in lock-out counts the connection's address, so a client that writes its
own X-Forwarded-For neither escapes a lock nor spreads its guesses; a configured trusted proxy is believed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.live import Server, Template

LOCKED = 429  # axes' answer to the failure that reaches the limit (5), and to everything after it


def attempt(server: Server, username: str, password: str, forwarded: str) -> int:
    with httpx.Client(base_url=server.base, timeout=30) as client:
        client.get("/login/")
        response = client.post("/login/", headers={"X-Forwarded-For": forwarded}, data={
            "username": username, "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"]})
        return response.status_code


@pytest.fixture(scope="module")
def behind_proxy(live_template: Template) -> Iterator[Server]:
    running = Server(live_template.fresh_url(), sweeper=False,
                     extra_env={"WATCHKEEPER_TRUSTED_PROXIES": "127.0.0.1"}).start()
    yield running
    running.stop()


def test_rotating_forwarded_for_does_not_escape_the_lockout(server: Server, live_template: Template) -> None:
    password = live_template.seed["passwords"]["handler"]
    # 15 guesses, each claiming a different client address: the fifth still locks the account.
    codes = [attempt(server, "handler", "wrong-guess", f"203.0.113.{i}") for i in range(1, 16)]
    assert codes == [200] * 4 + [LOCKED] * 11, codes
    # The right password from yet another claimed address: still locked.
    assert attempt(server, "handler", password, "198.51.100.99") == LOCKED


def test_a_trusted_proxy_is_believed(behind_proxy: Server, live_template: Template) -> None:
    """Behind a configured proxy the forwarded address is the client's: guesses from one client lock that
    client, and another client (another forwarded address) still signs in."""
    password = live_template.seed["passwords"]["handler2"]
    codes = [attempt(behind_proxy, "handler2", "wrong-guess", "203.0.113.50") for _ in range(6)]
    assert codes == [200] * 4 + [LOCKED] * 2, codes
    assert attempt(behind_proxy, "handler2", password, "203.0.113.50") == LOCKED
    assert attempt(behind_proxy, "handler2", password, "203.0.113.51") == 302
