"""A round preview in chat, a page at a time: the first groups, how many more (and across how
many organisations), buttons for the next and previous pages, and the run button always.

One page stays well inside what a chat message can hold (Slack: 50 blocks, Teams: a card of
about 28 KB), however many groups the round makes; the plan is the same on every page, as a
round's seed is fixed by the programme and the round's number.
"""

from __future__ import annotations

from bot import actions
from bot.events import Button, Card, Message
from bot.templates import Prompts
from bot.usecases.rounds import PlannedGroup, RoundPlan

PAGE_SIZE = 20  # groups on one page
MAX_LINE = 300  # characters of one group's line (names are typed by people)


def pages(plan: RoundPlan) -> int:
    return max(1, -(-len(plan.groups) // PAGE_SIZE))


def group_line(group: PlannedGroup) -> str:
    line = "• " + " + ".join(
        f"{n} ({o})" for n, o in zip(group.names, group.organisations, strict=True)
    )
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def preview_message(prompts: Prompts, plan: RoundPlan, programme_id: int, page: int = 1) -> Message:
    page = max(1, min(page, pages(plan)))
    start = (page - 1) * PAGE_SIZE
    shown = plan.groups[start : start + PAGE_SIZE]
    after = plan.groups[start + PAGE_SIZE :]
    organisations = {o for group in after for o in group.organisations}
    sections = [prompts.render("preview_summary", plan=plan)]
    if shown:
        sections.append("\n".join(group_line(g) for g in shown))
    if len(plan.groups) > PAGE_SIZE:
        sections.append(
            prompts.render(
                "preview_page",
                first=start + 1,
                last=start + len(shown),
                total=len(plan.groups),
                more=len(after),
                more_organisations=len(organisations),
            )
        )
    suffix = actions.programme_suffix(plan.programme)
    buttons = [Button(prompts.render("button_run_round"), "round run", suffix, "primary")]
    if after:
        label = prompts.render("preview_next_page")
        buttons.append(actions.preview_page_button(label, programme_id, page + 1))
    if page > 1:
        label = prompts.render("preview_previous_page")
        buttons.append(actions.preview_page_button(label, programme_id, page - 1))
    card = Card(
        title=prompts.render("preview_title", plan=plan),
        sections=tuple(sections),
        buttons=tuple(buttons),
    )
    return Message((card,), ephemeral=True)
