"""Roles and what each may do: permissions as data, part of the kernel (every action asks `Actor.require`).
Pure data: no Django imports, so rules and tests can use it directly.

Permissions are checked inside actions (not only in views), so the UI, the API and the CLI share them.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CALL_HANDLER = "call_handler"
    DISPATCHER = "dispatcher"
    CONTROLLER = "controller"
    DUTY_INSPECTOR = "duty_inspector"
    RESPONSE_OFFICER = "response_officer"
    INVESTIGATOR = "investigator"
    SUPERVISOR = "supervisor"
    QUALITY_ASSURANCE = "quality_assurance"
    PROFESSIONAL_STANDARDS = "professional_standards"
    LEARNING_LEAD = "learning_lead"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.CALL_HANDLER: "Call handler",
    Role.DISPATCHER: "Dispatcher",
    Role.CONTROLLER: "Controller",
    Role.DUTY_INSPECTOR: "Duty inspector",
    Role.RESPONSE_OFFICER: "Response officer",
    Role.INVESTIGATOR: "Investigator",
    Role.SUPERVISOR: "Supervisor",
    Role.QUALITY_ASSURANCE: "Quality assurance",
    Role.PROFESSIONAL_STANDARDS: "Professional standards",
    Role.LEARNING_LEAD: "Learning lead",
    Role.ADMINISTRATOR: "Administrator",
}

OPERATIONAL = frozenset(
    {
        Role.CALL_HANDLER,
        Role.DISPATCHER,
        Role.CONTROLLER,
        Role.DUTY_INSPECTOR,
        Role.RESPONSE_OFFICER,
        Role.INVESTIGATOR,
        Role.SUPERVISOR,
    }
)
OVERSIGHT = frozenset({Role.QUALITY_ASSURANCE, Role.PROFESSIONAL_STANDARDS})
GRADERS = frozenset(
    {Role.CALL_HANDLER, Role.DISPATCHER, Role.CONTROLLER, Role.DUTY_INSPECTOR, Role.SUPERVISOR}
)
COMMAND = frozenset({Role.DISPATCHER, Role.CONTROLLER, Role.DUTY_INSPECTOR, Role.SUPERVISOR})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "log.view": OPERATIONAL | OVERSIGHT,
    "log.raise": OPERATIONAL,
    "contact.record": OPERATIONAL,
    "entry.add": OPERATIONAL,
    "log.update": OPERATIONAL,
    "log.grade": GRADERS,
    "log.close": GRADERS | {Role.RESPONSE_OFFICER},
    "log.link": OPERATIONAL,
    "log.merge": COMMAND | {Role.CALL_HANDLER},
    "log.cancel": GRADERS,
    # Per record: closing, cancelling or reopening a log someone else owns (and is not assigned to) is for
    # the people who run the room; the others close their own and the logs they are assigned to.
    "log.close_any": COMMAND,
    "log.assign_staff": COMMAND | {Role.CALL_HANDLER},
    "request.manage": OPERATIONAL,
    "task.manage": OPERATIONAL,
    "review.own": OPERATIONAL,
    "reports.view": COMMAND | OVERSIGHT,
    "unit.manage": COMMAND | {Role.ADMINISTRATOR},
    "dispatch.assign": COMMAND,
    "dispatch.update": COMMAND | {Role.RESPONSE_OFFICER},
    "dispatch.decide": frozenset({Role.CONTROLLER, Role.DUTY_INSPECTOR}),
    # Per record: handling a message addressed to someone else (not their team's, not one they supervise).
    "message.handle_any": frozenset({Role.CONTROLLER, Role.DUTY_INSPECTOR}),
    "person.view": OPERATIONAL | OVERSIGHT,
    "person.manage": OPERATIONAL,
    "check.run": OPERATIONAL,
    "marker.manage": frozenset({Role.INVESTIGATOR, Role.SUPERVISOR, Role.CONTROLLER, Role.DUTY_INSPECTOR,
                                Role.ADMINISTRATOR}),
    "scheme.manage": frozenset({Role.INVESTIGATOR, Role.SUPERVISOR, Role.DUTY_INSPECTOR}),
    "order.manage": frozenset({Role.INVESTIGATOR, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    "audit.view": OVERSIGHT | {Role.ADMINISTRATOR},
    "staff.manage": frozenset({Role.ADMINISTRATOR}),
    "staff.set_absence": frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR}),
    # Moving someone to another team or role (P1: refused while they hold cases nobody has taken over).
    "staff.move": frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR, Role.DUTY_INSPECTOR}),
    "policy.manage": frozenset({Role.ADMINISTRATOR}),
    "intake.manage": frozenset({Role.ADMINISTRATOR}),
    "learning.manage": frozenset({Role.LEARNING_LEAD, Role.ADMINISTRATOR}),
    "learning.view": frozenset(Role),
    # R1-R6: risk assessments. Supervisors review a judgement below the guidance (R3); a force's administrator
    # loads the instruments (R1).
    "risk.view": OPERATIONAL | OVERSIGHT,
    "risk.assess": OPERATIONAL,
    "risk.review": frozenset({Role.SUPERVISOR, Role.DUTY_INSPECTOR}),
    "risk.decide": OPERATIONAL,
    "risk.instruments": frozenset({Role.ADMINISTRATOR}),
    # P1: cases. Officers in charge hold them (case.hold); supervisors and duty inspectors supervise them and may
    # act on any case (case.supervise); those who work cases open them and work their own (case.manage).
    "case.view": OPERATIONAL | OVERSIGHT,
    "case.manage": frozenset({Role.RESPONSE_OFFICER, Role.INVESTIGATOR, Role.SUPERVISOR, Role.DUTY_INSPECTOR}),
    "case.hold": frozenset({Role.RESPONSE_OFFICER, Role.INVESTIGATOR, Role.SUPERVISOR}),
    "case.supervise": frozenset({Role.SUPERVISOR, Role.DUTY_INSPECTOR}),
    # The duty roster: who is on which desk when; supervisors, the duty inspector and administrators keep it.
    "roster.view": OPERATIONAL | OVERSIGHT | {Role.ADMINISTRATOR},
    "roster.manage": frozenset({Role.SUPERVISOR, Role.DUTY_INSPECTOR, Role.ADMINISTRATOR}),
    # A1: training records (supervisors, the learning lead and administrators keep them); the compliance report.
    "training.manage": frozenset({Role.SUPERVISOR, Role.LEARNING_LEAD, Role.ADMINISTRATOR}),
    "training.view": COMMAND | OVERSIGHT | {Role.LEARNING_LEAD, Role.ADMINISTRATOR},
    # A2: the anomaly flags over views of people's records: professional standards only (who was flagged is
    # theirs alone to see; the person flagged is never told).
    "anomaly.review": frozenset({Role.PROFESSIONAL_STANDARDS}),
    # A5: anyone at work may say they are overloaded; supervisors and those who run the room see workload.
    "workload.report": OPERATIONAL,
}


def allowed(role: str, permission: str) -> bool:
    """True when the role may perform the permission. Unknown permissions are never allowed."""
    roles = PERMISSIONS.get(permission)
    return roles is not None and role in roles
