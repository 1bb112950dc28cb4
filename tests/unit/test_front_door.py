"""One front door: adapters hand typed events to the core and never reach past it, and one
codec packs and unpacks every button value."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import actions
from bot.db.models import Answer
from bot.events import (
    ActionInvoked,
    CheckInAnswered,
    CommandReceived,
    FormOpened,
    PauseRequested,
    UserRef,
)
from bot.ids import IntroductionId, ProgrammeId

ROOT = Path(__file__).resolve().parents[2]
USER = UserRef("local", "w", "u1")
# Bolt's OAuth installation store keeps its own tables through SQLAlchemy (adapters/slack/oauth).
STORE = ROOT / "adapters" / "slack" / "oauth.py"
BEHIND_THE_DOOR = ("bot.usecases", "bot.db.session", "bot.db.models", "sqlmodel", "bot.outbox")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


ADAPTER_FILES = sorted(p for p in (ROOT / "adapters").rglob("*.py") if p != STORE)


@pytest.mark.parametrize("path", ADAPTER_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_adapters_never_reach_behind_the_front_door(path: Path) -> None:
    for name in _imports(path):
        assert not name.startswith(BEHIND_THE_DOOR), f"{path} imports {name}"
    assert ".session()" not in path.read_text(encoding="utf-8"), f"{path} opens a session"


def _press(action: str, value: str) -> object:
    return actions.decode(ActionInvoked(USER, action, value, request_key="k"))


def test_every_packed_value_unpacks_to_its_typed_event() -> None:
    for answer in Answer:
        (button,) = [
            b
            for b in actions.checkin_buttons(12, "a", "b", "c")
            if b.value == actions.checkin_value(12, answer)
        ]
        assert _press(button.action, button.value) == CheckInAnswered(
            USER, IntroductionId(12), answer
        )
    pause = actions.pause_button("Pause", 7)
    assert _press(pause.action, pause.value) == PauseRequested(USER, 4, ProgrammeId(7))
    bare = actions.pause_button("Pause", None)
    assert _press(bare.action, bare.value) == PauseRequested(USER, 4, None)
    form = actions.form_button("Edit", 3)
    assert _press(form.action, form.value) == FormOpened(USER, ProgrammeId(3))
    assert _press(actions.PROGRAMME_FORM, actions.form_value(None)) == FormOpened(USER, None)
    assert _press(actions.HOME_NEW_FORM, "") == FormOpened(USER, None)
    join = actions.join_value("Hospice", "North Partnership")
    assert _press(actions.JOIN, join) == CommandReceived(
        USER, "join Hospice --programme North Partnership"
    )
    forget = actions.forget_button("Forget me")
    assert _press(forget.action, forget.value) == CommandReceived(USER, "forget me confirm")


def test_the_request_key_travels_with_the_decoded_event() -> None:
    decoded = _press(actions.CHECKIN, "3:met")
    assert isinstance(decoded, CheckInAnswered) and decoded.request_key == "k"


@pytest.mark.parametrize(
    ("action", "value"),
    [
        (actions.CHECKIN, "x:met"),
        (actions.CHECKIN, "12:maybe"),
        (actions.CHECKIN, ""),
        (actions.PAUSE, "x:1"),
        (actions.PAUSE, "-1"),
        (actions.PAUSE, "123:1"),
        (actions.PAUSE, "4:"),
        (actions.PAUSE, "4:x"),
        (actions.PROGRAMME_FORM, "seven"),
        (actions.FORGET, "yes"),
        ("somebody_elses_button", "1"),
    ],
)
def test_values_that_cannot_be_read_decode_to_nothing(action: str, value: str) -> None:
    assert _press(action, value) is None


def test_pause_weeks_are_bounded() -> None:
    assert _press(actions.PAUSE, "99:1") == PauseRequested(USER, 52, ProgrammeId(1))
    assert _press(actions.PAUSE, "0") == PauseRequested(USER, 1, None)
    assert _press(actions.PAUSE, "") == PauseRequested(USER, actions.PAUSE_WEEKS, None)
