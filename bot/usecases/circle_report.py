"""Problem circles in the lead report: per topic, its circles and the organisations they
spanned. Counts of people below the report's minimum are withheld (None), as elsewhere in
the report; the operator's `report --json` gives them exactly (`min_count=0`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, col, select

from bot.db.circle_models import (
    Circle,
    CircleMember,
    CircleSignup,
    CircleTopic,
    CircleTopicStatus,
)
from bot.db.models import Organisation, Programme
from bot.events import Message
from bot.templates import Prompts


@dataclass(frozen=True)
class TopicSummary:
    title: str
    status: str
    signed_up: int | None  # None: fewer than the minimum, withheld
    circles: int
    people: int | None  # in circles; None: withheld
    organisations: tuple[str, ...]  # the organisations the circles spanned


def topic_summaries(session: Session, programme: Programme, min_count: int) -> list[TopicSummary]:
    topics = session.exec(
        select(CircleTopic)
        .where(
            CircleTopic.programme_id == programme.id,
            # proposals are not circles (yet, or ever): the coordinators' business alone
            col(CircleTopic.status).not_in(
                [CircleTopicStatus.PROPOSED.value, CircleTopicStatus.DECLINED.value]
            ),
        )
        .order_by(col(CircleTopic.forms_at), col(CircleTopic.id))
    ).all()
    names = {o.id: o.name for o in session.exec(select(Organisation)).all()}
    members: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for topic_id, circle_id, organisation_id in session.exec(
        select(CircleMember.topic_id, CircleMember.circle_id, CircleMember.organisation_id).join(
            Circle, col(Circle.id) == col(CircleMember.circle_id)
        )
    ).all():
        members[topic_id].append((circle_id, organisation_id))
    signups: dict[int, int] = defaultdict(int)
    for topic_id in session.exec(select(CircleSignup.topic_id)).all():
        signups[topic_id] += 1

    def shown(n: int) -> int | None:
        return n if n >= min_count else None

    out = []
    for topic in topics:
        seated = members.get(topic.id or 0, [])
        spanned = sorted({names[o] for _, o in seated if o in names})
        out.append(
            TopicSummary(
                title=topic.title,
                status=topic.status.value,
                signed_up=shown(signups.get(topic.id or 0, 0)),
                circles=len({c for c, _ in seated}),
                people=shown(len(seated)),
                organisations=tuple(spanned),
            )
        )
    return out


def circles_json(session: Session, programme: Programme) -> list[dict[str, Any]]:
    """Exact figures, for the operator's `report --json`."""
    return [
        asdict(t) | {"organisations": list(t.organisations)}
        for t in topic_summaries(session, programme, 0)
    ]


def circles_message(
    session: Session, programme: Programme, prompts: Prompts, min_count: int
) -> Message | None:
    """The circles part of the chat report; None when the programme has no topics."""
    topics = topic_summaries(session, programme, min_count)
    if not topics:
        return None
    text = prompts.render("report_circles", topics=topics, min_count=min_count)
    return Message.text(text)
