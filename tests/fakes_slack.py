"""A local fake of the Slack Web API: a real aiohttp server on a free loopback port.

The real slack_sdk clients talk to it through `base_url` (SLACK_API_URL). It records every
call, keeps the little state the bot relies on (users, DM and group DM channels, messages,
views, uploads, response_url answers) and can misbehave on purpose:

- `script(method, ...)` queues answers for the next calls of one method (a 429 with
  Retry-After, a 500, or a Slack error such as `user_not_found`);
- `unreachable[user_id] = "account_inactive"` makes every call that names that user fail;
- `rate_limits={"conversations.open": 50 / 60}` enforces per-method token buckets
  (`per_channel_rate` does the same per method and channel, like chat.postMessage's ~1/s),
  answering 429 with a truthful Retry-After;
- `fault_rate_429` / `fault_rate_500` inject a seeded fraction of failures.

Usage::

    async with FakeSlack() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        ...
        assert slack.count("chat.postMessage") == 3
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0001"
BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
APP_TOKEN = "xapp-1-A0001-test"


@dataclass(frozen=True)
class Call:
    """One request that reached the fake."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int
    error: str | None = None


@dataclass
class Scripted:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    times: int = 1
    stall: float = 0.0  # seconds to hold the request before answering: a time-out


@dataclass
class _Bucket:
    rate: float
    burst: float
    tokens: float
    updated: float


