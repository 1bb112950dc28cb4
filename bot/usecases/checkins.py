"""Check-ins: "did you meet?" after an introduction, a nudge if nobody answered, answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import true
from sqlmodel import Session, col, select

from bot import accounts
from bot.compose import checkin_message
from bot.db.models import (
    Answer,
    CheckIn,
    Introduction,
    IntroductionMember,
    Person,
    Programme,
    Round,
    TieStage,
)
from bot.outbox import queue
from bot.templates import Prompts
from bot.usecases.common import UseCaseError, audit, display_name, require_id
from bot.usecases.ties import add_event, advance, get_tie


@dataclass(frozen=True)
class CurrentIntroduction:
    introduction_id: int
    programme: str
    round_number: int
    partners: tuple[tuple[str, str | None, str | None], ...]  # name, organisation, role
    my_answer: str | None
    answers: tuple[tuple[str, str | None], ...]  # every member's name and answer
    starter: str
    created_at: datetime


def group_members(session: Session, introduction_id: int) -> list[Person]:
    return list(
        session.exec(
            select(Person)
            .join(IntroductionMember, col(IntroductionMember.person_id) == col(Person.id))
            .where(IntroductionMember.introduction_id == introduction_id)
            .order_by(col(Person.id))
        ).all()
    )


def latest_introduction(
    session: Session, person: Person, programme: Programme | None = None
) -> Introduction | None:
    query = (
        select(Introduction)
        .join(IntroductionMember, col(IntroductionMember.introduction_id) == col(Introduction.id))
        .where(IntroductionMember.person_id == person.id)
    )
    if programme is not None:
        query = query.where(Introduction.programme_id == programme.id)
    return session.exec(
        query.order_by(col(Introduction.created_at).desc(), col(Introduction.id).desc())
    ).first()


def describe(
    session: Session, introduction: Introduction, person: Person, prompts: Prompts
) -> CurrentIntroduction:
    from bot.db.models import Organisation

    intro_id = require_id(introduction.id)
    members = group_members(session, intro_id)
    checkins = {
        c.person_id: c
        for c in session.exec(select(CheckIn).where(CheckIn.introduction_id == intro_id)).all()
    }
    programme = session.get(Programme, introduction.programme_id)
    round_ = session.get(Round, introduction.round_id)
    assert programme is not None and round_ is not None
    starters = {s.key: s.text for s in prompts.starters(programme.prompt_set)}
    partners = []
    for member in members:
        if member.id == person.id:
            continue
        organisation = (
            session.get(Organisation, member.organisation_id) if member.organisation_id else None
        )
        partners.append(
            (display_name(member), organisation.name if organisation else None, member.role)
        )
    mine = checkins.get(require_id(person.id))
    return CurrentIntroduction(
        introduction_id=intro_id,
        programme=programme.name,
        round_number=round_.number,
        partners=tuple(partners),
        my_answer=mine.answer if mine else None,
        answers=tuple(
            (
                display_name(m),
                checkins[require_id(m.id)].answer if require_id(m.id) in checkins else None,
            )
            for m in members
        ),
        starter=starters.get(introduction.starter, ""),
        created_at=introduction.created_at,
    )


@dataclass(frozen=True)
class AnswerResult:
    introduction_id: int
    answer: Answer
    changed: bool
    answers: tuple[tuple[str, str | None], ...]


def record_answer(
    session: Session, now: datetime, person: Person, introduction_id: int, answer: Answer
) -> AnswerResult:
    """Only members of the group answer for it; answering again updates the answer.

    The introduction's row is locked first, so two members answering at the same moment
    take turns: the second sees the first's answer and the tie it already moved to met."""
    introduction = session.get(Introduction, introduction_id, with_for_update=True)
    checkin = session.exec(
        select(CheckIn).where(
            CheckIn.introduction_id == introduction_id, CheckIn.person_id == person.id
        )
    ).first()
    if introduction is None or checkin is None:
        raise UseCaseError("error_not_in_group")
    changed = checkin.answer != answer
    checkin.answer = answer
    checkin.answered_at = now
    session.add(checkin)
    members = group_members(session, introduction_id)
    if answer == Answer.MET:
        for other in members:
            if other.id == person.id:
                continue
            tie = get_tie(session, require_id(person.id), require_id(other.id))
            if tie is not None and advance(session, now, tie, TieStage.MET):
                add_event(session, now, tie, "met", by=person, introduction_id=introduction_id)
    answers = {
        c.person_id: c.answer
        for c in session.exec(
            select(CheckIn).where(CheckIn.introduction_id == introduction_id)
        ).all()
    }
    answers[require_id(person.id)] = answer
    if Answer.MET in answers.values():
        introduction.outcome = Answer.MET
    elif all(a == Answer.COULD_NOT_MEET for a in answers.values()):
        introduction.outcome = Answer.COULD_NOT_MEET
    elif answers.values():
        introduction.outcome = Answer.NOT_YET if any(answers.values()) else None
    session.add(introduction)
    audit(
        session,
        now,
        f"person:{person.id}",
        "checkin",
        introduction.programme_id,
        answer=answer.value,
    )
    return AnswerResult(
        introduction_id,
        answer,
        changed,
        tuple((display_name(m), answers.get(require_id(m.id))) for m in members),
    )


