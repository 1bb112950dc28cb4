"""Which messages the gallery shows, with which sample data: the one place to adapt when the
core's message-building API changes.

Everything is produced the way a person would meet it: sample people are stored in a scratch
SQLite database, the core answers their commands and button presses (`Crossties.handle`), the
messages it sends on its own are read back from the outbox, and each is turned into the
platform's payload by the adapters' own renderers (Block Kit, App Home and modal views for
Slack; activities and Adaptive Cards for Teams). So a picture shows exactly what is sent.

Three small worlds, each in its own database so that each person sees one programme: Slack
only, Teams only, and a cross-platform pair (one person on each platform).

What it reaches beyond `Crossties.handle` and the outbox, where an adapter does the same:
`home.home_view` + `views.home` (App Home), `coordination.form_for` + `views.programme_modal`
/ `forms.form_card` (set-up form), `coordination.invitation` (channel invitation),
`queue_due_checkins` (what the scheduler runs), the `AnsweredCheckIn` view +
`render_intro.answered_message` (Slack's answered message) and `platform.answered_card`
(Teams' answered card), `accounts.contacts` + `handles_by_person` (Teams' links).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlmodel import col, select

from adapters.slack import render as slack_render
from adapters.slack import render_intro as slack_intro
from adapters.slack import views as slack_views
from adapters.teams import forms as teams_forms
from adapters.teams import render as teams_render
from adapters.teams import render_intro as teams_intro
from adapters.teams.platform import answered_card as teams_answered_card
from adapters.teams.platform import handles_by_person
from adapters.teams.translate import Address
from bot import accounts
from bot.actions import REPORT_SHARE
from bot.clock import ManualClock
from bot.compose import CHECKIN_ACTION
from bot.core import Crossties
from bot.db.models import Outbox, OutboxState, Programme, ProgrammeRoleKind
from bot.db.session import Database
from bot.events import (
    ActionInvoked,
    Card,
    CommandReceived,
    ConversationRef,
    Image,
    MemberJoined,
    Message,
    UserRef,
)
from bot.outbox import decode_message, decode_payload
from bot.scheduling import times
from bot.templates import Prompts
from bot.usecases import coordination, home
from bot.usecases.checkins import queue_due_checkins
from bot.usecases.common import person_for
from bot.usecases.next_steps import queue_step_checks
from bot.usecases.programmes import ProgrammeSettings, RosterRow, create_programme, import_roster
from bot.views import AnsweredCheckIn, IntroductionView, ProgrammeFormView, Reply, SuggestedTimes
from tests.gallery.kinds import PURPOSES

PlatformName = Literal["slack", "teams"]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
PROGRAMME = "Northfield Partnership"
SLACK_TEAM = "T0NORTHFLD"
TENANT = "7d1c0a52-northfield"
ORGANISATIONS = (
    "Northfield Hospitals NHS Trust",
    "Riverside GP Federation",
    "Northfield Adult Social Care",
    "Pennine Community Health",
    "St Aidan's Hospice",
    "Carers' Centre",
    "Northfield Mental Health Trust",
)
# (name, role, organisation index); the first coordinates and leads the programme
PEOPLE = (
    ("Fatima Noor", "Discharge coordinator", 0),
    ("Tom O'Neill", "GP partner", 1),
    ("Helen Carter", "Social worker", 2),
    ("Kwame Mensah", "District nurse", 3),
    ("Siobhan Murphy-Okafor", "Palliative care nurse", 4),
    ("Dev Sharma", "Occupational therapist", 0),
    ("Grace Adeyemi", "Practice nurse", 1),
    ("Owen Price", "Reablement manager", 2),
    ("Maya Lewis", "Community matron", 3),
    ("Callum Reid", "Carers' support worker", 5),
    ("Nadia Hussain", "Clinical pharmacist", 1),
)
NEWCOMER = ("Priya Shah", "Mental health nurse")
INTRODUCTIONS = frozenset({"introduction-pair", "introduction-trio", "introduction-cross"})
PHONE_KINDS = frozenset(
    {
        "introduction-pair",
        "introduction-trio",
        "checkin",
        "followup",
        "answered",
        "answered-could-not-meet",
    }
)


@dataclass(frozen=True)
class Shot:
    """One picture: a message kind as one platform draws it, with the payload that is sent."""

    kind: str
    platform: PlatformName
    payload: dict[str, Any]
    variant: str = ""  # "phone" for a narrow rendering

    @property
    def name(self) -> str:
        return "-".join(p for p in (self.platform, self.kind, self.variant) if p)

    @property
    def title(self) -> str:
        return PURPOSES[self.kind][0]

    @property
    def purpose(self) -> str:
        return PURPOSES[self.kind][1]


# ------------------------------------------------------------------ payloads


def slack_message(message: Message, *, where: str, ephemeral: bool | None = None) -> dict[str, Any]:
    """What the Slack adapter posts: fallback text, blocks, and images uploaded as files."""
    return {
        "surface": "message",
        "where": where,
        "ephemeral": message.ephemeral if ephemeral is None else ephemeral,
        "text": slack_render.fallback(message),
        "blocks": slack_render.to_dicts(slack_render.blocks_of(message)),
        "images": [
            {"title": i.title, "alt": i.alt_text, "png": base64.b64encode(i.png).decode("ascii")}
            for i in slack_render.images_of(message)
        ],
    }


def teams_activities(
    message: Message, *, links: tuple[tuple[str, str], ...] = ()
) -> list[dict[str, Any]]:
    """What the Teams adapter sends: activities (markdown text or one Adaptive Card each)."""
    out: list[dict[str, Any]] = []
    for activity in teams_render.activities(message, links=links):
        out.append(_activity_dict(activity.text, activity.attachments))
    return out


def _activity_dict(text: str | None, attachments: Any) -> dict[str, Any]:
    return {
        "text": text,
        "attachments": [
            {"contentType": a.content_type, "content": a.content} for a in attachments or []
        ],
    }


def teams_card(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": None,
        "attachments": [{"contentType": teams_render.CARD_CONTENT_TYPE, "content": content}],
    }


def chat(activities: list[dict[str, Any]]) -> dict[str, Any]:
    return {"surface": "chat", "activities": activities}


# ------------------------------------------------------------------ the worlds


@dataclass
class World:
    core: Crossties
    platforms: dict[str, PlatformName]  # person's user id → platform
    names: dict[str, str]  # user id → name
    shots: list[Shot] = field(default_factory=list)

    def ref(self, user_id: str) -> UserRef:
        platform = self.platforms[user_id]
        return UserRef(platform, SLACK_TEAM if platform == "slack" else TENANT, user_id)

    async def say(self, user_id: str, text: str) -> tuple[Message, ...]:
        event = CommandReceived(self.ref(user_id), text, display_name=self.names.get(user_id))
        return (await self.core.handle(event)).messages

    async def press(self, user_id: str, action: str, value: str) -> tuple[Message, ...]:
        return (await self.press_reply(user_id, action, value)).messages

    async def press_reply(
        self, user_id: str, action: str, value: str, *, message_id: str | None = None
    ) -> Reply:
        event = ActionInvoked(self.ref(user_id), action, value, message_id=message_id)
        return await self.core.handle(event)

    def mark_sent(self, kind: str) -> None:
        """As delivery does: each sent message keeps the id the platform gave it."""
        with self.core.db.session() as session:
            for row in session.exec(select(Outbox).where(Outbox.kind == kind)).all():
                row.message_id = row.message_id or f"m{row.id}"
                row.state = OutboxState.SENT
                session.add(row)

    def outbox(self, kind: str) -> list[Outbox]:
        with self.core.db.session() as session:
            rows = session.exec(
                select(Outbox).where(Outbox.kind == kind).order_by(col(Outbox.id))
            ).all()
            for row in rows:
                session.expunge(row)
        return list(rows)


def user_id(platform: PlatformName, index: int) -> str:
    return f"U0{index:02d}GAL" if platform == "slack" else f"29:1gallery{index:02d}"


def teams_address(member_id: str, name: str) -> str:
    upn = name.lower().replace(" ", ".").replace("'", "") + "@northfield.example"
    return Address(
        service_url="https://smba.trafficmanager.net/uk/",
        member_id=member_id,
        tenant_id=TENANT,
        bot_id="28:crossties",
        upn=upn,
    ).to_json()


async def build_world(directory: Path, name: str, platforms: list[PlatformName]) -> World:
    """A programme whose members (one per platform entry) are on those platforms."""
    database = Database(f"sqlite:///{directory / (name + '.db')}")
    core = Crossties(database, ManualClock(START), Prompts())
    world = World(core, {}, {})
    rows: list[RosterRow] = []
    for index, platform in enumerate(platforms):
        person, role, organisation = PEOPLE[index]
        uid = user_id(platform, index)
        world.platforms[uid] = platform
        world.names[uid] = person
        email = person.lower().replace(" ", ".").replace("'", "") + "@northfield.example"
        access = (ProgrammeRoleKind.COORDINATOR, ProgrammeRoleKind.LEAD) if index == 0 else ()
        rows.append(
            RosterRow(
                line=index + 2,
                external_id=f"p{index:02d}",
                name=person,
                organisation=ORGANISATIONS[organisation],
                role=role,
                email=email,
                timezone="Europe/London",
                accounts=[world.ref(uid)],
                access=access,
            )
        )
    workspaces = {("slack", SLACK_TEAM) if p == "slack" else ("teams", TENANT) for p in platforms}
    with database.session() as session:
        programme = create_programme(
            session,
            START,
            ProgrammeSettings(
                name=PROGRAMME, organisations=ORGANISATIONS, workspaces=tuple(sorted(workspaces))
            ),
        )
        import_roster(session, START, programme, rows)
    for uid, platform in world.platforms.items():
        if platform == "teams":  # the bot meets them in Teams and keeps their address
            await core.handle(
                MemberJoined(
                    world.ref(uid),
                    display_name=world.names[uid],
                    address=teams_address(uid, world.names[uid]),
                )
            )
        else:
            await world.say(uid, "profile email yes")  # so partners elsewhere can write
    return world


def slack_introduction(
    view: IntroductionView, recipients: list[str], *, where: str
) -> dict[str, Any]:
    """What SlackSender posts for an introduction view (one reader, or all at once)."""
    reader = view.reader_of(0) if len(recipients) == 1 else None
    return {
        "surface": "message",
        "where": where,
        "ephemeral": False,
        "text": slack_intro.introduction_text(view, reader),
        "blocks": slack_intro.to_dicts(slack_intro.introduction_blocks(view, reader)),
        "images": [],
    }


def teams_introduction(world: World, view: IntroductionView, recipient: str) -> dict[str, Any]:
    """What TeamsSender sends one recipient of an introduction view."""
    reader = view.reader_of(_recipients_of(world, view).index(recipient))
    with world.core.db.session() as session:
        found = accounts.contacts(session, view.introduction, "teams", TENANT, [recipient])
    handles = handles_by_person(found.get(recipient, ()))
    activity = teams_intro.introduction_activity(view, reader, handles)
    return _activity_dict(activity.text, activity.attachments)


def _recipients_of(world: World, view: IntroductionView) -> list[str]:
    row = next(
        r
        for r in world.outbox("introduction")
        if r.introduction_id == view.introduction and r.platform == view.platform
    )
    return _recipients(row)


def _intro_shots(world: World, platform: PlatformName) -> Iterator[Shot]:
    db = world.core.db
    seen: set[str] = set()
    for row in world.outbox("introduction"):
        if row.platform != platform:
            continue
        view = decode_payload(row.payload)[1]
        assert view is not None
        recipients = _recipients(row)
        with db.session() as session:
            members = home.introduction_answers(session, row.introduction_id or 0)
        platforms = {world.platforms.get(r) for r in recipients}
        if len(members) > len(recipients) and platforms == {platform}:
            kind = "introduction-cross"
        else:
            kind = "introduction-pair" if len(members) == 2 else "introduction-trio"
        if kind in seen:
            continue
        seen.add(kind)
        if platform == "slack":
            names = ", ".join(world.names[r] for r in recipients)
            where = f"Group DM · {names}" if len(recipients) > 1 else f"Direct message · {names}"
            yield Shot(kind, "slack", slack_introduction(view, recipients, where=where))
        else:
            activities = [teams_introduction(world, view, recipients[0])]
            yield Shot(kind, "teams", chat(activities))
            if kind in PHONE_KINDS:
                yield Shot(kind, "teams", chat(activities), variant="phone")


def _recipients(row: Outbox) -> list[str]:
    return [str(r) for r in json.loads(row.recipients)]


def _first(world: World, kind: str, platform: PlatformName) -> tuple[Outbox, Message]:
    row = next(r for r in world.outbox(kind) if r.platform == platform)
    return row, decode_message(row.payload)


async def _single_platform(directory: Path, platform: PlatformName) -> list[Shot]:
    world = await build_world(directory, platform, [platform] * len(PEOPLE))
    shots = world.shots
    lead = user_id(platform, 0)
    member = user_id(platform, 2)
    newcomer = "U0NEWGAL" if platform == "slack" else "29:1gallerynew"
    world.platforms[newcomer] = platform
    world.names[newcomer] = NEWCOMER[0]
    prompts = world.core.prompts

    def add(kind: str, messages: tuple[Message, ...], where: str = "Direct message") -> None:
        if platform == "slack":
            payloads = [slack_message(m, where=where) for m in messages]
            payload = payloads[0] if len(payloads) == 1 else {"surface": "stack", "items": payloads}
            shots.append(Shot(kind, "slack", payload))
        else:
            shots.append(
                Shot(kind, "teams", chat([a for m in messages for a in teams_activities(m)]))
            )

    # someone new meets the bot
    welcome = (
        await world.core.handle(
            MemberJoined(
                world.ref(newcomer),
                display_name=NEWCOMER[0],
                address=teams_address(newcomer, NEWCOMER[0]) if platform == "teams" else None,
            )
        )
    ).messages
    add("welcome", welcome)
    if platform == "slack":  # the Home tab greets a newcomer too
        shots.append(Shot("welcome", "slack", _home(world, newcomer), variant="home"))
    add("error-unknown-organisation", await world.say(newcomer, "join Northfield Council"))
    add("error-unknown-command", await world.say(member, "when is my next match"))
    add("error-denied", await world.say(member, "report"))
    add("help", await world.say(member, "help"))
    add("round-preview", await world.say(lead, "round preview"))
    add("round-done", await world.say(lead, "round run"))
    shots.extend(_intro_shots(world, platform))
    shots.extend(await _intro_buttons(world, platform))
    add("joined", await world.say(newcomer, f"join {ORGANISATIONS[6]}"))

    with world.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        organisations = list(ORGANISATIONS)
        invitation = coordination.invitation(prompts, programme, organisations)
        form = coordination.form_for(session, world.ref(lead), programme.id)
    add("invitation", (invitation,), where="Direct message")
    if platform == "slack":
        view = slack_views.programme_modal(ProgrammeFormView(form), prompts).to_dict()
        shots.append(Shot("setup-form", "slack", {"surface": "modal", "view": view}))
    else:
        card = teams_forms.form_card(form, prompts, team=None)
        shots.append(Shot("setup-form", "teams", chat([teams_card(card)])))

    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=7, hours=1))
    with world.core.db.session() as session:
        queue_due_checkins(session, clock.now(), prompts)
    row, checkin = _first(world, "checkin", platform)
    add("checkin", (checkin,))
    clock.advance(timedelta(days=7))
    with world.core.db.session() as session:
        queue_due_checkins(session, clock.now(), prompts)
    _, nudge = _first(world, "nudge", platform)
    add("nudge", (nudge,))

    # the member who was asked answers "We met" on their introduction
    intro_row = next(
        r for r in world.outbox("introduction") if r.introduction_id == row.introduction_id
    )
    answerer = _recipients(row)[0]
    add("match", await world.say(answerer, "match"))
    reply = await world.press_reply(answerer, CHECKIN_ACTION, f"{row.introduction_id}:met")
    shots.append(_answered(world, platform, "answered", intro_row, reply))
    notice = next(r for r in world.outbox("answer_notice") if r.platform == platform)
    add("answer-notice", (decode_message(notice.payload),))
    shots.extend(await _loop_shots(world, platform, exclude=row.introduction_id or 0))
    await _next_step_shots(world, answerer, add)

    partner = (
        next(r for r in _recipients(intro_row) if r != answerer and r in world.platforms)
        if len(_recipients(intro_row)) > 1
        else None
    )
    if partner is not None:
        mention = f"<@{partner}>" if platform == "slack" else f"@{world.names[partner]}"
        await world.say(
            answerer, f"log {mention} agreed a single contact for escalations #discharge"
        )
    add("ties", await world.say(answerer, "ties"))
    add("profile", await world.say(answerer, "profile"))
    add("my-data", await world.say(answerer, "my data"))
    add("forget-confirm", await world.say(answerer, "forget me"))
    add("paused", await world.say(user_id(platform, 9), "pause for 3 weeks"))
    add("report", await world.say(lead, "report"))
    shots.extend(await _report_in_channel(world, platform, lead))
    saved = _saved_note(world, lead)
    if platform == "slack":
        add("setup-saved", (Message.text(saved, ephemeral=True),))
        shots.append(Shot("home", "slack", _home(world, answerer, admin=False)))
    else:
        team_welcome = teams_render.text_activity(prompts.render("teams_team_welcome"))
        shots.append(Shot("team-welcome", "teams", chat([_activity_dict(team_welcome.text, [])])))
        card = teams_forms.saved_card(
            prompts, saved, programme_id=form.programme_id or 0, programme=PROGRAMME, team="19:t"
        )
        shots.append(Shot("setup-saved", "teams", chat([teams_card(card)])))
    return shots


CHANNELS = {"slack": "C0PARTNERS", "teams": "19:partnership@thread.tacv2"}


async def _report_in_channel(world: World, platform: PlatformName, lead: str) -> list[Shot]:
    """`report` typed in a channel, as each adapter delivers a private message there (see
    their reply paths), and the report a press of Share to channel posts."""
    workspace = SLACK_TEAM if platform == "slack" else TENANT
    asked_in = ConversationRef(platform, workspace, CHANNELS[platform])
    event = CommandReceived(world.ref(lead), "report", conversation=asked_in)
    (private,) = (await world.core.handle(event)).messages
    offered = private.offering_share()
    share = next(
        b
        for part in offered.parts
        if isinstance(part, Card)
        for b in part.buttons
        if b.action == REPORT_SHARE
    )
    posted, thanks = await world.press(lead, share.action, share.value)
    if platform == "teams":
        return [
            Shot("report-channel", "teams", chat(teams_activities(offered))),
            Shot("report-shared", "teams", chat(teams_activities(posted))),
        ]
    asked = slack_message(replace(offered, ephemeral=True), where="#partnership")
    asked["images"] = []  # an ephemeral message carries no file: the chart goes to the DM
    images = tuple(p for p in private.parts if isinstance(p, Image))
    chart = slack_message(Message(images), where="Direct message")
    shared = [
        slack_message(posted, where="#partnership", ephemeral=False),
        slack_message(thanks, where="#partnership"),
    ]
    return [
        Shot("report-channel", "slack", {"surface": "stack", "items": [asked, chart]}),
        Shot("report-shared", "slack", {"surface": "stack", "items": shared}),
    ]


FIRST_NAMES = (
    *("Amira", "Ben", "Chloe", "Dan", "Eve", "Femi", "Gita", "Hugh", "Ines", "Jon"),
    *("Kofi", "Lena", "Marek", "Nia", "Omar", "Pia", "Rhys", "Sana", "Theo", "Uma"),
)
LAST_NAMES = (
    *("Ahmed", "Brown", "Clarke", "Doyle", "Evans", "Frost", "Gill", "Hart", "Iqbal", "Jones"),
    *("Kaur", "Lloyd", "Moss", "Nolan", "Owusu", "Patel", "Quinn", "Rees", "Shaw", "Tran"),
)


async def _long_preview(directory: Path, platform: PlatformName) -> Shot:
    """A round of 200 groups, as its coordinator previews it: the first page."""
    database = Database(f"sqlite:///{directory / f'crowd-{platform}.db'}")
    core = Crossties(database, ManualClock(START), Prompts())
    workspace = SLACK_TEAM if platform == "slack" else TENANT
    coordinator = UserRef(platform, workspace, user_id(platform, 0))
    rows = [
        RosterRow(
            line=n + 2,
            external_id=f"c{n:03d}",
            name=f"{FIRST_NAMES[n % 20]} {LAST_NAMES[n // 20]}",
            organisation=ORGANISATIONS[n % len(ORGANISATIONS)],
            accounts=[coordinator if n == 0 else UserRef(platform, workspace, f"crowd{n:03d}")],
            access=(ProgrammeRoleKind.COORDINATOR,) if n == 0 else (),
        )
        for n in range(400)
    ]
    with database.session() as session:
        programme = create_programme(
            session,
            START,
            ProgrammeSettings(
                name=PROGRAMME, organisations=ORGANISATIONS, workspaces=((platform, workspace),)
            ),
        )
        import_roster(session, START, programme, rows)
    (message,) = (await core.handle(CommandReceived(coordinator, "round preview"))).messages

    if platform == "slack":
        return Shot("round-preview-long", "slack", slack_message(message, where="Direct message"))
    return Shot("round-preview-long", "teams", chat(teams_activities(message)))


async def _next_step_shots(
    world: World, answerer: str, add: Callable[[str, tuple[Message, ...]], None]
) -> None:
    """The group agrees a next step after meeting; a week on, "did it happen?"."""
    add("step-agreed", await world.say(answerer, "step Share the discharge checklist by Friday"))
    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=7))
    with world.core.db.session() as session:
        queue_step_checks(session, clock.now(), world.core.prompts)
    row = next(r for r in world.outbox("step_check") if answerer in _recipients(r))
    add("step-check", (decode_message(row.payload),))


async def _intro_buttons(world: World, platform: PlatformName) -> list[Shot]:
    """ "Another question" and, on Slack, "Suggest a time" and "Works for me", pressed by the
    members of the first pair, drawn as the adapters draw the answers."""
    row = next(r for r in world.outbox("introduction") if r.platform == platform)
    recipients = _recipients(row)
    intro = row.introduction_id or 0
    first = recipients[0]
    swapped = await world.core.handle(
        ActionInvoked(world.ref(first), "another_question", str(intro))
    )
    assert isinstance(swapped.view, IntroductionView), swapped.messages
    shots: list[Shot] = []
    if platform == "slack":
        where = "Group DM · " + ", ".join(world.names[r] for r in recipients)
        shots.append(
            Shot(
                "introduction-another",
                "slack",
                slack_introduction(swapped.view, recipients, where=where),
            )
        )
        offered = await world.core.handle(
            ActionInvoked(world.ref(first), "suggest_time", str(intro))
        )
        times = offered.view
        assert isinstance(times, SuggestedTimes), offered.messages
        posted = {
            "surface": "message",
            "where": where,
            "ephemeral": False,
            "text": slack_intro.times_text(times),
            "blocks": slack_intro.to_dicts(slack_intro.times_blocks(times)),
            "images": [],
        }
        picked = await world.core.handle(
            ActionInvoked(
                world.ref(recipients[-1]),
                "time_ok",
                f"{intro}:{int(times.slots[0].at.timestamp())}",
            )
        )
        replies = [slack_message(m, where=where) for m in picked.messages]
        shots.append(
            Shot("introduction-times", "slack", {"surface": "stack", "items": [posted, *replies]})
        )
    else:
        handles = handles_by_person(swapped.view.contacts)
        card = teams_intro.introduction_card(swapped.view, swapped.view.shared_reader(), handles)
        shots.append(Shot("introduction-another", "teams", chat([teams_card(card)])))
    return shots


def _answered(
    world: World, platform: PlatformName, kind: str, pressed: Outbox, reply: Reply
) -> Shot:
    """As the adapters redraw the message a check-in button was on (see their check-in
    handlers): Slack updates the message and says thanks; Teams refreshes the card."""
    view = reply.view
    assert isinstance(view, AnsweredCheckIn), reply
    if platform == "slack":
        where = "Group DM" if len(_recipients(pressed)) > 1 else "Direct message"
        sent = _slack_sent(pressed, where)
        own = where == "Direct message"
        text, blocks = slack_intro.answered_message(view, sent["blocks"], sent["text"], own=own)
        updated = {**sent, "text": text, "blocks": blocks}
        thanks = [slack_message(m, where=where, ephemeral=True) for m in reply.messages]
        return Shot(kind, "slack", {"surface": "stack", "items": [updated, *thanks]})
    content = teams_answered_card(world.core.prompts, view)
    return Shot(kind, "teams", chat([teams_card(content)]))


def _slack_sent(row: Outbox, where: str) -> dict[str, Any]:
    """What the Slack sender posted for an outbox row: an introduction from its view."""
    message, view = decode_payload(row.payload)
    if view is not None:
        return slack_introduction(view, _recipients(row), where=where)
    return slack_message(message, where=where)


async def _loop_shots(world: World, platform: PlatformName, *, exclude: int) -> list[Shot]:
    """Two more groups answer on their check-ins: one "not yet" (and gets its follow-up a few
    days later), one "couldn't meet" (and is offered to keep the pair or move on)."""
    world.mark_sent("checkin")
    rows = [r for r in world.outbox("checkin") if r.platform == platform]
    groups = list(dict.fromkeys(r.introduction_id for r in rows if r.introduction_id != exclude))
    shots = []
    for kind, answer, group in (
        ("answered-not-yet", "not_yet", groups[0]),
        ("answered-could-not-meet", "could_not_meet", groups[1]),
    ):
        pressed = next(r for r in rows if r.introduction_id == group)
        user = _recipients(pressed)[0]
        reply = await world.press_reply(
            user, CHECKIN_ACTION, f"{group}:{answer}", message_id=pressed.message_id
        )
        shots.append(_answered(world, platform, kind, pressed, reply))
    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=3, hours=1))
    with world.core.db.session() as session:
        queue_due_checkins(session, clock.now(), world.core.prompts)
    _, followup = _first(world, "followup", platform)
    shots.append(_shot(platform, "followup", followup))
    return shots


def _shot(platform: PlatformName, kind: str, message: Message) -> Shot:
    if platform == "slack":
        return Shot(kind, "slack", slack_message(message, where="Direct message"))
    return Shot(kind, "teams", chat(teams_activities(message)))


def _phone(shots: list[Shot]) -> list[Shot]:
    """Teams pictures again at a phone's width, for the kinds where width matters most."""
    return [
        Shot(s.kind, s.platform, s.payload, variant="phone")
        for s in shots
        if s.platform == "teams" and not s.variant and s.kind in PHONE_KINDS - INTRODUCTIONS
    ]


