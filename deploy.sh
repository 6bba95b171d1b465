#!/usr/bin/env bash
# Deploys invoice-app and payment-provider (and their PostgreSQL) to Minikube:
# AppHost manifest -> aspirate generate (the base) -> kustomize overlay (deploy/) -> cluster.
# Running it again with nothing changed changes nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly ROOT
FAIL_PREFIX="deploy.sh: "
# shellcheck source=tools/common.sh
. "$ROOT/tools/common.sh"
readonly POSTGRES_HOST="postgres.data.svc.cluster.local"
# The Ingress's host (deploy/invoices/ingress.yaml) and the name in its self-signed certificate.
readonly INGRESS_HOST="invoices.minikube.test"
# The profile deploy.sh creates. Everything at its autoscalers' maximum plus a surge pod each, plus Minikube's
# own pods, fits (a deployment test sums the requests; docs/kubernetes.md has the figures).
readonly PROFILE_CPUS=4
readonly PROFILE_MEMORY_MB=4096

profile="invoice-payments"
dry_run=false
delete=false
with_dashboard=false
jit=false
output_dir=""
prebuilt_tag=""
generate_options=()
image_tag=""
kubectl_cmd=()
superuser_password=""
invoice_app_password=""
payment_provider_password=""
api_key=""

usage() {
  cat <<'EOF'
Usage: ./deploy.sh [options] [profile]

Builds both services into Minikube's Docker, generates the Kubernetes base from the AppHost with
Aspirate (aspirate generate), renders the kustomize overlay over it, creates the Secrets once (database
passwords, the API key of POST /invoices/pay, the Ingress's TLS certificate) and keeps them on every
later run, applies, waits for every rollout and prints the URL to use.

Options:
  --profile NAME     Minikube profile to use or create (default: invoice-payments; also positional)
  --dry-run          no cluster, no Docker: generate and render, then write rendered.yaml and
                     secrets.yaml (the Secrets a real run creates, with placeholder values)
  --output DIR       with --dry-run: where to write them (default: out/deploy-dry-run)
  --no-build         publish the AppHost's manifest from its current Debug build (CI, tests)
  --with-dashboard   also deploy the Aspire dashboard (namespace observability, port-forward only)
  --jit              build the JIT images (chiseled aspnet base) instead of native AOT: for a host that
                     cannot compile a linux binary of the node's architecture (macOS, Windows, another CPU)
  --image-tag TAG    build nothing: deploy invoice-app:TAG and payment-provider:TAG, built elsewhere and
                     already in the profile (minikube -p PROFILE image load NAME:TAG)
  --delete           remove everything this script deployed (the namespaces and their volumes)
  -h, --help         show this help

A new profile gets 4 CPUs and 4 GiB (minikube start --cpus 4 --memory 4096); a smaller existing one is
refused with what to do.

Prerequisites: dotnet (SDK 10), kubectl, git, openssl; for a real deployment also docker and minikube,
and for the native AOT images a linux host of the node's architecture with clang (or gcc) and zlib's
headers (apt-get install clang zlib1g-dev); elsewhere use --jit, or publish inside the SDK's -aot
container (docs/performance.md).
Aspirate 9.1.0 comes from the repository's tool manifest (dotnet tool restore); set ASPIRATE to use
another aspirate executable.
EOF
}

parse_arguments() {
  while [ $# -gt 0 ]; do
    case "$1" in
      -h | --help) usage; exit 0 ;;
      --dry-run) dry_run=true ;;
      --delete) delete=true ;;
      --with-dashboard) with_dashboard=true ;;
      --jit) jit=true ;;
      --no-build) generate_options+=(--no-build) ;;
      --profile) profile="$(option_value "$@")"; shift ;;
      --output) output_dir="$(option_value "$@")"; shift ;;
      --image-tag) prebuilt_tag="$(option_value "$@")"; shift ;;
      -*) unknown_option "$1" ;;
      *) profile="$1" ;;
    esac
    shift
  done
  if [ -n "$prebuilt_tag" ] && [ "$jit" = true ]; then
    fail "--image-tag deploys images built elsewhere; --jit chooses how to build them: give one of the two"
  fi
  kubectl_cmd=(kubectl --context "$profile")
}

