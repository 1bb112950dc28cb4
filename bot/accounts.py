"""Every read and write of a person's chat accounts (`PlatformAccount`) lives here.

An account is one person on one platform: (platform, workspace or tenant, user id), with what
the bot learnt to reach them later — the stored proactive address (a Teams conversation
reference), the Slack DM channel, and whether they can be reached at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.db.models import IntroductionMember, Membership, Person, PlatformAccount, ProgrammeRole
from bot.db.session import Database
from bot.events import PLATFORMS, UserRef
from bot.ids import PersonId
from bot.usecases.bulk import select_in, write_rows

AccountKey = tuple[str, str, str]  # (platform, workspace, user id)


@dataclass(frozen=True)
class Contact:
    """How a partner in an introduction may be reached by someone on another account: their
    stored address on the same platform and workspace (if any) and an email they share."""

    person_id: PersonId
    address: str | None
    email: str | None


def account_for(session: Session, user: UserRef) -> PlatformAccount | None:
    """The one look-up of an account by (platform, workspace, user id)."""
    return session.exec(
        select(PlatformAccount).where(
            PlatformAccount.platform == user.platform,
            PlatformAccount.workspace == user.workspace,
            PlatformAccount.user_id == user.id,
        )
    ).first()


def person_for(session: Session, user: UserRef) -> Person | None:
    account = account_for(session, user)
    if account is None:
        return None
    return session.get(Person, account.person_id)


def person_of_user(session: Session, platform: str, workspace: str, user_id: str) -> Person | None:
    return person_for(session, UserRef(platform, workspace, user_id))  # type: ignore[arg-type]


def add_account(
    session: Session, person_id: int, user: UserRef, now: datetime, *, address: str | None = None
) -> PlatformAccount:
    account = PlatformAccount(
        person_id=person_id,
        platform=user.platform,
        workspace=user.workspace,
        user_id=user.id,
        address=address,
        created_at=now,
    )
    session.add(account)
    return account


def store_address(session: Session, account: PlatformAccount, address: str | None) -> None:
    """Keep a newly learnt proactive address; a person the bot can address is reachable."""
    if address and account.address != address:
        account.address = address
        account.reachable = True
        session.add(account)


def accounts_of(session: Session, person_id: int) -> list[PlatformAccount]:
    return list(
        session.exec(select(PlatformAccount).where(PlatformAccount.person_id == person_id)).all()
    )


def refs_of(session: Session, person_id: int) -> tuple[UserRef, ...]:
    """The person's chat accounts, as references."""
    return tuple(
        UserRef(account.platform, account.workspace, account.user_id)
        for account in accounts_of(session, person_id)
        if account.platform in PLATFORMS
    )


def delete_accounts(session: Session, person_id: int) -> None:
    session.execute(delete(PlatformAccount).where(col(PlatformAccount.person_id) == person_id))


def first_reachable(session: Session, person_id: int) -> PlatformAccount | None:
    """The account to message a person on: a real platform before the local one."""
    return session.exec(
        select(PlatformAccount)
        .where(PlatformAccount.person_id == person_id, col(PlatformAccount.reachable).is_(True))
        .order_by(col(PlatformAccount.platform) == "local", col(PlatformAccount.id))
    ).first()


def set_reachable(session: Session, user: UserRef, reachable: bool) -> bool:
    """Mark whether the bot can message this person (the app was installed or removed)."""
    account = account_for(session, user)
    if account is None or account.reachable == reachable:
        return False
    account.reachable = reachable
    session.add(account)
    return True


def mark_unreachable(
    session: Session, platform: str, workspace: str, user_ids: Iterable[str]
) -> None:
    for user_id in user_ids:
        for account in session.exec(
            select(PlatformAccount).where(
                PlatformAccount.platform == platform,
                PlatformAccount.workspace == workspace,
                PlatformAccount.user_id == user_id,
            )
        ).all():
            account.reachable = False
            session.add(account)