@dataclass
class FakeSlack:
    """State and behaviour; `start()` serves it, `stop()` ends it."""

    team_id: str = TEAM_ID
    bot_token: str = BOT_TOKEN
    bot_user_id: str = BOT_USER_ID
    rate_limits: dict[str, float] = field(default_factory=dict)  # method -> calls per second
    per_channel_rate: dict[str, float] = field(default_factory=dict)  # method -> per channel
    burst: float = 1.0
    fault_rate_429: float = 0.0
    fault_rate_500: float = 0.0
    fault_retry_after: int = 1
    seed: int = 0
    clock: Callable[[], float] = time.monotonic
    tokens: dict[str, str] = field(default_factory=dict)  # extra token -> team (OAuth installs)
    # The scopes granted to the bot token, sent back as Slack does in X-OAuth-Scopes
    scopes: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channel_members: dict[str, list[str]] = {}
        self.unreachable: dict[str, str] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.views: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []  # bodies posted to response_url
        self.uploads: dict[str, bytes] = {}
        self._conversations: dict[tuple[str, ...], str] = {}
        self._scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._rng = random.Random(self.seed)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.tokens.setdefault(self.bot_token, self.team_id)
        self._bump = asyncio.Event()
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_connected = asyncio.Event()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}

    # ------------------------------------------------------------ set-up helpers

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What slack_sdk takes as `base_url` (and the bot as SLACK_API_URL)."""
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        email: str | None = None,
        admin: bool = False,
        owner: bool = False,
        bot: bool = False,
        deleted: bool = False,
        team_id: str | None = None,
        tz: str = "Europe/London",
    ) -> dict[str, Any]:
        user = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "deleted": deleted,
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": bot,
            "tz": tz,
            "profile": {
                "real_name": name,
                "display_name": name,
                "email": email,
            },
        }
        self.users[user_id] = user
        return user

    def open_dm(self, user_id: str) -> str:
        """The app's DM channel with a user (as Slack shows it in app_home_opened)."""
        key = (user_id,)
        if key not in self._conversations:
            channel = f"D{next(self._ids):08d}"
            self._conversations[key] = channel
            self.channel_members[channel] = [user_id, self.bot_user_id]
        return self._conversations[key]

    def script(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        stall: float = 0.0,
    ) -> None:
        """The next `times` calls of `method` answer like this (after `stall` seconds)."""
        self._scripts[method].append(Scripted(status, error, retry_after, times, stall))

    # ------------------------------------------------------------ inspection

    def calls_to(self, method: str, *, ok_only: bool = False) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (not ok_only or (c.status == 200 and c.error is None))
        ]

    def count(self, method: str, *, ok_only: bool = True) -> int:
        return len(self.calls_to(method, ok_only=ok_only))

    async def until(self, predicate: Callable[[], bool], wait_s: float = 10.0) -> None:
        """Wait (bounded) until `predicate()` holds; checked after every call that arrives."""
        async with asyncio.timeout(wait_s):
            while True:
                self._bump.clear()
                if predicate():
                    return
                await self._bump.wait()

    def _note(self, call: Call) -> None:
        self.calls.append(call)
        self._bump.set()

    def conversation_of(self, users: list[str]) -> str | None:
        return self._conversations.get(tuple(sorted(users)))

    # ------------------------------------------------------------ serving

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        for socket in list(self.sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------ request handling

    @staticmethod
    async def _read_args(request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    args.update(body)
            elif ctype == "multipart/form-data":
                post = await request.post()
                for key, value in post.items():
                    args[key] = value if isinstance(value, str) else value.file.read()
            else:
                raw = (await request.read()).decode("utf-8", "replace")
                args.update(dict(parse_qsl(raw, keep_blank_values=True)))
        for key in ("blocks", "view", "files", "attachments", "users", "metadata"):
            value = args.get(key)
            if isinstance(value, str) and value[:1] in "[{":
                args[key] = json.loads(value)
        return args

    def _answer(
        self,
        call: Call,
        body: dict[str, Any],
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        self._note(call)
        if status != 200:
            return web.Response(
                status=status,
                text=json.dumps(body),
                headers=headers,
                content_type="application/json",
            )
        return web.json_response(body, headers=headers)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._read_args(request)
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else args.get("token")
        now = self.clock()

        def reply(
            status: int,
            error: str | None,
            body: dict[str, Any],
            headers: dict[str, str] | None = None,
        ) -> web.Response:
            return self._answer(
                Call(method, args, token, now, status, error), body, status, headers
            )

        scripted = self._next_script(method)
        if scripted is not None:
            if scripted.stall:
                await asyncio.sleep(scripted.stall)
            if scripted.status == 429:
                wait = scripted.retry_after if scripted.retry_after is not None else 1
                return reply(
                    429,
                    "ratelimited",
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(wait)},
                )
            if scripted.status >= 500:
                return reply(scripted.status, "server_error", {"ok": False, "error": "fatal_error"})
            if scripted.error:
                return reply(200, scripted.error, {"ok": False, "error": scripted.error})
        wait_s = self._rate_limited(method, args, now)
        if wait_s is not None:
            return reply(
                429,
                "ratelimited",
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(max(1, math.ceil(wait_s)))},
            )
        if self.fault_rate_429 or self.fault_rate_500:
            roll = self._rng.random()
            if roll < self.fault_rate_429:
                return reply(
                    429,
                    "ratelimited",
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(self.fault_retry_after)},
                )
            if roll < self.fault_rate_429 + self.fault_rate_500:
                return reply(500, "server_error", {"ok": False, "error": "fatal_error"})
        team = self.tokens.get(token or "")
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return reply(200, "invalid_auth", {"ok": False, "error": "invalid_auth"})
            return reply(200, None, {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"})
        if team is None and method not in {"oauth.v2.access", "api.test"}:
            return reply(200, "invalid_auth", {"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return reply(200, "unknown_method", {"ok": False, "error": "unknown_method"})
        result: dict[str, Any] = handler(args, team)
        error = None if result.get("ok") else str(result.get("error"))
        granted = {"X-OAuth-Scopes": ",".join(self.scopes)} if self.scopes is not None else None
        return reply(200, error, result, granted)

    def _next_script(self, method: str) -> Scripted | None:
        queue = self._scripts.get(method)
        if not queue:
            return None
        head = queue[0]
        head.times -= 1
        if head.times <= 0:
            queue.popleft()
        return head

    def _rate_limited(self, method: str, args: dict[str, Any], now: float) -> float | None:
        keys: list[tuple[tuple[str, ...], float]] = []
        if method in self.rate_limits:
            keys.append(((method,), self.rate_limits[method]))
        if method in self.per_channel_rate:
            keys.append(((method, str(args.get("channel", ""))), self.per_channel_rate[method]))
        for key, rate in keys:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(rate, self.burst, self.burst, now)
            bucket.tokens = min(bucket.burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens < 1.0 - 1e-9:  # allow for float rounding at the boundary
                return (1.0 - bucket.tokens) / rate
        for key, _ in keys:
            self._buckets[key].tokens -= 1.0
        return None

    # ------------------------------------------------------------ Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}}
        )
        self.socket_connected.set()
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            waiter = self._acks.pop(str(data.get("envelope_id")), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(data)
        if socket in self.sockets:
            self.sockets.remove(socket)
        return socket

    async def push(self, kind: str, payload: dict[str, Any], wait_s: float = 5.0) -> dict[str, Any]:
        """Send an envelope (events_api, slash_commands, interactive) over Socket Mode and
        return the app's acknowledgement."""
        await asyncio.wait_for(self.socket_connected.wait(), wait_s)
        envelope_id = f"env-{next(self._ids)}"
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = waiter
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        self._note(Call("socket:" + kind, payload, None, self.clock(), 200))
        return await asyncio.wait_for(waiter, wait_s)

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_response_url"] = request.match_info["name"]
        self.responses.append(body)
        self._note(Call("response_url", body, None, self.clock(), 200))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        self._note(
            Call("upload", {"file_id": request.match_info["file_id"]}, None, self.clock(), 200)
        )
        return web.Response(text="OK - 1")

    # ------------------------------------------------------------ methods

    def _new_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _unreachable(self, users: list[str]) -> str | None:
        for user in users:
            if user in self.unreachable:
                return self.unreachable[user]
        return None

    def _m_api_test(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        return {"ok": True, "args": {k: v for k, v in args.items() if isinstance(v, str)}}

    def _m_auth_test(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://example.slack.com/",
            "team": "Example",
            "user": "crossties",
            "team_id": team,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_conversations_open(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        users = args.get("users")
        if isinstance(users, list):
            ids = [str(u) for u in users]
        else:
            ids = [u for u in str(users or "").split(",") if u]
        if not ids:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(ids) > 8:
            return {"ok": False, "error": "too_many_users"}
        gone = self._unreachable(ids)
        if gone:
            return {"ok": False, "error": gone}
        for user in ids:
            if self.users and user not in self.users:
                return {"ok": False, "error": "user_not_found"}
        key = tuple(sorted(ids))
        channel = self._conversations.get(key)
        if channel is None:
            prefix = "D" if len(ids) == 1 else "G"
            channel = f"{prefix}{next(self._ids):08d}"
            self._conversations[key] = channel
            self.channel_members[channel] = [*ids, self.bot_user_id]
            return {"ok": True, "channel": {"id": channel}}
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel}}

    def _check_channel(self, args: dict[str, Any]) -> str | None:
        channel = str(args.get("channel") or "")
        if not channel:
            return "channel_not_found"
        if channel[0] in "UW":  # a user id: the app's DM with that user
            return self._unreachable([channel])
        members = self.channel_members.get(channel)
        if members is None:
            return None if channel[0] == "C" else "channel_not_found"
        return self._unreachable([m for m in members if m != self.bot_user_id])

    def _m_chat_postMessage(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        error = self._check_channel(args)
        if error:
            return {"ok": False, "error": error}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = self._new_ts()
        message = {"text": args.get("text"), "blocks": args.get("blocks"), "ts": ts}
        if isinstance(args.get("metadata"), dict):
            message["metadata"] = args["metadata"]
        self.messages[(str(args["channel"]), ts)] = message
        return {"ok": True, "channel": args["channel"], "ts": ts, "message": message}

    def _m_chat_postEphemeral(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._new_ts()}

    def _m_chat_update(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key] = {
            **self.messages[key],
            "text": args.get("text"),
            "blocks": args.get("blocks"),
        }
        return {"ok": True, "channel": key[0], "ts": key[1], "text": args.get("text")}

    def _m_conversations_history(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        if channel not in self.channel_members and not any(c == channel for c, _ in self.messages):
            return {"ok": False, "error": "channel_not_found"}
        limit = max(1, min(999, int(args.get("limit") or 100)))
        found = sorted(
            (m for (c, _), m in self.messages.items() if c == channel),
            key=lambda m: m["ts"],
            reverse=True,
        )[:limit]
        with_metadata = str(args.get("include_all_metadata")).lower() in {"1", "true"}
        messages = [
            {"type": "message", "bot_id": BOT_ID, **m}
            if with_metadata
            else {
                "type": "message",
                "bot_id": BOT_ID,
                **{k: v for k, v in m.items() if k != "metadata"},
            }
            for m in found
        ]
        return {"ok": True, "messages": messages, "has_more": False}

    def _m_users_info(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        gone = self.unreachable.get(str(args.get("user")))
        if gone in {"account_inactive", "user_disabled"} and user is not None:
            return {"ok": True, "user": {**user, "deleted": True}}
        if gone or user is None:
            return {"ok": False, "error": gone or "user_not_found"}
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _m_conversations_members(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        members = self.channel_members.get(str(args.get("channel")))
        if members is None:
            return {"ok": False, "error": "channel_not_found"}
        limit = max(1, min(1000, int(args.get("limit") or 100)))
        start = int(args.get("cursor") or 0)
        page = members[start : start + limit]
        following = start + limit
        cursor = str(following) if following < len(members) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def _view(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        record = {"method": method, **{k: v for k, v in args.items() if k != "token"}}
        self.views.append(record)
        view_id = str(args.get("view_id") or f"V{next(self._ids):08d}")
        return {"ok": True, "view": {**view, "id": view_id}}

    def _m_views_publish(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        if not args.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view("views.publish", args)

    def _m_views_open(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._view("views.open", args)

    def _m_views_update(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        return self._view("views.update", args)

    def _m_files_getUploadURLExternal(
        self, args: dict[str, Any], team: str | None
    ) -> dict[str, Any]:
        if not args.get("filename") or not args.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(
        self, args: dict[str, Any], team: str | None
    ) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        missing = [f["id"] for f in files if f.get("id") not in self.uploads]
        if missing:
            return {"ok": False, "error": "file_not_found"}
        return {
            "ok": True,
            "files": [
                {"id": f["id"], "title": f.get("title"), "name": f.get("title")} for f in files
            ],
        }

    def _m_oauth_v2_access(self, args: dict[str, Any], team: str | None) -> dict[str, Any]:
        code = str(args.get("code") or "")
        if not code.startswith("code-"):
            return {"ok": False, "error": "invalid_code"}
        installed_team = code[len("code-") :] or self.team_id
        token = f"xoxb-{installed_team}"
        self.tokens[token] = installed_team
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": self.bot_user_id,
            "app_id": "A0001",
            "team": {"id": installed_team, "name": f"Team {installed_team}"},
            "enterprise": None,
            "authed_user": {"id": "UINSTALLER"},
            "is_enterprise_install": False,
        }
