#!/usr/bin/env bash
# Proves a running deployment works: every unpaid invoice gets paid and is listed as paid. Against the
# Minikube cluster it goes through the Ingress over TLS (trusting exactly the certificate deploy.sh made)
# with the API key from the cluster, and also probes the NetworkPolicy truth table with short-lived pods
# and asks the API server what each team may do. Exits non-zero with a message on the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FAIL_PREFIX="test.sh: FAILED: "
# shellcheck source=tools/common.sh
. "$ROOT/tools/common.sh"

profile="invoice-payments"
base_url=""
cluster_checks=""
api_key="${API_KEY:-}"
ca_certificate=""
resolve=""
through_ingress=false
curl_options=()
probe_image="busybox:1.37"
kubectl_cmd=()
failures=0
probe_script=""

usage() {
  cat <<'EOF'
Usage: ./test.sh [options]

Lists the invoices, pays them, and checks that GET /invoices?paid=true lists every invoice.
Without --base-url it tests the Minikube deployment through its Ingress, over https with the host the
Ingress names (resolved to the Minikube IP, the certificate read from the Secret invoice-app-tls) and
the API key from the Secret invoice-app-secrets, checks that paying without the key answers 401 and
plain http redirects to https, and runs the cluster checks: the NetworkPolicy truth table (probe pods
that meet the restricted Pod Security profile) and both teams' RBAC (kubectl auth can-i).

Options:
  --base-url URL       invoice-app's address, e.g. http://localhost:8081 for `dotnet run --project AppHost`
                       (default: https://<the Ingress's host>, resolved to the profile's Minikube IP)
  --api-key KEY        send "Authorization: Bearer KEY" with POST /invoices/pay (default: $API_KEY; with
                       the cluster checks, the key in the cluster's Secret; none for a local AppHost)
  --cacert FILE        trust this certificate for https (default with the cluster checks: the Ingress's)
  --resolve HOST:PORT:ADDRESS  as curl's --resolve, e.g. invoices.minikube.test:443:127.0.0.1 behind
                       `minikube tunnel`
  --profile NAME       Minikube profile / kubectl context (default: invoice-payments)
  --cluster-checks     run the cluster checks even with --base-url (e.g. behind a port-forward)
  --no-cluster-checks  only the HTTP checks
  --probe-image IMAGE  image of the probe pods, needs sh, nc and nslookup (default: busybox:1.37)
  -h, --help           show this help

With the cluster checks, a Secret without an API key fails the test: the pay endpoint would be open.

Prerequisites: curl and jq; for the cluster checks kubectl (and minikube without --base-url).
EOF
}

parse_arguments() {
  while [ $# -gt 0 ]; do
    case "$1" in
      -h | --help) usage; exit 0 ;;
      --base-url) base_url="$(option_value "$@")"; base_url="${base_url%/}"; shift ;;
      --profile) profile="$(option_value "$@")"; shift ;;
      --probe-image) probe_image="$(option_value "$@")"; shift ;;
      --api-key) api_key="$(option_value "$@")"; shift ;;
      --cacert) ca_certificate="$(option_value "$@")"; shift ;;
      --resolve) resolve="$(option_value "$@")"; shift ;;
      --cluster-checks) cluster_checks=true ;;
      --no-cluster-checks) cluster_checks=false ;;
      *) unknown_option "$1" ;;
    esac
    shift
  done
  if [ -z "$cluster_checks" ]; then
    if [ -z "$base_url" ]; then cluster_checks=true; else cluster_checks=false; fi
  fi
  kubectl_cmd=(kubectl --context "$profile")
}

check_prerequisites() {
  require curl "install curl"
  require jq "install jq (brew install jq, apt-get install jq); it reads the JSON answers"
  if [ "$cluster_checks" = true ]; then
    require kubectl "install kubectl: https://kubernetes.io/docs/tasks/tools/"
  fi
  if [ -z "$base_url" ]; then
    require minikube "install Minikube, or pass --base-url"
  fi
  make_temporary_folder
}

# The Ingress's own host name, resolved to the node's IP: the name its certificate is made for.
find_ingress() {
  [ -z "$base_url" ] || return 0
  local host address
  host="$("${kubectl_cmd[@]}" get ingress invoice-app -n invoices -o jsonpath='{.spec.rules[0].host}')" \
    || fail "no Ingress invoice-app in namespace invoices (./deploy.sh deploys it)"
  address="$(minikube -p "$profile" ip)" || fail "Minikube profile '$profile' is not running (./deploy.sh starts it)"
  base_url="https://$host"
  resolve="$host:443:$address"
  through_ingress=true
}

