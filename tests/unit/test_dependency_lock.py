"""The lock files match pyproject.toml, and the audit fails only on fixable vulnerabilities."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"scripts_{name}", ROOT / "scripts" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


check_lock = load_script("check_lock")
audit = load_script("audit")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def add_dependency(project: Path, line: str) -> None:
    text = (project / "pyproject.toml").read_text()
    marker = "dependencies = [\n"
    assert marker in text
    (project / "pyproject.toml").write_text(text.replace(marker, f'{marker}    "{line}",\n', 1))


def test_the_committed_lock_files_satisfy_pyproject() -> None:
    assert check_lock.problems(ROOT) == []


def test_every_runtime_pin_has_hashes_and_the_dev_lock_has_the_same_versions() -> None:
    runtime, runtime_unhashed = check_lock.read_lock(ROOT / "requirements.lock")
    dev, dev_unhashed = check_lock.read_lock(ROOT / "requirements-dev.lock")
    assert runtime_unhashed == set() and dev_unhashed == set()
    assert {"botbuilder-core", "slack-bolt", "aiohttp", "cryptography", "msal"} <= set(runtime)
    assert {name: dev[name] for name in runtime} == runtime
    assert {"pytest", "pip-audit", "mypy"} <= set(dev) - set(runtime)


def test_a_dependency_added_without_refreshing_the_lock_is_named(project: Path) -> None:
    add_dependency(project, "unlocked-example>=2.14")
    problems = check_lock.problems(project)
    assert "requirements.lock: unlocked-example (unlocked-example>=2.14) is not locked" in problems
    assert (
        "requirements-dev.lock: unlocked-example (unlocked-example>=2.14) is not locked" in problems
    )


def test_a_raised_lower_bound_the_lock_no_longer_meets_is_named(project: Path) -> None:
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text.replace('"aiohttp>=3.10"', '"aiohttp>=99"'))
    problems = check_lock.problems(project)
    assert any(p.startswith("requirements.lock: aiohttp is locked at ") for p in problems)
    assert any("outside pyproject.toml's range >=99" in p for p in problems)


def test_a_dependency_for_another_platform_is_not_required(project: Path) -> None:
    add_dependency(project, "pywin32>=306; sys_platform == 'win32'")
    assert check_lock.problems(project) == []


def test_a_runtime_pin_that_differs_in_the_dev_lock_is_named(project: Path) -> None:
    dev = project / "requirements-dev.lock"
    pins, _ = check_lock.read_lock(dev)
    version = pins["aiohttp"]
    dev.write_text(dev.read_text().replace(f"aiohttp=={version}", "aiohttp==3.10.0"))
    assert (
        f"requirements-dev.lock: aiohttp is 3.10.0 but requirements.lock has {version}"
        in check_lock.problems(project)
    )


def test_the_check_exits_1_with_the_fix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_dependency(project, "another-unlocked-example>=8")
    assert check_lock.main(["check_lock.py", str(project)]) == 1
    err = capsys.readouterr().err
    assert "another-unlocked-example" in err and "run scripts/lock" in err
    assert check_lock.main(["check_lock.py", str(ROOT)]) == 0


def report(*dependencies: dict[str, Any]) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


CANARY_FOUND = report(
    {
        "name": "requests",
        "version": "2.19.0",
        "vulns": [{"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"], "aliases": []}],
    }
)


class FakePipAudit:
    """Answers as pip-audit would: the canary query first, then the audit of the locks."""

    def __init__(self, canary: str, locked: str) -> None:
        self.canary, self.locked = canary, locked
        self.calls: list[list[str]] = []

    def __call__(self, args: list[str]) -> str:
        self.calls.append(args)
        return self.canary if "--no-deps" in args else self.locked


def test_a_fixable_vulnerability_fails_the_audit(capsys: pytest.CaptureFixture[str]) -> None:
    locked = report(
        {
            "name": "aiohttp",
            "version": "3.9.0",
            "vulns": [
                {"id": "GHSA-xxxx", "fix_versions": ["3.9.4"], "aliases": ["CVE-2024-0001"]},
            ],
        },
        {"name": "jinja2", "version": "3.1.6", "vulns": []},
    )
    run = FakePipAudit(CANARY_FOUND, locked)
    assert audit.main(["audit.py", "a.lock"], run=run) == 1
    err = capsys.readouterr().err
    assert "aiohttp 3.9.0: GHSA-xxxx, CVE-2024-0001 (fixed in 3.9.4)" in err
    assert run.calls[-1] == ["-s", "pypi", "--require-hashes", "--disable-pip", "-r", "a.lock"]


def test_a_vulnerability_without_a_fix_warns_but_passes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    locked = report(
        {
            "name": "msrest",
            "version": "0.7.1",
            "vulns": [{"id": "PYSEC-0000-1", "fix_versions": [], "aliases": []}],
        }
    )
    assert audit.main(["audit.py"], run=FakePipAudit(CANARY_FOUND, locked)) == 0
    out, err = capsys.readouterr()
    assert "warning: known vulnerability without a fix: msrest 0.7.1" in err
    assert "no known vulnerability with a fix" in out


def test_a_service_that_misses_the_canary_is_not_trusted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    not_found = report(
        {"name": "requests", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    )
    locked = report({"name": "aiohttp", "version": "3.14.5", "vulns": []})
    run = FakePipAudit(not_found, locked)
    monkeypatch.delenv("CROSSTIES_AUDIT_REQUIRED", raising=False)
    assert audit.main(["audit.py"], run=run) == 0
    assert "skipped: no vulnerability service reachable" in capsys.readouterr().err
    assert [call[1] for call in run.calls] == ["pypi", "osv"]  # both tried, locks not audited
    monkeypatch.setenv("CROSSTIES_AUDIT_REQUIRED", "1")
    assert audit.main(["audit.py"], run=run) == 1


def test_the_second_service_is_used_when_the_first_misses_the_canary() -> None:
    answers = iter([report(), CANARY_FOUND, report()])
    calls: list[list[str]] = []

    def run(args: list[str]) -> str:
        calls.append(args)
        return next(answers)

    assert audit.main(["audit.py", "a.lock"], run=run) == 0
    assert calls[-1][:2] == ["-s", "osv"]
