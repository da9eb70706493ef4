"""Nothing needs a mouse: the control-room shortcuts work from the keyboard (spec/ui.md, Keyboard)."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import People, raise_log

pytestmark = pytest.mark.e2e


def test_n_opens_new_contact_and_slash_focuses_the_reference_search(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open logs")
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Log reference")).to_be_focused()
    # A shortcut never fires while typing in a field: "n" goes into the search box.
    page.keyboard.type("n")
    expect(page.get_by_role("searchbox", name="Log reference")).to_have_value("n")
    expect(page).to_have_url(re.compile(r"/$"))

    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(r"/new/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("New contact")
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Log reference")).to_be_focused()


def test_search_by_reference_opens_the_log(page: Page, api: Callable[[str], httpx.Client]) -> None:
    ref = raise_log(api, "handler", "Keyboard search: suspicious van")
    page.goto("/")
    page.keyboard.press("/")
    page.keyboard.type(ref)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/logs/{ref}/$"))


def test_e_focuses_the_entry_box_and_c_opens_the_close_dialog(people: People,
                                                              api: Callable[[str], httpx.Client]) -> None:
    ref = raise_log(api, "handler", "Keyboard: youths on a roof")
    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ref)

    page.keyboard.press("e")
    entry = page.get_by_label("Narrative entry")
    expect(entry).to_be_focused()
    expect(entry).to_have_value("")  # the key moved focus; it was not typed
    page.keyboard.type("Youths have climbed down and left.")
    page.keyboard.press("Escape")  # leave the field (the text stays); shortcuts act again
    expect(entry).not_to_be_focused()
    expect(entry).to_have_value("Youths have climbed down and left.")

    page.keyboard.press("c")
    dialog = page.get_by_role("dialog", name=re.compile(rf"Close log {ref}"))
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Outcome")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Close…"))).to_be_focused()