# The key and the certificate deploy.sh keeps in the cluster, unless given; read with the cluster checks only.
read_cluster_credentials() {
  [ "$cluster_checks" = true ] || return 0
  if [ -z "$api_key" ]; then
    api_key="$("${kubectl_cmd[@]}" get secret invoice-app-secrets -n invoices -o jsonpath='{.data.PayApi__ApiKey}' | decode_base64)" \
      || fail "could not read the API key from the Secret invoices/invoice-app-secrets"
    # Without a key the service may be open to anyone, and the 401 check below would be skipped.
    [ -n "$api_key" ] || fail "the Secret invoices/invoice-app-secrets holds no PayApi__ApiKey: POST /invoices/pay may be open to anyone (./deploy.sh makes one)"
  fi
  if [ -z "$ca_certificate" ] && [[ "$base_url" == https://* ]]; then
    ca_certificate="$work_dir/ingress.crt"
    "${kubectl_cmd[@]}" get secret invoice-app-tls -n invoices -o jsonpath='{.data.tls\.crt}' | decode_base64 >"$ca_certificate" \
      || fail "could not read the certificate from the Secret invoices/invoice-app-tls"
  fi
}

set_curl_options() {
  curl_options=(-sS --max-time 60)
  [ -z "$resolve" ] || curl_options+=(--resolve "$resolve")
  [ -z "$ca_certificate" ] || curl_options+=(--cacert "$ca_certificate")
  if [ -n "$api_key" ]; then
    # The key goes to curl in a file, not on its command line where other users could read it.
    (umask 077 && printf 'Authorization: Bearer %s\n' "$api_key" >"$work_dir/authorization")
  fi
}

# Prints "id value currency paid|unpaid" per invoice of a JSON array; fails when it is not one.
invoice_lines() {
  jq -r 'if type == "array" then .[] | "\(.InvoiceId) \(.Value) \(.Currency) \(if .IsPaid == true then "paid" else "unpaid" end)" else error("not an array") end' "$1"
}

# --- HTTP ---------------------------------------------------------------------------------------

# request METHOD PATH EXPECTED_STATUS OUTPUT_FILE [authorized]
request() {
  local method="$1" path="$2" expected="$3" output="$4" status authorization=()
  if [ "${5:-}" = authorized ] && [ -n "$api_key" ]; then
    authorization=(-H "@$work_dir/authorization")
  fi
  status="$(curl "${curl_options[@]}" ${authorization[@]+"${authorization[@]}"} -o "$output" -w '%{http_code}' -X "$method" "$base_url$path")" \
    || fail "$method $base_url$path: no answer (is the deployment running and the URL right? With the docker driver on macOS use minikube tunnel or a port-forward and --base-url)"
  if [ "$status" != "$expected" ]; then
    fail "$method $base_url$path answered $status, expected $expected: $(head -c 500 "$output")"
  fi
}

list_invoices() {
  step "GET $base_url/invoices"
  request GET /invoices 200 "$work_dir/all.json"
  invoice_lines "$work_dir/all.json" >"$work_dir/all.txt" || fail "GET /invoices did not answer a JSON array of invoices"
  [ -s "$work_dir/all.txt" ] || fail "GET /invoices listed no invoices"
  cat "$work_dir/all.txt"
}

check_pay_needs_the_key() {
  [ -n "$api_key" ] || return 0
  step "POST $base_url/invoices/pay without the API key"
  request POST /invoices/pay 401 "$work_dir/unauthorized.json"
  printf 'answers 401\n'
}

check_http_redirects_to_https() {
  [ "$through_ingress" = true ] || return 0
  local host="${base_url#https://}" address="${resolve##*:}" answer
  step "http://$host/invoices redirects to https"
  answer="$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 30 --resolve "$host:80:$address" "http://$host/invoices")" \
    || fail "http://$host/invoices: no answer"
  [[ "$answer" =~ ^30[178]\ https://$host/invoices$ ]] || fail "http://$host/invoices answered '$answer', expected a redirect to https"
  printf '%s\n' "$answer"
}

pay_invoices() {
  step "POST $base_url/invoices/pay"
  request POST /invoices/pay 200 "$work_dir/pay.json" authorized
  cat "$work_dir/pay.json"
  printf '\n'
}

check_every_invoice_paid() {
  step "GET $base_url/invoices?paid=true"
  request GET '/invoices?paid=true' 200 "$work_dir/paid.json"
  invoice_lines "$work_dir/paid.json" >"$work_dir/paid.txt" || fail "GET /invoices?paid=true did not answer a JSON array"
  cat "$work_dir/paid.txt"
  if grep -qv ' paid$' "$work_dir/paid.txt"; then
    fail "GET /invoices?paid=true listed an invoice that is not paid"
  fi
  local missing
  missing="$(cut -d' ' -f1 "$work_dir/all.txt" | grep -vxF -f <(cut -d' ' -f1 "$work_dir/paid.txt") | tr '\n' ' ' || true)"
  [ -z "$missing" ] || fail "not listed as paid after paying: $missing"
  request GET '/invoices?paid=false' 200 "$work_dir/unpaid.json"
  invoice_lines "$work_dir/unpaid.json" >"$work_dir/unpaid.txt"
  [ ! -s "$work_dir/unpaid.txt" ] || fail "still unpaid after paying: $(tr '\n' ';' <"$work_dir/unpaid.txt")"
  printf 'all %s invoices are paid\n' "$(wc -l <"$work_dir/all.txt" | tr -d ' ')"
}

check_payment_provider_not_exposed() {
  step "payment-provider is not reachable at invoice-app's address"
  request GET /payments 404 "$work_dir/payments.json"
  printf 'GET %s/payments answers 404\n' "$base_url"
}

# --- the tables under deploy/, which tests/Deployment.Tests evaluates over the render too ---------------

# verdict WHAT EXPECTED ACTUAL: one line of a table's check, counting the cells that do not hold.
verdict() {
  if [ "$3" = "$2" ]; then
    printf '  ok    %-72s %s\n' "$1" "$2"
  else
    printf '  FAIL  %-72s expected %s, got %s\n' "$1" "$2" "${3:-no answer}"
    failures=$((failures + 1))
  fi
}

# The namespace and labels of the probe pod that stands in for a source of the truth table.
probe_pod() {
  case "$1" in
    invoice-app) echo "invoices app=invoice-app" ;;
    payment-provider) echo "payments app=payment-provider" ;;
    unlabelled-in-*) echo "${1#unlabelled-in-} run=probe" ;;
    other-namespace) echo "default run=probe" ;;
    ingress-nginx) echo "ingress-nginx app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller" ;;
    *) fail "deploy/network-policy-truth-table.txt: no probe pod stands in for '$1' (probe it with 'no')" ;;
  esac
}

