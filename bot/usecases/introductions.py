"""What members do with their introduction besides answering the check-in: ask another
question, have the bot suggest times to meet, and say which time works.

`current_view` is the introduction as a platform should redraw it now: the view stored for
that platform and workspace, asking the starter the introduction holds today, with the
reader's own answer marked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from bot.compose import with_starter
from bot.db.models import Answer, CheckIn, Introduction, Person, Programme, Round
from bot.events import UserRef
from bot.formatting import when, zone
from bot.ids import IntroductionId
from bot.intro_view import IntroductionView, Slot, SuggestedTimes
from bot.outbox import last_view
from bot.starters import FIRST_MEETING_ROUNDS, pick_starter, split_prompt_set
from bot.templates import Prompts
from bot.usecases.common import UseCaseError, audit, require_id

SLOTS = 3
WORKING_DAYS = frozenset(range(5))  # Monday to Friday


def member_introduction(session: Session, person: Person, introduction: int) -> Introduction:
    """The introduction, if the person is in it; otherwise a polite refusal."""
    intro = session.get(Introduction, introduction)
    if intro is None:
        raise UseCaseError("error_no_introduction")
    checkin = session.exec(
        select(CheckIn).where(
            CheckIn.introduction_id == introduction, CheckIn.person_id == require_id(person.id)
        )
    ).first()
    if checkin is None:
        raise UseCaseError("error_not_in_group")
    return intro


def own_answer(session: Session, person: Person, introduction: int) -> Answer | None:
    checkin = session.exec(
        select(CheckIn).where(
            CheckIn.introduction_id == introduction, CheckIn.person_id == require_id(person.id)
        )
    ).first()
    return checkin.answer if checkin is not None else None


def current_view(
    session: Session,
    prompts: Prompts,
    now: datetime,
    user: UserRef,
    person: Person,
    introduction: Introduction,
    answer: Answer | None = None,
) -> IntroductionView | None:
    """The introduction as `person` sees it on `user`'s platform now (None for one queued
    before introductions were views). `answer` marks a choice; by default their own."""
    intro_id = require_id(introduction.id)
    view = last_view(session, intro_id, user.platform, user.workspace)
    if view is None:
        return None
    if introduction.starter != view.starter.key:
        programme = session.get(Programme, introduction.programme_id)
        prompt_set = programme.prompt_set if programme is not None else "default"
        found = next(
            (s for s in prompts.starters(prompt_set) if s.key == introduction.starter), None
        )
        if found is not None:
            view = with_starter(prompts, view, found.key, found.text, now)
    chosen = answer if answer is not None else own_answer(session, person, intro_id)
    view = replace(view, answer=chosen)
    reader = require_id(person.id)
    if view.platform == "teams" and reader in view.readers:
        view = view.for_reader(view.readers[view.readers.index(reader)])
    return view


def another_question(
    session: Session,
    prompts: Prompts,
    now: datetime,
    user: UserRef,
    person: Person,
    introduction: int,
) -> IntroductionView:
    """Swap the introduction's starter for one the group has not had; the redrawn view."""
    intro = member_introduction(session, person, introduction)
    programme = session.get(Programme, intro.programme_id)
    prompt_set = programme.prompt_set if programme is not None else "default"
    starters = prompts.starters(prompt_set)
    used = Counter({intro.starter: len(starters) + 1})  # never the one just asked
    for (key,) in session.execute(
        select(Introduction.starter)
        .join(CheckIn, CheckIn.introduction_id == Introduction.id)  # type: ignore[arg-type]
        .where(CheckIn.person_id == require_id(person.id))
    ).all():
        used[key] += 1
    month = now.astimezone(zone(programme.timezone if programme else None)).month
    round_ = session.get(Round, intro.round_id)
    chosen = pick_starter(
        starters,
        used,
        introduction * 7919 + sum(map(ord, intro.starter)),
        tags=split_prompt_set(prompt_set)[1],
        month=month,
        first_meeting=round_ is not None and round_.number <= FIRST_MEETING_ROUNDS,
    )
    intro.starter = chosen.key
    session.add(intro)
    audit(session, now, f"person:{person.id}", "starter_swapped", intro.programme_id)
    view = current_view(session, prompts, now, user, person, intro)
    if view is None:
        raise UseCaseError("error_no_introduction")
    return view


def slots(now: datetime, timezone: str, hour: int, count: int = SLOTS) -> list[datetime]:
    """The next working days from tomorrow, at `hour` in `timezone`, as UTC moments."""
    where = zone(timezone)
    day = now.astimezone(where).date()
    found: list[datetime] = []
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() in WORKING_DAYS:
            found.append(datetime.combine(day, time(hour), tzinfo=where).astimezone(zone("UTC")))
    return found


def suggest_times(
    session: Session,
    prompts: Prompts,
    now: datetime,
    user: UserRef,
    person: Person,
    introduction: int,
) -> SuggestedTimes:
    """Three times on the next working days at the programme's hour, in the first mover's
    time zone, for the group to pick from."""
    intro = member_introduction(session, person, introduction)
    programme = session.get(Programme, intro.programme_id)
    hour = programme.hour if programme is not None else 9
    view = current_view(session, prompts, now, user, person, intro)
    if view is not None:
        timezone = view.mover.timezone
    else:
        timezone = programme.timezone if programme is not None else person.timezone
    moments = slots(now, timezone, hour)
    audit(session, now, f"person:{person.id}", "times_suggested", intro.programme_id)
    return SuggestedTimes(
        introduction=IntroductionId(introduction),
        title=prompts.render("intro_times_title", name=person.name or ""),
        body=prompts.render("intro_times_body", zone=timezone),
        slots=tuple(Slot(m, when(m, timezone, now=now)) for m in moments),
        works_for_me=prompts.render("button_works_for_me"),
    )


def choose_time(
    session: Session,
    prompts: Prompts,
    now: datetime,
    user: UserRef,
    person: Person,
    introduction: int,
    at: datetime,
) -> str:
    """ "Works for me": the sentence the group sees."""
    intro = member_introduction(session, person, introduction)
    if at <= now:
        raise UseCaseError("error_time_passed")
    view = current_view(session, prompts, now, user, person, intro)
    timezone = view.mover.timezone if view is not None else person.timezone
    audit(session, now, f"person:{person.id}", "time_chosen", intro.programme_id)
    return prompts.render(
        "intro_time_chosen", name=person.name or "", slot=when(at, timezone, now=now)
    )
