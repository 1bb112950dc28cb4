"""Problem circles: opening a topic, listing topics, signing up and stepping back.

Only a programme's coordinators open topics; members may propose one where the programme
allows it (the programme's `circle_proposals` setting), and it opens when a coordinator
approves it (bot.usecases.circle_proposals). Forming the circles at the topic's time, and
their check-ins, are in `circle_forming`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.circle_compose import TopicView, topic_card
from bot.db.circle_models import (
    Circle,
    CircleMember,
    CircleSignup,
    CircleStep,
    CircleTopic,
    CircleTopicOrganisation,
    CircleTopicStatus,
)
from bot.db.models import (
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    Programme,
    ProgrammeRoleKind,
)
from bot.events import Message
from bot.outbox import queue_to
from bot.templates import Prompts
from bot.usecases.common import UseCaseError, audit, require_id, require_role
from bot.usecases.people import programme_organisations, require_membership

MAX_TITLE = 120
MAX_DESCRIPTION = 600
PROPOSALS = (CircleTopicStatus.PROPOSED, CircleTopicStatus.DECLINED)


def open_topic(
    session: Session,
    now: datetime,
    prompts: Prompts,
    programme: Programme,
    opener: Person | None,
    *,
    title: str,
    description: str,
    organisations: Sequence[str],
    forms_at: datetime,
    cli: bool = False,
) -> tuple[CircleTopic, int]:
    """A new topic, and an invitation (its card) queued to every active member; returns the
    topic and how many invitations were queued. Everything is checked before anything is
    written, so a refusal changes nothing."""
    require_role(session, opener, programme, ProgrammeRoleKind.COORDINATOR, cli=cli)
    topic = add_topic(
        session,
        now,
        programme,
        opener,
        title=title,
        description=description,
        organisations=organisations,
        forms_at=forms_at,
        status=CircleTopicStatus.OPEN,
    )
    return topic, invite(session, now, prompts, programme, topic)


def add_topic(
    session: Session,
    now: datetime,
    programme: Programme,
    opener: Person | None,
    *,
    title: str,
    description: str,
    organisations: Sequence[str],
    forms_at: datetime,
    status: CircleTopicStatus,
) -> CircleTopic:
    """A topic, opened or proposed, after every check. A proposal waiting or declined with
    the same title gives way to it (a coordinator may open it with a new time, a member may
    propose it again)."""
    title, description = " ".join(title.split()), " ".join(description.split())
    if not title or not description:
        raise UseCaseError("error_circle_open_usage")
    if len(title) > MAX_TITLE or len(description) > MAX_DESCRIPTION:
        raise UseCaseError("error_too_long")
    if forms_at <= now:
        raise UseCaseError("error_date_in_past", date=forms_at.date())
    known = {o.name.casefold(): o for o in programme_organisations(session, programme)}
    chosen: dict[int, Organisation] = {}
    for name in organisations:
        found = known.get(" ".join(name.split()).casefold())
        if found is None:
            raise UseCaseError(
                "error_unknown_organisation",
                name=name,
                organisations=sorted(o.name for o in known.values()),
                programme=programme.name,
            )
        chosen[require_id(found.id)] = found
    if len(chosen) < 2:
        raise UseCaseError("error_circle_organisations")
    same = session.exec(
        select(CircleTopic).where(
            CircleTopic.programme_id == programme.id,
            func.lower(CircleTopic.title) == title.casefold(),
        )
    ).first()
    if same is not None:
        if same.status not in PROPOSALS:
            raise UseCaseError("error_circle_exists", title=title)
        drop_topic(session, require_id(same.id))
    topic = CircleTopic(
        programme_id=require_id(programme.id),
        title=title,
        description=description,
        opened_by=opener.id if opener is not None else None,
        status=status,
        forms_at=forms_at,
        created_at=now,
    )
    session.add(topic)
    session.flush()
    topic_id = require_id(topic.id)
    for organisation_id in chosen:
        session.add(CircleTopicOrganisation(topic_id=topic_id, organisation_id=organisation_id))
    audit(
        session,
        now,
        f"person:{opener.id}" if opener is not None else "cli",
        "circle_open" if status == CircleTopicStatus.OPEN else "circle_propose",
        programme.id,
        topic=topic_id,
    )
    session.flush()
    return topic


def drop_topic(session: Session, topic_id: int) -> None:
    """A proposal that never opened (no sign-ups, no circles), gone."""
    session.execute(
        delete(CircleTopicOrganisation).where(col(CircleTopicOrganisation.topic_id) == topic_id)
    )
    session.execute(delete(CircleTopic).where(col(CircleTopic.id) == topic_id))
    session.flush()


def require_open(topic: CircleTopic) -> None:
    """Sign-ups change only while a topic is open; each other state says why not."""
    if topic.status in PROPOSALS:
        raise UseCaseError("error_circle_not_open", title=topic.title, status=topic.status.value)
    if topic.status != CircleTopicStatus.OPEN:
        raise UseCaseError("error_circle_closed", title=topic.title)


def invite(
    session: Session, now: datetime, prompts: Prompts, programme: Programme, topic: CircleTopic
) -> int:
    """The topic's card to each active member, in their own chat (once per topic and person)."""
    view = topic_view(session, topic)
    members = session.exec(
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(
            Membership.programme_id == programme.id,
            Membership.status == MembershipStatus.ACTIVE,
            col(Person.erased).is_(False),
        )
        .order_by(col(Person.id))
    ).all()
    queued = 0
    for person in members:
        card = topic_card(prompts, view, timezone=person.timezone, now=now)
        queued += bool(
            queue_to(
                session,
                now,
                require_id(person.id),
                key=f"circle_invite:{topic.id}:{person.id}",
                kind="circle_invite",
                message=Message((card,)),
                programme_id=programme.id,
            )
        )
    return queued


