"""Programme set-up in Teams, over HTTP through the real CloudAdapter and the fake connector:
`programmes` → the core's card → the Adaptive Card form → saved (or refused, changing nothing)
→ from a team, an offer to invite the team's members."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from bot.db.models import (
    Outbox,
    Programme,
    ProgrammeRole,
    ProgrammeRoleKind,
    ProgrammeWorkspace,
)
from bot.delivery import deliver_due
from bot.usecases.programmes import grant
from tests.adapters.teams.conftest import PROGRAMME, Harness, activity
from tests.fakes_teams import TENANT, member
from tests.snapshot import fingerprint

pytestmark = pytest.mark.db

TEAM = "19:team"
PEOPLE = ["Alex Wilber", "Megan Bowen", "Adele Vance"]
FORM = {
    "name": "South Partnership",
    "organisations": "Acute Trust\nCity Council\nHospice",
    "cadence": "weekly",
    "group_size": "3",
    "cross_organisation": "false",
    "weekday": "2",
    "hour": "14",
    "timezone": "Europe/Paris",
    "checkin_delay": "36h",
}


def person(n: int) -> dict[str, str]:
    return {"id": f"29:user-{n}", "name": PEOPLE[n], "aadObjectId": f"aad-{n}"}


def click(h: Harness, data: dict[str, Any], n: int = 0) -> dict[str, Any]:
    """An Action.Execute press in the person's 1:1 chat (inputs merged into the data)."""
    return activity(
        "invoke_card_action",
        h.url,
        value={"action": {"type": "Action.Execute", "verb": data["action"], "data": data}},
        conversation={"conversationType": "personal", "tenantId": TENANT, "id": f"a:29:user-{n}"},
        **{"from": person(n)},
    )


def programme_id(h: Harness, name: str = PROGRAMME) -> int:
    with h.core.db.session() as session:
        found = session.exec(select(Programme.id).where(Programme.name == name)).one()
    assert found is not None
    return found


def coordinate(h: Harness, n: int = 0) -> None:
    with h.core.db.session() as session:
        programme = session.exec(select(Programme).where(Programme.name == PROGRAMME)).one()
        found = h.person(n)
        assert found is not None
        grant(session, h.core.clock.now(), programme, found, ProgrammeRoleKind.COORDINATOR)


