"""Every /crossties command through the real server, answered through response_url."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from bot.db.models import Exclusion, Membership, MembershipStatus, Person, TieEvent
from tests.adapters.slack.conftest import PROGRAMME, Harness


async def ask(h: Harness, text: str, user: str = "U03") -> dict[str, Any]:
    response = await h.command(text, user=user)
    assert response.status == 200
    assert await response.text() == ""  # an empty ack: the answer follows separately
    replies = h.replies()
    assert len(replies) == 1, replies
    return replies[0]


def words(reply: dict[str, Any]) -> str:
    return reply["text"] + json.dumps(reply.get("blocks") or [])


async def test_every_command(world: Harness) -> None:
    world.slack.add_user("U50", "Nadia Newcomer", email="nadia@example.org")
    help_ = await ask(world, "help")
    assert help_["response_type"] == "ephemeral" and "Here is what you can ask me" in words(help_)
    assert "round preview" not in words(help_)  # not a coordinator
    assert "round preview" in words(await ask(world, "help", "U01"))
    assert PROGRAMME in words(await ask(world, "programmes"))

    unknown = await ask(world, "join Nowhere", "U50")
    assert "Nowhere" in words(unknown) and "Hospice" in words(unknown)
    assert "You're in" in words(await ask(world, "join hospice", "U50"))
    with world.db.session() as session:
        nadia = session.exec(select(Person).where(Person.name == "Nadia Newcomer")).one()
        membership = session.exec(select(Membership).where(Membership.person_id == nadia.id)).one()
    assert membership.status == MembershipStatus.ACTIVE
    assert "paused" in words(await ask(world, "pause for 2 weeks", "U50"))
    assert "Welcome back" in words(await ask(world, "resume", "U50"))
    assert "You have left" in words(await ask(world, "leave", "U50"))

    profile = await ask(world, "profile")
    assert "Person 03" in words(profile) and profile["blocks"][0]["type"] == "header"
    assert "updated" in words(await ask(world, "profile role Ward sister"))
    assert "no introduction yet" in words(await ask(world, "match"))

    refused = await ask(world, "round preview")
    assert "Only coordinators" in words(refused)
    preview = await ask(world, "round preview", "U01")
    run = [
        e
        for b in preview["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("ct|round run|")
    ]
    assert run and run[0]["confirm"]["confirm"]["text"] == "Yes"
    assert "Round 1" in words(await ask(world, "round run", "U01"))

    match = await ask(world, "match")
    assert "Your introduction in round 1" in words(match)
    assert "met" in words(await ask(world, "met"))
    logged = await ask(world, "log <@U04|person.04> coffee about discharge #discharge")
    assert "Person 04" in words(logged)
    with world.db.session() as session:
        assert session.exec(select(TieEvent).where(TieEvent.kind == "collaborated")).all()
    assert "Your working relationships" in words(await ask(world, "ties"))

    assert "Only coordinators" in words(await ask(world, "exclude <@U03> <@U04>"))
    assert "never be paired" in words(await ask(world, "exclude <@U03|a> <@U04|b>", "U01"))
    with world.db.session() as session:
        assert len(session.exec(select(Exclusion)).all()) == 1

    assert "Reports are for leads" in words(await ask(world, "report"))
    report = await ask(world, "report", "U02")  # in a channel: for the lead alone
    assert report["response_type"] == "ephemeral" and "How" in words(report)
    completed = world.slack.calls_to("files.completeUploadExternal", ok_only=True)
    assert len(completed) == 1 and completed[0].args["channel_id"].startswith("D")
    assert next(iter(world.slack.uploads.values()))[:8] == b"\x89PNG\r\n\x1a\n"

    assert "Person 03" in words(await ask(world, "my data"))
    forget = await ask(world, "forget me")
    danger = next(e for b in forget["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert danger["style"] == "danger" and "confirm" in danger
    assert "help" in words(await ask(world, "fly me to the moon"))