check_prerequisites() {
  step "checking prerequisites"
  require kubectl "install kubectl: https://kubernetes.io/docs/tasks/tools/"
  [ "$delete" = false ] || return 0
  require git "install git; the image tag is the commit being deployed"
  require dotnet "install the .NET 10 SDK: https://dotnet.microsoft.com/download"
  require openssl "install OpenSSL (or LibreSSL); it makes the Ingress's certificate"
  [ -z "${ASPIRATE:-}" ] \
    || require "$ASPIRATE" "ASPIRATE must name an aspirate executable (or unset it to use dotnet tool restore)"
  if [ "$dry_run" = false ]; then
    require docker "install Docker: https://docs.docker.com/get-docker/"
    require minikube "install Minikube: https://minikube.sigs.k8s.io/docs/start/"
  fi
}

# The changes a build would see beyond the commit: the diff, and the names and contents of untracked files
# that .gitignore does not exclude (a new source file is built too).
uncommitted_changes() {
  git -C "$ROOT" diff HEAD
  git -C "$ROOT" ls-files --others --exclude-standard
  (cd "$ROOT" && git ls-files -z --others --exclude-standard | xargs -0 git hash-object --)
}

compute_image_tag() {
  if [ -n "$prebuilt_tag" ]; then
    image_tag="$prebuilt_tag"
    printf 'image tag: %s (built elsewhere)\n' "$image_tag"
    return
  fi
  # The commit identifies the images; changes beyond it add their hash, so a rebuild after an edit gets a
  # new tag while a second run on the same tree reuses the images it built.
  local changes
  image_tag="$(git -C "$ROOT" rev-parse --short=12 HEAD)"
  changes="$(uncommitted_changes)"
  if [ -n "$changes" ]; then
    image_tag="${image_tag}-dirty-$(printf '%s\n' "$changes" | git hash-object --stdin | cut -c1-8)"
  fi
  # A JIT build of the same commit is another image: switching back and forth never reuses the other kind.
  [ "$jit" = false ] || image_tag="${image_tag}-jit"
  printf 'image tag: %s\n' "$image_tag"
}

start_minikube() {
  step "starting Minikube profile '$profile' (Calico enforces NetworkPolicy; ingress-nginx serves the Ingress)"
  if minikube -p "$profile" status >/dev/null 2>&1; then
    printf 'profile %s is running\n' "$profile"
  else
    minikube start -p "$profile" --cni=calico --cpus "$PROFILE_CPUS" --memory "$PROFILE_MEMORY_MB"
  fi
  check_capacity
  minikube -p "$profile" addons enable ingress >/dev/null
  # The HorizontalPodAutoscalers read CPU usage from metrics-server.
  minikube -p "$profile" addons enable metrics-server >/dev/null
  "${kubectl_cmd[@]}" get daemonset calico-node -n kube-system >/dev/null 2>&1 \
    || fail "profile '$profile' runs without Calico, so NetworkPolicies would be ignored; recreate it (minikube delete -p $profile) or use another profile"
}

# memory_mebibytes QUANTITY: a node's memory capacity (Ki, Mi, Gi or bytes) in MiB.
memory_mebibytes() {
  case "$1" in
    *Ki) printf '%s' $((${1%Ki} / 1024)) ;;
    *Mi) printf '%s' "${1%Mi}" ;;
    *Gi) printf '%s' $((${1%Gi} * 1024)) ;;
    *[!0-9]*) fail "cannot read the node's memory capacity '$1'" ;;
    *) printf '%s' $(($1 / 1048576)) ;;
  esac
}

# An existing profile keeps the size it was created with: a smaller one would leave surge pods Pending.
check_capacity() {
  local cpus memory
  cpus="$("${kubectl_cmd[@]}" get node -o jsonpath='{.items[0].status.capacity.cpu}')"
  memory="$(memory_mebibytes "$("${kubectl_cmd[@]}" get node -o jsonpath='{.items[0].status.capacity.memory}')")"
  # The VM's kernel keeps a little of --memory for itself: 90% of it counts as enough.
  if ! [[ "$cpus" =~ ^[0-9]+$ ]] || [ "$cpus" -lt "$PROFILE_CPUS" ] \
    || [ "$memory" -lt $((PROFILE_MEMORY_MB * 9 / 10)) ]; then
    fail "profile '$profile' has $cpus CPUs and $memory MiB; the deployment at full scale needs" \
      "$PROFILE_CPUS CPUs and $PROFILE_MEMORY_MB MiB. Recreate it (minikube delete -p $profile, then" \
      "./deploy.sh) or name another profile"
  fi
  printf 'profile %s: %s CPUs, %s MiB\n' "$profile" "$cpus" "$memory"
}

