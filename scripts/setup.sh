#!/usr/bin/env bash
# Idempotent set-up shared by `make run` and `make test`:
# system packages, PostgreSQL + PostGIS, Redis, the database, the virtual environment,
# migrations, the Green List Standard and the demo data. A second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
VENV=.venv
DB_NAME=${GREENLIST_DB_NAME:-greenlist}
DB_USER=${GREENLIST_DB_USER:-greenlist}
DB_PASSWORD=${GREENLIST_DB_PASSWORD:-greenlist}
PG_PORT=${GREENLIST_PG_PORT:-5432}
REDIS_PORT=${GREENLIST_REDIS_PORT:-6379}
WITH_DEMO=${WITH_DEMO:-1}

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
as_root() {
  if [ "$SUDO" = none ]; then die "this step needs root: run as root or install sudo ($*)"; fi
  $SUDO "$@"
}

# --- 1. System packages (only those missing; never upgrade what runs) -------------------------
PACKAGES=(gdal-bin libgdal-dev libgeos-c1v5 libproj-dev redis-server postgresql postgresql-contrib
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core libmagic1 gettext
  python3-venv curl)
# Only the tests need these (browser tests, PDF to image); `make run` works without them.
TEST_PACKAGES=(chromium poppler-utils)
pg_major() { ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n1; }
is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for pkg in "${PACKAGES[@]}"; do is_installed "$pkg" || missing+=("$pkg"); done
if [ -n "$(pg_major)" ]; then
  is_installed "postgresql-$(pg_major)-postgis-3" || missing+=("postgresql-$(pg_major)-postgis-3")
else
  missing+=(postgresql-postgis)
fi
missing_test=()
for pkg in "${TEST_PACKAGES[@]}"; do is_installed "$pkg" || missing_test+=("$pkg"); done
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -q >>/tmp/greenlist-apt.log 2>&1 || return 1; APT_UPDATED=1; fi
  as_root apt-get install -y -q --no-upgrade "$@" >>/tmp/greenlist-apt.log 2>&1
}
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  if ! apt_install "${missing[@]}"; then
    tail -n 5 /tmp/greenlist-apt.log >&2 2>/dev/null || true
    die "could not install system packages (${missing[*]}); see /tmp/greenlist-apt.log. This machine may not be able to install packages: install them by hand and run again."
  fi
