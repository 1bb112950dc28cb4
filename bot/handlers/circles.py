"""Problem circles in chat: the topics, signing up and stepping back, opening a topic and
forming it early (coordinators), members' proposals and their approval, the Join button,
Approve / Decline, and the circle's check-in buttons."""

from __future__ import annotations

from datetime import datetime

from bot import circle_commands as cc
from bot.circle_compose import TopicView, topics_message
from bot.db.circle_models import CircleTopic
from bot.db.models import Person, Programme, ProgrammeRoleKind
from bot.events import CircleCheckInAnswered, CircleJoinRequested, CircleProposalDecided
from bot.formatting import zone
from bot.handlers.turn import Turn
from bot.usecases import circle_forming, circle_proposals, circles
from bot.usecases.common import (
    UseCaseError,
    display_name,
    has_role,
    require_role,
    visible_programmes,
)
from bot.views import Reply


def command(turn: Turn, command: cc.CircleCommand) -> Reply:
    session, person, say = turn.session, turn.person, turn.say
    programme = turn.programme(command.programme)
    match command:
        case cc.CirclesList():
            topics = circles.open_topics(session, programme, person)
            message = topics_message(
                turn.prompts,
                programme.name,
                topics,
                timezone=person.timezone,
                now=turn.now,
                proposals=_waiting(turn, programme),
            )
            return Reply((message,))
        case cc.CirclePropose():
            return _propose(turn, command)
        case cc.CircleDecide(topic=words, approve=approve):
            require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
            topic = circles.find_topic(session, programme, words)
            return _decide(turn, topic.id or 0, approve)
        case cc.CircleProposals(allowed=allowed):
            require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
            changed = None
            if allowed is not None:
                changed = circle_proposals.set_allowed(
                    session, turn.now, programme, person, allowed
                )
            said = say(
                "circle_proposals_set",
                programme=programme.name,
                allowed=programme.circle_proposals,
                changed=changed,
            )
            return Reply((said,))
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


def _waiting(turn: Turn, programme: Programme) -> list[tuple[TopicView, str]]:
    """The proposals waiting, for a coordinator (nobody else sees them)."""
    if not has_role(turn.session, turn.person, programme, ProgrammeRoleKind.COORDINATOR):
        return []
    found = []
    for topic in circle_proposals.pending(turn.session, programme):
        proposer = turn.session.get(Person, topic.opened_by) if topic.opened_by else None
        who = display_name(proposer) if proposer is not None else ""
        found.append((circles.topic_view(turn.session, topic), who))
    return found


def _propose(turn: Turn, command: cc.CirclePropose) -> Reply:
    programme = turn.programme(command.programme)
    proposed = circle_proposals.propose(
        turn.session,
        turn.now,
        turn.prompts,
        programme,
        turn.person,
        title=command.title,
        description=command.description,
        organisations=command.organisations,
        forms_at=datetime.combine(command.on, command.at, zone(turn.person.timezone)),
    )
    topic = proposed.topic
    if proposed.opened:  # a coordinator's own proposal needs nobody's approval
        said = turn.say(
            "circle_opened",
            title=topic.title,
            count=proposed.queued,
            moment=topic.forms_at,
            timezone=turn.person.timezone,
            now=turn.now,
        )
    else:
        said = turn.say(
            "circle_proposed", title=topic.title, programme=programme.name, count=proposed.queued
        )
    return Reply((said,), queued=proposed.queued > 0)


def _decide(turn: Turn, topic_id: int, approve: bool) -> Reply:
    decided = circle_proposals.decide(
        turn.session, turn.now, turn.prompts, turn.person, topic_id, approve
    )
    topic = turn.session.get(CircleTopic, topic_id)
    assert topic is not None
    if approve:
        said = turn.say(
            "circle_approved",
            title=decided.title,
            count=decided.invited,
            proposer=decided.proposer,
            moment=topic.forms_at,
            timezone=turn.person.timezone,
            now=turn.now,
        )
    else:
        said = turn.say("circle_declined", title=decided.title, proposer=decided.proposer)
    return Reply((said,), queued=decided.invited > 0 or decided.proposer is not None)


def decide_pressed(turn: Turn, event: CircleProposalDecided) -> Reply:
    """Approve or Decline on a proposal's card: only a topic of a programme this person can
    see; the use case checks they coordinate it before anything else."""
    programmes = visible_programmes(turn.session, turn.user)
    topic = circles.topic_by_id(turn.session, programmes, event.topic)
    return _decide(turn, topic.id or 0, event.approve)


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
