"""How risk plugs into incident logs (through incidents/hooks.py) and the pages: the log page's risk panel,
which shows the log's assessments and decisions and prompts a reassessment of a victim or suspect assessed
before (R4); the close blocker of a log whose flag calls for an instrument (R1); the person page's risk
timeline (people/panels.py); and what the navigation offers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from watchkeeper.core.roles import allowed
from watchkeeper.incidents import hooks
from watchkeeper.incidents.hooks import Blocker
from watchkeeper.web.context import add_navigation


def navigation(request: HttpRequest, user: Any) -> dict[str, Any]:
    """What the navigation offers: the risk pages, and the review queue to those who review (R3)."""
    return {"may_view_risk": allowed(user.role, "risk.view"), "may_review_risk": allowed(user.role, "risk.review")}


def close_blockers(log: Any, family: list[int]) -> list[Blocker]:
    """R1: a log carrying a flag that policy (`risk_close_instruments`) ties to an instrument the force has
    loaded is not closed until that instrument's assessment is submitted on it (or on a log merged into it),
    or a risk decision records why none could be done."""
    from watchkeeper.core.config import current_policy
    from watchkeeper.risk import rules
    from watchkeeper.risk.models import Assessment, Decision, Instrument

    policy = current_policy()
    mapping = policy["risk_close_instruments"]
    flags = set(log.flags or [])
    wanted = {row["instrument"] for row in mapping if row["flag"] in flags}
    if not wanted:
        return []
    loaded = set(Instrument.objects.filter(code__in=wanted).values_list("code", flat=True).distinct())
    if not loaded:
        return []
    done = set(Assessment.objects.filter(log_id__in=family, instrument__code__in=loaded).exclude(state="draft")
               .values_list("instrument__code", flat=True).distinct())
    for facts in Decision.objects.filter(log_id__in=family, kind="no_assessment").values_list("facts", flat=True)[:50]:
        if isinstance(facts, dict) and facts.get("instrument"):
            done.add(str(facts["instrument"]))
    needs = rules.close_needs(flags, mapping, loaded, done)
    if not needs:
        return []
    titles = dict(Instrument.objects.filter(code__in=[n.instrument for n in needs]).order_by("code", "-loaded_at")
                  .values_list("code", "title"))
    first = needs[0]
    title = titles.get(first.instrument, first.instrument)
    return [Blocker(
        safeguard="R1",
        message=f"This log is flagged {policy.flag_label(first.flag)}: the {title} has not been submitted on it.",
        next_step="Start the assessment from the log's risk panel and submit it; if it could not be done, record a "
                  "risk decision 'Assessment could not be done' on the log saying why.",
        items=[{"flag": n.flag, "instrument": n.instrument, "title": titles.get(n.instrument, n.instrument)}
               for n in needs],
    )]


def register() -> None:
    from watchkeeper.people.panels import PersonPanel, add_person_panel
    from watchkeeper.risk.actions.missing import new_information

    hooks.add_panel(hooks.Panel("main", "risk/_log_panel.html", order=30))
    if new_information not in hooks.AFTER_ENTRIES:
        hooks.AFTER_ENTRIES.append(new_information)  # P9: new information tells the lead
    if close_blockers not in hooks.CLOSE_BLOCKERS:
        hooks.CLOSE_BLOCKERS.append(close_blockers)  # R1: the instrument a flag calls for, before closing
    add_person_panel(PersonPanel("risk/_person_panel.html", order=40))  # the person's risk timeline
    add_navigation(navigation)
