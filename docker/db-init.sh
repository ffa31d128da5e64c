#!/bin/sh
# Runs once, when the PostGIS container initialises an empty data directory (docker-entrypoint-initdb.d),
# as the container's superuser. It creates the platform's own role: it owns the platform's database but
# is no superuser, so the web, worker and beat processes cannot read server files (pg_read_file), run
# programs (COPY ... PROGRAM) or create roles and databases. PostGIS is not a trusted extension, so the
# extensions are created here, by the superuser.
set -eu
: "${GREENLIST_DB_USER:?set GREENLIST_DB_USER}"
: "${GREENLIST_DB_PASSWORD:?set GREENLIST_DB_PASSWORD}"
: "${GREENLIST_DB_NAME:?set GREENLIST_DB_NAME}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v user="$GREENLIST_DB_USER" -v password="$GREENLIST_DB_PASSWORD" -v dbname="$GREENLIST_DB_NAME" <<'SQL'
create role :"user" login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password :'password';
create database :"dbname" owner :"user";
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$GREENLIST_DB_NAME" -v user="$GREENLIST_DB_USER" <<'SQL'
create extension if not exists postgis;
create extension if not exists pg_trgm;
alter schema public owner to :"user";
SQL
