"""`crossties doctor`: whether a deployment is configured right, one check at a time.

Each check gives one line: what was found, or what to do about it. Nothing is changed: the
database is neither created nor upgraded, no message is sent (Slack's `auth.test` and a
Teams token request only read). A platform that is not configured is skipped, not failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

HTTP_TIMEOUT = 10.0  # seconds for each call to a platform or to the public URL


class Verdict(StrEnum):
    OK = "ok"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    detail: str

    def line(self) -> str:
        return f"{self.verdict.value:<4}  {self.name:<9} {self.detail}"


def shown(url: str) -> str:
    """A database URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: say so rather than echo it
        return "(not a database URL)"


def run_checks(settings: Settings, public_url: str | None = None) -> Iterator[Check]:
    """Every check, in the order an operator would fix them."""
    checks, engine = _database(settings)
    yield from checks
    if engine is not None:
        try:
            yield _timezones(engine)
        finally:
            engine.dispose()
    yield _slack(settings)
    yield _teams(settings)
    yield _public(public_url or settings.public_url)


# ---------------------------------------------------------------- the database


def _database(settings: Settings) -> tuple[list[Check], Engine | None]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db.session import alembic_config, make_engine, normalise_url

    url = settings.database_url
    where = shown(url)
    try:
        parsed = make_url(normalise_url(url))
    except Exception:
        return [
            Check("database", Verdict.FAIL, "CROSSTIES_DATABASE_URL is not a database URL")
        ], None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        from pathlib import Path

        if not Path(parsed.database).exists():
            return [
                Check(
                    "database",
                    Verdict.FAIL,
                    f"no database at {where}; create it with `crossties db upgrade` "
                    "(or set CROSSTIES_DATABASE_URL)",
                )
            ], None
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            migrated = inspect(connection).has_table("alembic_version")
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        engine.dispose()
        orig = getattr(error, "orig", None)
        reason = type(orig).__name__ if orig is not None else type(error).__name__
        return [
            Check(
                "database",
                Verdict.FAIL,
                f"cannot reach {where} ({reason}); check CROSSTIES_DATABASE_URL, the server "
                "and its credentials",
            )
        ], None
    checks = [Check("database", Verdict.OK, f"{where} is reachable")]
    newest = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    if not migrated or current != newest:
        at = ", ".join(sorted(current)) or "no migration"
        checks.append(
            Check(
                "migration",
                Verdict.FAIL,
                f"the schema is at {at}, not {', '.join(sorted(newest))}; "
                "run `crossties db upgrade`",
            )
        )
        return checks, None
    checks.append(Check("migration", Verdict.OK, f"at the newest ({', '.join(sorted(newest))})"))
    return checks, engine


def _timezones(engine: Engine) -> Check:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from sqlmodel import Session, select

    from bot.db.models import Programme

    with Session(engine) as session:
        programmes = session.exec(select(Programme.name, Programme.timezone)).all()
    bad = []
    for name, zone in programmes:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            bad.append(f"{name} ({zone})")
    if bad:
        return Check(
            "timezones",
            Verdict.FAIL,
            f"unknown time zone in {', '.join(bad)}; set an IANA zone such as Europe/London "
            "in the programme's settings",
        )
    if not programmes:
        return Check(
            "timezones",
            Verdict.SKIP,
            "no programme yet: create one with `crossties programme create`",
        )
    zones = sorted({zone for _, zone in programmes})
    return Check("timezones", Verdict.OK, f"valid for every programme ({', '.join(zones)})")


# ---------------------------------------------------------------- the platforms


def _slack(settings: Settings) -> Check:
    if not settings.slack_enabled:
        return Check("slack", Verdict.SKIP, "not configured (set SLACK_BOT_TOKEN to serve Slack)")
    problem = settings.slack_problem()
    if problem:
        return Check("slack", Verdict.FAIL, problem)
    if not settings.slack_bot_token:
        return Check(
            "slack",
            Verdict.SKIP,
            "installed per workspace (SLACK_CLIENT_ID): no bot token to test here",
        )
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from adapters.slack.manifest import BOT_SCOPES

    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url or WebClient.BASE_URL,
        timeout=int(HTTP_TIMEOUT),
    )
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else "error"
        return Check(
            "slack",
            Verdict.FAIL,
            f"auth.test refused SLACK_BOT_TOKEN ({code}); set it to the app's current "
            "Bot User OAuth Token (xoxb-…)",
        )
    except Exception as error:
        return Check(
            "slack",
            Verdict.FAIL,
            f"cannot reach Slack ({type(error).__name__}); check the network or SLACK_API_URL",
        )
    header = next((v for k, v in answer.headers.items() if k.lower() == "x-oauth-scopes"), "")
    granted = {scope.strip() for scope in str(header).split(",") if scope.strip()}
    missing = [scope for scope in BOT_SCOPES if scope not in granted]
    team = answer.get("team") or answer.get("team_id") or "the workspace"
    if missing:
        return Check(
            "slack",
            Verdict.FAIL,
            f"the token for {team} lacks {', '.join(missing)}; update the app from "
            "`crossties slack-manifest` and reinstall it to the workspace",
        )
    return Check(
        "slack", Verdict.OK, f"token valid for {team}, every scope of the manifest granted"
    )


def _teams(settings: Settings) -> Check:
    problem = settings.teams_problem()
    if problem:
        return Check("teams", Verdict.FAIL, problem)
    if not settings.microsoft_app_id:
        return Check(
            "teams",
            Verdict.SKIP,
            "no MICROSOFT_APP_ID: Teams serves only local development on 127.0.0.1",
        )
    from adapters.teams.startup import Refused, Unreachable, request_token

    try:
        request_token(settings)
    except Refused as refused:
        return Check("teams", Verdict.FAIL, str(refused))
    except Unreachable as error:
        return Check(
            "teams",
            Verdict.FAIL,
            f"cannot reach Microsoft Entra ID ({str(error)[:120]}); check the network "
            "(and CROSSTIES_TEAMS_LOGIN_URL)",
        )
    return Check("teams", Verdict.OK, f"a token was issued for app {settings.microsoft_app_id}")


def _public(url: str | None) -> Check:
    if not url:
        return Check(
            "public",
            Verdict.SKIP,
            "set CROSSTIES_PUBLIC_URL (or pass --url) to check that the server answers there",
        )
    import json
    import urllib.error
    import urllib.request

    target = url.rstrip("/") + "/healthz"
    try:
        with urllib.request.urlopen(target, timeout=HTTP_TIMEOUT) as response:
            report = json.loads(response.read().decode("utf-8"))
            status = response.status
    except urllib.error.HTTPError as error:
        return Check(
            "public",
            Verdict.FAIL,
            f"{target} answered {error.code}; see the parts that are down in its answer",
        )
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return Check(
            "public",
            Verdict.FAIL,
            f"{target} did not answer ({reason}); check that `crossties serve` runs and the "
            "reverse proxy forwards to it",
        )
    state = report.get("status", "unknown") if isinstance(report, dict) else "unknown"
    return Check("public", Verdict.OK, f"{target} answered {status} ({state})")