node_runtime_identifier() {
  local architecture
  architecture="$("${kubectl_cmd[@]}" get node -o jsonpath='{.items[0].status.nodeInfo.architecture}')"
  case "$architecture" in
    amd64) printf 'linux-x64' ;;
    arm64) printf 'linux-arm64' ;;
    *) fail "unsupported node architecture '$architecture'" ;;
  esac
}

# Native AOT compiles for the OS and CPU it runs on: a linux node of another architecture, or macOS and
# Windows, cannot be served from here, so the script says how instead of failing deep inside the compiler.
check_aot_host() {
  local host
  host="$(uname -s)-$(uname -m)"
  case "$host" in Linux-x86_64) host=linux-x64 ;; Linux-aarch64 | Linux-arm64) host=linux-arm64 ;; esac
  [ "$host" = "$1" ] || fail "native AOT cannot build $1 images on this host ($host): run with --jit, or publish" \
    "inside the SDK's aot container (see docs/performance.md)"
}

# Images built elsewhere must already be in the profile: IfNotPresent never reaches a registry for them.
check_prebuilt_images() {
  local listed repository
  step "using the images tagged $image_tag in profile '$profile'"
  listed="$(minikube -p "$profile" image ls)"
  for repository in invoice-app payment-provider; do
    case "$listed" in
      *"$repository:$image_tag"*) printf '%s:%s is in the profile\n' "$repository" "$image_tag" ;;
      *) fail "$repository:$image_tag is not in profile '$profile':" \
        "minikube -p $profile image load $repository:$image_tag" ;;
    esac
  done
}

build_images() {
  local runtime_identifier build project repository
  if [ -n "$prebuilt_tag" ]; then
    check_prebuilt_images
    return
  fi
  runtime_identifier="$(node_runtime_identifier)"
  local publish_options=(-p:PublishAot=true)
  if [ "$jit" = true ]; then
    publish_options=(-p:PublishAot=false)
    step "building JIT images for $runtime_identifier into Minikube's Docker (tag $image_tag)"
  else
    check_aot_host "$runtime_identifier"
    step "building native AOT images for $runtime_identifier into Minikube's Docker (tag $image_tag)"
  fi
  eval "$(minikube -p "$profile" docker-env)"
  for build in InvoiceApp:invoice-app PaymentProvider:payment-provider; do
    project="${build%:*}" repository="${build#*:}"
    if docker image inspect "$repository:$image_tag" >/dev/null 2>&1; then
      printf '%s:%s is already built\n' "$repository" "$image_tag"
      continue
    fi
    # The project names its repository, its chiseled base and its non-root user; the tag, the node's
    # architecture (the runtime identifier AOT compiles for) and AOT or JIT come from here.
    dotnet publish "$ROOT/$project/$project.csproj" -c Release -t:PublishContainer \
      -r "$runtime_identifier" "${publish_options[@]}" \
      -p:ContainerImageTag="$image_tag"
  done
}

generate_base() {
  step "generating the base with aspirate generate (tools/regenerate-aspirate-output.sh)"
  # The same script that writes the committed aspirate-output/, into the work folder: the base deployed is
  # what Aspirate makes of the current AppHost, and it is deterministic, so a second run renders the same.
  # Through this script's own bash, so a run under macOS's bash 3.2 runs the step under it too.
  "$BASH" "$ROOT/tools/regenerate-aspirate-output.sh" --output "$work_dir/aspirate-output" \
    ${generate_options[@]+"${generate_options[@]}"}
}

render_overlay() {
  local overlay=overlay
  [ "$with_dashboard" = true ] && overlay=with-dashboard
  step "rendering deploy/$overlay over the generated base"
  # The committed files stay untouched: the overlay is copied beside the freshly generated base, and a
  # kustomization of our own sets the tag of the images just built.
  cp -R "$ROOT/deploy" "$work_dir/deploy"
  mkdir -p "$work_dir/render"
  cat >"$work_dir/render/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../deploy/$overlay
images:
- name: invoice-app
  newTag: "$image_tag"
- name: payment-provider
  newTag: "$image_tag"
EOF
  kubectl kustomize "$work_dir/render" >"$work_dir/rendered.yaml"
  # The Deployment.Tests prove the rest of the render; the tag is this run's own.
  local image
  for image in invoice-app payment-provider; do
    grep -q "image: $image:$image_tag\$" "$work_dir/rendered.yaml" || fail "$image is not tagged $image_tag in the render"
  done
}

