"""What a platform's sender sees: one attempt at one message, with everything stored about
reaching its recipients, and what it answers (sent, or a transient or permanent failure)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.accounts import Contact
from bot.events import Message
from bot.intro_view import IntroductionView


@dataclass(frozen=True)
class Sent:
    channel: str | None = None
    message_id: str | None = None
    recovered: bool = False  # found already posted by an earlier try; not posted again


class TransientSendError(Exception):
    """Try again later (rate limited, server error, time-out)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """Will never work (user gone, app uninstalled, blocked)."""

    def __init__(self, reason: str, *, unreachable_users: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.unreachable_users = tuple(unreachable_users)


class SimpleSender(Protocol):
    """A sender that needs only the message and its recipients (the local platform)."""

    async def send(
        self, workspace: str, recipients: Sequence[str], message: Message, *, key: str
    ) -> Sent: ...


Contacts = Mapping[str, tuple[Contact, ...]]


async def _no_dm(user_id: str, channel: str) -> None:
    return None


async def _no_contacts() -> Contacts:
    return {}


@dataclass(frozen=True)
class Attempt:
    """One try at one outbox row, with what earlier tries learnt and what is stored about
    reaching its recipients: a sender only does the platform's I/O."""

    workspace: str
    recipients: tuple[str, ...]
    message: Message
    key: str
    channel: str | None  # the chat an earlier try opened, if any: reuse it
    maybe_sent: bool  # an earlier try may have posted: look before posting again
    remember_channel: Callable[[str], Awaitable[None]]  # store a newly opened chat first
    introduction_id: int | None = None  # the introduction the message is about
    addresses: Mapping[str, str] = field(default_factory=dict)  # user id → stored address
    dm_channels: Mapping[str, str] = field(default_factory=dict)  # user id → direct chat
    remember_dm: Callable[[str, str], Awaitable[None]] = _no_dm  # (user id, direct chat)
    # For each recipient, how to reach their partners (read only when a sender asks).
    contacts: Callable[[], Awaitable[Contacts]] = _no_contacts
    # An introduction stored as a view: drawn by the platform's renderer (the message is its
    # neutral form, for senders that draw no view)
    view: IntroductionView | None = None


@runtime_checkable
class ResumableSender(Protocol):
    """A sender that takes the whole attempt: it reuses the chat an earlier try opened and
    the addresses stored for the recipients, and may look for a message it already posted."""

    async def deliver(self, attempt: Attempt) -> Sent: ...


# What the core needs from a platform to deliver a message.
PlatformSender = SimpleSender | ResumableSender


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0  # found already posted by an earlier, unrecorded try

    def add(self, other: DeliveryStats) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.recovered += other.recovered

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed
