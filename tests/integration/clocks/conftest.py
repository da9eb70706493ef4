"""The dispatch desk's fixtures (tests/integration/dispatch/conftest.py), for the alert rows' tests."""

from tests.integration.dispatch.conftest import at, desk  # noqa: F401 - fixtures
