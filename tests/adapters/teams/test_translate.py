"""Teams activities to neutral events, from captured payloads."""

from __future__ import annotations

import json
from pathlib import Path

from botbuilder.schema import Activity

from adapters.teams import translate
from bot.events import MENTION_MARK, ActionInvoked, UserRef

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "teams"


def _load(name: str, **changes: object) -> Activity:
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    data.update(changes)
    return Activity().deserialize(data)


def test_the_workspace_is_the_tenant_and_the_id_the_entra_object() -> None:
    activity = _load("message_personal")
    event = translate.command(activity)
    assert event.user.platform == "teams"
    assert event.user.workspace == "00000000-0000-0000-0000-0000000000001"
    assert event.user.id == "00000000-0000-0000-0000-0000000000020"
    assert event.text == "join hospice" and event.display_name == "Alex Wilber"


def test_the_bot_mention_goes_and_other_mentions_become_tokens() -> None:
    activity = _load(
        "message_groupChat",
        text="<at>Test Bot</at> exclude <at>Megan</at> <at>Adele Vance</at> &amp; more",
        entities=[
            {
                "type": "mention",
                "mentioned": {"id": "00000000-0000-0000-0000-00000000000011"},
                "text": "<at>Test Bot</at>",
            },
            {
                "type": "mention",
                "mentioned": {"id": "29:megan", "aadObjectId": "aad-megan"},
                "text": "<at>Megan</at>",
            },
            {"type": "mention", "mentioned": {"id": "29:adele"}, "text": "<at>Adele Vance</at>"},
        ],
    )
    assert translate.is_addressed_to_bot(activity)
    event = translate.command(activity, {"29:adele": "aad-adele"})
    assert event.text == f"exclude {MENTION_MARK} {MENTION_MARK} & more"
    tenant = event.user.workspace
    assert event.mentions == (
        UserRef("teams", tenant, "aad-megan"),
        UserRef("teams", tenant, "aad-adele"),
    )
    unresolved = translate.command(activity)
    assert unresolved.text == event.text
    assert [m.id for m in unresolved.mentions] == ["aad-megan", "29:adele"]


def test_shared_chats_need_the_bot_mentioned() -> None:
    activity = _load("message_groupChat", entities=[])
    assert not translate.is_addressed_to_bot(activity)
    assert translate.is_addressed_to_bot(_load("message_personal"))


def test_stray_markup_is_dropped() -> None:
    activity = _load("message_personal", text="<p>join <b>GP Federation</b></p>", entities=[])
    assert translate.command_text(activity) == "join GP Federation"


def test_card_clicks_become_actions() -> None:
    event = translate.card_action(_load("invoke_card_action"))
    assert isinstance(event, ActionInvoked)
    assert (event.action, event.value) == ("checkin", "1:met")
    submit = _load("message_personal", text=None, value={"action": "pause", "value": "4"})
    assert translate.card_action(submit) == ActionInvoked(
        user=translate.user_ref(submit),
        action="pause",
        value="4",
        display_name="Alex Wilber",
        conversation=translate.conversation_ref(submit),
    )
    assert translate.card_action(_load("invoke_card_action", value={"action": {}})) is None


def test_addresses_round_trip_and_bad_ones_are_ignored() -> None:
    activity = _load("message_personal")
    address = translate.personal_address(activity, upn="alexw@example.com")
    again = translate.Address.from_json(address.to_json())
    assert again == address
    assert again is not None and again.reference is not None
    assert "activityId" not in again.reference
    assert translate.Address.from_json("{not json") is None
    assert translate.Address.from_json(None) is None
