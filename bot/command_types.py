"""The commands the grammar reads, as frozen values, and the words each audience may type.

`bot.commands.parse` turns text into one of these; the handlers act on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.db.models import Answer, Cadence
from bot.events import UserRef

MAX_COMMAND_LENGTH = 3000
MAX_NOTE_LENGTH = 1000
MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class MentionOf:
    """A platform mention: the account the adapter's translate found in the words."""

    user: UserRef


@dataclass(frozen=True, slots=True)
class MentionByName:
    """`@Ann Lee`, `@"Ann Lee"`, `@ann@example.org` or a roster id: the core looks it up."""

    text: str


Mention = MentionOf | MentionByName


@dataclass(frozen=True, slots=True)
class Command:
    programme: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Help(Command):
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Join(Command):
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class Leave(Command):
    pass


@dataclass(frozen=True, slots=True)
class Pause(Command):
    until: date | None = None
    weeks: int | None = None


@dataclass(frozen=True, slots=True)
class Resume(Command):
    pass


@dataclass(frozen=True, slots=True)
class Profile(Command):
    field_name: str | None = None  # organisation | role | timezone | name | email-sharing
    value: str | None = None


@dataclass(frozen=True, slots=True)
class ShowMatch(Command):
    pass


@dataclass(frozen=True, slots=True)
class Met(Command):
    answer: Answer = Answer.MET


@dataclass(frozen=True, slots=True)
class Log(Command):
    person: Mention
    note: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ties(Command):
    pass


@dataclass(frozen=True, slots=True)
class ForgetMe(Command):
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class MyData(Command):
    pass


@dataclass(frozen=True, slots=True)
class Report(Command):
    pass


@dataclass(frozen=True, slots=True)
class RoundPreview(Command):
    pass


@dataclass(frozen=True, slots=True)
class RoundRun(Command):
    pass


@dataclass(frozen=True, slots=True)
class Exclude(Command):
    a: Mention
    b: Mention


@dataclass(frozen=True, slots=True)
class Programmes(Command):
    pass


@dataclass(frozen=True, slots=True)
class CheckinsSend(Command):
    """Send early what would be due by `at`: a date and time, or a time today (a `time`), in
    the coordinator's time zone unless it names its own offset; None is now."""

    at: datetime | time | None = None


@dataclass(frozen=True, slots=True)
class PauseOrganisation(Command):
    organisation: str
    until: date


@dataclass(frozen=True, slots=True)
class ResumeOrganisation(Command):
    organisation: str


@dataclass(frozen=True, slots=True)
class ProfileCadence(Command):
    cadence: Cadence


@dataclass(frozen=True, slots=True)
class ProfileDays(Command):
    days: tuple[int, ...]  # Monday 0; empty: any day


@dataclass(frozen=True, slots=True)
class NextStep(Command):
    text: str


@dataclass(frozen=True, slots=True)
class StepDone(Command):
    happened: bool


@dataclass(frozen=True, slots=True)
class ParseError:
    """Why the words could not be read; `prompt` names the template that says so."""

    prompt: str
    detail: str = ""
    word: str = ""


Parsed = (
    Help
    | Join
    | Leave
    | Pause
    | Resume
    | Profile
    | ShowMatch
    | Met
    | Log
    | Ties
    | ForgetMe
    | MyData
    | Report
    | RoundPreview
    | RoundRun
    | Exclude
    | Programmes
    | CheckinsSend
    | PauseOrganisation
    | ResumeOrganisation
    | ProfileCadence
    | ProfileDays
    | NextStep
    | StepDone
)

STAFF_WORDS = (
    "help",
    "join",
    "leave",
    "pause",
    "resume",
    "profile",
    "match",
    "met",
    "log",
    "ties",
    "forget me",
    "my data",
)
LEAD_WORDS = ("report",)
COORDINATOR_WORDS = (
    "round preview",
    "round run",
    "exclude",
    "programmes",
    "checkins send",
    "pause organisation",
    "resume organisation",
)
CIRCLE_WORDS = ("circles", "circle join", "circle leave", "circle propose")
CIRCLE_COORDINATOR_WORDS = (
    "circle open",
    "circle form",
    "circle approve",
    "circle decline",
    "circle proposals",
)
ALL_WORDS = STAFF_WORDS + LEAD_WORDS + COORDINATOR_WORDS + CIRCLE_WORDS + CIRCLE_COORDINATOR_WORDS
