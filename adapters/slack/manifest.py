"""The Slack app manifest, generated from what the adapter handles.

`crossties slack-manifest` prints it for Socket Mode (no URL) or HTTP mode (`--url`);
`adapters/slack/manifest.json` is the Socket Mode version, rewritten by `write()` and kept in
step by a test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COMMAND = "/crossties"
EVENTS_PATH = "/slack/events"
# Events the app listens to (each has a listener in adapters/slack/listeners.py).
BOT_EVENTS = ("app_home_opened", "message.im", "app_uninstalled", "tokens_revoked")
BOT_SCOPES = (
    "commands",  # /crossties
    "chat:write",  # introductions, check-ins, answers
    "im:write",  # open a DM with one person
    "mpim:write",  # open a group DM for an introduction
    "im:history",  # message.im: words typed to the bot; find a post after a crash
    "mpim:history",  # find an introduction already posted after a crash
    "users:read",  # names, admins, who left
    "users:read.email",  # match people to the roster
    "channels:read",  # roster sync from a public channel
    "groups:read",  # roster sync from a private channel the bot is in
    "files:write",  # report charts (files_upload_v2)
)
FILE = Path(__file__).with_name("manifest.json")
LONG_DESCRIPTION = (
    "Crossties builds working relationships between staff of partner health and care "
    "organisations: NHS trusts, GP practices, councils, hospices and charities. It introduces "
    "colleagues from different organisations a few at a time, checks in afterwards to ask "
    "whether they met, keeps a record of the ties that form and shows partnership leads how "
    "the network grows, in aggregate and privacy-safe."
)


def build(url: str | None = None) -> dict[str, Any]:
    """The manifest: Socket Mode when `url` is None, otherwise HTTP at `url`/slack/events."""
    endpoint = url.rstrip("/") + EVENTS_PATH if url else None
    command: dict[str, Any] = {
        "command": COMMAND,
        "description": "Introductions across partner organisations",
        "usage_hint": "help | join <organisation> | match | met | ties | report",
        "should_escape": True,
    }
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if endpoint:
        command["url"] = endpoint
        events["request_url"] = endpoint
        interactivity["request_url"] = endpoint
    manifest: dict[str, Any] = {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Crossties",
            "description": "Introductions across partner organisations in health and care",
            "long_description": LONG_DESCRIPTION,
            "background_color": "#005eb8",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "Crossties", "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": endpoint is None,
            "token_rotation_enabled": False,
        },
    }
    if url:
        manifest["oauth_config"]["redirect_urls"] = [url.rstrip("/") + "/slack/oauth_redirect"]
    return manifest


def render(url: str | None = None) -> str:
    return json.dumps(build(url), indent=2) + "\n"


def write(path: Path = FILE) -> None:
    path.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    write()
