"""What staff ask: joining, pausing, their profile, introduction, check-ins, ties, erasure."""

from __future__ import annotations

from bot import commands as c
from bot import presenters
from bot.db.models import MembershipStatus, ProgrammeRoleKind
from bot.events import Card, CheckInAnswered, Message, PauseRequested, Text
from bot.handlers import checkins as checkin_answers
from bot.handlers.turn import Turn
from bot.scheduling import times
from bot.usecases import checkins, coordination, erasure, my_data, people, profile, ties
from bot.usecases.common import UseCaseError, has_role, visible_programmes
from bot.views import Reply

StaffCommand = (
    c.Help
    | c.Join
    | c.Leave
    | c.Pause
    | c.Resume
    | c.Profile
    | c.ShowMatch
    | c.Met
    | c.Log
    | c.Ties
    | c.ForgetMe
    | c.MyData
)


def command(turn: Turn, command: StaffCommand) -> Reply:
    session, person, say = turn.session, turn.person, turn.say
    match command:
        case c.Help():
            roles = _roles(turn)
            return Reply((_help(turn, roles),))
        case c.Join(organisation=organisation):
            programme = turn.programme(command.programme)
            result = people.join(session, turn.now, person, programme, organisation)
            joined = say(
                "joined",
                programme=result.programme,
                organisation=result.organisation,
                rejoined=result.rejoined,
                next_round_at=times.next_round_at(programme, turn.now),
                timezone=person.timezone,
                now=turn.now,
                command_prefix=COMMAND_PREFIX.get(turn.user.platform, ""),
            )
            return Reply((joined,))
        case c.Leave():
            programme = turn.programme(command.programme)
            people.leave(session, turn.now, person, programme)
            return Reply((say("left", programme=programme.name),))
        case c.Pause(until=until, weeks=weeks):
            programme = turn.programme(command.programme)
            until = people.pause(
                session, turn.today, turn.now, person, programme, until=until, weeks=weeks
            )
            return Reply((say("paused", programme=programme.name, until=until),))
        case c.Resume():
            programme = turn.programme(command.programme)
            was = people.resume(session, turn.now, person, programme)
            return Reply((say("resumed", programme=programme.name, was_paused=was),))
        case c.Profile(field_name=None):
            return Reply((presenters.profile(turn.prompts, profile.profile(session, person)),))
        case c.Profile(field_name=field_name, value=value):
            where = turn.programme(command.programme) if field_name == "organisation" else None
            assert field_name is not None and value is not None
            profile.update_profile(session, turn.now, person, field_name, value, where)
            return Reply((say("profile_updated", field=field_name),))
        case c.ShowMatch():
            scope = turn.programme_or_none(command.programme)
            intro = checkins.latest_introduction(session, person, scope)
            if intro is None:
                return Reply((say("no_match"),))
            info = checkins.describe(session, intro, person, turn.prompts)
            return Reply((presenters.current_match(turn.prompts, info),))
        case c.Met(answer=answer):
            scope = turn.programme_or_none(command.programme)
            intro = checkins.latest_introduction(session, person, scope)
            if intro is None or intro.id is None:
                raise UseCaseError("error_no_introduction")
            answered = checkins.record_answer(
                session, turn.now, person, intro.id, answer, turn.prompts
            )
            return Reply((checkin_answers.thanks_for(turn, answered),), queued=bool(answered.told))
        case c.Log(person=mention, note=note, tags=tags):
            programme = turn.programme(command.programme)
            people.require_membership(session, person, programme)
            other = ties.resolve_mention(session, turn.user, mention, programme)
            ties.log_collaboration(session, turn.now, person, other, programme, note, tags)
            return Reply((say("logged", name=other.name or "them", tags=list(tags)),))
        case c.Ties():
            views = ties.my_ties(session, person)
            if not views:
                return Reply((say("no_ties"),))
            return Reply((presenters.ties_card(turn.prompts, views),))
        case c.ForgetMe(confirmed=False):
            return Reply((presenters.forget_confirmation(turn.prompts),))
        case c.ForgetMe(confirmed=True):
            gone = my_data.accounts_of(session, person)
            erasure.forget(session, turn.now, person)
            return Reply((say("forgotten"),), forgotten=gone)
        case c.MyData():
            return Reply(
                (presenters.my_data(turn.prompts, my_data.my_data_record(session, person)),)
            )
    raise UseCaseError("error_unknown_command", word="")


def answer_checkin(turn: Turn, event: CheckInAnswered) -> Reply:
    """Record the answer for the group; the view carries what a platform needs to redraw."""
    return checkin_answers.answer(turn, event)


def pause(turn: Turn, event: PauseRequested) -> Reply:
    if event.programme is not None:
        programme = turn.programme_by_id(event.programme)
    else:
        programme = turn.programme(None)
    until = people.pause(
        turn.session, turn.today, turn.now, turn.person, programme, weeks=event.weeks
    )
    return Reply((turn.say("paused", programme=programme.name, until=until),))


def _roles(turn: Turn) -> set[str]:
    found: set[str] = set()
    for programme in visible_programmes(turn.session, turn.user):
        for role in ProgrammeRoleKind:
            if has_role(turn.session, turn.person, programme, role):
                found.add(role.value)
    return found


# The words typed before a command on each platform: Slack's slash command; Teams and the
# terminal take the bare words.
COMMAND_PREFIX = {"slack": "/crossties"}


def _help(turn: Turn, roles: set[str]) -> Message:
    return turn.say(
        "help",
        coordinator="coordinator" in roles,
        lead="lead" in roles,
        command_prefix=COMMAND_PREFIX.get(turn.user.platform, ""),
    )


def welcome(turn: Turn) -> Reply:
    """Hello from the bot; with one programme open here that the person has not joined, its
    organisations to pick from (a list on every platform, however many there are)."""
    programmes = list(visible_programmes(turn.session, turn.user))
    names = [p.name for p in programmes]
    offer = None
    if len(programmes) == 1:
        programme = programmes[0]
        membership = people.membership_of(turn.session, turn.person, programme)
        if membership is None or membership.status == MembershipStatus.LEFT:
            offer = programme
    organisations = (
        [o.name for o in people.programme_organisations(turn.session, offer)] if offer else []
    )
    text = turn.prompts.render(
        "welcome",
        name=turn.person.name,
        programmes=names,
        organisations=organisations,
        choices=bool(organisations),
    )
    if offer is None or not organisations:
        return Reply((Message.text(text, ephemeral=True),))
    buttons, choices = coordination.join_choices(turn.prompts, offer.name, organisations)
    card = Card(
        title=turn.prompts.render("invite_title", programme=offer.name),
        sections=(
            turn.prompts.render(
                "welcome_choose",
                programme=offer.name,
                next_round_at=times.next_round_at(offer, turn.now),
                timezone=turn.person.timezone,
                now=turn.now,
            ),
        ),
        buttons=buttons,
        choices=choices,
    )
    return Reply((Message((Text(text), card), ephemeral=True),))
