"""What a running process holds of the core: settings, database, prompts, clock and the core
itself. Built by the wiring (crossties/wiring.py) and passed in, never global."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.backlog import Backlog
from bot.clock import Clock
from bot.config import Settings
from bot.core import Crossties
from bot.db.session import Database
from bot.health import Health
from bot.templates import Prompts


@dataclass
class Services:
    settings: Settings
    db: Database
    prompts: Prompts
    clock: Clock
    core: Crossties
    backlog: Backlog = field(init=False)
    health: Health = field(init=False)

    def __post_init__(self) -> None:
        self.backlog = Backlog(self.settings.backlog)
        self.health = Health()
