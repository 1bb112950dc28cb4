"""What members do with their introduction: another question, suggested times, a time
that works. The answers go to the conversation the introduction is in (not ephemeral)."""

from __future__ import annotations

from dataclasses import replace

from bot import accounts, presenters
from bot.events import AnotherQuestionAsked, Message, TimeChosen, TimesRequested
from bot.handlers.turn import Turn
from bot.usecases import checkins, introductions
from bot.usecases.introductions import member_introduction
from bot.views import Reply


def another_question(turn: Turn, event: AnotherQuestionAsked) -> Reply:
    """The introduction redrawn with a new starter (the view); nothing new is posted. Pressed
    on the `match` card, the answer is that card again, with the new starter."""
    view = introductions.another_question(
        turn.session, turn.prompts, turn.now, turn.user, turn.person, event.introduction
    )
    if event.on_match:
        intro = member_introduction(turn.session, turn.person, event.introduction)
        info = checkins.describe(turn.session, intro, turn.person, turn.prompts)
        return Reply((presenters.current_match(turn.prompts, info),))
    user = turn.user
    found = accounts.contacts(
        turn.session, event.introduction, user.platform, user.workspace, [user.id]
    )
    return Reply((), view=replace(view, contacts=found.get(user.id, ())))


def suggest_times(turn: Turn, event: TimesRequested) -> Reply:
    times = introductions.suggest_times(
        turn.session, turn.prompts, turn.now, turn.user, turn.person, event.introduction
    )
    return Reply((times.message(),), view=times)


def time_chosen(turn: Turn, event: TimeChosen) -> Reply:
    text = introductions.choose_time(
        turn.session, turn.prompts, turn.now, turn.user, turn.person, event.introduction, event.at
    )
    return Reply((Message.text(text),))
