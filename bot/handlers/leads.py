"""What leads ask: the relationship report, aggregate and with small numbers suppressed."""

from __future__ import annotations

from bot import commands as c
from bot.db.models import ProgrammeRoleKind
from bot.handlers.turn import Turn
from bot.usecases.circle_report import circles_message
from bot.usecases.common import audit, require_role
from bot.views import Reply


def report(turn: Turn, command: c.Report) -> Reply:
    from bot.reports.chat import report_message  # charts load only when a report is asked

    programme = turn.programme(command.programme)
    require_role(turn.session, turn.person, programme, ProgrammeRoleKind.LEAD)
    audit(turn.session, turn.now, turn.actor, "report", programme.id)
    message = report_message(turn.session, programme, turn.prompts, turn.report_min_count)
    circles = circles_message(turn.session, programme, turn.prompts, turn.report_min_count)
    return Reply((message,) if circles is None else (message, circles))
