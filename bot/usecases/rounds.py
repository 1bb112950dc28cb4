"""Rounds: choose who meets whom, record the introductions and queue what to send."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.clock import as_utc
from bot.compose import GroupMember, introduction_message
from bot.db.models import (
    CheckIn,
    Exclusion,
    Introduction,
    IntroductionMember,
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    PlatformAccount,
    Programme,
    ProgrammeOrganisation,
    Round,
    RoundState,
    Tie,
)
from bot.formatting import zone
from bot.matching import MatchRequest, MatchResult, Participant, PastPair, match
from bot.outbox import queue
from bot.scheduling.locks import lock_programme
from bot.starters import FIRST_MEETING_ROUNDS, pick_starter, split_prompt_set
from bot.templates import Prompts
from bot.usecases.common import UseCaseError, audit, display_name, require_id
from bot.usecases.people import resume_due
from bot.usecases.ties import add_event, ensure_tie

MANUAL_RUN_GAP = timedelta(hours=1)  # a manual run this soon after another round is refused


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


@dataclass(frozen=True)
class RoundSummary:
    plan: RoundPlan
    round_id: int
    messages_queued: int
    already_ran: bool = False
    unreachable: tuple[str, ...] = field(default=())


def default_seed(programme_id: int, number: int) -> int:
    digest = hashlib.sha256(f"crossties:{programme_id}:{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF  # fits a database integer


def _reachable_accounts(session: Session, person_ids: list[int]) -> dict[int, PlatformAccount]:
    """Each person's account to reach them on: the first reachable one they registered."""
    accounts: dict[int, PlatformAccount] = {}
    if not person_ids:
        return accounts
    rows = session.exec(
        select(PlatformAccount)
        .where(
            col(PlatformAccount.person_id).in_(person_ids), col(PlatformAccount.reachable).is_(True)
        )
        .order_by(col(PlatformAccount.id))
    ).all()
    # A real chat platform first; the local terminal chat only when there is nothing else.
    for account in sorted(rows, key=lambda a: (a.platform == "local", a.id or 0)):
        accounts.setdefault(account.person_id, account)
    return accounts


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
                    )
                )
    return pairs


def plan_round(
    session: Session,
    now: datetime,
    programme: Programme,
    *,
    seed: int | None = None,
) -> RoundPlan:
    """Everything a round would do, without storing anything (coordinators' preview)."""
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
    memberships = session.exec(
        select(Membership, Person)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(Membership.programme_id == programme_id)
    ).all()
    candidates: list[Person] = []
    paused = 0
    for membership, person in memberships:
        if person.erased or membership.status == MembershipStatus.LEFT:
            continue
        if membership.status == MembershipStatus.PAUSED and not (
            membership.paused_until is not None and membership.paused_until <= today
        ):
            paused += 1
            continue
        if person.organisation_id not in allowed:
            continue
        candidates.append(person)
    accounts = _reachable_accounts(session, [require_id(p.id) for p in candidates])
    eligible = [p for p in candidates if p.id in accounts]
    organisations = {o.id: o.name for o in session.exec(select(Organisation)).all()}
    exclusions = [
        frozenset((str(e.person_a_id), str(e.person_b_id)))
        for e in session.exec(select(Exclusion).where(Exclusion.programme_id == programme_id)).all()
    ]
    request = MatchRequest(
        participants=[
            Participant(str(p.id), str(p.organisation_id), p.role, p.timezone)
            for p in sorted(eligible, key=lambda p: require_id(p.id))
        ],
        history=_history(session, programme_id),
        exclusions=exclusions,
        group_size=programme.group_size,
        seed=seed,
    )
    result = match(request)
    people = {str(p.id): p for p in eligible}
    groups = []
    for ids in result.groups:
        members = [people[i] for i in ids]
        groups.append(
            PlannedGroup(
                members=tuple(require_id(m.id) for m in members),
                names=tuple(display_name(m) for m in members),
                organisations=tuple(
                    organisations.get(m.organisation_id or -1, "?") for m in members
                ),
            )
        )
    return RoundPlan(
        programme=programme.name,
        number=number,
        seed=seed,
        groups=tuple(groups),
        unplaced=tuple(display_name(people[i]) for i in result.unplaced),
        skipped_unreachable=len(candidates) - len(eligible),
        paused=paused,
        result=result,
    )


