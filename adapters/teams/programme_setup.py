"""The programme set-up from Teams: the form card (see `forms`), saving it, and inviting a
team's members to a programme."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema.teams import TeamsChannelAccount

from adapters.teams import forms, render, translate
from adapters.teams.conversation import TeamsConversation, plain
from bot import actions as codec
from bot.events import ActionInvoked, FormOpened, FormSubmitted, ListedMember, MembersListed
from bot.ids import ProgrammeId
from bot.views import ProgrammeFormView, ProgrammeSaved, Reply

log = logging.getLogger(__name__)

ROSTER_PAGE_SIZE = 100
ROSTER_MAX_PAGES = 200


class ProgrammeSetup(TeamsConversation):
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
                text = plain(reply.messages)
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
            return forms.form_card(form, prompts, team=team, error=plain(reply.messages))
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
            return forms.note_card(plain(refusal.messages))
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
        return forms.note_card(plain((await self.core.handle(synced)).messages))

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
