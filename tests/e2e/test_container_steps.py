"""The container image's steps, replayed in clean virtual environments instead of a container.

The Dockerfile is read, not copied: its build stage's ENV, WORKDIR, COPY and RUN lines run in
order, with the image's paths (/opt/venv, /src, /home/crossties) mapped into a scratch folder
and a fresh Python 3.11 virtual environment standing in for the python:3.11-slim base. Then
the runtime stage's environment starts its ENTRYPOINT + CMD (`crossties serve`) as an
unprivileged user (nobody, when the tests run as root) on PostgreSQL, the way compose.yaml runs
it, and the HEALTHCHECK command itself must pass.

Three settings are changed for the replay, none of which changes what is installed: package
caches stay on (the image turns them off to stay small), files are linked from uv's cache
rather than copied, and bytecode is not precompiled (the image does it at build time so a
read-only install starts fast).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from sqlalchemy.engine import make_url

from tests.dockerfile import ROOT, Stage, parse

pytestmark = pytest.mark.slow

NOBODY = 65534
TEAMS = {
    "MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000001",
    "MICROSOFT_APP_PASSWORD": "container-test-secret",
    "MICROSOFT_APP_TENANT_ID": "00000000-0000-0000-0000-000000000002",
    "MICROSOFT_APP_TYPE": "SingleTenant",
}


def reachable_by_all(path: Path) -> bool:
    """Whether every folder above `path` and the file itself let any user run it."""
    path = path.resolve()
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def base_python() -> Path:
    """A Python 3.11 interpreter to stand in for the image's; one that nobody may run if root."""
    candidates = [shutil.which("python3.11"), "/usr/local/bin/python3.11", "/usr/bin/python3.11"]
    found = [Path(c) for c in candidates if c and Path(c).exists()]
    found.append(Path(sys._base_executable))
    if os.geteuid() == 0:
        found = [p for p in found if reachable_by_all(p)]
    if not found:
        pytest.skip("no Python 3.11 that an unprivileged user can run")
    return found[0]


def as_image_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to run as an unprivileged user")
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]


def pin(text: str) -> tuple[str, str]:
    name, _, version = text.strip().partition("==")
    return canonicalize_name(name), version


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Replay:
    """Runs Dockerfile stages with the image's absolute paths mapped under `root`."""

    def __init__(self, root: Path, base: Path) -> None:
        self.root = root
        self.paths = {
            "/opt/venv": root / "opt" / "venv",
            "/src": root / "src",
            "/home/crossties": root / "home" / "crossties",
        }
        # The base image's own Python, where `pip install` goes. Its `pip` is this test run's
        # pip pointed at that interpreter, which saves bootstrapping a second copy of pip.
        self.system = root / "usr"
        subprocess.run(
            [str(base), "-m", "venv", "--without-pip", str(self.system)], check=True, timeout=120
        )
        shim = self.system / "bin" / "pip"
        shim.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" -m pip --python "{self.system}/bin/python" "$@"\n'
        )
        shim.chmod(0o755)
        self.host_path = f"{self.system / 'bin'}:/usr/bin:/bin"

    def map(self, value: str) -> str:
        for image_path, here in self.paths.items():
            value = value.replace(image_path, str(here))
        return value

    def environment(self, stage: Stage, **settings: str) -> dict[str, str]:
        """This machine's environment without the project's settings, then the stage's ENV."""
        env = {k: self.map(v) for k, v in stage.env({"PATH": self.host_path}).items()}
        for speed_only in ("UV_NO_CACHE", "UV_LINK_MODE", "PIP_NO_CACHE_DIR"):
            env.pop(speed_only, None)
        env["UV_COMPILE_BYTECODE"] = "0"
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "MICROSOFT_", "CROSSTIES_", "VIRTUAL_ENV", "PYTHON"))
        }
        return {**inherited, "HOME": str(self.root / "root"), **env, **settings}

    def build(self, stage: Stage) -> None:
        env = self.environment(stage)
        workdir = self.root
        for instruction in stage.instructions:
            if instruction.keyword == "WORKDIR":
                workdir = Path(self.map(instruction.args))
                workdir.mkdir(parents=True, exist_ok=True)
            elif instruction.keyword == "COPY":
                *sources, target = instruction.args.split()
                assert not target.startswith("--"), instruction
                for source in sources:
                    self.copy(ROOT / source, workdir / target)
            elif instruction.keyword == "RUN":
                done = subprocess.run(
                    ["bash", "-c", instruction.args],
                    cwd=workdir,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
                assert done.returncode == 0, f"RUN {instruction.args}\n{done.stderr[-3000:]}"
            else:
                assert instruction.keyword == "ENV", f"replay cannot run {instruction.keyword}"

    @staticmethod
    def copy(source: Path, target: Path) -> None:
        if source.is_dir():
            destination = target if target.name == source.name else target / source.name
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
            shutil.copytree(source, destination, ignore=ignore)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / source.name)


