"""`crossties checkins send --at TIME [--programme NAME]` (imports its work only when run)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.formatting import count, words_list
from crossties.cli.errors import EXIT_BAD_INPUT, fail, friendly_errors
from crossties.cli.helptext import Typer

checkins_app = Typer(
    help="Send check-ins, nudges, follow-ups and next-step questions early.",
    no_args_is_help=True,
)


def parse_at(text: str) -> datetime:
    """An ISO 8601 time; one without a time zone is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(
            f"--at must be an ISO 8601 time such as 2026-12-14T09:00 or "
            f"2026-12-14T09:00+01:00 (got {text!r})",
            EXIT_BAD_INPUT,
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@checkins_app.command("send")
def checkins_send(
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="Send what would be due by this time: ISO 8601, e.g. 2026-12-14T09:00; "
            "a time without a time zone is UTC. Default: now.",
        ),
    ] = None,
    programme: Annotated[
        str | None,
        typer.Option(
            "--programme", "-p", help="Programme name (may be left out when there is only one)."
        ),
    ] = None,
) -> None:
    """Send early every check-in, nudge and follow-up, circle check-in and "did it happen?"
    question about a next step that would be due by --at."""
    due_by = parse_at(at) if at is not None else None  # before anything is opened or changed
    from bot.formatting import when
    from crossties.checkins import (
        CHECKIN_KINDS,
        CIRCLE_CHECKIN,
        FOLLOW_UP_KINDS,
        NUDGE_KINDS,
        STEP_CHECK,
        send_due_checkins,
    )
    from crossties.cli.app import services

    with friendly_errors():
        result = send_due_checkins(services(), programme, due_by)
    sent = (
        f"{count(result.sent_of(CHECKIN_KINDS), 'check-in')}, "
        f"{count(result.sent_of(NUDGE_KINDS), 'nudge')} and "
        f"{count(result.sent_of(FOLLOW_UP_KINDS), 'follow-up')} sent for {result.programme} "
        f"(due by {when(result.due_by, 'UTC', now=result.now)} UTC)"
    )
    circles, steps = result.sent[CIRCLE_CHECKIN], result.sent[STEP_CHECK]
    if circles or steps:
        extra = (count(circles, "circle check-in"), count(steps, '"did it happen?" question'))
        sent += ", with " + words_list(
            text for n, text in zip((circles, steps), extra, strict=True) if n
        )
    if result.waiting:
        sent += (
            f"; {count(result.waiting, 'message')} queued for delivery by `crossties serve` "
            f"({words_list(result.waiting_platforms)})"
        )
    if result.failed:
        sent += f"; {count(result.failed, 'message')} could not be delivered"
    typer.echo(sent + ".")
