"""End to end with Microsoft 365 Agents Playground: the real server (`make_app`) serves Teams
anonymously on loopback; the Playground emulates Teams and its connector offline and is driven
through its HTTP and WebSocket API, as its web client drives it."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import select

from bot.app import Services
from bot.config import Settings
from bot.db.models import CheckIn, Membership, Person, PlatformAccount, Programme, ProgrammeRoleKind
from bot.delivery import deliver_due
from bot.usecases import people
from bot.usecases.programmes import ProgrammeSettings, create_programme, grant
from crossties.server import SENDERS, make_app
from crossties.wiring import build
from tests.fakes_teams import free_port

HERE = Path(__file__).resolve().parent
PLAYGROUND = HERE / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
START_TIMEOUT = 60.0
WAIT = 20.0

pytestmark = pytest.mark.slow


def _require_playground() -> None:
    if PLAYGROUND.exists() and shutil.which("node"):
        return
    if os.environ.get("CI"):
        pytest.fail("Agents Playground is not installed: run npm install in tests/e2e")
    pytest.skip("Agents Playground not installed (npm install in tests/e2e)")


class Playground:
    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base = base
        self.session = session
        self.events: list[dict[str, Any]] = []
        self.config: dict[str, Any] = {}
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        response = await self.session.get(self.base + "/_internal/v1/config")
        self.config = (await response.json())["config"]
        socket = await self.session.ws_connect(
            self.base + "/_ws_conversation/v1/conversations/stream"
        )

        async def read() -> None:
            async for message in socket:
                if message.type == aiohttp.WSMsgType.TEXT:
                    self.events.append(json.loads(message.data))

        self._reader = asyncio.create_task(read())

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()

    @property
    def me(self) -> str:
        return str(self.config["currentUser"]["id"])

    @property
    def personal(self) -> str:
        return str(self.config["personalChat"]["id"])

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        response = await self.session.post(self.base + path, json=body)
        text = await response.text()
        return response.status, (json.loads(text) if text else None)

    async def say(self, text: str) -> None:
        status, _ = await self.post(
            f"/_conversation/v1/conversations/{self.personal}/messages",
            {"from": {"id": self.me}, "text": text, "textFormat": "plain"},
        )
        assert status == 200

    async def expect(
        self, test: Callable[[dict[str, Any]], bool], after: int = 0
    ) -> dict[str, Any]:
        """The first bot message (after index `after`) passing `test`, waiting for it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while loop.time() < deadline:
            for event in self.events[after:]:
                message = event.get("message") or {}
                if (
                    event.get("action") == "createMessage"
                    and message.get("from", {}).get("id") != self.me
                    and test(event)
                ):
                    return event
            await asyncio.sleep(0.05)
        raise AssertionError(f"no such message; saw {json.dumps(self.events)[:3000]}")


def _text(event: dict[str, Any]) -> str:
    return str(event["message"].get("text") or "")