write_dry_run_output() {
  local target="${output_dir:-$ROOT/out/deploy-dry-run}"
  mkdir -p "$target"
  cp "$work_dir/rendered.yaml" "$target/rendered.yaml"
  printf '%s\n' "$image_tag" >"$target/image-tag"
  write_secret_manifests >"$target/secrets.yaml"
  step "dry run: nothing applied"
  printf 'rendered YAML: %s/rendered.yaml\n' "$target"
  printf 'the Secrets a real run creates once and then keeps, with placeholder values: %s/secrets.yaml\n' "$target"
}

apply_namespaces() {
  step "applying namespaces"
  # Only the Namespaces carry the Pod Security label: they exist before the Secrets that go into them.
  "${kubectl_cmd[@]}" apply -f "$work_dir/rendered.yaml" -l pod-security.kubernetes.io/enforce=restricted
}

# Whether a Secret exists; fails when the cluster cannot say, so nothing kept is ever generated again.
secret_exists() {
  local found
  found="$("${kubectl_cmd[@]}" get secret "$2" -n "$1" --ignore-not-found -o name)" \
    || fail "could not read the Secret $1/$2; nothing is generated while the cluster cannot say what it holds"
  [ -n "$found" ]
}

# The value a Secret in the cluster holds for one key, or nothing.
secret_value() {
  local namespace="$1" name="$2" key="${3//./\\.}"
  secret_exists "$namespace" "$name" || return 0
  "${kubectl_cmd[@]}" get secret "$name" -n "$namespace" -o "jsonpath={.data.$key}" | decode_base64
}

kept_or_new() {
  local value
  value="$(secret_value "$@")" || exit 1
  if [ -z "$value" ]; then
    # 24 random bytes as 32 letters and digits: nothing needs escaping in a URI or connection string.
    value="$(head -c 24 /dev/urandom | base64 | tr '+/' 'xy')"
  fi
  printf '%s' "$value"
}

choose_secret_values() {
  if [ "$dry_run" = true ]; then
    # Placeholders show where each value goes (the tests read them) without making one.
    superuser_password="placeholder-postgres-superuser-password"
    invoice_app_password="placeholder-invoice-app-role-password"
    payment_provider_password="placeholder-payment-provider-role-password"
    api_key="placeholder-pay-api-key"
    return
  fi
  # Generated once, then read back from the cluster on every run: a redeploy never rotates a password away
  # from the data already in the volume, nor the API key away from its callers.
  superuser_password="$(kept_or_new data postgres-secrets POSTGRES_PASSWORD)"
  invoice_app_password="$(kept_or_new data postgres-secrets INVOICE_APP_PASSWORD)"
  payment_provider_password="$(kept_or_new data postgres-secrets PAYMENT_PROVIDER_PASSWORD)"
  api_key="$(kept_or_new invoices invoice-app-secrets PayApi__ApiKey)"
}

write_secret_env_files() {
  local secrets="$work_dir/secrets"
  (umask 077 && mkdir -p "$secrets")
  # The superuser's password stays in the data namespace, beside the role passwords the roles Job sets;
  # each service gets only its own role's login, which reaches only its own database.
  {
    printf 'POSTGRES_PASSWORD=%s\n' "$superuser_password"
    printf 'INVOICE_APP_PASSWORD=%s\n' "$invoice_app_password"
    printf 'PAYMENT_PROVIDER_PASSWORD=%s\n' "$payment_provider_password"
  } >"$secrets/postgres-secrets"
  {
    printf 'ConnectionStrings__invoicesdb=Host=%s;Port=5432;Username=invoice_app;Password=%s;Database=invoicesdb\n' "$POSTGRES_HOST" "$invoice_app_password"
    printf 'INVOICESDB_PASSWORD=%s\n' "$invoice_app_password"
    printf 'INVOICESDB_URI=postgresql://invoice_app:%s@%s:5432/invoicesdb\n' "$invoice_app_password" "$POSTGRES_HOST"
    printf 'PayApi__ApiKey=%s\n' "$api_key"
  } >"$secrets/invoice-app-secrets"
  {
    printf 'ConnectionStrings__paymentsdb=Host=%s;Port=5432;Username=payment_provider;Password=%s;Database=paymentsdb\n' "$POSTGRES_HOST" "$payment_provider_password"
    printf 'PAYMENTSDB_PASSWORD=%s\n' "$payment_provider_password"
    printf 'PAYMENTSDB_URI=postgresql://payment_provider:%s@%s:5432/paymentsdb\n' "$payment_provider_password" "$POSTGRES_HOST"
  } >"$secrets/payment-provider-secrets"
}

