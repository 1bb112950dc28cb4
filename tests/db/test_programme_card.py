"""`programmes` as a coordinator's set-up card, the neutral form button, and the pause button
that names its programme — through the core, on every database backend."""

from __future__ import annotations

from sqlmodel import select

from bot.compose import PAUSE_ACTION
from bot.core import Reply
from bot.db.models import Membership, MembershipStatus, Outbox, Programme, ProgrammeRoleKind
from bot.events import ActionInvoked, Button, Card, CommandReceived, MemberJoined, UserRef
from bot.outbox import decode_message
from bot.usecases import coordination
from bot.usecases.common import UseCaseError
from bot.usecases.programmes import ProgrammeSettings, create_programme, grant
from tests.fakes import ORGANISATIONS, World
from tests.snapshot import fingerprint

SECOND = "South Partnership"


def card_of(reply: Reply) -> Card | None:
    (message,) = reply.messages
    cards = [p for p in message.parts if isinstance(p, Card)]
    return cards[0] if cards else None


def programme_id(world: World, name: str) -> int:
    with world.core.db.session() as session:
        found = session.exec(select(Programme.id).where(Programme.name == name)).one()
    assert found is not None
    return found


def second_programme(world: World, *, workspace: str = "w1", coordinator: str | None = None) -> int:
    """Another programme in the workspace; u03 and u05 (already in the first) join it too."""
    with world.core.db.session() as session:
        programme = create_programme(
            session,
            world.core.clock.now(),
            ProgrammeSettings(
                name=SECOND, organisations=ORGANISATIONS, workspaces=(("local", workspace),)
            ),
        )
        if coordinator is not None:
            grant(
                session,
                world.core.clock.now(),
                programme,
                world.person(coordinator),
                ProgrammeRoleKind.COORDINATOR,
            )
        assert programme.id is not None
        return programme.id


def status_in(world: World, user_id: str, programme: int) -> str | None:
    person = world.person(user_id)
    with world.core.db.session() as session:
        membership = session.exec(
            select(Membership).where(
                Membership.person_id == person.id, Membership.programme_id == programme
            )
        ).first()
    return str(membership.status) if membership else None


async def test_members_get_the_plain_list(world: World) -> None:
    second_programme(world)
    reply = await world.runtime.say(world.member, "programmes")
    assert card_of(reply) is None
    assert reply.messages[0].plain() == "Programmes here: North Partnership and South Partnership."


async def test_a_coordinator_gets_edit_buttons_for_their_programmes_and_a_new_one(
    world: World,
) -> None:
    second_programme(world)  # coordinated by nobody
    north = programme_id(world, world.programme)
    reply = await world.runtime.say(world.coordinator, "programmes")
    card = card_of(reply)
    assert card is not None and reply.messages[0].ephemeral
    assert card.sections == ("Programmes here: North Partnership and South Partnership.",)
    assert card.buttons == (
        Button("Edit North Partnership", "programme_form", str(north)),
        Button("New programme", "programme_form", "new", "primary"),
    )


async def test_a_lead_who_coordinates_nothing_gets_no_buttons(world: World) -> None:
    reply = await world.runtime.say(world.lead, "programmes")
    assert card_of(reply) is None and "North Partnership" in reply.messages[0].plain()


async def test_no_one_in_another_workspace_sees_the_buttons(world: World) -> None:
    stranger = UserRef("local", "w2", world.coordinator)
    await world.core.handle(MemberJoined(stranger, display_name="Same Id Elsewhere"))
    reply = await world.core.handle(CommandReceived(stranger, "programmes"))
    assert card_of(reply) is None and "no programme here" in reply.messages[0].plain()


async def test_the_form_button_outside_slack_and_teams_says_where_to_go(world: World) -> None:
    north = programme_id(world, world.programme)
    before = fingerprint(world.core.db)
    for value in (str(north), "new"):
        reply = await world.runtime.press(world.coordinator, "programme_form", value)
        assert "crossties programme create" in reply.messages[0].plain()
    assert fingerprint(world.core.db) == before


async def test_the_form_button_checks_rights(world: World) -> None:
    north = programme_id(world, world.programme)
    south = second_programme(world)
    before = fingerprint(world.core.db)
    cases = [
        (world.member, str(north), "Only coordinators"),
        (world.coordinator, str(south), "Only coordinators"),  # not theirs
        (world.member, "new", "Only workspace admins and programme coordinators"),
        (world.coordinator, "99999", "can't find a programme"),
        (world.coordinator, "North", "couldn't follow that button"),
    ]
    for user, value, expected in cases:
        reply = await world.runtime.press(user, "programme_form", value)
        assert expected in reply.messages[0].plain(), (user, value)
    assert fingerprint(world.core.db) == before


