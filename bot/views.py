"""What the core answers: a `Reply` of neutral messages, and, where an adapter draws more than
messages (a home tab, a form, an answered check-in), a typed view worked out once, here.

Renderers (`adapters/<platform>/render*`, `views`, `forms`) only draw these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.accounts import Contact
from bot.db.models import Answer
from bot.events import Button, Card, Message, ProgrammeForm, UserRef
from bot.ids import IntroductionId, ProgrammeId
from bot.usecases.checkins import CurrentIntroduction
from bot.usecases.programmes import CADENCES
from bot.usecases.ties import TieView

__all__ = ["CADENCES"]  # the cadences a programme form offers


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
    card: Card | None  # the latest card about it sent on the person's platform and workspace
    contacts: tuple[Contact, ...]  # how the person may reach their partners
    next_step: Button | None = None  # "We agreed a next step", offered after meeting


View = HomeView | ProgrammeFormView | ProgrammeSaved | AnsweredCheckIn


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
