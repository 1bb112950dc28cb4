"""Coordinator set-up from chat (Slack modals, Teams cards): programme form, roster sync.

Who may create a programme in a workspace: its administrators (the platform says so) and
anyone who already coordinates a programme there. Teams does not tell the bot who administers
a tenant, so there only coordinators create (the first programme comes from the CLI). Editing
needs the coordinator role of that programme. The creator becomes its coordinator and the
programme is bound to the workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import actions
from bot.db.models import MembershipStatus, Programme, ProgrammeRoleKind
from bot.events import (
    Button,
    Card,
    ChoiceList,
    ListedMember,
    Message,
    ProgrammeForm,
    UserRef,
    split_organisations,
)
from bot.ids import ProgrammeId
from bot.outbox import queue
from bot.scheduling import times
from bot.templates import Prompts
from bot.usecases import circle_proposals, people, programmes
from bot.usecases.common import (
    UseCaseError,
    actor_of,
    audit,
    has_role,
    person_for,
    require_id,
    require_role,
    visible_programmes,
)

__all__ = ["ProgrammeForm", "split_organisations"]  # the form's types live with the events


def _visible(session: Session, user: UserRef, programme_id: int) -> Programme:
    for programme in visible_programmes(session, user):
        if programme.id == programme_id:
            return programme
    raise UseCaseError("error_no_such_programme", name=str(programme_id), names=[])


def may_create(session: Session, user: UserRef, *, workspace_admin: bool) -> bool:
    if workspace_admin:
        return True
    me = person_for(session, user)
    return any(
        has_role(session, me, p, ProgrammeRoleKind.COORDINATOR)
        for p in visible_programmes(session, user)
    )


def form_for(session: Session, user: UserRef, programme_id: int | None) -> ProgrammeForm:
    """The form pre-filled for editing (coordinators only), or blank for a new programme."""
    if programme_id is None:
        return ProgrammeForm(name="", organisations=())
    programme = _visible(session, user, programme_id)
    require_role(session, person_for(session, user), programme, ProgrammeRoleKind.COORDINATOR)
    return ProgrammeForm(
        name=programme.name,
        organisations=tuple(o.name for o in people.programme_organisations(session, programme)),
        cadence=programme.cadence,
        group_size=programme.group_size,
        cross_organisation=programme.cross_organisation,
        programme_id=ProgrammeId(programme_id),
        weekday=programme.weekday,
        hour=programme.hour,
        timezone=programme.timezone,
        checkin_delay=times.delay_text(int(times.checkin_delay(programme).total_seconds() // 60)),
        circle_proposals=programme.circle_proposals,
    )


def form_target(value: str) -> int | None:
    """The programme a form button names: an id, or None for a new programme."""
    try:
        return actions.form_target(value)
    except ValueError:
        raise UseCaseError("error_bad_action") from None


def open_form(
    session: Session, user: UserRef, value: str, *, workspace_admin: bool
) -> ProgrammeForm:
    """The form a `programme_form` button asks for, after checking the person may fill it in:
    a coordinator of that programme to edit, someone who may create for a new one."""
    programme_id = form_target(value)
    if programme_id is None and not may_create(session, user, workspace_admin=workspace_admin):
        raise UseCaseError("denied_create_programme")
    return form_for(session, user, programme_id)


def save_programme(
    session: Session,
    now: datetime,
    user: UserRef,
    form: ProgrammeForm,
    *,
    workspace_admin: bool,
    display_name: str | None = None,
) -> Programme:
    person = people.ensure_person(session, user, now, display_name=display_name)
    actor = f"person:{person.id}"
    if form.programme_id is not None:
        programme = _visible(session, user, form.programme_id)
        require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
        settings = programmes.ProgrammeSettings(
            name=form.name,
            organisations=form.organisations,
            cadence=form.cadence,
            group_size=form.group_size,
            cross_organisation=form.cross_organisation,
            weekday=form.weekday,
            hour=form.hour,
            timezone=form.timezone,
            checkin_delay=form.checkin_delay,
            nudge_days=programme.nudge_days,
        )
        programme = programmes.update_programme(session, now, programme, settings, actor=actor)
        if form.circle_proposals is not None:
            circle_proposals.set_allowed(session, now, programme, person, form.circle_proposals)
        return programme
    if not may_create(session, user, workspace_admin=workspace_admin):
        raise UseCaseError("denied_create_programme")
    settings = programmes.ProgrammeSettings(
        name=form.name,
        organisations=form.organisations,
        cadence=form.cadence,
        group_size=form.group_size,
        cross_organisation=form.cross_organisation,
        weekday=form.weekday,
        hour=form.hour,
        timezone=form.timezone,
        checkin_delay=form.checkin_delay,
        workspaces=((user.platform, user.workspace),),
        circle_proposals=bool(form.circle_proposals),
    )
    return programmes.create_programme(session, now, settings, actor=actor, coordinator=person)


ChannelMember = ListedMember  # the older name


@dataclass(frozen=True)
class SyncResult:
    programme: str
    invited: int
    already_members: int
    skipped: int


def join_choices(
    prompts: Prompts, programme: str, organisations: Sequence[str]
) -> tuple[tuple[Button, ...], ChoiceList]:
    """One `join` action per organisation, offered as one list to pick from."""
    buttons = tuple(
        Button(name, actions.JOIN, actions.join_value(name, programme)) for name in organisations
    )
    return buttons, ChoiceList(
        prompts.render("home_choose_organisation"), prompts.render("button_join")
    )


def invitation(prompts: Prompts, programme: Programme, organisations: Sequence[str]) -> Message:
    """Asks a new member to pick their organisation from a list; each choice is a `join`."""
    buttons, choices = join_choices(prompts, programme.name, organisations)
    card = Card(
        title=prompts.render("invite_title", programme=programme.name),
        sections=(prompts.render("invite_body", programme=programme.name),),
        buttons=buttons,
        choices=choices,
    )
    return Message((card,))


def sync_members(
    session: Session,
    now: datetime,
    prompts: Prompts,
    coordinator: UserRef,
    programme_id: int,
    members: Sequence[ListedMember],
) -> SyncResult:
    """Meet everyone in a channel; invite those not yet taking part (through the outbox)."""
    programme = _visible(session, coordinator, programme_id)
    require_role(
        session, person_for(session, coordinator), programme, ProgrammeRoleKind.COORDINATOR
    )
    organisations = [o.name for o in people.programme_organisations(session, programme)]
    message = invitation(prompts, programme, organisations)
    invited = already = skipped = 0
    for member in members:
        if member.is_bot or member.deleted:
            skipped += 1
            continue
        user = UserRef(coordinator.platform, coordinator.workspace, member.user_id)
        person = people.ensure_person(
            session, user, now, display_name=member.display_name, email=member.email
        )
        if person.erased:
            skipped += 1
            continue
        membership = people.membership_of(session, person, programme)
        if membership is not None and membership.status != MembershipStatus.LEFT:
            already += 1
            continue
        queued = queue(
            session,
            now,
            key=f"invite:{programme.id}:{require_id(person.id)}",
            platform=user.platform,
            workspace=user.workspace,
            recipients=[user.id],
            kind="invite",
            message=message,
            programme_id=programme.id,
        )
        invited += int(queued)
        already += int(not queued and membership is not None)
    audit(
        session,
        now,
        actor_of(person_for(session, coordinator)),
        "roster_sync",
        programme.id,
        members=len(members),
        invited=invited,
    )
    return SyncResult(programme.name, invited, already, skipped)
