"""What the check-in loop sends: check-ins, nudges and the one follow-up, queued when due, and
the notes that tell a group's other members who answered.

The loop is the group's: once anyone in it has answered, nobody else is asked (their pending
check-ins and nudges are cancelled, and none is queued later); "not yet" brings one follow-up
to every member, unless someone answers before it is due.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import true, update
from sqlmodel import Session, col, select

from bot.checkin_cards import notice_message
from bot.compose import checkin_message
from bot.db.models import (
    Answer,
    CheckIn,
    Introduction,
    IntroductionMember,
    Outbox,
    OutboxState,
    Person,
)
from bot.events import Message
from bot.outbox import queue_to
from bot.templates import Prompts
from bot.usecases.common import display_name, require_id

CHECKIN_KINDS = ("checkin",)
NUDGE_KINDS = ("nudge",)
FOLLOW_UP_KINDS = ("followup",)
KINDS = CHECKIN_KINDS + NUDGE_KINDS + FOLLOW_UP_KINDS  # what "send early" sends
NOTICE_KINDS = ("answer_notice",)  # "Helen says you met", to the group's other members


def members_of(session: Session, introduction_id: int) -> list[Person]:
    return list(
        session.exec(
            select(Person)
            .join(IntroductionMember, col(IntroductionMember.person_id) == col(Person.id))
            .where(IntroductionMember.introduction_id == introduction_id)
            .order_by(col(Person.id))
        ).all()
    )


def queue_due_work(
    session: Session,
    now: datetime,
    prompts: Prompts,
    *,
    due_by: datetime | None = None,
    programme_id: int | None = None,
) -> Counter[str]:
    """Queue every check-in, nudge and follow-up that is due; how many of each kind.

    Idempotent: safe to run at any interval. `due_by` (default `now`) sends early what would
    be due by then; the rows are still stamped `now`, so delivery takes them at once.
    `programme_id` keeps to one programme."""
    due_by = now if due_by is None else due_by
    queued: Counter[str] = Counter()
    in_programme = (
        col(Introduction.programme_id) == programme_id if programme_id is not None else true()
    )
    open_groups = select(Introduction.id).where(col(Introduction.outcome).is_(None), in_programme)
    due = session.exec(
        select(CheckIn).where(
            col(CheckIn.sent_at).is_(None),
            col(CheckIn.answer).is_(None),
            col(CheckIn.due_at) <= due_by,
            col(CheckIn.introduction_id).in_(open_groups),
        )
    ).all()
    for checkin in due:
        queued["checkin"] += _ask(
            session, now, prompts, checkin.introduction_id, checkin.person_id, "checkin"
        )
        checkin.sent_at = now
        session.add(checkin)
    nudges = session.exec(
        select(CheckIn).where(
            col(CheckIn.nudged_at).is_(None),
            col(CheckIn.answer).is_(None),
            col(CheckIn.nudge_due_at) <= due_by,
            col(CheckIn.introduction_id).in_(open_groups),
        )
    ).all()
    for checkin in nudges:
        checkin.nudged_at = now
        session.add(checkin)
        queued["nudge"] += _ask(
            session, now, prompts, checkin.introduction_id, checkin.person_id, "nudge"
        )
    queued["followup"] += _follow_ups(session, now, prompts, due_by, in_programme)
    return queued


def _follow_ups(
    session: Session, now: datetime, prompts: Prompts, due_by: datetime, scope: object
) -> int:
    """One follow-up per group that said "not yet", to every member, once."""
    groups = session.exec(
        select(Introduction).where(
            col(Introduction.followup_due_at) <= due_by,
            col(Introduction.followed_up_at).is_(None),
            Introduction.outcome == Answer.NOT_YET,
            scope,  # type: ignore[arg-type]
        )
    ).all()
    queued = 0
    for introduction in groups:
        intro_id = require_id(introduction.id)
        introduction.followed_up_at = now
        introduction.followup_due_at = None
        session.add(introduction)
        for member in members_of(session, intro_id):
            queued += _ask(session, now, prompts, intro_id, require_id(member.id), "followup")
    return queued


def _ask(
    session: Session,
    now: datetime,
    prompts: Prompts,
    introduction_id: int,
    person_id: int,
    kind: str,
) -> int:
    built = ask_message(session, now, prompts, introduction_id, person_id, kind)
    if built is None:
        return 0
    introduction, message = built
    queued = queue_to(
        session,
        now,
        person_id,
        key=f"{kind}:{introduction_id}:{person_id}",
        kind=kind,
        message=message,
        programme_id=introduction.programme_id,
        introduction_id=introduction_id,
    )
    return int(bool(queued))


def ask_message(
    session: Session,
    now: datetime,
    prompts: Prompts,
    introduction_id: int,
    person_id: int,
    kind: str,
    chosen: Answer | None = None,
) -> tuple[Introduction, Message] | None:
    """The check-in, nudge or follow-up card for one member (with `chosen`, as redrawn once
    the group has answered)."""
    introduction = session.get(Introduction, introduction_id)
    person = session.get(Person, person_id)
    if introduction is None or person is None:
        return None
    partners = [display_name(p) for p in members_of(session, introduction_id) if p.id != person_id]
    message = checkin_message(
        prompts,
        introduction_id=introduction_id,
        partners=partners,
        kind=kind,
        introduced=introduction.created_at,
        now=now,
        timezone=person.timezone,
        chosen=chosen,
    )
    return introduction, message


def cancel_pending(session: Session, introduction_id: int, kinds: Iterable[str]) -> int:
    """Messages about the group not yet taken by delivery are not sent after all."""
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.introduction_id) == introduction_id,
            col(Outbox.kind).in_(tuple(kinds)),
            col(Outbox.state) == OutboxState.PENDING,
            col(Outbox.attempts) == 0,
        )
        .values(state=OutboxState.CANCELLED, last_error="answered")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def queue_notices(
    session: Session,
    now: datetime,
    prompts: Prompts,
    introduction: Introduction,
    by: Person,
    answer: Answer,
) -> list[str]:
    """Tell the group's other members who answered, on their own platform; their names."""
    intro_id = require_id(introduction.id)
    members = members_of(session, intro_id)
    cancel_pending(session, intro_id, NOTICE_KINDS)  # an earlier note no one has seen yet
    told = []
    for member in members:
        if member.id == by.id:
            continue
        partners = [display_name(p) for p in members if p.id != member.id]
        message = notice_message(
            prompts,
            introduction_id=intro_id,
            by=display_name(by),
            answer=answer,
            partners=partners,
            followup_at=introduction.followup_due_at,
            now=now,
            timezone=member.timezone,
        )
        reached = queue_to(
            session,
            now,
            require_id(member.id),
            key=f"answer:{intro_id}:{member.id}:{answer.value}:{now.isoformat()}",
            kind=NOTICE_KINDS[0],
            message=message,
            programme_id=introduction.programme_id,
            introduction_id=intro_id,
        )
        if reached is not None:
            told.append(display_name(member))
    return told
