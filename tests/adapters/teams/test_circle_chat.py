"""A formed circle on Teams: each member's card opens a group chat with the circle's other
Teams members (their stored sign-in names, nothing else), topic and first message filled in
and properly encoded; a member on Slack who shares an email gets an email link instead."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from adapters.teams.render_intro import with_group_chats
from bot.db.models import Person, Programme, ProgrammeWorkspace
from bot.delivery import deliver_due
from bot.events import Card, GroupChat, Message, UserRef
from bot.ids import PersonId
from bot.usecases import circles
from bot.usecases.circle_forming import form_topic
from bot.usecases.programmes import RosterRow, import_roster
from tests.adapters.teams.conftest import Harness
from tests.adapters.test_payload_limits import elements
from tests.fakes_teams import member

TITLE = "Weekends & #delays: 50% + more?"
NAMES = ("Alex Wilber", "Megan Bowen", "Adele Vance", "Isaiah Langer")
JOINS = ("Hospice", "Acute Trust", "GP Federation", "Hospice")


def _query(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "teams.microsoft.com",
        "/l/chat/0/0",
    )
    assert "#" not in url and " " not in url  # every value encoded
    return parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)


def test_the_chat_link_holds_only_the_stored_names_of_the_others_encoded() -> None:
    chat = GroupChat("Open a group chat", TITLE, "Hello & welcome, 100%?", (1, 2, 3, 4))
    card = Card("Your circle", ("…",), chat=chat, links=(("Email Sam", "mailto:sam@x.org"),))
    handles = {
        PersonId(2): "megan,o'neil+x@example.org",
        PersonId(4): "isaiah@example.org",
    }  # person 3 has no stored name; the reader (1) is never among them
    (drawn,) = with_group_chats(Message((card,)), handles).parts
    assert isinstance(drawn, Card) and drawn.chat is None
    label, url = drawn.links[0]
    assert label == "Open a group chat" and drawn.links[1] == ("Email Sam", "mailto:sam@x.org")
    query = _query(url)
    assert query["users"] == ["megan,o'neil+x@example.org,isaiah@example.org"]
    assert url.count(",") == 1  # the comma inside a name is encoded; one separates the two
    assert query["topicName"] == [TITLE] and query["message"] == ["Hello & welcome, 100%?"]
    # nobody to chat with: no link, and the card is otherwise unchanged
    (alone,) = with_group_chats(Message((card,)), {}).parts
    assert isinstance(alone, Card) and alone.links == card.links and alone.chat is None


@pytest.mark.db
async def test_each_teams_member_of_a_circle_gets_a_chat_with_the_others(
    harness: Harness,
) -> None:
    harness.connector.members = [member(n, name) for n, name in enumerate(NAMES)]
    for n, (name, organisation) in enumerate(zip(NAMES, JOINS, strict=True)):
        await harness.say(f"join {organisation}", n, name)
    core = harness.core
    with core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        session.add(ProgrammeWorkspace(programme_id=programme.id, platform="slack", workspace="T1"))
        rows = [
            RosterRow(
                line=2,
                external_id="s1",
                name="Sam Lee",
                organisation="GP Federation",
                email="sam.lee@gp.example.org",
                accounts=[UserRef("slack", "T1", "U123")],
            ),
        ]
        import_roster(session, core.clock.now(), programme, rows)
        topic, _ = circles.open_topic(
            session,
            core.clock.now(),
            core.prompts,
            programme,
            None,
            title=TITLE,
            description="Where does the weekend stall?",
            organisations=("Hospice", "Acute Trust", "GP Federation"),
            forms_at=core.clock.now() + timedelta(days=7),
            cli=True,
        )
        people = session.exec(select(Person).order_by(Person.id)).all()  # type: ignore[arg-type]
        sam = next(p for p in people if p.name == "Sam Lee")
        sam.share_email = True
        session.add(sam)
        for person in people:
            circles.join(session, core.clock.now(), person, topic)
        formed = form_topic(session, core.clock.now(), core.prompts, topic.id or 0)
    assert [len(c) for c in formed.circles] == [5]
    before = len(harness.connector.sent())
    await deliver_due(core.db, {"teams": harness.teams.sender}, core.clock)
    cards = [
        r
        for r in harness.connector.sent()[before:]
        if "Your problem circle" in json.dumps(r.body.get("attachments"))  # not the invitations
    ]
    assert sorted(r.conversation for r in cards) == [f"a:29:user-{n}" for n in range(4)]
    upns = {
        f"a:29:user-{n}": f"{name.split()[0].lower()}@example.org" for n, name in enumerate(NAMES)
    }
    for record in cards:
        content: dict[str, Any] = record.body["attachments"][0]["content"]
        drawn = [
            a for e in elements(content["body"]) if e["type"] == "ActionSet" for a in e["actions"]
        ]
        drawn += content.get("actions", [])  # in the body when the labels need a line each
        urls = [a["url"] for a in drawn if a["type"] == "Action.OpenUrl"]
        chat = next(u for u in urls if "/l/chat/0/0" in u)
        query = _query(chat)
        others = [upns[c] for c in sorted(upns) if c != record.conversation]
        assert sorted(query["users"][0].split(",")) == sorted(others)  # never the reader
        assert "sam.lee" not in chat  # a chat would not reach someone on Slack
        assert query["topicName"] == [TITLE]
        assert query["message"][0].startswith("Hello everyone, we're in a Crossties problem")
        assert TITLE in query["message"][0]
        titles = [a["title"] for a in drawn]
        assert "Chat with your circle" in titles and "Email Sam" in titles
        mail = next(u for u in urls if u.startswith("mailto:"))
        assert mail.startswith("mailto:sam.lee@gp.example.org?subject=Weekends%20%26%20%23delays")
        assert "on Slack, sam.lee@gp.example.org" in json.dumps(content["body"])
