#!/usr/bin/env bats
# verify.sh (per cluster, run on a control plane) with a kubectl shim that answers from the
# recorded answer set of a healthy homelab cluster, and `picc verify --answers` on what it
# collected: the same checks as over https. Also picc verify's refusals through the binary.

bats_require_minimum_version 1.5.0

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
load "$REPO/node_modules/bats-support/load.bash"
load "$REPO/node_modules/bats-assert/load.bash"
load "$REPO/test/bats/helpers/build.bash"

RECORDED="$REPO/test/fixtures/verify/homelab"

setup_file() {
  build_if_stale "$REPO"
}

setup() {
  WORK="$BATS_TEST_TMPDIR/work"
  mkdir -p "$WORK/bin" "$WORK/home/.kube"
  cd "$WORK" || exit 1
  cp "$REPO/examples/homelab.yaml" homelab.yaml
  node "$REPO/dist/cli.js" compile homelab.yaml -o out >/dev/null 2>&1
  touch "$WORK/home/.kube/config"
  ANSWERS="$RECORDED"
  # kubectl get --raw PATH answers $ANSWERS/PATH.json, or NotFound as kubectl says it;
  # KUBECTL_BROKEN makes it fail as with no API server.
  cat >"$WORK/bin/kubectl" <<'SHIM'
#!/usr/bin/env bash
printf '%s KUBECONFIG=%s\n' "$*" "${KUBECONFIG:-}" >>"$WORK/kubectl.log"
[[ $1 == get && $2 == --raw ]] || { echo "shim: unexpected kubectl $*" >&2; exit 2; }
if [[ -n ${KUBECTL_BROKEN:-} ]]; then
  echo 'The connection to the server localhost:8080 was refused - did you specify the right host or port?' >&2
  exit 1
fi
if [[ -f $ANSWERS$3.json ]]; then cat "$ANSWERS$3.json"; exit 0; fi
echo 'Error from server (NotFound): the server could not find the requested resource' >&2
exit 1
SHIM
  chmod +x "$WORK/bin/kubectl"
  export WORK ANSWERS
}

collect() {
  run --separate-stderr env PATH="$WORK/bin:$PATH" HOME="$WORK/home" bash out/homelab/verify.sh
}

picc() {
  run --separate-stderr node "$REPO/dist/cli.js" "$@"
}

@test "verify.sh collects every path picc verify checks, and the recorded healthy cluster passes them all" {
  collect
  assert_success
  printf '%s\n' "$output" >answers.json
  [[ $stderr == *"collected 7 answers from cluster homelab"* ]]
  # Exactly the paths of the script, each once, with the caller's own kubeconfig.
  run cut -d' ' -f3,4 "$WORK/kubectl.log"
  assert_output "$(printf '%s KUBECONFIG=\n' /version /api/v1/nodes /api/v1/namespaces/kube-system/pods /api/v1/namespaces/kube-flannel/pods \
    /api/v1/namespaces/kube-system/services/kube-dns /apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices \
    /api/v1/namespaces/kube-flannel/configmaps/kube-flannel-cfg)"
  picc verify homelab.yaml --answers answers.json
  assert_success
  assert_line --regexp '^node k8s-worker-7 kubelet +v1\.34\.2 +v1\.34\.2 +ok$'
  assert_line --partial 'all 41 checks pass'
  [[ -z $stderr ]]
}

@test "an object that does not exist is null in the answers, and a failed check (exit 1, PICC701)" {
  cp -r "$RECORDED" "$WORK/answers-dir"
  rm "$WORK/answers-dir/api/v1/namespaces/kube-flannel/configmaps/kube-flannel-cfg.json"
  ANSWERS="$WORK/answers-dir" collect
  assert_success
  printf '%s\n' "$output" >answers.json
  grep -q '"/api/v1/namespaces/kube-flannel/configmaps/kube-flannel-cfg":null' answers.json
  picc verify homelab.yaml --answers answers.json
  assert_failure 1
  assert_line --regexp '^pod subnet: flannel net-conf\.json Network +10\.244\.0\.0/16 +no kube-flannel-cfg ConfigMap +DIFF$'
  assert_line --partial 'differs from homelab.yaml: 1 of 41 checks'
  [[ $stderr == *'error[PICC701]: pod subnet: flannel net-conf.json Network: expected 10.244.0.0/16, found no kube-flannel-cfg ConfigMap'* ]]
  # For tools: every row, the failed one among them, in the one JSON document.
  picc verify homelab.yaml --answers answers.json --format json
  assert_failure 1
  run node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); const bad = j.checks.filter((c) => !c.ok);
    if (j.ok !== false || j.checks.length !== 41 || bad.length !== 1 || bad[0].found !== "no kube-flannel-cfg ConfigMap" || j.diagnostics[0].code !== "PICC701") process.exit(1)' <<<"$output"
  assert_success
}

@test "verify.sh stops with kubectl's message when the API server cannot be asked" {
  KUBECTL_BROKEN=1 collect
  assert_failure 1
  [[ $stderr == *'kubectl get --raw /version failed'* && $stderr == *'connection to the server'* ]]
}

@test "as root without ~/.kube/config, verify.sh uses kubeadm's admin.conf under PICC_ROOT" {
  rm "$WORK/home/.kube/config"
  mkdir -p "$WORK/root/etc/kubernetes"
  touch "$WORK/root/etc/kubernetes/admin.conf"
  run --separate-stderr env PATH="$WORK/bin:$PATH" HOME="$WORK/home" PICC_ROOT="$WORK/root" bash out/homelab/verify.sh
  assert_success
  run sort -u <(cut -d' ' -f4 "$WORK/kubectl.log")
  assert_output "KUBECONFIG=$WORK/root/etc/kubernetes/admin.conf"
}

@test "picc verify: no kubeconfig, an unreachable API server, another cluster's answers: one diagnostic each, exit 1, no stack trace" {
  picc verify homelab.yaml -o elsewhere
  assert_failure 1
  [[ $stderr == *'error[PICC702]: there is no kubeconfig at elsewhere/homelab/admin.kubeconfig'* ]]
  sed 's#server: https://.*#server: https://127.0.0.1:1#' out/homelab/admin.kubeconfig >unreachable.kubeconfig
  picc verify homelab.yaml --kubeconfig unreachable.kubeconfig --format json
  assert_failure 1
  [[ $output == *'"code": "PICC703"'* && $output == *ECONNREFUSED* ]]
  printf '{"kind":"VerifyAnswers","cluster":"other","answers":{}}' >other.json
  picc verify homelab.yaml --answers other.json
  assert_failure 1
  [[ $stderr == *'error[PICC705]: other.json holds the answers of cluster "other", not of homelab'* ]]
  picc verify homelab.yaml --timeout 0
  assert_failure 2
  if grep -qE '^\s+at ' <<<"$output$stderr"; then fail "stack trace: $stderr"; fi
}
