from typing import Any

from django.apps import AppConfig


def describe(sid: str) -> dict[str, Any]:
    """A safeguard as a refusal names it: ID, title, reason, lessons and its page (KeyError if unknown)."""
    from watchkeeper.safeguards.registry import get

    sg = get(sid)
    return {"id": sg.id, "title": sg.title, "reason": sg.reason, "lessons": list(sg.lessons),
            "url": f"/safeguards/{sg.id}/"}


class SafeguardsConfig(AppConfig):
    name = "watchkeeper.safeguards"
    label = "safeguards"
    verbose_name = "Safeguard registry"

    def ready(self) -> None:
        # Refusals (core.errors) and the `safeguard_link` template tag name safeguards through this.
        from watchkeeper.core.errors import describe_safeguards_with

        describe_safeguards_with(describe)
