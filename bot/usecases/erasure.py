"""Erasure ("forget me"): a person's personal data and accounts go; aggregates stay correct
but anonymous."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from bot import accounts
from bot.db.models import (
    Exclusion,
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
    session.execute(
        update(TieEvent).where(col(TieEvent.by_person_id) == person_id).values(note=None, tags=None)
    )
    # A partner's note on a tie with them may name them: the words go, the dated fact stays.
    their_ties = select(Tie.id).where(
        or_(col(Tie.person_a_id) == person_id, col(Tie.person_b_id) == person_id)
    )
    session.execute(update(TieEvent).where(col(TieEvent.tie_id).in_(their_ties)).values(note=None))
    session.execute(delete(ProgrammeRole).where(col(ProgrammeRole.person_id) == person_id))
    _forget_rhythm_and_steps(session, person_id)
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
