"""Dockerfile, compose.yaml, .dockerignore and the README's Container section agree.

The image's install steps are replayed for real in tests/e2e/test_container_steps.py.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bot.config import Settings
from tests.dockerfile import ROOT, parse

COMPOSE = (ROOT / "compose.yaml").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def compose_service(name: str) -> str:
    """The text of one service's block in compose.yaml."""
    match = re.search(rf"^  {name}:\n((?:    .*\n|\s*\n)+)", COMPOSE, re.MULTILINE)
    assert match, f"no service {name} in compose.yaml"
    return match.group(1)


def readme_section(title: str) -> str:
    match = re.search(rf"^## {title}\n(.*?)(?=^## )", README, re.MULTILINE | re.DOTALL)
    assert match, f"no '## {title}' section in README.md"
    return match.group(1)


def test_two_stages_on_python_3_11_slim_running_as_a_named_user() -> None:
    build, runtime = parse()
    assert build.base == runtime.base == "python:3.11-slim"
    assert build.name == "build"
    user = runtime.one("USER").args
    assert user not in {"root", "0"} and not user.startswith("0:")
    assert re.search(rf"useradd .*\b{re.escape(user)}$", runtime.one("RUN").args)
    assert runtime.one("COPY").args == "--from=build /opt/venv /opt/venv"


def test_the_image_installs_the_lock_with_hashes_and_the_project_without_resolving() -> None:
    build, _ = parse()
    runs = [i.args for i in build.all("RUN")]
    assert any("-r requirements-build.lock" in r and "--require-hashes" in r for r in runs)
    assert any("-r requirements.lock" in r and "--require-hashes" in r for r in runs)
    project = [r for r in runs if r.rstrip().endswith(" .")]
    assert len(project) == 1 and "--no-deps" in project[0]


def test_every_package_the_wheel_includes_is_copied_and_not_ignored() -> None:
    build, _ = parse()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = [
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    copied = {source for i in build.all("COPY") for source in i.args.split()[:-1]}
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    readme = pyproject["project"]["readme"]
    for name in packages:
        assert name in copied and name in allowed, name
    for name in ("pyproject.toml", readme, "requirements.lock", "requirements-build.lock"):
        assert name in copied, name
        assert name in allowed, name
    assert ".env" not in allowed and ".git" not in allowed


def test_port_host_and_healthcheck_agree_with_the_server_and_compose() -> None:
    _, runtime = parse()
    env = runtime.env({"PATH": "/usr/local/bin:/usr/bin"})
    default_port = Settings.model_fields["port"].default
    assert env["CROSSTIES_PORT"] == str(default_port) == runtime.one("EXPOSE").args
    assert env["CROSSTIES_HOST"] == "0.0.0.0"
    assert env["PATH"].startswith("/opt/venv/bin:")
    healthcheck = runtime.one("HEALTHCHECK")
    command = healthcheck.exec_form()
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2] and "CROSSTIES_PORT" in command[2]
    served = [p.read_text(encoding="utf-8") for p in ROOT.glob("*/server.py")]
    assert any('add_get("/healthz"' in text for text in served)
    assert runtime.one("ENTRYPOINT").exec_form() == ["crossties"]
    assert runtime.one("CMD").exec_form() == ["serve"]
    assert "crossties" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]

    app = compose_service("crossties")
    assert f'- "{default_port}:{default_port}"' in app
    assert "CROSSTIES_HOST: 0.0.0.0" in app
    assert f'CROSSTIES_PORT: "{default_port}"' in app


def test_compose_waits_for_a_healthy_postgresql_16_with_a_volume() -> None:
    db = compose_service("db")
    assert "image: postgres:16\n" in db
    assert "healthcheck:" in db and "pg_isready" in db
    volume = re.search(r"- (\w+):/var/lib/postgresql/data", db)
    assert volume and re.search(rf"^volumes:\n  {volume.group(1)}:", COMPOSE, re.MULTILINE)
    app = compose_service("crossties")
    assert re.search(r"depends_on:\n\s+db:\n\s+condition: service_healthy", app)
    assert re.search(r"env_file:\n\s+- path: \.env", app)
    assert "@db:5432/" in app


def test_the_readme_names_only_real_settings_and_every_one_compose_reads() -> None:
    section = readme_section("Container")
    assert "docker compose up" in section
    settings = {f.alias for f in Settings.model_fields.values() if f.alias}
    named = set(re.findall(r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b", section))
    compose_vars = set(re.findall(r"\$\{(\w+)", COMPOSE))
    assert named - settings <= compose_vars, f"not settings: {sorted(named - settings)}"
    assert compose_vars <= named, f"compose reads {sorted(compose_vars - named)}"
    for needed in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID"):
        assert needed in named


def test_the_dockerfile_parser_reads_continuations_and_exec_forms(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "# comment\nFROM base AS one\nENV A=1 \\\n    B=$A/x\nRUN echo \\\n  hi\n"
        'FROM two\nHEALTHCHECK --interval=5s CMD ["a", "b"]\n'
    )
    one, two = parse(dockerfile)
    assert (one.name, two.name, two.base) == ("one", None, "two")
    assert one.env() == {"A": "1", "B": "1/x"}
    assert one.one("RUN").args == "echo hi"
    assert two.one("HEALTHCHECK").exec_form() == ["a", "b"]
