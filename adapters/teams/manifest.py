"""The Teams app manifest, its icons and the upload-ready package, generated from code.

`manifest.json` at the repository root is this module's output with a placeholder app id; a
test keeps the two in step and validates them against the official schema.
`crossties teams-package --app-id ID` writes the zip to upload to Teams.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from bot.templates import Prompts

SCHEMA_VERSION = "1.30"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{SCHEMA_VERSION}/MicrosoftTeams.schema.json"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
APP_VERSION = "1.0.0"
HERE = Path(__file__).resolve().parent
COLOR_ICON = HERE / "color.png"
OUTLINE_ICON = HERE / "outline.png"
ACCENT = "#0072B2"
# Teams shows at most ten commands per scope (a title of up to 32 characters, a description
# of up to 128). `help` lists every word; these are the ones people reach for. Between them
# the two lists name every word staff have; the words about one's own data stay personal.
MAX_COMMANDS = 10
MAX_TITLE = 32
MAX_DESCRIPTION = 128
PERSONAL_COMMANDS = (
    "help",
    "join",
    "match",
    "met",
    "circles",
    "pause",
    "resume",
    "leave",
    "my data",
    "forget me",
)
# in a channel or group chat: what a pair, a team, its leads and coordinators use there
SHARED_COMMANDS = (
    "help",
    "join",
    "match",
    "profile",
    "ties",
    "log",
    "report",
    "round preview",
    "round run",
    "checkins send",
)


def command_descriptions(prompts: Prompts) -> dict[str, str]:
    lines = prompts.render("teams_commands").splitlines()
    pairs = (line.split("|", 1) for line in lines if "|" in line)
    return {word.strip(): description.strip() for word, description in pairs}


def build_manifest(
    prompts: Prompts,
    *,
    app_id: str = PLACEHOLDER_ID,
    website: str = "https://crossties.example.org",
    developer: str = "Crossties",
) -> dict[str, Any]:
    descriptions = command_descriptions(prompts)

    def commands(words: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"title": word, "description": descriptions[word]} for word in words]

    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": SCHEMA_VERSION,
        "version": APP_VERSION,
        "id": app_id,
        "developer": {
            "name": developer,
            "websiteUrl": website,
            "privacyUrl": website.rstrip("/") + "/privacy",
            "termsOfUseUrl": website.rstrip("/") + "/terms",
        },
        "name": {"short": "Crossties", "full": "Crossties: partnership introductions"},
        "description": {
            "short": prompts.render("teams_app_short"),
            "full": prompts.render("teams_app_full"),
        },
        "icons": {"color": COLOR_ICON.name, "outline": OUTLINE_ICON.name},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": commands(PERSONAL_COMMANDS)},
                    {"scopes": ["team", "groupChat"], "commands": commands(SHARED_COMMANDS)},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def draw_icons(color: Path = COLOR_ICON, outline: Path = OUTLINE_ICON) -> None:
    """Two linked rings: full colour at 192×192, white on transparent at 32×32."""
    from PIL import Image, ImageDraw

    big = Image.new("RGBA", (192, 192), ACCENT)
    pen = ImageDraw.Draw(big)
    pen.ellipse((34, 58, 110, 134), outline="white", width=12)
    pen.ellipse((82, 58, 158, 134), outline="#E69F00", width=12)
    big.save(color, format="PNG", optimize=True)

    small = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    pen = ImageDraw.Draw(small)
    pen.ellipse((3, 9, 17, 23), outline=(255, 255, 255, 255), width=2)
    pen.ellipse((14, 9, 28, 23), outline=(255, 255, 255, 255), width=2)
    small.save(outline, format="PNG", optimize=True)


def package(prompts: Prompts, app_id: str, **options: str) -> bytes:
    """The zip Teams accepts: manifest.json and the two icons at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = build_manifest(prompts, app_id=app_id, **options)
        archive.writestr("manifest.json", manifest_text(manifest))
        archive.write(COLOR_ICON, COLOR_ICON.name)
        archive.write(OUTLINE_ICON, OUTLINE_ICON.name)
    return buffer.getvalue()


def main() -> None:  # pragma: no cover - regenerates the committed files
    prompts = Prompts()
    draw_icons()
    root = HERE.parents[1] / "manifest.json"
    root.write_text(manifest_text(build_manifest(prompts)))


if __name__ == "__main__":  # pragma: no cover
    main()
