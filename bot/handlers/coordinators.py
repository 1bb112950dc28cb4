"""What coordinators ask: rounds, exclusions, the programme form and inviting a channel."""

from __future__ import annotations

from bot import commands as c
from bot import presenters
from bot.db.models import Programme, ProgrammeRoleKind
from bot.events import FormOpened, FormSubmitted, MembersListed, Message, PreviewPageAsked
from bot.handlers import checkins as checkin_answers
from bot.handlers.turn import Turn
from bot.ids import ProgrammeId
from bot.preview import preview_message
from bot.scheduling import times
from bot.usecases import coordination, programmes, rounds, ties
from bot.usecases.common import UseCaseError, audit, has_role, require_role, visible_programmes
from bot.views import ProgrammeFormView, ProgrammeSaved, Reply

CoordinatorCommand = c.RoundPreview | c.RoundRun | c.Exclude | c.Programmes | c.CheckinsSend


def command(turn: Turn, command: CoordinatorCommand) -> Reply:
    session, person, now = turn.session, turn.person, turn.now
    if isinstance(command, c.Programmes):
        return Reply((_programmes(turn),))
    programme = turn.programme(command.programme)
    require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
    match command:
        case c.RoundPreview():
            return _preview(turn, programme)
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
        case c.CheckinsSend():
            return checkin_answers.send_early(turn, programme, command)
    raise UseCaseError("error_unknown_command", word="")


def _preview(turn: Turn, programme: Programme, page: int = 1) -> Reply:
    plan = rounds.plan_round(turn.session, turn.now, programme)
    detail = {"page": page} if page > 1 else {}
    audit(turn.session, turn.now, turn.actor, "round_preview", programme.id, **detail)
    assert programme.id is not None
    return Reply((preview_message(turn.prompts, plan, programme.id, page),))


def preview_page(turn: Turn, event: PreviewPageAsked) -> Reply:
    """Another page of the preview: the round is planned again (the same plan: its seed is
    fixed), after checking the person coordinates the programme."""
    programme = turn.programme_by_id(event.programme)
    require_role(turn.session, turn.person, programme, ProgrammeRoleKind.COORDINATOR)
    return _preview(turn, programme, event.page)


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
    """The form, only after checking the person may fill it in: a coordinator of that
    programme to edit; for a new one, someone who may create (a workspace admin only when the
    platform says so now: `workspace_admin` None counts as not). Nobody sees a form whose
    saving would be refused. Platforms without forms of their own say where to find one."""
    value = str(event.programme) if event.programme is not None else ""
    admin = bool(event.workspace_admin)
    form = coordination.open_form(turn.session, turn.user, value, workspace_admin=admin)
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