async def test_open_form_prefills_for_coordinators_and_refuses_others(world: World) -> None:
    north = programme_id(world, world.programme)
    coordinator = world.runtime.user(world.coordinator)
    with world.core.db.session() as session:
        form = coordination.open_form(session, coordinator, str(north), workspace_admin=False)
        blank = coordination.open_form(session, coordinator, "new", workspace_admin=False)
    assert (form.name, form.programme_id, set(form.organisations)) == (
        world.programme,
        north,
        set(ORGANISATIONS),
    )
    assert (form.cadence, form.group_size, form.cross_organisation) == ("fortnightly", 2, True)
    assert blank == coordination.ProgrammeForm(name="", organisations=())
    member = world.runtime.user(world.member)
    with world.core.db.session() as session:
        for value, admin in (("new", False), (str(north), True)):
            try:
                coordination.open_form(session, member, value, workspace_admin=admin)
            except UseCaseError as error:
                assert error.prompt in {"denied_create_programme", "denied_coordinator"}
            else:
                raise AssertionError(f"{value} was opened for a member")
        # a platform admin (Slack tells the adapter) may open a blank form
        assert coordination.open_form(session, member, "new", workspace_admin=True).name == ""


async def test_a_teams_tenant_without_a_coordinator_cannot_create(world: World) -> None:
    """Teams does not say who administers a tenant: only coordinators create there."""
    tenant_user = UserRef("teams", "tenant-9", "aad-1")
    await world.core.handle(MemberJoined(tenant_user, display_name="Tenant Admin"))
    form = coordination.ProgrammeForm(name="Tenant Partnership", organisations=ORGANISATIONS[:2])
    before = fingerprint(world.core.db)
    with world.core.db.session() as session:
        assert not coordination.may_create(session, tenant_user, workspace_admin=False)
        try:
            coordination.save_programme(
                session, world.core.clock.now(), tenant_user, form, workspace_admin=False
            )
        except UseCaseError as error:
            assert error.prompt == "denied_create_programme"
        else:
            raise AssertionError("created without rights")
    assert fingerprint(world.core.db) == before


# ---------------------------------------------------------------- pause button


async def test_the_introduction_pause_button_names_its_programme(world: World) -> None:
    south = second_programme(world, coordinator=world.coordinator)
    for user_id, organisation in zip(("u03", "u05", "u08", "u10"), ORGANISATIONS, strict=False):
        await world.runtime.say(user_id, f"join {organisation} --programme {SECOND}")
    reply = await world.runtime.say(world.coordinator, f"round run --programme {SECOND}")
    assert "Round 1" in reply.messages[0].plain()
    with world.core.db.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "introduction")).all()
    assert rows
    for row in rows:
        (card,) = [p for p in decode_message(row.payload).parts if isinstance(p, Card)]
        pauses = [b for b in card.buttons if b.action == PAUSE_ACTION]
        assert [b.value for b in pauses] == [f"4:{south}"]


async def test_pressing_pause_with_two_programmes_pauses_the_named_one(world: World) -> None:
    north = programme_id(world, world.programme)
    south = second_programme(world)
    await world.runtime.say("u03", f"join Acute Trust --programme {SECOND}")
    assert status_in(world, "u03", north) == status_in(world, "u03", south) == "active"

    before = fingerprint(world.core.db)
    bare = await world.runtime.press("u03", PAUSE_ACTION, "4")  # an older card
    assert "more than one programme" in bare.messages[0].plain()
    assert fingerprint(world.core.db) == before

    reply = await world.runtime.press("u03", PAUSE_ACTION, f"4:{south}")
    assert "paused in South Partnership until 30 March 2026" in reply.messages[0].plain()
    assert status_in(world, "u03", south) == MembershipStatus.PAUSED
    assert status_in(world, "u03", north) == MembershipStatus.ACTIVE


async def test_a_pause_button_for_a_programme_out_of_sight_changes_nothing(world: World) -> None:
    elsewhere = second_programme(world, workspace="w2")
    await world.runtime.say("u03", "join Acute Trust")
    before = fingerprint(world.core.db)
    for value in (f"4:{elsewhere}", "4:99999", "4:x", "x:1", "-1", "4:", "123:1"):
        reply = await world.core.handle(
            ActionInvoked(world.runtime.user("u03"), PAUSE_ACTION, value)
        )
        text = reply.messages[0].plain()
        assert "couldn't follow that button" in text or "more than one" in text, (value, text)
    assert fingerprint(world.core.db) == before
