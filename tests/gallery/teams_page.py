"""Teams activities → an HTML page that Microsoft's `adaptivecards` renderer draws in Chromium.

The cards are drawn by the library itself (with markdown-it for the markdown Teams renders
in TextBlocks), under a Teams-like host config (teams_host_config.json: Segoe UI stack, Teams'
light-theme colours, up to six actions stretched across one row as Teams does). Plain
activities are markdown in a chat bubble. Whatever the library reports while parsing or
validating a card is left in `window.__problems` for the caller.

Width: Teams on the desktop draws a bot's card in a 1:1 chat at a fixed width of roughly
450–500 px unless the card asks for `msteams.width: "Full"` (ours do not), so the desktop
pictures use a 470 px card; the phone ones use a 340 px card (a 375 px screen less margins).
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
PHONE_CARD = 340

CSS = """
body { margin: 0; background: #f5f5f5; color: #242424; font: 14px/20px 'Segoe UI',
  -apple-system, BlinkMacSystemFont, Roboto, 'Helvetica Neue', 'Noto Sans', 'DejaVu Sans', sans-serif; }
#shot { display: inline-block; padding: 12px 16px 12px 12px; background: #f5f5f5; }
.turn { display: flex; gap: 8px; align-items: flex-start; }
.avatar { flex: 0 0 32px; height: 32px; border-radius: 50%; background: #5b5fc7; color: #fff;
  font-weight: 600; display: flex; align-items: center; justify-content: center; }
.stack { display: flex; flex-direction: column; gap: 4px; }
.who { font-size: 12px; color: #616161; } .who b { color: #242424; font-weight: 600; }
.bubble { background: #fff; border-radius: 6px; padding: 8px 12px; max-width: var(--bubble);
  box-shadow: 0 1px 2px rgba(0,0,0,.12); overflow-wrap: anywhere; }
.bubble p { margin: 0 0 8px; } .bubble p:last-child { margin-bottom: 0; }
.bubble code, .ac-textBlock code { font-family: Consolas, 'DejaVu Sans Mono', monospace;
  font-size: 13px; background: #f0f0f0; border-radius: 3px; padding: 0 3px; }
.card { width: var(--card); background: #fff; border-radius: 6px; overflow: hidden;
  box-shadow: 0 1px 2px rgba(0,0,0,.12); }
.ac-textBlock p { margin: 0; } .ac-textBlock ul, .ac-textBlock ol { margin: 0; padding-left: 20px; }
.ac-textBlock a { color: #5b5fc7; }
.ac-pushButton { font: 600 14px/20px inherit; font-family: inherit; height: 32px; padding: 0 12px;
  background: #fff; color: #242424; border: 1px solid #d1d1d1; border-radius: 4px;
  overflow: hidden; white-space: nowrap; text-overflow: ellipsis; cursor: pointer; min-width: 0; }
.ac-pushButton > div { overflow: hidden; text-overflow: ellipsis; }
.ac-pushButton.style-positive, .ac-pushButton.primary { background: #5b5fc7; color: #fff;
  border-color: #5b5fc7; }
.ac-pushButton.style-destructive { color: #c4314b; }
.ac-input, .ac-textInput, .ac-multichoiceInput, .ac-choiceSetInput-compact { font: inherit;
  font-family: inherit; border: 1px solid #d1d1d1; border-bottom-color: #616161;
  border-radius: 4px; padding: 5px 8px; background: #fff; box-sizing: border-box; width: 100%; }
.ac-textInput.ac-multiline { min-height: 96px; }
.ac-input-container { width: 100%; }
.problem { color: #c4314b; font: 12px monospace; white-space: pre-wrap; max-width: var(--card); }
"""

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
document.fonts.ready.then(() => { window.__ready = true; });
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