@pytest.fixture(scope="module")
def image() -> Iterator[tuple[Replay, Stage]]:
    """The build stage replayed once: (the replay, the runtime stage to run)."""
    build, runtime = parse()
    root = Path(tempfile.mkdtemp(prefix="crossties-image-"))
    root.chmod(0o755)
    try:
        replay = Replay(root, base_python())
        replay.build(build)
        yield replay, runtime
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database(postgres_server: str) -> str:
    """This test run's PostgreSQL database, addressed the way compose.yaml addresses its own."""
    url = make_url(postgres_server).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def runtime_environment(
    replay: Replay, runtime: Stage, **settings: str
) -> tuple[dict[str, str], Path]:
    """The runtime stage's environment and working folder, owned by the image's user."""
    # The runtime stage's only RUN creates the image's user; nobody stands in for it here.
    assert [i.args.split()[0] for i in runtime.all("RUN")] == ["useradd"]
    home = Path(replay.map(runtime.one("WORKDIR").args))
    home.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(home, NOBODY, NOBODY)
    return replay.environment(runtime, HOME=str(home), **settings), home


def test_the_image_installs_the_locked_versions_and_serves_healthy_as_an_unprivileged_user(
    image: tuple[Replay, Stage], database: str
) -> None:
    replay, runtime = image
    venv = replay.paths["/opt/venv"]
    python = venv / "bin" / "python"
    # Exactly the lock's versions, and nothing else but the project.
    freeze = subprocess.run(
        [str(replay.system / "bin" / "uv"), "pip", "freeze", "--python", str(python)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    locked = {
        pin(line.split(" ")[0])
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    }
    installed = {pin(line) for line in freeze.splitlines() if "==" in line}
    assert installed == locked
    assert [line for line in freeze.splitlines() if "==" not in line] == [
        f"crossties @ {(replay.paths['/src']).as_uri()}"
    ]
    assert not (venv / "bin" / "pip").exists()

    port = free_port()
    # The Teams credentials are checked at start against a closed port here, never the internet.
    login = f"https://127.0.0.1:{free_port()}"
    env, home = runtime_environment(
        replay,
        runtime,
        CROSSTIES_PORT=str(port),
        CROSSTIES_DATABASE_URL=database,
        CROSSTIES_TEAMS_LOGIN_URL=login,
        **TEAMS,
    )
    assert env["CROSSTIES_HOST"] == "0.0.0.0"
    command = [*runtime.one("ENTRYPOINT").exec_form(), *runtime.one("CMD").exec_form()]
    server = subprocess.Popen(
        [*as_image_user(), *command],
        cwd=home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        healthcheck = [*as_image_user(), *runtime.one("HEALTHCHECK").exec_form()]
        deadline = time.monotonic() + 45
        while True:
            check = subprocess.run(
                healthcheck, env=env, capture_output=True, timeout=30, check=False
            )
            if check.returncode == 0:
                break
            assert server.poll() is None, f"crossties serve exited:\n{server.communicate()[0]}"
            assert time.monotonic() < deadline, "the HEALTHCHECK never passed"
            time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200
            health = json.loads(response.read())
        assert health["parts"]["database"]["state"] == "up"
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output, output
    if os.geteuid() == 0:
        assert (venv / "bin" / "crossties").stat().st_uid == 0  # the user cannot change it
