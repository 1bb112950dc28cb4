"""Every command × every role: allowed, or politely refused — decided in the core."""

from __future__ import annotations

import pytest

from bot.core import Crossties
from bot.events import CommandReceived, MemberJoined, UserRef
from tests.fakes import build_world
from tests.snapshot import fingerprint

OK, DENIED, NOT_MEMBER, NO_PROGRAMME = "ok", "denied", "not member", "no programme"
MARKERS = {
    DENIED: ("Only coordinators", "Reports are for leads"),
    NOT_MEMBER: ("not taking part",),
    NO_PROGRAMME: ("no programme here", "can't find a programme"),
}
ROLES = ("member", "coordinator", "lead", "other workspace", "not enrolled")

# command: expected outcome per role, in ROLES order
MATRIX: dict[str, tuple[str, str, str, str, str]] = {
    "help": (OK, OK, OK, OK, OK),
    "programmes": (OK, OK, OK, NO_PROGRAMME, OK),
    "profile": (OK, OK, OK, OK, OK),
    "ties": (OK, OK, OK, OK, OK),
    "my data": (OK, OK, OK, OK, OK),
    "match": (OK, OK, OK, OK, OK),
    "join Hospice": (OK, OK, OK, NO_PROGRAMME, OK),
    "pause for 2 weeks": (OK, OK, OK, NO_PROGRAMME, NOT_MEMBER),
    "resume": (OK, OK, OK, NO_PROGRAMME, NOT_MEMBER),
    "log @u09 shared a pathway": (OK, OK, OK, NO_PROGRAMME, NOT_MEMBER),
    "report": (DENIED, DENIED, OK, NO_PROGRAMME, DENIED),
    "round preview": (DENIED, OK, DENIED, NO_PROGRAMME, DENIED),
    "round run": (DENIED, OK, DENIED, NO_PROGRAMME, DENIED),
    "exclude @u08 @u09": (DENIED, OK, DENIED, NO_PROGRAMME, DENIED),
    "leave": (OK, OK, OK, NO_PROGRAMME, NOT_MEMBER),
}


def user_for(role: str) -> UserRef:
    return {
        "member": UserRef("local", "w1", "u03"),
        "coordinator": UserRef("local", "w1", "u01"),
        "lead": UserRef("local", "w1", "u02"),
        "other workspace": UserRef("local", "w2", "u03"),
        "not enrolled": UserRef("local", "w1", "visitor"),
    }[role]


def outcome(text: str) -> str:
    for name, markers in MARKERS.items():
        if any(marker in text for marker in markers):
            return name
    return OK


@pytest.mark.parametrize("command", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
async def test_authorisation_matrix(core: Crossties, command: str, role: str) -> None:
    build_world(core)
    user = user_for(role)
    await core.handle(MemberJoined(user, display_name="Someone"))
    expected = MATRIX[command][ROLES.index(role)]
    before = fingerprint(core.db)
    reply = await core.handle(CommandReceived(user, command))
    text = "\n".join(m.plain() for m in reply.messages)
    assert "went wrong" not in text
    assert outcome(text) == expected, text
    if expected != OK:
        assert fingerprint(core.db) == before  # a refusal changes nothing
