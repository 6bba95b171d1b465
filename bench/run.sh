#!/usr/bin/env bash
# Benchmarks both services as they run in a container: builds them (Release, JIT and native AOT), starts them on
# loopback, loads them with wrk and prints one table per store, then start-up times, memory and sizes.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bench/run.sh [options]

Builds invoice-app and payment-provider in Release twice (JIT: dotnet publish; native AOT: dotnet publish -r
linux-x64 -p:PublishAot=true; when AOT cannot be built here it says so and goes on with JIT), starts them on
loopback as in their container (Production, their own ports, the provider's address as service discovery gives
it, data in a temporary folder) and prints one table per store (SQLite always; PostgreSQL when TEST_POSTGRES is
set or a server answers on 127.0.0.1:5432):
  - requests/s, p50 and p99 (wrk --latency) of GET /invoices, replays of one payment, new payments, and each
    service's /liveness as the server's own baseline;
  - end to end: N seeded unpaid invoices paid by POST /invoices/pay (repeated while it answers 202 or 502);
  - resident memory (VmRSS) of each service idle, after the load, and after paying;
then the start-up time from exec to the first 200 of /readiness (median of --starts) for each build, and the
sizes (AOT: the single executable; JIT: the publish folder). Run it from anywhere; it needs the .NET SDK, curl
and wrk. With the defaults it is sized to end by itself in under 10 minutes on an idle 2-core machine,
most of that the AOT builds.

Options:
  --duration SECONDS     length of each measured wrk run (default 5; the issue's figures used 8)
  --warmup SECONDS       unmeasured wrk run before each measured one (default 1)
  --threads N            wrk threads (default 2)
  --connections N        wrk connections (default 32)
  --invoices N           unpaid invoices seeded and paid end to end (default 10000)
  --starts N             starts per service and build for the start-up median (default 10)
  --builds LIST          aot,jit (default), aot or jit
  --load LIST            the builds put under wrk load and paying: aot (default; the JIT build when AOT could not
                         be built), aot,jit or jit. Start-up and size are measured for every build.
  --stores LIST          sqlite,postgres (default: sqlite, and postgres when one is there), sqlite or postgres
  --postgres CONNECTION  PostgreSQL connection string (Npgsql keys; default TEST_POSTGRES, else
                         Host=127.0.0.1;Port=5432;Username=postgres when a server answers there). Its user must
                         be able to create databases: each run creates bench_* databases and drops them after
                         when psql is installed.
  --sampling RATIO       trace sampling ratio, parent-based (default 0.1); traces go to a local sink
  --reuse DIR            publish into DIR and reuse a build found there (a second run skips building;
                         delete DIR after changing the code)
  --keep                 keep the temporary folder (data, logs; builds too unless --reuse)
  -h, --help             this text

Tracing stays on as in production: OTLP over http/protobuf to a sink on loopback that accepts and discards it
(python3; without python3 the endpoint is a closed port and each export fails fast), with
OTEL_TRACES_SAMPLER=parentbased_traceidratio. POST /invoices/pay runs with an API key (PayApi__ApiKey, sent as a
bearer token) and a rate limit raised for the run (PayApi__RateLimit__PermitLimit) so that it never throttles.
Other settings come from the Kubernetes overlay's environment (deploy/<namespace>/kustomization.yaml), addresses
and the rate limit excepted.
EOF
}

duration=5
warmup=1
threads=2
connections=32
invoices=10000
starts=10
builds="aot,jit"
load="aot"
stores=""
postgres="${TEST_POSTGRES:-}"
sampling="0.1"
keep=false
publish_dir=""

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_dir="$repo_root/bench"
work_dir=""
started_pids=()
last_pid=""
found_port=""
otlp_endpoint=""
api_key=""
next_port=0
declare -A result=()
declare -A built=()

fail() {
  echo "bench/run.sh: $*" >&2
  exit 1
}

