"""One place builds everything: settings → database → prompts → core. Passed in, never global."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.backlog import Backlog
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.core import Crossties
from bot.db.session import Database
from bot.templates import Prompts


@dataclass
class Services:
    settings: Settings
    db: Database
    prompts: Prompts
    clock: Clock
    core: Crossties
    backlog: Backlog = field(init=False)

    def __post_init__(self) -> None:
        self.backlog = Backlog(self.settings.backlog)


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
