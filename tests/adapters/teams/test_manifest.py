"""The Teams app manifest: generated from code, kept in step with the committed file, valid
against the official schema (shipped offline in an npm package), commands from the grammar."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from adapters.teams import manifest as m
from bot import commands
from bot.templates import Prompts

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = ROOT / "tests/e2e/node_modules/@microsoft/app-manifest/build/json-schemas/teams"


def _schema(version: str) -> dict[str, object]:
    path = SCHEMAS / f"v{version}" / "MicrosoftTeams.schema.json"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the Teams manifest schema is not installed: {path}")
        pytest.skip("npm packages in tests/e2e are not installed")
    return json.loads(path.read_text(encoding="utf-8-sig"))


def test_committed_manifest_is_the_generated_one() -> None:
    generated = m.manifest_text(m.build_manifest(Prompts()))
    assert (ROOT / "manifest.json").read_text() == generated, (
        "manifest.json is out of date: run python -m adapters.teams.manifest"
    )


def test_manifest_is_valid_against_the_newest_official_schema() -> None:
    import jsonschema

    versions = (
        sorted(
            (p.name[1:] for p in SCHEMAS.glob("v1.*")), key=lambda v: tuple(map(int, v.split(".")))
        )
        if SCHEMAS.exists()
        else []
    )
    schema = _schema(m.SCHEMA_VERSION)
    assert versions[-1] == m.SCHEMA_VERSION, "a newer manifest schema is available"
    manifest = json.loads((ROOT / "manifest.json").read_text())
    jsonschema.Draft4Validator(schema).validate(manifest)
    packaged = m.build_manifest(Prompts(), app_id="0f0e0d0c-1111-2222-3333-444455556666")
    jsonschema.Draft4Validator(schema).validate(packaged)
    broken = dict(manifest, id="not-a-guid")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_bot_scopes_and_commands_match_the_grammar() -> None:
    (bot,) = json.loads((ROOT / "manifest.json").read_text())["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    listed = {c["title"] for group in bot["commandLists"] for c in group["commands"]}
    assert listed <= set(commands.ALL_WORDS)
    assert set(commands.STAFF_WORDS) <= listed
    for title in listed:
        assert not isinstance(commands.parse(title), commands.ParseError) or title in {
            "log",
            "exclude",  # these need a person after them
        }
    scopes = {tuple(group["scopes"]) for group in bot["commandLists"]}
    assert scopes == {("personal",), ("team", "groupChat")}


def test_command_lists_keep_to_what_teams_shows() -> None:
    """At most ten commands per scope, each title and description short enough to be shown
    whole; the words people have now (circles; sending check-ins early) among them."""
    (bot,) = json.loads((ROOT / "manifest.json").read_text())["bots"]
    for group in bot["commandLists"]:
        titles = [c["title"] for c in group["commands"]]
        assert len(titles) <= m.MAX_COMMANDS == 10 and len(set(titles)) == len(titles)
        for command in group["commands"]:
            assert 0 < len(command["title"]) <= m.MAX_TITLE == 32
            assert 0 < len(command["description"]) <= m.MAX_DESCRIPTION == 128
    by_scope = {g["scopes"][0]: {c["title"] for c in g["commands"]} for g in bot["commandLists"]}
    assert {"circles", "my data", "forget me"} <= by_scope["personal"]
    assert {"checkins send", "log", "report"} <= by_scope["team"]
    assert not {"my data", "forget me"} & by_scope["team"]  # one's own data stays personal


def test_icons_have_the_sizes_and_colours_teams_requires() -> None:
    color = Image.open(m.COLOR_ICON)
    assert color.size == (192, 192) and color.format == "PNG"
    outline = Image.open(m.OUTLINE_ICON).convert("RGBA")
    assert outline.size == (32, 32)
    raw = outline.tobytes()
    pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    assert any(a == 0 for *_, a in pixels), "the outline icon needs a transparent background"
    assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a > 0)


def test_teams_package_command_writes_the_upload_zip(tmp_path: Path) -> None:
    from crossties.cli.main import app

    out = tmp_path / "crossties-teams.zip"
    app_id = "0f0e0d0c-1111-2222-3333-444455556666"
    result = CliRunner().invoke(app, ["teams-package", "--app-id", app_id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == app_id and manifest["bots"][0]["botId"] == app_id
    bad = CliRunner().invoke(app, ["teams-package", "--app-id", "nope", "--out", str(out)])
    assert bad.exit_code == 2 and "GUID" in bad.output
