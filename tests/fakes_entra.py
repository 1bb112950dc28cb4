"""A fake Microsoft Entra ID (the Teams app's token endpoint) over HTTPS on a loopback port,
with its own self-signed certificate (give msal `REQUESTS_CA_BUNDLE=entra.ca`)."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

from aiohttp import web

from tests.fakes_teams import free_port


class FakeEntra:
    """An OpenID provider's token endpoint over HTTPS. It refuses every client secret but
    `secret` (none by default), for which it issues a token."""

    def __init__(self, workdir: Path, secret: str | None = None) -> None:
        self.workdir = workdir
        self.secret = secret
        self.token_requests: list[dict[str, str]] = []
        self.port = free_port()
        self.ca = workdir / "entra.pem"
        self._runner: web.AppRunner | None = None

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _certificate(self) -> ssl.SSLContext:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        self.ca.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        keyfile = self.workdir / "entra.key"
        keyfile.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ca, keyfile)
        return context

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._metadata)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, ssl_context=self._certificate())
        await site.start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _metadata(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        return web.json_response(
            {
                "issuer": f"{self.base}/{tenant}/v2.0",
                "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
                "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append(form)  # type: ignore[arg-type]
        if self.secret is not None and form.get("client_secret") == self.secret:
            return web.json_response(
                {"token_type": "Bearer", "expires_in": 3599, "access_token": "fake-access-token"}
            )
        return web.json_response(
            {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            },
            status=401,
        )
