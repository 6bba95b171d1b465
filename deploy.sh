#!/usr/bin/env bash
# Deploys invoice-app and payment-provider (and their PostgreSQL) to Minikube:
# AppHost manifest -> aspirate generate (the base) -> kustomize overlay (deploy/) -> cluster.
# Running it again with nothing changed changes nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly ROOT
readonly POSTGRES_HOST="postgres.data.svc.cluster.local"

profile="invoice-payments"
dry_run=false
delete=false
with_dashboard=false
output_dir=""
work_dir=""
secrets_file=""
generate_options=()
image_tag=""
kubectl_cmd=()

usage() {
  cat <<'EOF'
Usage: ./deploy.sh [options] [profile]

Builds both services into Minikube's Docker, generates the Kubernetes base from the AppHost with
Aspirate (aspirate generate), renders the kustomize overlay over it, creates the database Secrets once,
applies, waits for every rollout and prints the URL to use.

Options:
  --profile NAME     Minikube profile to use or create (default: invoice-payments; also positional)
  --dry-run          no cluster, no Docker: generate, render and validate, then write rendered.yaml and
                     secrets.yaml (the Secrets a real run creates, with passwords made for the dry run)
  --output DIR       with --dry-run: where to write them (default: out/deploy-dry-run)
  --no-build         publish the AppHost's manifest from its current Debug build (CI, tests)
  --with-dashboard   also deploy the Aspire dashboard (namespace observability, port-forward only)
  --delete           remove everything this script deployed (the namespaces and their volumes)
  -h, --help         show this help

Prerequisites: dotnet (SDK 10), kubectl, git; for a real deployment also docker and minikube.
Aspirate 9.1.0 comes from the repository's tool manifest (dotnet tool restore); set ASPIRATE to use
another aspirate executable.
EOF
}

fail() {
  printf 'deploy.sh: %s\n' "$*" >&2
  exit 1
}

step() {
  printf '\n==> %s\n' "$*"
}

parse_arguments() {
  while [ $# -gt 0 ]; do
    case "$1" in
      -h | --help) usage; exit 0 ;;
      --dry-run) dry_run=true ;;
      --delete) delete=true ;;
      --with-dashboard) with_dashboard=true ;;
      --no-build) generate_options+=(--no-build) ;;
      --profile)
        [ $# -ge 2 ] || fail "--profile needs a name"
        profile="$2"
        shift
        ;;
      --output)
        [ $# -ge 2 ] || fail "--output needs a directory"
        output_dir="$2"
        shift
        ;;
      -*) fail "unknown option '$1' (see --help)" ;;
      *) profile="$1" ;;
    esac
    shift
  done
  kubectl_cmd=(kubectl --context "$profile")
}

require() {
  local command="$1" hint="$2"
  command -v "$command" >/dev/null 2>&1 || fail "'$command' is required but not on PATH: $hint"
}

check_prerequisites() {
  step "checking prerequisites"
  require kubectl "install kubectl: https://kubernetes.io/docs/tasks/tools/"
  if [ "$delete" = true ]; then
    return
  fi
  require git "install git; the image tag is the commit being deployed"
  require dotnet "install the .NET 10 SDK: https://dotnet.microsoft.com/download"
  if [ -n "${ASPIRATE:-}" ]; then
    require "$ASPIRATE" "ASPIRATE must name an aspirate executable (or unset it to use dotnet tool restore)"
  fi
  if [ "$dry_run" = false ]; then
    require docker "install Docker: https://docs.docker.com/get-docker/"
    require minikube "install Minikube: https://minikube.sigs.k8s.io/docs/start/"
  fi
}

compute_image_tag() {
  # The commit identifies the images; uncommitted changes add a hash of the diff, so a rebuild after an
  # edit gets a new tag while a second run on the same tree reuses the images it built.
  image_tag="$(git -C "$ROOT" rev-parse --short=12 HEAD)"
  if ! git -C "$ROOT" diff --quiet HEAD; then
    image_tag="${image_tag}-dirty-$(git -C "$ROOT" diff HEAD | git hash-object --stdin | cut -c1-8)"
  fi
  printf 'image tag: %s\n' "$image_tag"
}

make_work_dir() {
  work_dir="$(mktemp -d)"
  trap 'rm -rf "$work_dir"' EXIT
}

