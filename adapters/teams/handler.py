"""The Teams bot: routes activities to the core and its answers back to Teams.

Installs and roster changes store each person's address (so proactive messages survive a
restart); messages in personal chats, and in group chats and channels when the bot is
@mentioned, go to the grammar; Adaptive Card buttons arrive as `adaptiveCard/action` invokes
and check-ins redraw their card with the answer. Answers about one person are never posted in
a shared chat: they go to that person's 1:1 chat. The programme form (the core's
`programme_form` buttons) is a card of this adapter's own: see `forms`.

The bot is three layers: `conversation` (answering, private answers, first contact),
`programme_setup` (the form and team invitations) and this module (the activities themselves).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema.teams import TeamInfo, TeamsChannelAccount

from adapters.teams import forms, render, render_intro, translate
from adapters.teams.conversation import plain
from adapters.teams.platform import answered_card, handles_by_person
from adapters.teams.programme_setup import ROSTER_MAX_PAGES, ROSTER_PAGE_SIZE, ProgrammeSetup
from bot import actions as codec
from bot.events import InboundEvent, ReachChanged
from bot.views import AnsweredCheckIn, IntroductionView

log = logging.getLogger(__name__)


class CrosstiesTeamsBot(ProgrammeSetup):
    # ------------------------------------------------------------ messages

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.value and not activity.text:  # an Action.Submit button
            event = translate.card_action(activity)
            if event is not None and event.action in forms.ACTIONS:
                await self._programme_action(turn_context, event, invoke=False)
            elif event is not None:
                await self._answer(turn_context, codec.decode(event) or event)
            return
        if not translate.is_addressed_to_bot(activity):
            return
        if translate.conversation_kind(activity) == "personal":
            await self._remember_sender(turn_context)
        resolved = await self._resolve_mentions(turn_context)
        await self._answer(turn_context, translate.command(activity, resolved))

    async def _answer(self, turn_context: TurnContext, event: InboundEvent) -> None:
        reply = await self.core.handle(codec.with_key(event, request_key(turn_context.activity)))
        if reply.duplicate:  # a redelivery of an activity already handled, here or elsewhere
            log.info("dropping a repeated Teams activity")
            return
        await self.reply(turn_context, reply.messages)

    async def _resolve_mentions(self, turn_context: TurnContext) -> dict[str, str]:
        """Entra object ids for mentioned people whose mention entity lacks one."""
        activity = turn_context.activity
        resolved: dict[str, str] = {}
        for entity in activity.entities or []:
            data = translate.entity_data(entity)
            mentioned = data.get("mentioned")
            if not isinstance(mentioned, dict):
                continue
            member_id = mentioned.get("id")
            if (
                data.get("type") != "mention"
                or not member_id
                or mentioned.get("aadObjectId")
                or member_id == activity.recipient.id
            ):
                continue
            try:
                member = await TeamsInfo.get_member(turn_context, member_id)
            except Exception:  # unknown to the roster: the id stays as it is
                continue
            if member is not None and member.aad_object_id:
                resolved[str(member_id)] = str(member.aad_object_id)
        return resolved

    async def _remember_sender(self, turn_context: TurnContext) -> None:
        """Keep the 1:1 address of anyone who writes to the bot, if it is not stored yet."""
        activity = turn_context.activity
        if await self._has_personal_address(translate.user_ref(activity)):
            return
        await self._join(turn_context, activity.from_property, personal=True)

    # ------------------------------------------------------------ installs and rosters

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """Installed for a person (their address is stored now; the welcome follows with the
        conversation update) or in a team or group chat (handled there too)."""
        activity = turn_context.activity
        if translate.conversation_kind(activity) == "personal":
            await self._join(turn_context, activity.from_property, personal=True)
            await self.core.handle(ReachChanged(translate.user_ref(activity), True))

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        """The person removed the app: the bot can no longer write to them."""
        activity = turn_context.activity
        if translate.conversation_kind(activity) == "personal":
            await self.core.handle(ReachChanged(translate.user_ref(activity), False))

    async def on_teams_members_added(
        self,
        teams_members_added: list[TeamsChannelAccount],
        team_info: TeamInfo,
        turn_context: TurnContext,
    ) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id
        bot_added = any(m.id == bot_id for m in teams_members_added)
        if translate.conversation_kind(activity) == "personal":
            person = activity.from_property
            others = [m for m in teams_members_added if m.id != bot_id]
            target = others[0] if others else person
            reply = await self._join(turn_context, target, personal=True)
            if reply:
                await self.reply(turn_context, reply)
            return
        team_id = team_info.id if team_info is not None else translate.team_of(activity)
        if bot_added:
            await self._read_roster(turn_context, team_id)
            welcome = self.core.prompts.render("teams_team_welcome")
            await turn_context.send_activity(render.text_activity(welcome))
            return
        for member in teams_members_added:
            await self._join(turn_context, member, personal=False, team_id=team_id)

    async def _read_roster(self, turn_context: TurnContext, team_id: str | None) -> int:
        """Everyone in the team or group chat, page by page."""
        count = 0
        token: str | None = None
        for _ in range(ROSTER_MAX_PAGES):
            page = await TeamsInfo.get_paged_members(turn_context, token, ROSTER_PAGE_SIZE)
            for member in page.members or []:
                await self._join(turn_context, member, personal=False, team_id=team_id)
                count += 1
            token = page.continuation_token
            if not token:
                break
        return count

    # ------------------------------------------------------------ card actions

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        event = translate.card_action(activity)
        if event is None:
            text = self.core.prompts.render("error_bad_action")
            return InvokeResponse(status=200, body=render.message_response(text))
        if event.action in forms.ACTIONS:
            response = await self._programme_action(turn_context, event, invoke=True)
            assert response is not None
            return response
        keyed = codec.with_key(codec.decode(event) or event, request_key(activity))
        reply = await self.core.handle(keyed)
        if reply.duplicate:
            log.info("dropping a repeated Teams activity")
            return InvokeResponse(status=200, body=render.message_response(""))
        if isinstance(reply.view, AnsweredCheckIn):
            card = self._answered_card(reply.view)
            return InvokeResponse(status=200, body=render.refresh_response(card))
        if isinstance(reply.view, IntroductionView):
            card = self._introduction_card(reply.view)
            return InvokeResponse(status=200, body=render.refresh_response(card))
        await self.reply(turn_context, reply.messages)
        answers = tuple(m for m in reply.messages if m.post_to is None)
        return InvokeResponse(status=200, body=render.message_response(plain(answers)))

    def _answered_card(self, answered: AnsweredCheckIn) -> dict[str, Any]:
        return answered_card(self.core.prompts, answered)

    def _introduction_card(self, view: IntroductionView) -> dict[str, Any]:
        """The introduction redrawn for the one who clicked (another question)."""
        handles = handles_by_person(view.contacts)
        return render_intro.introduction_card(view, view.shared_reader(), handles)


def request_key(activity: Any) -> str | None:
    """The key of one activity for the core's record of handled requests: Teams gives a
    redelivered activity the same id in the same conversation (the pair, not the id alone,
    since ids are unique only within a conversation)."""
    activity_id = getattr(activity, "id", None)
    conversation = getattr(getattr(activity, "conversation", None), "id", None)
    if not activity_id or not conversation:
        return None
    digest = hashlib.sha256(f"{conversation}\x00{activity_id}".encode()).hexdigest()
    return "teams:" + digest[:58]
