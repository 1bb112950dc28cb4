"""Check-ins: "did you meet?" after an introduction, answered once for the whole group.

What is sent and when is in `checkin_queue`; here are the answers and what they change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.actions import KEEP, MOVE_ON
from bot.clock import as_utc
from bot.db.models import (
    Answer,
    CheckIn,
    Introduction,
    IntroductionMember,
    Person,
    Programme,
    Round,
    TieEvent,
    TieStage,
)
from bot.templates import Prompts
from bot.usecases.checkin_queue import KINDS, cancel_pending, queue_due_work, queue_notices
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
    answer: Answer  # the group's answer, which is the person's own
    changed: bool  # the group's answer is not what it was
    answers: tuple[tuple[str, str | None], ...]  # every member's own last answer
    told: tuple[str, ...] = ()  # the other members who are told of it
    followup_at: datetime | None = None  # when "not yet" is asked again
    next_round: str | None = None  # after "couldn't meet": keep | move_on


def record_answer(
    session: Session,
    now: datetime,
    person: Person,
    introduction_id: int,
    answer: Answer,
    prompts: Prompts,
) -> AnswerResult:
    """One answer is the whole group's: the others are not asked again and are told who
    answered; "not yet" brings one follow-up; an answer can be changed, and the ties and the
    met rate follow it. Only members of the group answer for it.

    The introduction's row is locked first, so two members answering at the same moment
    take turns: the second sees the first's answer and the ties it already moved."""
    introduction = session.get(Introduction, introduction_id, with_for_update=True)
    checkin = session.exec(
        select(CheckIn).where(
            CheckIn.introduction_id == introduction_id, CheckIn.person_id == person.id
        )
    ).first()
    if introduction is None or checkin is None:
        raise UseCaseError("error_not_in_group")
    before = introduction.outcome
    changed = before != answer
    checkin.answer = answer
    checkin.answered_at = now
    session.add(checkin)
    members = group_members(session, introduction_id)
    introduction.outcome = answer
    introduction.answered_by_id = person.id
    if answer == Answer.NOT_YET:
        if introduction.followed_up_at is None and introduction.followup_due_at is None:
            introduction.followup_due_at = followup_time(introduction, now)
    else:
        introduction.followup_due_at = None  # a follow-up not yet sent is not needed
    if answer != Answer.COULD_NOT_MEET:
        introduction.next_round = None  # the choice stands only with "couldn't meet"
    session.add(introduction)
    _follow_ties(session, now, introduction_id, members, person, before, answer)
    cancel_pending(session, introduction_id, KINDS)
    told: list[str] = []
    if changed:
        told = queue_notices(session, now, prompts, introduction, person, answer)
    audit(
        session,
        now,
        f"person:{person.id}",
        "checkin",
        introduction.programme_id,
        answer=answer.value,
        changed=changed,
    )
    return AnswerResult(
        introduction_id,
        answer,
        changed,
        _answers(session, introduction_id, members),
        tuple(told),
        introduction.followup_due_at,
        introduction.next_round,
    )


def followup_time(introduction: Introduction, now: datetime) -> datetime:
    """A few days after "not yet" (the programme's gap between check-in and nudge), and
    never before the check-in itself would have come."""
    gap = as_utc(introduction.nudge_due_at) - as_utc(introduction.checkin_due_at)
    return max(now, as_utc(introduction.checkin_due_at)) + gap


def choose_next_round(
    session: Session, now: datetime, person: Person, introduction_id: int, keep: bool
) -> AnswerResult:
    """After "couldn't meet": keep the group for the next round, or move on (the last
    member's choice stands). Refused once the group's answer is something else."""
    introduction = session.get(Introduction, introduction_id, with_for_update=True)
    members = group_members(session, introduction_id)
    if introduction is None or person.id not in {m.id for m in members}:
        raise UseCaseError("error_not_in_group")
    if introduction.outcome != Answer.COULD_NOT_MEET:
        raise UseCaseError("answer_choice_closed")
    introduction.next_round = KEEP if keep else MOVE_ON
    session.add(introduction)
    audit(
        session,
        now,
        f"person:{person.id}",
        "next_round",
        introduction.programme_id,
        choice=introduction.next_round,
    )
    return AnswerResult(
        introduction_id,
        Answer.COULD_NOT_MEET,
        False,
        _answers(session, introduction_id, members),
        next_round=introduction.next_round,
    )


@dataclass(frozen=True)
class GroupAnswer:
    """The group's one answer as one member sees it."""

    answer: Answer | None
    by: str | None  # who gave it; None when it was the reader
    by_name: str | None  # who gave it, always by name (for a message the group shares)
    followup_at: datetime | None
    next_round: str | None
    size: int


def group_answer(session: Session, introduction_id: int, person_id: int | None) -> GroupAnswer:
    introduction = session.get(Introduction, introduction_id)
    members = group_members(session, introduction_id)
    if introduction is None:
        return GroupAnswer(None, None, None, None, None, len(members))
    answerer = (
        session.get(Person, introduction.answered_by_id) if introduction.answered_by_id else None
    )
    name = display_name(answerer) if answerer is not None else None
    return GroupAnswer(
        introduction.outcome,
        None if introduction.answered_by_id == person_id else name,
        name,
        introduction.followup_due_at,
        introduction.next_round,
        len(members),
    )


def _answers(
    session: Session, introduction_id: int, members: list[Person]
) -> tuple[tuple[str, str | None], ...]:
    answers = {
        c.person_id: c.answer
        for c in session.exec(
            select(CheckIn).where(CheckIn.introduction_id == introduction_id)
        ).all()
    }
    return tuple((display_name(m), answers.get(require_id(m.id))) for m in members)


def _follow_ties(
    session: Session,
    now: datetime,
    introduction_id: int,
    members: list[Person],
    person: Person,
    before: Answer | None,
    answer: Answer,
) -> None:
    """The group met: every pair in it did. A "we met" taken back: the pairs it moved to met
    go back to introduced, unless another introduction had them meet or they went further."""
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
    for a, b in pairs:
        tie = get_tie(session, require_id(a.id), require_id(b.id))
        if tie is None:
            continue
        if answer == Answer.MET:
            if advance(session, now, tie, TieStage.MET):
                add_event(session, now, tie, "met", by=person, introduction_id=introduction_id)
        elif before == Answer.MET and tie.stage == TieStage.MET:
            elsewhere = session.exec(
                select(TieEvent.id).where(
                    TieEvent.tie_id == tie.id,
                    TieEvent.kind == "met",
                    col(TieEvent.introduction_id) != introduction_id,
                )
            ).first()
            if elsewhere is None:
                tie.stage = TieStage.INTRODUCED
                tie.met_at = None
                session.add(tie)
                add_event(
                    session, now, tie, "met_withdrawn", by=person, introduction_id=introduction_id
                )


def queue_due_checkins(
    session: Session,
    now: datetime,
    prompts: Prompts,
    *,
    due_by: datetime | None = None,
    programme_id: int | None = None,
) -> int:
    """Queue every check-in, nudge and follow-up that is due (see `queue_due_work`); how
    many messages were queued."""
    return sum(
        queue_due_work(session, now, prompts, due_by=due_by, programme_id=programme_id).values()
    )
