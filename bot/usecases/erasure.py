"""Erasure ("forget me"): a person's personal data and accounts go; aggregates stay correct
but anonymous."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, update
from sqlmodel import Session, col, select

from bot import accounts
from bot.db.models import (
    AuditLog,
    Exclusion,
    IntroductionChat,
    IntroductionMember,
    Membership,
    MembershipStatus,
    NextStep,
    Outbox,
    OutboxState,
    Person,
    ProgrammeRole,
    Rhythm,
    Tie,
    TieEvent,
)
from bot.usecases.common import audit, require_id


def forget(session: Session, now: datetime, person: Person) -> None:
    """Erase a person's personal data and accounts; aggregates stay correct but anonymous.

    Ties keep the organisations they joined (so report counts do not change) and point at an
    anonymous row; notes the person wrote are deleted; memberships become `left`.
    """
    person_id = require_id(person.id)
    held = accounts.accounts_of(session, person_id)
    accounts.delete_accounts(session, person_id)
    # Free text on their ties, whoever wrote it (a partner's note or tag may name them): the
    # words go, the dated fact stays. Copies of those words elsewhere are found by content.
    their_ties = select(Tie.id).where(
        or_(col(Tie.person_a_id) == person_id, col(Tie.person_b_id) == person_id)
    )
    written = or_(col(TieEvent.by_person_id) == person_id, col(TieEvent.tie_id).in_(their_ties))
    words = _free_text(session, written)
    session.execute(update(TieEvent).where(written).values(note=None, tags=None))
    session.execute(delete(ProgrammeRole).where(col(ProgrammeRole.person_id) == person_id))
    _forget_rhythm_and_steps(session, person_id)
    _forget_proposals(session, person_id)
    session.execute(
        delete(Exclusion).where(
            or_(col(Exclusion.person_a_id) == person_id, col(Exclusion.person_b_id) == person_id)
        )
    )
    session.execute(
        update(Membership)
        .where(col(Membership.person_id) == person_id)
        .where(col(Membership.status) != MembershipStatus.LEFT)
        .values(status=MembershipStatus.LEFT, left_at=now, paused_until=None)
    )
    _scrub_outbox(session, person, [(a.platform, a.user_id) for a in held])
    _scrub_audit(session, person, words, [a.user_id for a in held])
    _scrub_chat_ids(session, [a.user_id for a in held])
    # Keep the organisation on introductions (aggregate), nothing personal is stored there.
    person.name = None
    person.email = None
    person.external_id = None
    person.role = None
    person.timezone = "UTC"
    person.erased = True
    person.name_in_reports = False
    session.add(person)
    audit(session, now, "system", "forget", None, person=person_id)


def _forget_rhythm_and_steps(session: Session, person_id: int) -> None:
    """Their pace and days go; the words of any next step their groups agreed go too (a step
    may name them), while the dated fact that a step was agreed stays for the reports."""
    session.execute(delete(Rhythm).where(col(Rhythm.person_id) == person_id))
    their_groups = select(IntroductionMember.introduction_id).where(
        IntroductionMember.person_id == person_id
    )
    session.execute(
        update(NextStep).where(col(NextStep.introduction_id).in_(their_groups)).values(note=None)
    )
    from bot.usecases.circle_steps import forget_circle_step_words

    forget_circle_step_words(session, person_id)


def _forget_proposals(session: Session, person_id: int) -> None:
    """Circle topics they proposed that never opened (waiting or declined) are their words
    alone: they go. A topic a coordinator opened keeps going, without naming who proposed it."""
    from bot.db.circle_models import CircleTopic, CircleTopicOrganisation, CircleTopicStatus

    theirs = select(CircleTopic.id).where(
        col(CircleTopic.opened_by) == person_id,
        col(CircleTopic.status).in_(
            [CircleTopicStatus.PROPOSED.value, CircleTopicStatus.DECLINED.value]
        ),
    )
    ids = list(session.exec(theirs).all())
    if ids:
        session.execute(
            delete(CircleTopicOrganisation).where(col(CircleTopicOrganisation.topic_id).in_(ids))
        )
        session.execute(delete(CircleTopic).where(col(CircleTopic.id).in_(ids)))
    session.execute(
        update(CircleTopic).where(col(CircleTopic.opened_by) == person_id).values(opened_by=None)
    )


def _scrub_outbox(session: Session, person: Person, held: list[tuple[str, str]]) -> None:
    """Messages waiting for the person are dropped; any kept message naming them is blanked."""
    needles = [value for value in (person.name, person.email, person.external_id) if value]
    needles += [user_id for _, user_id in held]
    # Payloads are JSON: a name with accents is stored \u-escaped, so look for that form too.
    needles += [escaped for n in needles if (escaped := json.dumps(n)[1:-1]) != n]
    if not needles:
        return
    touching = or_(
        *(col(Outbox.payload).contains(needle, autoescape=True) for needle in needles),
        *(col(Outbox.recipients).contains(needle, autoescape=True) for needle in needles),
    )
    for row in session.exec(select(Outbox).where(touching)).all():
        recipients = json.loads(row.recipients)
        to_them = any(
            user_id in recipients for platform, user_id in held if platform == row.platform
        )
        mentions = any(needle in row.payload for needle in needles)
        waiting = row.state in {OutboxState.PENDING, OutboxState.SENDING}
        if to_them and waiting and len(recipients) == 1:
            session.delete(row)
        elif to_them or mentions:
            row.payload = json.dumps({"erased": True})
            row.recipients = json.dumps([r for r in recipients if (row.platform, r) not in held])
            if waiting:
                row.state = OutboxState.FAILED
            if waiting or row.last_error:
                row.last_error = "erased"
            session.add(row)


def _free_text(session: Session, written: ColumnElement[bool]) -> set[str]:
    """Every tag and note on the erased person's ties, before they are blanked."""
    found: set[str] = set()
    for note, tags in session.exec(select(TieEvent.note, TieEvent.tags).where(written)).all():
        if note:
            found.add(note)
        found.update(tag for tag in (tags or "").split(",") if tag)
    return found


