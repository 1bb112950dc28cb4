"""The Teams adapter over HTTP: a real CloudAdapter, a fake connector at the activity's
serviceUrl, and the core on each database backend."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from adapters.teams.translate import Address
from bot.db.models import CheckIn, Membership, Outbox, PlatformAccount
from bot.delivery import deliver_due
from tests.adapters.teams.conftest import Harness, activity
from tests.adapters.test_payload_limits import elements
from tests.fakes_teams import TENANT, member

pytestmark = pytest.mark.db


def _memberships(harness: Harness) -> int:
    with harness.core.db.session() as session:
        return len(session.exec(select(Membership)).all())


async def test_personal_install_welcomes_and_stores_the_address(harness: Harness) -> None:
    alex = {"id": "29:user-0", "name": "Alex Wilber", "aadObjectId": "aad-0"}
    conversation = {"conversationType": "personal", "tenantId": TENANT, "id": "a:29:user-0"}
    install = activity(
        "installationUpdate_personal", harness.url, conversation=conversation, **{"from": alex}
    )
    update = activity(
        "conversation_update_personal",
        harness.url,
        conversation=conversation,
        membersAdded=[{"id": "28:crossties-bot"}],
        **{"from": alex},
    )
    assert (await harness.post(install))[0] == 200
    assert (await harness.post(update))[0] == 200
    texts = [t for t in harness.connector.texts() if t]  # the card after it has no text
    assert len(texts) == 1 and texts[0].startswith("Hello Alex Wilber")
    assert "Choose your organisation below" in texts[0]
    (offer,) = harness.connector.cards()  # the organisations in one list, sent by one Join
    (picker,) = [b for b in offer["body"] if b["type"] == "Input.ChoiceSet"]
    assert [c["title"] for c in picker["choices"]] == ["Acute Trust", "GP Federation", "Hospice"]
    assert [a["title"] for a in offer["actions"]] == ["Join"]
    assert harness.connector.sent()[0].conversation == "a:29:user-0"
    account = harness.account(0)
    assert account is not None and account.workspace == TENANT
    address = Address.from_json(account.address)
    assert address is not None and address.reference is not None
    assert address.reference["conversation"]["id"] == "a:29:user-0"
    assert address.service_url == harness.url


async def test_help_join_and_a_polite_refusal(harness: Harness) -> None:
    (answer,) = await harness.say("help")
    assert "join" in answer and "leave" in answer
    (answer,) = await harness.say("join Nowhere Trust")
    assert "Acute Trust" in answer and "Hospice" in answer
    assert _memberships(harness) == 0
    (answer,) = await harness.say("join hospice")
    assert "Hospice" in answer
    assert _memberships(harness) == 1
    # A first message is enough to be reachable later, even without an install event.
    account = harness.account(0)
    assert account is not None
    address = Address.from_json(account.address)
    assert address is not None and address.reference is not None


async def test_group_chat_needs_a_mention_and_answers_privately(harness: Harness) -> None:
    group = {"conversationType": "groupChat", "isGroup": True, "tenantId": TENANT, "id": "19:g"}
    sender = {"id": "29:user-1", "name": "Megan Bowen", "aadObjectId": "aad-1"}
    unaddressed = activity(
        "message_groupChat",
        harness.url,
        text="join Hospice",
        entities=[],
        conversation=group,
        **{"from": sender},
    )
    assert (await harness.post(unaddressed))[0] == 200
    assert harness.connector.sent() == [] and _memberships(harness) == 0

    addressed = activity(
        "message_groupChat",
        harness.url,
        text="<at>Crossties</at> profile",
        conversation=group,
        **{"from": sender},
    )
    assert (await harness.post(addressed))[0] == 200
    created = [r for r in harness.connector.requests if r.path == "/v3/conversations"]
    assert created and created[0].body["members"] == [{"id": "29:user-1"}]
    private = [r for r in harness.connector.sent() if r.conversation == "a:29:user-1"]
    assert private and private[0].body["attachments"][0]["content"]["type"] == "AdaptiveCard"
    in_group = [r for r in harness.connector.sent() if r.conversation == "19:g"]
    assert len(in_group) == 1 and "private" in in_group[0].body["text"]


async def test_mentions_become_grammar_tokens(harness: Harness) -> None:
    """`log @person` reaches the core with the mentioned person's id."""
    for n, name in ((0, "Alex Wilber"), (1, "Megan Bowen")):
        await harness.say("join Hospice" if n == 0 else "join Acute Trust", n, name)
    message = activity(
        "message_personal",
        harness.url,
        text="log <at>Megan Bowen</at> planned discharge together",
        entities=[
            {
                "type": "mention",
                "mentioned": {"id": "29:user-1", "name": "Megan Bowen"},
                "text": "<at>Megan Bowen</at>",
            }
        ],
        conversation={"conversationType": "personal", "tenantId": TENANT, "id": "a:29:user-0"},
        **{"from": {"id": "29:user-0", "name": "Alex Wilber", "aadObjectId": "aad-0"}},
    )
    harness.connector.members = [member(1, "Megan Bowen")]
    assert (await harness.post(message))[0] == 200
    assert "Megan Bowen" in harness.connector.texts()[-1]
    from bot.db.models import TieEvent

    with harness.core.db.session() as session:
        notes = [e.note or "" for e in session.exec(select(TieEvent)).all()]
    assert any("planned discharge" in note for note in notes)