def remember_dm(session: Session, user: UserRef, channel: str) -> bool:
    """Keep the person's direct chat with the bot, so later messages need not open one."""
    account = account_for(session, user)
    if account is None or account.dm_channel == channel:
        return False
    account.dm_channel = channel
    session.add(account)
    return True


@dataclass(frozen=True)
class Stored:
    """What is kept for reaching one account."""

    address: str | None = None
    dm_channel: str | None = None


def stored(session: Session, user: UserRef) -> Stored:
    account = account_for(session, user)
    if account is None:
        return Stored()
    return Stored(account.address, account.dm_channel)


@dataclass(frozen=True)
class Reach:
    """What is stored about reaching the recipients of one message."""

    addresses: dict[str, str]  # user id → stored proactive address
    dm_channels: dict[str, str]  # user id → the bot's direct chat with them


def reach(session: Session, platform: str, workspace: str, user_ids: Sequence[str]) -> Reach:
    rows = session.exec(
        select(PlatformAccount).where(
            PlatformAccount.platform == platform,
            PlatformAccount.workspace == workspace,
            col(PlatformAccount.user_id).in_(list(user_ids)),
        )
    ).all()
    return Reach(
        addresses={row.user_id: row.address for row in rows if row.address},
        dm_channels={row.user_id: row.dm_channel for row in rows if row.dm_channel},
    )


def contacts(
    session: Session, introduction_id: int, platform: str, workspace: str, user_ids: Sequence[str]
) -> dict[str, tuple[Contact, ...]]:
    """For each recipient (by user id), how their partners in an introduction may be reached:
    a stored address on the same platform and workspace, an email a partner shares."""
    person_ids = [
        m.person_id
        for m in session.exec(
            select(IntroductionMember)
            .where(IntroductionMember.introduction_id == introduction_id)
            .order_by(col(IntroductionMember.person_id))
        ).all()
    ]
    return contacts_among(session, person_ids, platform, workspace, user_ids)


def contacts_among(
    session: Session,
    person_ids: Sequence[int],
    platform: str,
    workspace: str,
    user_ids: Sequence[str],
) -> dict[str, tuple[Contact, ...]]:
    """For each recipient (by user id), how each of these people other than themselves may
    be reached: a stored address on the same platform and workspace, an email they share."""
    person_ids = list(person_ids)
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids)))}
    rows = session.exec(
        select(PlatformAccount).where(col(PlatformAccount.person_id).in_(person_ids))
    ).all()
    address: dict[int, str] = {}
    recipient_person: dict[str, int] = {}
    for row in rows:
        if row.platform == platform and row.workspace == workspace:
            recipient_person[row.user_id] = row.person_id
            if row.address:
                address.setdefault(row.person_id, row.address)
    found: dict[str, tuple[Contact, ...]] = {}
    for user_id in user_ids:
        me = recipient_person.get(user_id)
        listed: list[Contact] = []
        for person_id in person_ids:
            person = people.get(person_id)
            if person_id == me or person is None:
                continue
            shared = person.email if person.share_email and not person.erased else None
            listed.append(Contact(PersonId(person_id), address.get(person_id), shared))
        found[user_id] = tuple(listed)
    return found


def coordinator_accounts(session: Session, programme_id: int) -> list[PlatformAccount]:
    """The reachable accounts of a programme's coordinators, oldest first."""
    from bot.db.models import ProgrammeRoleKind

    return list(
        session.exec(
            select(PlatformAccount)
            .join(ProgrammeRole, col(ProgrammeRole.person_id) == col(PlatformAccount.person_id))
            .where(
                ProgrammeRole.programme_id == programme_id,
                ProgrammeRole.role == ProgrammeRoleKind.COORDINATOR,
                col(PlatformAccount.reachable).is_(True),
            )
            .order_by(col(PlatformAccount.id))
        ).all()
    )


