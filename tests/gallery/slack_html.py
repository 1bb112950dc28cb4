"""Block Kit → HTML, close enough to Slack's own drawing to judge a message by eye.

Covers what Crossties sends: header, section (text, up to ten fields in two columns, an
accessory), context, actions (buttons in their styles, selects), divider, image, and the
input blocks of a modal; mrkdwn is converted as Slack does it (*bold*, _italic_, ~strike~,
`code`, ```blocks```, > quotes, <url|links>, <@user> mentions; no markdown lists: "- " stays
a dash, as in Slack). Surfaces: a message (with files), an App Home tab, a modal.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]+)`")
_PRE = re.compile(r"```(.+?)```", re.DOTALL)
_EMOJI = {":wave:": "👋", ":tada:": "🎉", ":handshake:": "🤝", ":calendar:": "📅"}


def _inline(text: str) -> str:
    """One stretch of mrkdwn without links; `text` is already Slack-escaped (&amp; &lt; &gt;)."""
    text = text.replace('"', "&quot;")
    codes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = _CODE.sub(keep, text)
    text = _BOLD.sub(r"<b>\1</b>", text)
    text = _ITALIC.sub(r"<i>\1</i>", text)
    text = _STRIKE.sub(r"<s>\1</s>", text)
    for name, emoji in _EMOJI.items():
        text = text.replace(name, emoji)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], text)


def _link(target: str, label: str | None) -> str:
    if target.startswith("@"):
        return f'<span class="mention">@{html.escape(label or target[1:])}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{html.escape(label or target[1:])}</span>'
    if target.startswith("!"):
        return f'<span class="mention">@{html.escape(target[1:].split("^")[0])}</span>'
    shown = _inline(label) if label else target
    return f'<a href="{html.escape(html.unescape(target), quote=True)}">{shown}</a>'


def mrkdwn(text: str) -> str:
    out: list[str] = []
    pres: list[str] = []

    def keep_pre(match: re.Match[str]) -> str:
        pres.append(f"<pre>{match.group(1).strip(chr(10))}</pre>")
        return f"\x01{len(pres) - 1}\x01"

    text = _PRE.sub(keep_pre, text)
    lines = []
    for line in text.split("\n"):
        if line.startswith("&gt; ") or line == "&gt;":
            line = f'<span class="quote">{line[5:]}</span>'
        lines.append(line)
    text = "\n".join(lines)
    position = 0
    for match in _LINK.finditer(text):
        out.append(_inline(text[position : match.start()]))
        out.append(_link(match.group(1), match.group(2)))
        position = match.end()
    out.append(_inline(text[position:]))
    joined = "".join(out).replace("\n", "<br>")
    return re.sub("\x01(\\d+)\x01", lambda m: pres[int(m.group(1))], joined)


def text_object(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")))
    return html.escape(str(obj.get("text", ""))).replace("\n", "<br>")


def _button(element: dict[str, Any]) -> str:
    style = element.get("style") or "default"
    return f'<span class="btn btn-{style}">{text_object(element.get("text"))}</span>'


def _element(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        return _button(element)
    if kind in {"static_select", "conversations_select", "users_select", "channels_select"}:
        chosen = element.get("initial_option") or {}
        shown = text_object(chosen.get("text")) or text_object(element.get("placeholder"))
        if not shown:
            shown = "Select a channel" if kind != "static_select" else "Select an item"
        return f'<span class="select">{shown}<span class="caret">⌄</span></span>'
    if kind == "overflow":
        return '<span class="btn btn-default">⋯</span>'
    if kind == "image":
        return f'<img class="ctx-img" src="{html.escape(element.get("image_url", ""))}" alt="">'
    if kind == "plain_text_input":
        value = html.escape(str(element.get("initial_value") or ""))
        placeholder = text_object(element.get("placeholder"))
        rows = "tall" if element.get("multiline") else ""
        shown = value.replace("\n", "<br>") or f'<span class="placeholder">{placeholder}</span>'
        return f'<div class="input {rows}">{shown}</div>'
    if kind == "checkboxes":
        chosen = {o.get("value") for o in element.get("initial_options") or []}
        items = []
        for option in element.get("options", []):
            mark = "☑" if option.get("value") in chosen else "☐"
            items.append(
                f'<div class="check"><span>{mark}</span> {text_object(option["text"])}</div>'
            )
        return "".join(items)
    return f'<span class="unknown">[{html.escape(str(kind))}]</span>'


def block(b: dict[str, Any]) -> str:
    kind = b.get("type")
    if kind == "header":
        return f'<div class="header">{text_object(b.get("text"))}</div>'
    if kind == "divider":
        return '<hr class="divider">'
    if kind == "section":
        inner = ""
        if b.get("text"):
            inner += f'<div class="text">{text_object(b["text"])}</div>'
        if b.get("fields"):
            cells = "".join(f'<div class="field">{text_object(f)}</div>' for f in b["fields"])
            inner += f'<div class="fields">{cells}</div>'
        accessory = b.get("accessory")
        side = f'<div class="accessory">{_element(accessory)}</div>' if accessory else ""
        return f'<div class="section"><div class="main">{inner}</div>{side}</div>'
    if kind == "context":
        parts = []
        for element in b.get("elements", []):
            parts.append(
                _element(element) if element.get("type") == "image" else text_object(element)
            )
        return f'<div class="context">{"".join(parts)}</div>'
    if kind == "actions":
        return f'<div class="actions">{"".join(_element(e) for e in b.get("elements", []))}</div>'
    if kind == "image":
        title = (
            f'<div class="img-title">{text_object(b.get("title"))}</div>' if b.get("title") else ""
        )
        src = html.escape(b.get("image_url", ""))
        return f'{title}<img class="block-img" src="{src}" alt="">'
    if kind == "input":
        optional = ' <span class="optional">(optional)</span>' if b.get("optional") else ""
        hint = f'<div class="hint">{text_object(b.get("hint"))}</div>' if b.get("hint") else ""
        label = f'<div class="label">{text_object(b.get("label"))}{optional}</div>'
        return f'<div class="inputblock">{label}{_element(b.get("element", {}))}{hint}</div>'
    return f'<div class="unknown">[{html.escape(str(kind))} block]</div>'


def blocks(items: list[dict[str, Any]]) -> str:
    return "".join(block(b) for b in items)


APP = "Crossties"
AVATAR = '<div class="avatar">C</div>'


def _message(payload: dict[str, Any]) -> str:
    body = (
        blocks(payload.get("blocks") or []) or f'<div class="text">{mrkdwn(payload["text"])}</div>'
    )
    files = "".join(
        f'<div class="file"><div class="file-title">{html.escape(i["title"])}</div>'
        f'<img src="data:image/png;base64,{i["png"]}" alt="{html.escape(i["alt"])}"></div>'
        for i in payload.get("images") or []
    )
    only = '<div class="only-you">Only visible to you</div>' if payload.get("ephemeral") else ""
    return (
        f'<div class="msg">{AVATAR}<div class="content">{only}'
        f'<div class="who"><b>{APP}</b> <span class="app">APP</span> '
        f'<span class="time">09:00</span></div>{body}{files}</div></div>'
    )


def surface(payload: dict[str, Any]) -> str:
    kind = payload["surface"]
    if kind == "message":
        where = html.escape(payload.get("where", ""))
        return f'<div class="channel">{where}</div>{_message(payload)}'
    if kind == "stack":
        where = html.escape(payload["items"][0].get("where", ""))
        return f'<div class="channel">{where}</div>' + "".join(
            _message(p) for p in payload["items"]
        )
    view = payload["view"]
    if kind == "home":
        tabs = '<div class="tabs"><b>Home</b><span>Messages</span><span>About</span></div>'
        head = f'<div class="apphead">{AVATAR}<b>{APP}</b></div>{tabs}'
        return f'{head}<div class="home">{blocks(view["blocks"])}</div>'
    if kind == "modal":
        submit = text_object(view.get("submit")) or "Submit"
        close = text_object(view.get("close")) or "Cancel"
        return (
            f'<div class="modal"><div class="modal-title">{AVATAR}'
            f"<b>{text_object(view.get('title'))}</b>"
            f'<span class="x">✕</span></div><div class="modal-body">{blocks(view["blocks"])}</div>'
            f'<div class="modal-foot"><span class="btn btn-default">{close}</span>'
            f'<span class="btn btn-primary">{submit}</span></div></div>'
        )
    raise ValueError(f"unknown Slack surface {kind}")


CSS = (Path(__file__).parent / "slack.css").read_text(encoding="utf-8")


def page(payload: dict[str, Any], width: int) -> str:
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<style>:root {{ --width: {width}px; }}{CSS}</style></head>"
        f'<body><div id="shot">{surface(payload)}</div>'
        "<script>window.__problems = []; window.__ready = true;</script></body></html>"
    )