async def test_bot_added_to_a_team_reads_the_whole_roster(harness: Harness) -> None:
    harness.connector.members = [
        member(n, name)
        for n, name in enumerate(
            ["Alex Wilber", "Megan Bowen", "Adele Vance", "Isaiah Langer", "Patti Fernandez"]
        )
    ]
    added = activity("conversation_update_channel", harness.url)
    added["membersAdded"] = [{"id": "28:crossties-bot"}]
    added["channelData"]["team"] = {"id": "19:team", "name": "My Team"}
    added["conversation"]["id"] = "19:team"
    assert (await harness.post(added))[0] == 200
    pages = [r for r in harness.connector.requests if r.path.endswith("/pagedmembers")]
    assert len(pages) == 3  # five members, two a page
    with harness.core.db.session() as session:
        accounts = session.exec(select(PlatformAccount)).all()
    assert sorted(a.user_id for a in accounts) == [f"aad-{n}" for n in range(5)]
    address = Address.from_json(accounts[0].address)
    assert address is not None and address.team_id == "19:team" and address.upn
    channel = [r for r in harness.connector.sent() if r.conversation == "19:team"]
    assert len(channel) == 1 and "Hello everyone" in channel[0].body["text"]
    assert len(harness.connector.sent()) == 1  # nobody is messaged one by one


async def _round(harness: Harness) -> None:
    """Alex (coordinator, Hospice) and Megan (Acute Trust) on Teams; a round is run."""
    from bot.db.models import Programme, ProgrammeRoleKind
    from bot.usecases.programmes import grant

    harness.connector.members = [member(0, "Alex Wilber"), member(1, "Megan Bowen")]
    await harness.say("join Hospice", 0, "Alex Wilber")
    await harness.say("join Acute Trust", 1, "Megan Bowen")
    with harness.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        alex = harness.person(0)
        assert alex is not None
        grant(session, harness.core.clock.now(), programme, alex, ProgrammeRoleKind.COORDINATOR)
    answer = await harness.say("round run")
    assert "Round 1" in answer[0]


