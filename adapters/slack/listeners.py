"""Bolt listeners: acknowledge at once, then translate, ask the core, render the answer.

Every listener acks before any slow work (Slack wants an answer within 3 seconds); the app
runs with process_before_response=False, so the HTTP answer leaves as soon as ack() is called
and the rest happens after. Nothing here decides rights: the core does.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render_intro, translate, views
from adapters.slack.acks import CLAIM, acked, deduplicate, on_error
from adapters.slack.manifest import COMMAND
from adapters.slack.replies import Where, deliver
from bot import actions as codec
from bot.events import (
    FormOpened,
    FormSubmitted,
    HomeOpened,
    ListedMember,
    MembersListed,
    Message,
    ReachChanged,
    UserRef,
)
from bot.ids import ProgrammeId
from bot.views import (
    AnsweredCheckIn,
    HomeView,
    IntroductionView,
    ProgrammeFormView,
    ProgrammeSaved,
    Reply,
    SuggestedTimes,
)

if TYPE_CHECKING:
    from adapters.slack.app import SlackRuntime

log = logging.getLogger(__name__)

MEMBERS_PAGE = 200  # conversations.members page size
# Which modal field a core refusal belongs to, for inline errors.
FORM_ERRORS = {
    "error_programme_name": "name",
    "error_programme_exists": "name",
    "error_too_long": "name",
    "error_programme_organisations": "organisations",
    "error_organisation_blank": "organisations",
    "error_cadence": "cadence",
    "error_group_size": "group_size",
    "error_checkin_delay": "checkin_delay",
    "error_checkin_days": "checkin_delay",
    "error_schedule": "hour",
    "error_bad_timezone": "timezone",
}


def register(bolt: AsyncApp, rt: SlackRuntime, *, oauth: bool) -> None:
    bolt.error(on_error)
    bolt.use(deduplicate(rt))
    bolt.command(COMMAND)(_on_command(rt))
    bolt.action(re.compile(r"^ct\|"))(_on_action(rt))
    bolt.view(translate.PROGRAMME_MODAL)(_on_programme_form(rt))
    bolt.event("app_home_opened")(_on_home_opened(rt))
    bolt.event("message")(_on_message(rt))
    for kind, forget in (
        ("app_uninstalled", bolt.default_app_uninstalled_event_listener() if oauth else None),
        ("tokens_revoked", bolt.default_tokens_revoked_event_listener() if oauth else None),
    ):
        bolt.event(kind)(_on_removed(rt, forget))


def _on_removed(rt: SlackRuntime, forget: Any) -> Any:
    """The app was removed from a workspace: with OAuth, delete its installation (Bolt's own
    listener does that); with a single token there is nothing stored to delete. Deleting is
    the same however often it happens, so a repeat needs no guard beyond the memory one."""

    async def listener(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        rt.track()
        log.warning("Slack: %s in workspace %s", event.get("type"), translate.team_of(body))
        if forget is not None and event.get("type") == "app_uninstalled":
            await forget(context=context)
        elif forget is not None:
            await forget(event=event, context=context)

    return listener


def where(
    rt: SlackRuntime,
    client: AsyncWebClient,
    user: UserRef,
    channel: str | None = None,
    response_url: str | None = None,
) -> Where:
    """Where replies to one request go; a DM the core keeps is used, one opened is kept."""

    async def known_dm() -> str | None:
        return (await rt.core.stored(user)).dm_channel

    async def keep_dm(opened: str) -> None:
        await rt.core.handle(ReachChanged(user, dm_channel=opened))

    return Where(client, user.workspace, user.id, channel, response_url, known_dm, keep_dm)


def _on_command(rt: SlackRuntime) -> Any:
    async def answer(
        body: dict[str, Any], client: AsyncWebClient, respond: Any, key: str | None
    ) -> None:
        event = translate.translate(body)
        if event is None:
            return
        event = await rt.profiles.enrich(client, event, rt.core.known_by_name)
        reply = await rt.core.handle(codec.with_key(event, key))
        if reply.duplicate:
            return
        to = where(rt, client, event.user, body.get("channel_id"), body.get("response_url"))
        await deliver(to, reply.messages, rt.sender, respond)

    return acked(rt, "command", answer, shed=True)


def _on_message(rt: SlackRuntime) -> Any:
    async def listener(body: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        rt.track()
        event = translate.translate(body)
        if event is None:
            return
        rt.services.backlog.take(even_if_full=True)
        try:
            event = await rt.profiles.enrich(client, event, rt.core.known_by_name)
            reply = await rt.core.handle(codec.with_key(event, context.get(CLAIM)))
            if reply.duplicate:
                return
            channel = (body.get("event") or {}).get("channel")
            await deliver(where(rt, client, event.user, channel), reply.messages, rt.sender)
        finally:
            rt.services.backlog.give_back()

    return listener


def _on_home_opened(rt: SlackRuntime) -> Any:
    async def listener(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        rt.track()
        if event.get("tab") not in (None, "home"):
            return
        opened = translate.translate(body)
        if not isinstance(opened, HomeOpened):
            return
        opened = await rt.profiles.enrich(client, opened, rt.core.known_by_name)
        profile = await rt.profiles.get(client, opened.user.workspace, opened.user.id)
        admin = bool(profile and profile.admin)
        opened = replace(opened, workspace_admin=admin, request_key=context.get(CLAIM))
        reply = await rt.core.handle(opened)  # meets the person, keeps the DM, draws the home
        if not reply.duplicate:
            await _publish(rt, client, opened.user, reply)

    return listener


async def publish_home(
    rt: SlackRuntime, client: AsyncWebClient, team: str, user: str, *, forgotten: bool = False
) -> None:
    """The person's App Home, redrawn. For someone just forgotten, their profile is not looked
    up again (it would put their name and email back in this process's memory)."""
    profile = None if forgotten else await rt.profiles.get(client, team, user)
    ref = rt.user_ref(team, user)
    admin = bool(profile and profile.admin)
    await _publish(
        rt, client, ref, await rt.core.handle(HomeOpened(ref, workspace_admin=admin, refresh=True))
    )


async def _publish(rt: SlackRuntime, client: AsyncWebClient, user: UserRef, reply: Reply) -> None:
    if not isinstance(reply.view, HomeView):
        return
    view = views.home(reply.view, rt.services.prompts)
    await rt.pacer.limit("slack", user.workspace, "views.publish")
    try:
        await client.views_publish(user_id=user.id, view=view)
    except SlackApiError as exc:
        log.warning("views.publish failed: %s", exc.response.get("error"))


HOME_CHANGES = frozenset({codec.JOIN, "leave", "resume", codec.PAUSE})


def _on_action(rt: SlackRuntime) -> Any:
    async def answer(
        body: dict[str, Any], client: AsyncWebClient, respond: Any, key: str | None
    ) -> None:
        event = translate.translate(body)
        if event is None:
            return
        team, user = event.user.workspace, event.user.id
        from_home = (body.get("container") or {}).get("type") == "view"
        if isinstance(event, FormOpened):
            await _open_programme_modal(rt, client, body, event)
            return
        event = await rt.profiles.enrich(client, event, rt.core.known_by_name)
        reply = await rt.core.handle(codec.with_key(event, key))
        if reply.duplicate:
            return
        conversation = getattr(event, "conversation", None)
        to = where(
            rt,
            client,
            event.user,
            conversation.id if conversation and not from_home else None,
            None if from_home else body.get("response_url"),
        )
        if isinstance(reply.view, SuggestedTimes) and not from_home:
            await _offer_times(respond, reply.view)
        else:
            await deliver(to, reply.messages, rt.sender, respond)
        if isinstance(reply.view, IntroductionView) and conversation and not from_home:
            await _redraw_introduction(rt, client, body, event.user, conversation.id, reply.view)
        if isinstance(reply.view, AnsweredCheckIn) and conversation and not from_home:
            await _show_answers(rt, client, body, event.user, conversation.id, reply.view)
        if from_home or translate.action_of(body) in HOME_CHANGES:
            await publish_home(rt, client, team, user, forgotten=bool(reply.forgotten))

    return acked(rt, "button", answer)


async def _show_answers(
    rt: SlackRuntime,
    client: AsyncWebClient,
    body: dict[str, Any],
    user: UserRef,
    channel: str,
    answered: AnsweredCheckIn,
) -> None:
    """Redraw the message the button was on with the group's answer (members only: only
    they can answer)."""
    message = body.get("message") or {}
    if not message.get("ts"):
        return
    text, blocks = render_intro.answered_message(
        answered,
        message.get("blocks") or [],
        message.get("text") or "",
        own=channel.startswith("D"),
    )
    await rt.pacer.limit("slack", user.workspace, "chat.update")
    try:
        await client.chat_update(
            channel=channel,
            ts=message["ts"],
            text=text,
            blocks=blocks,
        )
    except SlackApiError as exc:
        log.info("chat.update failed: %s", exc.response.get("error"))


async def _offer_times(respond: Any, times: SuggestedTimes) -> None:
    """Suggested times, posted into the conversation for the others to pick."""
    try:
        await respond(
            text=render_intro.times_text(times),
            blocks=render_intro.to_dicts(render_intro.times_blocks(times)),
            response_type="in_channel",
            replace_original=False,
        )
    except Exception as exc:  # a failed answer must not break the request
        log.warning("posting suggested times failed: %s", type(exc).__name__)


async def _redraw_introduction(
    rt: SlackRuntime,
    client: AsyncWebClient,
    body: dict[str, Any],
    user: UserRef,
    channel: str,
    view: IntroductionView,
) -> None:
    """The introduction the button was on, drawn again from the view (another question)."""
    message = body.get("message") or {}
    if not message.get("ts"):
        return
    reader = view.shared_reader()
    await rt.pacer.limit("slack", user.workspace, "chat.update")
    try:
        await client.chat_update(
            channel=channel,
            ts=message["ts"],
            text=render_intro.introduction_text(view, reader),
            blocks=render_intro.to_dicts(render_intro.introduction_blocks(view, reader)),
        )
    except SlackApiError as exc:
        log.info("chat.update failed: %s", exc.response.get("error"))


async def _open_programme_modal(
    rt: SlackRuntime, client: AsyncWebClient, body: dict[str, Any], event: FormOpened
) -> None:
    # Rights are checked before the modal opens (and again when it is saved): Slack says who
    # administers the workspace, and that profile is kept, so the trigger id stays fresh.
    profile = await rt.profiles.get(client, event.user.workspace, event.user.id)
    reply = await rt.core.handle(replace(event, workspace_admin=bool(profile and profile.admin)))
    if not isinstance(reply.view, ProgrammeFormView):
        await deliver(where(rt, client, event.user), reply.messages, rt.sender)
        return
    view = views.programme_modal(reply.view, rt.services.prompts)
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))


