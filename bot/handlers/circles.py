"""Problem circles in chat: the topics, signing up and stepping back, opening a topic and
forming it early (coordinators), the Join button and the circle's check-in buttons."""

from __future__ import annotations

from datetime import datetime

from bot import circle_commands as cc
from bot.circle_compose import topics_message
from bot.db.circle_models import CircleTopic
from bot.db.models import ProgrammeRoleKind
from bot.events import CircleCheckInAnswered, CircleJoinRequested
from bot.formatting import zone
from bot.handlers.turn import Turn
from bot.usecases import circle_forming, circles
from bot.usecases.common import UseCaseError, require_role, visible_programmes
from bot.views import Reply


def command(turn: Turn, command: cc.CircleCommand) -> Reply:
    session, person, say = turn.session, turn.person, turn.say
    programme = turn.programme(command.programme)
    match command:
        case cc.CirclesList():
            topics = circles.open_topics(session, programme, person)
            message = topics_message(
                turn.prompts, programme.name, topics, timezone=person.timezone, now=turn.now
            )
            return Reply((message,))
        case cc.CircleJoin(topic=words):
            topic = circles.find_topic(session, programme, words)
            return _joined(turn, topic.id or 0, circles.join(session, turn.now, person, topic))
        case cc.CircleLeave(topic=words):
            topic = circles.find_topic(session, programme, words)
            circles.leave(session, turn.now, person, topic)
            return Reply((say("circle_left", title=topic.title),))
        case cc.CircleOpen():
            forms_at = datetime.combine(command.on, command.at, zone(person.timezone))
            topic, invited = circles.open_topic(
                session,
                turn.now,
                turn.prompts,
                programme,
                person,
                title=command.title,
                description=command.description,
                organisations=command.organisations,
                forms_at=forms_at,
            )
            opened = say(
                "circle_opened",
                title=topic.title,
                count=invited,
                moment=topic.forms_at,
                timezone=person.timezone,
                now=turn.now,
            )
            return Reply((opened,), queued=invited > 0)
        case cc.CircleForm(topic=words):
            require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
            topic = circles.find_topic(session, programme, words)
            formed = circle_forming.form_topic(
                session, turn.now, turn.prompts, topic.id or 0, actor=turn.actor
            )
            done = say(
                "circle_formed",
                title=formed.topic,
                count=len(formed.circles),
                unplaced=list(formed.unplaced),
                already=formed.already,
            )
            return Reply((done,), queued=formed.queued > 0)
    raise UseCaseError("error_circle_usage")


def join_pressed(turn: Turn, event: CircleJoinRequested) -> Reply:
    programmes = visible_programmes(turn.session, turn.user)
    topic = circles.topic_by_id(turn.session, programmes, event.topic)
    return _joined(turn, topic.id or 0, circles.join(turn.session, turn.now, turn.person, topic))


def _joined(turn: Turn, topic_id: int, added: bool) -> Reply:
    topic = turn.session.get(CircleTopic, topic_id)
    assert topic is not None
    view = circles.topic_view(turn.session, topic, turn.person)
    joined = turn.say(
        "circle_joined",
        title=view.title,
        already=not added,
        count=view.signups,
        moment=view.forms_at,
        timezone=turn.person.timezone,
        now=turn.now,
    )
    return Reply((joined,))


def answer_checkin(turn: Turn, event: CircleCheckInAnswered) -> Reply:
    answers = circle_forming.record_circle_answer(
        turn.session, turn.now, turn.person, event.circle, event.answer
    )
    thanks = turn.say(
        "answer_recorded",
        answer=event.answer.value,
        answers=answers,
        told=[],
        followup_at=None,
        timezone=None,
        now=turn.now,
    )
    return Reply((thanks,))
