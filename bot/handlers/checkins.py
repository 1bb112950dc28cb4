"""Check-in answers and the choice after "couldn't meet": recorded for the whole group, with
what a platform needs to redraw the card the button was on."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time

from sqlmodel import Session, col, select

from bot import accounts
from bot import commands as c
from bot.checkin_cards import answered_buttons
from bot.db.models import Answer, Introduction, Outbox, OutboxState, Programme
from bot.events import Card, CheckInAnswered, Message, NextRoundChosen
from bot.formatting import zone
from bot.handlers.turn import Turn
from bot.ids import IntroductionId
from bot.outbox import last_card
from bot.usecases import checkins
from bot.usecases.checkin_queue import KINDS, NOTICE_KINDS, ask_message
from bot.usecases.circle_forming import CIRCLE_CHECKIN
from bot.usecases.common import audit, display_name
from bot.usecases.due_queue import queue_due
from bot.usecases.introductions import current_view
from bot.usecases.next_steps import STEP_CHECK
from bot.views import AnsweredCheckIn, IntroductionView, Reply


def answer(turn: Turn, event: CheckInAnswered) -> Reply:
    answered = checkins.record_answer(
        turn.session, turn.now, turn.person, event.introduction, event.answer, turn.prompts
    )
    thanks = thanks_for(turn, answered)
    view = answered_view(turn, event.introduction, thanks, event.message_id)
    return Reply((thanks,), view=view, queued=bool(answered.told))


def choose(turn: Turn, event: NextRoundChosen) -> Reply:
    chosen = checkins.choose_next_round(
        turn.session, turn.now, turn.person, event.introduction, event.keep
    )
    partners = [name for name, _ in chosen.answers if name != _name(turn)]
    noted = turn.say("answer_next_round", next_round=chosen.next_round, partners=partners)
    return Reply((noted,), view=answered_view(turn, event.introduction, noted, event.message_id))


def send_early(turn: Turn, programme: Programme, command: c.CheckinsSend) -> Reply:
    """A coordinator's `checkins send [at TIME]`: queue now whatever would be due by then
    (the delivery worker sends it), as `crossties checkins send --at` does."""
    where = zone(turn.person.timezone)
    if isinstance(command.at, datetime):
        at = command.at if command.at.tzinfo else command.at.replace(tzinfo=where)
    elif isinstance(command.at, time):
        at = datetime.combine(turn.now.astimezone(where).date(), command.at, tzinfo=where)
    else:
        at = turn.now
    at = max(at.astimezone(UTC), turn.now)
    queued = queue_due(turn.session, turn.now, turn.prompts, due_by=at, programme_id=programme.id)
    audit(turn.session, turn.now, turn.actor, "checkins_send", programme.id, due_by=at.isoformat())
    said = turn.say(
        "checkin_sent_early",
        programme=programme.name,
        checkins=queued["checkin"],
        nudges=queued["nudge"],
        followups=queued["followup"],
        circle_checkins=queued[CIRCLE_CHECKIN],
        step_checks=queued[STEP_CHECK],
        due_by=at,
        timezone=turn.person.timezone,
        now=turn.now,
    )
    return Reply((said,), queued=sum(queued.values()) > 0)


def thanks_for(turn: Turn, result: checkins.AnswerResult) -> Message:
    return turn.say(
        "answer_recorded",
        answer=result.answer.value,
        told=list(result.told),
        followup_at=result.followup_at,
        timezone=turn.person.timezone,
        now=turn.now,
    )


def answered_view(
    turn: Turn, introduction: IntroductionId, said: Message, message_id: str | None
) -> AnsweredCheckIn:
    """The group's answer, worded for the reader and for a message the group shares, with
    the buttons that keep every answer open and mark the group's."""
    session, user, prompts = turn.session, turn.user, turn.prompts
    group = checkins.group_answer(session, introduction, turn.person.id)
    answer = group.answer or Answer.NOT_YET
    words = {
        "answer": answer.value,
        "followup_at": group.followup_at,
        "next_round": group.next_round,
        "timezone": turn.person.timezone,
        "now": turn.now,
    }
    buttons, choices = answered_buttons(
        prompts, introduction, answer, size=group.size, next_round=group.next_round
    )
    contacts = accounts.contacts(session, introduction, user.platform, user.workspace, [user.id])
    card, view = pressed(turn, introduction, message_id, answer)
    return AnsweredCheckIn(
        introduction=introduction,
        answer=answer,
        text=said.plain(),
        status=prompts.render("checkin_status", by=group.by_name or _name(turn), **words),
        card=card,
        contacts=contacts.get(user.id, ()),
        own_status=prompts.render("answer_status", by=group.by, **words),
        buttons=buttons,
        choices=choices,
        introduction_view=replace(view, contacts=contacts.get(user.id, ())) if view else None,
    )


def pressed(
    turn: Turn, introduction: IntroductionId, message_id: str | None, answer: Answer
) -> tuple[Card | None, IntroductionView | None]:
    """The message the button was on: a check-in (or nudge, follow-up, note) is drawn afresh
    for the reader as a card; anything else is the introduction, as its view with the answer
    marked (and its stored card, for introductions queued before the view existed)."""
    session, user = turn.session, turn.user
    row = _sent_row(session, introduction, user.platform, user.workspace, message_id)
    if row is not None and row.kind in KINDS + NOTICE_KINDS:
        kind = row.kind if row.kind in KINDS else "checkin"
        built = ask_message(
            session, turn.now, turn.prompts, introduction, turn.person.id or 0, kind, answer
        )
        if built is not None:
            return _card_of(built[1]), None
    card = introduction_card(session, introduction, user.platform, user.workspace)
    intro = session.get(Introduction, introduction)
    if intro is None:
        return card, None
    view = current_view(session, turn.prompts, turn.now, user, turn.person, intro, answer)
    return card, view


def introduction_card(
    session: Session, introduction: IntroductionId, platform: str, workspace: str
) -> Card | None:
    """The introduction as sent on the person's platform and workspace: the neutral card of
    its view (or the card stored before views), for platforms without a drawing of their own."""
    return last_card(session, introduction, platform, workspace, kinds=("introduction",))


def _sent_row(
    session: Session, introduction: int, platform: str, workspace: str, message_id: str | None
) -> Outbox | None:
    if not message_id:
        return None
    return session.exec(
        select(Outbox)
        .where(
            Outbox.introduction_id == introduction,
            Outbox.platform == platform,
            Outbox.workspace == workspace,
            Outbox.message_id == message_id,
            col(Outbox.state) != OutboxState.CANCELLED,
        )
        .order_by(col(Outbox.id).desc())
    ).first()


def _card_of(message: Message) -> Card | None:
    return next((p for p in message.parts if isinstance(p, Card)), None)


def _name(turn: Turn) -> str:
    return display_name(turn.person)