# A destination's pod IP, asked of the API server: probing ports, not names, a DNS block is never taken for a
# policy block.
target_ip() {
  case "$1" in
    kube-dns) set -- kube-system k8s-app=kube-dns ;;
    invoice-app) set -- invoices app=invoice-app ;;
    payment-provider) set -- payments app=payment-provider ;;
    postgres) set -- data app=postgres ;;
    prometheus) set -- monitoring app=prometheus ;;
    aspire-dashboard) set -- observability app=aspire-dashboard ;;
    *) fail "deploy/network-policy-truth-table.txt: no pod '$1' to probe" ;;
  esac
  local ip
  ip="$("${kubectl_cmd[@]}" get pods -n "$1" -l "$2" --field-selector=status.phase=Running \
    -o jsonpath='{.items[0].status.podIP}' 2>/dev/null || true)"
  [ -n "$ip" ] || fail "no running pod $2 in namespace $1 to probe"
  printf '%s' "$ip"
}

# Adds to $probe_script the check of one cell, which prints "TO:PORT/PROTOCOL allowed|blocked".
add_probe() {
  local check
  # nc cannot tell an open UDP port: DNS over UDP is checked by resolving a name.
  if [ "$1:$3" = kube-dns:UDP ]; then
    check="nslookup payment-provider.payments.svc.cluster.local >/dev/null 2>&1"
  else
    check="nc -z -w 3 $(target_ip "$1") $2"
  fi
  probe_script+="if $check; then echo '$1:$2/$3 allowed'; else echo '$1:$2/$3 blocked'; fi; "
}

# The probe pod meets the restricted profile itself and never becomes ready (so no Service sends it traffic even
# when it wears an app's labels).
probe_overrides() {
  cat <<EOF
{"spec":{"automountServiceAccountToken":false,
 "securityContext":{"runAsNonRoot":true,"runAsUser":10001,"runAsGroup":10001,"seccompProfile":{"type":"RuntimeDefault"}},
 "containers":[{"name":"$1","image":"$probe_image","imagePullPolicy":"IfNotPresent",
  "command":["sh","-c",$(printf '%s' "$probe_script" | jq -Rs .)],
  "readinessProbe":{"exec":{"command":["false"]}},
  "resources":{"requests":{"cpu":"10m","memory":"16Mi"},"limits":{"cpu":"100m","memory":"32Mi"}},
  "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"runAsNonRoot":true,
   "capabilities":{"drop":["ALL"]},"seccompProfile":{"type":"RuntimeDefault"}}}]}}
EOF
}

