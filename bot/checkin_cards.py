"""The check-in loop's own cards: the note that tells a group's other members who answered,
and the buttons of an answered check-in (every answer kept, the group's choice marked)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot import actions
from bot.compose import checkin_buttons
from bot.db.models import Answer
from bot.events import Button, Card, Message
from bot.templates import Prompts


def next_round_buttons(
    prompts: Prompts, introduction_id: int, size: int, chosen: str | None = None
) -> tuple[Button, ...]:
    """Keep the group for the next round, or move on; the chosen one marked."""
    buttons = actions.next_round_buttons(
        introduction_id,
        prompts.render("button_keep_pair", size=size),
        prompts.render("button_move_on"),
    )
    return tuple(
        replace(b, label=prompts.render("answer_marked", label=b.label))
        if chosen is not None and actions.answer_of(b) == chosen
        else b
        for b in buttons
    )


def answered_buttons(
    prompts: Prompts,
    introduction_id: int,
    answer: Answer,
    *,
    size: int,
    next_round: str | None,
) -> tuple[tuple[Button, ...], tuple[Button, ...]]:
    """The answers (neutral, the group's marked) and, after "couldn't meet", the choices."""
    answers = checkin_buttons(prompts, introduction_id, answer)
    if answer != Answer.COULD_NOT_MEET:
        return answers, ()
    return answers, next_round_buttons(prompts, introduction_id, size, next_round)


def notice_message(
    prompts: Prompts,
    *,
    introduction_id: int,
    by: str,
    answer: Answer,
    partners: list[str],
    followup_at: datetime | None,
    now: datetime,
    timezone: str | None,
) -> Message:
    """ "Helen says you met — glad it worked.", with what the reader can still do: change
    the answer, or after "couldn't meet", keep the group or move on (at most three buttons)."""
    words = {
        "by": by,
        "answer": answer.value,
        "partners": partners,
        "followup_at": followup_at,
        "now": now,
        "timezone": timezone,
    }
    if answer == Answer.COULD_NOT_MEET:
        buttons = next_round_buttons(prompts, introduction_id, len(partners) + 1)
    else:
        buttons = checkin_buttons(prompts, introduction_id, answer)
    card = Card(
        title=prompts.render("answer_notice", **words),
        sections=(prompts.render("answer_notice_body", **words),),
        buttons=buttons,
    )
    return Message((card,))
