"""Mounts the Slack app (slack-bolt AsyncApp) in the one aiohttp server.

HTTP mode: `POST /slack/events` takes events, slash commands and interactivity (signature
always verified, 5-minute window), plus `/slack/install` and `/slack/oauth_redirect` when
the OAuth install flow is configured. Socket Mode instead when SLACK_APP_TOKEN is set: the
socket opens in the background once the server listens (adapters/slack/startup.py) and
closes with the aiohttp app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import ClientSession, ClientTimeout, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import listeners, startup
from adapters.slack.client import Waits, learn_workspace, make_client
from adapters.slack.dedup import RecentRequests
from adapters.slack.manifest import EVENTS_PATH
from adapters.slack.replies import Profiles
from adapters.slack.sender import SlackSender
from bot.app import Services
from bot.config import ConfigError
from bot.core import Crossties
from bot.delivery import PlatformSender
from bot.events import UserRef
from bot.pacing import Pacer

log = logging.getLogger(__name__)


class _OwnClientNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it does, on
    purpose (the client carries our base URL and retry handlers), so the notice is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.AsyncApp").addFilter(_OwnClientNotice())


@dataclass
class SlackRuntime:
    """Everything the Slack side holds; reachable as `app[SLACK]` (tests replace `waits`)."""

    services: Services
    bolt: AsyncApp
    sender: SlackSender
    waits: Waits
    pacer: Pacer
    seen: RecentRequests
    profiles: Profiles
    tasks: set[asyncio.Task[object]] = field(default_factory=set)
    socket_mode: bool = False
    connecting: asyncio.Task[bool] | None = None  # the start-up connection (startup.py)
    _http: ClientSession | None = None

    def http(self) -> ClientSession:
        """One client session for answers to `response_url`, so connections are reused
        (Bolt's `respond` opens a new one, and a TLS handshake, for every answer)."""
        if self._http is None or self._http.closed:
            self._http = ClientSession(timeout=ClientTimeout(total=30))
        return self._http

    @property
    def core(self) -> Crossties:
        return self.services.core

    def user_ref(self, team: str, user: str) -> UserRef:
        return UserRef("slack", team, user)

    def track(self) -> None:
        """Remember the running listener, so shutdown and tests can wait for it."""
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def settle(self) -> None:
        """Wait until every listener that was started has finished."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def wake(self) -> None:
        await self.core.wake_delivery()


SLACK = web.AppKey("slack", SlackRuntime)


def mount_slack(app: web.Application, services: Services) -> PlatformSender:
    settings = services.settings
    problem = settings.slack_problem()  # Socket Mode needs no signing secret: nothing is signed
    if problem:
        raise ConfigError(problem)
    signing_secret = settings.slack_signing_secret or ""
    waits = Waits()
    pacer = Pacer(clock=lambda: waits.clock(), sleep=lambda seconds: waits.pause(seconds))
    refused: set[str] = set()  # tokens Slack refused while running: no more sends with them

    def on_refused(code: str, token: str) -> None:
        if not token or token in refused or token == settings.slack_app_token:
            return
        refused.add(token)
        if token == settings.slack_bot_token:
            startup.refused(services.health, "SLACK_BOT_TOKEN", code)
        else:
            log.error("!!! Slack refused a workspace's token (%s): reinstall the app there", code)

    client = make_client(
        settings.slack_bot_token, settings.slack_api_url, waits, on_refused=on_refused, pacer=pacer
    )
    oauth = bool(settings.slack_client_id and settings.slack_client_secret)
    store = None
    if oauth:
        from adapters.slack.oauth import erase_installers, oauth_settings

        assert settings.slack_client_id and settings.slack_client_secret
        oauth_config, store = oauth_settings(
            services.db, settings.slack_client_id, settings.slack_client_secret
        )
        installations = store.store
        services.core.on_forgotten(lambda users: erase_installers(installations, users))
        bolt = AsyncApp(
            signing_secret=signing_secret,
            oauth_flow=AsyncOAuthFlow(client=client, settings=oauth_config),
            client=client,
            process_before_response=False,
        )
    else:
        bolt = AsyncApp(
            signing_secret=signing_secret,
            client=client,
            process_before_response=False,
        )
    clients: dict[str, AsyncWebClient] = {}

    async def client_for(team: str) -> AsyncWebClient:
        """The workspace's current token (looked up each time: it changes on reinstall)."""
        if store is None:
            if settings.slack_bot_token in refused:
                raise LookupError(team)
            learn_workspace(client, team)
            return client
        bot = await store.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None or not bot.bot_token or bot.bot_token in refused:
            raise LookupError(team)
        known = clients.get(team)
        if known is None or known.token != bot.bot_token:
            known = clients[team] = make_client(
                bot.bot_token,
                settings.slack_api_url,
                waits,
                on_refused=on_refused,
                pacer=pacer,
                workspace=team,
            )
        return known

    sender = SlackSender(client_for, pacer)
    runtime = SlackRuntime(
        services,
        bolt,
        sender,
        waits,
        pacer,
        RecentRequests(),
        Profiles(pacer),
    )
    listeners.register(bolt, runtime, oauth=oauth)

    def forget_kept(users: tuple[UserRef, ...]) -> None:
        """The profile (name, email) this process keeps of a person who was just erased."""
        for user in users:
            if user.platform == "slack":
                runtime.profiles.forget(user.workspace, user.id)

    services.core.on_forgotten(forget_kept)
    app[SLACK] = runtime
    runtime.socket_mode = settings.slack_socket_mode
    app.cleanup_ctx.append(_connection(runtime, settings.slack_app_token, client))
    if not runtime.socket_mode:
        app.router.add_post(EVENTS_PATH, _events(runtime))
    if bolt.oauth_flow is not None:  # installing is a browser visit, even in Socket Mode
        app.router.add_get(bolt.oauth_flow.install_path, _install(runtime))
        app.router.add_get(bolt.oauth_flow.redirect_uri_path, _oauth_callback(runtime))
    app.on_shutdown.append(_settle(runtime))
    return sender


def _events(runtime: SlackRuntime):  # type: ignore[no-untyped-def]
    async def handle(request: web.Request) -> web.Response:
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if stamp and not (stamp.isascii() and stamp.isdigit()):  # Bolt would fail with a 500
            return web.json_response({"error": "invalid request"}, status=401)
        try:  # Bolt reads the body before checking the signature, and some bodies break it
            bolt_request = await to_bolt_request(request)
            response = await runtime.bolt.async_dispatch(bolt_request)
        except web.HTTPException:  # aiohttp's own answers, e.g. 413 for a body over the limit
            raise
        except Exception as error:
            log.warning("refused a malformed Slack request: %s", type(error).__name__)
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(response)

    return handle


def _install(runtime: SlackRuntime):  # type: ignore[no-untyped-def]
    async def handle(request: web.Request) -> web.Response:
        flow = runtime.bolt.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )

    return handle


