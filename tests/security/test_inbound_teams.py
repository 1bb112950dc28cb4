"""Teams activities must carry a Bot Framework token the channel really issued. Real RS256
tokens from the local provider (tests/fakes_teams.py), real botbuilder validation: every bad
token is 401 (never 500) and changes nothing. tests/adapters/teams/test_auth.py covers a
missing, garbage, forged, expired token and wrong audience, issuer and serviceUrl; these are
the attacks on the token format itself."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.adapters.teams.conftest import APP_ID, Harness, person_message
from tests.fakes_teams import ISSUER, FakeIdentity
from tests.snapshot import fingerprint

pytestmark = pytest.mark.db


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims(url: str, **changes: object) -> dict[str, object]:
    now = int(time.time())
    found: dict[str, object] = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": url,
        "nbf": now - 10,
        "exp": now + 600,
    }
    found.update(changes)
    return {k: v for k, v in found.items() if v is not None}


def alg_none(i: FakeIdentity, url: str) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': i.kid})}.{_b64(claims(url))}."


def hs256_with_the_public_key(i: FakeIdentity, url: str) -> str:
    """Key confusion: an HMAC token whose secret is the provider's public key."""
    public = i.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": i.kid})
    payload = _b64(claims(url))
    mac = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def signed(i: FakeIdentity, body: dict[str, object], **headers: object) -> str:
    return jwt.encode(body, i.key, algorithm="RS256", headers={"kid": i.kid, **headers})


TOKENS: dict[str, Callable[[FakeIdentity, str], str]] = {
    "alg-none": alg_none,
    "alg-none-unsigned-claims-of-a-real-token": lambda i, url: (
        ".".join(i.token(audience=APP_ID, service_url=url).split(".")[:2]) + "."
    ),
    "hs256-key-confusion": hs256_with_the_public_key,
    "unknown-key-id": lambda i, url: jwt.encode(claims(url), i.key, "RS256", {"kid": "nope"}),
    "no-key-id": lambda i, url: jwt.encode(claims(url), i.key, "RS256"),
    "no-service-url": lambda i, url: signed(i, claims(url, serviceurl=None)),
    "no-expiry": lambda i, url: signed(i, claims(url, exp=None)),
    "not-yet-valid": lambda i, url: signed(i, claims(url, nbf=int(time.time()) + 3600)),
    "no-audience": lambda i, url: signed(i, claims(url, aud=None)),
    "audience-list-without-us": lambda i, url: signed(i, claims(url, aud=["x", "y"])),
    "signature-of-another-token": lambda i, url: ".".join(
        [
            *i.token(audience=APP_ID, service_url=url).split(".")[:2],
            i.token(audience="other", service_url=url).split(".")[2],
        ]
    ),
    "basic-scheme": lambda i, url: "Basic " + base64.b64encode(b"bot:password").decode(),
}


@pytest.mark.parametrize("name", sorted(TOKENS))
async def test_tampered_tokens_are_401_and_change_nothing(
    secured: Harness, identity: FakeIdentity, name: str
) -> None:
    before = fingerprint(secured.core.db)
    token = TOKENS[name](identity, secured.url)
    headers = (
        {"Authorization": token}
        if token.startswith("Basic ")
        else {"Authorization": f"Bearer {token}"}
    )
    response = await secured.client.post(
        "/api/messages", json=person_message(secured.url, "join Hospice"), headers=headers
    )
    assert response.status == 401, await response.text()
    assert secured.connector.requests == []
    assert fingerprint(secured.core.db) == before


async def test_a_valid_token_for_another_service_url_cannot_be_pointed_elsewhere(
    secured: Harness, identity: FakeIdentity
) -> None:
    """The activity's serviceUrl is where replies go: it must be the one in the token, or an
    attacker could replay a token to make the bot post (with its credentials) to their host."""
    before = fingerprint(secured.core.db)
    token = identity.token(audience=APP_ID, service_url=secured.url)
    activity = person_message("https://attacker.example/", "help")
    status, _ = await secured.post(activity, token=token)
    assert status == 401
    assert secured.connector.requests == [] and fingerprint(secured.core.db) == before


async def test_a_token_for_another_channel_is_refused(
    secured: Harness, identity: FakeIdentity
) -> None:
    """The provider's key is endorsed for msteams only; an activity claiming another channel
    with that key is refused."""
    before = fingerprint(secured.core.db)
    token = identity.token(audience=APP_ID, service_url=secured.url)
    activity = person_message(secured.url, "help")
    activity["channelId"] = "webchat"
    status, _ = await secured.post(activity, token=token)
    assert status == 401
    assert fingerprint(secured.core.db) == before


async def test_the_valid_token_still_works(secured: Harness, identity: FakeIdentity) -> None:
    """The control: the same request with a genuine token is served."""
    token = identity.token(audience=APP_ID, service_url=secured.url)
    status, _ = await secured.post(person_message(secured.url, "join Hospice"), token=token)
    assert status == 200
    assert "Hospice" in secured.connector.texts()[-1]


def test_teams_never_serves_unauthenticated_beyond_loopback() -> None:
    from bot.config import ConfigError, Settings
    from crossties.server import check_serving_settings

    for host in ("0.0.0.0", "10.1.2.3", "crossties.example.org"):
        with pytest.raises(ConfigError, match="MICROSOFT_APP_ID"):
            check_serving_settings(Settings(CROSSTIES_HOST=host, MICROSOFT_APP_ID=None))
    check_serving_settings(Settings(CROSSTIES_HOST="127.0.0.1", MICROSOFT_APP_ID=None))
    check_serving_settings(
        Settings(CROSSTIES_HOST="0.0.0.0", MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="pw")
    )
