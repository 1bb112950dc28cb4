"""Teams activities → an HTML page that Microsoft's `adaptivecards` renderer draws in Chromium.

The cards are drawn by the library itself (with markdown-it for the markdown Teams renders
in TextBlocks), under a Teams-like host config (teams_host_config.json: Segoe UI stack, Teams'
light-theme colours, up to six actions stretched across one row as Teams does). Plain
activities are markdown in a chat bubble. Whatever the library reports while parsing or
validating a card is left in `window.__problems` for the caller.

Width: Teams on the desktop draws a bot's card in a 1:1 chat at a fixed width of roughly
450–500 px unless the card asks for `msteams.width: "Full"` (ours do not), so the desktop
pictures use a 470 px card; the phone ones a 320 px card (a 360 px phone screen, the most
common, less Teams' margins). Labels the renderer cuts short are left in `window.__cut`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
NODE_MODULES = HERE.parent / "e2e" / "node_modules"
ADAPTIVECARDS_JS = NODE_MODULES / "adaptivecards" / "dist" / "adaptivecards.min.js"
MARKDOWN_IT_JS = NODE_MODULES / "markdown-it" / "dist" / "markdown-it.min.js"
HOST_CONFIG = HERE / "teams_host_config.json"
DESKTOP_CARD = 470
PHONE_CARD = 320

CSS = (Path(__file__).parent / "teams.css").read_text(encoding="utf-8")

SCRIPT = """
const payload = JSON.parse(document.getElementById('payload').textContent);
const host = new AdaptiveCards.HostConfig(JSON.parse(document.getElementById('host').textContent));
const md = window.markdownit({ html: false, linkify: false, breaks: false });
AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = md.render(text); result.didProcess = true;
};
window.__problems = [];
const column = document.getElementById('messages');
payload.activities.forEach((activity, index) => {
  if (activity.text) {
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.innerHTML = md.render(activity.text);
    column.appendChild(bubble);
  }
  (activity.attachments || []).forEach((attachment) => {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = host;
    const context = new AdaptiveCards.SerializationContext();
    card.parse(attachment.content, context);
    for (let i = 0; i < context.eventCount; i++) {
      window.__problems.push(`card ${index}: ${context.getEventAt(i).message}`);
    }
    const results = card.validateProperties();
    for (const event of results.validationEvents) {
      window.__problems.push(`card ${index}: ${event.message}`);
    }
    const holder = document.createElement('div');
    holder.className = 'card';
    holder.appendChild(card.render());
    column.appendChild(holder);
  });
});
document.fonts.ready.then(() => {
  // labels the renderer had to cut short ("Couldn't …"): wider than the button drawing them
  window.__cut = [...document.querySelectorAll('.ac-pushButton')]
    .filter((button) => [button, ...button.children].some((e) => e.scrollWidth > e.clientWidth))
    .map((button) => button.textContent.trim());
  window.__ready = true;
});
"""


def page(payload: dict[str, Any], card_width: int) -> str:
    data = json.dumps(payload).replace("</", "<\\/")
    host = HOST_CONFIG.read_text(encoding="utf-8").replace("</", "<\\/")
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<style>:root {{ --card: {card_width}px; --bubble: {card_width}px; }}{CSS}</style>"
        f'<script src="{ADAPTIVECARDS_JS.as_uri()}"></script>'
        f'<script src="{MARKDOWN_IT_JS.as_uri()}"></script></head><body>'
        '<div id="shot"><div class="turn"><div class="avatar">C</div><div class="stack">'
        '<div class="who"><b>Crossties</b> 09:00</div><div class="stack" id="messages"></div>'
        "</div></div></div>"
        f'<script type="application/json" id="payload">{data}</script>'
        f'<script type="application/json" id="host">{host}</script>'
        f"<script>{SCRIPT}</script></body></html>"
    )
