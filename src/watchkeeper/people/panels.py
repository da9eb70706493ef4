"""Panels of the person page: other capabilities put a part on a person's page without the page naming it.

`add_person_panel(PersonPanel(template, order))` from an app's AppConfig.ready(); the person template renders
every registered panel in order (lower first) with the page's context (`person`, `subject`, `request`,
`user`, ...), each building its own URLs with `{% url %}`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonPanel:
    template: str  # rendered with the person page's context
    order: int = 100  # lower first


PERSON_PANELS: list[PersonPanel] = []


def add_person_panel(panel: PersonPanel) -> None:
    """Register a panel for the person page; registering the same panel twice keeps one."""
    if panel not in PERSON_PANELS:
        PERSON_PANELS.append(panel)


def person_panels() -> list[PersonPanel]:
    """The registered panels in order (lower first, then registration order)."""
    return sorted(PERSON_PANELS, key=lambda p: p.order)
