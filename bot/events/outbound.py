"""What goes out: plain text, neutral cards with buttons and facts, images; renderers
draw them natively per platform."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from bot.events.refs import ConversationRef


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str
    value: str = ""
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class GroupChat:
    """A link to open a group chat with some of the people a card is about, which the platform
    completes for each reader with the names it keeps for the others (Teams: their sign-in
    names, else an email they share); `people` are person ids, `greeting` is typed in."""

    label: str
    topic: str
    greeting: str
    people: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Card:
    """A structured message; platforms render it natively, `fallback()` is plain text."""

    title: str
    sections: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (label, url)
    choices: ChoiceList | None = None  # set: the buttons are offered as one list to pick from
    chat: GroupChat | None = None  # drawn only where the platform can open such a chat

    def fallback(self) -> str:
        lines = [self.title, *self.sections]
        lines += [f"{fact.label}: {fact.value}" for fact in self.facts]
        lines += [f"{label}: {url}" for label, url in self.links]
        if self.buttons:
            lines.append("Options: " + " · ".join(button.label for button in self.buttons))
        if self.footer:
            lines.append(self.footer)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ChoiceList:
    """A card's buttons (all one action) offered as one list, e.g. which organisation to
    join: `placeholder` says what to pick, `submit` labels the button that sends the pick
    where a platform needs one."""

    placeholder: str
    submit: str


@dataclass(frozen=True, slots=True)
class Image:
    title: str
    alt_text: str
    png: bytes = field(repr=False)
    filename: str = "chart.png"
    # The same picture for a narrow card, as separate panels each drawn at the size a card
    # shows it (no resampling there); empty when the picture suits every width.
    panels: tuple[Image, ...] = field(default=(), repr=False)


Part = Text | Card | Image


@dataclass(frozen=True, slots=True)
class Share:
    """How the asker may share a private message with the conversation they asked in."""

    button: Button
    note: str  # says that only they see it, and what the button does


@dataclass(frozen=True, slots=True)
class Message:
    """What is said. Where it goes, by intent:
    - `ephemeral`: a passing answer for the asker alone;
    - `private`: for the asker alone, and meant to be kept (a report): in their own direct chat
      with the bot it is an ordinary message; anywhere others could see it, only the asker
      does (Slack: ephemeral, files in their DM; Teams: their 1:1 chat);
    - `post_to`: posted in that conversation for everyone in it, not as an answer (a report a
      lead shared);
    - none of these: answered where the event came from, for all there to see.
    """

    parts: tuple[Part, ...]
    ephemeral: bool = False
    private: bool = False
    post_to: ConversationRef | None = None
    share: Share | None = None  # offered with a private message delivered somewhere shared

    def offering_share(self) -> Message:
        """The message as delivered privately where others are: its first card ends with the
        share note and button (in the asker's own chat there is nobody to share with)."""
        if self.share is None:
            return self
        parts = list(self.parts)
        for index, part in enumerate(parts):
            if isinstance(part, Card):
                parts[index] = replace(
                    part,
                    sections=(*part.sections, self.share.note),
                    buttons=(*part.buttons, self.share.button),
                )
                break
        return replace(self, parts=tuple(parts), share=None)

    @staticmethod
    def text(text: str, *, ephemeral: bool = False) -> Message:
        return Message((Text(text),), ephemeral=ephemeral)

    def plain(self) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, Text):
                out.append(part.text)
            elif isinstance(part, Card):
                out.append(part.fallback())
            else:
                out.append(f"[image: {part.title}]")
        return "\n".join(out)
