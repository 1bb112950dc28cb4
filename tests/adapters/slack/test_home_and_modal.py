"""App Home (views.publish), its buttons, and the coordinator's programme modal."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from sqlmodel import select

from adapters.slack import listeners
from bot.db.models import (
    Membership,
    MembershipStatus,
    Outbox,
    Person,
    Programme,
    ProgrammeRole,
    ProgrammeWorkspace,
)
from tests.adapters.slack.conftest import PROGRAMME, Harness, fixture


async def open_home(h: Harness, user: str, event_id: str = "Ev1") -> dict[str, Any]:
    payload = fixture("app_home_opened.json")
    payload["event"].update(user=user, channel=h.slack.open_dm(user))
    payload["event_id"] = event_id
    await h.event(payload)
    published = h.slack.calls_to("views.publish", ok_only=True)
    assert published and published[-1].args["user_id"] == user
    view: dict[str, Any] = published[-1].args["view"]
    assert view["type"] == "home"
    return view


def action_ids(view: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


def click_home(h: Harness, user: str, action: str, value: str = "") -> dict[str, Any]:
    payload = fixture("block_actions_home.json")
    payload["user"].update(id=user, username=user.lower(), name=user.lower())
    payload["actions"][0].update(action_id=f"ct|{action}|0", value=value)
    return payload


async def test_coordinators_see_their_programmes(world: Harness) -> None:
    view = await open_home(world, "U01")
    text = json.dumps(view)
    assert "Programmes you coordinate" in text and PROGRAMME in text
    ids = action_ids(view)
    assert {"ct|round preview|0", "ct|round run|1", "ct|programme edit|2"} <= set(ids)
    assert "ct|pause|0" in ids and "ct|leave|1" in ids
    run = next(
        e
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "ct|round run|1"
    )
    assert run["value"] == f"--programme {PROGRAMME}" and "confirm" in run


async def test_staff_see_their_introduction_and_ties(world: Harness) -> None:
    await world.command("round run", user="U01")
    world.replies()
    view = await open_home(world, "U03")
    text = json.dumps(view)
    assert "Your introduction in round 1" in text
    assert "Your working relationships (1)" in text or "Your working relationships" in text
    assert [i.split("|")[1] for i in action_ids(view)][:3] == ["checkin"] * 3
    assert "Programmes you coordinate" not in text


async def test_newcomers_join_from_home(world: Harness) -> None:
    world.slack.add_user("U70", "Omar Outsider")
    view = await open_home(world, "U70")
    joins = [
        e
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("ct|join|")
    ]
    assert next(e["text"]["text"] for e in joins) == "Acute Trust" and len(joins) == 5
    await world.interact(click_home(world, "U70", "join", joins[-1]["value"]))
    dm = world.slack.calls_to("chat.postMessage", ok_only=True)[-1]
    assert dm.args["channel"] == world.slack.conversation_of(["U70"])
    assert "You're in" in dm.args["text"]
    refreshed = world.slack.calls_to("views.publish", ok_only=True)[-1].args["view"]
    assert "ct|pause|0" in action_ids(refreshed)


async def test_pause_and_resume_buttons(world: Harness) -> None:
    await world.interact(click_home(world, "U03", "pause", "4"))
    with world.db.session() as session:
        membership = session.exec(
            select(Membership).join(Programme).where(Membership.person_id == world.person("u03").id)
        ).one()
    assert membership.status == MembershipStatus.PAUSED
    await world.interact(click_home(world, "U03", "resume", f"--programme {PROGRAMME}"))
    with world.db.session() as session:
        membership = session.get(Membership, membership.id)
    assert membership is not None and membership.status == MembershipStatus.ACTIVE
    dms = world.slack.calls_to("chat.postMessage", ok_only=True)
    assert len({d.args["channel"] for d in dms}) == 1  # the DM was opened once, then reused
    assert world.slack.count("conversations.open") == 1


async def test_preview_and_run_buttons(world: Harness) -> None:
    await world.interact(click_home(world, "U01", "round preview", f"--programme {PROGRAMME}"))
    assert "preview" in world.slack.calls_to("chat.postMessage")[-1].args["text"]
    await world.interact(click_home(world, "U01", "round run", f"--programme {PROGRAMME}"))
    assert "Round 1" in world.slack.calls_to("chat.postMessage")[-1].args["text"]
    await world.interact(click_home(world, "U05", "round run", f"--programme {PROGRAMME}"))
    assert "Only coordinators" in world.slack.calls_to("chat.postMessage")[-1].args["text"]
    with world.db.session() as session:
        assert len(session.exec(select(Outbox)).all()) == 6  # one round, not two


async def test_forget_confirmation_button(world: Harness) -> None:
    person_id = world.person("u06").id
    payload = fixture("block_actions.json")
    payload["user"]["id"] = "U06"
    payload["response_url"] = world.slack.response_url("forget")
    payload["actions"][0].update(action_id="ct|forget|0", value="confirm")
    await world.interact(payload)
    assert "erased" in world.replies("forget")[0]["text"].lower()
    with world.db.session() as session:
        erased = session.get(Person, person_id)
    assert erased is not None and erased.erased and erased.name is None


def submission(**values: Any) -> dict[str, Any]:
    payload = fixture("view_submission.json")
    state = payload["view"]["state"]["values"]
    if "name" in values:
        state["name"]["name"]["value"] = values["name"]
    if "organisations" in values:
        state["organisations"]["organisations"]["value"] = values["organisations"]
    if "cadence" in values:
        state["cadence"]["cadence"]["selected_option"]["value"] = values["cadence"]
    if "channel" in values:
        state["channel"]["channel"]["selected_conversation"] = values["channel"]
    for key in ("weekday", "hour", "timezone"):  # the schedule's selects
        if key in values:
            state[key] = {key: {"type": "static_select", "selected_option": {"value": values[key]}}}
    if "checkin_delay" in values:
        state["checkin_delay"] = {
            "checkin_delay": {"type": "plain_text_input", "value": values["checkin_delay"]}
        }
    if "rules" in values:  # the checkboxes ticked, by value
        state["rules"]["rules"]["selected_options"] = [{"value": v} for v in values["rules"]]
    if "programme_id" in values:
        payload["view"]["private_metadata"] = str(values["programme_id"])
    payload["user"]["id"] = values.get("user", "U2147483697")
    return payload


async def test_an_admin_creates_a_programme_in_a_modal(harness: Harness) -> None:
    harness.slack.add_user("U2147483697", "Steve Admin", admin=True)
    await harness.interact(click_home(harness, "U2147483697", "programme new"))
    opened = harness.slack.calls_to("views.open", ok_only=True)
    assert opened and opened[0].args["view"]["callback_id"] == "ct-programme"
    response = await harness.interact(submission())
    assert response.status == 200 and await response.text() == ""
    with harness.db.session() as session:
        programme = session.exec(select(Programme)).one()
        bound = session.exec(select(ProgrammeWorkspace)).all()
        roles = session.exec(select(ProgrammeRole)).all()
    assert (programme.name, programme.cadence, programme.group_size) == (
        "North Partnership",
        "weekly",
        2,
    )
    assert [(b.platform, b.workspace) for b in bound] == [("slack", "T0001")]
    assert [r.role for r in roles] == ["coordinator"]
    assert "is set up" in harness.slack.calls_to("chat.postMessage")[-1].args["text"]


async def test_the_modal_refuses_bad_input_inline(harness: Harness) -> None:
    harness.slack.add_user("U2147483697", "Steve Admin", admin=True)
    response = await harness.interact(submission(organisations="Only One"))
    body = await response.json()
    assert body["response_action"] == "errors" and "organisations" in body["errors"]
    with harness.db.session() as session:
        assert session.exec(select(Programme)).all() == []


async def test_only_admins_or_coordinators_create(world: Harness) -> None:
    await world.interact(submission(name="Another", user="U05"))
    with world.db.session() as session:
        assert [p.name for p in session.exec(select(Programme)).all()] == [PROGRAMME]
    assert "Only workspace admins" in world.slack.calls_to("chat.postMessage")[-1].args["text"]
    await world.interact(submission(name="Second Partnership", user="U01"))  # a coordinator
    with world.db.session() as session:
        assert len(session.exec(select(Programme)).all()) == 2


async def test_editing_and_syncing_a_channel(
    world: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listeners, "MEMBERS_PAGE", 2)
    with world.db.session() as session:
        programme_id = session.exec(select(Programme.id)).one()
    world.slack.add_user("U80", "Rita New")
    world.slack.add_user("U81", "Sam New", email="sam@example.org")
    world.slack.add_user("UB1", "Some Bot", bot=True)
    world.slack.channel_members["C777"] = ["U01", "U03", "U80", "U81", "UB1"]
    await world.interact(
        submission(
            programme_id=programme_id,
            name=PROGRAMME,
            cadence="monthly",
            organisations="Acute Trust\nHospice\nCouncil",
            channel="C777",
            user="U01",
        )
    )
    with world.db.session() as session:
        assert session.get(Programme, programme_id).cadence == "monthly"  # type: ignore[union-attr]
    assert world.slack.count("conversations.members") == 3  # paginated
    note = world.slack.calls_to("chat.postMessage")[-1].args["text"]
    assert "invited 2 people" in note and "2 already take part" in note
    stats = await world.deliver()
    assert stats.sent == 2
    invites = world.slack.calls_to("chat.postMessage")[-2:]
    buttons = [
        e for b in invites[0].args["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert [b["text"]["text"] for b in buttons] == ["Acute Trust", "Council", "Hospice"]
    assert buttons[1]["value"] == f"Council --programme {PROGRAMME}"


async def test_a_stranger_cannot_edit(world: Harness) -> None:
    with world.db.session() as session:
        programme_id = session.exec(select(Programme.id)).one()
    await world.interact(submission(programme_id=programme_id, name="Taken", user="U05"))
    with world.db.session() as session:
        assert session.get(Programme, programme_id).name == PROGRAMME  # type: ignore[union-attr]


async def test_leave_and_edit_buttons(world: Harness) -> None:
    with world.db.session() as session:
        programme_id = session.exec(select(Programme.id)).one()
    await world.interact(click_home(world, "U01", "programme edit", str(programme_id)))
    opened = world.slack.calls_to("views.open", ok_only=True)[-1].args["view"]
    assert opened["private_metadata"] == str(programme_id)
    assert opened["title"]["text"] == "Edit programme"
    filled = json.dumps(opened["blocks"])
    assert PROGRAMME in filled and "Acute Trust\\nAdult Social Care" in filled
    await world.interact(click_home(world, "U05", "programme edit", str(programme_id)))
    assert world.slack.count("views.open") == 1  # not a coordinator: refused, no modal
    assert "Only coordinators" in world.slack.calls_to("chat.postMessage")[-1].args["text"]
    await world.interact(click_home(world, "U05", "leave", f"--programme {PROGRAMME}"))
    with world.db.session() as session:
        membership = session.exec(
            select(Membership).where(Membership.person_id == world.person("u05").id)
        ).one()
    assert membership.status == MembershipStatus.LEFT
    refreshed = world.slack.calls_to("views.publish", ok_only=True)[-1].args["view"]
    assert any(i.startswith("ct|join|") for i in action_ids(refreshed))


async def test_pause_button_on_an_introduction(world: Harness) -> None:
    payload = fixture("block_actions.json")
    payload["user"]["id"] = "U04"
    payload["response_url"] = world.slack.response_url("pause")
    payload["actions"][0].update(action_id="ct|pause|3", value="4")
    await world.interact(payload)
    reply = world.replies("pause")
    assert len(reply) == 1 and reply[0]["response_type"] == "ephemeral"
    assert "paused" in reply[0]["text"]
    assert world.slack.count("chat.update") == 0


async def test_the_modal_sets_when_rounds_run_and_the_check_in_delay(harness: Harness) -> None:
    """The modal offers weekday, hour, time zone and the delay; what is picked is stored, a
    delay it cannot read is refused beside its field, and editing shows what was stored."""
    harness.slack.add_user("U2147483697", "Steve Admin", admin=True)
    await harness.interact(click_home(harness, "U2147483697", "programme new"))
    blank = harness.slack.calls_to("views.open", ok_only=True)[-1].args["view"]
    fields = {b["block_id"]: b["element"] for b in blank["blocks"] if b["type"] == "input"}
    assert fields["weekday"]["initial_option"]["text"]["text"] == "Monday"
    assert fields["hour"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "09:00", "emoji": True},
        "value": "9",
    }
    assert fields["timezone"]["initial_option"]["value"] == "Europe/London"
    assert fields["checkin_delay"]["initial_value"] == "7d"

    refused = await harness.interact(submission(checkin_delay="a week"))
    body = await refused.json()
    assert body["response_action"] == "errors"
    assert body["errors"]["checkin_delay"].startswith("Check-in delay: use a number with d, h")
    with harness.db.session() as session:
        assert session.exec(select(Programme)).all() == []

    schedule = {"weekday": "4", "hour": "7", "timezone": "America/New_York"}
    await harness.interact(submission(**schedule, checkin_delay="10m"))
    with harness.db.session() as session:
        programme = session.exec(select(Programme)).one()
    assert (programme.weekday, programme.hour, programme.timezone) == (4, 7, "America/New_York")
    assert (programme.checkin_minutes, programme.checkin_days) == (10, 1)
    note = harness.slack.calls_to("chat.postMessage")[-1].args["text"]
    assert "The next round is" in note and "10 minutes after their introduction" in note

    await harness.interact(click_home(harness, "U2147483697", "programme edit", str(programme.id)))
    edit = harness.slack.calls_to("views.open", ok_only=True)[-1].args["view"]
    fields = {b["block_id"]: b["element"] for b in edit["blocks"] if b["type"] == "input"}
    assert fields["weekday"]["initial_option"]["text"]["text"] == "Friday"
    assert fields["hour"]["initial_option"]["value"] == "7"
    assert fields["timezone"]["initial_option"]["value"] == "America/New_York"
    assert fields["checkin_delay"]["initial_value"] == "10m"


async def test_the_modal_turns_member_proposals_of_circle_topics_on_and_off(
    world: Harness,
) -> None:
    with world.db.session() as session:
        programme_id = session.exec(select(Programme.id)).one()

    def edit_modal() -> dict[str, Any]:
        opened = world.slack.calls_to("views.open", ok_only=True)[-1].args["view"]
        (rules,) = [b for b in opened["blocks"] if b.get("block_id") == "rules"]
        return cast(dict[str, Any], rules["element"])

    def allowed() -> bool:
        with world.db.session() as session:
            programme = session.get(Programme, programme_id)
        assert programme is not None
        return programme.circle_proposals

    await world.interact(click_home(world, "U01", "programme edit", str(programme_id)))
    rules = edit_modal()
    assert [o["value"] for o in rules["options"]] == ["cross", "circle_proposals"]
    assert rules["options"][1]["text"]["text"].startswith("Members may propose circle topics")
    assert [o["value"] for o in rules["initial_options"]] == ["cross"]  # off by default
    edit = {"programme_id": programme_id, "name": PROGRAMME}
    await world.interact(submission(**edit, rules=["cross", "circle_proposals"], user="U01"))
    assert allowed()
    await world.interact(click_home(world, "U01", "programme edit", str(programme_id)))
    assert [o["value"] for o in edit_modal()["initial_options"]] == ["cross", "circle_proposals"]
    await world.interact(submission(**edit, rules=["circle_proposals"], user="U05"))
    assert allowed()  # not a coordinator: nothing changes
    await world.interact(submission(**edit, rules=["cross"], user="U01"))
    assert not allowed()
