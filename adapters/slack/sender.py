"""SlackSender: the core's PlatformSender for Slack.

One conversation per message: the person's DM channel when the attempt carries it (the core
keeps it with their account), otherwise `conversations.open` with the 1–8 users (a group DM for
an introduction); a DM opened for one person is handed back to be kept. Then
`chat.postMessage` with Block Kit and an escaped fallback; images go up with files_upload_v2.
Calls are paced with bot.pacing.Pacer: conversations.open is Tier 3 (about 50 a minute) per
workspace; chat.postMessage about one a second per channel.

Resumable (bot.delivery.ResumableSender): the chat it opens is stored before posting, and
each post carries the outbox key as message metadata, so a retry after a crash looks the
message up (conversations.history) instead of posting it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render, render_intro
from adapters.slack.client import UNREACHABLE, classify, error_code, retry_after_of
from bot.delivery import Attempt, PermanentSendError, Sent
from bot.events import Image, Message
from bot.pacing import Pacer
from bot.views import IntroductionView

log = logging.getLogger(__name__)

METADATA_EVENT = "crossties_outbox"
HISTORY_LOOKBACK = 50

ClientFor = Callable[[str], Awaitable[AsyncWebClient]]


class SlackSender:
    def __init__(self, client_for: ClientFor, pacer: Pacer) -> None:
        self.client_for = client_for
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
            known = attempt.dm_channels.get(users[0]) if len(users) == 1 else None
            channel = known or await self.open_channel(client, attempt.workspace, users)
            await attempt.remember_channel(channel)
            if len(users) == 1 and not known:
                await attempt.remember_dm(users[0], channel)
        elif attempt.maybe_sent:
            found = await self._already_posted(client, channel, attempt.key)
            if found is not None:
                return Sent(channel=channel, message_id=found, recovered=True)
        ts = await self.post(
            client,
            attempt.workspace,
            channel,
            attempt.message,
            users=users,
            key=attempt.key,
            view=attempt.view,
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

    async def open_channel(
        self, client: AsyncWebClient, workspace: str, users: tuple[str, ...]
    ) -> str:
        """conversations.open (paced): the DM for one person, a group DM for several."""
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
        return str(response["channel"]["id"])

    async def post(
        self,
        client: AsyncWebClient,
        workspace: str,
        channel: str,
        message: Message,
        *,
        users: tuple[str, ...] = (),
        key: str | None = None,
        view: IntroductionView | None = None,
    ) -> str:
        """Post a message (and its images) to a channel; returns the message ts. An
        introduction view is drawn in its own blocks, for the one reader or for all."""
        blocks = render.blocks_of(message)
        text = render.fallback(message)
        if view is not None:
            reader = view.reader_of(0) if len(users) == 1 else None
            blocks = render_intro.introduction_blocks(view, reader)
            text = render_intro.introduction_text(view, reader)
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": key}} if key else None
        ts = ""
        try:
            if blocks or not render.images_of(message):
                await self.pacer.limit("slack", workspace, "chat.postMessage", channel)
                response = await client.chat_postMessage(
                    channel=channel,
                    text=text,
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


async def upload(client: AsyncWebClient, channel: str, image: Image) -> None:
    """files_upload_v2 (files.upload is retired): get a URL, upload, complete into the channel."""
    await client.files_upload_v2(
        channel=channel,
        content=image.png,
        filename=image.filename,
        title=image.title,
        alt_txt=image.alt_text[:1000],
    )