def _saved_note(world: World, uid: str) -> str:
    """What a coordinator reads after saving the set-up form, from the core's own words."""
    with world.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        person = person_for(session, world.ref(uid))
        now = world.core.clock.now()
        return world.core.prompts.render(
            "programme_saved",
            programme=programme.name,
            created=False,
            next_round_at=times.next_round_at(programme, now),
            checkin_after=times.checkin_delay(programme),
            cadence=programme.cadence,
            timezone=person.timezone if person else None,
            now=now,
        )


def _home(world: World, uid: str, *, admin: bool = False) -> dict[str, Any]:
    prompts = world.core.prompts
    with world.core.db.session() as session:
        view = home.home_view(
            session, world.ref(uid), prompts, workspace_admin=admin, now=world.core.clock.now()
        )
    return {"surface": "home", "view": slack_views.home(view, prompts).to_dict()}


async def _cross_platform(directory: Path) -> list[Shot]:
    world = await build_world(directory, "cross", ["slack", "teams"])
    await world.say(user_id("slack", 0), "round run")
    return [*_intro_shots(world, "slack"), *_intro_shots(world, "teams")]


async def collect(directory: Path) -> list[Shot]:
    shots = await _single_platform(directory, "slack")
    shots += await _single_platform(directory, "teams")
    shots += [await _long_preview(directory, p) for p in ("slack", "teams")]
    shots += await _cross_platform(directory)
    from tests.gallery.circle_samples import circle_shots  # it builds on this module's worlds

    shots += await circle_shots(directory, "slack") + await circle_shots(directory, "teams")
    return shots + _phone(shots)


@functools.cache
def sample_shots() -> tuple[Shot, ...]:
    """Every picture's payload, made once per process in a scratch folder removed afterwards
    (callers must not change the payloads)."""
    with tempfile.TemporaryDirectory(prefix="crossties-gallery-") as folder:
        return tuple(asyncio.run(collect(Path(folder))))
