"""pytest fixtures for tests that need a real server (e2e, scenarios, crash and concurrency tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.live import Server, Template, make_template


@pytest.fixture(scope="session")
def live_template() -> Iterator[Template]:
    tpl = make_template()
    yield tpl
    tpl.drop_all()


@pytest.fixture(scope="module")
def server(live_template: Template) -> Iterator[Server]:
    server = Server(live_template.fresh_url()).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tokens(live_template: Template) -> dict[str, str]:
    return dict(live_template.seed["tokens"])


@pytest.fixture(scope="module")
def staff_ids(live_template: Template) -> dict[str, int]:
    return {k: int(v) for k, v in live_template.seed["ids"].items()}
