"""Problem circles, as tables: a topic coordinators open (or a member proposes), the people
who sign up for it, and the circles of 4-6 formed from them at the topic's forming time
(with each member's check-in).

Every timestamp is timezone-aware UTC. The tables are registered with the other models (the
last lines of bot/db/models.py import this module).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.models import Answer
from bot.db.types import StrEnumText, UTCDateTime


def _ts(nullable: bool = True, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class CircleTopicStatus(StrEnum):
    PROPOSED = "proposed"  # a member's proposal, waiting for a coordinator's approval
    DECLINED = "declined"  # a proposal a coordinator declined
    OPEN = "open"  # taking sign-ups until its forming time
    FORMED = "formed"  # circles made; sign-ups closed
    CANCELLED = "cancelled"


class CircleTopic(SQLModel, table=True):
    """A problem that people across organisations think through together."""

    __table_args__ = (UniqueConstraint("programme_id", "title"),)
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    title: str = Field(max_length=120)
    description: str = Field(sa_column=Column(Text, nullable=False))
    opened_by: int | None = Field(default=None, foreign_key="person.id")  # or proposed by
    status: CircleTopicStatus = Field(
        default=CircleTopicStatus.OPEN, sa_type=StrEnumText(CircleTopicStatus)
    )
    forms_at: datetime = Field(sa_column=_ts(nullable=False, index=True))
    min_size: int = 4
    max_size: int = 6
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    formed_at: datetime | None = Field(default=None, sa_column=_ts())


class CircleTopicOrganisation(SQLModel, table=True):
    """An organisation the topic affects (the circles aim to hold one of each)."""

    topic_id: int = Field(foreign_key="circletopic.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)


class CircleSignup(SQLModel, table=True):
    topic_id: int = Field(foreign_key="circletopic.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    signed_up_at: datetime = Field(sa_column=_ts(nullable=False))


class Circle(SQLModel, table=True):
    """One circle of a topic; `checkin_due_at` is when its members are asked how it went."""

    __table_args__ = (UniqueConstraint("topic_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="circletopic.id", index=True)
    number: int
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    checkin_due_at: datetime = Field(sa_column=_ts(nullable=False, index=True))


class CircleMember(SQLModel, table=True):
    """A person in a circle (once per topic), with their organisation then and their answer
    to the circle's check-in."""

    __table_args__ = (UniqueConstraint("topic_id", "person_id"),)
    circle_id: int = Field(foreign_key="circle.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    topic_id: int = Field(foreign_key="circletopic.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    checkin_sent_at: datetime | None = Field(default=None, sa_column=_ts())
    answer: Answer | None = Field(default=None, sa_type=StrEnumText(Answer))
    answered_at: datetime | None = Field(default=None, sa_column=_ts())


class CircleStep(SQLModel, table=True):
    """The one small next step a circle agreed after meeting, and whether it happened.

    As with a pair's step, the words are seen by the circle only; they follow the notes'
    retention and are blanked when a member is erased. A circle makes no ties, so its step
    moves none (the report's funnel counts ties between two people).
    """

    __table_args__ = (UniqueConstraint("circle_id"),)
    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id")
    programme_id: int = Field(foreign_key="programme.id", index=True)
    agreed_by: int | None = Field(default=None, foreign_key="person.id")
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    agreed_at: datetime = Field(sa_column=_ts(nullable=False))
    check_due_at: datetime = Field(sa_column=_ts(nullable=False, index=True))
    asked_at: datetime | None = Field(default=None, sa_column=_ts())
    happened: bool | None = None
    answered_by: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime | None = Field(default=None, sa_column=_ts())
