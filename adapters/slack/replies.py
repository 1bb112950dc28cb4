"""Answering in Slack: who someone is (users.info, cached) and where a reply goes.

A reply to a slash command or a message button goes through its response_url (ephemeral
unless the core meant it for the channel); a reply to an App Home button or a modal goes to
the person's DM with the app. Images are uploaded with files_upload_v2.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy.exc import SQLAlchemyError

from adapters.slack import render
from adapters.slack.sender import SlackSender, upload
from bot.events import InboundEvent, Message, UserRef
from bot.pacing import Pacer

log = logging.getLogger(__name__)

E = TypeVar("E", bound=InboundEvent)


@dataclass(frozen=True)
class Profile:
    name: str | None
    email: str | None
    admin: bool
    bot: bool
    deleted: bool


def profile_of(user: dict[str, Any]) -> Profile:
    details = user.get("profile") or {}
    name = (
        details.get("display_name")
        or details.get("real_name")
        or user.get("real_name")
        or user.get("name")
    )
    return Profile(
        name=str(name) if name else None,
        email=details.get("email"),
        admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        bot=bool(user.get("is_bot")),
        deleted=bool(user.get("deleted")),
    )


class Profiles:
    """users.info, remembered per process (bounded), so each person costs one call."""

    def __init__(self, pacer: Pacer | None = None, size: int = 5000) -> None:
        self.pacer = pacer
        self.size = size
        self._cache: OrderedDict[tuple[str, str], Profile] = OrderedDict()

    async def get(self, client: AsyncWebClient, team: str, user: str) -> Profile | None:
        key = (team, user)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self.pacer is not None:
            try:
                await self.pacer.limit("slack", team, "users.info")
            except SQLAlchemyError:  # the shared pace lives in the database, which is down
                return None
        try:
            response = await client.users_info(user=user)
        except SlackApiError as exc:
            log.info("users.info failed for a user: %s", exc.response.get("error"))
            return None
        found = profile_of(response.get("user") or {})
        self._cache[key] = found
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return found

    def forget(self, team: str, user: str) -> None:
        self._cache.pop((team, user), None)

    def holds(self, team: str, user: str) -> bool:
        return (team, user) in self._cache

    async def enrich(
        self, client: AsyncWebClient, event: E, known: Callable[[UserRef], Awaitable[bool]]
    ) -> E:
        """Add the person's name and email, used when the core meets them first: from the
        cache, or from users.info unless `known` says the core has their name already (so
        people the core knows cost no paced call, after a restart too)."""
        user = event.user
        if not self.holds(user.workspace, user.id) and await known(user):
            return event
        found = await self.get(client, event.user.workspace, event.user.id)
        if found is None:
            return event
        if hasattr(event, "email"):
            return replace(event, display_name=found.name, email=found.email)  # type: ignore[arg-type]
        return replace(event, display_name=found.name)


async def _unknown_dm() -> str | None:
    return None


async def _keep_nothing(channel: str) -> None:
    return None


@dataclass
class Where:
    """Where replies to one request go. Replies that go to the person's DM use the one the
    core keeps (`known_dm`) or open one and hand it back to be kept (`keep_dm`)."""

    client: AsyncWebClient
    team: str
    user: str
    channel: str | None = None
    response_url: str | None = None
    known_dm: Callable[[], Awaitable[str | None]] = _unknown_dm
    keep_dm: Callable[[str], Awaitable[None]] = _keep_nothing


def slack_error(exc: BaseException) -> str:
    """Slack's error code only: the whole error repeats what was sent, names included."""
    response = getattr(exc, "response", None)
    if isinstance(response, AsyncSlackResponse | SlackResponse):
        return str(response.get("error") or "")
    return ""


async def deliver(
    where: Where, messages: tuple[Message, ...], sender: SlackSender, respond: Any = None
) -> None:
    for message in messages:
        try:
            await _deliver_one(where, message, sender, respond)
        except Exception as exc:  # a failed answer must not break the request
            log.warning("reply failed: %s %s", type(exc).__name__, slack_error(exc))


async def _deliver_one(where: Where, message: Message, sender: SlackSender, respond: Any) -> None:
    if message.post_to is not None:
        await _post_shared(where, message, sender, respond)
        return
    if message.private:
        message = await _privately(where, message, sender)
    blocks = render.to_dicts(render.blocks_of(message))
    text = render.fallback(message)
    images = render.images_of(message)
    if respond is not None and where.response_url:
        if blocks:
            await respond(
                text=text,
                blocks=blocks,
                response_type="ephemeral" if message.ephemeral else "in_channel",
                replace_original=False,
            )
        for image in images:
            await _upload_somewhere(where, image, sender, shared=not message.ephemeral)
        return
    channel = await _dm(where, sender)
    await sender.post(where.client, where.team, channel, message, users=(where.user,))


async def _upload_somewhere(where: Where, image: Any, sender: SlackSender, *, shared: bool) -> None:
    """Into the channel when shared and possible; otherwise into the person's DM."""
    if shared and where.channel:
        try:
            await upload(where.client, where.channel, image)
            return
        except SlackApiError as exc:
            log.info(
                "upload to the channel failed (%s); sending it directly", exc.response.get("error")
            )
    await upload(where.client, await _dm(where, sender), image)


async def _dm(where: Where, sender: SlackSender) -> str:
    if where.channel and where.channel.startswith("D"):
        return where.channel
    known = await where.known_dm()
    if known:
        return known
    opened = await sender.open_channel(where.client, where.team, (where.user,))
    await where.keep_dm(opened)
    return opened


async def _in_own_dm(where: Where, sender: SlackSender) -> bool:
    """Whether the request came from the person's own DM with the app (a command typed in a
    DM between two people has a D… channel too, so the channel is compared with the app's)."""
    if not where.channel:
        return True  # App Home or a modal: answers go to the app's DM
    if not where.channel.startswith("D"):
        return False
    known = await where.known_dm()
    if not known:
        known = await sender.open_channel(where.client, where.team, (where.user,))
        await where.keep_dm(known)
    return known == where.channel


async def _privately(where: Where, message: Message, sender: SlackSender) -> Message:
    """A private message: an ordinary one in the person's own DM; elsewhere ephemeral (files
    go to their DM), with the offer to share it where it was asked."""
    if await _in_own_dm(where, sender):
        return replace(message, private=False, share=None)
    return replace(message.offering_share(), private=False, ephemeral=True)


async def _post_shared(where: Where, message: Message, sender: SlackSender, respond: Any) -> None:
    """A message shared for everyone in a channel: through the response URL when the share
    was pressed in that channel (which works without the app being a member), else posted."""
    assert message.post_to is not None
    channel = message.post_to.id
    if respond is not None and where.response_url and where.channel == channel:
        await respond(
            text=render.fallback(message),
            blocks=render.to_dicts(render.blocks_of(message)),
            response_type="in_channel",
            replace_original=False,
        )
        for image in render.images_of(message):
            await _upload_somewhere(where, image, sender, shared=True)
        return
    await sender.post(where.client, where.team, channel, message, users=(where.user,))
