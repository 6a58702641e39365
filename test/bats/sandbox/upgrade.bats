#!/usr/bin/env bats
# upgrade.sh: a cluster set up at 1.34 recompiled for 1.35 (the output folder's
# picc-facts.json tells compile what it runs). kubeadm's order on each node, idempotence,
# and the refusals: a worker not drained, a node on neither version.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

NEW_VERSION=1.35.0

setup_file() {
  sandbox_setup_file
  local dir="$BATS_FILE_TMPDIR/up"
  compile_cluster "$dir" <<EOF
apiVersion: picc/v1alpha1
kind: Cluster
metadata:
  name: up
spec:
  kubernetes:
    version: $K8S_VERSION
  network:
    subnet: 192.168.1.0/24
    gateway: 192.168.1.1
    dns: [192.168.1.1]
  nodeDefaults:
    os: raspios-trixie
  nodes:
    - { name: cp-1, role: control-plane, address: 192.168.1.101 }
    - { name: worker-1, address: 192.168.1.102 }
EOF
  # the same cluster at its first version, kept for setting the nodes up
  cp -r "$dir/out/up" "$dir/v1"
  sed -i "s/^    version: $K8S_VERSION\$/    version: $NEW_VERSION/" "$dir/cluster.yaml"
  node "$REPO_DIR/dist/cli.js" compile "$dir/cluster.yaml" --secrets "$dir/cluster.secrets.yaml" -o "$dir/out" >"$dir/compile2.log" 2>&1 ||
    { cat "$dir/compile2.log" >&2; return 1; }
  export SB_CLUSTER_OUT="$dir/v1" UPGRADED="$dir/out/up"
}

# The node set up at the first version; then the package repository has the new one.
set_up() {
  make_root raspios-trixie "$1"
  run_setup
  assert_success
  assert_exists /var/lib/picc/done
  SB_EXTRA_ENV=(SHIM_K8S_VERSION="$NEW_VERSION")
}

call_line() { grep -n -m1 -E "$1" "$SB_LAST_CALLS" | cut -d: -f1; }

in_order() {
  local previous=0 line pattern
  for pattern in "$@"; do
    line=$(call_line "$pattern")
    [[ -n "$line" ]] || fail "not called: $pattern
--- calls:
$(last_run_calls)"
    ((line > previous)) || fail "called out of order: $pattern
--- calls:
$(last_run_calls)"
    previous=$line
  done
}

@test "the recompile gives every node upgrade.sh from $K8S_VERSION to $NEW_VERSION; setup.sh stays" {
  for n in cp-1 worker-1; do
    [[ -x "$UPGRADED/$n/upgrade.sh" && -f "$UPGRADED/$n/setup.sh" ]] || fail "$n: $(ls "$UPGRADED/$n")"
    grep -q "^readonly FROM=$K8S_VERSION\$" "$UPGRADED/$n/upgrade.sh"
    grep -q "^readonly TO=$NEW_VERSION\$" "$UPGRADED/$n/upgrade.sh"
  done
  [[ ! -e "$SB_CLUSTER_OUT/cp-1/upgrade.sh" ]] || fail "the first compile made an upgrade.sh"
}

@test "first control plane: kubeadm, upgrade apply, drain, kubelet and kubectl, restart, uncordon; a second run changes nothing" {
  set_up cp-1
  run_script "$UPGRADED/cp-1/upgrade.sh"
  assert_success
  assert_line --regexp "^cp-1 is upgraded to Kubernetes $NEW_VERSION: [0-9]+ change\\(s\\) made\$"
  in_order \
    "^apt-get .* install -y -q --allow-change-held-packages kubeadm=$NEW_VERSION-1\\.1\$" \
    "^apt-mark hold kubeadm\$" \
    "^kubeadm upgrade apply --yes v$NEW_VERSION\$" \
    "^kubectl --kubeconfig $PICC_ROOT/etc/kubernetes/admin\\.conf drain cp-1 --ignore-daemonsets --delete-emptydir-data\$" \
    "^apt-get .* install .*kubelet=$NEW_VERSION-1\\.1" \
    "^systemctl restart kubelet\$" \
    "^kubectl --kubeconfig $PICC_ROOT/etc/kubernetes/admin\\.conf uncordon cp-1\$"
  assert_contains /etc/apt/sources.list.d/kubernetes.list "v${NEW_VERSION%.*}/deb/"
  [[ "$(cat "$SHIM_STATE/dpkg/kubelet")" == "$NEW_VERSION-1.1" ]]
  [[ ! -f "$SHIM_STATE/cordoned" ]] || fail "cp-1 was left cordoned"

  run_script "$UPGRADED/cp-1/upgrade.sh"
  assert_success
  assert_line "cp-1 is already on Kubernetes $NEW_VERSION: 0 changes"
  [[ -z "$(mutating_calls)" ]] || fail "the second run called: $(mutating_calls)"
}

@test "worker: refused until drained from outside (nothing changed); then waits for the new API server, upgrade node, kubelet; uncordon is left to you" {
  set_up worker-1
  run_script "$UPGRADED/worker-1/upgrade.sh"
  assert_failure
  assert_output --partial "drain worker-1 first, from a machine with the cluster's admin.kubeconfig: kubectl drain worker-1 --ignore-daemonsets --delete-emptydir-data"
  [[ -z "$(mutating_calls)" ]] || fail "the refused run called: $(mutating_calls)"

  touch "$SHIM_STATE/cordoned"
  echo "$NEW_VERSION" >"$SHIM_STATE/apiserver-version"
  run_script "$UPGRADED/worker-1/upgrade.sh"
  assert_success
  in_order \
    "^apt-get .* install -y -q --allow-change-held-packages kubeadm=$NEW_VERSION-1\\.1\$" \
    "^curl .*https://192\\.168\\.1\\.101:6443/version\$" \
    "^kubeadm upgrade node\$" \
    "^apt-get .* install .*kubelet=$NEW_VERSION-1\\.1" \
    "^systemctl restart kubelet\$"
  refute_called "kubeadm upgrade apply.*"
  assert_output --partial "now uncordon it from the machine that drained it: kubectl uncordon worker-1"
}

@test "a node on neither version is refused, and so is a board picc never finished" {
  set_up worker-1
  echo 1.33.9-1.1 >"$SHIM_STATE/dpkg/kubelet"
  run_script "$UPGRADED/worker-1/upgrade.sh" --drained
  assert_failure
  assert_output --partial "the kubelet here is 1.33.9, neither $K8S_VERSION nor $NEW_VERSION"
  [[ -z "$(mutating_calls)" ]] || fail "the refused run called: $(mutating_calls)"

  rm "$PICC_ROOT/var/lib/picc/done"
  run_script "$UPGRADED/worker-1/upgrade.sh" --drained
  assert_failure
  assert_output --partial "picc never finished setting up this node"
}
