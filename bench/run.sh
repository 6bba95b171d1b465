#!/usr/bin/env bash
# The benchmark (bench/Bench): builds both services, loads them with wrk and prints the tables. --help lists options.
set -euo pipefail

require() {
  command -v "$1" >/dev/null || { echo "bench/run.sh: '$1' is required: $2" >&2; exit 1; }
}

case " $* " in
  *" -h "* | *" --help "*) ;;
  *) require wrk "apt-get install wrk" ;;
esac
require dotnet "install the .NET SDK named in global.json"
exec dotnet run --project "$(dirname "$0")/Bench" -c Release -- "$@"