def executes(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in card.get("actions") or [] if a["type"] == "Action.Execute"]


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every input, those laid out side by side in columns included, in reading order."""
    found: dict[str, dict[str, Any]] = {}
    for block in card["body"]:
        items = [i for c in block.get("columns", []) for i in c["items"]] or [block]
        found.update({i["id"]: i for i in items if i["type"].startswith("Input.")})
    return found


async def programmes_card(h: Harness) -> dict[str, Any]:
    await h.say("programmes")
    cards = h.connector.cards()
    assert cards, h.connector.texts()
    return cards[-1]


async def open_form(h: Harness, data: dict[str, Any], n: int = 0) -> dict[str, Any]:
    before = len(h.connector.cards())
    status, body = await h.post(click(h, data, n))
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    (form,) = h.connector.cards()[before:]
    return form


async def test_a_coordinator_sets_up_a_programme_from_the_card(harness: Harness) -> None:
    await harness.say("join Hospice")
    coordinate(harness)
    listing = await programmes_card(harness)
    north = programme_id(harness)
    assert [a["data"] for a in executes(listing)] == [
        {"action": "programme_form", "value": str(north)},
        {"action": "programme_form", "value": "new"},
    ]
    assert [a["title"] for a in executes(listing)] == ["Edit North", "New programme"]

    form = await open_form(harness, executes(listing)[1]["data"])
    fields = inputs(form)
    assert list(fields) == [
        "name",
        "organisations",
        "cadence",
        "weekday",
        "hour",
        "timezone",
        "checkin_delay",
        "group_size",
        "cross_organisation",
        "circle_proposals",
    ]
    assert [c["title"] for c in fields["weekday"]["choices"]][:2] == ["Monday", "Tuesday"]
    assert fields["weekday"]["value"] == "0" and fields["hour"]["value"] == "9"
    assert {"title": "09:00", "value": "9"} in fields["hour"]["choices"]
    assert fields["timezone"]["value"] == "Europe/London"
    assert fields["checkin_delay"]["value"] == "7d"
    assert fields["name"]["value"] == "" and fields["organisations"]["isMultiline"]
    assert [c["value"] for c in fields["cadence"]["choices"]] == [
        "weekly",
        "fortnightly",
        "monthly",
    ]
    assert [c["value"] for c in fields["group_size"]["choices"]] == ["2", "3"]
    assert fields["cross_organisation"]["value"] == "true"
    assert fields["circle_proposals"]["value"] == "false"
    assert fields["circle_proposals"]["title"].startswith("Members may propose circle topics")
    (save,) = executes(form)
    assert save["data"] == {"action": "programme_save", "value": "new"}

    # one organisation: refused in the form itself, with what was typed kept; nothing changes
    before = fingerprint(harness.core.db)
    status, body = await harness.post(
        click(harness, {**save["data"], **FORM, "organisations": "Acute Trust"})
    )
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    refused = body["value"]
    assert "at least two organisations" in json.dumps(refused)
    assert inputs(refused)["name"]["value"] == "South Partnership"
    assert inputs(refused)["cadence"]["value"] == "weekly"
    assert fingerprint(harness.core.db) == before

    # a check-in delay in words it cannot read: said politely, in the form; nothing changes
    status, body = await harness.post(
        click(harness, {**save["data"], **FORM, "checkin_delay": "soon"})
    )
    refused = body["value"]
    assert "Check-in delay: use a number with d, h or m, like 7d or 36h" in json.dumps(refused)
    assert inputs(refused)["checkin_delay"]["value"] == "soon"
    assert inputs(refused)["timezone"]["value"] == "Europe/Paris"
    assert fingerprint(harness.core.db) == before

    status, body = await harness.post(click(harness, {**save["data"], **FORM}))
    saved = body["value"]
    assert "South Partnership is set up and you coordinate it" in json.dumps(saved)
    assert executes(saved) == []  # a personal chat: no team to invite
    south = programme_id(harness, "South Partnership")
    alex = harness.person(0)
    with harness.core.db.session() as session:
        programme = session.get(Programme, south)
        bound = session.exec(
            select(ProgrammeWorkspace).where(ProgrammeWorkspace.programme_id == south)
        ).all()
        roles = session.exec(select(ProgrammeRole).where(ProgrammeRole.programme_id == south)).all()
    assert programme is not None
    assert (programme.cadence, programme.group_size, programme.cross_organisation) == (
        "weekly",
        3,
        False,
    )
    assert (programme.weekday, programme.hour, programme.timezone) == (2, 14, "Europe/Paris")
    assert (programme.checkin_minutes, programme.checkin_days) == (36 * 60, 2)
    assert "The next round is" in json.dumps(saved)
    assert [(b.platform, b.workspace) for b in bound] == [("teams", TENANT)]
    assert alex is not None and [(r.person_id, r.role) for r in roles] == [(alex.id, "coordinator")]


async def test_editing_prefills_the_form_and_updates_the_programme(harness: Harness) -> None:
    await harness.say("join Hospice")
    coordinate(harness)
    listing = await programmes_card(harness)
    form = await open_form(harness, executes(listing)[0]["data"])
    fields = inputs(form)
    assert fields["name"]["value"] == PROGRAMME
    assert set(fields["organisations"]["value"].split("\n")) == {
        "Acute Trust",
        "GP Federation",
        "Hospice",
    }
    assert fields["cadence"]["value"] == "fortnightly" and fields["group_size"]["value"] == "2"
    (save,) = executes(form)
    submitted = {k: v["value"] for k, v in fields.items()} | {"cadence": "monthly"}
    status, body = await harness.post(click(harness, {**save["data"], **submitted}))
    assert status == 200 and "North is updated" in json.dumps(body["value"])
    with harness.core.db.session() as session:
        north = session.exec(select(Programme)).one()
    assert north.cadence == "monthly"  # the rest came back as it was shown
    assert (north.weekday, north.hour, north.timezone) == (0, 9, "Europe/London")
    assert (north.checkin_minutes, north.checkin_days) == (7 * 24 * 60, 7)


async def test_the_card_turns_member_proposals_of_circle_topics_on_and_off(
    harness: Harness,
) -> None:
    await harness.say("join Hospice")
    coordinate(harness)

    async def edit(changes: dict[str, str], drop: str | None = None) -> dict[str, Any]:
        listing = await programmes_card(harness)
        form = await open_form(harness, executes(listing)[0]["data"])
        fields = inputs(form)
        (save,) = executes(form)
        submitted = {k: v["value"] for k, v in fields.items() if k != drop} | changes
        status, body = await harness.post(click(harness, {**save["data"], **submitted}))
        assert status == 200 and "North is updated" in json.dumps(body["value"])
        return fields

    def allowed() -> bool:
        with harness.core.db.session() as session:
            return session.exec(select(Programme)).one().circle_proposals

    shown = await edit({"circle_proposals": "true"})
    assert shown["circle_proposals"]["value"] == "false" and allowed()
    shown = await edit({}, drop="circle_proposals")  # a card drawn before the toggle was on it
    assert shown["circle_proposals"]["value"] == "true" and allowed()  # left as it was
    await edit({"circle_proposals": "false"})
    assert not allowed()


async def test_someone_who_coordinates_nothing_can_neither_open_nor_save(
    harness: Harness,
) -> None:
    """In Teams only coordinators create: the tenant's first programme comes from the CLI."""
    await harness.say("join Hospice", 1, PEOPLE[1])
    (answer,) = await harness.say("programmes", 1, PEOPLE[1])
    assert "North" in answer and harness.connector.cards() == []
    north = programme_id(harness)
    before = fingerprint(harness.core.db)

    status, body = await harness.post(
        click(harness, {"action": "programme_form", "value": "new"}, 1)
    )
    assert status == 200 and "crossties programme create" in body["value"]
    status, body = await harness.post(
        click(harness, {"action": "programme_form", "value": str(north)}, 1)
    )
    assert "Only coordinators" in body["value"]
    assert harness.connector.cards() == []  # no form was sent

    for value, expected in (("new", "crossties programme create"), (str(north), "Only coord")):
        status, body = await harness.post(
            click(harness, {"action": "programme_save", "value": value, **FORM}, 1)
        )
        assert status == 200 and expected in json.dumps(body["value"])
    status, body = await harness.post(
        click(harness, {"action": "programme_save", "value": "north", **FORM}, 1)
    )
    assert "couldn't follow that button" in json.dumps(body["value"])
    assert fingerprint(harness.core.db) == before


