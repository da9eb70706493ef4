"""The registry keeps its promise: its test list (src/watchkeeper/safeguards/tests.json) matches the suite's
test-level @pytest.mark.safeguard markers (a safeguard can only claim tests that exist and prove it), and
every built safeguard names a unit or integration test and a lesson replay that shows it intervening, or
says why no replay can."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from watchkeeper.replays.catalogue import every
from watchkeeper.replays.catalogue import get as get_replay
from watchkeeper.safeguards.registry import BUILT, BUILT_STATES, NO_REPLAY, all_safeguards, get

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
    untested = [sg.id for sg in all_safeguards() if sg.state != "planned" and not sg.tests]
    assert untested == []


def test_built_safeguards_each_have_a_unit_or_integration_test() -> None:
    """A browser test or a replay shows a safeguard; a unit or integration test pins its edges."""
    missing = [sg.id for sg in all_safeguards() if sg.state in BUILT_STATES
               and not any(t.startswith(("tests/unit/", "tests/integration/")) for t in sg.tests)]
    assert missing == []


def test_built_safeguards_each_have_a_replay_or_say_why_none_applies() -> None:
    missing = [sg.id for sg in all_safeguards() if sg.state in BUILT_STATES and not (sg.replays or sg.no_replay)]
    assert missing == [], "name a replay that shows it intervening, or write the reason in registry.NO_REPLAY"


def test_a_reason_for_no_replay_is_given_only_where_no_replay_shows_it() -> None:
    """A reason that outlived its gap would hide a replay; one for a planned safeguard says nothing."""
    for sid in NO_REPLAY:
        sg = get(sid)
        assert sg.state in BUILT_STATES, f"{sid} is {sg.state}: no reason is needed yet"
        assert not sg.replays, f"{sid} is shown by {sg.replays}: drop its reason from NO_REPLAY"
        assert len(NO_REPLAY[sid].split()) >= 12, f"{sid}: say why, in a sentence or two"


def test_replays_named_run_and_must_see_the_safeguard_intervene() -> None:
    """The link comes from the replay's own data: a runnable replay that lists the safeguard among those
    that must intervene (the replay fails when one does not)."""
    for sg in all_safeguards():
        for name in sg.replays:
            replay = get_replay(name)
            assert replay.runnable and sg.id in replay.safeguards, (sg.id, name)
    shown = {sid for r in every() if r.runnable for sid in r.safeguards}
    assert shown == {sg.id for sg in all_safeguards() if sg.replays}


def test_no_replay_claims_a_safeguard_that_is_not_built() -> None:
    claimed = {sid: r.name for r in every() if r.runnable for sid in r.safeguards}
    assert [sid for sid in claimed if get(sid).state not in BUILT_STATES] == []


def test_a_partial_safeguard_says_what_is_built_and_only_it_does() -> None:
    for sg in all_safeguards():
        assert bool(sg.built) == (sg.state == "partial"), sg.id
    assert set(BUILT) <= {sg.id for sg in all_safeguards()}


def test_access_audit_is_partial_and_says_what_its_rules_do_not_see() -> None:
    a2 = get("A2")
    assert a2.state == "partial"
    assert "purpose" in a2.built and "anomaly rules" in a2.built and "not built" in a2.built
    assert a2.tests and a2.replays and not a2.no_replay  # B31.4's replay shows the rules flagging


def test_the_registry_shows_replays_and_reasons_in_its_json() -> None:
    body = get("L3").as_dict()
    assert body["replays"] == ["bulletin-31-case-2"] and body["no_replay"] == "" and body["built"] == ""
    assert get("A3").as_dict()["no_replay"] == NO_REPLAY["A3"]
