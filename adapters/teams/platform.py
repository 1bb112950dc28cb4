"""Sending to Teams on the bot's own initiative: one card per person, paced and retried.

Teams bots cannot start group chats, so a group introduction reaches each Teams member in
their 1:1 chat with the bot, with deep links to open a group chat or a meeting with the
partners. botbuilder does not retry; Teams asks for retries on 429, 412, 502 and 504 with
exponential backoff and jitter. Documented limits: per conversation 7 messages in 3 s,
60 in 30 s, 1,800 in an hour; per app and tenant 50 requests a second.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)

from adapters.teams import render, render_intro
from adapters.teams.translate import Address
from bot.accounts import Contact
from bot.delivery import (
    Attempt,
    PermanentSendError,
    Sent,
    TransientSendError,
    group_chat_people,
)
from bot.delivery.attempt import Contacts
from bot.ids import PersonId
from bot.pacing import Pacer
from bot.templates import Prompts
from bot.views import AnsweredCheckIn

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 412, 502, 503, 504})
GONE_STATUSES = frozenset({403, 404})
# Per tenant: bot.pacing.LIMITS ("teams", "tenant"), shared by every server on PostgreSQL.
CONVERSATION_RATE = 0.5  # sustained: 1,800 an hour
CONVERSATION_BURST = 7  # in any 3 seconds
DELIVERED_MEMORY = 10_000  # (row, person) pairs remembered so a retried row skips them


class Unreachable(Exception):
    """The bot cannot reach this person (not installed for them, conversation gone)."""


def http_status(error: BaseException) -> tuple[int | None, float | None]:
    """(status, Retry-After seconds) of a failed connector call, when it was an HTTP answer."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    retry_after: float | None = None
    headers = getattr(response, "headers", None) or {}
    try:
        value = headers.get("Retry-After")
        retry_after = float(value) if value is not None else None
    except (TypeError, ValueError, AttributeError):
        retry_after = None
    return (int(status) if status else None), retry_after