async def test_round_sends_each_person_a_card_with_links_and_buttons(harness: Harness) -> None:
    await _round(harness)
    before = len(harness.connector.sent())
    stats = await deliver_due(harness.core.db, {"teams": harness.teams.sender}, harness.core.clock)
    assert stats.sent == 1
    cards = list(harness.connector.sent()[before:])
    assert sorted(r.conversation for r in cards) == ["a:29:user-0", "a:29:user-1"]
    for record in cards:
        content = record.body["attachments"][0]["content"]
        text = json.dumps(content)
        partner = "Megan Bowen" if record.conversation == "a:29:user-0" else "Alex Wilber"
        assert content["body"][1]["text"] == f"Meet {partner}"  # people first
        assert "Hospice" in text and "Acute Trust" in text
        assert record.body["summary"] == (
            "Megan Bowen (Acute Trust) — your Crossties introduction"
            if partner == "Megan Bowen"
            else "Alex Wilber (Hospice) — your Crossties introduction"
        )
        assert primary(content) == ["We met", "Not yet", "Couldn't meet"]
        secondary = [a["title"] for a in content["actions"] if a.get("mode") == "secondary"]
        assert "Another question" in secondary and "Pause me for 4 weeks" in secondary
        urls = [a["url"] for a in content["actions"] if a["type"] == "Action.OpenUrl"]
        chat = next(u for u in urls if u.startswith("https://teams.microsoft.com/l/chat/0/0?"))
        assert "&message=Hello%20" in chat  # a greeting and the question, ready to send
        assert any(u.startswith("https://teams.microsoft.com/l/meeting/new?subject=") for u in urls)
    alex_card = next(r for r in cards if r.conversation == "a:29:user-0")
    links = " ".join(
        a.get("url", "") for a in alex_card.body["attachments"][0]["content"]["actions"]
    )
    assert "megan" in links and "alex" not in links.split("users=")[1].split("&")[0]
    # the same first mover is named on both cards, told so only on their own
    words = [json.dumps(r.body["attachments"][0]["content"]) for r in cards]
    assert sum("You make the first move" in w for w in words) == 1
    assert sum("will suggest a time" in w for w in words) == 1


