"""API tokens expire, stop working while their user is locked out or disabled, and can be listed and
revoked by their owner and by an administrator (API and page)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.actor import SYSTEM
from watchkeeper.core.errors import Forbidden, Invalid
from watchkeeper.staff.actions import issue_token, revoke_token
from watchkeeper.staff.models import ApiToken, User


def bearer(secret: str) -> Client:
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")


def body(response: Any) -> Any:
    return json.loads(response.content)


def test_a_token_expires_after_the_default_life_and_is_then_refused(people: Personas, settings: Any) -> None:
    token, secret = issue_token(SYSTEM, people.handler.pk, "bridge")
    assert token.expires_at - token.created_at == timedelta(days=settings.API_TOKEN_MAX_DAYS) == timedelta(days=90)
    assert bearer(secret).get("/api/logs").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=clock.now() - timedelta(seconds=1))
    response = bearer(secret).get("/api/logs")
    assert response.status_code == 401
    assert body(response)["error"] == "unauthenticated"


def test_a_shorter_life_may_be_asked_for_but_not_a_longer_one(people: Personas) -> None:
    token, _ = issue_token(SYSTEM, people.handler.pk, "short", days=7)
    assert token.expires_at - token.created_at == timedelta(days=7)
    before = ApiToken.objects.count()
    for days in (0, -1, 91, 10_000):
        with pytest.raises(Invalid) as refused:
            issue_token(SYSTEM, people.handler.pk, "long", days=days)
        assert refused.value.details == {"field": "days"}
    assert ApiToken.objects.count() == before


def test_api_token_command_sets_the_expiry_and_refuses_more_than_the_limit(people: Personas) -> None:
    out, err = StringIO(), StringIO()
    call_command("api_token", "handler", "--name", "cad", "--days", "30", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(token_hash=ApiToken.hash(secret))
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert "expires" in err.getvalue()
    with pytest.raises(CommandError, match="between 1 and 90 days"):
        call_command("api_token", "handler", "--days", "365", stdout=StringIO(), stderr=StringIO())


def test_a_locked_out_users_token_is_refused_until_the_lock_ends(people: Personas, settings: Any) -> None:
    """Failed sign-ins that lock the account stop its integrations too (a stolen password guesser and a
    stolen token are often the same attacker)."""
    settings.AXES_ENABLED = True
    _, secret = issue_token(SYSTEM, people.handler.pk, "bridge")
    assert bearer(secret).get("/api/logs").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="198.51.100.7").post("/login/", {"username": "handler", "password": "wrong guess"})
    response = bearer(secret).get("/api/logs")
    assert response.status_code == 401
    assert body(response)["error"] == "unauthenticated"
    from axes.utils import reset

    reset(username="handler")
    assert bearer(secret).get("/api/logs").status_code == 200


def test_a_disabled_users_token_is_refused(people: Personas) -> None:
    _, secret = issue_token(SYSTEM, people.officer.pk, "terminal")
    User.objects.filter(pk=people.officer.pk).update(is_active=False)
    assert bearer(secret).get("/api/staff").status_code == 401


def test_owners_list_their_own_tokens_and_only_an_administrator_sees_others(people: Personas) -> None:
    mine, secret = issue_token(SYSTEM, people.handler.pk, "mine")
    theirs, _ = issue_token(SYSTEM, people.officer.pk, "theirs")
    listed = bearer(secret).get("/api/staff/tokens")
    assert listed.status_code == 200
    rows = body(listed)
    assert {r["id"] for r in rows} == {mine.pk}
    assert rows[0]["state"] == "active" and rows[0]["expires_at"]
    assert "token_hash" not in rows[0] and secret not in listed.content.decode()

    refused = bearer(secret).get(f"/api/staff/tokens?user_id={people.officer.pk}")
    assert refused.status_code == 403 and "staff.manage" in body(refused)["message"]
    assert bearer(secret).get("/api/staff/tokens?everyone=true").status_code == 403

    _, admin = issue_token(SYSTEM, people.admin.pk, "admin")
    theirs_listed = body(bearer(admin).get(f"/api/staff/tokens?user_id={people.officer.pk}"))
    assert [r["id"] for r in theirs_listed] == [theirs.pk]
    everyone = {r["id"] for r in body(bearer(admin).get("/api/staff/tokens?everyone=true"))}
    assert {mine.pk, theirs.pk} <= everyone


def test_an_owner_revokes_their_own_token_over_the_api(people: Personas) -> None:
    token, secret = issue_token(SYSTEM, people.handler.pk, "mine")
    response = bearer(secret).post(f"/api/staff/tokens/{token.pk}/revoke")
    assert response.status_code == 200, response.content
    assert body(response)["state"] == "revoked"
    assert bearer(secret).get("/api/logs").status_code == 401
    record = AuditRecord.objects.latest("seq")
    assert (record.action, record.actor_id) == ("token.revoked", people.handler.pk)


def test_only_an_administrator_revokes_someone_elses_token(people: Personas) -> None:
    theirs, their_secret = issue_token(SYSTEM, people.officer.pk, "terminal")
    _, secret = issue_token(SYSTEM, people.handler.pk, "mine")
    audited = AuditRecord.objects.count()
    refused = bearer(secret).post(f"/api/staff/tokens/{theirs.pk}/revoke")
    assert refused.status_code == 403 and "staff.manage" in body(refused)["message"]
    assert AuditRecord.objects.count() == audited
    assert bearer(their_secret).get("/api/staff").status_code == 200
    with pytest.raises(Forbidden):
        revoke_token(people.actor("dispatcher"), theirs.pk)

    _, admin = issue_token(SYSTEM, people.admin.pk, "admin")
    assert bearer(admin).post(f"/api/staff/tokens/{theirs.pk}/revoke").status_code == 200
    assert bearer(their_secret).get("/api/staff").status_code == 401
    assert bearer(admin).post("/api/staff/tokens/999999/revoke").status_code == 404


def test_the_tokens_page_lists_and_revokes_and_an_administrator_sees_everyone(people: Personas) -> None:
    theirs, their_secret = issue_token(SYSTEM, people.officer.pk, "Mobile terminal")
    handler = Client()
    handler.force_login(people.handler)
    page = handler.get("/account/tokens/").content.decode()
    assert "Mobile terminal" not in page and "Everyone else" not in page

    issued = handler.post("/account/tokens/", {"name": "CAD bridge", "days": "10"})
    assert issued.status_code == 200
    mine = ApiToken.objects.get(user=people.handler, name="CAD bridge")
    assert mine.expires_at - mine.created_at == timedelta(days=10)
    assert "Expires" in issued.content.decode()
    too_long = handler.post("/account/tokens/", {"name": "Forever", "days": "5000"})
    assert too_long.status_code == 400 and not ApiToken.objects.filter(name="Forever").exists()
    assert handler.post("/account/tokens/", {"revoke": str(theirs.pk)}).status_code == 403
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None

    admin = Client()
    admin.force_login(people.admin)
    page = admin.get("/account/tokens/").content.decode()
    assert "Everyone else" in page and "Mobile terminal" in page and "CAD bridge" in page
    assert admin.post("/account/tokens/", {"revoke": str(theirs.pk)}).status_code == 200
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is not None
    assert bearer(their_secret).get("/api/staff").status_code == 401
