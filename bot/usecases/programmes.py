"""Coordinator set-up: programmes, their organisations, roles, roster import, exclusions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.commands import clean_text
from bot.db.models import (
    AuditLog,
    CheckIn,
    Exclusion,
    Introduction,
    IntroductionChat,
    IntroductionMember,
    Membership,
    NextStep,
    Outbox,
    Person,
    Programme,
    ProgrammeOrganisation,
    ProgrammeRole,
    ProgrammeRoleKind,
    ProgrammeWorkspace,
    Round,
    Tie,
    TieEvent,
)
from bot.scheduling import times
from bot.usecases.common import (
    UseCaseError,
    audit,
    get_or_create_organisation,
    require_id,
)
from bot.usecases.roles import grant
from bot.usecases.roster import (
    ImportResult,
    RosterError,
    RosterRow,
    import_roster,
    read_roster,
    read_roster_file,
)
from bot.zones import canonical_timezone

__all__ = [
    "CADENCES",
    "ImportResult",
    "ProgrammeSettings",
    "RosterError",
    "RosterRow",
    "add_exclusion",
    "bind_workspace",
    "create_programme",
    "delete_programme",
    "grant",
    "import_roster",
    "read_roster",
    "read_roster_file",
    "set_organisations",
    "set_paused",
    "update_programme",
]

CADENCES = ("weekly", "fortnightly", "monthly")


@dataclass(frozen=True)
class ProgrammeSettings:
    name: str
    organisations: tuple[str, ...]
    cadence: str = "fortnightly"
    group_size: int = 2
    weekday: int = 0
    hour: int = 9
    timezone: str = "Europe/London"
    cross_organisation: bool = True
    checkin_days: int = 7
    nudge_days: int = 3
    # The check-in delay as a coordinator writes it ("7d", "36h", "10m"); when given it wins
    # over `checkin_days`. `validate` puts the minutes in `checkin_minutes`.
    checkin_delay: str | None = None
    checkin_minutes: int | None = None
    workspaces: tuple[tuple[str, str], ...] = ()  # (platform, workspace)
    is_demo: bool = False
    circle_proposals: bool = False  # members may propose circle topics (a new programme)

    def validate(self) -> ProgrammeSettings:
        name = clean_text(self.name)
        if not name:
            raise UseCaseError("error_programme_name")
        if len(name) > 200:
            raise UseCaseError("error_too_long")
        unique: dict[str, str] = {}
        for organisation in self.organisations:
            cleaned = clean_text(organisation)
            if cleaned:
                unique.setdefault(cleaned.casefold(), cleaned)
        organisations = tuple(unique.values())
        if any(len(o) > 200 for o in organisations):
            raise UseCaseError("error_too_long")
        if len(organisations) < 2:
            raise UseCaseError("error_programme_organisations")
        if self.cadence not in CADENCES:
            raise UseCaseError("error_cadence", value=self.cadence)
        if self.group_size not in (2, 3):
            raise UseCaseError("error_group_size", value=self.group_size)
        if not 0 <= self.weekday <= 6 or not 0 <= self.hour <= 23:
            raise UseCaseError("error_schedule")
        timezone = canonical_timezone(self.timezone)
        if timezone is None:
            raise UseCaseError("error_bad_timezone", value=self.timezone)
        if not 1 <= self.checkin_days <= 60 or not 1 <= self.nudge_days <= 30:
            raise UseCaseError("error_checkin_days")
        minutes = self.checkin_minutes
        if self.checkin_delay is not None:
            try:
                minutes = times.parse_delay(self.checkin_delay)
            except times.BadDuration:
                raise UseCaseError("error_checkin_delay", value=self.checkin_delay) from None
        checkin_days = self.checkin_days if minutes is None else times.whole_days(minutes)
        return ProgrammeSettings(
            name=name,
            organisations=organisations,
            cadence=self.cadence,
            group_size=self.group_size,
            weekday=self.weekday,
            hour=self.hour,
            timezone=timezone,
            cross_organisation=self.cross_organisation,
            checkin_days=checkin_days,
            nudge_days=self.nudge_days,
            checkin_minutes=minutes,
            workspaces=self.workspaces,
            is_demo=self.is_demo,
            circle_proposals=self.circle_proposals,
        )


def create_programme(
    session: Session,
    now: datetime,
    settings: ProgrammeSettings,
    *,
    actor: str = "cli",
    coordinator: Person | None = None,
) -> Programme:
    settings = settings.validate()
    existing = session.exec(select(Programme)).all()
    if any(p.name.casefold() == settings.name.casefold() for p in existing):
        raise UseCaseError("error_programme_exists", name=settings.name)
    programme = Programme(
        name=settings.name,
        cadence=settings.cadence,
        group_size=settings.group_size,
        weekday=settings.weekday,
        hour=settings.hour,
        timezone=settings.timezone,
        cross_organisation=settings.cross_organisation,
        checkin_days=settings.checkin_days,
        checkin_minutes=settings.checkin_minutes,
        nudge_days=settings.nudge_days,
        is_demo=settings.is_demo,
        circle_proposals=settings.circle_proposals,
        created_at=now,
    )
    session.add(programme)
    session.flush()
    set_organisations(session, now, programme, settings.organisations)
    for platform, workspace in settings.workspaces:
        bind_workspace(session, programme, platform, workspace)
    if coordinator is not None:
        grant(session, now, programme, coordinator, ProgrammeRoleKind.COORDINATOR, actor=actor)
    audit(
        session,
        now,
        actor,
        "programme_create",
        programme.id,
        organisations=list(settings.organisations),
        cadence=settings.cadence,
    )
    return programme


def update_programme(
    session: Session,
    now: datetime,
    programme: Programme,
    settings: ProgrammeSettings,
    *,
    actor: str,
) -> Programme:
    settings = settings.validate()
    clash = session.exec(select(Programme).where(Programme.id != programme.id)).all()
    if any(p.name.casefold() == settings.name.casefold() for p in clash):
        raise UseCaseError("error_programme_exists", name=settings.name)
    programme.name = settings.name
    programme.cadence = settings.cadence
    programme.group_size = settings.group_size
    programme.weekday = settings.weekday
    programme.hour = settings.hour
    programme.timezone = settings.timezone
    programme.cross_organisation = settings.cross_organisation
    programme.checkin_days = settings.checkin_days
    programme.checkin_minutes = settings.checkin_minutes
    programme.nudge_days = settings.nudge_days
    session.add(programme)
    set_organisations(session, now, programme, settings.organisations)
    audit(session, now, actor, "programme_update", programme.id, cadence=settings.cadence)
    return programme


def set_organisations(
    session: Session,
    now: datetime,
    programme: Programme,
    names: tuple[str, ...],
) -> None:
    programme_id = require_id(programme.id)
    session.execute(
        delete(ProgrammeOrganisation).where(col(ProgrammeOrganisation.programme_id) == programme_id)
    )
    for name in names:
        organisation = get_or_create_organisation(session, name, now)
        session.add(
            ProgrammeOrganisation(
                programme_id=programme_id, organisation_id=require_id(organisation.id)
            )
        )
    session.flush()


def bind_workspace(session: Session, programme: Programme, platform: str, workspace: str) -> None:
    key = (programme.id, platform, workspace)
    if session.get(ProgrammeWorkspace, key) is None:
        session.add(
            ProgrammeWorkspace(
                programme_id=require_id(programme.id), platform=platform, workspace=workspace
            )
        )
        session.flush()


def set_paused(
    session: Session, now: datetime, programme: Programme, paused: bool, *, actor: str
) -> None:
    programme.paused = paused
    session.add(programme)
    audit(session, now, actor, "programme_pause" if paused else "programme_resume", programme.id)


def delete_programme(session: Session, programme: Programme) -> None:
    """Remove a programme and everything made in it (used to replace the demo)."""
    programme_id = require_id(programme.id)
    intro_ids = list(
        session.exec(select(Introduction.id).where(Introduction.programme_id == programme_id)).all()
    )
    tie_ids = list(session.exec(select(Tie.id).where(Tie.programme_id == programme_id)).all())
    if tie_ids:
        session.execute(delete(TieEvent).where(col(TieEvent.tie_id).in_(tie_ids)))
        session.execute(delete(Tie).where(col(Tie.id).in_(tie_ids)))
    session.execute(delete(Outbox).where(col(Outbox.programme_id) == programme_id))
    session.execute(delete(NextStep).where(col(NextStep.programme_id) == programme_id))
    if intro_ids:
        session.execute(delete(TieEvent).where(col(TieEvent.introduction_id).in_(intro_ids)))
        for table in (CheckIn, IntroductionMember, IntroductionChat):
            session.execute(delete(table).where(col(table.introduction_id).in_(intro_ids)))
        session.execute(delete(Introduction).where(col(Introduction.id).in_(intro_ids)))
    from bot.usecases.circles import delete_for_programme  # circles first: they point at people

    delete_for_programme(session, programme_id)
    for table2 in (Round, Membership, Exclusion, AuditLog):
        session.execute(delete(table2).where(col(table2.programme_id) == programme_id))
    for table3 in (ProgrammeOrganisation, ProgrammeRole, ProgrammeWorkspace):
        session.execute(delete(table3).where(col(table3.programme_id) == programme_id))
    session.execute(delete(Programme).where(col(Programme.id) == programme_id))
    session.flush()


def add_exclusion(
    session: Session,
    now: datetime,
    programme: Programme,
    a: Person,
    b: Person,
    *,
    actor: str,
    by: Person | None = None,
) -> bool:
    if a.id == b.id:
        raise UseCaseError("error_exclude_self")
    low, high = sorted((require_id(a.id), require_id(b.id)))
    existing = session.exec(
        select(Exclusion).where(
            Exclusion.programme_id == programme.id,
            Exclusion.person_a_id == low,
            Exclusion.person_b_id == high,
        )
    ).first()
    if existing is not None:
        return False
    session.add(
        Exclusion(
            programme_id=require_id(programme.id),
            person_a_id=low,
            person_b_id=high,
            created_by=by.id if by else None,
            created_at=now,
        )
    )
    audit(session, now, actor, "exclude", programme.id)
    return True
