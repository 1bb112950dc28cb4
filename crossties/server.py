"""`crossties serve`: one aiohttp server for Slack, Teams, health and metrics, plus the
background delivery worker (and, with the scheduling module, the scheduler)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.app import Services
from bot.config import ConfigError, Settings
from bot.delivery import PlatformSender
from bot.health import PartState
from bot.pacing import Pacer
from crossties.wiring import build

if TYPE_CHECKING:
    from crossties.metrics import Metrics

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
STARTING = "crossties serve is starting its server"  # logged with everything built
DATABASE_PING_TIMEOUT = 4.0  # seconds; /healthz answers within 5 s whatever the database does
SENDERS = web.AppKey("senders", dict)
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")


async def healthz(request: web.Request) -> web.Response:
    """Overall status and one entry per part; 503 only when the process cannot do its job."""
    services = request.app[SERVICES]

    def ping() -> None:
        from sqlalchemy import text

        with services.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(asyncio.to_thread(ping), DATABASE_PING_TIMEOUT)
    except Exception as error:
        services.health.set("database", PartState.DOWN, type(error).__name__)
    else:
        services.health.set("database", PartState.UP)
    report = services.health.report()
    return web.json_response(report, status=200 if services.health.available() else 503)


async def metrics(request: web.Request) -> web.Response:
    """The Prometheus text format; the outbox is counted in the database off the loop."""
    from prometheus_client import CONTENT_TYPE_LATEST

    body = await asyncio.to_thread(request.app[METRICS].exposition)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def server_metrics(services: Services) -> Metrics:
    """The metrics the core reports to (crossties.wiring.build); a core that was built
    without them reports to new ones from now on."""
    from prometheus_client import CollectorRegistry

    from crossties.metrics import Metrics

    observer = services.core.observer
    if isinstance(observer, Metrics):
        return observer
    metrics = Metrics(CollectorRegistry(), services.db)
    services.core.observer = metrics
    return metrics


# The largest body either platform may send us. Slack's biggest payloads (a modal submission
# with every block, a message action on a long message) and Teams' (an activity with a card)
# stay well under 100 KiB; a body over this is refused before it is read (docs/SECURITY.md).
MAX_BODY = 512 * 1024  # bytes


@web.middleware
async def refuse_oversized(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A declared length over MAX_BODY is refused before a byte of the body is read; a body
    without one (chunked) is cut off by aiohttp at MAX_BODY. Either way, one short line."""
    declared = request.content_length
    if declared is not None and declared > MAX_BODY:
        log.info("refused a request to %s: body over %d KiB", request.path, MAX_BODY // 1024)
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=declared)
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        log.info("refused a request to %s: body over %d KiB", request.path, MAX_BODY // 1024)
        raise


def make_app(
    services: Services, *, senders: dict[str, PlatformSender] | None = None, background: bool = True
) -> web.Application:
    """Build the one server. Adapters mount their routes and give back their sender."""
    from bot.logsafe import guard_library_records

    guard_library_records()
    app = web.Application(client_max_size=MAX_BODY, middlewares=[refuse_oversized])
    app[SERVICES] = services
    all_senders: dict[str, PlatformSender] = dict(senders or {})
    app[SENDERS] = all_senders
    app[METRICS] = server_metrics(services)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    pacers: list[Pacer] = []
    if not services.settings.slack_enabled:
        services.health.set("slack", PartState.OFF)
    if services.settings.slack_enabled:
        from adapters.slack.app import SLACK, mount_slack

        all_senders.setdefault("slack", mount_slack(app, services))
        pacers.append(app[SLACK].pacer)
    from adapters.teams.app import TEAMS, mount_teams  # Teams always serves /api/messages

    all_senders.setdefault("teams", mount_teams(app, services))
    pacers.append(app[TEAMS].sender.pacer)
    if background:
        app.cleanup_ctx.append(_background(services, all_senders, pacers))
    return app


def _background(  # type: ignore[no-untyped-def]
    services: Services, senders: dict[str, PlatformSender], pacers: list[Pacer]
):
    async def context(app: web.Application) -> AsyncIterator[None]:
        from crossties.background import BackgroundWork

        work = BackgroundWork(
            services.settings,
            services.db,
            services.clock,
            services.prompts,
            senders,
            pacers,
            health=services.health,
            observer=app[METRICS],
        )
        services.core.on_queued(work.worker.wake)
        await work.start()
        yield
        await work.stop()

    return context


def check_serving_settings(settings: Settings) -> None:
    """Half-set credentials stop the program; Teams never runs without authentication
    except on a loopback address."""
    settings.check_platforms()
    if not settings.microsoft_app_id and not settings.host_is_loopback:
        raise ConfigError(
            f"refusing to serve on {settings.host} without Teams credentials: set "
            "MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID (and "
            "MICROSOFT_APP_TYPE), or listen on 127.0.0.1 for local development"
        )
    if not settings.microsoft_app_id:
        log.warning(
            "!!! Teams runs WITHOUT authentication (no MICROSOFT_APP_ID): local "
            "development only, listening on %s",
            settings.host,
        )


def run_server(settings: Settings) -> None:
    from bot.logsafe import configure

    configure(logging.INFO, settings.log_format)
    check_serving_settings(settings)
    services = build(settings)
    app = make_app(services)
    # No access log line per request: it cost ~7 % of the event loop under load, and the
    # reverse proxy in front (HTTPS for Slack and Teams) logs requests already.
    log.info("%s on %s:%d", STARTING, settings.host, settings.port)
    web.run_app(app, host=settings.host, port=settings.port, access_log=None)