def _cards(event: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["content"] for a in event["message"].get("attachments") or []]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Services, Playground, dict[str, Any]]]:
    _require_playground()
    settings = Settings(
        CROSSTIES_DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}", CROSSTIES_HOST="127.0.0.1"
    )
    services = build(settings)
    app = make_app(services, background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    bot_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", bot_port).start()

    port = free_port()
    env = dict(os.environ, TEAMSAPPTESTER_BROWSER="none", APPLICATION_INSIGHTS_NO_STATSBEAT="true")
    process = await asyncio.create_subprocess_exec(
        "node",
        str(PLAYGROUND),
        "--port",
        str(port),
        "--app-endpoint",
        f"http://127.0.0.1:{bot_port}/api/messages",
        "--channel-id",
        "msteams",
        "--disable-telemetry",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    session = aiohttp.ClientSession()
    base = f"http://127.0.0.1:{port}"
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        while True:
            try:
                async with session.get(base + "/_debug/ping") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            if loop.time() > deadline or process.returncode is not None:
                raise AssertionError("Agents Playground did not start")
            await asyncio.sleep(0.2)
        playground = Playground(base, session)
        await playground.connect()
        tenant = str(playground.config["tenantId"])
        with services.db.session() as db_session:
            create_programme(
                db_session,
                services.clock.now(),
                ProgrammeSettings(
                    name="North",
                    organisations=("Acute Trust", "GP Federation", "Hospice"),
                    workspaces=(("teams", tenant),),
                ),
            )
        yield services, playground, dict(app[SENDERS])
        await playground.close()
    finally:
        await session.close()
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()
        await runner.cleanup()
        services.db.dispose()


async def test_install_help_join_round_and_check_in(
    world: tuple[Services, Playground, dict[str, Any]],
) -> None:
    services, playground, senders = world
    db = services.db

    # Installed for a person: a welcome in their personal chat, their address stored.
    status, _ = await playground.post(
        f"/_debug/conversation/{playground.personal}/installation", {}
    )
    assert status == 200
    welcome = await playground.expect(lambda e: _text(e).startswith("Hello Alex Wilber"))
    assert "Choose your organisation below" in _text(welcome)
    offer = await playground.expect(lambda e: "Join North" in str(_cards(e)))
    (card,) = _cards(offer)
    (picker,) = [b for b in card["body"] if b["type"] == "Input.ChoiceSet"]
    assert "Hospice" in [c["title"] for c in picker["choices"]]
    assert [a["title"] for a in card["actions"]] == ["Join"]

    mark = len(playground.events)
    await playground.say("help")
    answer = await playground.expect(lambda e: "join" in _text(e) and "leave" in _text(e), mark)
    assert answer["actionConversationId"] == playground.personal

    mark = len(playground.events)
    await playground.say("join Nowhere")
    await playground.expect(lambda e: "Hospice" in _text(e), mark)
    mark = len(playground.events)
    await playground.say("join hospice")
    await playground.expect(lambda e: "Hospice" in _text(e) and "North" in _text(e), mark)
    with db.session() as session:
        assert len(session.exec(select(Membership)).all()) == 1

    # In a group chat the bot answers only when mentioned, and personal answers go privately.
    group = playground.config["groupChats"][0]["id"]
    bot = playground.config["bot"]
    mark = len(playground.events)
    tag = f"<at>{bot['name']}</at>"
    status, _ = await playground.post(
        f"/_conversation/v1/conversations/{group}/messages",
        {
            "from": {"id": playground.me},
            "text": f"{tag} profile",
            "textFormat": "plain",
            "mentions": [{"mentioned": {"id": bot["id"]}, "text": tag}],
        },
    )
    assert status == 200
    note = await playground.expect(lambda e: "private chat" in _text(e), mark)
    assert note["actionConversationId"] != playground.personal
    profile = await playground.expect(
        lambda e: bool(_cards(e)) and e["actionConversationId"] == playground.personal, mark
    )
    assert "Hospice" in json.dumps(_cards(profile))

    # Added to a team: the roster is read and everyone can be reached later.
    template_url = "/_internal/v1/customActivities/template?conversationId=team-id&type=botAdded"
    async with playground.session.get(playground.base + template_url) as response:
        bot_added = await response.json()
    mark = len(playground.events)
    status, _ = await playground.post("/_internal/v1/customActivities", bot_added)
    assert status == 200
    await playground.expect(lambda e: "Hello everyone" in _text(e), mark)
    with db.session() as session:
        accounts = session.exec(select(PlatformAccount)).all()
        assert len(accounts) == 1 + len(playground.config["users"])
        megan = session.exec(select(Person).where(Person.name == "Megan Bowen")).one()
        alex = session.exec(select(Person).where(Person.name == "Alex Wilber")).one()
        programme = session.exec(select(Programme)).one()
        people.join(session, services.clock.now(), megan, programme, "Acute Trust")
        grant(session, services.clock.now(), programme, alex, ProgrammeRoleKind.COORDINATOR)
        session.commit()

    # A round: the coordinator runs it; the introduction arrives as a card.
    mark = len(playground.events)
    await playground.say("round run")
    await playground.expect(lambda e: "Round 1" in _text(e), mark)
    stats = await deliver_due(db, senders, services.clock)
    assert stats.sent == 1, stats
    intro = await playground.expect(lambda e: bool(_cards(e)), mark)
    (card,) = _cards(intro)
    flat = json.dumps(card)
    assert "Megan Bowen" in flat and "Acute Trust" in flat
    urls = [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert any("users=meganb@example.com" in u for u in urls)
    met = next(a for a in _actions(card) if a.get("verb") == "checkin" and "met" in a["title"])

    # A click on the card records the check-in and redraws the card with the answer.
    status, body = await playground.post(
        "/_conversation/v1/invoke",
        {
            "name": "adaptiveCard/action",
            "value": {"action": met},
            "from": {"id": playground.me},
            "conversation": {"id": intro["actionConversationId"]},
            "replyToId": intro["message"]["messageId"],
        },
    )
    assert status == 200, body
    assert "✓ We met" in json.dumps(body, ensure_ascii=False)  # the answer, marked on the card
    with db.session() as session:
        answers = {c.person_id: c.answer for c in session.exec(select(CheckIn)).all()}
    assert answers[alex.id] == "met" and answers[megan.id] is None


def _actions(node: Any) -> list[dict[str, Any]]:
    """Every action of a card: its own row and those in the body (the answers)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            found.append(node)
        for value in node.values():
            found += _actions(value)
    elif isinstance(node, list):
        for item in node:
            found += _actions(item)
    return found