def _starters_by_pair(
    session: Session, person_ids: list[int]
) -> dict[tuple[int, int], Counter[str]]:
    """Which starters each pair of these people has had, in any programme: one query."""
    rows = session.exec(
        select(
            IntroductionMember.introduction_id, IntroductionMember.person_id, Introduction.starter
        )
        .join(Introduction, col(Introduction.id) == col(IntroductionMember.introduction_id))
        .where(col(IntroductionMember.person_id).in_(person_ids))
    ).all()
    groups: dict[int, tuple[str, list[int]]] = {}
    for intro_id, person_id, starter in rows:
        groups.setdefault(intro_id, (starter, []))[1].append(person_id)
    used: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    for starter, members in groups.values():
        members.sort()
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                used[(a, b)][starter] += 1
    return used


def _pick_starter(
    prompts: Prompts,
    programme: Programme,
    members: tuple[int, ...],
    used_by_pair: dict[tuple[int, int], Counter[str]],
    seed: int,
    index: int,
    *,
    month: int | None = None,
    first_meeting: bool = False,
) -> tuple[str, str]:
    """A starter none of these pairs has had before (fewest repeats if all are used), in
    season, from the programme's chosen tags, and light for people who have just started."""
    starters = prompts.starters(programme.prompt_set)
    ordered_members = sorted(members)
    used: Counter[str] = Counter()
    for i, a in enumerate(ordered_members):
        for b in ordered_members[i + 1 :]:
            used.update(used_by_pair.get((a, b), Counter()))
    best = pick_starter(
        starters,
        used,
        seed + index * 7919,
        tags=split_prompt_set(programme.prompt_set)[1],
        month=month,
        first_meeting=first_meeting,
    )
    return best.key, best.text


def _organisation_pair_ties(session: Session, programme_id: int) -> Counter[frozenset[int]]:
    counts: Counter[frozenset[int]] = Counter()
    rows = session.exec(
        select(Tie.organisation_a_id, Tie.organisation_b_id).where(Tie.programme_id == programme_id)
    ).all()
    for a, b in rows:
        if a is not None and b is not None and a != b:
            counts[frozenset((a, b))] += 1
    return counts


def _why(
    prompts: Prompts,
    group: PlannedGroup,
    organisation_ids: list[int | None],
    pair_ties: Counter[frozenset[int]],
) -> str:
    if not group.cross_organisation:
        return prompts.render("why_same_organisation")
    distinct = sorted({o for o in organisation_ids if o is not None})
    existing = sum(
        pair_ties[frozenset((a, b))] for i, a in enumerate(distinct) for b in distinct[i + 1 :]
    )
    return prompts.render(
        "why_cross_organisation",
        organisations=list(dict.fromkeys(group.organisations)),
        existing=existing,
    )