async def test_a_submit_button_gets_the_form_and_the_answer_as_messages(harness: Harness) -> None:
    """Action.Submit (a message with a value) works as well as Action.Execute."""
    await harness.say("join Hospice")
    coordinate(harness)

    def submit(data: dict[str, Any]) -> dict[str, Any]:
        return activity(
            "message_personal",
            harness.url,
            text=None,
            value=data,
            conversation={"conversationType": "personal", "tenantId": TENANT, "id": "a:29:user-0"},
            **{"from": person(0)},
        )

    assert (await harness.post(submit({"action": "programme_form", "value": "new"})))[0] == 200
    form = harness.connector.cards()[-1]
    assert "name" in inputs(form)
    payload = {"action": "programme_save", "value": "new", **FORM, "name": PROGRAMME}
    assert (await harness.post(submit(payload)))[0] == 200
    assert "already a programme called North" in json.dumps(harness.connector.cards()[-1])
    assert (await harness.post(submit({**payload, "name": "East"})))[0] == 200
    assert "East is set up" in json.dumps(harness.connector.cards()[-1])


# ---------------------------------------------------------------- from a team


async def add_to_team(h: Harness) -> None:
    h.connector.members = [member(n, name) for n, name in enumerate(PEOPLE)]
    added = activity("conversation_update_channel", h.url)
    added["membersAdded"] = [{"id": "28:crossties-bot"}]
    added["channelData"]["team"] = {"id": TEAM, "name": "My Team"}
    added["conversation"]["id"] = TEAM
    assert (await h.post(added))[0] == 200


async def ask_in_team(h: Harness, text: str, n: int = 0) -> None:
    message = activity(
        "message_groupChat",
        h.url,
        text=f"<at>Test Bot</at> {text}",
        conversation={
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT,
            "id": f"{TEAM};messageid=1",
        },
        **{"from": person(n)},
    )
    message["channelData"]["team"] = {"id": TEAM}
    assert (await h.post(message))[0] == 200