def primary(card: dict[str, Any]) -> list[str]:
    """The titles of the buttons drawn as buttons (in the body or the card's own row)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "ActionSet":
                found.extend(a["title"] for a in node["actions"] if a.get("mode") != "secondary")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card["body"])
    found += [a["title"] for a in card.get("actions", []) if a.get("mode") != "secondary"]
    return found


async def test_another_question_redraws_the_card_with_a_new_starter(harness: Harness) -> None:
    await _round(harness)
    await deliver_due(harness.core.db, {"teams": harness.teams.sender}, harness.core.clock)
    sent = next(
        r
        for r in harness.connector.sent()
        if r.conversation == "a:29:user-0" and r.body.get("attachments")
    )
    content = sent.body["attachments"][0]["content"]
    button = next(a for a in content["actions"] if a["title"] == "Another question")
    before = json.dumps(content["body"])
    click = activity(
        "invoke_card_action",
        harness.url,
        value={
            "action": {"type": "Action.Execute", "verb": button["verb"], "data": button["data"]}
        },
        conversation={"conversationType": "personal", "tenantId": TENANT, "id": "a:29:user-0"},
        **{"from": {"id": "29:user-0", "name": "Alex Wilber", "aadObjectId": "aad-0"}},
    )
    status, body = await harness.post(click)
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    card = body["value"]
    assert card["body"][1]["text"] == "Meet Megan Bowen"  # Alex's own copy, redrawn
    starter = next(b for b in card["body"] if b["type"] == "Container" and b.get("style"))
    assert starter["items"][0]["text"] not in before  # another question
    assert primary(card) == ["We met", "Not yet", "Couldn't meet"]
    chat = next(a["url"] for a in card["actions"] if "/l/chat/" in a.get("url", ""))
    assert "megan" in chat  # the links still reach the partner, quoting the new question


async def test_card_click_records_the_check_in_and_redraws_the_card(harness: Harness) -> None:
    await _round(harness)
    await deliver_due(harness.core.db, {"teams": harness.teams.sender}, harness.core.clock)
    with harness.core.db.session() as session:
        intro_id = session.exec(select(CheckIn)).first().introduction_id  # type: ignore[union-attr]
    click = activity(
        "invoke_card_action",
        harness.url,
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "checkin",
                "data": {"action": "checkin", "value": f"{intro_id}:met"},
            }
        },
        conversation={"conversationType": "personal", "tenantId": TENANT, "id": "a:29:user-0"},
        **{"from": {"id": "29:user-0", "name": "Alex Wilber", "aadObjectId": "aad-0"}},
    )
    status, body = await harness.post(click)
    assert status == 200
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    card = body["value"]
    assert "Megan Bowen" in json.dumps(card)  # the same introduction, redrawn
    assert "You said you met." in json.dumps(card)
    # every answer kept to change it, the chosen one ticked, none coloured
    actions = [a for e in elements(card["body"]) if e["type"] == "ActionSet" for a in e["actions"]]
    actions += card.get("actions", [])
    buttons = [a for a in actions if a["type"] == "Action.Execute"]
    answers = [a["title"] for a in buttons if a["verb"] == "checkin"]
    assert answers == ["✓ We met", "Not yet", "Couldn't meet"]
    assert not [a for a in buttons if "style" in a]
    primary = [a for a in actions if a.get("mode") != "secondary"]
    assert [a["title"] for a in primary] == answers
    alex = harness.person(0)
    with harness.core.db.session() as session:
        answers = {c.person_id: c.answer for c in session.exec(select(CheckIn)).all()}
    assert alex is not None and answers[alex.id] == "met"


async def test_a_forged_card_value_changes_nothing(harness: Harness) -> None:
    await _round(harness)
    click = activity(
        "invoke_card_action",
        harness.url,
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "checkin",
                "data": {"action": "checkin", "value": "999:met"},
            }
        },
        **{"from": {"id": "29:user-0", "name": "Alex Wilber", "aadObjectId": "aad-0"}},
    )
    status, _ = await harness.post(click)
    assert status == 200
    with harness.core.db.session() as session:
        assert all(c.answer is None for c in session.exec(select(CheckIn)).all())


async def test_unreachable_person_is_reported(harness: Harness) -> None:
    await _round(harness)
    megan = harness.account(1)
    assert megan is not None
    harness.connector.gone.add("29:user-1")
    stats = await deliver_due(harness.core.db, {"teams": harness.teams.sender}, harness.core.clock)
    assert stats.failed == 1
    with harness.core.db.session() as session:
        row = session.exec(select(Outbox).where(Outbox.kind == "introduction")).one()
        account = session.get(PlatformAccount, megan.id)
    assert row.state == "failed" and account is not None and account.reachable is False
    delivered = [r.conversation for r in harness.connector.sent() if r.body.get("attachments")]
    assert "a:29:user-0" in delivered  # the reachable partner still got the card


async def test_proactive_messages_survive_a_restart(harness: Harness) -> None:
    """A new adapter on the same database reaches people through the stored address."""
    await _round(harness)
    from adapters.teams.app import TeamsConfiguration, build_teams
    from tests.adapters.teams.conftest import services_for

    fresh = build_teams(services_for(harness.core), TeamsConfiguration())
    fresh.sender.sleep = harness.time.sleep
    stats = await deliver_due(harness.core.db, {"teams": fresh.sender}, harness.core.clock)
    assert stats.sent == 1
    assert len([r for r in harness.connector.sent() if r.body.get("attachments")]) == 2


async def test_a_slack_partner_is_named_with_a_way_to_reach_them(harness: Harness) -> None:
    """Across platforms: the Teams card names the Slack partner, their organisation and role,
    says where they are and, as they share it, their email (also used for the chat link)."""
    from bot.db.models import Programme, ProgrammeWorkspace
    from bot.events import UserRef
    from bot.usecases.programmes import RosterRow, import_roster

    harness.connector.members = [member(0, "Alex Wilber")]
    await harness.say("join Hospice")
    with harness.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        session.add(ProgrammeWorkspace(programme_id=programme.id, platform="slack", workspace="T1"))
        row = RosterRow(
            line=2,
            external_id="s1",
            name="Sam *Slack* [Lee]",
            organisation="GP Federation",
            role="Practice nurse",
            email="sam.lee@gp.example.org",
            accounts=[UserRef("slack", "T1", "U123")],
        )
        import_roster(session, harness.core.clock.now(), programme, [row])
        from bot.usecases.rounds import run_round

        run_round(session, harness.core.clock.now(), programme, harness.core.prompts)
    stats = await deliver_due(harness.core.db, {"teams": harness.teams.sender}, harness.core.clock)
    assert stats.sent == 1
    (card,) = harness.connector.cards()
    assert card["body"][1]["text"] == "Meet Sam \\*Slack\\* \\[Lee\\]"  # as typed, not formatting
    text = json.dumps(card["body"])
    assert "Practice nurse, GP Federation" in text
    assert "on Slack, sam.lee@gp.example.org" in text
    urls = [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    mail = next(u for u in urls if u.startswith("mailto:"))
    assert mail.startswith("mailto:sam.lee@gp.example.org?subject=Crossties%20introduction")
    assert "&body=Hello%20Sam" in mail
    # a Teams chat would not reach someone on Slack; a meeting invitation reaches their email
    assert not any("/l/chat/" in u for u in urls)
    assert any("/l/meeting/new?" in u and "sam.lee@gp.example.org" in u for u in urls)


async def test_a_lead_gets_the_report_as_a_card_with_a_small_chart(harness: Harness) -> None:
    import base64

    from bot.db.models import Programme, ProgrammeRoleKind
    from bot.usecases.programmes import grant

    await harness.say("join Hospice")
    with harness.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        alex = harness.person(0)
        assert alex is not None
        grant(session, harness.core.clock.now(), programme, alex, ProgrammeRoleKind.LEAD)
    await harness.say("report")
    card, *panels = harness.connector.cards()
    assert "North" in card["body"][0]["text"]
    assert len(panels) == 4  # heat map, organisation diagram, growth, funnel: a card each
    for panel in panels:
        (image,) = [b for b in panel["body"] if b["type"] == "Image"]
        png = base64.b64decode(image["url"].removeprefix("data:image/png;base64,"))
        assert png.startswith(b"\x89PNG") and len(png) <= 28 * 1024
        assert image["altText"]


async def test_someone_who_is_not_a_lead_gets_no_report(harness: Harness) -> None:
    await harness.say("join Hospice")
    (answer,) = await harness.say("report")
    assert harness.connector.cards() == [] and "lead" in answer.lower()


async def test_a_private_answer_that_cannot_be_delivered_says_so(harness: Harness) -> None:
    harness.connector.gone.add("29:user-2")
    group = {"conversationType": "groupChat", "isGroup": True, "tenantId": TENANT, "id": "19:g"}
    asking = activity(
        "message_groupChat",
        harness.url,
        text="<at>Crossties</at> ties",
        conversation=group,
        **{"from": {"id": "29:user-2", "name": "Adele Vance", "aadObjectId": "aad-2"}},
    )
    assert (await harness.post(asking))[0] == 200
    (posted,) = harness.connector.sent()
    assert posted.conversation == "19:g" and "couldn't reach you" in posted.body["text"]


async def test_removing_the_app_makes_a_person_unreachable_until_reinstalled(
    harness: Harness,
) -> None:
    alex = {"id": "29:user-0", "name": "Alex Wilber", "aadObjectId": "aad-0"}
    conversation = {"conversationType": "personal", "tenantId": TENANT, "id": "a:29:user-0"}
    install = activity(
        "installationUpdate_personal", harness.url, conversation=conversation, **{"from": alex}
    )
    assert (await harness.post(install))[0] == 200
    account = harness.account(0)
    assert account is not None and account.reachable
    assert (await harness.post(dict(install, action="remove")))[0] == 200
    account = harness.account(0)
    assert account is not None and not account.reachable
    assert (await harness.post(install))[0] == 200
    account = harness.account(0)
    assert account is not None and account.reachable
