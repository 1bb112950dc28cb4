"""Settings, read from the environment and a `.env` file, validated at start."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.paths import default_database_url

__all__ = ["ConfigError", "Settings", "default_database_url", "load_settings"]


class ConfigError(Exception):
    """Configuration that cannot work; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # The embedded database in the user's data folder unless CROSSTIES_DATABASE_URL is set.
    database_url: str = Field(default_factory=default_database_url, alias="CROSSTIES_DATABASE_URL")
    host: str = Field("127.0.0.1", alias="CROSSTIES_HOST")
    port: int = Field(3978, alias="CROSSTIES_PORT")
    prompts_dir: Path | None = Field(None, alias="CROSSTIES_PROMPTS_DIR")
    min_group_size_for_reports: int = Field(5, alias="CROSSTIES_REPORT_MIN_COUNT")
    note_retention_days: int = Field(365, alias="CROSSTIES_NOTE_RETENTION_DAYS", ge=1)
    # Scheduling and delivery (docs/scaling.md). CROSSTIES_SCHEDULER_INTERVAL is for testing:
    # every programme then runs a round every N seconds instead of on its cadence.
    scheduler_enabled: bool = Field(True, alias="CROSSTIES_SCHEDULER")
    scheduler_interval: float | None = Field(None, alias="CROSSTIES_SCHEDULER_INTERVAL", gt=0)
    leader_retry_seconds: float = Field(10.0, alias="CROSSTIES_LEADER_RETRY", gt=0)
    delivery_concurrency: int = Field(64, alias="CROSSTIES_DELIVERY_CONCURRENCY", ge=1)
    # People's requests per process (docs/load-and-faults.md): handled by the core at once
    # (bot/core.py), and accepted before a new command is answered "busy" (bot/backlog.py).
    work_concurrency: int = Field(1, alias="CROSSTIES_WORK_CONCURRENCY", ge=1)
    backlog: int = Field(100, alias="CROSSTIES_BACKLOG", ge=1)
    # Log lines as text (the default) or one JSON object per line for a log collector.
    log_format: Literal["text", "json"] = Field("text", alias="CROSSTIES_LOG_FORMAT")
    # Where Slack and Teams reach this server (https://…), for `crossties doctor` to check.
    public_url: str | None = Field(None, alias="CROSSTIES_PUBLIC_URL")

    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(None, alias="SLACK_API_URL")
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, alias="SLACK_CLIENT_SECRET")

    microsoft_app_id: str | None = Field(None, alias="MICROSOFT_APP_ID")
    microsoft_app_password: str | None = Field(None, alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str | None = Field(None, alias="MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: str | None = Field(None, alias="MICROSOFT_APP_TYPE")
    # Where the start-up check of the Teams credentials asks for a token (tests only).
    teams_login_url: str = Field(
        "https://login.microsoftonline.com", alias="CROSSTIES_TEAMS_LOGIN_URL"
    )

    @field_validator("port")
    @classmethod
    def _port_in_range(cls, value: int) -> int:
        if not 0 <= value <= 65535:
            raise ValueError("CROSSTIES_PORT must be between 0 and 65535")
        return value

    @property
    def uses_default_database(self) -> bool:
        return self.database_url == default_database_url()

    @property
    def slack_enabled(self) -> bool:
        """Whether Slack is configured at all (check_platforms says whether completely)."""
        return any(
            (
                self.slack_bot_token,
                self.slack_signing_secret,
                self.slack_app_token,
                self.slack_client_id,
                self.slack_client_secret,
            )
        )

    @property
    def slack_socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def teams_app_type(self) -> str:
        """MultiTenant, SingleTenant or UserAssignedMSI (SingleTenant when a tenant is set)."""
        if self.microsoft_app_type:
            return self.microsoft_app_type
        return "SingleTenant" if self.microsoft_app_tenant_id else "MultiTenant"

    def check_platforms(self) -> None:
        """Stop at start on half-set credentials, naming the variable to set."""
        problem = self.slack_problem() or self.teams_problem()
        if problem:
            raise ConfigError(problem)

    def slack_problem(self) -> str | None:
        return _slack_problem(self)

    def teams_problem(self) -> str | None:
        return _teams_problem(self)

    @property
    def host_is_loopback(self) -> bool:
        if self.host in {"localhost", "ip6-localhost"}:
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


TEAMS_APP_TYPES = {"multitenant", "singletenant", "userassignedmsi"}


def _slack_problem(settings: Settings) -> str | None:
    if not settings.slack_enabled:
        return None
    oauth_id, oauth_secret = settings.slack_client_id, settings.slack_client_secret
    if bool(oauth_id) != bool(oauth_secret):
        missing = "SLACK_CLIENT_SECRET" if oauth_id else "SLACK_CLIENT_ID"
        return f"Slack's install flow is half set: set {missing} (or unset both)"
    has_token = bool(settings.slack_bot_token or oauth_id)
    if settings.slack_socket_mode:
        if not has_token:
            return "Slack Socket Mode needs SLACK_BOT_TOKEN as well as SLACK_APP_TOKEN"
        return None
    if not settings.slack_signing_secret:
        return (
            "Slack over HTTP needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN to use Socket Mode)"
        )
    if not has_token:
        return "Slack needs SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)"
    return None


def _teams_problem(settings: Settings) -> str | None:
    app_type = settings.teams_app_type.lower()
    if app_type not in TEAMS_APP_TYPES:
        return "MICROSOFT_APP_TYPE must be MultiTenant, SingleTenant or UserAssignedMSI"
    if not settings.microsoft_app_id:
        for name, value in (
            ("MICROSOFT_APP_PASSWORD", settings.microsoft_app_password),
            ("MICROSOFT_APP_TENANT_ID", settings.microsoft_app_tenant_id),
            ("MICROSOFT_APP_TYPE", settings.microsoft_app_type),
        ):
            if value:
                return f"Teams credentials are half set: set MICROSOFT_APP_ID ({name} is set)"
        return None
    if app_type != "userassignedmsi" and not settings.microsoft_app_password:
        return (
            "Teams credentials are half set: set MICROSOFT_APP_PASSWORD (MICROSOFT_APP_ID is set)"
        )
    if app_type != "multitenant" and not settings.microsoft_app_tenant_id:
        return f"Teams app type {settings.teams_app_type} needs MICROSOFT_APP_TENANT_ID: set it"
    return None


def load_settings(**overrides: object) -> Settings:
    """Read settings; turn pydantic's report into one line naming the variable."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise ConfigError(f"Invalid setting {where}: {first.get('msg')}") from exc
