"""The registry's test list (src/watchkeeper/safeguards/tests.json) must match the suite's
@pytest.mark.safeguard markers: a safeguard can only claim tests that exist and prove it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_registry_test_ids_match_the_markers_in_the_suite(tmp_path: Path) -> None:
    out = tmp_path / "map.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "--safeguard-map", str(out), "tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    collected = json.loads(out.read_text())
    registered = json.loads((ROOT / "src/watchkeeper/safeguards/tests.json").read_text())
    assert registered == collected, "run `make registry` to refresh the registry's test list"


def test_enforced_and_prompt_safeguards_each_have_a_test() -> None:
    from watchkeeper.safeguards.registry import all_safeguards

    untested = [sg.id for sg in all_safeguards() if sg.state != "planned" and not sg.tests]
    assert untested == []
