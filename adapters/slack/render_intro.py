"""The introduction view → Block Kit: the people first, why them, who moves first with the one
tap that does it, the question to start with (and another), the check-in date, then the
answers (after a check-in answer: who answered what, and the answers with the group's
marked). Suggested times → a block per time with its "Works for me".

Text reaching mrkdwn is escaped (render.escape); the only links are the mailto links built
by the core for partners on another platform.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from adapters.slack import render
from bot import actions
from bot.events import Button
from bot.ids import PersonId
from bot.views import AnsweredCheckIn, IntroductionView, SuggestedTimes, answer_labels

INTRO_BLOCK = "ct-intro"


def _button(item: Button, index: int, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=render.plain(item.label, 75),
        action_id=render.action_id(item.action, index),
        value=item.value[:2000],
        style=style,
    )


def _person(view: IntroductionView, person: PersonId, reader: PersonId | None) -> str:
    found = view.person(person)
    name = found.name + (f" ({view.labels.you})" if person == reader else "")
    line = f"*{render.escape(name)}*"
    about = ", ".join(x for x in (found.role, found.organisation) if x)
    line += "\n" + render.escape(about)
    if found.reach:
        line += "\n" + render.escape(found.reach)
    mail = next((m for m in view.copy_for(reader).mail if m.person == person), None)
    if mail is not None:
        line += f" · <{mail.url}|{render.escape(mail.label)}>"
    return render.clip(line, render.MAX_SECTION)


def introduction_blocks(
    view: IntroductionView,
    reader: PersonId | None = None,
    *,
    answered: AnsweredCheckIn | None = None,
    own: bool = False,
) -> list[Block]:
    """The copy for `reader` (None: the copy several people read at once); `answered`: the
    group's answer, worded for the one reader when the message is theirs alone (`own`)."""
    copy = view.copy_for(reader)
    labels = view.labels
    intro = view.introduction
    blocks: list[Block] = [
        ContextBlock(elements=[render.mrkdwn(labels.context, 2000)]),
        HeaderBlock(text=render.plain(copy.heading)),
    ]
    for person in view.partners(reader):
        text = MarkdownTextObject(text=_person(view, person.id, reader))
        blocks.append(SectionBlock(text=text))
    blocks.append(SectionBlock(text=render.mrkdwn(view.why)))
    blocks.append(SectionBlock(text=render.mrkdwn(f"*{copy.first_move}*")))
    if reader is None and len(view.readers) > 1:  # the others are here to pick a time
        suggest = actions.suggest_time_button(labels.suggest_time, intro)
        blocks.append(ActionsBlock(elements=[_button(suggest, 0, style="primary")]))
    blocks.append(SectionBlock(text=render.mrkdwn(view.starter.line)))
    another = actions.another_question_button(labels.another_question, intro)
    blocks.append(ActionsBlock(elements=[_button(another, 1)]))
    blocks.append(SectionBlock(text=render.mrkdwn(copy.checkin)))
    blocks.append(ContextBlock(elements=[render.mrkdwn(view.structure, 2000)]))
    answers = [
        Button(
            chosen if answer == view.answer else label,
            actions.CHECKIN,
            actions.checkin_value(intro, answer),
        )
        for answer, label, chosen in answer_labels(labels)
    ]
    pause = _button(actions.pause_button(labels.pause, view.programme), 5)
    if answered is None:
        elements = [*(_button(b, 2 + i) for i, b in enumerate(answers)), pause]
        blocks.append(ActionsBlock(block_id=f"{INTRO_BLOCK}-{intro}", elements=elements))
        return blocks
    # answered: who said what, the answers (the group's marked, none coloured), after
    # "couldn't meet" the two choices, then pause; the block ids the check-in's own redraw
    # uses (render.answered_blocks), so a later answer on any copy finds them
    blocks.append(render.status_block(answered.own_status if own else answered.status))
    rows = (("ct-answers", 2, answers), ("ct-choices", 6, answered.choices))
    for block_id, first, buttons in rows:
        if buttons:
            elements = [_button(b, first + i) for i, b in enumerate(buttons)]
            blocks.append(ActionsBlock(block_id=block_id, elements=elements))
    blocks.append(ActionsBlock(block_id=f"{INTRO_BLOCK}-{intro}", elements=[pause]))
    return blocks


def answered_message(
    answered: AnsweredCheckIn, blocks: list[dict[str, Any]], text: str, *, own: bool
) -> tuple[str, list[dict[str, Any]]]:
    """The message a check-in button was on (its `blocks` and `text`), redrawn with the
    group's answer: the introduction from its view, a check-in (or an introduction sent
    before views) with the answer added to its blocks."""
    view = answered.introduction_view
    if view is not None:
        reader = view.shared_reader()
        drawn = introduction_blocks(view, reader, answered=answered, own=own)
        redrawn, text = to_dicts(drawn), introduction_text(view, reader)
    else:
        redrawn = render.answered_blocks(blocks, answered, own=own)
        text = text or render.escape(answered.status)
    return text, render.with_next_step(redrawn, answered.next_step)


def introduction_text(view: IntroductionView, reader: PersonId | None = None) -> str:
    """The notification text: who the introduction is with."""
    return render.clip(render.escape(view.copy_for(reader).summary), render.MAX_FALLBACK) or " "


def times_blocks(times: SuggestedTimes) -> list[Block]:
    blocks: list[Block] = [
        SectionBlock(text=render.mrkdwn(f"*{times.title}*\n{times.body}")),
    ]
    for index, slot in enumerate(times.slots):
        button = actions.time_button(times.works_for_me, times.introduction, slot.at)
        blocks.append(
            SectionBlock(text=render.mrkdwn(slot.words), accessory=_button(button, index))
        )
    return blocks


def times_text(times: SuggestedTimes) -> str:
    return render.clip(
        render.escape(" · ".join([times.title, *(s.words for s in times.slots)])),
        render.MAX_FALLBACK,
    )


def to_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return render.to_dicts(blocks)
