"""What coordinators ask: rounds, exclusions, the programme form and inviting a channel."""

from __future__ import annotations

from bot import commands as c
from bot import presenters
from bot.db.models import Programme, ProgrammeRoleKind
from bot.events import FormOpened, FormSubmitted, MembersListed, Message
from bot.handlers.turn import Turn
from bot.ids import ProgrammeId
from bot.scheduling import times
from bot.usecases import coordination, programmes, rounds, ties
from bot.usecases.common import UseCaseError, audit, has_role, require_role, visible_programmes
from bot.views import ProgrammeFormView, ProgrammeSaved, Reply

CoordinatorCommand = c.RoundPreview | c.RoundRun | c.Exclude | c.Programmes


def command(turn: Turn, command: CoordinatorCommand) -> Reply:
    session, person, now = turn.session, turn.person, turn.now
    if isinstance(command, c.Programmes):
        return Reply((_programmes(turn),))
    programme = turn.programme(command.programme)
    require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
    match command:
        case c.RoundPreview():
            plan = rounds.plan_round(session, now, programme)
            audit(session, now, turn.actor, "round_preview", programme.id)
            return Reply((presenters.preview(turn.prompts, plan),))
        case c.RoundRun():
            summary = rounds.run_round(session, now, programme, turn.prompts, actor=turn.actor)
            done = turn.say("round_done", summary=summary, plan=summary.plan)
            return Reply((done,), queued=summary.messages_queued > 0)
        case c.Exclude(a=a, b=b):
            first = ties.resolve_mention(session, turn.user, a, programme)
            second = ties.resolve_mention(session, turn.user, b, programme)
            added = programmes.add_exclusion(
                session, now, programme, first, second, actor=turn.actor, by=person
            )
            return Reply((turn.say("excluded", added=added, a=first.name, b=second.name),))
    raise UseCaseError("error_unknown_command", word="")


def _programmes(turn: Turn) -> Message:
    """The programmes here; for coordinators a card with a form button per programme they
    coordinate and one for a new programme (platform admins are not known here)."""
    listed = visible_programmes(turn.session, turn.user)
    text = turn.prompts.render("programmes", programmes=[p.name for p in listed])
    mine = [
        (p.id, p.name)
        for p in listed
        if p.id is not None
        and has_role(turn.session, turn.person, p, ProgrammeRoleKind.COORDINATOR)
    ]
    creates = coordination.may_create(turn.session, turn.user, workspace_admin=False)
    if not mine and not creates:
        return Message.text(text, ephemeral=True)
    return presenters.programmes_card(turn.prompts, text, mine, creates)


def open_form(turn: Turn, event: FormOpened) -> Reply:
    """The form, after checking the person may fill it in (a coordinator of that programme to
    edit; someone who may create for a new one, unless the platform says so only on saving).
    Platforms without forms of their own say where to find one."""
    if event.workspace_admin is None:
        form = coordination.form_for(turn.session, turn.user, event.programme)
    else:
        value = str(event.programme) if event.programme is not None else ""
        form = coordination.open_form(
            turn.session, turn.user, value, workspace_admin=event.workspace_admin
        )
    view = ProgrammeFormView(form, programmes.CADENCES)
    return Reply((turn.say("programme_form_elsewhere"),), view=view)


def save_form(turn: Turn, event: FormSubmitted) -> Reply:
    programme = coordination.save_programme(
        turn.session,
        turn.now,
        turn.user,
        event.form,
        workspace_admin=event.workspace_admin,
        display_name=event.display_name,
    )
    assert programme.id is not None
    created = event.form.programme_id is None
    note = saved_note(turn, programme, created=created)
    view = ProgrammeSaved(ProgrammeId(programme.id), programme.name, created, note)
    return Reply((Message.text(note, ephemeral=True),), view=view)


def invite_members(turn: Turn, event: MembersListed) -> Reply:
    """Meet everyone listed; invite those not yet taking part (through the outbox)."""
    result = coordination.sync_members(
        turn.session, turn.now, turn.prompts, turn.user, event.programme, event.members
    )
    synced = turn.say(
        "synced",
        programme=result.programme,
        invited=result.invited,
        already=result.already_members,
        skipped=result.skipped,
    )
    return Reply((synced,), queued=result.invited > 0)


def saved_note(turn: Turn, programme: Programme, *, created: bool) -> str:
    """ "… is set up": with when its next round runs, in the reader's time zone, and when
    check-ins come."""
    return turn.prompts.render(
        "programme_saved",
        programme=programme.name,
        created=created,
        next_round_at=times.next_round_at(programme, turn.now),
        checkin_after=times.checkin_delay(programme),
        cadence=programme.cadence,
        timezone=turn.person.timezone,
        now=turn.now,
    )