def topic_view(session: Session, topic: CircleTopic, reader: Person | None = None) -> TopicView:
    programme = session.get(Programme, topic.programme_id)
    assert programme is not None
    organisations = session.exec(
        select(Organisation.name)
        .join(
            CircleTopicOrganisation,
            col(CircleTopicOrganisation.organisation_id) == col(Organisation.id),
        )
        .where(CircleTopicOrganisation.topic_id == topic.id)
        .order_by(col(Organisation.name))
    ).all()
    signups = session.exec(
        select(func.count()).select_from(CircleSignup).where(CircleSignup.topic_id == topic.id)
    ).one()
    mine = reader is not None and (
        session.get(CircleSignup, (require_id(topic.id), require_id(reader.id))) is not None
    )
    return TopicView(
        id=require_id(topic.id),
        programme=programme.name,
        title=topic.title,
        description=topic.description,
        organisations=tuple(organisations),
        signups=int(signups),
        forms_at=topic.forms_at,
        status=topic.status.value,
        signed_up=mine,
    )


def open_topics(session: Session, programme: Programme, reader: Person) -> list[TopicView]:
    """Topics taking sign-ups, soonest forming first."""
    topics = session.exec(
        select(CircleTopic)
        .where(
            CircleTopic.programme_id == programme.id,
            CircleTopic.status == CircleTopicStatus.OPEN,
        )
        .order_by(col(CircleTopic.forms_at), col(CircleTopic.id))
    ).all()
    return [topic_view(session, t, reader) for t in topics]


def find_topic(session: Session, programme: Programme, words: str) -> CircleTopic:
    """A topic by its title (any case; a unique beginning is enough) or its number."""
    topics = list(
        session.exec(
            select(CircleTopic)
            .where(CircleTopic.programme_id == programme.id)
            .order_by(col(CircleTopic.id))
        ).all()
    )
    wanted = " ".join(words.split()).casefold().lstrip("#")
    for topic in topics:
        if topic.title.casefold() == wanted or str(topic.id) == wanted:
            return topic
    starting = [t for t in topics if t.title.casefold().startswith(wanted)]
    if len(starting) == 1:
        return starting[0]
    titles = [t.title for t in topics if t.status == CircleTopicStatus.OPEN]
    raise UseCaseError("error_circle_unknown", title=words, titles=titles)


def topic_by_id(session: Session, programmes: Sequence[Programme], topic_id: int) -> CircleTopic:
    """A topic named on a button: only one of the programmes the person can see."""
    topic = session.get(CircleTopic, topic_id)
    if topic is None or topic.programme_id not in {p.id for p in programmes}:
        raise UseCaseError("error_bad_action")
    return topic


def join(session: Session, now: datetime, person: Person, topic: CircleTopic) -> bool:
    """Sign up for a topic; False if already signed up. Members of the programme only, with
    an organisation (the circles mix organisations), while the topic is open."""
    programme = session.get(Programme, topic.programme_id)
    assert programme is not None
    require_membership(session, person, programme)
    require_open(topic)
    if person.organisation_id is None:
        names = [o.name for o in programme_organisations(session, programme)]
        raise UseCaseError("error_join_needs_organisation", organisations=names)
    key = (require_id(topic.id), require_id(person.id))
    if session.get(CircleSignup, key) is not None:
        return False
    session.add(CircleSignup(topic_id=key[0], person_id=key[1], signed_up_at=now))
    audit(session, now, f"person:{person.id}", "circle_join", programme.id, topic=key[0])
    return True


def leave(session: Session, now: datetime, person: Person, topic: CircleTopic) -> None:
    require_open(topic)
    key = (require_id(topic.id), require_id(person.id))
    if session.get(CircleSignup, key) is None:
        raise UseCaseError("error_circle_not_signed_up", title=topic.title)
    session.execute(
        delete(CircleSignup).where(
            col(CircleSignup.topic_id) == key[0], col(CircleSignup.person_id) == key[1]
        )
    )
    audit(session, now, f"person:{person.id}", "circle_leave", topic.programme_id, topic=key[0])


def delete_for_programme(session: Session, programme_id: int) -> None:
    """Remove a programme's topics, sign-ups and circles (when the programme is deleted)."""
    session.execute(delete(CircleStep).where(col(CircleStep.programme_id) == programme_id))
    topics = select(CircleTopic.id).where(CircleTopic.programme_id == programme_id)
    for table in (CircleMember, Circle, CircleSignup, CircleTopicOrganisation):
        session.execute(delete(table).where(col(table.topic_id).in_(topics)))
    session.execute(delete(CircleTopic).where(col(CircleTopic.programme_id) == programme_id))
