"""Connector and user-token clients kept between turns.

botbuilder's CloudAdapter asks its authentication for a new connector client and a new
user-token client on every activity, and msrest builds costly configuration objects for each
(under load that was about half of the event loop's time, spent before the turn even ran).
The clients hold no state of one turn: the credentials fetch and refresh their own tokens.
So one is kept per app id, service URL and audience, as botbuilder's older adapter did.
"""

from __future__ import annotations

from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ClaimsIdentity, ConnectorFactory
from botframework.connector.auth._built_in_bot_framework_authentication import (
    _BuiltinBotFrameworkAuthentication,
)
from botframework.connector.auth.user_token_client import UserTokenClient

KEEP = 64  # service URLs are few (one per region); the cache starts again past this


def _app_id(claims_identity: ClaimsIdentity) -> str | None:
    found = _BuiltinBotFrameworkAuthentication.get_app_id(claims_identity)
    return str(found) if found else None


class _KeptConnectors(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, inner: ConnectorFactory) -> None:
        self.inner = inner
        self.clients: dict[tuple[str, str | None], ConnectorClient] = {}

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience)
        client = self.clients.get(key)
        if client is None:
            if len(self.clients) >= KEEP:
                self.clients.clear()
            client = self.clients[key] = await self.inner.create(service_url, audience)
        return client


class KeptClientsAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """ConfigurationBotFrameworkAuthentication that reuses its outbound clients."""

    def __init__(self, configuration: Any, **kwargs: Any) -> None:
        super().__init__(configuration, **kwargs)
        self._connectors: dict[str | None, _KeptConnectors] = {}
        self._token_clients: dict[str | None, UserTokenClient] = {}

    def _kept(self, app_id: str | None, inner: ConnectorFactory) -> ConnectorFactory:
        factory = self._connectors.get(app_id)
        if factory is None:
            factory = self._connectors[app_id] = _KeptConnectors(inner)
        return factory

    async def authenticate_request(self, activity: Any, auth_header: str) -> Any:
        result = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:  # the one the turn's replies go through
            app_id = _app_id(result.claims_identity)
            result.connector_factory = self._kept(app_id, result.connector_factory)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        app_id = _app_id(claims_identity)
        if app_id in self._connectors:
            return self._connectors[app_id]
        return self._kept(app_id, super().create_connector_factory(claims_identity))

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = _app_id(claims_identity)
        client = self._token_clients.get(app_id)
        if client is None:
            client = await super().create_user_token_client(claims_identity)
            self._token_clients[app_id] = client
        return client
