"""Connecting to Slack in the background, after the server listens.

The bot token is checked with `auth.test`; in Socket Mode the app token opens the socket
(`apps.connections.open`). A transient failure (network, 5xx, 429) is retried with backoff and
jitter; a permanent one (`invalid_auth`, `not_allowed_token_type`, a revoked token, …) stops
at once and is logged once, loudly, with the variable to fix. Either way the rest of the
server carries on, and `/healthz` shows Slack's state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    wait_exponential_jitter,
)

from bot.health import Health, PartState

log = logging.getLogger(__name__)

T = TypeVar("T")
PART = "slack"
# Slack's answers that say "try again later"; any other error answer will not change by retrying.
TRANSIENT_ERRORS = {"ratelimited", "fatal_error", "internal_error", "service_unavailable"}
FIX = {
    "SLACK_BOT_TOKEN": "set SLACK_BOT_TOKEN to the app's current bot token (xoxb-…, "
    "under OAuth & Permissions), or reinstall the app if it was revoked",
    "SLACK_APP_TOKEN": "set SLACK_APP_TOKEN to an app-level token (xapp-…) with the "
    "connections:write scope (under Basic Information)",
}


class Refused(Exception):
    """Slack refused a credential for good; the message says which and what to set."""


def transient(error: BaseException) -> bool:
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        code = str(error.response.get("error", "")) if error.response is not None else ""
        return status >= 500 or status == 429 or code in TRANSIENT_ERRORS
    return isinstance(error, ClientError | TimeoutError | OSError)


def refusal(variable: str, error: SlackApiError) -> Refused:
    code = error.response.get("error", "error") if error.response is not None else "error"
    return Refused(f"Slack refused {variable} ({code})", variable, str(code))


def refused(health: Health, variable: str, code: str) -> None:
    """Slack refused a credential for good: say so once, loudly, with what to fix."""
    message = f"Slack refused {variable} ({code}): {FIX[variable]}"
    already = health.state(PART) == PartState.FAILED
    health.set(PART, PartState.FAILED, message)
    if not already:
        log.error("!!! %s. Slack is off until this is fixed; the rest carries on.", message)


async def persist(
    call: Callable[[], Awaitable[T]],
    variable: str,
    health: Health,
    *,
    wait: Any = None,
) -> T:
    """`call` until it succeeds or fails for good."""

    def noted(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        detail = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
        health.set(PART, PartState.RETRYING, detail[:300])
        log.warning("Slack is not reachable yet (%s); trying again", detail[:200])

    retrying = AsyncRetrying(
        retry=retry_if_exception(transient),
        wait=wait or wait_exponential_jitter(initial=1, max=60),
        before_sleep=noted,
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                return await call()
    except SlackApiError as error:
        raise refusal(variable, error) from error
    raise AssertionError("unreachable")  # pragma: no cover - tenacity returns or raises


async def connect(
    client: AsyncWebClient,
    health: Health,
    *,
    bot_token: str | None,
    app_token: str | None,
    open_socket: Callable[[str], Awaitable[None]] | None = None,
    wait: Any = None,
) -> bool:
    """Check the credentials and, in Socket Mode, open the socket. True when Slack is up."""
    health.set(PART, PartState.STARTING)
    try:
        if bot_token:
            await persist(lambda: client.auth_test(), "SLACK_BOT_TOKEN", health, wait=wait)
        if app_token and open_socket is not None:

            async def wss_url() -> str:
                answer = await client.apps_connections_open(app_token=app_token)
                return str(answer["url"])

            url = await persist(wss_url, "SLACK_APP_TOKEN", health, wait=wait)
            await open_socket(url)
    except Refused as error:
        variable, code = error.args[1], error.args[2]
        refused(health, variable, code)
        return False
    except asyncio.CancelledError:
        raise
    except Exception as error:  # anything else: say so once, keep the server up
        health.set(PART, PartState.FAILED, f"{type(error).__name__}: {error}"[:300])
        log.exception("!!! Slack could not start; the rest carries on")
        return False
    health.set(PART, PartState.UP)
    log.info("Slack connected%s", " (Socket Mode)" if app_token else "")
    return True
