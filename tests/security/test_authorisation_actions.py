"""Every button and card action × every role, through the core (the Slack and Teams adapters
turn clicks into these same ActionInvoked events and decide nothing themselves): allowed, or
politely refused with nothing changed. tests/db/test_authorisation.py does the same for typed
commands."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core import Crossties
from bot.db.models import IntroductionMember, Person, Programme
from bot.events import ActionInvoked, CommandReceived, MemberJoined, UserRef
from bot.usecases import coordination
from bot.usecases.common import UseCaseError, person_for
from tests.db.test_authorisation import ROLES, user_for
from tests.fakes import build_world
from tests.snapshot import fingerprint

pytestmark = pytest.mark.db

OK, DENIED, NOT_MEMBER, BAD, NOT_IN_GROUP, NOT_HERE = (
    "ok",
    "denied",
    "not member",
    "bad action",
    "not in group",
    "not here",
)
MARKERS = {
    DENIED: ("Only coordinators", "Reports are for leads", "Only workspace admins"),
    NOT_MEMBER: ("not taking part",),
    BAD: ("couldn't follow that button",),
    NOT_IN_GROUP: ("Only the people in that introduction",),
    NOT_HERE: ("no programme here", "can't find a programme"),
}

# action (name, value template): outcome per role, in ROLES order
# ({others} is an introduction the person is not in, {own} one they are, {p} the programme id)
MATRIX: dict[tuple[str, str], tuple[str, str, str, str, str]] = {
    ("checkin", "{others}:met"): (NOT_IN_GROUP,) * 5,
    ("checkin", "{others}:could_not_meet"): (NOT_IN_GROUP,) * 5,
    ("checkin", "{own}:met"): (OK, OK, OK, NOT_IN_GROUP, NOT_IN_GROUP),
    ("pause", "4:{p}"): (OK, OK, OK, BAD, NOT_MEMBER),
    ("pause", "4"): (OK, OK, OK, NOT_HERE, NOT_MEMBER),
    ("round run", ""): (DENIED, OK, DENIED, NOT_HERE, DENIED),
    ("round preview", ""): (DENIED, OK, DENIED, NOT_HERE, DENIED),
    ("report", ""): (DENIED, DENIED, OK, NOT_HERE, DENIED),
    ("programme_form", "{p}"): (DENIED, OK, DENIED, NOT_HERE, DENIED),
    ("programme_form", "new"): (DENIED, OK, DENIED, DENIED, DENIED),
    ("forget", "confirm"): (OK, OK, OK, OK, OK),
}


def outcome(text: str) -> str:
    for name, markers in MARKERS.items():
        if any(marker in text for marker in markers):
            return name
    return OK


async def setting(
    core: Crossties, role: str, *, round_run: bool = True
) -> tuple[UserRef, dict[str, str]]:
    build_world(core)
    if round_run:
        reply = await core.handle(CommandReceived(UserRef("local", "w1", "u01"), "round run"))
        assert "went wrong" not in reply.messages[0].plain()
    user = user_for(role)
    await core.handle(MemberJoined(user, display_name="Someone"))
    with core.db.session() as session:
        person = person_for(session, user)
        assert person is not None
        programme = session.exec(select(Programme)).one()
        groups: dict[int, set[int]] = {}
        for row in session.exec(select(IntroductionMember)).all():
            groups.setdefault(row.introduction_id, set()).add(row.person_id)
        # someone else's introduction; for strangers, the real member u03's own introduction
        u03 = session.exec(select(Person).where(Person.external_id == "u03")).one()
        others = next((i for i, m in groups.items() if person.id not in m), 0)
        own = next(
            (i for i, m in groups.items() if person.id in m),
            next((i for i, m in groups.items() if u03.id in m), 0),
        )
    return user, {"others": str(others), "own": str(own), "p": str(programme.id)}


def in_order(actions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Refusals change nothing, so one partnership serves every action of a role: forgetting,
    which ends the person's account, comes last."""
    return sorted(actions, key=lambda a: (a[0] == "forget", a))


@pytest.mark.parametrize("role", ROLES)
async def test_action_matrix(core: Crossties, role: str) -> None:
    user, values = await setting(core, role)
    for action in in_order(list(MATRIX)):
        name, template = action
        expected = MATRIX[action][ROLES.index(role)]
        before = fingerprint(core.db)
        with core.db.session() as session:
            people_before = {p.id: p.erased for p in session.exec(select(Person)).all()}
        reply = await core.handle(ActionInvoked(user, name, template.format(**values)))
        text = "\n".join(m.plain() for m in reply.messages)
        assert "went wrong" not in text
        assert outcome(text) == expected, (action, text)
        if expected != OK:
            assert fingerprint(core.db) == before, action  # a refusal changes nothing
        if name == "forget":  # erases the one who clicked, nobody else
            with core.db.session() as session:
                assert person_for(session, user) is None  # their accounts are gone
                erased = {p.id for p in session.exec(select(Person)).all() if p.erased}
            assert len(erased) == 1 and not any(people_before.values())


FORM = coordination.ProgrammeForm(
    name="North Partnership",
    organisations=("Acute Trust", "GP Federation", "Hospice"),
    cadence="weekly",
    group_size=2,
    cross_organisation=True,
    programme_id=None,
)
SAVE = {"edit": (DENIED, OK, DENIED, NOT_HERE, DENIED), "new": (DENIED, OK, DENIED, DENIED, DENIED)}


@pytest.mark.parametrize("role", ROLES)
async def test_programme_form_save(core: Crossties, role: str) -> None:
    """The Slack modal and Teams card both save through coordination.save_programme."""
    user, values = await setting(core, role, round_run=False)
    forms = {
        "edit": coordination.ProgrammeForm(**{**FORM.__dict__, "programme_id": int(values["p"])}),
        "new": coordination.ProgrammeForm(**{**FORM.__dict__, "name": "Second Programme"}),
    }
    for kind, form in sorted(forms.items()):
        before = fingerprint(core.db)
        expected = SAVE[kind][ROLES.index(role)]
        try:
            with core.db.session() as session:
                coordination.save_programme(
                    session, core.clock.now(), user, form, workspace_admin=False
                )
            found = OK
        except UseCaseError as error:
            found = outcome(core.prompts.render(error.prompt, **error.context))
        assert found == expected, kind
        if expected != OK:
            assert fingerprint(core.db) == before
        else:
            with core.db.session() as session:
                names = {p.name: p.cadence for p in session.exec(select(Programme)).all()}
            assert names.get(form.name) == "weekly"
