"""Persona fixtures: one member of staff per role, in teams with supervisors."""

from __future__ import annotations

from dataclasses import dataclass

from watchkeeper.core.actor import Actor
from watchkeeper.incidents.models import IntakeQueue
from watchkeeper.staff.models import Team, User
from watchkeeper.staff.roles import Role

# The personas at work (the absent one aside), and one of them per role (the second call handler aside): the
# tables that walk every member of staff through an endpoint or a page.
AT_WORK = ("handler", "handler2", "dispatcher", "controller", "inspector", "officer", "investigator",
           "supervisor", "qa", "standards", "learning", "admin")
ONE_PER_ROLE = tuple(name for name in AT_WORK if name != "handler2")


@dataclass
class Personas:
    handler: User
    handler2: User
    dispatcher: User
    controller: User
    inspector: User
    officer: User
    investigator: User
    supervisor: User
    qa: User
    standards: User
    learning: User
    admin: User
    absent: User
    control_team: Team
    response_team: Team

    def actor(self, name: str) -> Actor:
        return Actor(user=getattr(self, name), request_id=f"test-{name}", via="test")


def make_personas() -> Personas:
    control = Team.objects.create(name="Control A")
    response = Team.objects.create(name="Response 1")

    def person(username: str, role: Role, team: Team | None = None, **extra: object) -> User:
        u = User(username=username, role=role.value, first_name=username.capitalize(), last_name="Test",
                 team=team, **extra)
        u.set_password(f"{username}-pass-123")
        u.save()
        return u

    p = Personas(
        handler=person("handler", Role.CALL_HANDLER, control),
        handler2=person("handler2", Role.CALL_HANDLER, control),
        dispatcher=person("dispatcher", Role.DISPATCHER, control),
        controller=person("controller", Role.CONTROLLER, control),
        inspector=person("inspector", Role.DUTY_INSPECTOR, control),
        officer=person("officer", Role.RESPONSE_OFFICER, response),
        investigator=person("investigator", Role.INVESTIGATOR, response),
        supervisor=person("supervisor", Role.SUPERVISOR, response),
        qa=person("qa", Role.QUALITY_ASSURANCE),
        standards=person("standards", Role.PROFESSIONAL_STANDARDS),
        learning=person("learning", Role.LEARNING_LEAD),
        admin=person("admin", Role.ADMINISTRATOR),
        absent=person("absent", Role.INVESTIGATOR, response, absent=True, absence_reason="Annual leave"),
        control_team=control,
        response_team=response,
    )
    control.supervisor = p.controller
    control.save()
    response.supervisor = p.supervisor
    response.save()
    for code, name, reviewer, deputy in [
        ("online", "Online reports", p.handler2, p.controller),
        ("alarm", "Alarms", p.dispatcher, p.controller),
        ("transfer", "Transfers", p.handler2, p.controller),
    ]:
        IntakeQueue.objects.create(code=code, name=name, reviewer=reviewer, deputy=deputy)
    return p
