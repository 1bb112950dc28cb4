"""The domain, as SQLModel tables. Every timestamp is timezone-aware UTC."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import StrEnumText, UTCDateTime


def _ts(nullable: bool = True, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class RoundState(StrEnum):
    PLANNED = "planned"
    MATCHED = "matched"
    ANNOUNCED = "announced"
    CLOSED = "closed"


class Answer(StrEnum):
    MET = "met"
    NOT_YET = "not_yet"
    COULD_NOT_MEET = "could_not_meet"


class TieStage(StrEnum):
    INTRODUCED = "introduced"
    MET = "met"
    STEP_AGREED = "step_agreed"  # the group agreed one small next step
    STEP_TAKEN = "step_taken"  # and said it happened
    COLLABORATING = "collaborating"


STAGE_ORDER = {
    TieStage.INTRODUCED: 0,
    TieStage.MET: 1,
    TieStage.STEP_AGREED: 2,
    TieStage.STEP_TAKEN: 3,
    TieStage.COLLABORATING: 4,
}


class ProgrammeRoleKind(StrEnum):
    COORDINATOR = "coordinator"
    LEAD = "lead"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # no longer to be sent (e.g. a check-in the group already answered)


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True, index=True)
    created_at: datetime = Field(sa_column=_ts(nullable=False))


class Person(SQLModel, table=True):
    """A member of staff. Minimal data; `erased` people keep only anonymous aggregates."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=200, unique=True, index=True)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    role: str | None = Field(default=None, max_length=200)
    timezone: str = Field(default="Europe/London", max_length=64)
    share_email: bool = True
    name_in_reports: bool = False
    erased: bool = False
    created_at: datetime = Field(sa_column=_ts(nullable=False))


class PlatformAccount(SQLModel, table=True):
    """How to reach a person on one platform, kept so proactive messages survive restarts."""

    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=200)
    user_id: str = Field(max_length=200)
    dm_channel: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reachable: bool = True
    created_at: datetime = Field(sa_column=_ts(nullable=False))


class Programme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True, index=True)
    cadence: str = Field(default="fortnightly", max_length=16)
    weekday: int = 0  # Monday
    hour: int = 9
    timezone: str = Field(default="Europe/London", max_length=64)
    group_size: int = 2
    cross_organisation: bool = True
    prompt_set: str = Field(default="default", max_length=64)
    checkin_days: int = 7  # the delay in whole days (rounded), for readers of days only
    # The check-in delay itself, in minutes ("36h", "10m"); None: `checkin_days` days.
    checkin_minutes: int | None = None
    nudge_days: int = 3
    paused: bool = False
    is_demo: bool = False
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    # Members may propose problem-circle topics (a coordinator approves each before it opens).
    circle_proposals: bool = False


