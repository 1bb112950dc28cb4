"""Groups that couldn't meet and chose to be kept for the next round.

Matching is a pure function over everyone; a kept group is taken out of it and placed as it
was, when every one of its members takes part in the round and what is left can still be
matched (never a lone person left over)."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from bot.actions import KEEP
from bot.db.models import Answer, Introduction, IntroductionMember, Round


def kept_groups(session: Session, programme_id: int, eligible: set[int]) -> list[tuple[int, ...]]:
    """The last round's groups to place together again, in introduction order."""
    latest = session.exec(
        select(Round.id)
        .where(Round.programme_id == programme_id)
        .order_by(col(Round.number).desc())
    ).first()
    if latest is None:
        return []
    rows = session.exec(
        select(IntroductionMember.introduction_id, IntroductionMember.person_id)
        .join(Introduction, col(Introduction.id) == col(IntroductionMember.introduction_id))
        .where(
            Introduction.round_id == latest,
            Introduction.outcome == Answer.COULD_NOT_MEET,
            Introduction.next_round == KEEP,
        )
        .order_by(col(IntroductionMember.introduction_id), col(IntroductionMember.person_id))
    ).all()
    groups: dict[int, list[int]] = defaultdict(list)
    for introduction_id, person_id in rows:
        groups[introduction_id].append(person_id)
    kept = [tuple(m) for m in groups.values() if len(m) > 1 and set(m) <= eligible]
    placed = sum(len(g) for g in kept)
    while kept and len(eligible) - placed == 1:  # keep nobody alone: release the last group
        placed -= len(kept.pop())
    return kept
