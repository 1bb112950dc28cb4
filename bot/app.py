"""One place builds everything: settings → database → prompts → core. Passed in, never global."""

from __future__ import annotations

from dataclasses import dataclass

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


def build(settings: Settings, *, clock: Clock | None = None) -> Services:
    db = Database(settings.database_url)
    prompts = Prompts(settings.prompts_dir)
    clock = clock or SystemClock()
    core = Crossties(db, clock, prompts, report_min_count=settings.min_group_size_for_reports)
    return Services(settings, db, prompts, clock, core)
