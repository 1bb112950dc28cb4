"""The core's typed views as neutral messages, for the terminal chat: every kind of view the
core answers with is drawn here (mypy checks the match is complete), so a click that redraws
rather than posts (another question, an answer changed) still shows something."""

from __future__ import annotations

from typing import assert_never

from bot.events import Card, Message
from bot.templates import Prompts
from bot.views import (
    AnsweredCheckIn,
    HomeView,
    IntroductionView,
    ProgrammeFormView,
    ProgrammeSaved,
    SuggestedTimes,
    View,
)
from bot.views import introduction_card as neutral_introduction


def view_messages(view: View | None, prompts: Prompts) -> tuple[Message, ...]:
    """What to draw for a reply's view, besides the reply's own messages (which already carry
    the suggested times, the saved note and the form's "set it up elsewhere")."""
    match view:
        case None | SuggestedTimes() | ProgrammeSaved() | ProgrammeFormView():
            return ()
        case IntroductionView():
            return (Message((neutral_introduction(view, view.shared_reader()),)),)
        case AnsweredCheckIn():
            return (_answered(view),)
        case HomeView():
            return (_home(view, prompts),)
        case _:
            assert_never(view)


def _answered(view: AnsweredCheckIn) -> Message:
    """The group's answer in words, with every answer kept to change it (the group's marked),
    the keep-or-move-on choices and the next-step offer."""
    buttons = (*view.buttons, *view.choices)
    if view.next_step is not None:
        buttons = (*buttons, view.next_step)
    title = view.card.title if view.card is not None else ""
    return Message((Card(title, (view.own_status or view.status,), buttons=buttons),))


def _home(view: HomeView, prompts: Prompts) -> Message:
    """Home as lines: the current introduction and its check-in, then each programme."""
    lines: list[str] = []
    current = view.current
    if current is not None:
        lines.append(
            prompts.render("match_title", round=current.round_number, programme=current.programme)
        )
        for name, organisation, role in current.partners:
            line = prompts.render("intro_person", role=role, organisation=organisation)
            lines.append(f"{name}: {line}")
        lines.append(prompts.render("match_answer", answer=current.my_answer))
        due, now = view.checkin_at, view.as_of
        if due is not None and now is not None and due > now and current.my_answer is None:
            lines.append(
                prompts.render("home_checkin", checkin_at=due, timezone=view.timezone, now=now)
            )
    else:
        lines.append(prompts.render("no_match"))
    for programme in view.programmes:
        lines.append(
            prompts.render(
                "home_status",
                programme=programme.name,
                status=programme.status,
                until=programme.paused_until,
                next_round_at=programme.next_round_at,
                timezone=view.timezone,
                now=view.as_of,
            )
        )
    return Message((Card(prompts.render("home_title", name=view.name), tuple(lines)),))