def _scrub_audit(session: Session, person: Person, words: set[str], user_ids: list[str]) -> None:
    """Audit details keep what was done, never the words: their own entries lose any free
    text they copied (tags), and anyone's entry quoting their name, ids or the words on their
    ties loses that value. Counts, ids and the action stay."""
    personal = [v for v in (person.name, person.email, person.external_id, *user_ids) if v]
    needles = personal + sorted(words)
    needles += [escaped for n in needles if (escaped := json.dumps(n)[1:-1]) != n]
    own = col(AuditLog.actor) == f"person:{person.id}"
    quoting = [col(AuditLog.detail).contains(n, autoescape=True) for n in needles]
    query = select(AuditLog).where(col(AuditLog.detail).is_not(None), or_(own, *quoting))
    for row in session.exec(query).all():
        try:
            detail = json.loads(row.detail or "{}")
        except ValueError:
            detail = {"erased": True}
        if not isinstance(detail, dict):
            detail = {"erased": True}
        if row.actor == f"person:{person.id}":
            detail = {key: value for key, value in detail.items() if key not in FREE_TEXT}
        detail = {key: _without(value, needles) for key, value in detail.items()}
        row.detail = json.dumps(detail, sort_keys=True) if detail else None
        session.add(row)


def _scrub_chat_ids(session: Session, user_ids: list[str]) -> None:
    """A chat id made of its members' ids (the local platform's group chats) names them."""
    for user_id in user_ids:
        for table in (IntroductionChat, Outbox):
            naming = col(table.channel).contains(user_id, autoescape=True)
            session.execute(update(table).where(naming).values(channel=ERASED))


# Audit detail keys that hold words a person typed (the rest are ids, counts and choices).
FREE_TEXT = frozenset({"tags", "note", "name", "email", "text"})
ERASED = "erased"


def _without(value: object, needles: list[str]) -> object:
    """A detail value with every mention of the person taken out (a list loses the items)."""
    if isinstance(value, list):
        return [item for item in value if not _mentions(item, needles)]
    return ERASED if _mentions(value, needles) else value


def _mentions(value: object, needles: list[str]) -> bool:
    """Exactly one of the words, or holding a longer one (short tags match only whole)."""
    if not isinstance(value, str):
        return False
    folded = value.casefold()
    return any(
        n.casefold() == folded or (len(n) >= MIN_QUOTED and n.casefold() in folded) for n in needles
    )


MIN_QUOTED = 4  # a shorter word inside a value is too likely to be a coincidence
