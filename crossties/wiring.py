"""One place builds everything: settings → database → prompts → core. Passed in, never global.

`crossties serve` goes on to delivery, the scheduler and the adapters (crossties/server.py).
Commands that only read and write the database take `basics`, which leaves out the core and
so never imports matching, charts or the chat grammar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db.session import Database
from bot.templates import Prompts

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from bot.app import Services


@dataclass(frozen=True)
class Basics:
    """What every command needs: settings, the database (migrated), prompts and a clock."""

    settings: Settings
    db: Database
    prompts: Prompts
    clock: Clock


def basics(settings: Settings, *, clock: Clock | None = None) -> Basics:
    if settings.uses_default_database:  # the user's data folder may not exist yet
        from bot.paths import default_database_path

        default_database_path().parent.mkdir(parents=True, exist_ok=True)
    return Basics(
        settings,
        Database(settings.database_url),
        Prompts(settings.prompts_dir),
        clock or SystemClock(),
    )


def build(
    settings: Settings, *, clock: Clock | None = None, registry: CollectorRegistry | None = None
) -> Services:
    """Everything, the core included. The core reports its work to the server's metrics,
    kept in `registry` (a new one unless given): no process-wide registry is used."""
    from prometheus_client import CollectorRegistry

    from bot.app import Services
    from bot.core import Crossties
    from crossties.metrics import Metrics

    base = basics(settings, clock=clock)
    metrics = Metrics(registry if registry is not None else CollectorRegistry(), base.db)
    core = Crossties(
        base.db,
        base.clock,
        base.prompts,
        report_min_count=settings.min_group_size_for_reports,
        concurrency=settings.work_concurrency,
        observer=metrics,
    )
    return Services(settings, base.db, base.prompts, base.clock, core)
