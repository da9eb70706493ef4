"""Every page carries a Content-Security-Policy that allows no inline script or style, and no template
needs one; HSTS is sent when the service runs on secure cookies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.support.factories import raise_log
from tests.support.personas import Personas

SRC = Path(__file__).resolve().parents[3] / "src" / "watchkeeper"
TEMPLATES = sorted(p for p in SRC.rglob("*.html") if "templates" in p.parts)

# What a CSP without 'unsafe-inline' refuses to run or apply, as it can appear in a template.
INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I | re.S),
    "on* handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S),
    "hx-on attribute": re.compile(r"\shx-on[:\-=]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def _policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


def test_no_template_needs_inline_script_or_style() -> None:
    assert len(TEMPLATES) > 40
    found = [f"{p.relative_to(SRC)}: {what}: {m.group(0)[:60]!r}"
             for p in TEMPLATES for what, rx in INLINE.items() for m in rx.finditer(p.read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)


def test_htmx_is_told_not_to_inject_style_or_evaluate_code() -> None:
    base = (SRC / "templates" / "base.html").read_text(encoding="utf-8")
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert meta is not None
    import json

    config = json.loads(meta.group(1))
    assert config == {"includeIndicatorStyles": False, "allowEval": False, "allowScriptTags": False}


@pytest.mark.parametrize("path", ["/login/", "/api/logs"])
def test_a_csp_that_allows_nothing_inline_is_on_every_response(db: Any, path: str) -> None:
    response = Client().get(path)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_signed_in_pages_carry_the_csp(people: Personas) -> None:
    log = raise_log(people.actor("handler"))
    browser = Client()
    browser.force_login(people.handler)
    for path in ("/", f"/logs/{log.reference}/", "/account/tokens/", "/dispatch/"):
        response = browser.get(path)
        assert response.status_code == 200, path
        assert _policy(response)["script-src"] == ["'self'"], path


def test_hsts_is_sent_over_https_when_configured(db: Any, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    assert Client().get("/login/", secure=True)["Strict-Transport-Security"].startswith("max-age=31536000")