fi
if [ ${#missing_test[@]} -gt 0 ]; then
  say "installing packages for the tests: ${missing_test[*]}"
  apt_install "${missing_test[@]}" || printf 'warning: could not install %s; browser tests will say so\n' "${missing_test[*]}" >&2
fi

# --- 2. PostgreSQL ------------------------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
  say "starting PostgreSQL"
  ver=$(pg_major)
  [ -n "$ver" ] || die "PostgreSQL is not installed"
  if ! ls /etc/postgresql/"$ver"/main >/dev/null 2>&1; then
    as_root pg_createcluster "$ver" main >/dev/null
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || die "PostgreSQL $ver would not start; see /var/log/postgresql/"
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.5; done
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL does not answer on 127.0.0.1:$PG_PORT"
fi

# Run SQL as a database superuser: trust on 127.0.0.1 if the machine allows it, else peer auth.
export PGOPTIONS="--client-min-messages=warning"
psql_admin() {
  if psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1 </dev/null; then
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -tA "$@"
  else
    as_root runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -tA "$@"
  fi
}
# Least privilege: the web, worker and beat processes connect as $DB_USER, which owns its database
# but is not a superuser (no pg_read_file, no COPY ... PROGRAM, no new roles or databases). PostGIS is
# not a trusted extension, so the extensions are created here by the administrator.
# The tests connect as $TEST_DB_USER, which may create databases (CREATEDB, still no superuser),
# cloned from $TEMPLATE_DB, a template with the extensions already in it.
TEST_DB_USER=${GREENLIST_TEST_DB_USER:-${DB_USER}_test}
TEST_DB_PASSWORD=${GREENLIST_TEST_DB_PASSWORD:-$DB_PASSWORD}
TEMPLATE_DB=${GREENLIST_TEST_DB_TEMPLATE:-${DB_NAME}_template}
LEAST_PRIVILEGE="nosuperuser nocreatedb nocreaterole noreplication nobypassrls"
if [ "$(psql_admin -d postgres -c "select 1 from pg_roles where rolname='$DB_USER'")" != 1 ]; then
  say "creating database role $DB_USER"
  psql_admin -d postgres -c "create role \"$DB_USER\" login $LEAST_PRIVILEGE password '$DB_PASSWORD'" >/dev/null
elif [ "$(psql_admin -d postgres -c "select rolsuper or rolcreatedb or rolcreaterole or rolbypassrls from pg_roles where rolname='$DB_USER'")" = t ]; then
  say "taking superuser rights from database role $DB_USER (set-ups before 2026-12 made it one)"
  psql_admin -d postgres -c "alter role \"$DB_USER\" $LEAST_PRIVILEGE" >/dev/null
fi
if [ "$(psql_admin -d postgres -c "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]; then
  say "creating database $DB_NAME"
  psql_admin -d postgres -c "create database \"$DB_NAME\" owner \"$DB_USER\"" >/dev/null
fi
psql_admin -d "$DB_NAME" -c "create extension if not exists postgis; create extension if not exists pg_trgm" >/dev/null \
  || die "could not enable PostGIS in $DB_NAME: is the postgis package for PostgreSQL $(pg_major) installed?"
# The schema belongs to the platform's role, so that its migrations can create tables in it.
psql_admin -d "$DB_NAME" -c "alter schema public owner to \"$DB_USER\"" >/dev/null

if [ "$(psql_admin -d postgres -c "select 1 from pg_roles where rolname='$TEST_DB_USER'")" != 1 ]; then
  say "creating database role $TEST_DB_USER (tests only)"
  psql_admin -d postgres -c "create role \"$TEST_DB_USER\" login nosuperuser createdb nocreaterole password '$TEST_DB_PASSWORD'" >/dev/null
fi
psql_admin -d postgres -c "alter role \"$TEST_DB_USER\" nosuperuser createdb nocreaterole noreplication nobypassrls" >/dev/null
# Test databases made by earlier set-ups belong to $DB_USER; the test role may keep using them.
psql_admin -d postgres -c "grant \"$DB_USER\" to \"$TEST_DB_USER\"" >/dev/null
if [ "$(psql_admin -d postgres -c "select 1 from pg_database where datname='$TEMPLATE_DB'")" != 1 ]; then
  say "creating template database $TEMPLATE_DB (tests clone it)"
  psql_admin -d postgres -c "create database \"$TEMPLATE_DB\"" >/dev/null
  psql_admin -d "$TEMPLATE_DB" -c "create extension if not exists postgis; create extension if not exists pg_trgm" >/dev/null
  psql_admin -d postgres -c "alter database \"$TEMPLATE_DB\" is_template true" >/dev/null
fi

# --- 3. Redis ------------------------------------------------------------------------------------
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  say "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/greenlist.log >/dev/null
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.25; done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis does not answer on 127.0.0.1:$REDIS_PORT"
fi

# --- 4. Python virtual environment -------------------------------------------------------------
# requirements-test.txt includes requirements.txt: the run-time packages (all the production image
# installs) and the tools of the tests, lint and type checks, in one .venv for make run and make test.
mkdir -p var
stamp="$VENV/.requirements-$(cat requirements.txt requirements-test.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing Python packages into $VENV"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" || die "could not create a virtual environment with $PYTHON"
  # (grep drops pip's notes about this machine's unused local package folders)
  if ! "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-test.txt >var/pip.log 2>&1; then
    grep -v "^WARNING: Location" var/pip.log | tail -n 20 >&2
    die "pip could not install requirements-test.txt (is PyPI reachable?); see var/pip.log"
  fi
  grep -v "^WARNING: Location" var/pip.log || true
  rm -f "$VENV"/.requirements-*
  touch "$stamp"
fi

# --- 5. Database schema, the Standard and demo data ---------------------------------------------
mkdir -p var
export DATABASE_URL=${DATABASE_URL:-postgis://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
"$VENV/bin/python" manage.py check_services
"$VENV/bin/python" manage.py migrate --noinput -v 0
"$VENV/bin/python" manage.py compilemessages -v 0 --ignore=.venv
"$VENV/bin/python" manage.py load_standard standards/data/gls-v1.1.yaml -v 0
"$VENV/bin/python" manage.py load_basemap -v 0
if [ "$WITH_DEMO" = 1 ]; then
  "$VENV/bin/python" manage.py load_demo -v 0
fi
say "set-up done"
