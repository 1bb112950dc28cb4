"""Rounds that respect pressure: coordinators pause an organisation for a while; each person
sets how often they take part and the weekdays that suit them."""

from __future__ import annotations

from bot import commands as c
from bot.db.models import ProgrammeRoleKind
from bot.handlers.turn import Turn
from bot.usecases import pressure
from bot.usecases.common import require_role
from bot.views import Reply

PressureCommand = c.PauseOrganisation | c.ResumeOrganisation | c.ProfileCadence | c.ProfileDays


def command(turn: Turn, command: PressureCommand) -> Reply:
    match command:
        case c.PauseOrganisation():
            return pause_organisation(turn, command)
        case c.ResumeOrganisation():
            return resume_organisation(turn, command)
        case c.ProfileCadence():
            return profile_cadence(turn, command)
        case c.ProfileDays():
            return profile_days(turn, command)


def pause_organisation(turn: Turn, command: c.PauseOrganisation) -> Reply:
    programme = turn.programme(command.programme)
    require_role(turn.session, turn.person, programme, ProgrammeRoleKind.COORDINATOR)
    paused = pressure.pause_organisation(
        turn.session,
        turn.today,
        turn.now,
        programme,
        command.organisation,
        command.until,
        actor=turn.actor,
        by=turn.person,
    )
    said = turn.say(
        "organisation_paused",
        organisation=paused.organisation,
        programme=programme.name,
        until=paused.until,
        people=paused.people,
    )
    return Reply((said,))


def resume_organisation(turn: Turn, command: c.ResumeOrganisation) -> Reply:
    programme = turn.programme(command.programme)
    require_role(turn.session, turn.person, programme, ProgrammeRoleKind.COORDINATOR)
    name, was_paused = pressure.resume_organisation(
        turn.session, turn.now, programme, command.organisation, actor=turn.actor
    )
    said = turn.say(
        "organisation_resumed", organisation=name, programme=programme.name, was_paused=was_paused
    )
    return Reply((said,))


def profile_cadence(turn: Turn, command: c.ProfileCadence) -> Reply:
    pressure.set_cadence(turn.session, turn.now, turn.person, command.cadence)
    return Reply((turn.say("cadence_set", cadence=command.cadence.value),))


def profile_days(turn: Turn, command: c.ProfileDays) -> Reply:
    pressure.set_days(turn.session, turn.now, turn.person, command.days)
    return Reply((turn.say("days_set", chosen_days=list(command.days)),))
