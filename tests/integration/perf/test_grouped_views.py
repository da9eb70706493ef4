"""Views audited in groups (A2, A3): concurrent call-time lookups and person views on a real server, one
process or several, each answered only once its audit record is committed; every view has exactly its
record, in one valid chain."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.live import Server, Template, api
from watchkeeper.bench.server import run_cli

pytestmark = pytest.mark.live

COUNT = """
import json
from watchkeeper.audit.models import AuditRecord
rows = AuditRecord.objects.filter(action__in=["context.viewed", "person.viewed"])
print(json.dumps(sorted([r.action, r.object_id, r.reason] for r in rows)))
"""


@pytest.mark.safeguard("A2", "A3")
@pytest.mark.parametrize("workers", [1, 2])
def test_concurrent_views_each_have_their_committed_record_in_one_valid_chain(
        live_template: Template, workers: int) -> None:
    url = live_template.fresh_url()
    server = Server(url, sweeper=False, extra_env={"WATCHKEEPER_WORKERS": str(workers),
                                                   "WATCHKEEPER_API_RATE": "off"}).start()
    try:
        tokens = live_template.seed["tokens"]
        person = api(server, tokens["controller"]).post(
            "/api/people", json={"given_names": "Rosa", "family_name": "Grouped", "dob": "1980-02-03"})
        assert person.status_code == 201, person.text
        pid = person.json()["id"]

        def look(n: int) -> tuple[str, int]:
            client = api(server, tokens["handler"] if n % 2 else tokens["controller"])
            if n % 3 == 0:
                r = client.get(f"/api/people/{pid}", params={"purpose": f"view {n}"})
                return f"person.viewed {pid} view {n}", r.status_code
            r = client.get("/api/context", params={"phone": f"07700 9{n:05d}", "purpose": f"lookup {n}"})
            return f"context.viewed 07700 9{n:05d} lookup {n}", r.status_code

        with ThreadPoolExecutor(8) as pool:
            answered = list(pool.map(look, range(60)))
    finally:
        server.stop()
    assert all(status == 200 for _, status in answered), answered
    recorded = json.loads(run_cli(url, code=COUNT).strip().splitlines()[-1])
    assert sorted(" ".join(r) for r in recorded) == sorted(expected for expected, _ in answered)
    assert "audit chain valid" in run_cli(url, "verify-audit")
