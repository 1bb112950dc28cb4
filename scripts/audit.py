"""Audit the locked dependencies for known vulnerabilities with pip-audit.

Fails (exit 1) when a locked version has a known vulnerability that a newer release fixes;
lists vulnerabilities without a fix as warnings. pip-audit needs a vulnerability service
(PyPI's JSON API or OSV). Before auditing, each is asked about a release with a well-known,
fixed vulnerability: a service that does not report it is not really answering (a mirror or a
proxy without the per-release API), and is not trusted to say "no vulnerabilities". When no
service answers, the audit is skipped with a loud warning, or fails when
CROSSTIES_AUDIT_REQUIRED=1 (set it where the network reaches a service).

Usage: python scripts/audit.py [LOCK_FILE ...]   (default: requirements-dev.lock and
requirements-build.lock, which together hold every locked package)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LOCKS = ("requirements-dev.lock", "requirements-build.lock")
SERVICES = ("pypi", "osv")
# CVE-2018-18074 (PYSEC-2018-28): requests leaked Authorization headers on redirects; fixed in
# 2.20.0. Any working service reports it.
CANARY = "requests==2.19.0"

Runner = Callable[[list[str]], str]


@dataclass
class Findings:
    fixable: list[str] = field(default_factory=list)
    unfixable: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def pip_audit(args: list[str]) -> str:
    """Run pip-audit with JSON output and return the report (pip-audit exits 1 on findings)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode not in (0, 1) or not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"pip-audit failed: {last}")
    return done.stdout


def findings(report: dict[str, Any]) -> Findings:
    """Sort a pip-audit JSON report into fixable and unfixable vulnerabilities and skips."""
    result = Findings()
    for dependency in report.get("dependencies", []):
        name, version = dependency.get("name", "?"), dependency.get("version", "?")
        if "skip_reason" in dependency:
            result.skipped.append(f"{name}: {dependency['skip_reason']}")
            continue
        for vuln in dependency.get("vulns", []):
            ids = ", ".join([vuln.get("id", "?"), *vuln.get("aliases", [])])
            fixes = vuln.get("fix_versions", [])
            if fixes:
                result.fixable.append(f"{name} {version}: {ids} (fixed in {', '.join(fixes)})")
            else:
                result.unfixable.append(f"{name} {version}: {ids} (no fix released)")
    return result


def working_service(run: Runner) -> str | None:
    """The first vulnerability service that reports the canary's known vulnerability."""
    with tempfile.TemporaryDirectory() as folder:
        canary = Path(folder) / "canary.txt"
        canary.write_text(CANARY + "\n", encoding="utf-8")
        for service in SERVICES:
            try:
                report = json.loads(
                    run(["-s", service, "-r", str(canary), "--no-deps", "--disable-pip"])
                )
            except (RuntimeError, ValueError, subprocess.TimeoutExpired):
                continue
            if findings(report).fixable:
                return service
    return None


def main(argv: list[str], run: Runner = pip_audit) -> int:
    locks = [Path(a) for a in argv[1:]] or [ROOT / name for name in DEFAULT_LOCKS]
    service = working_service(run)
    if service is None:
        message = (
            "skipped: no vulnerability service reachable (PyPI's per-release JSON API and "
            "OSV did not report a known vulnerability)"
        )
        if os.environ.get("CROSSTIES_AUDIT_REQUIRED") == "1":
            print(f"error: dependency audit {message}", file=sys.stderr)
            return 1
        bar = "!" * 78
        print(f"{bar}\n!!! dependency audit {message}\n{bar}", file=sys.stderr)
        return 0
    args = ["-s", service, "--require-hashes", "--disable-pip"]
    for lock in locks:
        args += ["-r", str(lock)]
    try:
        result = findings(json.loads(run(args)))
    except (RuntimeError, ValueError) as error:
        print(f"error: dependency audit failed: {error}", file=sys.stderr)
        return 1
    for line in result.unfixable:
        print(f"warning: known vulnerability without a fix: {line}", file=sys.stderr)
    for line in result.skipped:
        print(f"warning: not audited: {line}", file=sys.stderr)
    if result.fixable:
        print("error: locked dependencies have known vulnerabilities with a fix:", file=sys.stderr)
        for line in result.fixable:
            print(f"  - {line}", file=sys.stderr)
        print(
            "  raise the range in pyproject.toml if needed, then run scripts/lock --upgrade",
            file=sys.stderr,
        )
        return 1
    print(f"dependency audit ({service}): no known vulnerability with a fix in the lock files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
