"""Fakes of the Teams side, all real servers on loopback:

- `FakeConnector`: the Bot Framework connector REST API (the activity's `serviceUrl`), which
  records every activity the bot sends and can answer 429/412/502/504/403/404 on demand;
- `FakeIdentity`: an OpenID provider with a local RSA key, issuing real RS256 tokens the way
  the Bot Framework channel does, so the adapter's token checks run for real.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

TENANT = "tenant-1"
BOT_ID = "28:crossties-bot"
ISSUER = "https://api.botframework.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Recorded:
    method: str
    path: str
    conversation: str
    body: dict[str, Any]
    authorization: str | None


@dataclass
class FakeConnector:
    """The connector REST API. `members` is the roster it serves, page by page."""

    members: list[dict[str, Any]] = field(default_factory=list)
    page_size_cap: int = 2
    faults: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    gone: set[str] = field(default_factory=set)  # member ids the bot cannot reach
    requests: list[Recorded] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self._paged)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------ what the bot sent

    def sent(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in {"POST", "PUT"} and "/activities" in r.path]

    def texts(self) -> list[str]:
        return [str(r.body.get("text") or "") for r in self.sent()]

    def cards(self) -> list[dict[str, Any]]:
        out = []
        for record in self.sent():
            for attachment in record.body.get("attachments") or []:
                out.append(attachment["content"])
        return out

    def fail(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after else {}
        for _ in range(times):
            self.faults.append((status, headers))

    # ------------------------------------------------------------ routes

    def _record(self, request: web.Request, body: dict[str, Any]) -> None:
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                request.match_info.get("cid", ""),
                body,
                request.headers.get("Authorization"),
            )
        )

    def _fault(self) -> web.Response | None:
        if not self.faults:
            return None
        status, headers = self.faults.popleft()
        error = {"error": {"code": "Throttled" if status == 429 else "Fault", "message": "fake"}}
        return web.json_response(error, status=status, headers=headers)

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        member = (body.get("members") or [{}])[0].get("id", "")
        if member in self.gone:
            error = {"error": {"code": "Forbidden", "message": "bot not installed for user"}}
            return web.json_response(error, status=403)
        fault = self._fault()
        if fault is not None:
            return fault
        return web.json_response({"id": f"a:{member}", "activityId": str(next(self._ids))})

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        if request.match_info["cid"] in {f"a:{m}" for m in self.gone}:
            error = {"error": {"code": "ConversationNotFound", "message": "gone"}}
            return web.json_response(error, status=404)
        fault = self._fault()
        if fault is not None:
            return fault
        return web.json_response({"id": f"m{next(self._ids)}"})

    async def _update(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        return web.json_response({"id": request.match_info["aid"]})

    async def _paged(self, request: web.Request) -> web.Response:
        self._record(request, {})
        size = min(int(request.query.get("pageSize", "100")), self.page_size_cap)
        start = int(request.query.get("continuationToken") or 0)
        page = self.members[start : start + size]
        result: dict[str, Any] = {"members": page}
        if start + size < len(self.members):
            result["continuationToken"] = str(start + size)
        return web.json_response(result)

    async def _member(self, request: web.Request) -> web.Response:
        self._record(request, {})
        wanted = request.match_info["mid"]
        for member in self.members:
            if wanted in {member.get("id"), member.get("aadObjectId")}:
                return web.json_response(member)
        return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)


def member(n: int, name: str) -> dict[str, Any]:
    return {
        "id": f"29:user-{n}",
        "name": name,
        "aadObjectId": f"aad-{n}",
        "email": f"{name.split()[0].lower()}@example.org",
        "userPrincipalName": f"{name.split()[0].lower()}@example.org",
        "tenantId": TENANT,
        "userRole": "user",
    }


# ---------------------------------------------------------------- identity


@functools.cache
def _rsa_key(name: str) -> rsa.RSAPrivateKey:
    """One key per role for the whole run: generating RSA keys is slow."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class FakeIdentity:
    """OpenID metadata and a JWKS on a thread (botbuilder fetches keys with blocking
    `requests` from inside the event loop, so the server must not share that loop)."""

    def __init__(self, endorsements: tuple[str, ...] = ("msteams",)) -> None:
        self.key = _rsa_key("provider")
        self.kid = uuid.uuid4().hex
        numbers = self.key.public_key().public_numbers()
        self.jwks = {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": self.kid,
                    "n": _b64(numbers.n),
                    "e": _b64(numbers.e),
                    "endorsements": list(endorsements),
                }
            ]
        }
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.stall = 0.0  # seconds each answer waits: a provider that hangs
        identity = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if identity.stall:
                    time.sleep(identity.stall)
                if self.path.endswith("openid-configuration"):
                    payload: dict[str, Any] = {"issuer": ISSUER, "jwks_uri": identity.url + "/keys"}
                elif self.path == "/keys":
                    payload = identity.jwks
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def metadata_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def token(
        self, *, audience: str, service_url: str, issuer: str = ISSUER, lifetime: int = 600
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 10,
            "exp": now + lifetime,
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def forged(self, *, audience: str, service_url: str) -> str:
        """Same claims and key id, signed by a key the provider never published."""
        other = _rsa_key("forger")
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": audience, "serviceurl": service_url, "exp": now + 600}
        return jwt.encode(claims, other, algorithm="RS256", headers={"kid": self.kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
