"""A round's plan: who meets whom, worked out without storing anything (the preview, and
the first half of running a round)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot import accounts
from bot.accounts import Address
from bot.db.models import (
    Exclusion,
    Introduction,
    IntroductionMember,
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    Programme,
    ProgrammeOrganisation,
    Round,
    Tie,
    TieStage,
)
from bot.matching import MatchRequest, MatchResult, Participant, PastPair, match
from bot.usecases import pressure
from bot.usecases.bulk import collector_paused
from bot.usecases.common import require_id
from bot.usecases.kept_groups import kept_groups
from bot.usecases.round_writes import Member


@dataclass(frozen=True)
class PlannedGroup:
    members: tuple[int, ...]  # person ids
    names: tuple[str, ...]
    organisations: tuple[str, ...]

    @property
    def cross_organisation(self) -> bool:
        return len(set(self.organisations)) == len(self.organisations)


@dataclass(frozen=True)
class RoundPlan:
    programme: str
    number: int
    seed: int
    groups: tuple[PlannedGroup, ...]
    unplaced: tuple[str, ...]
    skipped_unreachable: int
    paused: int
    result: MatchResult | None = None

    @property
    def people(self) -> int:
        return sum(len(g.members) for g in self.groups)

    @property
    def cross_organisation_groups(self) -> int:
        return sum(1 for g in self.groups if g.cross_organisation)


def default_seed(programme_id: int, number: int) -> int:
    digest = hashlib.sha256(f"crossties:{programme_id}:{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF  # fits a database integer


def _history(session: Session, programme_id: int) -> list[PastPair]:
    rows = session.exec(
        select(
            Round.number,
            IntroductionMember.introduction_id,
            IntroductionMember.person_id,
            IntroductionMember.organisation_id,
        )
        .join(Introduction, col(Introduction.id) == col(IntroductionMember.introduction_id))
        .join(Round, col(Round.id) == col(Introduction.round_id))
        .where(Introduction.programme_id == programme_id)
        .order_by(col(IntroductionMember.introduction_id), col(IntroductionMember.person_id))
    ).all()
    groups: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
    for number, intro_id, person_id, org_id in rows:
        groups[intro_id].append((number, person_id, org_id))
    # Ties that happened (met or further) link organisations; the rest count only as repeats.
    happened = {
        (a, b)
        for a, b in session.exec(
            select(Tie.person_a_id, Tie.person_b_id).where(
                Tie.programme_id == programme_id, Tie.stage != TieStage.INTRODUCED
            )
        ).all()
    }
    pairs: list[PastPair] = []
    for members in groups.values():
        for i, (number, a, org_a) in enumerate(members):
            for _, b, org_b in members[i + 1 :]:
                pairs.append(
                    PastPair(
                        number,
                        str(a),
                        str(b),
                        str(org_a) if org_a else None,
                        str(org_b) if org_b else None,
                        met=(min(a, b), max(a, b)) in happened,
                    )
                )
    return pairs


@dataclass(frozen=True)
class _Planned:
    plan: RoundPlan
    people: dict[int, Member]
    addresses: dict[int, Address]
    organisations: dict[int | None, str]


def plan_round(
    session: Session,
    now: datetime,
    programme: Programme,
    *,
    seed: int | None = None,
) -> RoundPlan:
    """Everything a round would do, without storing anything (coordinators' preview)."""
    with collector_paused():
        return _plan(session, now, programme, seed=seed).plan


def _plan(session: Session, now: datetime, programme: Programme, *, seed: int | None) -> _Planned:
    programme_id = require_id(programme.id)
    number = 1 + max(
        session.exec(select(Round.number).where(Round.programme_id == programme_id)).all(),
        default=0,
    )
    seed = default_seed(programme_id, number) if seed is None else seed % 2**31
    today = now.date()
    allowed = set(
        session.exec(
            select(ProgrammeOrganisation.organisation_id).where(
                ProgrammeOrganisation.programme_id == programme_id
            )
        ).all()
    )
    memberships = session.execute(
        sa_select(
            col(Person.id),
            col(Person.name),
            col(Person.external_id),
            col(Person.erased),
            col(Person.organisation_id),
            col(Person.role),
            col(Person.timezone),
            col(Person.email),
            col(Person.share_email),
            col(Membership.status),
            col(Membership.paused_until),
        )
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(col(Membership.programme_id) == programme_id)
    ).all()
    candidates: dict[int, Member] = {}
    timezones: dict[int, str] = {}
    paused = 0
    for (
        person_id,
        name,
        external_id,
        erased,
        organisation_id,
        role,
        timezone,
        email,
        share_email,
        status,
        paused_until,
    ) in memberships:
        if erased or status == MembershipStatus.LEFT:
            continue
        if status == MembershipStatus.PAUSED and not (
            paused_until is not None and paused_until <= today
        ):
            paused += 1
            continue
        if organisation_id not in allowed:
            continue
        person_id = require_id(person_id)
        candidates[person_id] = Member(
            person_id,
            name or external_id or f"member {person_id}",  # as common.display_name
            organisation_id,
            role,
            email if share_email else None,
            timezone,
        )
        timezones[person_id] = timezone
    resting = pressure.held_back(
        session, programme_id, number, today, {p: m.organisation_id for p, m in candidates.items()}
    )
    candidates = {p: m for p, m in candidates.items() if p not in resting}
    paused += len(resting)
    days = pressure.preferred_days_of(session, candidates)
    addresses = accounts.member_addresses(session, programme_id)
    eligible = sorted(p for p in candidates if p in addresses)
    kept = kept_groups(session, programme_id, set(eligible))  # placed as they were
    kept_people = {p for group in kept for p in group}
    organisations: dict[int | None, str] = {
        o.id: o.name for o in session.exec(select(Organisation)).all()
    }
    exclusions = [
        frozenset((str(e.person_a_id), str(e.person_b_id)))
        for e in session.exec(select(Exclusion).where(Exclusion.programme_id == programme_id)).all()
    ]
    request = MatchRequest(
        participants=[
            Participant(
                str(p),
                str(candidates[p].organisation_id),
                candidates[p].role,
                timezones[p],
                frozenset(days.get(p, ())),
            )
            for p in eligible
            if p not in kept_people
        ],
        history=_history(session, programme_id),
        exclusions=exclusions,
        group_size=programme.group_size,
        seed=seed,
    )
    result = match(request)
    groups = []
    placed: list[tuple[int | str, ...]] = [*kept, *result.groups]
    for ids in placed:
        members = [candidates[int(i)] for i in ids]
        groups.append(
            PlannedGroup(
                members=tuple(m.id for m in members),
                names=tuple(m.name for m in members),
                organisations=tuple(organisations.get(m.organisation_id, "?") for m in members),
            )
        )
    plan = RoundPlan(
        programme=programme.name,
        number=number,
        seed=seed,
        groups=tuple(groups),
        unplaced=tuple(candidates[int(i)].name for i in result.unplaced),
        skipped_unreachable=len(candidates) - len(eligible),
        paused=paused,
        result=result,
    )
    return _Planned(plan, {p: candidates[p] for p in eligible}, addresses, organisations)
