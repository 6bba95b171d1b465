# shellcheck shell=bash
# The helpers deploy.sh, test.sh and tools/regenerate-aspirate-output.sh share; sourced, never run. The sourcing
# script sets FAIL_PREFIX first. Works under bash 3.2 (macOS's /bin/bash) and 5.x, with BSD and GNU tools.

fail() {
  printf '%s%s\n' "${FAIL_PREFIX:-}" "$*" >&2
  exit 1
}

step() {
  printf '\n==> %s\n' "$*"
}

require() {
  command -v "$1" >/dev/null 2>&1 || fail "'$1' is required but not on PATH: $2"
}

# option_value OPTION [VALUE...]: the value that follows an option, e.g. profile="$(option_value "$@")".
option_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then fail "$1 needs a value (see --help)"; fi
  printf '%s' "$2"
}

unknown_option() {
  fail "unknown option '$1' (see --help)"
}

# GNU base64 and macOS's (old -D and new -d) all accept --decode.
decode_base64() {
  base64 --decode
}

# bash 3.2 runs the EXIT trap with $? = 0 after an unbound-variable error, so the script would exit 0: a run
# counts as successful only once the script calls script_completed.
script_finished=false
work_dir=""

script_completed() {
  script_finished=true
}

# shellcheck disable=SC2317 # runs from the EXIT trap
on_exit() {
  local status=$?
  [ -z "$work_dir" ] || rm -rf "$work_dir"
  if [ "$status" -eq 0 ] && [ "$script_finished" != true ]; then
    printf '%sstopped before the end (an error above)\n' "${FAIL_PREFIX:-}" >&2
    status=1
  fi
  exit "$status"
}

# Makes $work_dir, removed when the script exits; the exit status keeps any failure.
make_temporary_folder() {
  work_dir="$(mktemp -d "${TMPDIR:-/tmp}/invoice-payments.XXXXXX")"
  trap on_exit EXIT
}
