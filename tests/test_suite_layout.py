"""The suite runs every app's tests: `make test` collects only pytest's testpaths, so an app whose tests
folder is missing from that list is silently never tested (concerns and listing_reviews were, for a while)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _apps_with_tests() -> set[str]:
    return {p.parent.name for p in ROOT.glob("*/tests") if (p.parent / "apps.py").exists()}


def test_every_apps_tests_folder_is_collected_by_the_suite():
    testpaths = set(PYPROJECT["tool"]["pytest"]["ini_options"]["testpaths"])
    missing = sorted(_apps_with_tests() - testpaths - {"tests"})
    assert not missing, f"add to [tool.pytest.ini_options] testpaths in pyproject.toml: {missing}"


def test_every_app_is_in_the_layering_contract():
    packages = set(PYPROJECT["tool"]["importlinter"]["root_packages"])
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    missing = sorted(apps - packages)
    assert not missing, f"add to [tool.importlinter] root_packages and a layer in pyproject.toml: {missing}"
