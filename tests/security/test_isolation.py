"""Two Slack workspaces and a Teams tenant side by side, each with its own programme and
generated people: nothing anyone sees — answers, App Home, introductions queued for them,
reports, exports — ever names a person, an organisation or a programme of another."""

from __future__ import annotations

import asyncio
import json
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from adapters.slack import render as slack_render
from adapters.slack import views
from adapters.teams import render as teams_render
from bot.clock import ManualClock
from bot.core import Crossties
from bot.db.models import (
    Introduction,
    Membership,
    Outbox,
    Person,
    Programme,
    ProgrammeRoleKind,
)
from bot.db.session import Database
from bot.events import CommandReceived, Message, Platform, UserRef
from bot.export import export_graphml
from bot.reports import build_report, lead_view, load_report_input
from bot.reports.csvout import report_csv
from bot.templates import Prompts
from bot.usecases.home import home_view
from bot.usecases.programmes import (
    ProgrammeSettings,
    RosterRow,
    create_programme,
    grant,
    import_roster,
)
from tests.fakes import START

TENANTS: tuple[tuple[Platform, str], ...] = (
    ("slack", "TALPHA01"),
    ("slack", "TBRAVO02"),
    ("teams", "tenant-charlie"),
)
COMMANDS = (
    "help",
    "programmes",
    "profile",
    "ties",
    "match",
    "my data",
    "report",
    "round preview",
    "join",
    "met",
)
PROMPTS = Prompts()


@dataclass
class Side:
    platform: Platform
    workspace: str
    programme: str
    organisations: list[str]
    names: list[str]
    users: list[UserRef]

    @property
    def words(self) -> list[str]:
        return [self.programme, *self.organisations, *self.names]


# distinctive tokens: upper-case letters framed so they never occur in our own sentences
TOKEN = st.text(alphabet=string.ascii_uppercase, min_size=6, max_size=6).map(lambda t: f"Q{t}Z")


@st.composite
def partnerships(draw: st.DrawFn) -> list[Side]:
    sizes = [draw(st.integers(min_value=3, max_value=6)) for _ in TENANTS]
    wanted = sum(3 + 2 * size for size in sizes)  # programme + 2 organisations... + names
    tokens = draw(st.lists(TOKEN, min_size=wanted, max_size=wanted, unique=True))
    sides: list[Side] = []
    for (platform, workspace), size in zip(TENANTS, sizes, strict=True):
        take = [tokens.pop() for _ in range(3 + 2 * size)]
        organisations = [f"{take[1]} Trust", f"{take[2]} Hospice"]
        names = [f"{take[3 + 2 * i]} {take[4 + 2 * i]}" for i in range(size)]
        users = [UserRef(platform, workspace, f"{workspace}-u{i}") for i in range(size)]
        sides.append(
            Side(platform, workspace, f"{take[0]} Partnership", organisations, names, users)
        )
    return sides


def build(core: Crossties, sides: list[Side]) -> None:
    now = core.clock.now()
    with core.db.session() as session:
        for side in sides:
            programme = create_programme(
                session,
                now,
                ProgrammeSettings(
                    name=side.programme,
                    organisations=tuple(side.organisations),
                    workspaces=((side.platform, side.workspace),),
                ),
            )
            rows = [
                RosterRow(
                    line=i + 2,
                    external_id=user.id,
                    name=name,
                    organisation=side.organisations[i % 2],
                    email=f"{name.split()[0].lower()}@example.org",
                    accounts=[user],
                )
                for i, (name, user) in enumerate(zip(side.names, side.users, strict=True))
            ]
            import_roster(session, now, programme, rows)
            people = {p.external_id: p for p in session.exec(select(Person)).all()}
            grant(session, now, programme, people[side.users[0].id], ProgrammeRoleKind.COORDINATOR)
            grant(session, now, programme, people[side.users[1].id], ProgrammeRoleKind.LEAD)


def rendered(platform: Platform, message: Message) -> str:
    if platform == "slack":
        blocks = slack_render.to_dicts(slack_render.blocks_of(message))
        return json.dumps(blocks) + slack_render.fallback(message) + message.plain()
    activities = teams_render.activities(message)
    return json.dumps([a.serialize() for a in activities]) + message.plain()


async def everything_seen(core: Crossties, side: Side, others: list[Side]) -> list[str]:
    seen: list[str] = []
    coordinator, member = side.users[0], side.users[2]
    seen.append(
        rendered(
            side.platform,
            (await core.handle(CommandReceived(coordinator, "round run"))).messages[0],
        )
    )
    first = others[0].names[0].split()[0]
    await core.handle(CommandReceived(member, f"log @{first} shared a pathway #x"))
    stranger = UserRef(side.platform, side.workspace, "stranger")
    for user in (*side.users, stranger):
        for command in COMMANDS:
            reply = await core.handle(CommandReceived(user, command))
            seen += [rendered(side.platform, m) for m in reply.messages]
        with core.db.session() as session:
            view = home_view(session, user, PROMPTS, workspace_admin=True)
        seen.append(json.dumps(views.home(view, PROMPTS).to_dict()))
    with core.db.session() as session:
        outbox = session.exec(select(Outbox).where(Outbox.workspace == side.workspace)).all()
        seen += [row.payload for row in outbox]
        programme = session.exec(select(Programme).where(Programme.name == side.programme)).one()
        report = build_report(load_report_input(session, programme), min_count=1)
        seen.append(report_csv(lead_view(report)))
        # the figures count this programme's rows only
        intros = session.exec(
            select(Introduction).where(Introduction.programme_id == programme.id)
        ).all()
        members = session.exec(
            select(Membership).where(Membership.programme_id == programme.id)
        ).all()
        assert report.introductions == len(intros) > 0
        assert set(report.organisations) == set(side.organisations)
        joined = sum(o.joined for o in report.per_organisation)
        assert joined == len(members) == len(side.users)
        for people in (False, True):
            data, _ = export_graphml(session, programme, min_count=1, people=people)
            seen.append(data.decode())
    return seen


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(sides=partnerships())
def test_no_tenant_ever_sees_another(sides: list[Side]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'isolation.db'}")
        try:
            core = Crossties(db, ManualClock(START), PROMPTS, report_min_count=1)
            build(core, sides)
            for side in sides:
                others = [s for s in sides if s is not side]
                seen = "\n".join(asyncio.run(everything_seen(core, side, others)))
                assert side.programme in seen  # the side does see its own programme
                foreign = [w for other in others for w in other.words if w in seen]
                assert foreign == [], foreign
                foreign_tokens = [
                    token
                    for other in others
                    for word in other.words
                    for token in word.split()
                    if token.startswith("Q") and token in seen
                ]
                assert foreign_tokens == []
        finally:
            db.dispose()
