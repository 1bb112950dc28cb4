"""One event's working context: its transaction, the person behind it and how to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.db.models import Person, Programme
from bot.events import Message, UserRef
from bot.templates import Prompts
from bot.usecases.common import UseCaseError, resolve_programme, visible_programmes


@dataclass(frozen=True)
class Turn:
    session: Session
    now: datetime
    prompts: Prompts
    user: UserRef
    person: Person
    report_min_count: int = 5

    def say(self, prompt: str, /, **context: object) -> Message:
        return Message.text(self.prompts.render(prompt, **context), ephemeral=True)

    @property
    def today(self) -> date:
        """The person's calendar date (pauses end on a date where they live)."""
        try:
            return self.now.astimezone(ZoneInfo(self.person.timezone)).date()
        except Exception:
            return self.now.date()

    @property
    def actor(self) -> str:
        return f"person:{self.person.id}"

    def programme(self, name: str | None) -> Programme:
        return resolve_programme(self.session, name, self.user)

    def programme_or_none(self, name: str | None) -> Programme | None:
        try:
            return self.programme(name)
        except UseCaseError:
            if name:
                raise
            return None

    def programme_by_id(self, programme_id: int) -> Programme:
        """A programme named by id on a button or form: only one visible to this person."""
        for programme in visible_programmes(self.session, self.user):
            if programme.id == programme_id:
                return programme
        raise UseCaseError("error_bad_action")
