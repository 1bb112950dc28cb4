"""What leads ask: the relationship report, aggregate and with small numbers suppressed.

A report is for the asker alone (`Message.private`): asked in a channel, only they see it,
with a "Share to channel" button; the share checks the lead role again and posts the same
report, for everyone there, in the conversation where it was asked.
"""

from __future__ import annotations

from dataclasses import replace

from bot import actions
from bot import commands as c
from bot.db.models import ProgrammeRoleKind
from bot.events import ConversationRef, ReportShared
from bot.handlers.turn import Turn
from bot.usecases.circle_report import circles_message
from bot.usecases.common import UseCaseError, audit, require_role
from bot.views import Reply


def report(turn: Turn, command: c.Report, asked_in: ConversationRef | None = None) -> Reply:
    from bot.reports.chat import report_message  # charts load only when a report is asked

    programme = turn.programme(command.programme)
    require_role(turn.session, turn.person, programme, ProgrammeRoleKind.LEAD)
    audit(turn.session, turn.now, turn.actor, "report", programme.id)
    share = None
    if asked_in is not None and asked_in.id and programme.id is not None:
        label = turn.prompts.render("report_share_button")
        share = actions.share_report_button(label, programme.id, asked_in.id)
    message = report_message(
        turn.session, programme, turn.prompts, turn.report_min_count, share=share
    )
    circles = circles_message(turn.session, programme, turn.prompts, turn.report_min_count)
    if circles is None:
        return Reply((message,))
    # the circles part goes where the report goes: privately when the report is private
    return Reply((message, replace(circles, private=message.private)))


def share(turn: Turn, event: ReportShared) -> Reply:
    """Post the report where it was asked, if the person is (still) a lead of the programme."""
    from bot.reports.chat import report_message

    if (
        event.channel.platform != turn.user.platform
        or event.channel.workspace != turn.user.workspace
    ):
        raise UseCaseError("error_bad_action")
    programme = turn.programme_by_id(event.programme)
    require_role(turn.session, turn.person, programme, ProgrammeRoleKind.LEAD)
    audit(turn.session, turn.now, turn.actor, "report_share", programme.id)
    shared = report_message(
        turn.session,
        programme,
        turn.prompts,
        turn.report_min_count,
        post_to=event.channel,
        shared_by=turn.person.name,
    )
    return Reply((shared, turn.say("report_shared")))
