#!/usr/bin/env bash
# The benchmark (bench/Bench): builds both services, loads them with wrk and prints the tables. --help lists options.
set -euo pipefail
exec dotnet run --project "$(dirname "$0")/Bench" -c Release -- "$@"
