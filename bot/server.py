"""`crossties serve`: one aiohttp server for Slack, Teams, health and metrics."""

from __future__ import annotations

from aiohttp import web

from bot.app import Services, build
from bot.config import Settings


async def healthz(request: web.Request) -> web.Response:
    services: Services = request.app["services"]
    try:
        import asyncio

        from sqlalchemy import text

        def ping() -> None:
            with services.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        await asyncio.to_thread(ping)
    except Exception:
        return web.json_response({"status": "unavailable", "database": "down"}, status=503)
    return web.json_response({"status": "ok"})


def make_app(services: Services) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app["services"] = services
    app.router.add_get("/healthz", healthz)
    return app


def run_server(settings: Settings) -> None:
    services = build(settings)
    web.run_app(make_app(services), host=settings.host, port=settings.port)
