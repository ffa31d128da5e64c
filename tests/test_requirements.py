"""Test tools stay out of the production image (issue 19): requirements.txt, which the Dockerfile installs,
pins exactly the tree of pyproject.toml's run-time dependencies; requirements-test.txt adds the `test`
extra's tree for the tests, lint and type checks. Every package the platform's own code imports comes
from the run-time tree, so the image can run every page, task and management command."""

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Code that never runs in the image: the tests, the benchmarks and the test configuration.
NOT_IN_THE_IMAGE = {"tests", "bench", "conftest.py", ".venv", "var", "migrations"}


def tree(requirements: list[str]) -> set[str]:
    """The distributions these requirements install, with their extras' dependencies (read from the
    installed packages' metadata: the .venv holds both files)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        names.add(key[0])
        for line in metadata.requires(requirement.name) or []:
            dependency = Requirement(line)
            extras = requirement.extras or {""}
            if dependency.marker and not any(dependency.marker.evaluate({"extra": e}) for e in extras):
                continue
            todo.append(dependency)
    return names


def pinned(filename: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / filename).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_requirements_txt_pins_the_run_time_tree_and_nothing_else():
    runtime = tree(PROJECT["dependencies"])
    pins = pinned("requirements.txt")
    missing = sorted(runtime - pins.keys())
    assert not missing, f"run-time packages not pinned in requirements.txt: {missing}"
    extra = sorted(pins.keys() - runtime)
    assert not extra, f"requirements.txt pins packages the platform does not need at run time: {extra}"


def test_requirements_test_txt_adds_the_test_tree():
    lines = [line for line in (ROOT / "requirements-test.txt").read_text().splitlines() if not line.startswith("#")]
    assert lines[0] == "-r requirements.txt"
    runtime = pinned("requirements.txt")
    test_only = tree(PROJECT["optional-dependencies"]["test"]) - runtime.keys()
    pins = pinned("requirements-test.txt")
    assert pins.keys() == test_only, {
        "unpinned": sorted(test_only - pins.keys()),
        "extra": sorted(pins.keys() - test_only),
    }
    for name, version in {**runtime, **pins}.items():
        assert metadata.version(name) == version, f"{name}: .venv has {metadata.version(name)}, pinned {version}"


def test_the_image_installs_only_the_run_time_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert "requirements-test" not in dockerfile
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert "install -q --disable-pip-version-check -r requirements-test.txt" in setup
    assert "requirements-test.txt" in (ROOT / "scripts" / "audit_dependencies.py").read_text()


def _imported_packages(path: Path) -> set[str]:
    """Top-level names a module imports, leaving out optional imports (inside `try: … except ImportError`)."""
    module = ast.parse(path.read_text(), str(path))
    optional = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in {"ImportError", "ModuleNotFoundError"} for h in node.handlers
        ):
            optional.update(id(n) for child in node.body for n in ast.walk(child))
    names = set()
    for node in ast.walk(module):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_platforms_code_imports_only_run_time_packages():
    runtime = set(pinned("requirements.txt"))
    own = {p.name for p in ROOT.iterdir() if p.is_dir()}
    distributions = metadata.packages_distributions()
    outside = []
    for path in ROOT.rglob("*.py"):
        if NOT_IN_THE_IMAGE & set(path.relative_to(ROOT).parts):
            continue
        for name in _imported_packages(path) - own - set(sys.stdlib_module_names):
            provided_by = {canonicalize_name(d) for d in distributions.get(name, [name])}
            if not provided_by & runtime:
                outside.append(f"{path.relative_to(ROOT)}: {name} ({', '.join(sorted(provided_by))})")
    assert not outside, "imported by the platform but not in requirements.txt:\n" + "\n".join(sorted(outside))
