"""Acknowledging Slack at once: the ack, the last-resort apology after it, shedding load,
refusing bodies Bolt cannot read, and knowing a repeated request before handling it again."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

if TYPE_CHECKING:
    from adapters.slack.app import SlackRuntime

log = logging.getLogger(__name__)

Answerer = Callable[[dict[str, Any], AsyncWebClient, Any, str | None], Awaitable[None]]


MALFORMED = (AttributeError, IndexError, KeyError, TypeError, ValueError)


async def on_error(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
    """A body Bolt's own middleware cannot read is the sender's fault (400), not ours (500);
    other failures stay 500, so Slack retries an event we could not take."""
    if isinstance(error, MALFORMED) and response is not None and response.status >= 500:
        log.warning("refused a Slack request Bolt could not read: %s", type(error).__name__)
        return BoltResponse(status=400, body="")
    log.error("Slack request failed: %s", type(error).__name__, exc_info=error)
    return None


def deduplicate(rt: SlackRuntime) -> Any:
    """Events are deduplicated by `event_id` (Slack's retries re-sign them); slash commands and
    interactions carry no id, so a signed request replayed inside the 5-minute window is known
    by its (timestamp, signature) pair and acknowledged without being handled again.

    Only this process's memory is asked before the ack (`dedup.py`). After it, the key goes
    with the event to the core, which records it in the same transaction as the handling
    (`Reply.duplicate`; the programme form records it with the programme), so a request sent
    to several servers is still handled by one, and a retry of one that failed half-way is
    handled."""

    async def middleware(
        body: dict[str, Any], req: Any, context: Any, next: Any
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        key = str(event_id) if event_id else request_key(req.headers)
        if key and rt.seen.seen_here(key):
            log.info("dropping a repeated Slack request %s", key)
            return BoltResponse(status=200, body="")
        context[CLAIM] = key
        result: BoltResponse | None = await next()
        return result

    return middleware


CLAIM = "crossties_claim"


def request_key(headers: dict[str, Any]) -> str | None:
    """A short key for one signed request (None in Socket Mode, where nothing is signed)."""
    stamp = (headers.get("x-slack-request-timestamp") or [""])[0]
    signature = (headers.get("x-slack-signature") or [""])[0]
    if not stamp or not signature:
        return None
    return "sig:" + hashlib.sha256(f"{stamp}:{signature}".encode()).hexdigest()[:60]


async def sorry(rt: SlackRuntime, respond: Any, what: str) -> None:
    """The last resort after the ack: a polite "try again shortly", never silence or a trace."""
    log.exception("could not answer a Slack %s", what)
    try:
        await respond(text=rt.services.prompts.render("error_internal"), response_type="ephemeral")
    except Exception as error:
        log.warning("could not tell the person about the failure: %s", type(error).__name__)


def responder(rt: SlackRuntime, body: dict[str, Any], respond: Any) -> Any:
    """Answers to the request's `response_url` through the runtime's shared session."""
    url = body.get("response_url")
    if not url:
        return respond

    async def send(**fields: Any) -> None:
        answer = await AsyncWebhookClient(str(url), session=rt.http()).send(**fields)
        if answer.status_code != 200:
            log.warning("response_url answered %s", answer.status_code)

    return send


def acked(rt: SlackRuntime, what: str, answer: Answerer, *, shed: bool = False) -> Any:
    """Ack at once, then answer; any failure after the ack gets the polite "try again".

    With `shed`, a request arriving while the process already has its backlog of work in
    progress is answered in the ack itself: busy, try again in a moment (nothing is done, so
    trying again is safe). Slash commands shed; clicks (check-in answers) always queue."""

    async def listener(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any, context: Any
    ) -> None:
        backlog = rt.services.backlog
        if not backlog.take(even_if_full=not shed):
            busy = rt.services.prompts.render("busy")
            await ack(text=busy, response_type="ephemeral")
            return
        rt.track()
        try:
            await ack()
            respond = responder(rt, body, respond)
            try:
                await answer(body, client, respond, context.get(CLAIM))
            except Exception:
                await sorry(rt, respond, what)
        finally:
            backlog.give_back()

    return listener
