"""The next small step after meeting: agreeing it (`step <one line>`), and "did it happen?"
(`step done`, `step not yet`, or the buttons on the question)."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from bot import commands as c
from bot.actions import next_step_button
from bot.db.models import Answer
from bot.events import Message, StepAnswered
from bot.handlers.turn import Turn
from bot.ids import IntroductionId
from bot.usecases import checkins, next_steps
from bot.usecases.common import UseCaseError
from bot.views import AnsweredCheckIn, Reply

StepCommand = c.NextStep | c.StepDone


def command(turn: Turn, command: StepCommand) -> Reply:
    match command:
        case c.NextStep(text=text):
            scope = turn.programme_or_none(command.programme)
            intro = checkins.latest_introduction(turn.session, turn.person, scope)
            if intro is None or intro.id is None:
                raise UseCaseError("error_no_introduction")
            view = next_steps.agree(turn.session, turn.now, turn.person, intro.id, text)
            return Reply((_agreed(turn, view),))
        case c.StepDone(happened=happened):
            step = next_steps.latest_step(turn.session, turn.person)
            if step is None:
                raise UseCaseError("error_no_step")
            return _answered(turn, IntroductionId(step.introduction_id), happened)


def offer(turn: Turn, reply: Reply) -> Reply:
    """After "We met", the answered check-in offers "We agreed a next step" (until the group
    has one)."""
    view = reply.view
    if not isinstance(view, AnsweredCheckIn) or view.answer != Answer.MET:
        return reply
    if next_steps.step_of(turn.session, view.introduction) is not None:
        return reply
    button = next_step_button(turn.prompts.render("button_next_step"))
    return replace(reply, view=replace(view, next_step=button))


def answer(turn: Turn, event: StepAnswered) -> Reply:
    """A press of "It happened" or "Not yet" on the question."""
    return _answered(turn, event.introduction, event.happened)


def _answered(turn: Turn, introduction: IntroductionId, happened: bool) -> Reply:
    next_steps.answer(turn.session, turn.now, turn.person, introduction, happened)
    return Reply((turn.say("step_answered", happened=happened),))


def _agreed(turn: Turn, view: next_steps.StepView) -> Message:
    try:
        where = ZoneInfo(turn.person.timezone)
    except Exception:
        where = ZoneInfo("UTC")
    return turn.say(
        "step_agreed",
        note=view.note,
        partners=list(view.partners),
        check_on=view.check_due_at.astimezone(where).date(),
    )
