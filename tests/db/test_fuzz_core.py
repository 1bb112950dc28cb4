"""Whatever anyone types, the core answers politely and bad input changes nothing."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import commands as c
from bot.core import Crossties
from bot.events import ActionInvoked, CommandReceived, UserRef
from tests.fakes import build_world
from tests.snapshot import fingerprint

NOISE = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "join",
                "pause",
                "until",
                "for",
                "log",
                "@u03",
                "<@u04>",
                "#x",
                "round",
                "run",
                "exclude",
                "forget",
                "me",
                "<script>",
                "&amp;",
                "<!channel>",
                "weeks",
                "2020-01-01",
                "met",
                "profile",
                "tz",
            ]
        ),
        max_size=8,
    ).map(" ".join),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=NOISE)
def test_bad_commands_change_nothing(core: Crossties, text: str) -> None:
    if not getattr(core, "_fuzz_world", None):
        build_world(core)
        core._fuzz_world = True  # type: ignore[attr-defined]
    parsed = c.parse(text)
    if not isinstance(parsed, c.ParseError):
        return  # valid commands are covered by their own tests
    before = fingerprint(core.db)
    reply = asyncio.run(core.handle(CommandReceived(UserRef("local", "w1", "u03"), text)))
    assert reply.messages and "help" in reply.messages[0].plain().lower()
    assert fingerprint(core.db) == before


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    action=st.sampled_from(["checkin", "pause", "forget", "nonsense", ""]),
    value=st.text(max_size=30),
)
def test_forged_button_values_change_nothing(core: Crossties, action: str, value: str) -> None:
    if not getattr(core, "_fuzz_world", None):
        build_world(core)
        core._fuzz_world = True  # type: ignore[attr-defined]
    if (action == "forget" and value == "confirm") or (
        action == "pause" and (value.partition(":")[0] or "4").isdigit()
    ):
        return
    before = fingerprint(core.db)
    reply = asyncio.run(core.handle(ActionInvoked(UserRef("local", "w1", "u03"), action, value)))
    assert reply.messages
    assert fingerprint(core.db) == before
