"""The Teams bot's conversation side: answering (privately when an answer is about one person
and the chat is shared), posting shares, and first contact with a member (their address)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import ChannelAccount
from botbuilder.schema.teams import TeamsChannelAccount

from adapters.teams import forms, render, translate
from adapters.teams.platform import TeamsSender
from adapters.teams.translate import Address
from bot.core import Crossties
from bot.events import Message, UserRef

log = logging.getLogger(__name__)


class TeamsConversation(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(self, core: Crossties, sender: TeamsSender) -> None:
        self.core = core
        self.sender = sender
        self._joining: dict[str, asyncio.Lock] = {}  # one first contact at a time per person

    async def reply(self, turn_context: TurnContext, messages: tuple[Message, ...]) -> None:
        """Send answers; in shared chats, answers meant for one person go to them privately.
        Buttons sent from a team carry its id, so a set-up begun there can invite the team."""
        shared = translate.conversation_kind(turn_context.activity) != "personal"
        team = translate.team_of(turn_context.activity)
        data = {forms.TEAM_KEY: team} if team else None
        for message in messages:
            if message.post_to is not None:
                await self._post_shared(turn_context, message)
        messages = tuple(m for m in messages if m.post_to is None)
        private = [offered(m) for m in messages if shared and (m.ephemeral or m.private)]
        public = [m for m in messages if not (shared and (m.ephemeral or m.private))]
        for message in public:
            outgoing = render.activities(message, data=data)
            if outgoing:
                await turn_context.send_activities(outgoing)
        if private:
            outgoing = [a for m in private for a in render.activities(m, data=data)]
            shareable = any(m.share is not None for m in messages)
            note = "report_sent_privately" if shareable else "teams_sent_privately"
            await self._send_privately(turn_context, outgoing, note)

    async def _post_shared(self, turn_context: TurnContext, message: Message) -> None:
        """A message a person shared with a channel or chat: posted there by the bot (the
        share is pressed in their 1:1 chat, so this is a proactive message)."""
        assert message.post_to is not None
        address = translate.conversation_address(turn_context.activity, message.post_to.id)
        try:
            await self.sender.deliver_to(address, render.activities(message))
        except Exception as error:
            log.warning("could not post a shared message: %s", type(error).__name__)
            note = self.core.prompts.render("report_share_failed")
            await turn_context.send_activity(render.text_activity(note))

    async def _send_privately(
        self,
        turn_context: TurnContext,
        outgoing: list[Any],
        note_prompt: str = "teams_sent_privately",
    ) -> None:
        activity = turn_context.activity
        address = translate.member_address(
            activity, str(activity.from_property.id), team_id=translate.team_of(activity), upn=None
        )
        address = await self._stored_address(translate.user_ref(activity)) or address
        note = self.core.prompts.render(note_prompt)
        try:
            await self.sender.deliver_to(address, outgoing)
        except Exception as error:  # their data still stays out of the shared chat
            log.warning("could not answer privately: %s", type(error).__name__)
            note = self.core.prompts.render("teams_private_failed")
        await turn_context.send_activity(render.text_activity(note))

    async def _stored_address(self, user: UserRef) -> Address | None:
        return Address.from_json((await self.core.stored(user)).address)

    async def _has_personal_address(self, user: UserRef) -> bool:
        stored = await self._stored_address(user)
        return stored is not None and stored.reference is not None

    async def _join(
        self,
        turn_context: TurnContext,
        account: ChannelAccount,
        *,
        personal: bool,
        team_id: str | None = None,
    ) -> tuple[Message, ...]:
        activity = turn_context.activity
        member = account
        if personal and not isinstance(account, TeamsChannelAccount):
            try:
                member = await TeamsInfo.get_member(turn_context, account.id)
            except Exception:
                member = account
        upn = getattr(member, "user_principal_name", None)
        email = getattr(member, "email", None) or None
        if personal:
            address = translate.personal_address(activity, upn=upn)
        else:
            address = translate.member_address(activity, str(member.id), team_id=team_id, upn=upn)
        event = translate.member_joined(activity, member, address, email=email)
        if not personal and await self._has_personal_address(event.user):
            event = replace(event, address=None)  # keep the 1:1 chat they already have
        async with self._joining.setdefault(str(event.user), asyncio.Lock()):
            reply = await self.core.handle(event)
        return reply.messages


def offered(message: Message) -> Message:
    """A private message as sent privately from a shared chat: with its offer to share."""
    return message.offering_share() if message.private else message


def plain(messages: tuple[Message, ...]) -> str:
    return "\n".join(m.plain() for m in messages)