def local_user(db: Database, who: str) -> UserRef:
    """The local account of the one person known by this name, roster id or email (for
    `crossties chat --as`); refused politely when nobody or several are."""
    from bot.usecases.common import UseCaseError

    with db.session() as session:
        try:
            found = local_account_named(session, who)
        except LookupError:
            raise UseCaseError("error_ambiguous_person", name=who) from None
    if found is None:
        raise UseCaseError("error_unknown_person", name=who)
    return found


def local_account_named(session: Session, who: str) -> UserRef | None:
    """The local account of the one person known by this name, roster id or email; None
    when nobody is; LookupError when several are."""
    wanted = who.strip().casefold()
    people = session.exec(select(Person).where(col(Person.erased).is_(False))).all()
    matches = [
        p
        for p in people
        if wanted
        in {(p.name or "").casefold(), (p.external_id or "").casefold(), (p.email or "").casefold()}
    ]
    if not matches and wanted:  # "Aisha" for Aisha Khan, when she is the only Aisha
        matches = [p for p in people if (p.name or "").casefold().split()[:1] == [wanted]]
    if len(matches) > 1:
        raise LookupError(who)
    if not matches:
        return None
    account = session.exec(
        select(PlatformAccount).where(
            PlatformAccount.person_id == matches[0].id, PlatformAccount.platform == "local"
        )
    ).first()
    if account is None:
        return None
    return UserRef("local", account.workspace, account.user_id)


# --------------------------------------------------------------------------- in bulk


@dataclass(frozen=True)
class Address:
    """Where a person is reached: their first reachable account."""

    platform: str
    workspace: str
    user_id: str


def owners_of(session: Session, users: Sequence[UserRef]) -> dict[AccountKey, int]:
    """Who already owns each of these accounts (person id by account), one query a place."""
    by_place: dict[tuple[str, str], list[str]] = {}
    for user in users:
        by_place.setdefault((user.platform, user.workspace), []).append(user.id)
    owners: dict[AccountKey, int] = {}
    for (platform, workspace), user_ids in by_place.items():
        found = select_in(
            session,
            "SELECT user_id, person_id FROM platformaccount "
            "WHERE platform = {p} AND workspace = {p} AND user_id IN ({values})",
            user_ids,
            (platform, workspace),
        )
        for user_id, person_id in found:
            owners[(platform, workspace, str(user_id))] = int(person_id)
    return owners


def add_accounts(session: Session, now: datetime, accounts: dict[AccountKey, int]) -> None:
    """New reachable accounts (person id by account) in one set-based write; the caller has
    checked that none of them is stored already."""
    write_rows(
        session,
        PlatformAccount,
        ("person_id", "platform", "workspace", "user_id", "reachable", "created_at"),
        [
            (person_id, platform, workspace, user_id, True, now)
            for (platform, workspace, user_id), person_id in accounts.items()
        ],
    )


def member_addresses(session: Session, programme_id: int) -> dict[int, Address]:
    """Each member's account to reach them on: the first reachable one they registered."""
    rows = session.execute(
        sa_select(
            col(PlatformAccount.person_id),
            col(PlatformAccount.platform),
            col(PlatformAccount.workspace),
            col(PlatformAccount.user_id),
            col(PlatformAccount.id),
        )
        .where(
            col(PlatformAccount.reachable).is_(True),
            col(PlatformAccount.person_id).in_(
                select(Membership.person_id).where(Membership.programme_id == programme_id)
            ),
        )
        .order_by(col(PlatformAccount.id))
    ).all()
    addresses: dict[int, Address] = {}
    # A real chat platform first; the local terminal chat only when there is nothing else.
    for person_id, platform, workspace, user_id, _ in sorted(
        rows, key=lambda r: (r[1] == "local", r[4] or 0)
    ):
        addresses.setdefault(person_id, Address(platform, workspace, user_id))
    return addresses
