"""Ties: one per pair of people, moving introduced → met → collaborating, with dated events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from bot import accounts
from bot.commands import Mention, MentionOf, clean_text
from bot.db.models import (
    STAGE_ORDER,
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    Programme,
    Tie,
    TieEvent,
    TieStage,
)
from bot.events import UserRef
from bot.usecases.common import UseCaseError, audit, display_name, require_id


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def get_tie(session: Session, a: int, b: int) -> Tie | None:
    low, high = pair_key(a, b)
    return session.exec(select(Tie).where(Tie.person_a_id == low, Tie.person_b_id == high)).first()


def ensure_tie(
    session: Session,
    now: datetime,
    programme_id: int,
    a: Person,
    b: Person,
    organisation_a: int | None = None,
    organisation_b: int | None = None,
) -> Tie:
    """The pair's tie, created at stage `introduced` with the organisations of the moment."""
    pa, pb = (a, b) if require_id(a.id) < require_id(b.id) else (b, a)
    tie = get_tie(session, require_id(pa.id), require_id(pb.id))
    if tie is not None:
        return tie
    orgs = {a.id: organisation_a or a.organisation_id, b.id: organisation_b or b.organisation_id}
    tie = Tie(
        programme_id=programme_id,
        person_a_id=require_id(pa.id),
        person_b_id=require_id(pb.id),
        organisation_a_id=orgs[pa.id],
        organisation_b_id=orgs[pb.id],
        stage=TieStage.INTRODUCED,
        created_at=now,
    )
    session.add(tie)
    session.flush()
    return tie


def advance(session: Session, now: datetime, tie: Tie, stage: TieStage) -> bool:
    """Move a tie forward (never back); True if its stage changed."""
    if STAGE_ORDER[TieStage(tie.stage)] >= STAGE_ORDER[stage]:
        return False
    if STAGE_ORDER[stage] >= STAGE_ORDER[TieStage.MET] and tie.met_at is None:
        tie.met_at = now
    if stage == TieStage.COLLABORATING:
        tie.collaborating_at = now
    tie.stage = stage
    session.add(tie)
    return True


def add_event(
    session: Session,
    now: datetime,
    tie: Tie,
    kind: str,
    *,
    by: Person | None = None,
    introduction_id: int | None = None,
    note: str | None = None,
    tags: tuple[str, ...] = (),
) -> None:
    session.add(
        TieEvent(
            tie_id=require_id(tie.id),
            kind=kind,
            at=now,
            by_person_id=by.id if by else None,
            introduction_id=introduction_id,
            note=note,
            tags=",".join(tags) or None,
        )
    )


def resolve_mention(
    session: Session,
    sender: UserRef | None,
    mention: Mention,
    programme: Programme | None,
) -> Person:
    """A mention names someone in the sender's workspace or programme; never anyone else."""
    if isinstance(mention, MentionOf):
        target = mention.user
        same_place = sender is not None and (target.platform, target.workspace) == (
            sender.platform,
            sender.workspace,
        )
        person = accounts.person_for(session, target) if same_place else None
        if person is None or person.erased:
            raise UseCaseError("error_unknown_person", name=target.id)
        return person
    wanted = mention.text.strip().casefold()
    query = select(Person).where(col(Person.erased).is_(False))
    if programme is not None:
        query = query.join(Membership, col(Membership.person_id) == col(Person.id)).where(
            Membership.programme_id == programme.id, Membership.status != MembershipStatus.LEFT
        )
    people = session.exec(query).all()
    for attribute in ("external_id", "email"):
        exact = [p for p in people if (getattr(p, attribute) or "").casefold() == wanted]
        if len(exact) == 1:
            return exact[0]
    named = [p for p in people if (p.name or "").casefold() == wanted]
    if not named:
        named = [p for p in people if (p.name or "").casefold().split(" ")[:1] == [wanted]]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise UseCaseError("error_ambiguous_person", name=mention.text)
    raise UseCaseError("error_unknown_person", name=mention.text)


def log_collaboration(
    session: Session,
    now: datetime,
    person: Person,
    other: Person,
    programme: Programme,
    note: str,
    tags: tuple[str, ...],
) -> Tie:
    if person.id == other.id:
        raise UseCaseError("error_log_self")
    note = clean_text(note)
    if not note:
        raise UseCaseError("error_log_usage")
    tie = get_tie(session, require_id(person.id), require_id(other.id))
    if tie is None:
        tie = ensure_tie(session, now, require_id(programme.id), person, other)
        add_event(session, now, tie, "logged_without_introduction", by=person)
    advance(session, now, tie, TieStage.COLLABORATING)
    add_event(session, now, tie, "collaborated", by=person, note=note, tags=tags)
    audit(session, now, f"person:{person.id}", "log", programme.id, tags=list(tags))
    return tie


@dataclass(frozen=True)
class TieView:
    name: str
    organisation: str | None
    stage: str
    since: datetime
    collaborations: int


def _stage_reached(tie: Tie, first_collaboration: datetime | None) -> datetime:
    """When the tie reached the stage it is at: "collaborating since" the first logged
    collaboration, "met on" the day they met, "introduced on" the introduction."""
    if tie.stage == TieStage.COLLABORATING:
        return tie.collaborating_at or first_collaboration or tie.met_at or tie.created_at
    if tie.stage == TieStage.MET:
        return tie.met_at or tie.created_at
    return tie.created_at


def my_ties(session: Session, person: Person) -> list[TieView]:
    """A person's own ties; nobody else's."""
    pid = require_id(person.id)
    ties = session.exec(
        select(Tie)
        .where(or_(col(Tie.person_a_id) == pid, col(Tie.person_b_id) == pid))
        .order_by(col(Tie.created_at))
    ).all()
    views = []
    for tie in ties:
        other_id = tie.person_b_id if tie.person_a_id == pid else tie.person_a_id
        other = session.get(Person, other_id)
        assert other is not None
        org_id = tie.organisation_b_id if tie.person_a_id == pid else tie.organisation_a_id
        organisation = session.get(Organisation, org_id) if org_id else None
        collaborated = session.exec(
            select(TieEvent.at)
            .where(TieEvent.tie_id == tie.id, TieEvent.kind == "collaborated")
            .order_by(col(TieEvent.at))
        ).all()
        count = len(collaborated)
        views.append(
            TieView(
                display_name(other),
                organisation.name if organisation else None,
                tie.stage,
                _stage_reached(tie, collaborated[0] if collaborated else None),
                count,
            )
        )
    return views
