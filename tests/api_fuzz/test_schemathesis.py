"""Schemathesis over the whole API, against a real server: every operation of the OpenAPI schema, with a
bounded number of generated requests each, signed in with a member of staff's API token.

Checks: no 5xx (not_a_server_error), every status returned is documented for its operation
(status_code_conformance), and every response body matches the documented shape (response_schema_conformance).
Any finding fails the test with schemathesis' report (each failing request is printed with a curl line to
reproduce it). `make test` runs this as its own step (scripts/run_tests.py); WATCHKEEPER_API_FUZZ_EXAMPLES
changes the number of examples per operation (default 10).

Revoking a token can end the run's own credentials, so the token operations run last, on a token of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.live import Server, Template

ST = Path(sys.executable).parent / "st"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
EXAMPLES = os.environ.get("WATCHKEEPER_API_FUZZ_EXAMPLES", "10")
SEED = os.environ.get("WATCHKEEPER_API_FUZZ_SEED", "20261207")
# The operations that can take away the token the run signs in with.
TOKEN_OPERATIONS = r"^/api/staff/tokens"
# The operations the controller may not use at all (it would only ever reach their 403): the administrator
# runs them, so their validation and success paths are fuzzed too.
ADMIN_OPERATIONS = r"^/api/policy|/replay$"


def schemathesis(server: Server, token: str, schema: Path, report: Path, *filters: str,
                 workers: int = 1) -> subprocess.CompletedProcess[str]:
    """One schemathesis run. One worker: with two, the generator's threads can meet CPython 3.11's
    "AST constructor recursion depth mismatch" inside hypothesis (an error in the tool, not a finding)."""
    if not ST.exists():
        pytest.fail(f"schemathesis is missing from {ST.parent}: make install (pip install -e '.[dev]')",
                    pytrace=False)
    cmd = [str(ST), "run", str(schema), "--url", server.base, "-H", f"Authorization: Bearer {token}",
           "--checks", CHECKS, "--max-examples", EXAMPLES, "--seed", SEED,
           "--phases", "examples,coverage,fuzzing", "--workers", str(workers), "--request-timeout", "30",
           "--no-color", "--report", "junit", "--report-junit-path", str(report), *filters]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=1200)


def summary(out: str) -> str:
    """Schemathesis' own summary: operations tested, test cases generated, failures."""
    start = out.rfind("SUMMARY")
    return out[start:] if start >= 0 else out[-3000:]


@pytest.fixture(scope="module")
def fuzz_server(live_template: Template) -> Any:
    # The run is many requests from one token: the per-caller rate limit would answer 429s (documented, but
    # they would hide the operations behind them), so this server has none.
    server = Server(live_template.fresh_url(), extra_env={"WATCHKEEPER_API_RATE": "off",
                                                          "WATCHKEEPER_API_WRITE_RATE": "off"}).start()
    yield server
    server.stop()


@pytest.mark.timeout(1800)
def test_every_api_operation_answers_only_documented_statuses_and_no_5xx(
    fuzz_server: Server, live_template: Template, tmp_path: Path
) -> None:
    tokens = live_template.seed["tokens"]
    # The controller holds most of the control room's permissions; the administrator runs the operations
    # only an administrator (or learning lead) may use; the token operations run last, apart, on another
    # member of staff's token.
    schema = tmp_path / "openapi.json"
    response = httpx.get(fuzz_server.base + "/api/openapi.json",
                         headers={"Authorization": f"Bearer {tokens['controller']}"}, timeout=30)
    assert response.status_code == 200, response.text[:500]
    schema.write_text(json.dumps(response.json()))
    runs = [
        ("controller", ["--exclude-path-regex", TOKEN_OPERATIONS], 1),
        ("admin", ["--include-path-regex", ADMIN_OPERATIONS], 1),
        ("handler", ["--include-path-regex", TOKEN_OPERATIONS], 1),
    ]
    failed = []
    for who, filters, workers in runs:
        done = schemathesis(fuzz_server, tokens[who], schema, tmp_path / f"junit-{who}.xml", *filters,
                            workers=workers)
        print(f"--- schemathesis as {who}:\n{summary(done.stdout)}")
        if done.returncode != 0:
            failed.append(f"=== schemathesis as {who} (exit {done.returncode}):\n"
                          f"{done.stdout[-60000:]}\n{done.stderr[-5000:]}")
    if failed:
        pytest.fail("\n".join(failed), pytrace=False)