note() {
  echo "# $*" >&2
}

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --duration) duration="${2:?--duration needs seconds}"; shift ;;
      --warmup) warmup="${2:?--warmup needs seconds}"; shift ;;
      --threads) threads="${2:?--threads needs a number}"; shift ;;
      --connections) connections="${2:?--connections needs a number}"; shift ;;
      --invoices) invoices="${2:?--invoices needs a number}"; shift ;;
      --starts) starts="${2:?--starts needs a number}"; shift ;;
      --builds) builds="${2:?--builds needs aot,jit}"; shift ;;
      --load) load="${2:?--load needs aot,jit}"; shift ;;
      --stores) stores="${2:?--stores needs sqlite,postgres}"; shift ;;
      --postgres) postgres="${2:?--postgres needs a connection string}"; shift ;;
      --sampling) sampling="${2:?--sampling needs a ratio}"; shift ;;
      --reuse) publish_dir="${2:?--reuse needs a folder}"; shift ;;
      --keep) keep=true ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; fail "unknown option: $1" ;;
    esac
    shift
  done
  local number
  for number in "$duration" "$warmup" "$threads" "$connections" "$invoices" "$starts"; do
    [[ "$number" =~ ^[0-9]+$ ]] || fail "not a whole number: $number"
  done
  if [ "$duration" -lt 1 ] || [ "$starts" -lt 1 ] || [ "$invoices" -lt 1 ]; then
    fail "--duration, --starts and --invoices must be at least 1"
  fi
  [[ "$sampling" =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || fail "--sampling must be a ratio from 0 to 1: $sampling"
  [[ ",aot,jit,aot,jit," == *",$builds,"* ]] || fail "--builds must be aot,jit, aot or jit: $builds"
  [[ ",aot,jit,aot,jit," == *",$load,"* ]] || fail "--load must be aot,jit, aot or jit: $load"
}

check_prerequisites() {
  command -v wrk >/dev/null || fail "'wrk' is required: apt-get install wrk"
  command -v curl >/dev/null || fail "'curl' is required: apt-get install curl"
  command -v dotnet >/dev/null || fail "'dotnet' is required: install the .NET SDK named in global.json"
  [ -r /proc/self/status ] || fail "this benchmark reads /proc (Linux only)"
}

cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ -n "$work_dir" ]; then
    if $keep; then
      note "kept $work_dir"
    else
      rm -rf "$work_dir"
    fi
  fi
}

# Sets found_port to a port nothing listens on, above the ones used so far in this run. Below Linux's ephemeral
# range (32768 and up): a port there can be held by an outgoing connection, which a probe does not see but which
# makes the service's bind fail.
free_port() {
  [ "$next_port" -ne 0 ] || next_port=$((12000 + RANDOM % 12000))
  while :; do
    found_port=$next_port
    next_port=$((next_port + 1))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$found_port") 2>/dev/null; then
      return
    fi
  done
}

# Prints the status code of GET $2 on 127.0.0.1:$1 over bash's own socket (no process started), or nothing.
probe() {
  local port="$1" path="$2" status=""
  {
    exec 3<>"/dev/tcp/127.0.0.1/$port" &&
      printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3 &&
      read -r -t 5 _ status _ <&3
    exec 3<&-
  } 2>/dev/null || true
  echo "$status"
}

describe_machine() {
  local cpu
  cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "Machine: $(nproc) cores (${cpu:-unknown CPU}), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM," \
    "$(uname -sr); .NET SDK $(dotnet --version); $(wrk --version 2>&1 | head -n 1 | awk '{ print $1, $2 }')"
  echo "Load: wrk -t$threads -c$connections -d${duration}s --latency after a ${warmup}s warm-up, on the same cores as the services"
}

publish() {
  local build="$1" project="$2" out="$publish_dir/$1/$2"
  local main="$out/$project.dll"
  [ "$build" = jit ] || main="$out/$project"
  if [ -f "$main" ] && [ -f "$out/.complete" ]; then
    note "reusing $out"
    return
  fi
  rm -rf "$out"
  local -a flags=(-c Release -o "$out" --nologo -v quiet)
  if [ "$build" = aot ]; then
    flags+=(-r linux-x64 -p:PublishAot=true)
  else
    flags+=(-p:PublishAot=false)
  fi
  # Called as a condition, where set -e does not apply: each failure returns by itself.
  dotnet publish "$repo_root/$project" "${flags[@]}" >"$work_dir/logs/publish-$build-$project.log" 2>&1 || return 1
  touch "$out/.complete"
}