class ProgrammeOrganisation(SQLModel, table=True):
    programme_id: int = Field(foreign_key="programme.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)


class ProgrammeWorkspace(SQLModel, table=True):
    """Which chat workspaces (Slack team, Teams tenant, local) may see a programme."""

    programme_id: int = Field(foreign_key="programme.id", primary_key=True)
    platform: str = Field(max_length=16, primary_key=True)
    workspace: str = Field(max_length=200, primary_key=True)


class ProgrammeRole(SQLModel, table=True):
    programme_id: int = Field(foreign_key="programme.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    role: ProgrammeRoleKind = Field(sa_type=StrEnumText(ProgrammeRoleKind), primary_key=True)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("programme_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: MembershipStatus = Field(
        default=MembershipStatus.ACTIVE, sa_type=StrEnumText(MembershipStatus)
    )
    paused_until: date | None = None
    joined_at: datetime = Field(sa_column=_ts(nullable=False))
    left_at: datetime | None = Field(default=None, sa_column=_ts())


class Round(SQLModel, table=True):
    """A pairing round. `slot` names a scheduled run (e.g. its start time) so it happens once."""

    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        UniqueConstraint("programme_id", "slot"),
    )
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    number: int
    slot: str | None = Field(default=None, max_length=64)
    state: RoundState = Field(default=RoundState.PLANNED, sa_type=StrEnumText(RoundState))
    seed: int = 0
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    matched_at: datetime | None = Field(default=None, sa_column=_ts())
    announced_at: datetime | None = Field(default=None, sa_column=_ts())
    closed_at: datetime | None = Field(default=None, sa_column=_ts())


class Introduction(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    starter: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    checkin_due_at: datetime = Field(sa_column=_ts(nullable=False, index=True))
    nudge_due_at: datetime = Field(sa_column=_ts(nullable=False, index=True))
    outcome: Answer | None = Field(default=None, sa_type=StrEnumText(Answer))
    # who was asked to make the first move (rotated; see bot.usecases.round_text.first_movers)
    first_mover_id: int | None = None
    # The check-in loop is the group's: who gave its answer, its one follow-up after
    # "not yet", and after "couldn't meet" whether to keep the group for the next round.
    answered_by_id: int | None = Field(default=None, foreign_key="person.id")
    followup_due_at: datetime | None = Field(default=None, sa_column=_ts(index=True))
    followed_up_at: datetime | None = Field(default=None, sa_column=_ts())
    next_round: str | None = Field(default=None, max_length=16)  # keep | move_on


class IntroductionMember(SQLModel, table=True):
    introduction_id: int = Field(foreign_key="introduction.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")


class IntroductionChat(SQLModel, table=True):
    """Where an introduction was posted on a platform (for updating the message later)."""

    id: int | None = Field(default=None, primary_key=True)
    introduction_id: int = Field(foreign_key="introduction.id", index=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=200)
    channel: str = Field(max_length=200)
    message_id: str | None = Field(default=None, max_length=200)


class CheckIn(SQLModel, table=True):
    """One person's "did you meet?" for one introduction."""

    __table_args__ = (UniqueConstraint("introduction_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    introduction_id: int = Field(foreign_key="introduction.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    due_at: datetime = Field(sa_column=_ts(nullable=False, index=True))
    sent_at: datetime | None = Field(default=None, sa_column=_ts())
    nudge_due_at: datetime = Field(sa_column=_ts(nullable=False))
    nudged_at: datetime | None = Field(default=None, sa_column=_ts())
    answer: Answer | None = Field(default=None, sa_type=StrEnumText(Answer))
    answered_at: datetime | None = Field(default=None, sa_column=_ts())


class Tie(SQLModel, table=True):
    """One tie per pair of people (person_a_id < person_b_id), with their organisations then."""

    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id"),)
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    person_a_id: int = Field(foreign_key="person.id", index=True)
    person_b_id: int = Field(foreign_key="person.id", index=True)
    organisation_a_id: int | None = Field(default=None, foreign_key="organisation.id")
    organisation_b_id: int | None = Field(default=None, foreign_key="organisation.id")
    stage: TieStage = Field(default=TieStage.INTRODUCED, sa_type=StrEnumText(TieStage))
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    met_at: datetime | None = Field(default=None, sa_column=_ts())
    collaborating_at: datetime | None = Field(default=None, sa_column=_ts())


class TieEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tie_id: int = Field(foreign_key="tie.id", index=True)
    kind: str = Field(max_length=32)
    at: datetime = Field(sa_column=_ts(nullable=False))
    by_person_id: int | None = Field(default=None, foreign_key="person.id")
    introduction_id: int | None = Field(default=None, foreign_key="introduction.id")
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tags: str | None = Field(default=None, max_length=500)


class Exclusion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("programme_id", "person_a_id", "person_b_id"),)
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    person_a_id: int = Field(foreign_key="person.id")
    person_b_id: int = Field(foreign_key="person.id")
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_column=_ts(nullable=False))


class Outbox(SQLModel, table=True):
    """Every message to send. Written in the same transaction as the change that caused it."""

    __table_args__ = (Index("ix_outbox_due", "state", "next_try_at"),)
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=300, unique=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=200)
    recipients: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of user ids
    kind: str = Field(max_length=32)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # JSON neutral message
    programme_id: int | None = Field(default=None, foreign_key="programme.id", index=True)
    introduction_id: int | None = Field(default=None, foreign_key="introduction.id")
    state: OutboxState = Field(default=OutboxState.PENDING, sa_type=StrEnumText(OutboxState))
    attempts: int = 0
    next_try_at: datetime = Field(sa_column=_ts(nullable=False))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_ts())
    # Delivery bookkeeping: who holds the row while sending, where it goes, what the platform
    # answered, and whether an earlier attempt may have reached the platform unrecorded.
    claimed_by: int | None = None
    channel: str | None = Field(default=None, max_length=200)
    message_id: str | None = Field(default=None, max_length=200)
    maybe_sent: bool = False
    reported_at: datetime | None = Field(default=None, sa_column=_ts())


