"""Serves Teams at `POST /api/messages` in the one aiohttp server.

With `MICROSOFT_APP_ID` set, every activity must carry a valid Bot Framework token: a missing,
forged or unverifiable one is answered 401 and changes nothing. Without an app id the bot runs
unauthenticated, for local development only (the server refuses that on a non-loopback host).
Malformed requests get 400 rather than botbuilder's generic 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext, serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes
from botbuilder.schema.teams import TeamsChannelData

from adapters.teams import render, startup
from adapters.teams.clients import KeptClientsAuthentication
from adapters.teams.handler import CrosstiesTeamsBot
from adapters.teams.platform import TeamsSender
from bot.app import Services
from bot.backlog import Backlog
from bot.config import ConfigError, Settings
from bot.delivery import PlatformSender
from bot.health import PartState

log = logging.getLogger(__name__)

ROUTE = "/api/messages"
AUTH_TIMEOUT = 15.0  # seconds to check a token, key fetch included


@dataclass
class TeamsConfiguration:
    """The attribute names botbuilder's configuration readers look for."""

    APP_ID: str | None = None
    APP_PASSWORD: str | None = None
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str | None = None
    # Only for tests against a local identity provider; production uses the public cloud.
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None

    @staticmethod
    def from_settings(settings: Settings) -> TeamsConfiguration:
        return TeamsConfiguration(
            APP_ID=settings.microsoft_app_id or None,
            APP_PASSWORD=settings.microsoft_app_password or None,
            APP_TYPE=settings.teams_app_type,
            APP_TENANTID=settings.microsoft_app_tenant_id or None,
        )


