"""The web and worker processes connect with a least-privilege database role.

A file or a request that gets SQL run on the application's connection (the red team's VRT evidence
file did, through GDAL) must find a role that cannot read server files, run programs, or make roles
and databases. `make run` and docker-compose.yml both create such a role; the tests' own role may
create databases (to make test databases) and nothing more.
"""

import psycopg
import pytest
from django.conf import settings
from psycopg import errors


def connect(user: str, password: str) -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],  # the application's own database, as the running platform uses it
        user=user,
        password=password,
        autocommit=True,
    )


ROLES = {
    "platform": settings.APP_DATABASE_ROLE,
    "tests and their workers": (settings.DATABASES["default"]["USER"], settings.DATABASES["default"]["PASSWORD"]),
}


@pytest.mark.parametrize("who", ROLES)
def test_role_has_no_administrative_rights(who):
    with connect(*ROLES[who]) as conn:
        row = conn.execute(
            "select rolsuper, rolcreaterole, rolreplication, rolbypassrls,"
            " pg_has_role(current_user, 'pg_read_server_files', 'member'),"
            " pg_has_role(current_user, 'pg_write_server_files', 'member'),"
            " pg_has_role(current_user, 'pg_execute_server_program', 'member')"
            " from pg_roles where rolname = current_user"
        ).fetchone()
    assert row == (False,) * 7, f"{who} role has rights it must not have: {row}"


def test_platform_role_cannot_create_databases():
    with connect(*ROLES["platform"]) as conn:
        assert conn.execute("select rolcreatedb from pg_roles where rolname = current_user").fetchone() == (False,)


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(
    "sql",
    [
        "select pg_read_file('/etc/passwd')",
        "select pg_ls_dir('/')",
        "copy (select 1) to program 'id'",
        "create temp table t (x text); copy t from '/etc/passwd'",
        "select lo_import('/etc/passwd')",
        "create role intruder login superuser",
    ],
)
def test_role_cannot_reach_the_server_outside_the_database(who, sql):
    with connect(*ROLES[who]) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql)