@dataclass
class TeamsSender:
    """Implements the core's PlatformSender over a botbuilder adapter."""

    adapter: BotAdapter
    prompts: Prompts
    app_id: str | None = None
    pacer: Pacer = field(default_factory=Pacer)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 4
    base_delay: float = 1.0
    max_wait: float = 30.0  # longer waits go back to the outbox
    _delivered: dict[tuple[str, str], Sent] = field(default_factory=dict)  # oldest first

    async def deliver(self, attempt: Attempt) -> Sent:
        """One message to each recipient's 1:1 chat, at the address the attempt carries; an
        introduction gets deep links to its partners, and a card with a group chat (a
        circle's) a link to it, both from the contacts the attempt reads."""
        handles: dict[str, list[str]] = {}
        contacts_of: Contacts = {}
        chatting = group_chat_people(attempt.message)  # a circle's members, say
        if attempt.introduction_id is not None or chatting:
            contacts_of = await attempt.contacts()
        if attempt.introduction_id is not None:
            handles = {user: partner_handles(found) for user, found in contacts_of.items()}
        first: Sent | None = None
        unreachable: list[str] = []
        key, recipients = attempt.key, attempt.recipients
        for user_id in recipients:
            done = self._delivered.get((key, user_id))
            if done is None:
                address = Address.from_json(attempt.addresses.get(user_id))
                if address is None:
                    unreachable.append(user_id)
                    continue
                if attempt.view is not None:
                    reader = attempt.view.reader_of(recipients.index(user_id))
                    known = handles_by_person(contacts_of.get(user_id, ()))
                    activities = [render_intro.introduction_activity(attempt.view, reader, known)]
                else:
                    message = attempt.message
                    if chatting:
                        known = handles_by_person(contacts_of.get(user_id, ()))
                        message = render_intro.with_group_chats(message, known)
                    links = introduction_links(self.prompts, handles.get(user_id, []))
                    activities = render.activities(message, links=links)
                try:
                    done = await self.deliver_to(address, activities)
                except Unreachable:
                    log.info("a Teams user is unreachable (outbox %s)", key)
                    unreachable.append(user_id)
                    continue
                self._delivered[(key, user_id)] = done
                while len(self._delivered) > DELIVERED_MEMORY:
                    self._delivered.pop(next(iter(self._delivered)))
            first = first or done
        if unreachable:
            raise PermanentSendError(
                f"not reachable in Teams: {len(unreachable)} of {len(recipients)}",
                unreachable_users=unreachable,
            )
        return first or Sent()

    async def deliver_to(self, address: Address, activities: list[Activity]) -> Sent:
        """Send activities to one person's 1:1 chat; retried here, then handed back."""
        progress: list[str] = []
        conversation: list[str] = []

        failure: list[BaseException] = []

        async def turn(context: TurnContext) -> None:
            # Errors are carried out of the turn: the adapter's turn-error handler would
            # otherwise swallow them (and answer the person with an apology).
            try:
                conversation_id = str(context.activity.conversation.id)
                conversation[:] = [conversation_id]
                for activity in activities[len(progress) :]:
                    # per tenant: booked in the shared slots when several servers run
                    await self.pacer.limit("teams", address.tenant_id, "tenant")
                    await self.pacer.wait(
                        ("teams", address.tenant_id, conversation_id),
                        CONVERSATION_RATE,
                        CONVERSATION_BURST,
                    )
                    response = await context.send_activity(activity)
                    progress.append(str(response.id) if response and response.id else "")
            except Exception as error:
                failure.append(error)

        async def attempt() -> None:
            failure.clear()
            await self._open(address, turn)
            if failure:
                raise failure[0]

        await self.with_retries(attempt, address)
        return Sent(
            channel=conversation[0] if conversation else None,
            message_id=progress[0] if progress and progress[0] else None,
        )

    async def _open(self, address: Address, turn: Callable[[TurnContext], Awaitable[None]]) -> Any:
        if address.reference:
            reference = ConversationReference().deserialize(dict(address.reference))
            return await self.adapter.continue_conversation(
                reference, turn, bot_app_id=self.app_id or None
            )
        await self.pacer.limit("teams", address.tenant_id, "tenant")
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=address.bot_id),
            members=[ChannelAccount(id=address.member_id)],
            tenant_id=address.tenant_id,
            channel_data={"tenant": {"id": address.tenant_id}},
        )
        return await self.adapter.create_conversation(
            self.app_id or None,
            turn,
            parameters,
            channel_id="msteams",
            service_url=address.service_url,
        )

    async def with_retries(self, call: Callable[[], Awaitable[Any]], address: Address) -> Any:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await call()
            except Exception as error:
                status, retry_after = http_status(error)
                if status in GONE_STATUSES:
                    raise Unreachable(f"{status} for {address.member_id}") from error
                if status is not None and status not in RETRY_STATUSES and status < 500:
                    raise PermanentSendError(f"Teams answered {status}") from error
                if status == 429 and retry_after is not None:
                    self.pacer.slow_down("teams", address.tenant_id, "tenant", retry_after)
                delay = self.backoff(attempt, retry_after)
                reason = f"Teams answered {status}" if status else type(error).__name__
                if attempt >= self.attempts or delay > self.max_wait:
                    raise TransientSendError(reason, retry_after=retry_after) from error
                log.info("teams send retry %d in %.1fs: %s", attempt, delay, reason)
                await self.sleep(delay)

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential with full jitter; Retry-After is a floor."""
        ceiling = self.base_delay * 2 ** (attempt - 1)
        delay = ceiling / 2 + self.rng.random() * ceiling / 2
        return float(max(delay, retry_after or 0.0))


def introduction_links(prompts: Prompts, handles: Sequence[str]) -> tuple[tuple[str, str], ...]:
    if not handles:
        return ()
    topic = prompts.render("teams_link_topic").strip()
    return (
        (prompts.render("teams_link_chat").strip(), render.chat_link(handles, topic)),
        (prompts.render("teams_link_meeting").strip(), render.meeting_link(handles, topic)),
    )


def answered_card(prompts: Prompts, answered: AnsweredCheckIn) -> dict[str, Any]:
    """The card a check-in button was on, redrawn with the group's answer marked: the
    introduction from its view, a check-in (or an older introduction) from its card."""
    if answered.introduction_view is not None:
        content = render_intro.answered_card(answered, handles_by_person(answered.contacts))
    else:
        links = introduction_links(prompts, partner_handles(answered.contacts))
        content = render.answered_card(answered, links=links)
    return render.with_next_step(content, answered.next_step)


def handles_by_person(contacts: Iterable[Contact]) -> dict[PersonId, str]:
    """Each partner's Teams name (UPN) kept with their Teams address, else a shared email."""
    found: dict[PersonId, str] = {}
    for contact in contacts:
        address = Address.from_json(contact.address)
        handle = (address.upn if address is not None else None) or contact.email
        if handle:
            found[contact.person_id] = handle
    return found


def partner_handles(contacts: Iterable[Contact]) -> list[str]:
    """How to reach each partner in Teams: the UPN stored with their Teams address, else an
    email address they share."""
    handles = []
    for contact in contacts:
        address = Address.from_json(contact.address)
        handle = (address.upn if address is not None else None) or contact.email
        if handle:
            handles.append(handle)
    return handles