@dataclass
class Teams:
    adapter: CloudAdapter
    auth: ConfigurationBotFrameworkAuthentication
    bot: CrosstiesTeamsBot
    sender: TeamsSender
    authenticated: bool
    auth_timeout: float = AUTH_TIMEOUT
    backlog: Backlog = field(default_factory=lambda: Backlog(100))
    busy_text: str = ""
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return _problem(400, "expected a JSON activity (Content-Type: application/json)")
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return _problem(400, "the body is not valid JSON")
        if not isinstance(body, dict):
            return _problem(400, "the body is not an activity")
        try:
            activity = Activity().deserialize(body)
        except Exception:
            return _problem(400, "the body is not an activity")
        if not activity.type:
            return _problem(400, "the activity has no type")
        if not _addressed(activity):
            return _problem(400, "the activity lacks a sender, conversation or serviceUrl")
        if not _channel_data_readable(activity):
            return _problem(400, "the activity's channelData is malformed")
        header = request.headers.get("Authorization", "")
        if self.authenticated and not header:
            return _problem(401, "a Bot Framework token is required")
        try:
            result = await asyncio.wait_for(self._authenticate(activity, header), self.auth_timeout)
            if self.authenticated and not _expires(result):
                raise PermissionError("a token without an expiry")
        except Exception as error:  # botbuilder raises generic errors for every auth failure
            detail = "the Bot Framework token is missing, invalid or unverifiable"
            return _problem(401, detail, cause=type(error).__name__)
        if _answered_later(activity):
            # Answered 200 once the token is checked; the turn runs after, like Slack's work
            # after its ack. Its replies go to the connector either way.
            message = activity.type == ActivityTypes.message
            busy = not self.backlog.take(even_if_full=not message)
            task = asyncio.create_task(self._turn(result, activity, busy=busy))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            return web.Response(status=200)
        try:
            response = await self.adapter.process_activity(result, activity, self.bot.on_turn)
        except Exception:
            log.exception("could not process a Teams activity")
            return _problem(500, "the activity could not be processed")
        if response is not None:
            body = response.body
            if body is not None and not isinstance(body, (dict, list, str, int, float)):
                body = serializer_helper(body)  # a botbuilder model, not plain JSON
            return web.json_response(data=body, status=int(response.status))
        return web.Response(status=200)

    async def _turn(self, result: Any, activity: Activity, *, busy: bool) -> None:
        """One turn after the answer: past the backlog, a message is answered "busy, try again
        in a moment" and nothing else is done."""
        try:
            if busy:
                await self.adapter.process_activity(result, activity, self._busy)
                return
            try:
                await self.adapter.process_activity(result, activity, self.bot.on_turn)
            finally:
                self.backlog.give_back()
        except Exception:
            log.exception("could not process a Teams activity")

    async def _busy(self, context: TurnContext) -> None:
        await context.send_activity(render.text_activity(self.busy_text))

    async def settle(self) -> None:
        """Wait until every turn that was started has finished."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def _authenticate(self, activity: Activity, header: str) -> Any:
        """Token checks in a worker thread: botbuilder fetches signing keys with blocking
        calls that have no time limit, which must not stall the server."""
        if not self.authenticated:
            return await self.auth.authenticate_request(activity, header)
        return await asyncio.to_thread(
            asyncio.run, self.auth.authenticate_request(activity, header)
        )


def _answered_later(activity: Activity) -> bool:
    """Whether the HTTP answer can leave before the turn runs: not for an invoke (its answer
    is the HTTP response) nor when the channel expects the replies in it."""
    return bool(
        activity.type != ActivityTypes.invoke
        and activity.delivery_mode != DeliveryModes.expect_replies
    )


def _addressed(activity: Activity) -> bool:
    """Every activity the channel sends says who sent it, in which conversation, and where
    to answer; one without them cannot be served."""
    sender, conversation = activity.from_property, activity.conversation
    return bool(
        isinstance(activity.type, str)
        and sender is not None
        and isinstance(sender.id, str)
        and sender.id
        and conversation is not None
        and isinstance(conversation.id, str)
        and conversation.id
        and isinstance(activity.service_url, str)
        and activity.service_url
    )


def _channel_data_readable(activity: Activity) -> bool:
    """Teams' channel data is an object; botbuilder reads it as one for several activity types
    and fails the whole turn on anything else (a list, a string, a team given as text)."""
    try:
        TeamsChannelData().deserialize(activity.channel_data)
    except Exception:
        return False
    return True


def _expires(result: Any) -> bool:
    """botbuilder checks `exp` only when a token has one; the channel's tokens always do, so a
    token that would never expire is refused."""
    identity = getattr(result, "claims_identity", None)
    claims = getattr(identity, "claims", None) or {}
    return isinstance(claims.get("exp"), int | float)


def _problem(status: int, detail: str, *, cause: str = "") -> web.Response:
    """A refusal: one short log line (never the body, which may name people) and the answer."""
    log.warning("rejected a Teams request (%d): %s%s", status, detail, f" ({cause})" * bool(cause))
    return web.json_response({"error": detail}, status=status)


def build_teams(
    services: Services,
    configuration: TeamsConfiguration | None = None,
    *,
    credentials_factory: Any = None,
) -> Teams:
    configuration = configuration or TeamsConfiguration.from_settings(services.settings)
    try:
        auth = KeptClientsAuthentication(configuration, credentials_factory=credentials_factory)
    except Exception as error:
        raise ConfigError(
            f"Teams settings are incomplete ({error}): set MICROSOFT_APP_ID, "
            "MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID and MICROSOFT_APP_TYPE"
        ) from error
    adapter = CloudAdapter(auth)
    sender = TeamsSender(adapter, services.prompts, app_id=configuration.APP_ID)
    bot = CrosstiesTeamsBot(services.core, sender)

    async def on_error(context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
        try:
            text = services.prompts.render("error_internal")
            await context.send_activity(render.text_activity(text))
        except Exception:
            log.warning("could not tell the person about the failure")

    adapter.on_turn_error = on_error
    return Teams(
        adapter,
        auth,
        bot,
        sender,
        authenticated=bool(configuration.APP_ID),
        backlog=services.backlog,
        busy_text=services.prompts.render("busy"),
    )


TEAMS = web.AppKey("teams", Teams)


def mount_teams(app: web.Application, services: Services) -> PlatformSender:
    teams = build_teams(services)
    if not teams.authenticated:
        log.warning(
            "Teams: no MICROSOFT_APP_ID, so activities at %s are NOT authenticated "
            "(local development only)",
            ROUTE,
        )
    app[TEAMS] = teams
    app.router.add_post(ROUTE, teams.handle)
    health = services.health
    if teams.authenticated:
        app.cleanup_ctx.append(_credential_check(services))
    else:
        health.set("teams", PartState.UP, "local development: activities are not authenticated")

    async def on_shutdown(app: web.Application) -> None:
        try:
            await asyncio.wait_for(teams.settle(), 10)
        except TimeoutError:
            log.warning("some Teams turns were still running at shutdown")

    app.on_shutdown.append(on_shutdown)
    return teams.sender


def _credential_check(services: Services):  # type: ignore[no-untyped-def]
    """Ask for a token in the background: the server listens whatever Entra ID answers."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(
            startup.check(services.settings, services.health), name="crossties-teams-check"
        )
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context
