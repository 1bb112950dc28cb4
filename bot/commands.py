"""One command grammar for every platform.

`/crossties join Hospice` in Slack, `join Hospice` typed to the Teams bot and the terminal
all reach `parse`. It never raises: anything it cannot read becomes a `ParseError` that
names a prompt, so the answer is always polite and points to `help`.

The commands themselves live in `bot.command_types` and the readers of a command's own words
in `bot.command_args`; both are re-exported here, so `bot.commands` stays the one name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.command_args import (
    names_organisation,
    parse_checkins_send,
    parse_exclude,
    parse_log,
    parse_mention,
    parse_pause,
    parse_pause_organisation,
    parse_profile,
    parse_resume_organisation,
    parse_step,
)
from bot.command_types import (
    ALL_WORDS,
    COORDINATOR_WORDS,
    LEAD_WORDS,
    MAX_COMMAND_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    STAFF_WORDS,
    CheckinsSend,
    Command,
    Exclude,
    ForgetMe,
    Help,
    Join,
    Leave,
    Log,
    Mention,
    MentionByName,
    MentionOf,
    Met,
    MyData,
    NextStep,
    Parsed,
    ParseError,
    Pause,
    PauseOrganisation,
    Profile,
    ProfileCadence,
    ProfileDays,
    Programmes,
    Report,
    Resume,
    ResumeOrganisation,
    RoundPreview,
    RoundRun,
    ShowMatch,
    StepDone,
    Ties,
)
from bot.db.models import Answer
from bot.events import MENTION_MARK, UserRef
from bot.text import clean_text, parse_date

if TYPE_CHECKING:
    from bot.circle_commands import CircleCommand

__all__ = [  # the commands and word lists, and helpers the use cases clean names with
    "ALL_WORDS",
    "COORDINATOR_WORDS",
    "LEAD_WORDS",
    "MAX_COMMAND_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_NOTE_LENGTH",
    "STAFF_WORDS",
    "CheckinsSend",
    "Command",
    "Exclude",
    "ForgetMe",
    "Help",
    "Join",
    "Leave",
    "Log",
    "Mention",
    "MentionByName",
    "MentionOf",
    "Met",
    "MyData",
    "NextStep",
    "ParseError",
    "Parsed",
    "Pause",
    "PauseOrganisation",
    "Profile",
    "ProfileCadence",
    "ProfileDays",
    "Programmes",
    "Report",
    "Resume",
    "ResumeOrganisation",
    "RoundPreview",
    "RoundRun",
    "ShowMatch",
    "StepDone",
    "Ties",
    "clean_text",
    "parse",
    "parse_date",
    "parse_mention",
]

_PROGRAMME_OPTION = re.compile(r"(?:^|\s)--programme(?:=|\s+)(?P<name>.+)$", re.IGNORECASE)


def parse(text: str, mentions: tuple[UserRef, ...] = ()) -> Parsed | CircleCommand | ParseError:
    """`mentions` are the accounts behind the MENTION_MARKs in `text`, in order."""
    try:
        return _parse(text, mentions)
    except Exception:  # never let odd input escape as an exception
        return ParseError("error_unknown_command", word=text[:40])


def _number_marks(text: str) -> str:
    """Each mention mark becomes a numbered token, so a mention is found wherever it is."""
    pieces = text.split(MENTION_MARK)
    numbered = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        numbered.append(f"{MENTION_MARK}{index}{MENTION_MARK}{piece}")
    return "".join(numbered)


def _parse(text: str, mentions: tuple[UserRef, ...]) -> Parsed | CircleCommand | ParseError:
    if len(text) > MAX_COMMAND_LENGTH:
        return ParseError("error_too_long")
    text = _number_marks(clean_text(text))
    # Some chat clients prefix the bot's own mention or the slash command.
    text = re.sub(r"^(?:/crossties|crossties)\b\s*", "", text, flags=re.IGNORECASE)
    programme: str | None = None
    option = _PROGRAMME_OPTION.search(text)
    if option:
        programme = option.group("name").strip().strip('"')[:MAX_NAME_LENGTH] or None
        text = text[: option.start()].strip()
    if not text:
        return Help(programme=programme)
    words = text.split(" ")
    head = words[0].lower()
    rest = text[len(words[0]) :].strip()
    rest_lower = rest.lower()

    match head:
        case "help" | "?" | "hello" | "hi":
            return Help(rest_lower or None, programme=programme)
        case "join":
            if len(rest) > MAX_NAME_LENGTH:
                return ParseError("error_too_long")
            return Join(rest or None, programme=programme)
        case "leave" | "stop":
            return (
                Leave(programme=programme)
                if not rest
                else ParseError("error_unexpected_words", word="leave", detail=rest)
            )
        case "pause" if names_organisation(rest_lower):
            return parse_pause_organisation(rest, programme)
        case "pause":
            return parse_pause(rest, programme)
        case "resume" | "unpause" if names_organisation(rest_lower):
            return parse_resume_organisation(rest, programme)
        case "resume" | "unpause":
            return (
                Resume(programme=programme)
                if not rest
                else ParseError("error_unexpected_words", word="resume", detail=rest)
            )
        case "profile":
            return parse_profile(rest, programme)
        case "match" | "intro" | "introduction":
            return ShowMatch(programme=programme)
        case "met":
            if rest_lower in {"", "yes"}:
                return Met(Answer.MET, programme=programme)
            if rest_lower in {"not yet", "no", "later"}:
                return Met(Answer.NOT_YET, programme=programme)
            if rest_lower in {"could not", "cannot", "can't", "could not meet", "no, could not"}:
                return Met(Answer.COULD_NOT_MEET, programme=programme)
            return ParseError("error_met_usage")
        case "not" if rest_lower == "yet":
            return Met(Answer.NOT_YET, programme=programme)
        case "could" if rest_lower in {"not meet", "not"}:
            return Met(Answer.COULD_NOT_MEET, programme=programme)
        case "log":
            return parse_log(rest, programme, mentions)
        case "ties" | "connections":
            return Ties(programme=programme)
        case "forget":
            if rest_lower == "me":
                return ForgetMe(False, programme=programme)
            if rest_lower in {"me confirm", "me now", "me yes"}:
                return ForgetMe(True, programme=programme)
            return ParseError("error_forget_usage")
        case "my" if rest_lower == "data":
            return MyData(programme=programme)
        case "report" | "reports":
            return Report(programme=programme)
        case "round":
            if rest_lower == "preview":
                return RoundPreview(programme=programme)
            if rest_lower == "run":
                return RoundRun(programme=programme)
            return ParseError("error_round_usage")
        case "exclude":
            return parse_exclude(rest, programme, mentions)
        case "step" | "next" if head == "step" or rest_lower.startswith("step"):
            return parse_step(rest if head == "step" else rest[4:].strip(), programme)
        case "programmes" | "programme" | "programs":
            return Programmes(programme=programme)
        case "checkins" | "checkin" | "check-ins" if rest_lower.split(" ")[:1] == ["send"]:
            return parse_checkins_send(rest[4:].strip(), programme)
        case "circle" | "circles":
            from bot.circle_commands import parse_circle  # the circle words, in their module

            return parse_circle(head, rest, programme)
    return ParseError("error_unknown_command", word=words[0][:40])
