"""Circle topics members propose, where their programme allows it, and a coordinator's
approval or decline.

A proposal is a topic in the `proposed` state: nobody can sign up and it never forms. Each
coordinator of the programme gets a card with Approve / Decline; approving opens it (the
members are invited, as for a topic a coordinator opens), declining tells the proposer.
Rights are checked before anything else, and a proposal is decided once: the topic's row is
locked, so a second coordinator's press finds it decided and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.circle_compose import proposal_card
from bot.db.circle_models import CircleTopic, CircleTopicStatus
from bot.db.models import Outbox, Person, Programme, ProgrammeRole, ProgrammeRoleKind
from bot.events import Message
from bot.outbox import queue_to
from bot.templates import Prompts
from bot.usecases import circles
from bot.usecases.common import (
    UseCaseError,
    audit,
    display_name,
    has_role,
    require_id,
    require_role,
)
from bot.usecases.people import require_membership


@dataclass(frozen=True)
class Proposed:
    topic: CircleTopic
    opened: bool  # a coordinator's proposal opens straight away
    queued: int  # cards to coordinators, or invitations when opened


@dataclass(frozen=True)
class Decided:
    title: str
    approved: bool
    invited: int  # members invited when approved
    proposer: str | None  # their name, when they are still a member to tell


def set_allowed(
    session: Session,
    now: datetime,
    programme: Programme,
    person: Person | None,
    allowed: bool,
    *,
    cli: bool = False,
) -> bool:
    """Whether members may propose topics; returns whether it changed."""
    require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR, cli=cli)
    if programme.circle_proposals == allowed:
        return False
    programme.circle_proposals = allowed
    session.add(programme)
    actor = "cli" if cli else f"person:{person.id if person else None}"
    audit(session, now, actor, "circle_proposals", programme.id, allowed=allowed)
    return True


def propose(
    session: Session,
    now: datetime,
    prompts: Prompts,
    programme: Programme,
    person: Person,
    *,
    title: str,
    description: str,
    organisations: Sequence[str],
    forms_at: datetime,
) -> Proposed:
    """A member's topic, waiting for a coordinator, who is sent a card to approve it."""
    if has_role(session, person, programme, ProgrammeRoleKind.COORDINATOR):
        topic, invited = circles.open_topic(
            session,
            now,
            prompts,
            programme,
            person,
            title=title,
            description=description,
            organisations=organisations,
            forms_at=forms_at,
        )
        return Proposed(topic, True, invited)
    require_membership(session, person, programme)
    if not programme.circle_proposals:
        raise UseCaseError("error_circle_proposals_off", programme=programme.name)
    topic = circles.add_topic(
        session,
        now,
        programme,
        person,
        title=title,
        description=description,
        organisations=organisations,
        forms_at=forms_at,
        status=CircleTopicStatus.PROPOSED,
    )
    return Proposed(topic, False, _ask_coordinators(session, now, prompts, programme, topic))


def _ask_coordinators(
    session: Session, now: datetime, prompts: Prompts, programme: Programme, topic: CircleTopic
) -> int:
    view = circles.topic_view(session, topic)
    proposer = session.get(Person, topic.opened_by) if topic.opened_by else None
    who = display_name(proposer) if proposer is not None else ""
    queued = 0
    for coordinator in coordinators(session, programme):
        card = proposal_card(prompts, view, proposer=who, timezone=coordinator.timezone, now=now)
        queued += bool(
            queue_to(
                session,
                now,
                require_id(coordinator.id),
                key=_fresh_key(session, f"circle_proposal:{topic.id}:{coordinator.id}:"),
                kind="circle_proposal",
                message=Message((card,)),
                programme_id=programme.id,
            )
        )
    return queued


def coordinators(session: Session, programme: Programme) -> list[Person]:
    return list(
        session.exec(
            select(Person)
            .join(ProgrammeRole, col(ProgrammeRole.person_id) == col(Person.id))
            .where(
                ProgrammeRole.programme_id == programme.id,
                ProgrammeRole.role == ProgrammeRoleKind.COORDINATOR,
                col(Person.erased).is_(False),
            )
            .order_by(col(Person.id))
        ).all()
    )


def pending(session: Session, programme: Programme) -> list[CircleTopic]:
    """Proposals waiting for a coordinator, oldest first."""
    return list(
        session.exec(
            select(CircleTopic)
            .where(
                CircleTopic.programme_id == programme.id,
                CircleTopic.status == CircleTopicStatus.PROPOSED,
            )
            .order_by(col(CircleTopic.created_at), col(CircleTopic.id))
        ).all()
    )


def decide(
    session: Session,
    now: datetime,
    prompts: Prompts,
    person: Person,
    topic_id: int,
    approve: bool,
) -> Decided:
    """A coordinator's answer to a proposal. Rights first: anyone else is refused politely
    and nothing changes; a proposal already decided is said to be so."""
    topic = session.get(CircleTopic, topic_id, with_for_update=True)
    programme = session.get(Programme, topic.programme_id) if topic is not None else None
    if topic is None or programme is None:
        raise UseCaseError("error_bad_action")
    require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
    if topic.status != CircleTopicStatus.PROPOSED:
        raise UseCaseError("error_circle_decided", title=topic.title, status=topic.status.value)
    if approve and topic.forms_at <= now:
        raise UseCaseError("error_circle_proposal_late", title=topic.title)
    topic.status = CircleTopicStatus.OPEN if approve else CircleTopicStatus.DECLINED
    session.add(topic)
    session.flush()
    action = "circle_approve" if approve else "circle_decline"
    audit(session, now, f"person:{person.id}", action, programme.id, topic=topic_id)
    invited = circles.invite(session, now, prompts, programme, topic) if approve else 0
    proposer = session.get(Person, topic.opened_by) if topic.opened_by else None
    told = None
    if proposer is not None and not proposer.erased:
        words = prompts.render(
            "circle_proposal_approved" if approve else "circle_proposal_declined",
            title=topic.title,
            programme=programme.name,
            moment=topic.forms_at,
            timezone=proposer.timezone,
            now=now,
        )
        reached = queue_to(
            session,
            now,
            require_id(proposer.id),
            key=_fresh_key(session, f"circle_decided:{topic_id}:"),
            kind="circle_decided",
            message=Message.text(words),
            programme_id=programme.id,
        )
        if reached is not None:
            told = display_name(proposer)
    return Decided(topic.title, approve, invited, told)


def _fresh_key(session: Session, prefix: str) -> str:
    """The next key under `prefix`: a proposal made again under the same title (which may
    get the row id of the one it replaces) is asked about, and answered, again."""
    earlier = session.exec(
        select(func.count())
        .select_from(Outbox)
        .where(col(Outbox.idempotency_key).startswith(prefix, autoescape=True))
    ).one()
    return f"{prefix}{earlier}"
