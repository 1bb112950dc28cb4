"""One place builds everything: settings → database → prompts → core. Passed in, never global.

`crossties serve` goes on to delivery, the scheduler and the adapters (crossties/server.py).
"""

from __future__ import annotations

from bot.app import Services
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.core import Crossties
from bot.db.session import Database
from bot.templates import Prompts


def build(settings: Settings, *, clock: Clock | None = None) -> Services:
    db = Database(settings.database_url)
    prompts = Prompts(settings.prompts_dir)
    clock = clock or SystemClock()
    core = Crossties(
        db,
        clock,
        prompts,
        report_min_count=settings.min_group_size_for_reports,
        concurrency=settings.work_concurrency,
    )
    return Services(settings, db, prompts, clock, core)
