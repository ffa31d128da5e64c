"""The dependency audit in `make test` fails on a known vulnerability, honours accepted advisories,
and only reports (does not fail) when the advisory database cannot be reached.

pip-audit itself needs the advisory database, which this machine cannot reach, so these tests hand
the script a stand-in executable that writes the report pip-audit would write; what is tested is
our decision on that report.
"""

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit_dependencies.py"


def fake_pip_audit(tmp_path: Path, report: dict | None, exit_code: int = 0) -> Path:
    """An executable that writes `report` where --output says, as pip-audit does."""
    exe = tmp_path / "pip-audit"
    body = json.dumps(report) if report is not None else None
    exe.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "out = sys.argv[sys.argv.index('--output') + 1]\n"
        f"body = {body!r}\n"
        "if body is not None:\n"
        "    open(out, 'w').write(body)\n"
        "else:\n"
        "    print('ConnectionError: advisory database unreachable', file=sys.stderr)\n"
        f"sys.exit({exit_code})\n"
    )
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def run(exe: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), str(exe)], capture_output=True, text=True, timeout=60
    )


VULNERABLE = {
    "dependencies": [
        {
            "name": "django",
            "version": "4.2.0",
            "vulns": [{"id": "PYSEC-2023-0000", "aliases": ["CVE-2023-0000"], "fix_versions": ["4.2.1"]}],
        },
        {"name": "celery", "version": "5.7.0", "vulns": []},
    ]
}


def test_a_known_vulnerability_fails_the_run(tmp_path):
    result = run(fake_pip_audit(tmp_path, VULNERABLE, exit_code=1))
    assert result.returncode == 1
    assert "django 4.2.0: PYSEC-2023-0000 (fixed in 4.2.1)" in result.stdout


def test_an_accepted_advisory_does_not_fail(tmp_path, monkeypatch):
    ignore = ROOT / "scripts" / "audit-ignore.txt"
    original = ignore.read_text()
    try:
        ignore.write_text(original + "CVE-2023-0000 not reachable: we never call the affected function\n")
        result = run(fake_pip_audit(tmp_path, VULNERABLE, exit_code=1))
    finally:
        ignore.write_text(original)
    assert result.returncode == 0, result.stdout
    assert "no known vulnerabilities in 2 audited packages" in result.stdout


@pytest.mark.parametrize("report", [None, {"dependencies": [{"name": "django", "skip_reason": "not found"}]}])
def test_an_unreachable_advisory_database_is_reported_not_fatal(tmp_path, report):
    result = run(fake_pip_audit(tmp_path, report, exit_code=1))
    assert result.returncode == 0
    assert "not audited" in result.stdout or "could not be checked" in result.stdout
