"""`crossties chat --as NAME`: try the bot in a terminal, with the same grammar as Slack/Teams."""

from __future__ import annotations

import asyncio

from rich.console import Console

from adapters.local.runtime import LocalRuntime
from adapters.local.views import view_messages
from bot.accounts import local_user
from bot.app import Services
from bot.events import Button, Card, Image, Message, Text


def show(console: Console, message: Message, buttons: list[Button]) -> None:
    for part in message.parts:
        if isinstance(part, Text):
            console.print(part.text, highlight=False, markup=False)
        elif isinstance(part, Card):
            if part.title:
                console.print(f"┌ {part.title}", style="bold", highlight=False, markup=False)
            for section in part.sections:
                console.print(f"│ {section}", highlight=False, markup=False)
            for fact in part.facts:
                console.print(f"│ {fact.label}: {fact.value}", highlight=False, markup=False)
            for button in part.buttons:
                buttons.append(button)
                console.print(f"│ [{len(buttons)}] {button.label}", highlight=False, markup=False)
            if part.footer:
                console.print(f"└ {part.footer}", highlight=False, markup=False)
        elif isinstance(part, Image):
            console.print(f"[chart: {part.title}: {part.alt_text}]", highlight=False, markup=False)


def pressed(text: str, buttons: list[Button]) -> Button | None:
    """The button a line presses: its number, or its label typed out ("another question")."""
    if text.isdigit():
        return buttons[int(text) - 1] if 1 <= int(text) <= len(buttons) else None
    wanted = text.casefold()
    return next((b for b in buttons if b.label.strip("✓ ").casefold() == wanted), None)


def run_chat(services: Services, who: str, *, console: Console) -> None:
    account = local_user(services.db, who)
    runtime = LocalRuntime(services.core, account.workspace)
    console.print("Type to talk to Crossties; a number presses a button; `quit` ends.", style="dim")

    async def loop() -> None:
        buttons: list[Button] = []
        while True:
            try:
                line = await asyncio.to_thread(input, "you> ")
            except EOFError:
                return
            text = line.strip()
            if text.lower() in {"quit", "exit"}:
                return
            button = pressed(text, buttons)
            if button is not None:
                reply = await runtime.press(account.id, button.action, button.value)
            else:
                reply = await runtime.say(account.id, text)
            buttons = []
            for message in (*reply.messages, *view_messages(reply.view, services.core.prompts)):
                show(console, message, buttons)
            seen = len(runtime.platform.delivered)
            await runtime.deliver()
            for delivered in runtime.platform.delivered[seen:]:
                if account.id in delivered.recipients:
                    show(console, delivered.message, buttons)

    asyncio.run(loop())