class HandledRequest(SQLModel, table=True):
    """A platform request the core has handled, by the adapter's key for it (a hash, never
    personal data): written in the same transaction as the handling, so a request sent twice
    (a retry, a replay, or to two servers) changes things once. Pruned after a day."""

    key: str = Field(primary_key=True, max_length=64)
    at: datetime = Field(sa_column=_ts(nullable=False, index=True))


class PacingSlot(SQLModel, table=True):
    """The next free moment for a rate-limited platform method, shared by every server."""

    key: str = Field(primary_key=True, max_length=300)
    next_at: float  # seconds since the epoch


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_ts(nullable=False, index=True))
    actor: str = Field(max_length=200)  # "person:12", "cli", "system"
    action: str = Field(max_length=64)
    programme_id: int | None = Field(default=None, foreign_key="programme.id")
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Cadence(StrEnum):
    """How often a person takes part in a programme's rounds."""

    EVERY_ROUND = "every_round"
    EVERY_OTHER_ROUND = "every_other_round"
    MONTHLY = "monthly"


class Rhythm(SQLModel, table=True):
    """A person's own pace (how often they take part) and the weekdays that suit them (shift
    patterns), kept apart from the profile so it can go with the person on erasure."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    cadence: Cadence = Field(default=Cadence.EVERY_ROUND, sa_type=StrEnumText(Cadence, length=32))
    days: str | None = Field(default=None, max_length=32)  # weekday numbers, Monday 0: "0,1,3"
    updated_at: datetime = Field(sa_column=_ts(nullable=False))


class OrganisationPause(SQLModel, table=True):
    """An organisation left out of a programme's rounds until a date (back from that day)."""

    __table_args__ = (UniqueConstraint("programme_id", "organisation_id"),)
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    until: date
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_column=_ts(nullable=False))


class NextStep(SQLModel, table=True):
    """The one small next step a group agreed after meeting, and whether it happened.

    The words are seen by the group only; they follow the notes' retention and go on erasure.
    """

    __table_args__ = (UniqueConstraint("introduction_id"),)
    id: int | None = Field(default=None, primary_key=True)
    introduction_id: int = Field(foreign_key="introduction.id")
    programme_id: int = Field(foreign_key="programme.id", index=True)
    agreed_by: int | None = Field(default=None, foreign_key="person.id")
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    agreed_at: datetime = Field(sa_column=_ts(nullable=False))
    check_due_at: datetime = Field(sa_column=_ts(nullable=False, index=True))
    asked_at: datetime | None = Field(default=None, sa_column=_ts())
    happened: bool | None = None
    answered_by: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime | None = Field(default=None, sa_column=_ts())


# Problem circles live in their own module; importing it registers their tables.
from bot.db import circle_models as _circle_models  # noqa: E402, F401