def queue_due_checkins(
    session: Session,
    now: datetime,
    prompts: Prompts,
    *,
    due_by: datetime | None = None,
    programme_id: int | None = None,
) -> int:
    """Queue every check-in and nudge that is due. Idempotent: safe to run at any interval.

    `due_by` (default `now`) sends early what would be due by then; the rows are still
    stamped `now`, so delivery takes them at once. `programme_id` keeps to one programme."""
    due_by = now if due_by is None else due_by
    queued = 0
    scope = (
        col(CheckIn.introduction_id).in_(
            select(Introduction.id).where(Introduction.programme_id == programme_id)
        )
        if programme_id is not None
        else true()
    )
    due = session.exec(
        select(CheckIn).where(
            col(CheckIn.sent_at).is_(None),
            col(CheckIn.answer).is_(None),
            col(CheckIn.due_at) <= due_by,
            scope,
        )
    ).all()
    for checkin in due:
        queued += _queue_one(session, now, prompts, checkin, nudge=False)
        checkin.sent_at = now
        session.add(checkin)
    nudges = session.exec(
        select(CheckIn).where(
            col(CheckIn.nudged_at).is_(None),
            col(CheckIn.answer).is_(None),
            col(CheckIn.nudge_due_at) <= due_by,
            scope,
        )
    ).all()
    answered = (
        set(
            session.exec(
                select(CheckIn.introduction_id).where(
                    col(CheckIn.introduction_id).in_({c.introduction_id for c in nudges}),
                    col(CheckIn.answer).is_not(None),
                )
            ).all()
        )
        if nudges
        else set()
    )
    for checkin in nudges:
        checkin.nudged_at = now
        session.add(checkin)
        if checkin.introduction_id not in answered:  # only when nobody in the group answered
            queued += _queue_one(session, now, prompts, checkin, nudge=True)
    return queued


def _queue_one(
    session: Session, now: datetime, prompts: Prompts, checkin: CheckIn, *, nudge: bool
) -> int:
    account = accounts.first_reachable(session, checkin.person_id)
    introduction = session.get(Introduction, checkin.introduction_id)
    if account is None or introduction is None:
        return 0
    partners = [
        display_name(p)
        for p in group_members(session, checkin.introduction_id)
        if p.id != checkin.person_id
    ]
    kind = "nudge" if nudge else "checkin"
    message = checkin_message(
        prompts, introduction_id=checkin.introduction_id, partners=partners, nudge=nudge
    )
    return int(
        queue(
            session,
            now,
            key=f"{kind}:{checkin.introduction_id}:{checkin.person_id}",
            platform=account.platform,
            workspace=account.workspace,
            recipients=[account.user_id],
            kind=kind,
            message=message,
            programme_id=introduction.programme_id,
            introduction_id=checkin.introduction_id,
        )
    )