start_minikube() {
  step "starting Minikube profile '$profile' (Calico enforces NetworkPolicy; ingress-nginx serves the Ingress)"
  if minikube -p "$profile" status >/dev/null 2>&1; then
    printf 'profile %s is running\n' "$profile"
  else
    minikube start -p "$profile" --cni=calico
  fi
  minikube -p "$profile" addons enable ingress >/dev/null
  # The HorizontalPodAutoscalers read CPU usage from metrics-server.
  minikube -p "$profile" addons enable metrics-server >/dev/null
  if ! "${kubectl_cmd[@]}" get daemonset calico-node -n kube-system >/dev/null 2>&1; then
    fail "profile '$profile' runs without Calico, so NetworkPolicies would be ignored; recreate it (minikube delete -p $profile) or use another profile"
  fi
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

build_images() {
  local runtime_identifier project repository
  runtime_identifier="$(node_runtime_identifier)"
  step "building images for $runtime_identifier into Minikube's Docker (tag $image_tag)"
  eval "$(minikube -p "$profile" docker-env)"
  for project in InvoiceApp PaymentProvider; do
    repository="$(resource_name "$project")"
    if docker image inspect "$repository:$image_tag" >/dev/null 2>&1; then
      printf '%s:%s is already built\n' "$repository" "$image_tag"
      continue
    fi
    # The project names its repository (ContainerRepository) and its non-root user; the tag and the
    # node's architecture come from here.
    dotnet publish "$ROOT/$project/$project.csproj" -c Release -t:PublishContainer \
      -p:ContainerImageTag="$image_tag" \
      -p:ContainerRuntimeIdentifier="$runtime_identifier"
  done
}

resource_name() {
  case "$1" in
    InvoiceApp) printf 'invoice-app' ;;
    PaymentProvider) printf 'payment-provider' ;;
  esac
}

generate_base() {
  step "generating the base with aspirate generate (tools/regenerate-aspirate-output.sh)"
  # The same script that writes the committed aspirate-output/, into the work folder: the base deployed is
  # what Aspirate makes of the current AppHost, and it is deterministic, so a second run renders the same.
  "$ROOT/tools/regenerate-aspirate-output.sh" --output "$work_dir/aspirate-output" "${generate_options[@]}"
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
}

validate_rendered() {
  step "validating the rendered objects"
  local rendered="$work_dir/rendered.yaml"
  if grep -Eq '^kind: Secret$' "$rendered"; then
    fail "the rendered YAML contains a Secret; secrets are created by this script, never committed"
  fi
  if grep -Eq 'image: [^ ]*:latest$|image: [^:@ ]*$' "$rendered"; then
    fail "an image without an explicit tag (or tagged latest) was rendered"
  fi
  local image
  for image in invoice-app payment-provider; do
    grep -q "image: $image:$image_tag\$" "$rendered" || fail "$image is not tagged $image_tag in the rendered YAML"
  done
  local kind
  for kind in Namespace Deployment StatefulSet Service Ingress NetworkPolicy Role RoleBinding ServiceAccount \
    HorizontalPodAutoscaler PodDisruptionBudget ConfigMap; do
    grep -q "^kind: $kind\$" "$rendered" || fail "no $kind was rendered"
  done
  awk '/^kind: /{kind=$2} /^  name: /{if (kind != "") {print "  " kind "/" $2; kind=""}}' "$rendered"
}

write_dry_run_output() {
  local target="${output_dir:-$ROOT/out/deploy-dry-run}"
  mkdir -p "$target"
  cp "$work_dir/rendered.yaml" "$target/rendered.yaml"
  printf '%s\n' "$image_tag" >"$target/image-tag"
  step "dry run: nothing applied"
  cp "$secrets_file" "$target/secrets.yaml"
  printf 'rendered YAML: %s/rendered.yaml\n' "$target"
  printf 'the Secrets a real run creates once (passwords made for this dry run, used nowhere): %s/secrets.yaml\n' "$target"
}

offline_kubectl() {
  # What ensure_secrets asks of the cluster, answered without one: no Secret exists yet, and what it would
  # apply is collected in a file. Everything else (create --dry-run=client, label --local) is kubectl's own.
  case "$1" in
    get) return 1 ;;
    apply)
      printf -- '---\n' >>"$secrets_file"
      cat >>"$secrets_file"
      ;;
    *) kubectl "$@" ;;
  esac
}

build_secrets_offline() {
  step "dry run: building the Secrets a real run creates, without a cluster"
  # The real ensure_secrets, so the test of the dry run checks the Secrets a deployment would get.
  secrets_file="$work_dir/secrets.yaml"
  : >"$secrets_file"
  local saved=("${kubectl_cmd[@]}")
  kubectl_cmd=(offline_kubectl)
  ensure_secrets >/dev/null
  kubectl_cmd=("${saved[@]}")
}

apply_namespaces() {
  step "applying namespaces"
  # Only the Namespaces carry the Pod Security label: they exist before the Secrets that go into them.
  "${kubectl_cmd[@]}" apply -f "$work_dir/rendered.yaml" -l pod-security.kubernetes.io/enforce=restricted
}

apply_secret() {
  local namespace="$1" name="$2" env_file="$3"
  "${kubectl_cmd[@]}" create secret generic "$name" -n "$namespace" --from-env-file="$env_file" --dry-run=client -o yaml \
    | "${kubectl_cmd[@]}" label --local -f - -o yaml \
      "app.kubernetes.io/name=$name" "app.kubernetes.io/instance=$name" "app.kubernetes.io/part-of=invoice-payments" \
    | "${kubectl_cmd[@]}" apply -f -
}

