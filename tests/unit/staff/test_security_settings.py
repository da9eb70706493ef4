"""Security settings follow the environment: trusted proxies (none by default, malformed entries stop the
process), HSTS with secure cookies, public API docs, token life."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PRINT = ("import watchkeeper.settings as s; print(s.TRUSTED_PROXIES, s.SECURE_HSTS_SECONDS, s.API_DOCS_PUBLIC, "
         "s.API_TOKEN_MAX_DAYS, s.AXES_CLIENT_IP_CALLABLE, s.AXES_IPWARE_META_PRECEDENCE_ORDER)")


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_") or k in (
        "WATCHKEEPER_DATABASE_URL", "WATCHKEEPER_VAR_DIR")}
    return subprocess.run([sys.executable, "-c", PRINT], env={**clean, **env}, capture_output=True, text=True,
                          timeout=60)


def test_defaults_trust_no_proxy_and_send_no_hsts_without_secure_cookies() -> None:
    done = _settings()
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "0", "False", "90", "watchkeeper.web.security.client_ip", "('REMOTE_ADDR',)"]


def test_secure_cookies_turn_hsts_on_and_the_environment_sets_the_rest() -> None:
    done = _settings(WATCHKEEPER_SECURE_COOKIES="1", WATCHKEEPER_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.10",
                     WATCHKEEPER_API_DOCS_PUBLIC="1", WATCHKEEPER_API_TOKEN_DAYS="30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("['10.0.0.0/8', '192.0.2.10'] 31536000 True 30 ")


@pytest.mark.parametrize("name,value,says", [
    ("WATCHKEEPER_TRUSTED_PROXIES", "10.0.0.1,proxy.example", "must list IP addresses or networks"),
    ("WATCHKEEPER_TRUSTED_PROXIES", "*", "must list IP addresses or networks"),
    ("WATCHKEEPER_API_TOKEN_DAYS", "0", "WATCHKEEPER_API_TOKEN_DAYS must be between 1 and 3650"),
    ("WATCHKEEPER_API_DOCS_PUBLIC", "perhaps", "WATCHKEEPER_API_DOCS_PUBLIC must be true or false"),
])
def test_malformed_values_stop_the_process_naming_the_variable(name: str, value: str, says: str) -> None:
    done = _settings(**{name: value})
    assert done.returncode != 0
    assert says in done.stderr


def test_the_sign_in_throttle_counts_the_connection_address_never_a_header() -> None:
    from types import SimpleNamespace

    from watchkeeper.web.security import client_ip

    request = SimpleNamespace(META={"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9",
                                    "HTTP_X_REAL_IP": "203.0.113.10"})
    assert client_ip(request) == "192.0.2.1"  # type: ignore[arg-type]
    assert client_ip(SimpleNamespace(META={})) is None  # type: ignore[arg-type]