def _on_programme_form(rt: SlackRuntime) -> Any:
    async def listener(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        rt.track()
        team, user = translate.team_of(body), translate.user_id_of(body)
        user_ref = rt.user_ref(team, user)
        profile = await rt.profiles.get(client, team, user)
        submitted = FormSubmitted(
            user_ref,
            translate.programme_form(body),
            workspace_admin=bool(profile and profile.admin),
            display_name=profile.name if profile else None,
            request_key=context.get(CLAIM),
        )
        reply = await rt.core.handle(submitted)
        if reply.duplicate:
            await ack()
            return
        to = where(rt, client, user_ref)
        if not isinstance(reply.view, ProgrammeSaved):
            block = FORM_ERRORS.get(reply.refused or "")
            if block is not None and reply.messages:
                text = reply.messages[0].plain()
                await ack(response_action="errors", errors={block: text[:150]})
                return
            await ack()
            await deliver(to, reply.messages, rt.sender)
            return
        await ack()
        await deliver(to, reply.messages, rt.sender)
        await publish_home(rt, client, team, user)
        channel = translate.sync_channel(body)
        if channel:  # one users.info per member, paced: a large channel takes minutes
            synced = await sync_channel(rt, client, user_ref, reply.view.programme, channel)
            await deliver(to, synced, rt.sender)

    return listener


async def sync_channel(
    rt: SlackRuntime, client: AsyncWebClient, coordinator: UserRef, programme: int, channel: str
) -> tuple[Message, ...]:
    """Invite a channel's members: conversations.members (paginated) + users.info each."""
    prompts = rt.services.prompts
    members: list[ListedMember] = []
    cursor: str | None = None
    try:
        while True:
            page = await client.conversations_members(
                channel=channel, limit=MEMBERS_PAGE, cursor=cursor
            )
            for user_id in page.get("members") or []:
                profile = await rt.profiles.get(client, coordinator.workspace, str(user_id))
                if profile is None:
                    continue
                members.append(
                    ListedMember(
                        str(user_id), profile.name, profile.email, profile.bot, profile.deleted
                    )
                )
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
    except SlackApiError as exc:
        text = prompts.render("error_channel_members", reason=exc.response.get("error"))
        return (Message.text(text, ephemeral=True),)
    listed = MembersListed(coordinator, ProgrammeId(programme), tuple(members))
    return (await rt.core.handle(listed)).messages
