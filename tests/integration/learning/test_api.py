"""The learning API's contract, endpoint by endpoint: who may call it, who is refused (and nothing is
written), and the exactly-one audit record each successful write leaves; reads are open to every role
(learning.view) and write nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from tests.integration.learning.conftest import BULLETIN_31, ESSEX, WESTSHIRE_RECORD, shared
from tests.support.personas import ONE_PER_ROLE as PERSONAS
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.actor import Actor
from watchkeeper.learning import actions
from watchkeeper.learning.models import (
    Answer,
    Case,
    Document,
    Evidence,
    KeyQuestion,
    LearningSetting,
    Recommendation,
    RecommendationAction,
    ReplayResult,
    ReplayRun,
)
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db



def client_for(user: Any) -> Client:
    _, secret = issue_token(Actor(None), user.pk, "t")
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    call = getattr(client, method.lower())
    if method == "GET":
        return call(path)
    return call(path, data=json.dumps(body) if body is not None else None, content_type="application/json")


def state() -> dict[str, Any]:
    """Every row the learning API could write, with the columns it could change."""
    return {
        "audit": AuditRecord.objects.count(),
        "documents": Document.objects.count(),
        "recs": list(
            Recommendation.objects.order_by("pk").values_list(
                "pk", "version", "acceptance", "response", "implementation", "owner_id", "response_due"
            )
        ),
        "actions": list(RecommendationAction.objects.order_by("pk").values_list("pk", "state")),
        "evidence": Evidence.objects.count(),
        "answers": Answer.objects.count(),
        "settings": LearningSetting.objects.count(),
        "replays": ReplayResult.objects.count(),
        "replay_runs": list(ReplayRun.objects.order_by("pk").values_list("pk", "state")),
    }


@dataclass(frozen=True)
class Call:
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str
    status: int
    audit: str | None
    setup: Callable[[Personas], Call]
    allowed: str = "learning"
    refused: str | None = "handler"

    def __str__(self) -> str:
        return f"{self.method} {self.route}"

    def path(self, call: Call) -> str:
        return self.route.format(**{k: quote(str(v), safe="") for k, v in call.params.items()})


def _lead(p: Personas) -> Actor:
    return p.actor("learning")


def _rec(p: Personas) -> Recommendation:
    doc = actions.ingest(_lead(p), WESTSHIRE_RECORD.encode(), "westshire.md").document
    return doc.recommendations.order_by("number").first()  # type: ignore[return-value]


def _accepted(p: Personas) -> Recommendation:
    return actions.record_response(_lead(p), _rec(p).pk, acceptance="accepted", response="Accepted.")


def _b31(p: Personas) -> Document:
    return actions.ingest(_lead(p), shared(BULLETIN_31).read_bytes(), BULLETIN_31).document


def _upload(p: Personas) -> Call:
    return Call(
        body={"filename": ESSEX, "content_base64": base64.b64encode(shared(ESSEX).read_bytes()).decode()}
    )


def _respond(p: Personas) -> Call:
    return Call(
        {"rec_id": _rec(p).pk},
        {
            "acceptance": "partly",
            "response": "Partly accepted: audits monthly.",
            "responded_on": "2024-02-01",
        },
    )


def _patch(p: Personas) -> Call:
    rec = _rec(p)
    return Call(
        {"rec_id": rec.pk},
        {
            "expected_version": rec.version,
            "owner_id": p.supervisor.pk,
            "linked_bodies": ["Westshire Police"],
            "reason": "Owner named",
        },
    )


def _action(p: Personas) -> Call:
    return Call(
        {"rec_id": _accepted(p).pk},
        {
            "description": "Rewrite the abandoned-call procedure",
            "owner_id": p.controller.pk,
            "due_date": "2030-05-01",
        },
    )


def _complete(p: Personas) -> Call:
    a = actions.add_action(
        _lead(p),
        _accepted(p).pk,
        description="Brief the call handlers",
        owner_id=p.controller.pk,
        due_date=date(2030, 5, 1),
    )
    return Call({"action_id": a.pk}, {"result": "Briefed at every parade"})


def _evidence(p: Personas) -> Call:
    return Call(
        {"rec_id": _accepted(p).pk}, {"description": "Procedure CR-12 version 4", "link": "SOP/CR/12"}
    )


def _answer(p: Personas) -> Call:
    q = KeyQuestion.objects.filter(case__document=_b31(p)).order_by("pk").first()
    return Call(
        {"question_id": q.pk},
        {
            "answer": "Yes: logs can be closed on an old instruction.",  # type: ignore[union-attr]
            "evidence": "Dip sample",
            "action": "Add the read-before-close check",
            "owner_id": p.controller.pk,
            "due_date": "2030-01-31",
        },
    )


def _replay(p: Personas) -> Call:
    _b31(p)
    return Call({"case_id": Case.objects.get(code="B31.1").pk})


def _setting(p: Personas) -> Call:
    return Call(
        body={"key": "response_due_soon_days", "value": 21, "reason": "Board meets every three weeks"}
    )


def _correct(p: Personas) -> Call:
    return Call(
        {"doc_id": _b31(p).pk},
        {"expected_version": 1, "field": "cases.0.title", "value": "A corrected title", "reason": "Misread"},
    )


def _nothing(p: Personas) -> Call:
    return Call()


def _with(**make: Callable[[Personas], Any]) -> Callable[[Personas], Call]:
    return lambda p: Call({k: f(p) for k, f in make.items()})


WRITES = [
    Endpoint("POST", "/api/learning/documents", 201, "learning.document_ingested", _upload),
    Endpoint(
        "POST", "/api/learning/recommendations/{rec_id}/response", 200, "learning.response_recorded", _respond
    ),
    Endpoint(
        "PATCH", "/api/learning/recommendations/{rec_id}", 200, "learning.recommendation_updated", _patch
    ),
    Endpoint("POST", "/api/learning/recommendations/{rec_id}/actions", 201, "learning.action_added", _action),
    Endpoint(
        "POST", "/api/learning/actions/{action_id}/complete", 200, "learning.action_completed", _complete
    ),
    Endpoint(
        "POST", "/api/learning/recommendations/{rec_id}/evidence", 201, "learning.evidence_added", _evidence
    ),
    Endpoint(
        "POST", "/api/learning/questions/{question_id}/answers", 201, "learning.question_answered", _answer
    ),
    Endpoint(
        "POST",
        "/api/learning/cases/{case_id}/replay",
        202,
        "learning.replay_requested",
        _replay,
        allowed="admin",
    ),
    Endpoint("POST", "/api/learning/settings", 200, "learning.setting_changed", _setting),
    Endpoint(
        "POST", "/api/learning/documents/{doc_id}/corrections", 201, "learning.record_corrected", _correct
    ),
]
READS = [
    Endpoint("GET", "/api/learning/documents", 200, None, _nothing, refused=None),
    Endpoint(
        "GET", "/api/learning/documents/{doc_id}", 200, None, _with(doc_id=lambda p: _b31(p).pk), refused=None
    ),
    Endpoint(
        "GET",
        "/api/learning/documents/{doc_id}/record",
        200,
        None,
        _with(doc_id=lambda p: _b31(p).pk),
        refused=None,
    ),
    Endpoint(
        "GET",
        "/api/learning/cases/{case_id}",
        200,
        None,
        _with(case_id=lambda p: _b31(p).cases.first().pk),
        refused=None,
    ),
    Endpoint("GET", "/api/learning/lessons/{code}", 200, None, _with(code=lambda p: "B31.2"), refused=None),
    Endpoint(
        "GET", "/api/learning/safeguards/{sid}/lessons", 200, None, _with(sid=lambda p: "L3"), refused=None
    ),
    Endpoint(
        "GET", "/api/learning/search?q=ambulance", 200, None, lambda p: (_b31(p), Call())[1], refused=None
    ),
    Endpoint("GET", "/api/learning/themes", 200, None, _nothing, refused=None),
    Endpoint("GET", "/api/learning/recommendations", 200, None, lambda p: (_rec(p), Call())[1], refused=None),
    Endpoint(
        "GET",
        "/api/learning/recommendations/{rec_id}",
        200,
        None,
        _with(rec_id=lambda p: _rec(p).pk),
        refused=None,
    ),
    Endpoint("GET", "/api/learning/progress", 200, None, _nothing, refused=None),
    Endpoint(
        "GET",
        "/api/learning/replay-runs/{run_id}",
        200,
        None,
        _with(run_id=lambda p: actions.request_replay(_lead(p), _replay(p).params["case_id"]).pk),
        refused=None,
    ),
    Endpoint("GET", "/api/learning/settings", 200, None, _nothing, refused=None),
]


def test_every_learning_route_is_in_one_of_the_tables(db: Any, settings: Any) -> None:
    settings.API_DOCS_PUBLIC = True
    paths = json.loads(Client().get("/api/openapi.json").content)["paths"]
    served = {
        (m.upper(), path) for path, ops in paths.items() for m in ops if path.startswith("/api/learning")
    }
    listed = {
        (e.method, e.route.split("?")[0].replace("{doc_id}", "{document_id}")) for e in [*WRITES, *READS]
    }
    assert served == listed


@pytest.mark.safeguard("A3")
@pytest.mark.parametrize("endpoint", WRITES, ids=str)
def test_allowed_role_succeeds_with_exactly_one_audit_record(people: Personas, endpoint: Endpoint) -> None:
    call = endpoint.setup(people)
    user = getattr(people, endpoint.allowed)
    client = client_for(user)
    before = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = send(client, endpoint.method, endpoint.path(call), call.body)
    assert response.status_code == endpoint.status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    new = list(AuditRecord.objects.filter(seq__gt=before).order_by("seq"))
    assert [r.action for r in new] == [endpoint.audit]
    assert (new[0].actor_id, new[0].actor_role) == (user.pk, user.role)


@pytest.mark.parametrize("endpoint", WRITES, ids=str)
def test_a_role_without_learning_manage_is_refused_and_nothing_is_written(
    people: Personas, endpoint: Endpoint
) -> None:
    call = endpoint.setup(people)
    client = client_for(getattr(people, endpoint.refused))
    before = state()
    response = send(client, endpoint.method, endpoint.path(call), call.body)
    assert response.status_code == 403, response.content[:300]
    body = json.loads(response.content)
    assert body["error"] == "refused" and "learning.manage" in body["message"]
    assert state() == before


@pytest.mark.parametrize("endpoint", [*WRITES, *READS], ids=str)
def test_unauthenticated_is_401(people: Personas, endpoint: Endpoint) -> None:
    call = endpoint.setup(people)
    before = state()
    response = send(Client(enforce_csrf_checks=True), endpoint.method, endpoint.path(call), call.body)
    assert response.status_code == 401
    assert state() == before


@pytest.mark.safeguard("K1", "K5")
@pytest.mark.parametrize("endpoint", READS, ids=str)
def test_every_role_may_read_and_reading_writes_nothing(people: Personas, endpoint: Endpoint) -> None:
    call = endpoint.setup(people)
    before = state()
    for name in PERSONAS:
        response = send(client_for(getattr(people, name)), "GET", endpoint.path(call))
        assert response.status_code == 200, (name, response.content[:300])
        json.loads(response.content)
    assert state()["audit"] == before["audit"] + len(PERSONAS)  # only the tokens issued for the clients


@pytest.mark.safeguard("K1")
def test_the_same_file_again_answers_200_and_writes_nothing(people: Personas) -> None:
    client = client_for(people.learning)
    body = _upload(people).body
    first = send(client, "POST", "/api/learning/documents", body)
    assert first.status_code == 201 and json.loads(first.content)["created"] is True
    before = state()
    again = send(client, "POST", "/api/learning/documents", body)
    assert again.status_code == 200
    answer = json.loads(again.content)
    assert answer["created"] is False and answer["id"] == json.loads(first.content)["id"]
    assert answer["record"]["response_due"] == "2020-11-24"
    assert state() == before


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize(
    "body,status,says",
    [
        (
            {"filename": "broken.pdf", "content_base64": base64.b64encode(b"%PDF-1.4 junk").decode()},
            422,
            "PDF",
        ),
        ({"filename": "x.txt", "content_base64": "not base64!!"}, 400, "base64"),
        ({"filename": "", "content_base64": base64.b64encode(b"text").decode()}, 400, "filename"),
        ({"filename": "x.txt"}, 422, "content_base64"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(
    people: Personas, body: dict[str, Any], status: int, says: str
) -> None:
    client = client_for(people.learning)
    before = state()
    response = send(client, "POST", "/api/learning/documents", body)
    assert response.status_code == status, response.content[:300]
    assert says in json.loads(response.content)["message"]
    assert state() == before


@pytest.mark.safeguard("K2")
def test_the_tracker_as_json_and_as_csv(people: Personas) -> None:
    _rec(people)
    client = client_for(people.qa)
    rows = json.loads(client.get("/api/learning/recommendations").content)
    assert [(r["reference"], r["response_status"], r["rag"]["colour"]) for r in rows] == [
        ("2023/000111/R1", "overdue", "red"),
        ("2023/000111/R2", "overdue", "red"),
    ]
    response = client.get("/api/learning/recommendations?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("reference,document,lesson") and len(lines) == 3


@pytest.mark.safeguard("K5")
def test_search_over_the_api_returns_highlighted_snippets(people: Personas) -> None:
    _b31(people)
    body = json.loads(client_for(people.officer).get('/api/learning/search?q="throwaway comment"').content)
    assert [h["code"] for h in body["hits"]] == ["B31.2"]
    assert "<mark>" in body["hits"][0]["snippet_html"]
    assert client_for(people.officer).get("/api/learning/search?q=x&year=99999").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/learning/cases/0",
        "/api/learning/cases/99999999",
        f"/api/learning/cases/{2**63}",
        "/api/learning/documents/-1",
        "/api/learning/recommendations/99999999",
        "/api/learning/lessons/Z9.9",
        "/api/learning/safeguards/Z99/lessons",
    ],
)
def test_things_that_do_not_exist_are_404_with_a_message(people: Personas, path: str) -> None:
    response = client_for(people.qa).get(path)
    assert response.status_code == 404, response.content[:200]
    assert json.loads(response.content)["message"]
