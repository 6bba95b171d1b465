#!/usr/bin/env bash
# Publishes the AppHost's Aspire manifest to a temporary folder and regenerates the Kubernetes base from it
# in Aspirate's kustomize layout (aspirate-output/ unless --output says otherwise).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: tools/regenerate-aspirate-output.sh [--output <dir>] [--image-pull-policy IfNotPresent|Always|Never]
                                           [--container-registry <registry>] [--image-tag <tag>]
Publishes the AppHost's manifest (no Docker needed) and runs tools/AspirateGenerator on it.
Without --output it rewrites aspirate-output/ at the repository root. Needs the .NET SDK.
USAGE
}

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: 'dotnet' is not on PATH; install the .NET SDK named in global.json" >&2
    exit 1
  fi
}

publish_manifest() {
  local manifest=$1
  dotnet run --project "$REPO_ROOT/AppHost" -- --publisher manifest --output-path "$manifest" >/dev/null
}

generate() {
  local manifest=$1
  shift
  dotnet run --project "$REPO_ROOT/tools/AspirateGenerator" -- --manifest "$manifest" "$@"
}

main() {
  local arguments=() has_output=false
  while [ $# -gt 0 ]; do
    case "$1" in
      -h | --help) usage; return 0 ;;
      --output) has_output=true; arguments+=("$1" "${2:?--output needs a value}"); shift 2 ;;
      *) arguments+=("$1"); shift ;;
    esac
  done
  if [ "$has_output" = false ]; then
    arguments+=(--output "$REPO_ROOT/aspirate-output")
  fi

  require_dotnet
  WORK_DIR=$(mktemp -d)
  trap 'rm -rf "$WORK_DIR"' EXIT
  publish_manifest "$WORK_DIR/aspire-manifest.json"
  generate "$WORK_DIR/aspire-manifest.json" "${arguments[@]}"
}

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK_DIR=""
main "$@"
