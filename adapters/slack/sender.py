"""SlackSender: the core's PlatformSender for Slack.

One conversation per message: the known DM channel for one person (kept on PlatformAccount),
otherwise `conversations.open` with the 1–8 users (a group DM for an introduction). Then
`chat.postMessage` with Block Kit and an escaped fallback; images go up with files_upload_v2.
Calls are paced with bot.pacing.Pacer: conversations.open is Tier 3 (about 50 a minute) per
workspace; chat.postMessage about one a second per channel.

Resumable (bot.delivery.ResumableSender): the chat it opens is stored before posting, and
each post carries the outbox key as message metadata, so a retry after a crash looks the
message up (conversations.history) instead of posting it twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from adapters.slack import render
from adapters.slack.client import UNREACHABLE, classify, error_code, retry_after_of
from bot.db.models import PlatformAccount
from bot.db.session import Database
from bot.delivery import Attempt, PermanentSendError, Sent
from bot.events import Image, Message
from bot.pacing import Pacer

log = logging.getLogger(__name__)

METADATA_EVENT = "crossties_outbox"
HISTORY_LOOKBACK = 50

ClientFor = Callable[[str], Awaitable[AsyncWebClient]]


class SlackSender:
    def __init__(self, client_for: ClientFor, db: Database, pacer: Pacer) -> None:
        self.client_for = client_for
        self.db = db
        self.pacer = pacer

    async def send(
        self, workspace: str, recipients: Sequence[str], message: Message, *, key: str
    ) -> Sent:
        async def forget(channel: str) -> None:
            return None

        return await self.deliver(
            Attempt(workspace, tuple(recipients), message, key, None, False, forget)
        )

    async def deliver(self, attempt: Attempt) -> Sent:
        users = tuple(attempt.recipients)
        if not users:
            raise PermanentSendError("no recipients")
        try:
            client = await self.client_for(attempt.workspace)
        except LookupError as exc:
            raise PermanentSendError(f"not installed in workspace {attempt.workspace}") from exc
        channel = attempt.channel
        if channel is None:
            channel = await self.channel_for(client, attempt.workspace, users)
            await attempt.remember_channel(channel)
        elif attempt.maybe_sent:
            found = await self._already_posted(client, channel, attempt.key)
            if found is not None:
                return Sent(channel=channel, message_id=found, recovered=True)
        ts = await self.post(
            client, attempt.workspace, channel, attempt.message, users=users, key=attempt.key
        )
        return Sent(channel=channel, message_id=ts)

    async def _already_posted(self, client: AsyncWebClient, channel: str, key: str) -> str | None:
        """The ts of our message carrying `key`, if an earlier try posted it."""
        try:
            history = await client.conversations_history(
                channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
            )
        except SlackApiError as exc:
            raise classify(exc) from exc
        except Exception as exc:
            raise classify(exc) from exc
        for item in history.get("messages") or []:
            metadata = item.get("metadata") or {}
            if (metadata.get("event_payload") or {}).get("key") == key:
                return str(item.get("ts"))
        return None

    async def channel_for(
        self, client: AsyncWebClient, workspace: str, users: tuple[str, ...]
    ) -> str:
        """The known DM for one person, else conversations.open (paced)."""
        if len(users) == 1:
            known = await asyncio.to_thread(self._known_dm, workspace, users[0])
            if known:
                return known
        await self.pacer.limit("slack", workspace, "conversations.open")
        try:
            response = await client.conversations_open(users=",".join(users))
        except SlackApiError as exc:
            self._hold(exc, workspace, "conversations.open")
            if error_code(exc) in UNREACHABLE:
                gone = await self._who_is_gone(client, users)
                raise PermanentSendError(
                    str(error_code(exc)), unreachable_users=gone or users
                ) from exc
            raise classify(exc, users) from exc
        except Exception as exc:
            raise classify(exc, users) from exc
        channel = str(response["channel"]["id"])
        if len(users) == 1:
            await asyncio.to_thread(self._remember_dm, workspace, users[0], channel)
        return channel

    async def post(
        self,
        client: AsyncWebClient,
        workspace: str,
        channel: str,
        message: Message,
        *,
        users: tuple[str, ...] = (),
        key: str | None = None,
    ) -> str:
        """Post a message (and its images) to a channel; returns the message ts."""
        blocks = render.blocks_of(message)
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": key}} if key else None
        ts = ""
        try:
            if blocks or not render.images_of(message):
                await self.pacer.limit("slack", workspace, "chat.postMessage", channel)
                response = await client.chat_postMessage(
                    channel=channel,
                    text=render.fallback(message),
                    blocks=render.to_dicts(blocks),
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata=metadata,
                )
                ts = str(response["ts"])
            for image in render.images_of(message):
                await self.pacer.limit("slack", workspace, "chat.postMessage", channel)
                await upload(client, channel, image)
        except SlackApiError as exc:
            self._hold(exc, workspace, "chat.postMessage", channel)
            raise classify(exc, users) from exc
        except PermanentSendError:
            raise
        except Exception as exc:
            raise classify(exc, users) from exc
        return ts

    def _hold(
        self, exc: SlackApiError, workspace: str, method: str, channel: str | None = None
    ) -> None:
        if exc.response is not None and exc.response.status_code == 429:
            wait = retry_after_of(exc.response.headers) or 30.0
            self.pacer.slow_down("slack", workspace, method, wait, channel)

    async def _who_is_gone(self, client: AsyncWebClient, users: tuple[str, ...]) -> tuple[str, ...]:
        """Which of a group cannot be reached (conversations.open does not say)."""
        if len(users) == 1:
            return users
        gone: list[str] = []
        for user in users:
            try:
                info = await client.users_info(user=user)
            except SlackApiError as exc:
                if error_code(exc) in UNREACHABLE:
                    gone.append(user)
                continue
            profile = info.get("user") or {}
            if profile.get("deleted") or profile.get("is_bot"):
                gone.append(user)
        return tuple(gone)

    # ------------------------------------------------------------ DM channels

    async def note_dm(self, workspace: str, user: str, channel: str | None) -> None:
        """Keep the person's DM with the app when Slack shows it to us (Home, a DM, a command
        typed in the DM), so later messages to them need no conversations.open."""
        if channel and channel.startswith("D"):
            try:
                await asyncio.to_thread(self._remember_dm, workspace, user, channel)
            except SQLAlchemyError as error:  # only a shortcut: the answer still goes out
                log.warning("could not keep a DM channel: %s", type(error).__name__)

    def _known_dm(self, workspace: str, user: str) -> str | None:
        with self.db.session() as session:
            account = session.exec(
                select(PlatformAccount).where(
                    PlatformAccount.platform == "slack",
                    PlatformAccount.workspace == workspace,
                    PlatformAccount.user_id == user,
                )
            ).first()
            return account.dm_channel if account else None

    def _remember_dm(self, workspace: str, user: str, channel: str) -> None:
        with self.db.session() as session:
            account = session.exec(
                select(PlatformAccount).where(
                    PlatformAccount.platform == "slack",
                    PlatformAccount.workspace == workspace,
                    PlatformAccount.user_id == user,
                )
            ).first()
            if account is not None and account.dm_channel != channel:
                account.dm_channel = channel
                session.add(account)


async def upload(client: AsyncWebClient, channel: str, image: Image) -> None:
    """files_upload_v2 (files.upload is retired): get a URL, upload, complete into the channel."""
    await client.files_upload_v2(
        channel=channel,
        content=image.png,
        filename=image.filename,
        title=image.title,
        alt_txt=image.alt_text[:1000],
    )
