"""The dispatch benchmarks run end to end at a tiny size (`watchkeeper bench clocks|fanout`)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from watchkeeper.bench.server import BIN

pytestmark = pytest.mark.live


def _bench(*args: str) -> dict[str, Any]:
    out = subprocess.run([str(BIN), "bench", *args, "--db", "sqlite"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_bench_clocks_runs_at_a_tiny_size() -> None:
    result = _bench("clocks", "--clocks", "200", "--seconds", "3")["clocks"]["sqlite"]
    assert result["generation"]["armed"] == 200
    assert result["idle_sweeper"]["armed"] == 200 and result["idle_sweeper"]["nothing_due"]
    alerts = result["alerts"]
    assert alerts["due_in_window"] == 20 and alerts["fired"] == 20 and alerts["missed"] == 0
    assert alerts["latency"]["n"] == 20 and alerts["latency"]["p50_ms"] > 0
    assert set(result["verdict"]) >= {"targets", "meets_alert_latency", "meets_idle_cpu", "all_met"}


def test_bench_fanout_runs_at_a_tiny_size() -> None:
    result = _bench("fanout", "--clients", "5", "--events", "3")["fanout"]["sqlite"]
    assert result["connected"] == 5 and result["events"] == 3
    assert result["receipts"] == 15 and result["missing_receipts"] == 0
    assert result["verdict"]["target_p99_ms"] == 250.0 and result["verdict"]["complete"]


def test_bench_fanout_follows_the_dispatch_board_as_the_page_does(tmp_path) -> None:  # noqa: ANN001
    """Streams in the dispatcher board's view (rows rendered by the server for each viewer's role) hear
    every log's first row."""
    from watchkeeper.bench import fanout

    result = fanout.run("sqlite", tmp_path, clients=6, events=3, topic="dispatch", view="dispatch.board")
    assert (result["topic"], result["view"]) == ("dispatch", "dispatch.board")
    assert result["connected"] == 6 and result["events"] == 3 and result["stream_error_count"] == 0
    assert result["receipts"] == 18 and result["missing_receipts"] == 0 and result["verdict"]["complete"]
    assert result["rendered_receipts"] == 18  # each as HTML, not the row's JSON