build_all() {
  local build project
  for build in ${builds//,/ }; do
    built[$build]=true
    for project in PaymentProvider InvoiceApp; do
      note "dotnet publish $project ($build)"
      if ! publish "$build" "$project"; then
        [ "$build" = aot ] || { tail -n 30 "$work_dir/logs/publish-$build-$project.log" >&2; fail "the JIT publish of $project failed"; }
        echo "AOT: dotnet publish -r linux-x64 -p:PublishAot=true of $project failed on this machine; going on with JIT only. Its last lines:"
        grep -E 'error|warning' "$work_dir/logs/publish-$build-$project.log" | sort -u | head -n 5 | sed 's/^/  /'
        built[$build]=false
        break
      fi
    done
  done
  [ "${built[aot]:-false}" = true ] || [ "${built[jit]:-false}" = true ] || fail "nothing was built"
}

# The command that starts $2 of build $1, run in its publish folder (the container's working directory).
service_command() {
  local build="$1" project="$2"
  if [ "$build" = aot ]; then
    echo "./$project"
  else
    echo "dotnet $project.dll"
  fi
}

# KEY=value lines of the overlay's ConfigMap for a service, without addresses, ports and the pay rate limit, which
# this run sets itself.
overlay_settings() {
  local file="$repo_root/deploy/$1/kustomization.yaml"
  [ -f "$file" ] || return 0
  sed -n 's/^  - \([A-Za-z_][A-Za-z0-9_]*=.*\)$/\1/p' "$file" |
    grep -v -E '^(ASPNETCORE_URLS|HTTP_PORTS|services__|[A-Z_]+_HTTP=|[A-Z]+DB_|PayApi__RateLimit__|OTEL_EXPORTER_)' || true
}

# Starts a service and sets last_pid to its pid. $1 build, $2 project, $3 port, $4 log file, the rest KEY=value settings.
start_service() {
  local build="$1" project="$2" port="$3" log="$4"
  shift 4
  local namespace=payments name=payment-provider
  if [ "$project" = InvoiceApp ]; then
    namespace=invoices name=invoice-app
  fi
  local -a settings
  mapfile -t settings < <(overlay_settings "$namespace")
  settings+=(
    DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
    "ASPNETCORE_URLS=http://127.0.0.1:$port"
    "OTEL_EXPORTER_OTLP_ENDPOINT=$otlp_endpoint" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf "OTEL_SERVICE_NAME=$name"
    OTEL_TRACES_SAMPLER=parentbased_traceidratio "OTEL_TRACES_SAMPLER_ARG=$sampling"
    "$@"
  )
  local -a command
  read -r -a command <<<"$(service_command "$build" "$project")"
  (
    cd "$publish_dir/$build/$project"
    exec env -u HTTP_PORTS -u HTTPS_PORTS "${settings[@]}" "${command[@]}" >"$log" 2>&1
  ) &
  last_pid=$!
  started_pids+=("$last_pid")
}

# Waits until the service answers 200 on /readiness; fails with its log when it exits or takes 60 s.
wait_ready() {
  local pid="$1" port="$2" log="$3" deadline=$((SECONDS + 60))
  until [ "$(probe "$port" /readiness)" = 200 ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "the service on port $port did not get ready; its log ends:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.02
  done
}

stop_service() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

resident_mb() {
  awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}

start_otlp_sink() {
  free_port
  local port=$found_port
  otlp_endpoint="http://127.0.0.1:$port"
  if command -v python3 >/dev/null; then
    python3 - "$port" >"$work_dir/logs/otlp-sink.log" 2>&1 <<'PYTHON' &
import http.server, sys

class Discard(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Discard).serve_forever()
PYTHON
    started_pids+=("$!")
    echo "Tracing: on, OTLP http/protobuf to a sink on $otlp_endpoint that discards it; sampler parentbased_traceidratio, ratio $sampling"
  else
    echo "Tracing: on, sampler parentbased_traceidratio, ratio $sampling; OTLP to $otlp_endpoint, where nothing listens (no python3 for a sink): each export fails fast and is dropped"
  fi
}

# Runs wrk (warm-up, then measured) and stores requests/s, p50, p99 and errors under result[$1].
measure() {
  local key="$1" url="$2" script="${3:-}"
  local -a scripted=()
  [ -z "$script" ] || scripted=(-s "$bench_dir/$script")
  wrk -t"$threads" -c"$connections" -d"${warmup}s" "${scripted[@]}" "$url" -- "warmup-$RANDOM$RANDOM" >/dev/null 2>&1 || true
  local output
  output="$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "${scripted[@]}" "$url" -- "run-$RANDOM$RANDOM" 2>&1)" || true
  printf '%s\n' "$output" >>"$work_dir/logs/wrk.log"
  result[$key]="$(awk '
    function ms(value) {
      if (value ~ /us$/) return value / 1000
      if (value ~ /ms$/) return value + 0
      if (value ~ /s$/) return value * 1000
      return value
    }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i++) { gsub(/,/, "", $i); if ($i ~ /^[0-9]+$/) errors += $i } }
    END { printf "%s %s %s %d", (rps == "" ? 0 : rps), (p50 == "" ? 0 : p50), (p99 == "" ? 0 : p99), errors }
  ' <<<"$output")"
}

