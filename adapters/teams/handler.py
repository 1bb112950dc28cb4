"""The Teams bot: routes activities to the core and its answers back to Teams.

Installs and roster changes store each person's address (so proactive messages survive a
restart); messages in personal chats, and in group chats and channels when the bot is
@mentioned, go to the grammar; Adaptive Card buttons arrive as `adaptiveCard/action` invokes
and check-ins redraw their card with the answer. Answers about one person are never posted in
a shared chat: they go to that person's 1:1 chat. The programme form (the core's
`programme_form` buttons) is a card of this adapter's own: see `forms`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import replace
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import ChannelAccount
from botbuilder.schema.teams import TeamInfo, TeamsChannelAccount

from adapters.teams import forms, render, render_intro, translate
from adapters.teams.platform import TeamsSender, answered_card, handles_by_person
from adapters.teams.translate import Address
from bot import actions as codec
from bot.core import Crossties
from bot.events import (
    ActionInvoked,
    FormOpened,
    FormSubmitted,
    InboundEvent,
    ListedMember,
    MembersListed,
    Message,
    ReachChanged,
    UserRef,
)
from bot.ids import ProgrammeId
from bot.views import AnsweredCheckIn, IntroductionView, ProgrammeFormView, ProgrammeSaved, Reply

log = logging.getLogger(__name__)

ROSTER_PAGE_SIZE = 100
ROSTER_MAX_PAGES = 200


class CrosstiesTeamsBot(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(self, core: Crossties, sender: TeamsSender) -> None:
        self.core = core
        self.sender = sender
        self._joining: dict[str, asyncio.Lock] = {}  # one first contact at a time per person

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
        private = [_offered(m) for m in messages if shared and (m.ephemeral or m.private)]
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

    async def _stored_address(self, user: UserRef) -> Address | None:
        return Address.from_json((await self.core.stored(user)).address)

    async def _has_personal_address(self, user: UserRef) -> bool:
        stored = await self._stored_address(user)
        return stored is not None and stored.reference is not None

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
        return InvokeResponse(status=200, body=render.message_response(_plain(answers)))

    def _answered_card(self, answered: AnsweredCheckIn) -> dict[str, Any]:
        return answered_card(self.core.prompts, answered)

    def _introduction_card(self, view: IntroductionView) -> dict[str, Any]:
        """The introduction redrawn for the one who clicked (another question)."""
        handles = handles_by_person(view.contacts)
        return render_intro.introduction_card(view, view.shared_reader(), handles)

    # ------------------------------------------------------------ programme set-up

    async def _programme_action(
        self, turn_context: TurnContext, event: ActionInvoked, *, invoke: bool
    ) -> InvokeResponse | None:
        """Open the form (a new card), save it or invite a team (the card is redrawn in place
        when the click was an invoke; otherwise the outcome is a new message)."""
        activity = turn_context.activity
        data = translate.card_data(activity)
        team = forms.team_in(data) or translate.team_of(activity)
        if event.action == forms.FORM_ACTION:
            opened = codec.decode(event)
            if isinstance(opened, FormOpened):
                reply = await self.core.handle(replace(opened, admin_known=False))
            else:
                reply = Reply((self.core.say("error_bad_action"),))
            if isinstance(reply.view, ProgrammeFormView):
                content = forms.form_card(reply.view.form, self.core.prompts, team=team)
                text = content["fallbackText"]
                await self._send_card(turn_context, content)
            else:
                await self.reply(turn_context, reply.messages)
                text = _plain(reply.messages)
            if not invoke:
                return None
            return InvokeResponse(status=200, body=render.message_response(text))
        if event.action == forms.SAVE_ACTION:
            content = await self._save_form(event, data, team)
        else:
            content = await self._sync_team(turn_context, event, team)
        if invoke:
            return InvokeResponse(status=200, body=render.refresh_response(content))
        await self._send_card(turn_context, content)
        return None

    async def _send_card(self, turn_context: TurnContext, content: dict[str, Any]) -> None:
        """A card for the person who clicked: in their 1:1 chat, never in a shared one."""
        outgoing = [render.card_activity(content, str(content.get("fallbackText") or ""))]
        if translate.conversation_kind(turn_context.activity) == "personal":
            await turn_context.send_activities(outgoing)
        else:
            await self._send_privately(turn_context, outgoing)

    async def _save_form(self, event: ActionInvoked, data: Any, team: str | None) -> dict[str, Any]:
        """The saved note, or the form again with what was typed and why it was refused."""
        prompts = self.core.prompts
        form = forms.parse_form(event.value, data)
        if form is None:
            return forms.note_card(prompts.render("error_bad_action"))
        submitted = FormSubmitted(
            event.user,
            form,
            workspace_admin=False,
            admin_known=False,
            display_name=event.display_name,
        )
        reply = await self.core.handle(submitted)
        saved = reply.view
        if not isinstance(saved, ProgrammeSaved):
            return forms.form_card(form, prompts, team=team, error=_plain(reply.messages))
        return forms.saved_card(
            prompts, saved.note, programme_id=saved.programme, programme=saved.name, team=team
        )

    async def _sync_team(
        self, turn_context: TurnContext, event: ActionInvoked, team: str | None
    ) -> dict[str, Any]:
        """Invite a team's members (read now, so their addresses are stored) to a programme."""
        prompts = self.core.prompts
        try:
            programme = codec.form_target(event.value)
        except ValueError:
            programme = None
        if not team or programme is None:
            return forms.note_card(prompts.render("error_bad_action"))
        # Coordinators only: asked before the roster is read.
        checked = FormOpened(event.user, programme, workspace_admin=None, admin_known=False)
        refusal = await self.core.handle(checked)
        if not isinstance(refusal.view, ProgrammeFormView):
            return forms.note_card(_plain(refusal.messages))
        try:
            members = await self._team_members(turn_context, team)
        except Exception as error:  # not installed in that team, or it is gone
            log.warning("could not read a team's roster: %s", type(error).__name__)
            return forms.note_card(prompts.render("teams_error_team_members"))
        if not any(translate.user_id(m) == event.user.id for m in members):
            return forms.note_card(prompts.render("teams_sync_not_in_team"))
        for member in members:
            await self._join(turn_context, member, personal=False, team_id=team)
        listed = tuple(
            ListedMember(translate.user_id(m), m.name, getattr(m, "email", None) or None)
            for m in members
        )
        synced = MembersListed(event.user, ProgrammeId(programme), listed, admin_known=False)
        return forms.note_card(_plain((await self.core.handle(synced)).messages))

    async def _team_members(
        self, turn_context: TurnContext, team_id: str
    ) -> list[TeamsChannelAccount]:
        """A team's roster, page by page, from any conversation (the team id is explicit)."""
        members: list[TeamsChannelAccount] = []
        token: str | None = None
        for _ in range(ROSTER_MAX_PAGES):
            page = await TeamsInfo.get_paged_team_members(
                turn_context, team_id, token, ROSTER_PAGE_SIZE
            )
            members += page.members or []
            token = page.continuation_token
            if not token:
                break
        return members


def _offered(message: Message) -> Message:
    """A private message as sent privately from a shared chat: with its offer to share."""
    return message.offering_share() if message.private else message


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


def _plain(messages: tuple[Message, ...]) -> str:
    return "\n".join(m.plain() for m in messages)