make_certificate() {
  local secrets="$work_dir/secrets"
  # A configuration file instead of -addext: the same command works with OpenSSL and macOS's LibreSSL.
  cat >"$secrets/certificate.cnf" <<EOF
[req]
distinguished_name = subject
prompt = no
[subject]
CN = $INGRESS_HOST
[server]
subjectAltName = DNS:$INGRESS_HOST
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
EOF
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -config "$secrets/certificate.cnf" -extensions server \
    -keyout "$secrets/tls.key" -out "$secrets/tls.crt" 2>/dev/null || fail "openssl could not make the Ingress's certificate"
}

# secret_manifest TYPE -n NAMESPACE NAME OPTIONS...: one Secret as labelled YAML, without a cluster.
secret_manifest() {
  kubectl create secret "$@" --dry-run=client -o yaml \
    | kubectl label --local -f - -o yaml \
      "app.kubernetes.io/name=$4" "app.kubernetes.io/instance=$4" "app.kubernetes.io/part-of=invoice-payments"
}

write_secret_manifests() {
  local secrets="$work_dir/secrets"
  secret_manifest generic -n data postgres-secrets --from-env-file="$secrets/postgres-secrets"
  printf -- '---\n'
  secret_manifest generic -n invoices invoice-app-secrets --from-env-file="$secrets/invoice-app-secrets"
  printf -- '---\n'
  secret_manifest generic -n payments payment-provider-secrets --from-env-file="$secrets/payment-provider-secrets"
  if [ -f "$secrets/tls.crt" ]; then
    printf -- '---\n'
    secret_manifest tls -n invoices invoice-app-tls --cert="$secrets/tls.crt" --key="$secrets/tls.key"
  fi
}

prepare_secrets() {
  choose_secret_values
  write_secret_env_files
  # The certificate is made once; the one in the cluster stays, so whoever trusts it keeps trusting it.
  if [ "$dry_run" = true ] || ! secret_exists invoices invoice-app-tls; then
    make_certificate
  fi
}

ensure_secrets() {
  step "creating the Secrets (each value generated once, then kept)"
  prepare_secrets
  write_secret_manifests >"$work_dir/secrets.yaml"
  "${kubectl_cmd[@]}" apply -f "$work_dir/secrets.yaml"
}

apply_rendered() {
  step "applying the rendered objects"
  # A Job's pod template cannot change, and this one must run again on every deploy: the old one goes first.
  "${kubectl_cmd[@]}" delete job postgres-roles -n data --ignore-not-found --wait=true
  "${kubectl_cmd[@]}" apply -f "$work_dir/rendered.yaml" | tee "$work_dir/apply.log"
  local changed
  changed="$(grep -vc ' unchanged$' "$work_dir/apply.log" || true)"
  printf '%s object(s) created or changed\n' "$changed"
}

wait_for_rollouts() {
  step "waiting for every rollout"
  "${kubectl_cmd[@]}" rollout status deployment/ingress-nginx-controller -n ingress-nginx --timeout=5m
  "${kubectl_cmd[@]}" rollout status statefulset/postgres -n data --timeout=5m
  wait_for_roles
  "${kubectl_cmd[@]}" rollout status deployment/payment-provider -n payments --timeout=5m
  "${kubectl_cmd[@]}" rollout status deployment/invoice-app -n invoices --timeout=5m
  "${kubectl_cmd[@]}" rollout status deployment/prometheus -n monitoring --timeout=5m
  [ "$with_dashboard" = false ] \
    || "${kubectl_cmd[@]}" rollout status deployment/aspire-dashboard -n observability --timeout=5m
}

