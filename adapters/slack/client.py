"""Web API clients with retries, and what a Slack failure means for delivery.

slack_sdk retries nothing but connection errors by default (and the rate-limit handler retries
once unless told). Ours retry connection errors, 429 (honouring Retry-After, when the wait is
short enough to hold a request open, and through the shared pacer) and 500/503 with backoff.
Waiting goes through `Waits`, so tests can replace the sleep and never wait on the wall clock.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import PermanentSendError, TransientSendError
from bot.pacing import Pacer

# The person left, was deactivated, or cannot be written to: mark them unreachable.
UNREACHABLE = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "user_disabled",
        "user_not_visible",
        "cannot_dm_bot",
        "not_allowed",
        "is_bot",
        "messages_tab_disabled",
    }
)
# The conversation cannot be used (archived, gone, not allowed): permanent, nobody is marked.
CONVERSATION_GONE = frozenset(
    {
        "not_in_channel",
        "is_archived",
        "channel_not_found",
        "restricted_action",
        "no_permission",
        "ekm_access_denied",
        "team_access_not_granted",
    }
)
# The installation itself is gone: nothing can be delivered to this workspace.
UNINSTALLED = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive_team"}
)
TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


@dataclass
class Waits:
    """How the adapter waits: replaceable as a whole in tests."""

    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic  # what the pacer measures with
    max_retry_after: float = 10.0  # longer waits go back to the outbox instead
    retries: int = 2
    backoff: float = 0.5
    slept: list[float] = field(default_factory=list)

    async def pause(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self.sleep(seconds)


def retry_after_of(headers: object) -> float | None:
    if not hasattr(headers, "get"):
        return None
    value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Retry a 429 after its Retry-After, when that is short; otherwise let it fail.

    With a pacer and a known workspace the retry goes through it: the 429 holds the method
    back for every caller (every server, when the pacer is shared), and the retry then books
    its turn like any other call."""

    def __init__(self, waits: Waits, pacer: Pacer | None = None, workspace: str | None = None):
        super().__init__(max_retry_count=waits.retries)
        self.waits = waits
        self.pacer = pacer
        self.workspace = workspace

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after_of(response.headers)
        return wait is None or wait <= self.waits.max_retry_after

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        wait = retry_after_of(response.headers if response else None)
        seconds = wait if wait is not None else 1.0 + random.random()
        params = request.body_params or {}
        team = str(params.get("team_id") or self.workspace or "")
        method = request.url.rstrip("/").rsplit("/", 1)[-1]
        channel = params.get("channel") if isinstance(params.get("channel"), str) else None
        if self.pacer is not None and team:
            self.pacer.slow_down("slack", team, method, seconds, channel)
        await self.waits.pause(seconds)
        if self.pacer is not None and team:
            await self.pacer.limit("slack", team, method, channel)
        state.increment_current_attempt()


class _BackOff:
    """Exponential back-off on our own clock, shared by the server and connection handlers."""

    def __init__(self, waits: Waits) -> None:
        super().__init__(max_retry_count=waits.retries)  # type: ignore[call-arg]
        self.waits = waits

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await self.waits.pause(self.waits.backoff * (2**state.current_attempt))
        state.increment_current_attempt()


class ServerErrorRetry(_BackOff, AsyncServerErrorRetryHandler):
    pass


class ConnectionRetry(_BackOff, AsyncConnectionErrorRetryHandler):
    pass


class RefusalWatch(AsyncRetryHandler):
    """Retries nothing: it sees every answer and says when Slack refuses the token itself
    (revoked, expired, the app uninstalled), so the workspace's sending stops at once."""

    def __init__(self, on_refused: Callable[[str, str], None]) -> None:
        super().__init__(max_retry_count=1_000_000)  # consulted on every attempt
        self.on_refused = on_refused

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        body = response.body if response is not None else None
        if isinstance(body, dict) and body.get("error") in UNINSTALLED:
            auth = request.headers.get("Authorization", "")
            auth = auth[0] if isinstance(auth, list) and auth else auth
            self.on_refused(str(body["error"]), str(auth or "").removeprefix("Bearer "))
        return False


def retry_handlers(
    waits: Waits, pacer: Pacer | None = None, workspace: str | None = None
) -> list[AsyncRetryHandler]:
    return [
        ConnectionRetry(waits),
        RateLimitRetry(waits, pacer, workspace),
        ServerErrorRetry(waits),
    ]


def learn_workspace(client: AsyncWebClient, workspace: str) -> None:
    """The single-workspace client learns its workspace on first use, for its 429 retries."""
    for handler in client.retry_handlers or []:
        if isinstance(handler, RateLimitRetry) and handler.workspace is None:
            handler.workspace = workspace


def make_client(
    token: str | None,
    base_url: str | None,
    waits: Waits,
    *,
    on_refused: Callable[[str, str], None] | None = None,
    pacer: Pacer | None = None,
    workspace: str | None = None,
) -> AsyncWebClient:
    handlers = retry_handlers(waits, pacer, workspace)
    if on_refused is not None:
        handlers.insert(0, RefusalWatch(on_refused))
    kwargs: dict[str, object] = {"token": token, "retry_handlers": handlers}
    if base_url:
        kwargs["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
    return AsyncWebClient(**kwargs)  # type: ignore[arg-type]


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, SlackApiError):
        data = exc.response.data if exc.response is not None else None
        if isinstance(data, dict):
            return str(data.get("error") or "") or None
    return None


def classify(exc: BaseException, users: tuple[str, ...] = ()) -> Exception:
    """A Slack failure → TransientSendError (try later) or PermanentSendError (never)."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code if exc.response is not None else 0
        code = error_code(exc) or ""
        if status == 429 or code == "ratelimited":
            wait = retry_after_of(exc.response.headers) if exc.response is not None else None
            return TransientSendError(f"slack rate limited ({code})", retry_after=wait or 30.0)
        if status >= 500 or code in TRANSIENT:
            return TransientSendError(f"slack server error {status} ({code})")
        if code in UNREACHABLE:
            return PermanentSendError(code, unreachable_users=users)
        if code in CONVERSATION_GONE:
            return PermanentSendError(code)
        if code in UNINSTALLED:
            return PermanentSendError(f"{code} (the app was removed)")
        return PermanentSendError(code or f"HTTP {status}")
    if isinstance(exc, ClientError | asyncio.TimeoutError | SlackRequestError | OSError):
        return TransientSendError(f"slack connection failed ({type(exc).__name__})")
    return TransientSendError(type(exc).__name__)
