"""The Teams bot's routing, driven through botbuilder's TestAdapter (no HTTP)."""

from __future__ import annotations

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlmodel import select

from adapters.teams.handler import CrosstiesTeamsBot
from adapters.teams.platform import TeamsSender
from bot.core import Crossties
from bot.db.models import Membership, PlatformAccount
from tests.fakes_teams import BOT_ID, TENANT

pytestmark = pytest.mark.db


def _adapter(kind: str = "personal") -> TestAdapter:
    template = Activity(
        channel_id="msteams",
        service_url="https://smba.example.test/",
        from_property=ChannelAccount(id="29:user-0", name="Alex Wilber", aad_object_id="aad-0"),
        recipient=ChannelAccount(id=BOT_ID, name="Crossties"),
        conversation=ConversationAccount(
            id="a:29:user-0" if kind == "personal" else "19:chat",
            conversation_type=kind,
            tenant_id=TENANT,
            is_group=kind != "personal",
        ),
    )
    return TestAdapter(template_or_conversation=template)


def _bot(core: Crossties, adapter: TestAdapter) -> CrosstiesTeamsBot:
    return CrosstiesTeamsBot(core, TeamsSender(adapter, core.prompts))


async def _turn(adapter: TestAdapter, bot: CrosstiesTeamsBot, activity: Activity) -> list[Activity]:
    before = len(adapter.activity_buffer)
    await adapter.process_activity(activity, bot.on_turn)
    return adapter.activity_buffer[before:]


async def test_personal_messages_reach_the_grammar(core: Crossties, programme: str) -> None:
    adapter = _adapter()
    bot = _bot(core, adapter)
    (reply,) = await _turn(adapter, bot, Activity(type="message", text="help"))
    assert "join" in reply.text and "leave" in reply.text
    (reply,) = await _turn(adapter, bot, Activity(type="message", text="join GP Federation"))
    assert "GP Federation" in reply.text
    with core.db.session() as session:
        assert len(session.exec(select(Membership)).all()) == 1
        account = session.exec(select(PlatformAccount)).one()
    assert (account.platform, account.workspace, account.user_id) == ("teams", TENANT, "aad-0")
    assert account.address and '"a:29:user-0"' in account.address


async def test_unknown_words_get_a_polite_answer(core: Crossties, programme: str) -> None:
    adapter = _adapter()
    (reply,) = await _turn(
        adapter, _bot(core, adapter), Activity(type="message", text="frobnicate")
    )
    assert reply.text and "help" in reply.text
    with core.db.session() as session:
        assert session.exec(select(Membership)).all() == []


async def test_group_chat_without_a_mention_is_left_alone(core: Crossties, programme: str) -> None:
    adapter = _adapter("groupChat")
    replies = await _turn(adapter, _bot(core, adapter), Activity(type="message", text="help"))
    assert replies == []


async def test_a_submit_button_is_an_action(core: Crossties, programme: str) -> None:
    adapter = _adapter()
    bot = _bot(core, adapter)
    await _turn(adapter, bot, Activity(type="message", text="join Hospice"))
    (reply,) = await _turn(
        adapter, bot, Activity(type="message", value={"action": "pause", "value": "3"})
    )
    assert "North" in reply.text
    with core.db.session() as session:
        membership = session.exec(select(Membership)).one()
    assert membership.status == "paused" and membership.paused_until is not None


async def test_an_execute_button_answers_the_invoke(core: Crossties, programme: str) -> None:
    adapter = _adapter()
    bot = _bot(core, adapter)
    await _turn(adapter, bot, Activity(type="message", text="join Hospice"))
    invoke = Activity(
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "checkin",
                "data": {"action": "checkin", "value": "12:met"},
            }
        },
    )
    replies = await _turn(adapter, bot, invoke)
    response = [r for r in replies if r.type == "invokeResponse"]
    assert len(response) == 1 and response[0].value.status == 200
    body = response[0].value.body
    # No introduction 12: the card is left as it was and the reason is said.
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "introduction" in body["value"]
    assert any(r.type == "message" and "introduction" in (r.text or "") for r in replies)


async def test_other_invokes_fall_through(core: Crossties, programme: str) -> None:
    adapter = _adapter()
    replies = await _turn(
        adapter, _bot(core, adapter), Activity(type="invoke", name="composeExtension/query")
    )
    response = [r for r in replies if r.type == "invokeResponse"]
    assert response and response[0].value.status in {200, 501}
