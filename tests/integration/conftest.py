from __future__ import annotations

from typing import Any

import pytest

from tests.support.personas import Personas, make_personas


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; in-process tests create many staff. (Argon2 itself is tested once.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db: Any) -> Personas:
    return make_personas()
