"""docker-compose.yml cannot be run here (no Docker engine): check on paper that it matches the code."""

import importlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
WORKER_SERVICES = ["worker-default", "worker-evidence", "worker-heavy", "worker-bulk"]
APP_SERVICES = ["web", *WORKER_SERVICES, "beat", "migrate"]


def settings_env_vars() -> set[str]:
    """Every environment variable greenlist/settings.py reads through django-environ."""
    source = (ROOT / "greenlist" / "settings.py").read_text()
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_compose_has_the_production_services():
    assert {"db", "redis", "web", "beat", *WORKER_SERVICES} <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("postgis/postgis:15")
    assert SERVICES["redis"]["image"].startswith("redis:7")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_environment_is_read_by_the_settings(name):
    known = settings_env_vars()
    env = SERVICES[name].get("environment", {})
    unknown = sorted(set(env) - known)
    assert not unknown, f"{name} sets variables the settings never read: {unknown}"
    assert env["GREENLIST_ENV"] == "production"
    assert env["DATABASE_URL"].startswith("postgis://") and "@db:5432/" in env["DATABASE_URL"]
    assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379/\d+", env["REDIS_URL"])


def test_env_example_documents_exactly_what_the_settings_read():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    known = settings_env_vars()
    assert not known - documented, f"undocumented in .env.example: {sorted(known - documented)}"
    assert not documented - known, f".env.example lists variables nobody reads: {sorted(documented - known)}"


def test_web_command_points_at_the_wsgi_application():
    argv = command_of(SERVICES["web"])
    assert argv[0] == "gunicorn"
    module, _, attr = argv[1].partition(":")
    assert callable(getattr(importlib.import_module(module), attr))


@pytest.mark.parametrize("name,subcommand", [*((w, "worker") for w in WORKER_SERVICES), ("beat", "beat")])
def test_celery_services_use_the_project_app(name, subcommand):
    argv = command_of(SERVICES[name])
    assert argv[:3] == ["celery", "-A", "greenlist"]
    assert argv[3] == subcommand
    from celery import Celery

    assert isinstance(importlib.import_module("greenlist").celery_app, Celery)


def test_management_commands_used_by_compose_exist():
    argv = command_of(SERVICES["migrate"])
    script = " ".join(argv)
    used = re.findall(r"manage\.py (\w+)", script)
    assert used, "the migrate service runs no management command"
    missing = [cmd for cmd in used if cmd not in get_commands()]
    assert not missing, f"compose calls unknown management commands: {missing}"
    for path in re.findall(r"manage\.py \w+ (\S+\.ya?ml)", script):
        assert (ROOT / path).is_file(), f"compose loads {path}, which is not in the repository"


def test_dockerfile_default_command_matches_compose_web():
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1)
    assert yaml.safe_load(cmd) == command_of(SERVICES["web"])
    assert "requirements.txt" in dockerfile


def test_ci_runs_the_documented_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make run") < 600 and readme.index("make test") < 600


def _variables_with_defaults(text: str) -> list[str]:
    """Compose substitutions that fall back to a value (`${X:-v}` / `${X-v}`) instead of failing."""
    return re.findall(r"\$\{(\w+):?-", text)


def test_compose_has_no_default_secrets():
    text = (ROOT / "docker-compose.yml").read_text()
    assert not _variables_with_defaults(text), "compose gives a secret a default value"
    for name in APP_SERVICES:
        env = SERVICES[name]["environment"]
        assert "${GREENLIST_DB_PASSWORD:?" in env["DATABASE_URL"]
    assert "POSTGRES_PASSWORD" not in SERVICES["db"].get("environment", {}), "the superuser password belongs in db.env"
    assert SERVICES["db"]["env_file"] == "db.env"
    assert "db.env" in (ROOT / ".gitignore").read_text().split()
    for name in APP_SERVICES:
        assert SERVICES[name].get("env_file") == ".env", f"{name} must not read db.env (the superuser's password)"
    assert "--requirepass" in " ".join(command_of(SERVICES["redis"]))


def test_compose_app_role_is_not_the_database_superuser():
    db_env = SERVICES["db"]["environment"]
    app_user = re.match(r"postgis://([^:]+):", SERVICES["web"]["environment"]["DATABASE_URL"]).group(1)
    assert app_user == db_env["GREENLIST_DB_USER"] != db_env["POSTGRES_USER"]
    init_mount = next(v for v in SERVICES["db"]["volumes"] if "docker-entrypoint-initdb.d" in v)
    script = (ROOT / init_mount.split(":")[0]).read_text()
    create_role = re.search(r"create role .*", script).group(0)
    for right in ("nosuperuser", "nocreatedb", "nocreaterole"):
        assert right in create_role
    assert re.search(r"create database :\"dbname\" owner :\"user\"", script)


def test_pre_commit_runs_the_checks_make_test_runs():
    """The pre-commit hooks are the gates `make test` runs before the suite, with the same tools from
    the project's .venv: a gate added to one and not the other would let a commit through that CI fails."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    entries = {
        shlex.split(hook["entry"])[0].split("/")[-1] + " " + " ".join(shlex.split(hook["entry"])[1:3]) for hook in hooks
    }
    test_recipe = (ROOT / "Makefile").read_text().split("\ntest:", 1)[1].split("\n\n", 1)[0]
    for tool in ("ruff check", "ruff format", "makemigrations --check", "lint-imports", "mypy"):
        assert tool in test_recipe, f"make test does not run {tool}"
        assert any(tool.split()[-1] in entry for entry in entries), f"pre-commit does not run {tool}"
    for hook in hooks:
        assert hook["language"] == "system" and hook["entry"].startswith(".venv/bin/"), hook["id"]


def _option(argv: list[str], flag: str) -> str:
    for i, arg in enumerate(argv):
        if arg == flag:
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{flag} missing from {argv}")


def test_compose_runs_a_worker_for_every_queue_and_no_other():
    """Issue 19: a worker service per queue by kind (greenlist/queues.py), each consuming exactly its
    queue under the production default queue's name, so `--scale worker-heavy=3` scales that kind alone."""
    from greenlist import queues

    names = queues.queue_names("greenlist")
    assert "worker" not in SERVICES, "one worker for every queue lets a raster hold up the e-mail"
    for kind, queue in names.items():
        argv = command_of(SERVICES[f"worker-{kind}"])
        assert _option(argv, "-Q") == queue
        assert int(_option(argv, "--concurrency")) == queues.KINDS[kind].concurrency
        assert "container_name" not in SERVICES[f"worker-{kind}"], "a fixed container name cannot be scaled"
    beat = SERVICES["beat"]
    assert "deploy" not in beat or beat["deploy"].get("replicas", 1) == 1


def test_run_script_starts_a_worker_for_every_queue():
    from greenlist import queues

    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "done < <($PY -m greenlist.queues)" in script and '-Q "$queue"' in script
    listed = subprocess.run(
        [sys.executable, "-m", "greenlist.queues"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "greenlist.settings", "CELERY_TASK_DEFAULT_QUEUE": "greenlist"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    lines = [line.split() for line in listed if line.strip()]
    assert [(kind, queue) for kind, queue, _ in lines] == list(queues.queue_names("greenlist").items())