async def test_a_programme_saved_from_a_team_offers_to_invite_the_team(harness: Harness) -> None:
    await add_to_team(harness)
    coordinate(harness)
    await ask_in_team(harness, "programmes")
    listing = next(
        r.body["attachments"][0]["content"]
        for r in harness.connector.sent()
        if r.conversation == "a:29:user-0" and r.body.get("attachments")
    )  # privately, in Alex's own chat
    new = executes(listing)[-1]["data"]
    assert new == {"team": TEAM, "action": "programme_form", "value": "new"}

    form = await open_form(harness, new)
    (save,) = executes(form)
    assert save["data"]["team"] == TEAM
    status, body = await harness.post(click(harness, {**save["data"], **FORM}))
    saved = body["value"]
    (invite,) = executes(saved)
    south = programme_id(harness, "South Partnership")
    assert invite["data"] == {"action": "programme_sync", "value": str(south), "team": TEAM}
    assert "Invite the members of this team to South Partnership" in json.dumps(saved)

    # Someone who is not the programme's coordinator cannot use the offer.
    before = fingerprint(harness.core.db)
    status, body = await harness.post(click(harness, invite["data"], 1))
    assert "Only coordinators" in json.dumps(body["value"])
    assert fingerprint(harness.core.db) == before

    pages = len([r for r in harness.connector.requests if r.path.endswith("/pagedmembers")])
    status, body = await harness.post(click(harness, invite["data"]))
    assert status == 200
    assert "I invited 3 people to South Partnership" in json.dumps(body["value"])
    read = [r.path for r in harness.connector.requests if r.path.endswith("/pagedmembers")]
    assert read[pages:] == [f"/v3/conversations/{TEAM}/pagedmembers"] * 2  # two a page
    with harness.core.db.session() as session:
        invites = session.exec(select(Outbox).where(Outbox.kind == "invite")).all()
    assert len(invites) == 3 and {i.programme_id for i in invites} == {south}

    before = len(harness.connector.sent())
    stats = await deliver_due(harness.core.db, {"teams": harness.teams.sender}, harness.core.clock)
    assert stats.sent == 3
    delivered = harness.connector.sent()[before:]
    assert sorted(r.conversation for r in delivered) == [f"a:29:user-{n}" for n in range(3)]
    card = delivered[0].body["attachments"][0]["content"]
    # the organisations in one drop-down (readable however many), sent by one Join button
    picker = inputs(card)["value"]
    assert picker["type"] == "Input.ChoiceSet" and picker["style"] == "compact"
    assert [c["title"] for c in picker["choices"]] == ["Acute Trust", "City Council", "Hospice"]
    assert [c["value"] for c in picker["choices"]] == [
        f"{o} --programme South Partnership" for o in ("Acute Trust", "City Council", "Hospice")
    ]
    (join,) = executes(card)
    assert join["title"] == "Join" and "value" not in join["data"]
    status, body = await harness.post(
        click(harness, {**join["data"], "value": picker["choices"][1]["value"]}, 1)
    )
    assert status == 200
    joined = json.dumps(body)
    assert "taking part in South Partnership for City Council" in joined
    assert "in the next round:" in joined

    # Pressing it again invites nobody twice.
    status, body = await harness.post(click(harness, invite["data"]))
    assert "I invited 0 people" in json.dumps(body["value"])
    with harness.core.db.session() as session:
        assert len(session.exec(select(Outbox).where(Outbox.kind == "invite")).all()) == 3


async def test_only_a_member_of_the_team_can_invite_it(harness: Harness) -> None:
    await add_to_team(harness)
    harness.connector.members = harness.connector.members[1:]  # Alex has left the team
    coordinate(harness)
    north = programme_id(harness)
    before = fingerprint(harness.core.db)
    data = {"action": "programme_sync", "value": str(north), "team": TEAM}
    status, body = await harness.post(click(harness, data))
    assert "a team you belong to" in json.dumps(body["value"])
    status, body = await harness.post(click(harness, {**data, "team": ""}))
    assert status == 200 and "couldn't follow that button" in json.dumps(body["value"])
    assert fingerprint(harness.core.db) == before


# ---------------------------------------------------------------- pause on an introduction


async def test_pause_on_an_introduction_applies_to_its_programme(harness: Harness) -> None:
    from bot.db.models import Membership
    from bot.usecases.programmes import ProgrammeSettings, create_programme
    from bot.usecases.rounds import run_round

    with harness.core.db.session() as session:
        create_programme(
            session,
            harness.core.clock.now(),
            ProgrammeSettings(
                name="South",
                organisations=("Acute Trust", "Hospice"),
                workspaces=(("teams", TENANT),),
            ),
        )
    for n, organisation in ((0, "Hospice"), (1, "Acute Trust")):
        for programme in (PROGRAMME, "South"):
            await harness.say(f"join {organisation} --programme {programme}", n, PEOPLE[n])
    south = programme_id(harness, "South")
    with harness.core.db.session() as session:
        programme = session.get(Programme, south)
        assert programme is not None
        run_round(session, harness.core.clock.now(), programme, harness.core.prompts)
    await deliver_due(harness.core.db, {"teams": harness.teams.sender}, harness.core.clock)
    card = harness.connector.cards()[-1]
    (pause,) = [a for a in executes(card) if a["data"]["action"] == "pause"]
    assert pause["data"]["value"] == f"4:{south}"

    status, body = await harness.post(click(harness, pause["data"]))
    assert status == 200 and "paused in South" in body["value"]
    alex = harness.person(0)
    assert alex is not None
    with harness.core.db.session() as session:
        states = {
            m.programme_id: m.status
            for m in session.exec(select(Membership).where(Membership.person_id == alex.id))
        }
    assert states == {programme_id(harness): "active", south: "paused"}