def _oauth_callback(runtime: SlackRuntime):  # type: ignore[no-untyped-def]
    async def handle(request: web.Request) -> web.Response:
        flow = runtime.bolt.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    return handle


def _settle(runtime: SlackRuntime):  # type: ignore[no-untyped-def]
    async def on_shutdown(app: web.Application) -> None:
        try:
            await asyncio.wait_for(runtime.settle(), 10)
        except TimeoutError:
            log.warning("some Slack work was still running at shutdown")
        if runtime._http is not None:
            await runtime._http.close()

    return on_shutdown


def _connection(runtime: SlackRuntime, app_token: str | None, client: AsyncWebClient):  # type: ignore[no-untyped-def]
    """Connect in the background: the server listens, and the other platforms serve, whatever
    Slack answers."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler: AsyncSocketModeHandler | None = None

        async def open_socket(url: str) -> None:
            nonlocal handler
            assert app_token is not None
            handler = AsyncSocketModeHandler(runtime.bolt, app_token, web_client=client)
            handler.client.wss_uri = url  # already issued by the credential check
            await handler.connect_async()  # type: ignore[no-untyped-call]

        settings = runtime.services.settings
        task = asyncio.create_task(
            startup.connect(
                client,
                runtime.services.health,
                bot_token=settings.slack_bot_token,
                app_token=app_token,
                open_socket=open_socket,
            ),
            name="crossties-slack-connect",
        )
        runtime.connecting = task
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if handler is not None:
            await handler.close_async()  # type: ignore[no-untyped-call]

    return context
