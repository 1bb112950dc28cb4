"""Installing into many workspaces: slack_sdk's SQLAlchemy stores, in our database.

The stores are synchronous; these wrappers run them in a worker thread for the async app.
"""

from __future__ import annotations

import asyncio
from logging import Logger
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import update

from adapters.slack.manifest import BOT_SCOPES
from bot.db.session import Database
from bot.events import UserRef

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


class ThreadedInstallationStore(AsyncInstallationStore):
    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> Logger:
        return self.store.logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(self, **kwargs: Any) -> Bot | None:
        return await asyncio.to_thread(lambda: self.store.find_bot(**kwargs))

    async def async_find_installation(self, **kwargs: Any) -> Installation | None:
        return await asyncio.to_thread(lambda: self.store.find_installation(**kwargs))

    async def async_delete_bot(self, **kwargs: Any) -> None:
        await asyncio.to_thread(lambda: self.store.delete_bot(**kwargs))

    async def async_delete_installation(self, **kwargs: Any) -> None:
        await asyncio.to_thread(lambda: self.store.delete_installation(**kwargs))

    async def async_delete_all(self, **kwargs: Any) -> None:
        await asyncio.to_thread(lambda: self.store.delete_all(**kwargs))


class ThreadedStateStore(AsyncOAuthStateStore):
    def __init__(self, store: SQLAlchemyOAuthStateStore) -> None:
        self.store = store

    @property
    def logger(self) -> Logger:
        return self.store.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(lambda: self.store.issue(*args, **kwargs))

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


ERASED = "erased"


def erase_installers(store: SQLAlchemyInstallationStore, users: tuple[UserRef, ...]) -> None:
    """Someone who installed the app asked to be forgotten: the workspace keeps its bot, but
    the installation no longer names them (slack_sdk needs some user id there)."""
    table = store.installations
    with store.engine.begin() as connection:
        for user in users:
            if user.platform != "slack":
                continue
            connection.execute(
                update(table)
                .where(table.c.team_id == user.workspace, table.c.user_id == user.id)
                .values(user_id=ERASED, user_token=None, user_scopes=None, user_refresh_token=None)
            )


def oauth_settings(
    db: Database, client_id: str, client_secret: str
) -> tuple[AsyncOAuthSettings, ThreadedInstallationStore]:
    installations = SQLAlchemyInstallationStore(client_id=client_id, engine=db.engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=db.engine)
    installations.metadata.create_all(db.engine, checkfirst=True)
    states.metadata.create_all(db.engine, checkfirst=True)
    store = ThreadedInstallationStore(installations)
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=store,
        state_store=ThreadedStateStore(states),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )
    return settings, store
