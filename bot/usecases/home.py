"""A person's own overview (Slack App Home, a Teams personal tab): what to show, not how.

Current introduction, own ties, status per programme (with what they can do next) and, for
coordinators, the programmes they run. Only the person's own data and programme names.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from bot.clock import as_utc
from bot.db.models import (
    CheckIn,
    IntroductionMember,
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    ProgrammeRoleKind,
)
from bot.events import UserRef
from bot.ids import ProgrammeId
from bot.scheduling import times
from bot.templates import Prompts
from bot.usecases import checkins, ties
from bot.usecases.common import display_name, has_role, person_for, visible_programmes
from bot.usecases.people import membership_of, programme_organisations
from bot.views import HomeProgramme, HomeView


def _active_members(session: Session, programme_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.programme_id == programme_id,
                Membership.status == MembershipStatus.ACTIVE,
            )
        ).one()
    )


def home_view(
    session: Session,
    user: UserRef,
    prompts: Prompts,
    *,
    workspace_admin: bool = False,
    now: datetime | None = None,
) -> HomeView:
    """What `user` sees on their home; read-only. With `now`, it says when things happen."""
    person = person_for(session, user)
    listed: list[HomeProgramme] = []
    for programme in visible_programmes(session, user):
        assert programme.id is not None
        membership = membership_of(session, person, programme) if person else None
        coordinator = has_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
        listed.append(
            HomeProgramme(
                id=ProgrammeId(programme.id),
                name=programme.name,
                status=str(membership.status) if membership else None,
                paused_until=membership.paused_until if membership else None,
                organisations=tuple(o.name for o in programme_organisations(session, programme)),
                coordinator=coordinator,
                lead=has_role(session, person, programme, ProgrammeRoleKind.LEAD),
                active_members=_active_members(session, programme.id) if coordinator else None,
                paused=programme.paused,
                next_round_at=times.next_round_at(programme, now) if now else None,
            )
        )
    may_create = workspace_admin or any(p.coordinator for p in listed)
    if person is None or person.erased:
        return HomeView(None, None, None, None, (), tuple(listed), may_create)
    organisation = (
        session.get(Organisation, person.organisation_id) if person.organisation_id else None
    )
    intro = checkins.latest_introduction(session, person)
    current = checkins.describe(session, intro, person, prompts) if intro else None
    return HomeView(
        name=display_name(person),
        organisation=organisation.name if organisation else None,
        role=person.role,
        current=current,
        ties=tuple(ties.my_ties(session, person)),
        programmes=tuple(listed),
        may_create=may_create,
        checkin_at=as_utc(intro.checkin_due_at) if intro and current else None,
        timezone=person.timezone,
        as_of=now,
    )


def introduction_answers(
    session: Session, introduction_id: int
) -> tuple[tuple[str, str | None], ...]:
    """Each member's name and check-in answer, for updating a shared introduction message."""
    answers = {
        c.person_id: c.answer
        for c in session.exec(select(CheckIn).where(CheckIn.introduction_id == introduction_id))
    }
    members: list[Person] = checkins.group_members(session, introduction_id)
    return tuple((display_name(m), answers.get(m.id or -1)) for m in members)


def member_count(session: Session, programme_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Membership)
            .where(col(Membership.programme_id) == programme_id)
        ).one()
    )


def is_member(session: Session, user: UserRef, introduction_id: int) -> bool:
    """Whether the person behind `user` is in that introduction's group."""
    person = person_for(session, user)
    if person is None or person.id is None:
        return False
    return session.get(IntroductionMember, (introduction_id, person.id)) is not None
