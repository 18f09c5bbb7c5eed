#!/usr/bin/env bash
# A local PostgreSQL for vaultwire's store tests and CI, without systemd or
# Docker. Run as root; idempotent, and quiet and fast when already set up:
#   - installs Debian's `postgresql` when its binaries are missing,
#   - starts the default cluster (`pg_ctlcluster <version> main start`),
#   - wal_level=logical, listening on 127.0.0.1 only (conf.d/vaultwire.conf),
#   - a login role `vaultwire` (password, scram-sha-256, CREATEDB).
# Prints one line on stdout, for `export`:
#   VAULTWIRE_TEST_DATABASE_URL=postgres://vaultwire:<password>@127.0.0.1:<port>/postgres
# The password is a fixed development password: this is a local test database.
set -euo pipefail

ROLE="vaultwire"
PASSWORD="${VAULTWIRE_PG_PASSWORD:-vaultwire-dev}"
CLUSTER="main"

say() { echo "postgres setup: $*" >&2; }

if [[ "$(id -u)" -ne 0 ]]; then
  say "run as root (sudo bash $0)"
  exit 1
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null 2>&1 \
  || ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
  say "installing postgresql (apt-get)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

# The newest installed server version.
VERSION="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1)"
if [[ -z "${VERSION}" ]]; then
  say "no PostgreSQL server found under /usr/lib/postgresql"
  exit 1
fi

cluster_line() { pg_lsclusters --no-header 2>/dev/null | awk -v v="${VERSION}" -v c="${CLUSTER}" '$1 == v && $2 == c'; }

if [[ -z "$(cluster_line)" ]]; then
  say "creating cluster ${VERSION}/${CLUSTER}"
  pg_createcluster "${VERSION}" "${CLUSTER}" >&2
fi

CONF_DIR="/etc/postgresql/${VERSION}/${CLUSTER}"
changed_config=0
changed_hba=0

# Settings in a drop-in file (postgresql.conf includes conf.d/), so the
# distribution's file stays untouched.
DROP_IN="${CONF_DIR}/conf.d/vaultwire.conf"
WANTED_DROP_IN="# Written by vaultwire's infra/postgres/setup.sh.
listen_addresses = '127.0.0.1'
wal_level = logical
password_encryption = 'scram-sha-256'"
mkdir -p "${CONF_DIR}/conf.d"
if [[ ! -f "${DROP_IN}" ]] || [[ "$(cat "${DROP_IN}")" != "${WANTED_DROP_IN}" ]]; then
  printf '%s\n' "${WANTED_DROP_IN}" > "${DROP_IN}"
  chown postgres:postgres "${DROP_IN}"
  changed_config=1
fi

# The role signs in over TCP with its password (scram-sha-256), whatever the
# later rules say: pg_hba.conf is first-match, so this line goes first.
HBA="${CONF_DIR}/pg_hba.conf"
HBA_LINE="host    all             ${ROLE}       127.0.0.1/32            scram-sha-256 # vaultwire"
if ! grep -qxF "${HBA_LINE}" "${HBA}"; then
  tmp="$(mktemp)"
  { printf '%s\n' "${HBA_LINE}"; cat "${HBA}"; } > "${tmp}"
  cat "${tmp}" > "${HBA}"
  rm -f "${tmp}"
  changed_hba=1
fi

# Without systemd the socket directory may be missing after a reboot.
install -d -o postgres -g postgres -m 2775 /var/run/postgresql

status="$(cluster_line | awk '{print $4}')"
if [[ "${status}" != "online" ]]; then
  say "starting cluster ${VERSION}/${CLUSTER}"
  pg_ctlcluster "${VERSION}" "${CLUSTER}" start >&2
elif [[ "${changed_config}" -eq 1 ]]; then
  say "restarting cluster ${VERSION}/${CLUSTER} (settings changed)"
  pg_ctlcluster "${VERSION}" "${CLUSTER}" restart >&2
elif [[ "${changed_hba}" -eq 1 ]]; then
  pg_ctlcluster "${VERSION}" "${CLUSTER}" reload >&2
fi

PORT="$(cluster_line | awk '{print $3}')"

psql_admin() { runuser -u postgres -- psql --no-psqlrc -X -q -v ON_ERROR_STOP=1 -p "${PORT}" -d postgres "$@"; }

# The server may still be finishing start-up.
for _ in $(seq 1 50); do
  if psql_admin -tAc "SELECT 1" >/dev/null 2>&1; then break; fi
  sleep 0.2
done

wal_level="$(psql_admin -tAc "SHOW wal_level")"
if [[ "${wal_level}" != "logical" ]]; then
  say "restarting cluster ${VERSION}/${CLUSTER} (wal_level=${wal_level})"
  pg_ctlcluster "${VERSION}" "${CLUSTER}" restart >&2
fi

# Create or fix the role; the password is only (re)set when it does not verify,
# so an existing setup costs one query.
role_ok="$(psql_admin -tAc "SELECT rolcanlogin AND rolcreatedb AND coalesce(rolpassword LIKE 'SCRAM-SHA-256\$%', false) FROM pg_authid WHERE rolname = '${ROLE}'")"
if [[ "${role_ok}" != "t" ]] || ! PGPASSWORD="${PASSWORD}" psql --no-psqlrc -X -q -h 127.0.0.1 -p "${PORT}" -U "${ROLE}" -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
  say "setting up role ${ROLE}"
  psql_admin -v role="${ROLE}" -v password="${PASSWORD}" <<'SQL'
SET password_encryption = 'scram-sha-256';
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'role', :'password') \gexec
SQL
fi

echo "VAULTWIRE_TEST_DATABASE_URL=postgres://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/postgres"