# The services log in as their roles: they wait for the Job, which may fail (then its log says why).
wait_for_roles() {
  local conditions waited=0
  printf 'waiting for job/postgres-roles'
  while [ "$waited" -lt 600 ]; do
    conditions="$("${kubectl_cmd[@]}" get job postgres-roles -n data \
      -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}')"
    case " $conditions " in
      *" Complete "*) printf ' complete\n'; return 0 ;;
      *" Failed "*)
        printf ' failed\n'
        "${kubectl_cmd[@]}" logs job/postgres-roles -n data --tail=20 >&2 || true
        fail "the roles Job failed (its log is above); fix the cause and run ./deploy.sh again"
        ;;
    esac
    printf '.'
    sleep 5
    waited=$((waited + 5))
  done
  fail "the roles Job did not finish within 10 minutes: kubectl --context $profile -n data describe job postgres-roles"
}

print_url() {
  step "deployed"
  local driver address=""
  driver="$(minikube -p "$profile" profile list -o json 2>/dev/null | grep -o '"Driver": *"[^"]*"' | head -n 1 | cut -d'"' -f4 || true)"
  printf 'invoice-app: https://%s/invoices (POST /invoices/pay needs "Authorization: Bearer <key>")\n' "$INGRESS_HOST"
  printf 'certificate: kubectl --context %s -n invoices get secret invoice-app-tls -o jsonpath="{.data.tls\\.crt}" | base64 --decode >invoice-app.crt\n' "$profile"
  printf 'API key:     kubectl --context %s -n invoices get secret invoice-app-secrets -o jsonpath="{.data.PayApi__ApiKey}" | base64 --decode\n' "$profile"
  if [ "$(uname -s)" = Darwin ] && [ "$driver" = docker ]; then
    printf 'The docker driver on macOS does not expose the node IP. Either run, in another terminal:\n'
    printf '  minikube -p %s tunnel\n' "$profile"
    printf '  then: curl --cacert invoice-app.crt --resolve %s:443:127.0.0.1 https://%s/invoices\n' "$INGRESS_HOST" "$INGRESS_HOST"
    printf '  and:  ./test.sh --base-url https://%s --resolve %s:443:127.0.0.1 --cluster-checks\n' "$INGRESS_HOST" "$INGRESS_HOST"
    printf 'or:\n  kubectl --context %s -n ingress-nginx port-forward svc/ingress-nginx-controller 8443:443\n' "$profile"
    printf '  then: ./test.sh --base-url https://%s:8443 --resolve %s:8443:127.0.0.1 --cluster-checks\n' "$INGRESS_HOST" "$INGRESS_HOST"
  else
    address="$(minikube -p "$profile" ip)"
    printf 'The name resolves nowhere by itself: add "%s %s" to /etc/hosts, or\n' "$address" "$INGRESS_HOST"
    printf '  curl --cacert invoice-app.crt --resolve %s:443:%s https://%s/invoices\n' "$INGRESS_HOST" "$address" "$INGRESS_HOST"
  fi
  if [ "$with_dashboard" = true ]; then
    printf 'dashboard:   kubectl --context %s -n observability port-forward svc/aspire-dashboard 18888:18888\n' "$profile"
    printf '             then open http://localhost:18888\n'
  fi
  printf 'alerts:      kubectl --context %s -n monitoring port-forward svc/prometheus 9090:9090\n' "$profile"
  printf '             then open http://localhost:9090/alerts\n'
  printf 'test it:     ./test.sh --profile %s\n' "$profile"
}

delete_deployment() {
  step "deleting the deployment from profile '$profile'"
  "${kubectl_cmd[@]}" delete namespace invoices payments data observability monitoring --ignore-not-found --wait=true
  printf "namespaces removed (the images stay in Minikube's Docker; 'minikube -p %s delete' removes the cluster)\n" "$profile"
}

main() {
  parse_arguments "$@"
  check_prerequisites
  if [ "$delete" = true ]; then
    delete_deployment
    script_completed
    return
  fi
  compute_image_tag
  make_temporary_folder
  if [ "$dry_run" = false ]; then
    start_minikube
    build_images
  fi
  generate_base
  render_overlay
  if [ "$dry_run" = true ]; then
    prepare_secrets
    write_dry_run_output
    script_completed
    return
  fi
  apply_namespaces
  ensure_secrets
  apply_rendered
  wait_for_rollouts
  print_url
  script_completed
}

# Sourced (the tests do, to run single steps against a stand-in kubectl), it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
