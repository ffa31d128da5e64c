"""Dependency audit for `make test`: pip-audit against the pinned requirements.txt (what the production
image installs) and requirements-test.txt (what the tests, lint and type checks install beside it).

A known vulnerability in a pinned package fails the run (exit 1), unless its advisory id is listed
with a reason in scripts/audit-ignore.txt. Not reaching the advisory database (no network, a registry
mirror without the advisory API) is reported and does not fail: the audit is only as good as the
database it can read, and the report says how many packages it could not check.

Usage: python scripts/audit_dependencies.py PIP_AUDIT_EXECUTABLE [REQUIREMENTS...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / "scripts" / "audit-ignore.txt"
# Both files, named one by one: pip-audit does not follow requirements-test.txt's `-r requirements.txt`.
REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-test.txt"]


def ignored_ids() -> dict[str, str]:
    """Advisory ids accepted on purpose: `ID  reason` per line, # for comments."""
    ignored = {}
    if IGNORE_FILE.exists():
        for line in IGNORE_FILE.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                vuln_id, _, reason = line.partition(" ")
                ignored[vuln_id] = reason.strip()
    return ignored


def main(argv: list[str]) -> int:
    pip_audit = argv[1]
    requirements = argv[2:] or [str(path) for path in REQUIREMENTS]
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "audit.json"
        # --no-deps --disable-pip: the files pin the whole tree, so nothing needs resolving
        # (no virtual environment is built and no package is downloaded).
        command = [pip_audit, *(arg for path in requirements for arg in ("-r", path))]
        command += ["--no-deps", "--disable-pip", "--progress-spinner", "off"]
        command += ["--format", "json", "--output", str(report_path)]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=300)  # noqa: S603
        except subprocess.TimeoutExpired:
            print("dependency audit: the advisory database did not answer in 5 minutes; not audited")
            return 0
        try:
            report = json.loads(report_path.read_text())
        except (OSError, ValueError):
            reason = (result.stderr.strip().splitlines() or ["no report written"])[-1]
            print(f"dependency audit: could not run against the advisory database ({reason}); not audited")
            return 0
    ignored = ignored_ids()
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    found = []
    for dep in dependencies:
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if ids & ignored.keys():
                continue
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
            found.append(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    audited = len(dependencies) - len(skipped)
    if skipped:
        print(
            f"dependency audit: {len(skipped)} of {len(dependencies)} pinned packages could not be checked "
            "(advisory database not reachable from here); reported, not fatal"
        )
    if found:
        print(f"dependency audit: known vulnerabilities in pinned packages ({audited} audited):")
        print("\n".join(found))
        print(
            "Upgrade the pin in requirements.txt or requirements-test.txt, "
            "or accept the advisory in scripts/audit-ignore.txt with a reason."
        )
        return 1
    if audited:
        print(f"dependency audit: no known vulnerabilities in {audited} audited packages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
