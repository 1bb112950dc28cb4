"""translate (payload → neutral event) and render (neutral message → Block Kit), and hostile
names end to end: nothing a person types can ping a channel or make a link."""

from __future__ import annotations

import json

from adapters.slack import render, translate
from bot.db.models import Answer
from bot.events import (
    MENTION_MARK,
    ActionInvoked,
    Button,
    Card,
    CheckInAnswered,
    CommandReceived,
    Fact,
    HomeOpened,
    Message,
    Text,
    UserRef,
)
from tests.adapters.slack.conftest import Harness, fixture, slash_fields

HOSTILE = ("<!channel>", "<https://evil.example|click me>", "<@U01>", "Tom & Jerry <b>")


def test_slash_command_becomes_a_command_in_its_team() -> None:
    fields = slash_fields()
    fields["text"] = "log <@U04ABC|ann.lee> planned &amp; ran a clinic &lt;3 <#C123|general>"
    event = translate.translate(fields)
    assert isinstance(event, CommandReceived)
    assert (event.user.platform, event.user.workspace, event.user.id) == (
        "slack",
        "T0001",
        "U2147483697",
    )
    assert event.text == f"log {MENTION_MARK} planned & ran a clinic <3 #general"
    assert event.mentions == (UserRef("slack", "T0001", "U04ABC"),)
    assert event.conversation is not None and event.conversation.id == "C2147483705"


def test_payload_types_are_dispatched() -> None:
    action = translate.translate(fixture("block_actions.json"))
    assert isinstance(action, CheckInAnswered)
    assert (action.introduction, action.answer, action.message_id) == (
        1,
        Answer.MET,
        "1700000000.000001",
    )
    home = translate.translate(fixture("app_home_opened.json"))
    assert isinstance(home, HomeOpened) and home.user.workspace == "T0001"
    forged = fixture("block_actions.json")
    forged["actions"][0]["value"] = "one:met"  # a value the codec cannot read: the core says so
    unread = translate.translate(forged)
    assert isinstance(unread, ActionInvoked) and unread.value == "one:met"
    message = translate.translate(fixture("message_im.json"))
    assert isinstance(message, CommandReceived) and message.text == "ties"
    assert translate.translate(fixture("url_verification.json")) is None
    edited = fixture("message_im.json")
    edited["event"]["subtype"] = "message_changed"
    assert translate.translate(edited) is None
    foreign = fixture("block_actions.json")
    foreign["actions"][0]["action_id"] = "someone_elses_button"
    assert translate.translate(foreign) is None


def test_a_join_select_names_its_programme() -> None:
    payload = fixture("block_actions_home.json")
    payload["actions"][0] = {
        "type": "static_select",
        "action_id": "ct|join|0",
        "block_id": "ct-join|North Partnership",
        "selected_option": {"text": {"type": "plain_text", "text": "Hospice"}, "value": "Hospice"},
        "action_ts": "1605545220.221045",
    }
    event = translate.translate(payload)
    assert isinstance(event, CommandReceived)
    assert event.text == "join Hospice --programme North Partnership"


def test_the_programme_form_is_read_from_view_state() -> None:
    form = translate.programme_form(fixture("view_submission.json"))
    assert form.name == "North Partnership"
    assert form.organisations == ("Acute Trust", "GP Federation", "Hospice")
    assert (form.cadence, form.group_size, form.cross_organisation, form.programme_id) == (
        "weekly",
        2,
        True,
        None,
    )
    assert translate.sync_channel(fixture("view_submission.json")) is None


