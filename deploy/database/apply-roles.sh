#!/usr/bin/env bash
# Gives each service its own PostgreSQL login role and database (roles.sql beside this script), as the
# superuser. In the cluster it is the postgres-roles Job, which deploy.sh runs and awaits on every deploy; it
# runs inside the server's image, so it shares no helper file with the other scripts.
set -euo pipefail

readonly SQL="${BASH_SOURCE[0]%/*}/roles.sql"
# No statement of this session reaches the server's log, not even one that fails: the SQL carries passwords.
readonly QUIET_SESSION='-c log_statement=none -c log_min_error_statement=panic -c log_min_duration_statement=-1'

password_dir=""
attempts=1
services=()

usage() {
  cat <<'EOF_USAGE'
Usage: apply-roles.sh [options] ROLE:DATABASE:PASSWORD_NAME...

For each service: creates ROLE (login, no superuser, createdb or createrole) and DATABASE owned by it,
sets the role's password, and lets no other role connect to DATABASE. Idempotent. The server and the
superuser come from libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD).

Options:
  --password-dir DIR  read each PASSWORD_NAME, and the superuser's POSTGRES_PASSWORD, from the file of that
                      name in DIR (a mounted Secret); without it PASSWORD_NAME is an environment variable
  --attempts N        try up to N times, waiting 2, 4, 8 ... s (at most 30 s) between attempts (default: 1)
  -h, --help          show this help
EOF_USAGE
}

fail() {
  printf 'apply-roles.sh: %s\n' "$*" >&2
  exit 1
}

parse_arguments() {
  while [ $# -gt 0 ]; do
    case "$1" in
      -h | --help) usage; exit 0 ;;
      --password-dir)
        [ $# -ge 2 ] || fail "--password-dir needs a folder"
        password_dir="$2"
        shift
        ;;
      --attempts)
        if [ $# -lt 2 ] || ! [[ "$2" =~ ^[1-9][0-9]*$ ]]; then fail "--attempts needs a number above zero"; fi
        attempts="$2"
        shift
        ;;
      -*) fail "unknown option '$1' (see --help)" ;;
      *) services+=("$1") ;;
    esac
    shift
  done
  [ ${#services[@]} -gt 0 ] || fail "name at least one ROLE:DATABASE:PASSWORD_NAME"
  local service role database name
  for service in "${services[@]}"; do
    IFS=: read -r role database name <<<"$service"
    [[ "$role" =~ ^[a-z_][a-z0-9_]*$ && "$database" =~ ^[a-z_][a-z0-9_]*$ && "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] \
      || fail "'$service' is not ROLE:DATABASE:PASSWORD_NAME (lower-case names)"
    [ -n "$(password_of "$name")" ] || fail "the password $name of role $role is empty"
  done
  if [ -n "$password_dir" ]; then
    PGPASSWORD="$(password_of POSTGRES_PASSWORD)"
    [ -n "$PGPASSWORD" ] || fail "$password_dir/POSTGRES_PASSWORD (the superuser's password) is empty"
    export PGPASSWORD
  fi
}

# Read at each use: a rotated Secret's files change under a running pod.
password_of() {
  if [ -n "$password_dir" ]; then
    [ -r "$password_dir/$1" ] || fail "no readable password file $password_dir/$1"
    cat "$password_dir/$1"
  else
    printf '%s' "${!1:-}"
  fi
}

wait_for_server() {
  local attempt
  for attempt in $(seq 1 30); do
    pg_isready -q && return 0
    [ "$attempt" -eq 1 ] && printf 'waiting for PostgreSQL at %s:%s\n' "${PGHOST:-local socket}" "${PGPORT:-5432}"
    sleep 2
  done
  printf 'apply-roles.sh: PostgreSQL did not accept connections within a minute\n' >&2
  return 1
}

apply_service() {
  local role database name
  IFS=: read -r role database name <<<"$1"
  # In the environment of psql alone, never on a command line; roles.sql reads it with \getenv.
  SERVICE_PASSWORD="$(password_of "$name")" PGOPTIONS="$QUIET_SESSION" \
    psql --no-psqlrc --quiet --dbname=postgres -v VERBOSITY=terse \
    -v role="$role" -v database="$database" -f "$SQL" >/dev/null || return 1
  printf 'role %s owns database %s\n' "$role" "$database"
}

apply_all() {
  local service
  wait_for_server || return 1
  for service in "${services[@]}"; do
    apply_service "$service" || return 1
  done
}

main() {
  parse_arguments "$@"
  local attempt=1 delay=2
  until apply_all; do
    [ "$attempt" -lt "$attempts" ] || fail "applying the roles failed $attempt time(s)"
    printf 'apply-roles.sh: attempt %s failed; trying again in %s s\n' "$attempt" "$delay" >&2
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

main "$@"
