"""Check that the lock files still satisfy pyproject.toml.

Every dependency (and every `dev` extra) in pyproject.toml must be pinned in the matching lock
file at a version inside its range, every pin must carry hashes, and the runtime pins must be
the same in both files. Exits 1 with one line per problem, and the command that fixes them,
when a lock was not refreshed after pyproject.toml changed.

Usage: python scripts/check_lock.py [PROJECT_DIR]
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

RUNTIME_LOCK = "requirements.lock"
DEV_LOCK = "requirements-dev.lock"
FIX = "run scripts/lock to refresh the lock files"

# The one platform the lock files are compiled for (see scripts/lock).
TARGET = {
    **default_environment(),
    "python_version": "3.11",
    "python_full_version": "3.11.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "extra": "",
}

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def read_lock(path: Path) -> tuple[dict[str, str], set[str]]:
    """The pins of a lock file (name → version) and the names pinned without a hash."""
    pins: dict[str, str] = {}
    hashed: set[str] = set()
    current: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = match.group(2)
        elif line.lstrip().startswith("#") or not line.strip():
            current = None
        if current and "--hash=" in line:
            hashed.add(current)
    return pins, set(pins) - hashed


def _unmet(requirements: list[str], pins: dict[str, str], lock_name: str) -> list[str]:
    problems = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate(TARGET):
            continue
        name = canonicalize_name(requirement.name)
        version = pins.get(name)
        if version is None:
            problems.append(f"{lock_name}: {requirement.name} ({text}) is not locked")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(
                f"{lock_name}: {requirement.name} is locked at {version}, "
                f"outside pyproject.toml's range {requirement.specifier}"
            )
    return problems


def problems(project: Path) -> list[str]:
    """Every way the lock files fail pyproject.toml; empty when they are in step."""
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime: list[str] = meta.get("dependencies", [])
    dev: list[str] = meta.get("optional-dependencies", {}).get("dev", [])
    found: list[str] = []
    locks = {}
    for lock_name in (RUNTIME_LOCK, DEV_LOCK):
        path = project / lock_name
        if not path.is_file():
            found.append(f"{lock_name} is missing")
            continue
        pins, unhashed = read_lock(path)
        locks[lock_name] = pins
        found += [f"{lock_name}: {name} is pinned without a hash" for name in sorted(unhashed)]
    if RUNTIME_LOCK in locks:
        found += _unmet(runtime, locks[RUNTIME_LOCK], RUNTIME_LOCK)
    if DEV_LOCK in locks:
        found += _unmet(runtime + dev, locks[DEV_LOCK], DEV_LOCK)
    if RUNTIME_LOCK in locks and DEV_LOCK in locks:
        for name, version in sorted(locks[RUNTIME_LOCK].items()):
            other = locks[DEV_LOCK].get(name)
            if other != version:
                found.append(
                    f"{DEV_LOCK}: {name} is {other or 'missing'} but {RUNTIME_LOCK} has {version}"
                )
    return found


def main(argv: list[str]) -> int:
    project = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1]
    found = problems(project)
    if not found:
        return 0
    print("error: the lock files are out of step with pyproject.toml:", file=sys.stderr)
    for line in found:
        print(f"  - {line}", file=sys.stderr)
    print(f"  {FIX}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
