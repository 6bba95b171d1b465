#!/usr/bin/env bash
# Gives each service its own PostgreSQL login role and database (roles.sql beside this script), as the
# superuser, once the server accepts connections. In the cluster it runs as the `roles` container of the
# postgres pod, so it works the same on a fresh volume and on one an earlier deployment filled.
set -euo pipefail

readonly SQL="${BASH_SOURCE[0]%/*}/roles.sql"

every=""
ready_file=""
services=()

usage() {
  cat <<'EOF'
Usage: apply-roles.sh [options] ROLE:DATABASE:PASSWORD_VARIABLE...

For each service: creates ROLE (login, no superuser, createdb or createrole) and DATABASE owned by it,
sets the role's password from the environment variable PASSWORD_VARIABLE, and lets no other role
connect to DATABASE. Idempotent. The server and the superuser come from libpq's environment
(PGHOST, PGPORT, PGUSER, PGPASSWORD).

Options:
  --every SECONDS    stay and apply again every SECONDS (repairs drift), until SIGTERM
  --ready-file PATH  touch PATH after each successful run (the container's readiness)
  -h, --help         show this help
EOF
}

fail() {
  printf 'apply-roles.sh: %s\n' "$*" >&2
  exit 1
}

parse_arguments() {
  while [ $# -gt 0 ]; do
    case "$1" in
      -h | --help) usage; exit 0 ;;
      --every)
        [ $# -ge 2 ] || fail "--every needs a number of seconds"
        every="$2"
        shift
        ;;
      --ready-file)
        [ $# -ge 2 ] || fail "--ready-file needs a path"
        ready_file="$2"
        shift
        ;;
      -*) fail "unknown option '$1' (see --help)" ;;
      *) services+=("$1") ;;
    esac
    shift
  done
  [ ${#services[@]} -gt 0 ] || fail "name at least one ROLE:DATABASE:PASSWORD_VARIABLE"
  local service role database variable
  for service in "${services[@]}"; do
    IFS=: read -r role database variable <<<"$service"
    [[ "$role" =~ ^[a-z_][a-z0-9_]*$ && "$database" =~ ^[a-z_][a-z0-9_]*$ && "$variable" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] \
      || fail "'$service' is not ROLE:DATABASE:PASSWORD_VARIABLE (lower-case names)"
    [ -n "${!variable:-}" ] || fail "the password variable $variable of role $role is empty"
  done
}

wait_for_server() {
  local attempt
  for attempt in $(seq 1 150); do
    if pg_isready -q; then
      return 0
    fi
    [ "$attempt" -eq 1 ] && printf 'waiting for PostgreSQL at %s:%s\n' "${PGHOST:-local socket}" "${PGPORT:-5432}"
    sleep 2
  done
  fail "PostgreSQL did not accept connections within 5 minutes"
}

apply_service() {
  local role database variable
  IFS=: read -r role database variable <<<"$1"
  # printf -v keeps the value off any command line; roles.sql reads it with \getenv.
  printf -v SERVICE_PASSWORD '%s' "${!variable}"
  export SERVICE_PASSWORD
  psql --no-psqlrc --quiet --dbname=postgres \
    -v role="$role" -v database="$database" -f "$SQL" >/dev/null || return 1
  printf 'role %s owns database %s\n' "$role" "$database"
}

apply_all() {
  local service
  for service in "${services[@]}"; do
    apply_service "$service" || return 1
  done
  [ -z "$ready_file" ] || touch "$ready_file"
}

stay() {
  # A sleeping child and `wait` let SIGTERM end the container at once instead of after the grace period.
  trap 'exit 0' TERM INT
  while true; do
    sleep "$every" &
    wait $!
    wait_for_server
    apply_all || printf 'apply-roles.sh: applying the roles failed; trying again in %s s\n' "$every" >&2
  done
}

main() {
  parse_arguments "$@"
  wait_for_server
  apply_all
  if [ -n "$every" ]; then
    stay
  fi
}

main "$@"