# run_probe NAMESPACE LABELS: runs $probe_script in a probe pod and prints its answers.
run_probe() {
  local pod
  pod="probe-$(date +%s)-$RANDOM"
  "${kubectl_cmd[@]}" run "$pod" -n "$1" --image="$probe_image" --restart=Never --rm -i --quiet --labels="$2" \
    --overrides="$(probe_overrides "$pod")" --pod-running-timeout=2m </dev/null 2>/dev/null \
    || fail "the probe pod in $1 ($2) did not run"
}

# The rows marked probe=yes for the variant deployed, one probe pod per source.
check_network_policies() {
  step "NetworkPolicy truth table (deploy/network-policy-truth-table.txt, probe pods)"
  local variant=overlay rows="$work_dir/probed-cells" sources source pod from to port protocol expected results
  if "${kubectl_cmd[@]}" get namespace observability >/dev/null 2>&1; then variant=with-dashboard; fi
  awk -v variant="$variant" '!/^#/ && $7 == "yes" && ($1 == "all" || $1 == variant)' \
    "$ROOT/deploy/network-policy-truth-table.txt" >"$rows"
  sources="$(awk '!seen[$2]++ { print $2 }' "$rows")"
  for source in $sources; do
    probe_script=""
    while read -r _ from to port protocol _ <&3; do
      if [ "$from" = "$source" ]; then add_probe "$to" "$port" "$protocol"; fi
    done 3<"$rows"
    pod="$(probe_pod "$source")"
    results="$(run_probe "${pod% *}" "${pod#* }")"
    while read -r _ from to port protocol expected _ <&3; do
      [ "$from" != "$source" ] \
        || verdict "$from -> $to:$port/$protocol" "$expected" "$(awk -v c="$to:$port/$protocol" '$1 == c { print $2 }' <<<"$results")"
    done 3<"$rows"
  done
  [ "$failures" -eq 0 ] || fail "$failures cell(s) of the NetworkPolicy truth table do not hold"
}

# Every row of the RBAC table, impersonating a member of the team's group.
check_rbac() {
  step "RBAC (deploy/rbac-table.txt, kubectl auth can-i)"
  local team namespace verb resource expected options answer
  while read -r team namespace verb resource expected <&3; do
    case "$team" in '#'* | team | '') continue ;; esac
    options=(--as="someone-in-$team" --as-group="$team")
    [ "$namespace" = - ] || options+=(-n "$namespace")
    case "$resource" in */*) options+=(--subresource="${resource#*/}") ;; esac
    answer="$("${kubectl_cmd[@]}" auth can-i "$verb" "${resource%%/*}" "${options[@]}" </dev/null 2>/dev/null || true)"
    verdict "$team: $verb $resource in $namespace" "$expected" "$answer"
  done 3<"$ROOT/deploy/rbac-table.txt"
  [ "$failures" -eq 0 ] || fail "$failures RBAC answer(s) differ from the table"
}

check_prometheus() {
  step "Prometheus: both services' targets up, the alert rules loaded"
  local port=19090 forward targets up rules tries=0
  # Port-forward goes through the kubelet: the NetworkPolicies let no pod reach Prometheus.
  "${kubectl_cmd[@]}" -n monitoring port-forward svc/prometheus "$port:9090" >/dev/null 2>&1 &
  forward=$!
  until targets="$(curl -fsS "http://127.0.0.1:$port/api/v1/targets" 2>/dev/null)"; do
    tries=$((tries + 1))
    [ "$tries" -lt 20 ] || { kill "$forward" 2>/dev/null || true; fail "Prometheus did not answer through port-forward"; }
    sleep 1
  done
  rules="$(curl -fsS "http://127.0.0.1:$port/api/v1/rules" || true)"
  kill "$forward" 2>/dev/null || true
  up="$(printf '%s' "$targets" | jq -r '[.data.activeTargets[] | select(.health == "up") | .labels.job] | unique | join(" ")')"
  [ "$up" = "invoice-app payment-provider" ] || fail "Prometheus targets up: '$up', expected invoice-app and payment-provider"
  rules="$(printf '%s' "$rules" | jq '[.data.groups[].rules[] | select(.type == "alerting")] | length')"
  [ "${rules:-0}" -gt 0 ] || fail "Prometheus has no alerting rules loaded"
  printf '  ok    targets up: %s; %s alerting rules loaded\n' "$up" "$rules"
}

main() {
  parse_arguments "$@"
  check_prerequisites
  find_ingress
  read_cluster_credentials
  set_curl_options
  check_http_redirects_to_https
  list_invoices
  check_pay_needs_the_key
  pay_invoices
  check_every_invoice_paid
  check_payment_provider_not_exposed
  if [ "$cluster_checks" = true ]; then
    check_network_policies
    check_rbac
    check_prometheus
  fi
  step "PASSED"
}

# Sourced (the tests do, to run the table checks against a stand-in kubectl), it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
  script_completed
fi
