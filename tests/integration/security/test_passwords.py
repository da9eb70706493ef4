"""Passwords are checked against the person's username and name; `create-staff` never takes the password
on its command line (a prompt, or a file)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from watchkeeper.core.actor import SYSTEM
from watchkeeper.core.errors import Invalid
from watchkeeper.staff.actions import create_staff
from watchkeeper.staff.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username,password", [
    ("margaret.thornbury", "margaret.thornbury"),
    ("margaret.thornbury", "margaretthornbury1"),
    ("dispatcher77", "Dispatcher77!"),
])
def test_a_password_like_the_username_is_refused(username: str, password: str) -> None:
    with pytest.raises(Invalid) as refused:
        create_staff(SYSTEM, username=username, password=password, role="call_handler")
    assert refused.value.details == {"field": "password"}
    assert "similar" in refused.value.message
    assert not User.objects.filter(username=username).exists()


def test_a_password_like_the_persons_name_is_refused() -> None:
    with pytest.raises(Invalid):
        create_staff(SYSTEM, username="mt01", password="MargaretT1987", role="call_handler",
                     first_name="Margaret", last_name="Thornbury")


def test_a_sound_password_is_accepted() -> None:
    user = create_staff(SYSTEM, username="mt02", password="quay-lantern-ferry-47", role="call_handler")
    assert user.check_password("quay-lantern-ferry-47")


def test_create_staff_refuses_a_password_on_the_command_line() -> None:
    with pytest.raises(CommandError, match="--password is refused"):
        call_command("create_staff", "ops1", "--role", "administrator", "--password", "quay-lantern-ferry-47",
                     stdout=StringIO())
    assert not User.objects.filter(username="ops1").exists()


def test_create_staff_reads_the_password_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("quay-lantern-ferry-47\n", encoding="utf-8")
    out = StringIO()
    call_command("create_staff", "ops2", "--role", "administrator", "--password-file", str(secret), stdout=out)
    assert "created ops2" in out.getvalue()
    assert User.objects.get(username="ops2").check_password("quay-lantern-ferry-47")

    empty = tmp_path / "empty"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="empty"):
        call_command("create_staff", "ops3", "--role", "administrator", "--password-file", str(empty))
    like_name = tmp_path / "like"
    like_name.write_text("operator4!!\n", encoding="utf-8")
    with pytest.raises(CommandError, match="similar"):
        call_command("create_staff", "operator4", "--role", "administrator", "--password-file", str(like_name))


def test_create_staff_prompts_twice_for_the_password(monkeypatch: Any) -> None:
    import sys

    answers = iter(["quay-lantern-ferry-47", "quay-lantern-ferry-47", "quay-lantern-ferry-47", "different-one-99"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    call_command("create_staff", "ops5", "--role", "supervisor", stdout=StringIO())
    assert User.objects.get(username="ops5").check_password("quay-lantern-ferry-47")
    with pytest.raises(CommandError, match="differ"):
        call_command("create_staff", "ops6", "--role", "supervisor", stdout=StringIO())
    assert not User.objects.filter(username="ops6").exists()


def test_create_staff_without_a_terminal_or_file_says_how(monkeypatch: Any) -> None:
    import sys

    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    with pytest.raises(CommandError, match="--password-file"):
        call_command("create_staff", "ops7", "--role", "supervisor", stdout=StringIO())