def test_render_escapes_every_mrkdwn_field() -> None:
    card = Card(
        title=HOSTILE[0],
        sections=HOSTILE,
        facts=tuple(Fact(h, h) for h in HOSTILE),
        buttons=(Button("Go", "checkin", "1:met", "primary"),),
        footer=HOSTILE[1],
    )
    message = Message((Text(HOSTILE[2]), card))
    blocks = json.dumps(render.to_dicts(render.blocks_of(message)))
    mrkdwn = [t for b in render.to_dicts(render.blocks_of(message)) for t in _mrkdwn_texts(b)]
    assert mrkdwn and all("<" not in t and ">" not in t for t in mrkdwn)
    assert "&lt;!channel&gt;" in blocks and "Tom &amp; Jerry" in blocks
    fallback = render.fallback(message)
    assert "<" not in fallback and "&lt;https://evil.example|click me&gt;" in fallback
    assert render.parse_action_id("ct|round run|2") == "round run"


def _mrkdwn_texts(block: dict) -> list[str]:  # type: ignore[type-arg]
    found = []
    if isinstance(block, dict):
        if block.get("type") == "mrkdwn":
            found.append(block["text"])
        for value in block.values():
            if isinstance(value, dict | list):
                found += _mrkdwn_texts(value)  # type: ignore[arg-type]
    elif isinstance(block, list):
        for item in block:
            found += _mrkdwn_texts(item)
    return found


def test_long_text_is_split_and_never_empty() -> None:
    long = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    blocks = render.to_dicts(render.blocks_of(Message.text(long)))
    assert len(blocks) >= 3 and all(len(b["text"]["text"]) <= 3000 for b in blocks)
    assert render.fallback(Message.text("")) == " "


async def test_hostile_display_names_never_ping_or_link(world: Harness) -> None:
    for n, name in enumerate(HOSTILE, start=1):
        world.slack.users[f"U{n:02d}"]["profile"]["display_name"] = name
    with world.db.session() as session:
        from sqlmodel import select

        from bot.db.models import Person

        for n, person in enumerate(session.exec(select(Person).order_by(Person.id)).all()[:4]):
            person.name = HOSTILE[n]
            session.add(person)
    await world.command("round run", user="U01")
    world.replies()
    await world.deliver()
    await world.command("profile", user="U02")
    await world.command("round preview", user="U01")
    payload = fixture("app_home_opened.json")
    payload["event"].update(user="U03", channel=world.slack.open_dm("U03"))
    await world.event(payload)
    sent = [c.args for c in world.slack.calls if c.method in {"chat.postMessage", "views.publish"}]
    sent += world.slack.responses
    assert len(sent) >= 9
    for args in sent:
        # mrkdwn and the fallback text are parsed by Slack: nothing raw may reach them
        # (plain_text fields, such as headers and buttons, are never parsed)
        assert "<" not in str(args.get("text") or ""), args.get("text")
        blocks = args.get("blocks") or (args.get("view") or {}).get("blocks") or []
        for mrkdwn in _mrkdwn_texts(blocks):
            assert "<" not in mrkdwn and ">" not in mrkdwn, mrkdwn
    assert any("&lt;!channel&gt;" in json.dumps(a) for a in sent)


def test_many_choices_become_a_select_that_translates_back() -> None:
    organisations = [f"Organisation {n}" for n in range(8)]
    card = Card(
        title="Join",
        buttons=tuple(Button(o, "join", f"{o} --programme P") for o in organisations),
    )
    blocks = render.to_dicts(render.blocks_of(Message((card,))))
    select = next(b for b in blocks if b["type"] == "actions")["elements"][0]
    assert select["type"] == "static_select" and len(select["options"]) == 8
    payload = fixture("block_actions.json")
    payload["actions"][0] = {
        "type": "static_select",
        "action_id": select["action_id"],
        "block_id": "card0-select",
        "selected_option": select["options"][3],
        "action_ts": "1.2",
    }
    event = translate.translate(payload)
    assert isinstance(event, CommandReceived)
    assert event.text == "join Organisation 3 --programme P"
    few = Card(title="Join", buttons=tuple(Button(o, "join", o) for o in organisations[:3]))
    assert (
        next(
            b for b in render.to_dicts(render.blocks_of(Message((few,)))) if b["type"] == "actions"
        )["elements"][0]["type"]
        == "button"
    )
