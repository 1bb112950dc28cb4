"""The Slack manifest is generated from code, kept in step with what the app handles."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from adapters.slack import manifest
from crossties.cli.main import app as cli
from tests.adapters.slack.conftest import Harness, fixture


def test_the_committed_manifest_is_the_generated_one() -> None:
    assert manifest.FILE.read_text(encoding="utf-8") == manifest.render(), (
        "run `python -m adapters.slack.manifest` to regenerate adapters/slack/manifest.json"
    )


def test_socket_and_http_modes() -> None:
    socket = manifest.build()
    http = manifest.build("https://crossties.example.org/")
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in socket["settings"]["event_subscriptions"]
    endpoint = "https://crossties.example.org/slack/events"
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == endpoint
    assert http["settings"]["interactivity"]["request_url"] == endpoint
    assert http["features"]["slash_commands"][0]["url"] == endpoint
    assert http["oauth_config"]["redirect_urls"] == [
        "https://crossties.example.org/slack/oauth_redirect"
    ]
    assert len(socket["display_information"]["long_description"]) >= 175


def test_the_cli_prints_it() -> None:
    result = CliRunner().invoke(cli, ["slack-manifest", "--url", "https://bot.example.org"])
    assert result.exit_code == 0
    printed = json.loads(result.output)
    assert printed == manifest.build("https://bot.example.org")
    bad = CliRunner().invoke(cli, ["slack-manifest", "--url", "http://bot.example.org"])
    assert bad.exit_code == 2


def _event(kind: str) -> dict:  # type: ignore[type-arg]
    payload = fixture("app_home_opened.json")
    payload["event_id"] = f"Ev-{kind}"
    payload["event"] = {"type": kind, "user": "U03", "channel": "D0LAN2Q65", "tab": "home"}
    if kind == "message.im":
        payload["event"] = fixture("message_im.json")["event"]
    elif kind == "tokens_revoked":
        payload["event"] = {"type": kind, "tokens": {"oauth": [], "bot": ["UBOT0001"]}}
    elif kind == "app_uninstalled":
        payload["event"] = {"type": kind}
    return payload


async def test_every_event_and_command_in_the_manifest_is_handled(world: Harness) -> None:
    """Bolt answers 404 to a request no listener takes: each one in the manifest is taken."""
    socket = manifest.build()
    for kind in socket["settings"]["event_subscriptions"]["bot_events"]:
        response = await world.event(_event(kind))
        assert response.status == 200, kind
    for command in socket["features"]["slash_commands"]:
        assert command["command"] == manifest.COMMAND
        response = await world.command("help", user="U03")
        assert response.status == 200
    assert socket["settings"]["interactivity"]["is_enabled"] is True
    stray = _event("reaction_added")
    assert (await world.event(stray)).status == 404  # so the check above means something