thousands() {
  LC_ALL=C awk -v value="$1" 'BEGIN {
    s = sprintf("%.0f", value); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    print s out
  }'
}

# The PostgreSQL connection string with another database.
postgres_database() {
  local connection="$1" database="$2"
  connection="$(sed -E 's/(^|;)[[:space:]]*Database[[:space:]]*=[^;]*//I' <<<"$connection")"
  echo "${connection%;};Database=$database"
}

# Runs psql against the server of --postgres (for dropping the run's databases), when psql is installed.
psql_command() {
  local psql candidate
  psql="$(command -v psql || true)"
  for candidate in /usr/lib/postgresql/*/bin/psql; do
    [ -n "$psql" ] || [ ! -x "$candidate" ] || psql="$candidate"
  done
  [ -n "$psql" ] || return 1
  local -a pg_env=() pairs=()
  local pair key value
  IFS=';' read -r -a pairs <<<"$postgres"
  for pair in "${pairs[@]}"; do
    key="$(tr '[:upper:]' '[:lower:]' <<<"${pair%%=*}" | tr -d '[:space:]')"
    value="${pair#*=}"
    case "$key" in
      host | server) pg_env+=("PGHOST=$value") ;;
      port) pg_env+=("PGPORT=$value") ;;
      username | "userid" | user) pg_env+=("PGUSER=$value") ;;
      password) pg_env+=("PGPASSWORD=$value") ;;
    esac
  done
  env "${pg_env[@]}" PGDATABASE=postgres "$psql" -q -v ON_ERROR_STOP=1 "$@"
}

drop_databases() {
  local database
  for database in "$@"; do
    psql_command -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 ||
      { note "could not drop the PostgreSQL database $database (no psql?): drop it by hand"; return 0; }
  done
}

choose_stores() {
  if [ -z "$postgres" ] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    postgres="Host=127.0.0.1;Port=5432;Username=${PGUSER:-postgres}${PGPASSWORD:+;Password=$PGPASSWORD}"
  fi
  if [ -z "$stores" ]; then
    stores=sqlite
    [ -z "$postgres" ] || stores="sqlite,postgres"
  fi
  [[ ",$stores," != *",postgres,"* ]] || [ -n "$postgres" ] || fail "--stores postgres needs TEST_POSTGRES, --postgres or a server on 127.0.0.1:5432"
}

# Pays every seeded invoice: POST /invoices/pay until it answers 200. Stores the figures under result[$1].
pay_seeded() {
  local key="$1" port="$2" calls=0 statuses="" status started elapsed paid unpaid
  started=$EPOCHREALTIME
  while :; do
    status="$(curl -s -o "$work_dir/logs/pay-answer.json" -w '%{http_code}' --max-time 600 -X POST \
      -H "Authorization: Bearer $api_key" "http://127.0.0.1:$port/invoices/pay")"
    calls=$((calls + 1))
    statuses+="$status "
    case "$status" in
      200) break ;;
      202 | 502) [ "$calls" -lt 50 ] || { echo "still not paid after 50 calls" >&2; return 1; } ;;
      *) echo "POST /invoices/pay answered $status" >&2; return 1 ;;
    esac
  done
  elapsed="$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')"
  paid="$(curl -s "http://127.0.0.1:$port/invoices?paid=true" | grep -o '"InvoiceId":"seed-' | wc -l)"
  unpaid="$(curl -s "http://127.0.0.1:$port/invoices?paid=false" | grep -o '"InvoiceId"' | wc -l)"
  if [ "$paid" -ne "$invoices" ] || [ "$unpaid" -ne 0 ]; then
    echo "after paying: $paid seeded invoices paid, $unpaid not paid" >&2
    return 1
  fi
  result[$key]="$(awk -v n="$invoices" -v s="$elapsed" 'BEGIN { printf "%.0f", n / s }') $elapsed $calls $(tr ' ' '\n' <<<"$statuses" | grep . | sort | uniq -c | awk '{ printf "%s%sx%s", sep, $1, $2; sep = "," }')"
}

# One store and one build: both services fresh, the wrk runs, memory, then the end-to-end payment of the seed.
run_combination() {
  local store="$1" build="$2" tag="$1|$2"
  local data="$work_dir/data/$store-$build"
  mkdir -p "$data"
  local invoices_db payments_db seeded_db
  local -a databases=()
  if [ "$store" = sqlite ]; then
    invoices_db="Data Source=$data/invoices.db"
    seeded_db="Data Source=$data/seeded-invoices.db"
    payments_db="Data Source=$data/payments.db"
  else
    local stem="bench_${build}_$$_$RANDOM"
    databases=("${stem}_invoices" "${stem}_seeded" "${stem}_payments")
    invoices_db="$(postgres_database "$postgres" "${databases[0]}")"
    seeded_db="$(postgres_database "$postgres" "${databases[1]}")"
    payments_db="$(postgres_database "$postgres" "${databases[2]}")"
  fi
  local provider_port invoice_port provider invoice
  free_port
  provider_port=$found_port
  free_port
  invoice_port=$found_port
  local provider_url="http://127.0.0.1:$provider_port" invoice_url="http://127.0.0.1:$invoice_port"
  local -a invoice_settings=(
    "services__payment-provider__http__0=$provider_url"
    "PayApi__ApiKey=$api_key" PayApi__RateLimit__PermitLimit=1000000 PayApi__RateLimit__Window=00:00:01
  )

  note "$store, $build: starting the services"
  start_service "$build" PaymentProvider "$provider_port" "$work_dir/logs/$store-$build-provider.log" \
    "ConnectionStrings__paymentsdb=$payments_db"
  provider=$last_pid
  wait_ready "$provider" "$provider_port" "$work_dir/logs/$store-$build-provider.log" || return 1
  start_service "$build" InvoiceApp "$invoice_port" "$work_dir/logs/$store-$build-invoice.log" \
    "ConnectionStrings__invoicesdb=$invoices_db" "${invoice_settings[@]}"
  invoice=$last_pid
  wait_ready "$invoice" "$invoice_port" "$work_dir/logs/$store-$build-invoice.log" || return 1
  sleep 1
  result[$tag|rss-idle]="$(resident_mb "$invoice") $(resident_mb "$provider")"

  # The payment that every replay repeats.
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"id":"bench-replay","value":12.15,"currency":"EUR"}' "$provider_url/payments/pay")" = 200 ] ||
    { echo "recording the replayed payment failed" >&2; return 1; }

  note "$store, $build: wrk"
  measure "$tag|invoices" "$invoice_url/invoices"
  measure "$tag|replay" "$provider_url/payments/pay" replay.lua
  measure "$tag|new" "$provider_url/payments/pay" new-payments.lua
  measure "$tag|liveness-invoice" "$invoice_url/liveness"
  measure "$tag|liveness-provider" "$provider_url/liveness"
  result[$tag|rss-load]="$(resident_mb "$invoice") $(resident_mb "$provider")"

  note "$store, $build: paying $invoices seeded invoices"
  stop_service "$invoice"
  start_service "$build" InvoiceApp "$invoice_port" "$work_dir/logs/$store-$build-invoice-seeded.log" \
    "ConnectionStrings__invoicesdb=$seeded_db" "${invoice_settings[@]}" \
    Payments__SeedDemoInvoices=false "Seed__UnpaidInvoices=$invoices"
  invoice=$last_pid
  wait_ready "$invoice" "$invoice_port" "$work_dir/logs/$store-$build-invoice-seeded.log" || return 1
  pay_seeded "$tag|pay" "$invoice_port" || return 1
  result[$tag|rss-pay]="$(resident_mb "$invoice") $(resident_mb "$provider")"

  stop_service "$invoice"
  stop_service "$provider"
  [ "${#databases[@]}" -eq 0 ] || drop_databases "${databases[@]}"
}

# Exec to the first 200 of /readiness, $starts times per service and build, on SQLite; median, min and max in ms.
measure_startups() {
  local build project port pid log data times started
  for build in ${builds//,/ }; do
    [ "${built[$build]}" = true ] || continue
    for project in PaymentProvider InvoiceApp; do
      note "start-up: $project ($build) x $starts"
      data="$work_dir/data/startup-$build-$project"
      mkdir -p "$data"
      log="$work_dir/logs/startup-$build-$project.log"
      times=()
      for ((i = 0; i < starts; i++)); do
        free_port
        port=$found_port
        started=$EPOCHREALTIME
        start_service "$build" "$project" "$port" "$log" \
          "ConnectionStrings__paymentsdb=Data Source=$data/payments.db" "ConnectionStrings__invoicesdb=Data Source=$data/invoices.db" \
          "services__payment-provider__http__0=http://127.0.0.1:9"
        pid=$last_pid
        wait_ready "$pid" "$port" "$log" || return 1
        times+=("$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", (b - a) * 1000 }')")
        stop_service "$pid"
      done
      result[startup|$build|$project]="$(printf '%s\n' "${times[@]}" | sort -n | awk '
        { v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f %s %s", m, v[1], v[NR] }')"
    done
  done
}

# The builds that were built and are to be loaded; the JIT build stands in when the AOT one asked for is missing.
loaded_builds() {
  local build chosen=()
  for build in ${builds//,/ }; do
    [ "${built[$build]:-false}" = true ] || continue
    [[ ",$load," == *",$build,"* ]] && chosen+=("$build")
  done
  if [ "${#chosen[@]}" -eq 0 ] && [ "${built[jit]:-false}" = true ]; then
    chosen=(jit)
  fi
  echo "${chosen[*]}"
}

cell_rate() {
  local value="${result[$1]:-}"
  [ -n "$value" ] || { echo "-"; return; }
  local rps p50 p99 errors
  read -r rps p50 p99 errors <<<"$value"
  local text
  text="$(thousands "$rps") req/s, p50 $(printf '%.2f' "$p50") ms, p99 $(printf '%.2f' "$p99") ms"
  [ "$errors" -eq 0 ] || text+=" ($errors errors)"
  echo "$text"
}

print_store_table() {
  local store="$1" title="SQLite (a file per service in a temporary folder)"
  [ "$store" = sqlite ] || title="PostgreSQL ($(sed -E 's/(^|;)[[:space:]]*(Password|Database)[[:space:]]*=[^;]*//Ig' <<<"$postgres"), a database per service and run)"
  local -a columns
  read -r -a columns <<<"$(loaded_builds)"
  local build
  echo
  echo "### $title"
  echo
  local header="| |" rule="|---|"
  for build in "${columns[@]}"; do
    header+=" $(tr '[:lower:]' '[:upper:]' <<<"$build") |"
    rule+="---|"
  done
  echo "$header"
  echo "$rule"
  local row label
  for row in "invoices|GET /invoices (3 invoices)" "replay|POST /payments/pay, the same payment again" \
    "new|POST /payments/pay, new ids" "liveness-invoice|GET /liveness, invoice-app" "liveness-provider|GET /liveness, payment-provider"; do
    label="${row#*|}"
    local line="| $label |"
    for build in "${columns[@]}"; do
      line+=" $(cell_rate "$store|$build|${row%%|*}") |"
    done
    echo "$line"
  done
  local line
  line="| $(thousands "$invoices") seeded invoices paid by POST /invoices/pay |"
  for build in "${columns[@]}"; do
    local value="${result[$store|$build|pay]:-}"
    if [ -n "$value" ]; then
      local rate seconds calls statuses
      read -r rate seconds calls statuses <<<"$value"
      line+=" $(thousands "$rate") invoices/s ($seconds s; calls: $statuses) |"
    else
      line+=" - |"
    fi
  done
  echo "$line"
  local memory
  for memory in "rss-idle|resident memory idle, invoice-app / payment-provider" \
    "rss-load|resident memory after the wrk load" "rss-pay|resident memory after paying the seeded invoices"; do
    line="| ${memory#*|} |"
    for build in "${columns[@]}"; do
      local both="${result[$store|$build|${memory%%|*}]:-}"
      if [ -n "$both" ]; then
        line+=" ${both% *} MB / ${both#* } MB |"
      else
        line+=" - |"
      fi
    done
    echo "$line"
  done
}

