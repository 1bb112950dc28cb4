"""`forget me` leaves none of the person's data anywhere: after a realistic history on Slack
(App Home, join, profile, a round delivered through the fake Slack, a check-in click, notes
both ways, a report, their data copy), no table — ours or the SDK stores sharing the database —
and no log line (ours at DEBUG, everything at INFO) holds their name, email or platform ids."""

from __future__ import annotations

import json
import logging

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.db.models import IntroductionChat, IntroductionMember, Person, PlatformAccount
from bot.db.session import Database
from bot.templates import Prompts
from tests.adapters.slack.conftest import Harness, fixture, serving
from tests.adapters.slack.test_oauth import install
from tests.fakes_slack import FakeSlack
from tests.security.conftest import tables_containing

pytestmark = pytest.mark.db

USER = "U0ZEPHYR1"
NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.q@example.org"
OUR_LOGGERS = ("bot", "adapters")


def leaks(records: list[logging.LogRecord], needles: list[str]) -> list[str]:
    """Log lines that name the person: ours at any level, the SDKs' from INFO up (their DEBUG
    output echoes whole requests and is never on in production)."""
    found = []
    for record in records:
        ours = record.name.split(".")[0] in OUR_LOGGERS
        if not ours and record.levelno < logging.INFO:
            continue
        text = record.getMessage() + (record.exc_text or "")
        if any(n.casefold() in text.casefold() for n in needles):
            found.append(f"{record.name}: {text[:300]}")
    return found


async def open_home(h: Harness, user: str, event_id: str) -> None:
    payload = fixture("app_home_opened.json")
    payload["event"].update(user=user, channel=h.slack.open_dm(user))
    payload["event_id"] = event_id
    assert (await h.event(payload)).status == 200


async def realistic_history(h: Harness) -> tuple[str, str]:
    """Returns (her DM channel, one partner's Slack id)."""
    h.slack.add_user(USER, NAME, email=EMAIL)
    dm = h.slack.open_dm(USER)
    await open_home(h, USER, "EvZ1")
    await h.command("join Hospice", user=USER)
    await h.command("profile role Ward Sister", user=USER)
    await h.command("round run", user="U01")
    await h.deliver()
    with h.db.session() as session:
        me = session.exec(select(Person).where(Person.name == NAME)).one()
        mine = session.exec(
            select(IntroductionMember).where(IntroductionMember.person_id == me.id)
        ).one()
        partner_id = next(
            m.person_id
            for m in session.exec(
                select(IntroductionMember).where(
                    IntroductionMember.introduction_id == mine.introduction_id
                )
            ).all()
            if m.person_id != me.id
        )
        partner = session.exec(
            select(PlatformAccount).where(PlatformAccount.person_id == partner_id)
        ).first()
        assert partner is not None
        chat = session.exec(
            select(IntroductionChat).where(IntroductionChat.introduction_id == mine.introduction_id)
        ).one()
    payload = fixture("block_actions.json")
    posted = h.slack.messages[(chat.channel, str(chat.message_id))]
    assert NAME in json.dumps(posted)  # the introduction named her to her partner
    payload["user"].update(id=USER, username="zephyrine", name="zephyrine")
    payload["container"].update(channel_id=chat.channel, message_ts=chat.message_id)
    payload["channel"]["id"] = chat.channel
    payload["message"].update(ts=chat.message_id, blocks=posted["blocks"], text=posted["text"])
    payload["actions"][0]["value"] = f"{mine.introduction_id}:met"
    await h.interact(payload)
    other = partner.user_id
    await h.command(
        f"log <@{other}> Quillfeather and I drafted the falls pathway #falls", user=USER
    )
    await h.command(f"log <@{USER}|zephyrine> met {NAME} about discharge #discharge", user=other)
    await h.command("ties", user=other)
    await open_home(h, other, "EvZ2")  # the partner's home shows her as their introduction
    await h.command("my data", user=USER)
    await h.command("report", user="U02")
    await h.deliver()
    return dm, other


async def test_forget_me_leaves_nothing(
    slack_world: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = slack_world
    caplog.set_level(logging.DEBUG)
    dm, partner = await realistic_history(h)
    needles = [NAME, "Zephyrine", "Quillfeather", EMAIL, USER, dm]
    assert tables_containing(h.db, needles)  # the history really holds her data
    assert h.runtime.profiles.holds("T0001", USER)  # and so does the process's memory
    await h.command("forget me", user=USER)
    await h.interact(
        {
            **fixture("block_actions_home.json"),
            "user": {"id": USER, "username": "z", "name": "z", "team_id": "T0001"},
            "actions": [
                {
                    **fixture("block_actions_home.json")["actions"][0],
                    "action_id": "ct|forget|0",
                    "value": "confirm",
                }
            ],
        }
    )
    await h.deliver()
    await open_home(h, partner, "EvZ3")
    await h.command("ties", user=partner)
    await h.command("report", user="U02")
    assert tables_containing(h.db, needles) == {}
    assert not h.runtime.profiles.holds("T0001", USER)
    assert leaks(caplog.records, needles) == []
    with h.db.session() as session:
        erased = session.exec(select(Person).where(Person.erased)).all()
    assert len(erased) == 1
    # what her partner sees now names nobody
    home = h.slack.calls_to("views.publish", ok_only=True)[-1].args["view"]
    assert "Zephyrine" not in json.dumps(home)


async def test_an_installer_who_is_forgotten_leaves_the_installation_anonymous(
    db: Database, clock: ManualClock, prompts: Prompts, fake_slack: FakeSlack
) -> None:
    oauth = {"slack_bot_token": None, "slack_client_id": "111.222", "slack_client_secret": "s"}
    async with serving(db, clock, prompts, fake_slack, **oauth) as h:
        await install(h, "T0001")
        fake_slack.add_user("UINSTALLER", "Ingrid Installer", email="ingrid@example.org")
        fake_slack.add_user("U03", "Person 03")
        await h.command("help", user="UINSTALLER")
        assert tables_containing(h.db, ["UINSTALLER"]).keys() >= {"slack_installations"}
        await h.command("forget me confirm", user="UINSTALLER")
        assert tables_containing(h.db, ["UINSTALLER", "Ingrid", "ingrid@example.org"]) == {}
        await h.command("help", user="U03")  # the workspace still has its bot
        assert len(h.replies("cmd")) == 3
