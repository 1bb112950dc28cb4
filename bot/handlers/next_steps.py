"""The next small step after meeting: agreeing it (`step <one line>`), and "did it happen?"
(`step done`, `step not yet`, or the buttons on the question), for a pair or trio and for a
problem circle alike. Typed words go to the group the person most recently met: the circle
when they said "We met" on its check-in after their latest introduction was made."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from bot import commands as c
from bot.actions import next_step_button
from bot.db.circle_models import CircleMember
from bot.db.models import Answer, Introduction
from bot.events import Card, CircleCheckInAnswered, CircleStepAnswered, Message, StepAnswered
from bot.handlers.turn import Turn
from bot.ids import IntroductionId
from bot.usecases import checkins, circle_steps, next_steps
from bot.usecases.common import UseCaseError
from bot.views import AnsweredCheckIn, Reply

StepCommand = c.NextStep | c.StepDone


def command(turn: Turn, command: StepCommand) -> Reply:
    match command:
        case c.NextStep(text=text):
            scope = turn.programme_or_none(command.programme)
            intro = checkins.latest_introduction(turn.session, turn.person, scope)
            circle = circle_steps.latest_answered_circle(turn.session, turn.person, scope)
            if _circle_first(circle, intro):
                assert circle is not None
                agreed = circle_steps.agree(
                    turn.session, turn.now, turn.person, circle.circle_id, text
                )
                return Reply((_agreed(turn, agreed),))
            if intro is None or intro.id is None:
                raise UseCaseError("error_no_introduction")
            view = next_steps.agree(turn.session, turn.now, turn.person, intro.id, text)
            return Reply((_agreed(turn, view),))
        case c.StepDone(happened=happened):
            step = next_steps.latest_step(turn.session, turn.person)
            circle_step = circle_steps.latest_step(turn.session, turn.person)
            if circle_step is not None and (step is None or circle_step.agreed_at > step.agreed_at):
                circle_steps.answer(
                    turn.session, turn.now, turn.person, circle_step.circle_id, happened
                )
                return Reply((turn.say("step_answered", happened=happened),))
            if step is None:
                raise UseCaseError("error_no_step")
            return _answered(turn, IntroductionId(step.introduction_id), happened)


def _circle_first(circle: CircleMember | None, intro: Introduction | None) -> bool:
    """Whether the circle is the group to add the step to: its check-in was answered after the
    latest introduction was made (a circle not met yet is told a step comes after meeting)."""
    if circle is None or circle.answered_at is None:
        return False
    return intro is None or circle.answered_at >= intro.created_at


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


def offer_to_circle(turn: Turn, reply: Reply, event: CircleCheckInAnswered) -> Reply:
    """After "We met" on a circle's check-in, the thanks comes with "We agreed a next step"
    (until the circle has one)."""
    if event.answer != Answer.MET:
        return reply
    if circle_steps.step_of(turn.session, event.circle) is not None:
        return reply
    button = next_step_button(turn.prompts.render("button_next_step"))
    offer = Card(
        title=turn.prompts.render("step_offer_title"),
        sections=(turn.prompts.render("step_offer"),),
        buttons=(button,),
    )
    thanks = reply.messages[0] if reply.messages else Message(())
    return replace(reply, messages=(replace(thanks, parts=(*thanks.parts, offer)),))


def answer_circle(turn: Turn, event: CircleStepAnswered) -> Reply:
    """A press of "It happened" or "Not yet" on the question about a circle's step."""
    circle_steps.answer(turn.session, turn.now, turn.person, event.circle, event.happened)
    return Reply((turn.say("step_answered", happened=event.happened),))


def _answered(turn: Turn, introduction: IntroductionId, happened: bool) -> Reply:
    next_steps.answer(turn.session, turn.now, turn.person, introduction, happened)
    return Reply((turn.say("step_answered", happened=happened),))


def _agreed(turn: Turn, view: next_steps.StepView | circle_steps.CircleStepView) -> Message:
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
