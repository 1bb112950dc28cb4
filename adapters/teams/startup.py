"""Checking the Teams credentials in the background, after the server listens.

The bot's app id and password are worth nothing until Microsoft Entra ID gives a token for
them; botbuilder would only find out at the first message it sends. So at start the same
client-credentials request is made (msal, as botbuilder does): a refused password, an unknown
app or tenant is permanent — logged once, loudly, with what to fix, and no retry; a network
failure or a 5xx is retried with backoff and jitter. `/api/messages` serves throughout.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

from bot.config import Settings
from bot.health import Health, PartState

log = logging.getLogger(__name__)

PART = "teams"
SCOPE = "https://api.botframework.com/.default"
MULTI_TENANT_AUTHORITY = "botframework.com"
TRANSIENT_ERRORS = {"temporarily_unavailable", "server_error"}


class Unreachable(Exception):
    """The token endpoint could not be asked, or answered "try later"."""


class Refused(Exception):
    """The token endpoint refused the credentials; the message says what to fix."""


def fix_for(error: str, description: str) -> str:
    text = f"{error}: {description.splitlines()[0] if description else ''}".strip()
    if "AADSTS90002" in description or "AADSTS900023" in description:
        return (
            f"Teams: the tenant was not found ({text}); set MICROSOFT_APP_TENANT_ID to the "
            "directory (tenant) id of the app registration"
        )
    if "AADSTS700016" in description or error == "unauthorized_client":
        return (
            f"Teams: the app was not found in the tenant ({text}); check MICROSOFT_APP_ID and "
            "MICROSOFT_APP_TENANT_ID (and MICROSOFT_APP_TYPE)"
        )
    return (
        f"Teams refused MICROSOFT_APP_PASSWORD ({text}); set MICROSOFT_APP_PASSWORD to a "
        "current client secret of the app registration"
    )


def request_token(settings: Settings) -> dict[str, Any]:
    """One client-credentials request (blocking: msal uses requests)."""
    import msal

    tenant = settings.microsoft_app_tenant_id
    if settings.teams_app_type.lower() == "multitenant" or not tenant:
        tenant = MULTI_TENANT_AUTHORITY
    try:
        app = msal.ConfidentialClientApplication(
            settings.microsoft_app_id,
            client_credential=settings.microsoft_app_password,
            authority=f"{settings.teams_login_url.rstrip('/')}/{tenant}",
            validate_authority=False,
        )
        answer: dict[str, Any] = app.acquire_token_for_client(scopes=[SCOPE])
    except ValueError as error:  # msal found no usable OpenID configuration at the authority
        message = str(error)
        if "tenant" in message.lower() or "AADSTS90002" in message:
            raise Refused(fix_for("invalid_tenant", "AADSTS90002 " + message)) from error
        raise Unreachable(message) from error
    except Exception as error:  # network: requests' errors
        raise Unreachable(f"{type(error).__name__}: {error}") from error
    if "access_token" in answer:
        return answer
    error_code = str(answer.get("error", "error"))
    description = str(answer.get("error_description", ""))
    if error_code in TRANSIENT_ERRORS:
        raise Unreachable(f"{error_code}: {description[:200]}")
    raise Refused(fix_for(error_code, description))


async def check(settings: Settings, health: Health, *, wait: Any = None) -> bool:
    """True when the credentials give a token; the outcome is kept in `health`."""
    health.set(PART, PartState.STARTING)

    def noted(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        health.set(PART, PartState.RETRYING, str(error)[:300])
        log.warning("Teams' token endpoint is not reachable yet (%s); trying again", error)

    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(Unreachable),
            wait=wait or wait_exponential_jitter(initial=1, max=60),
            before_sleep=noted,
            reraise=True,
        ):
            with attempt:
                await asyncio.to_thread(request_token, settings)
    except Refused as refused:
        health.set(PART, PartState.FAILED, str(refused))
        log.error("!!! %s. Teams cannot send until this is fixed.", refused)
        return False
    health.set(PART, PartState.UP)
    log.info("Teams credentials accepted")
    return True
