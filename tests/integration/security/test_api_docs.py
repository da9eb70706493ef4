"""The API's documentation and OpenAPI schema are for signed-in staff or token holders, unless
WATCHKEEPER_API_DOCS_PUBLIC declares them public."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.support.personas import Personas
from watchkeeper.core.actor import SYSTEM
from watchkeeper.staff.actions import issue_token


def test_docs_and_schema_need_sign_in_by_default(db: Any) -> None:
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 401
    assert json.loads(schema.content)["error"] == "unauthenticated"
    docs = Client().get("/api/docs")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/?next=/api/docs")


def test_signed_in_staff_and_token_holders_read_them(people: Personas) -> None:
    browser = Client()
    browser.force_login(people.learning)
    assert browser.get("/api/openapi.json").status_code == 200
    page = browser.get("/api/docs")
    assert page.status_code == 200 and "swagger-ui" in page.content.decode()
    _, secret = issue_token(SYSTEM, people.officer.pk, "t")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/openapi.json").status_code == 200
    assert Client(HTTP_AUTHORIZATION="Bearer wk_not-a-token").get("/api/openapi.json").status_code == 401


def test_they_may_be_declared_public(db: Any, settings: Any) -> None:
    settings.API_DOCS_PUBLIC = True
    assert Client().get("/api/openapi.json").status_code == 200
    assert Client().get("/api/docs").status_code == 200


def test_the_docs_page_loads_its_scripts_from_this_server(people: Personas) -> None:
    """Under the Content-Security-Policy a CDN script would not run: the page uses ninja's own copies."""
    browser = Client()
    browser.force_login(people.admin)
    page = browser.get("/api/docs").content.decode()
    assert "cdn." not in page and "/static/ninja/swagger-ui-bundle.js" in page
    assert browser.get("/static/ninja/swagger-ui-init.js").status_code == 200