print_startup_and_sizes() {
  echo
  echo "### Start-up (exec to the first 200 of /readiness, SQLite, median of $starts) and size"
  echo
  echo "| | start-up median (min-max) | size |"
  echo "|---|---|---|"
  local build project median low high size
  for build in ${builds//,/ }; do
    [ "${built[$build]}" = true ] || continue
    for project in InvoiceApp PaymentProvider; do
      read -r median low high <<<"${result[startup|$build|$project]:-0 0 0}"
      if [ "$build" = aot ]; then
        size="$(stat -c %s "$publish_dir/$build/$project/$project") bytes, the single executable"
      else
        size="$(du -sb "$publish_dir/$build/$project" | cut -f1) bytes, the publish folder (needs the ASP.NET Core runtime)"
      fi
      echo "| $project, $(tr '[:lower:]' '[:upper:]' <<<"$build") | $median ms ($low-$high) | $(thousands "${size%% *}") ${size#* } |"
    done
  done
}

describe_settings() {
  echo "Settings: Production; overlay environment: $(overlay_settings invoices | tr '\n' ' ')"
  echo "  (payment-provider: $(overlay_settings payments | tr '\n' ' '))"
  echo "  POST /invoices/pay with PayApi__ApiKey (bearer) and PayApi__RateLimit__PermitLimit=1000000 per 1 s window, so the limit never throttles"
  local config="$publish_dir/jit/InvoiceApp/InvoiceApp.runtimeconfig.json"
  if [ -f "$config" ]; then
    echo "  GC (runtimeconfig of the build): $(grep -o '"System\.GC\.[A-Za-z]*": *[^,}]*' "$config" | tr -d '"' | tr '\n' ' ' || true)"
  fi
}

main() {
  parse_args "$@"
  check_prerequisites
  trap cleanup EXIT
  work_dir="$(mktemp -d -t invoice-payments-bench.XXXXXX)"
  mkdir -p "$work_dir/logs" "$work_dir/data"
  if [ -z "$publish_dir" ]; then
    publish_dir="$work_dir/publish"
  fi
  mkdir -p "$publish_dir"
  publish_dir="$(cd "$publish_dir" && pwd)"
  api_key="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  local begun=$SECONDS
  choose_stores
  describe_machine
  build_all
  echo "Builds: $((SECONDS - begun)) s"
  start_otlp_sink
  describe_settings
  local store build
  for store in ${stores//,/ }; do
    for build in $(loaded_builds); do
      if ! run_combination "$store" "$build"; then
        echo "$store, $build: the run failed (logs in $work_dir/logs; --keep keeps them)" >&2
      fi
    done
    print_store_table "$store"
  done
  measure_startups
  print_startup_and_sizes
  echo
  echo "Whole run: $((SECONDS - begun)) s"
}

main "$@"