def run_round(
    session: Session,
    now: datetime,
    programme: Programme,
    prompts: Prompts,
    *,
    seed: int | None = None,
    slot: str | None = None,
    actor: str = "cli",
) -> RoundSummary:
    """Match, record introductions, check-ins and ties, and queue the introductions.

    With a `slot` (a scheduled run's key), a second run for the same slot does nothing.
    """
    if programme.paused:
        raise UseCaseError("error_programme_paused", programme=programme.name)
    programme_id = require_id(programme.id)
    lock_programme(session, programme_id)  # concurrent runs of one programme take turns
    if slot is None:
        latest = session.exec(
            select(Round)
            .where(Round.programme_id == programme_id)
            .order_by(col(Round.created_at).desc())
        ).first()
        if latest is not None and now - as_utc(latest.created_at) < MANUAL_RUN_GAP:
            raise UseCaseError(
                "error_round_just_ran", programme=programme.name, number=latest.number
            )
    if slot is not None:
        existing = session.exec(
            select(Round).where(Round.programme_id == programme_id, Round.slot == slot)
        ).first()
        if existing is not None:
            plan = RoundPlan(programme.name, existing.number, existing.seed, (), (), 0, 0)
            return RoundSummary(plan, require_id(existing.id), 0, already_ran=True)
    resume_due(session, now.date())
    plan = plan_round(session, now, programme, seed=seed)
    for old in session.exec(
        select(Round).where(Round.programme_id == programme_id, Round.state != RoundState.CLOSED)
    ).all():
        old.state = RoundState.CLOSED
        old.closed_at = now
        session.add(old)
    round_ = Round(
        programme_id=programme_id,
        number=plan.number,
        slot=slot,
        seed=plan.seed,
        state=RoundState.MATCHED,
        created_at=now,
        matched_at=now,
    )
    session.add(round_)
    session.flush()
    round_id = require_id(round_.id)
    people = {
        p.id: p
        for p in session.exec(
            select(Person).where(col(Person.id).in_([m for g in plan.groups for m in g.members]))
        ).all()
    }
    accounts = _reachable_accounts(session, [require_id(p.id) for p in people.values()])
    organisations = {o.id: o.name for o in session.exec(select(Organisation)).all()}
    checkin_at = now + timedelta(days=programme.checkin_days)
    nudge_at = checkin_at + timedelta(days=programme.nudge_days)
    pair_ties = _organisation_pair_ties(session, programme_id)
    used_by_pair = _starters_by_pair(session, [m for g in plan.groups for m in g.members])
    queued = 0
    for index, group in enumerate(plan.groups):
        starter_key, starter_text = _pick_starter(
            prompts,
            programme,
            group.members,
            used_by_pair,
            plan.seed,
            index,
            month=now.astimezone(zone(programme.timezone)).month,
            first_meeting=plan.number <= FIRST_MEETING_ROUNDS,
        )
        why = _why(prompts, group, [people[m].organisation_id for m in group.members], pair_ties)
        intro = Introduction(
            round_id=round_id,
            programme_id=programme_id,
            starter=starter_key,
            created_at=now,
            checkin_due_at=checkin_at,
            nudge_due_at=nudge_at,
        )
        session.add(intro)
        session.flush()
        intro_id = require_id(intro.id)
        for person_id in group.members:
            session.add(
                IntroductionMember(
                    introduction_id=intro_id,
                    person_id=person_id,
                    organisation_id=people[person_id].organisation_id,
                )
            )
            session.add(
                CheckIn(
                    introduction_id=intro_id,
                    person_id=person_id,
                    due_at=checkin_at,
                    nudge_due_at=nudge_at,
                )
            )
        for i, a in enumerate(group.members):
            for b in group.members[i + 1 :]:
                tie = ensure_tie(session, now, programme_id, people[a], people[b])
                add_event(session, now, tie, "introduced", introduction_id=intro_id)
        members = [
            GroupMember(
                person_id=m,
                name=display_name(people[m]),
                organisation=organisations.get(people[m].organisation_id or -1, "?"),
                role=people[m].role,
                platform=accounts[m].platform,
                email=people[m].email if people[m].share_email else None,
            )
            for m in group.members
        ]
        by_place: dict[tuple[str, str], list[int]] = defaultdict(list)
        for m in group.members:
            by_place[(accounts[m].platform, accounts[m].workspace)].append(m)
        for (platform, workspace), recipients in sorted(by_place.items()):
            message = introduction_message(
                prompts,
                introduction_id=intro_id,
                programme=programme.name,
                members=members,
                recipients=set(recipients),
                platform=platform,
                why=why,
                starter=starter_text,
                checkin_days=programme.checkin_days,
                programme_id=programme_id,
            )
            queued += queue(
                session,
                now,
                key=f"intro:{intro_id}:{platform}:{workspace}",
                platform=platform,
                workspace=workspace,
                recipients=[accounts[m].user_id for m in recipients],
                kind="introduction",
                message=message,
                programme_id=programme_id,
                introduction_id=intro_id,
            )
    round_.state = RoundState.ANNOUNCED
    round_.announced_at = now
    session.add(round_)
    audit(
        session,
        now,
        actor,
        "round_run",
        programme_id,
        round=plan.number,
        groups=len(plan.groups),
        people=plan.people,
    )
    return RoundSummary(plan, round_id, queued, unreachable=plan.unplaced)