existing_password() {
  "${kubectl_cmd[@]}" get secret postgres-secrets -n data -o jsonpath='{.data.POSTGRES_PASSWORD}' 2>/dev/null | base64 -d
}

ensure_secrets() {
  step "creating the database Secrets (the password is generated once and kept)"
  local password
  password="$(existing_password || true)"
  if [ -z "$password" ]; then
    # 24 random bytes as 32 letters and digits: no character needs escaping in a URI or connection string.
    password="$(head -c 24 /dev/urandom | base64 | tr '+/' 'xy')"
  fi
  local secrets="$work_dir/secrets"
  (umask 077 && mkdir -p "$secrets")
  printf 'POSTGRES_PASSWORD=%s\n' "$password" >"$secrets/postgres"
  {
    printf 'ConnectionStrings__invoicesdb=Host=%s;Port=5432;Username=postgres;Password=%s;Database=invoicesdb\n' "$POSTGRES_HOST" "$password"
    printf 'INVOICESDB_PASSWORD=%s\n' "$password"
    printf 'INVOICESDB_URI=postgresql://postgres:%s@%s:5432/invoicesdb\n' "$password" "$POSTGRES_HOST"
  } >"$secrets/invoice-app"
  {
    printf 'ConnectionStrings__paymentsdb=Host=%s;Port=5432;Username=postgres;Password=%s;Database=paymentsdb\n' "$POSTGRES_HOST" "$password"
    printf 'PAYMENTSDB_PASSWORD=%s\n' "$password"
    printf 'PAYMENTSDB_URI=postgresql://postgres:%s@%s:5432/paymentsdb\n' "$password" "$POSTGRES_HOST"
  } >"$secrets/payment-provider"
  apply_secret data postgres-secrets "$secrets/postgres"
  apply_secret invoices invoice-app-secrets "$secrets/invoice-app"
  apply_secret payments payment-provider-secrets "$secrets/payment-provider"
}

apply_rendered() {
  step "applying the rendered objects"
  "${kubectl_cmd[@]}" apply -f "$work_dir/rendered.yaml" | tee "$work_dir/apply.log"
  local changed
  changed="$(grep -vc ' unchanged$' "$work_dir/apply.log" || true)"
  printf '%s object(s) created or changed\n' "$changed"
}

wait_for_rollouts() {
  step "waiting for every rollout"
  "${kubectl_cmd[@]}" rollout status deployment/ingress-nginx-controller -n ingress-nginx --timeout=5m
  "${kubectl_cmd[@]}" rollout status statefulset/postgres -n data --timeout=5m
  "${kubectl_cmd[@]}" rollout status deployment/payment-provider -n payments --timeout=5m
  "${kubectl_cmd[@]}" rollout status deployment/invoice-app -n invoices --timeout=5m
  if [ "$with_dashboard" = true ]; then
    "${kubectl_cmd[@]}" rollout status deployment/aspire-dashboard -n observability --timeout=5m
  fi
}

print_url() {
  step "deployed"
  local driver
  driver="$(minikube -p "$profile" profile list -o json 2>/dev/null | grep -o '"Driver": *"[^"]*"' | head -n 1 | cut -d'"' -f4 || true)"
  if [ "$(uname -s)" = Darwin ] && [ "$driver" = docker ]; then
    printf 'The docker driver on macOS does not expose the node IP. Either run, in another terminal:\n'
    printf '  minikube -p %s tunnel        then use http://127.0.0.1/invoices\n' "$profile"
    printf 'or:\n  kubectl --context %s -n ingress-nginx port-forward svc/ingress-nginx-controller 8080:80\n' "$profile"
    printf '  then use http://localhost:8080/invoices (./test.sh --base-url http://localhost:8080)\n'
  else
    printf 'invoice-app: http://%s/invoices\n' "$(minikube -p "$profile" ip)"
  fi
  if [ "$with_dashboard" = true ]; then
    printf 'dashboard:   kubectl --context %s -n observability port-forward svc/aspire-dashboard 18888:18888\n' "$profile"
    printf '             then open http://localhost:18888\n'
  fi
  printf 'test it:     ./test.sh --profile %s\n' "$profile"
}

delete_deployment() {
  step "deleting the deployment from profile '$profile'"
  "${kubectl_cmd[@]}" delete namespace invoices payments data observability --ignore-not-found --wait=true
  printf "namespaces removed (the images stay in Minikube's Docker; 'minikube -p %s delete' removes the cluster)\n" "$profile"
}

main() {
  parse_arguments "$@"
  check_prerequisites
  if [ "$delete" = true ]; then
    delete_deployment
    return
  fi
  compute_image_tag
  make_work_dir
  if [ "$dry_run" = false ]; then
    start_minikube
    build_images
  fi
  generate_base
  render_overlay
  validate_rendered
  if [ "$dry_run" = true ]; then
    build_secrets_offline
    write_dry_run_output
    return
  fi
  apply_namespaces
  ensure_secrets
  apply_rendered
  wait_for_rollouts
  print_url
}

main "$@"
