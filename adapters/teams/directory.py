"""What the Teams adapter reads from the database: stored addresses, partners' chat handles
(for the deep links on an introduction card) and the card a check-in button belongs to.

All functions are blocking; callers run them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select

from adapters.teams.translate import Address
from bot.compose import CHECKIN_ACTION
from bot.db.models import CheckIn, IntroductionMember, Outbox, Person, PlatformAccount
from bot.db.session import Database
from bot.events import Card, Message, UserRef
from bot.outbox import decode_message


def addresses(db: Database, tenant: str, user_ids: Iterable[str]) -> dict[str, Address]:
    wanted = list(user_ids)
    with db.session() as session:
        rows = session.exec(
            select(PlatformAccount).where(
                PlatformAccount.platform == "teams",
                PlatformAccount.workspace == tenant,
                col(PlatformAccount.user_id).in_(wanted),
            )
        ).all()
    found: dict[str, Address] = {}
    for row in rows:
        address = Address.from_json(row.address)
        if address is not None:
            found[row.user_id] = address
    return found


def has_personal_address(db: Database, user: UserRef) -> bool:
    found = addresses(db, user.workspace, [user.id]).get(user.id)
    return found is not None and found.reference is not None


def introduction_of(message: Message) -> int | None:
    """The introduction a message is about, read from its check-in buttons."""
    for part in message.parts:
        if isinstance(part, Card):
            for button in part.buttons:
                if button.action == CHECKIN_ACTION:
                    head = button.value.partition(":")[0]
                    if head.isdigit():
                        return int(head)
    return None


def partner_handles(
    db: Database, introduction_id: int, tenant: str, recipients: Iterable[str]
) -> dict[str, list[str]]:
    """For each Teams recipient, how to reach their partners in Teams: a UPN from the roster,
    else an email address the partner shares."""
    with db.session() as session:
        members = session.exec(
            select(IntroductionMember).where(IntroductionMember.introduction_id == introduction_id)
        ).all()
        person_ids = [m.person_id for m in members]
        people = {
            p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids)))
        }
        accounts = session.exec(
            select(PlatformAccount).where(col(PlatformAccount.person_id).in_(person_ids))
        ).all()
    handle: dict[int, str] = {}
    recipient_person: dict[str, int] = {}
    for account in accounts:
        if account.platform == "teams" and account.workspace == tenant:
            recipient_person[account.user_id] = account.person_id
            address = Address.from_json(account.address)
            if address is not None and address.upn:
                handle.setdefault(account.person_id, address.upn)
    for person_id, person in people.items():
        if person_id is not None and person.email and person.share_email and not person.erased:
            handle.setdefault(person_id, person.email)
    result: dict[str, list[str]] = {}
    for user_id in recipients:
        me = recipient_person.get(user_id)
        result[user_id] = [handle[p] for p in person_ids if p != me and p in handle]
    return result


def sent_card(db: Database, introduction_id: int, tenant: str) -> Card | None:
    """The latest card sent in Teams about an introduction (to redraw it once answered)."""
    with db.session() as session:
        row = session.exec(
            select(Outbox)
            .where(
                Outbox.introduction_id == introduction_id,
                Outbox.platform == "teams",
                Outbox.workspace == tenant,
            )
            .order_by(col(Outbox.id).desc())
        ).first()
    if row is None:
        return None
    for part in decode_message(row.payload).parts:
        if isinstance(part, Card):
            return part
    return None


def answer_of(db: Database, introduction_id: int, user: UserRef) -> str | None:
    """The check-in answer this person has recorded for an introduction, if any."""
    with db.session() as session:
        account = session.exec(
            select(PlatformAccount).where(
                PlatformAccount.platform == user.platform,
                PlatformAccount.workspace == user.workspace,
                PlatformAccount.user_id == user.id,
            )
        ).first()
        if account is None:
            return None
        checkin = session.exec(
            select(CheckIn).where(
                CheckIn.introduction_id == introduction_id,
                CheckIn.person_id == account.person_id,
            )
        ).first()
    return checkin.answer if checkin is not None else None


def set_reachable(db: Database, user: UserRef, reachable: bool) -> bool:
    """Mark whether the bot can message this person (the app was installed or removed)."""
    with db.session() as session:
        account = session.exec(
            select(PlatformAccount).where(
                PlatformAccount.platform == user.platform,
                PlatformAccount.workspace == user.workspace,
                PlatformAccount.user_id == user.id,
            )
        ).first()
        if account is None or account.reachable == reachable:
            return False
        account.reachable = reachable
        session.add(account)
    return True
