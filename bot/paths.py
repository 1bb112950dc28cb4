"""Where Crossties keeps its files by default: the user's data folder (platformdirs), so a
command run from any folder finds the same embedded database. Light to import: `--help`
names the folder."""

from __future__ import annotations

from pathlib import Path

APP = "crossties"


def data_folder() -> Path:
    """~/.local/share/crossties on Linux ($XDG_DATA_HOME/crossties when that is set)."""
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def default_database_path() -> Path:
    return data_folder() / "crossties.db"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"
