"""What the core answers: a `Reply` of neutral messages, and, where an adapter draws more than
messages (a home tab, a form, an answered check-in), a typed view worked out once, here.

Renderers (`adapters/<platform>/render*`, `views`, `forms`) only draw these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot import formatting
from bot.accounts import Contact
from bot.db.models import Answer
from bot.events import Button, Card, Message, ProgrammeForm, UserRef
from bot.ids import IntroductionId, ProgrammeId
from bot.intro_view import (
    IntroCopy,
    IntroductionView,
    IntroLabels,
    IntroLinks,
    IntroPerson,
    IntroStarter,
    MailLink,
    Slot,
    SuggestedTimes,
    answer_labels,
    introduction_card,
)
from bot.usecases.checkins import CurrentIntroduction
from bot.usecases.programmes import CADENCES
from bot.usecases.ties import TieView

__all__ = [  # the cadences a programme form offers; the introduction view (bot.intro_view)
    "CADENCES",
    "IntroCopy",
    "IntroLabels",
    "IntroLinks",
    "IntroPerson",
    "IntroStarter",
    "IntroductionView",
    "MailLink",
    "Slot",
    "SuggestedTimes",
    "answer_labels",
    "introduction_card",
]


@dataclass(frozen=True)
class HomeProgramme:
    id: ProgrammeId
    name: str
    status: str | None  # active / paused / left, None when never joined
    paused_until: date | None
    organisations: tuple[str, ...]
    coordinator: bool
    lead: bool
    active_members: int | None  # only for coordinators
    paused: bool  # the programme itself
    next_round_at: datetime | None = None  # None while paused or not known


@dataclass(frozen=True)
class HomeView:
    """A person's own overview: current introduction, ties, status per programme and, for
    coordinators, the programmes they run."""

    name: str | None
    organisation: str | None
    role: str | None
    current: CurrentIntroduction | None
    ties: tuple[TieView, ...]
    programmes: tuple[HomeProgramme, ...]
    may_create: bool
    checkin_at: datetime | None = None  # when the current introduction's check-in is due
    timezone: str | None = None  # the reader's, for dates in words
    as_of: datetime | None = None  # the moment the view was worked out ("today", "tomorrow")

    @property
    def coordinates(self) -> tuple[HomeProgramme, ...]:
        return tuple(p for p in self.programmes if p.coordinator)


@dataclass(frozen=True)
class ProgrammeFormView:
    """The programme form, filled for editing or blank; `cadences` are the choices."""

    form: ProgrammeForm
    cadences: tuple[str, ...] = CADENCES


@dataclass(frozen=True)
class ProgrammeSaved:
    programme: ProgrammeId
    name: str
    created: bool
    note: str  # the sentence that says so


@dataclass(frozen=True)
class AnsweredCheckIn:
    """A check-in answer, recorded: what a platform needs to redraw the message it was on."""

    introduction: IntroductionId
    answer: Answer
    text: str  # the thanks
    status: str  # every member's answer, one line
    card: Card | None  # the card the button was on (else the introduction), to redraw
    contacts: tuple[Contact, ...]  # how the person may reach their partners
    own_status: str = ""  # the group's answer as the reader sees it ("You said you met.")
    buttons: tuple[Button, ...] = ()  # every answer kept, neutral, the group's marked
    choices: tuple[Button, ...] = ()  # after "couldn't meet": keep the group / move on
    next_step: Button | None = None  # "We agreed a next step", offered after meeting
    # the introduction the button was on, as its view with the group's answer marked: drawn
    # by the introduction's own renderers (None for a check-in, or an introduction queued
    # before introductions were views: `card` is redrawn then)
    introduction_view: IntroductionView | None = None


View = (
    HomeView
    | ProgrammeFormView
    | ProgrammeSaved
    | AnsweredCheckIn
    | IntroductionView  # redrawn after "Another question"
    | SuggestedTimes  # "Suggest a time"
)


@dataclass(frozen=True)
class Reply:
    """What the core answers to one event: messages for the sender, and whether messages
    were queued for others (so the delivery worker can be woken)."""

    messages: tuple[Message, ...]
    queued: bool = False
    forgotten: tuple[UserRef, ...] = ()  # accounts of a person who was just erased
    duplicate: bool = False  # the request was handled before: nothing was done or said
    view: View | None = None
    refused: str | None = None  # the prompt naming why the request was refused


# ---------------------------------------------------------------- the programme form's schedule

COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Athens",
    "Atlantic/Reykjavik",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)


@dataclass(frozen=True)
class ScheduleChoices:
    """What the form offers for when rounds run, each as (value, label), in the order shown."""

    weekdays: tuple[tuple[str, str], ...]
    hours: tuple[tuple[str, str], ...]
    timezones: tuple[tuple[str, str], ...]


def schedule_choices(form: ProgrammeForm) -> ScheduleChoices:
    """Weekdays and hours in words (Babel), and the common time zones plus the form's own."""
    zones = COMMON_ZONES if form.timezone in COMMON_ZONES else (form.timezone, *COMMON_ZONES)
    return ScheduleChoices(
        weekdays=tuple((str(day), formatting.weekday_name(day)) for day in range(7)),
        hours=tuple((str(hour), formatting.clock_hour(hour)) for hour in range(24)),
        timezones=tuple((name, formatting.zone_label(name)) for name in zones),
    )
