#!/usr/bin/env bats
# upgrade.sh: a cluster set up at 1.34 recompiled for 1.35 (the output folder's
# picc-facts.json tells compile what it runs). kubeadm's order on each node, idempotence,
# and the refusals: a worker not drained, a node on neither version. Then the export's
# upgrade.yml run for real by ansible-playbook on both boards (helpers/ansible).

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'
load 'helpers/ansible'

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

# in_order PATTERN... — the last run's calls hold a match of each pattern, each after the
# match of the one before it.
in_order() {
  local previous=0 line pattern
  for pattern in "$@"; do
    line=$(tail -n +"$((previous + 1))" "$SB_LAST_CALLS" | grep -n -m1 -E "$pattern" | cut -d: -f1)
    [[ -n "$line" ]] || fail "not called after line $previous: $pattern
--- calls:
$(last_run_calls)"
    previous=$((previous + line))
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
  [[ ! -f "$SHIM_STATE/cordoned/cp-1" ]] || fail "cp-1 was left cordoned"

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

  mkdir -p "$SHIM_STATE/cordoned" && touch "$SHIM_STATE/cordoned/worker-1"
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

@test "upgrade.yml: the control plane first, then the worker drained from it, upgraded and uncordoned; a second run changes nothing" {
  need_ansible
  sandbox_inventory
  SB_BOARD_OS=raspios-trixie
  # Both boards set up at the first version, once; then one API server for the cluster (the
  # shims' SHIM_API: version and cordoned nodes, whichever board kubectl runs on) and one log
  # of every board's calls, in the order they were made.
  local api="$BATS_TEST_TMPDIR/api" calls="$BATS_TEST_TMPDIR/cluster-calls.log" node
  mkdir -p "$api"
  : >"$calls"
  for node in cp-1 worker-1; do
    SB_DIR="$BATS_TEST_TMPDIR/$node" set_up "$node"
    SB_EXTRA_ENV+=(SHIM_API="$api" SHIM_LOG="$calls")
    add_board "$node"
  done
  local cp_root="$BATS_TEST_TMPDIR/cp-1/root" worker_root="$BATS_TEST_TMPDIR/worker-1/root"

  playbook "$UPGRADED/ansible/upgrade.yml"
  assert_success
  SB_LAST_CALLS=$calls
  # kubeadm's order across the boards; the worker drained and uncordoned with the first
  # control plane's admin.conf (under its root: the delegated task ran there).
  in_order \
    "^kubeadm upgrade apply --yes v$NEW_VERSION\$" \
    "^systemctl restart kubelet\$" \
    "^kubectl --kubeconfig $cp_root/etc/kubernetes/admin\\.conf uncordon cp-1\$" \
    "^kubectl --kubeconfig $cp_root/etc/kubernetes/admin\\.conf drain worker-1 --ignore-daemonsets --delete-emptydir-data\$" \
    "^kubectl --kubeconfig $worker_root/etc/kubernetes/kubelet\\.conf get node worker-1 " \
    "^kubeadm upgrade node\$" \
    "^apt-get .* install .*kubelet=$NEW_VERSION-1\\.1" \
    "^systemctl restart kubelet\$" \
    "^kubectl --kubeconfig $cp_root/etc/kubernetes/admin\\.conf uncordon worker-1\$"
  local plays
  plays=$(grep -E '^(PLAY \[|TASK \[(Drain|Run|Uncordon)|changed: )' <<<"$output" | sed 's/ \*\{3,\}$//')
  [[ "$plays" =~ ^"PLAY [The first control plane (kubeadm upgrade apply)]".*"TASK [Run upgrade.sh]"$'\n'"changed: [cp-1]".*"PLAY [The other control planes".*"PLAY [The workers".*"TASK [Drain this worker from the first control plane]"$'\n'"changed: [worker-1 -> cp-1(".*"TASK [Run upgrade.sh]"$'\n'"changed: [worker-1]".*"TASK [Uncordon this worker from the first control plane]"$'\n'"changed: [worker-1 -> cp-1(" ]] ||
    fail "unexpected plays: $plays"
  [[ "$(cat "$SHIM_STATE/dpkg/kubelet")" == "$NEW_VERSION-1.1" ]] || fail "worker-1's kubelet is $(cat "$SHIM_STATE/dpkg/kubelet")"
  [[ -z "$(ls -A "$api/cordoned")" ]] || fail "left cordoned: $(ls "$api/cordoned")"
  printf '%s\n' "$plays" "$(sed -n '/^PLAY RECAP/,$p' <<<"$output")"

  local before
  before=$(wc -l <"$calls")
  playbook "$UPGRADED/ansible/upgrade.yml"
  assert_success
  for node in cp-1 worker-1; do assert_recap "$node" 'ok=[0-9]+ +changed=0 +unreachable=0 +failed=0 '; done
  SB_LAST_CALLS="$BATS_TEST_TMPDIR/second-calls"
  tail -n +"$((before + 1))" "$calls" >"$SB_LAST_CALLS"
  [[ -z "$(mutating_calls)" ]] || fail "the second run called: $(mutating_calls)"
  sed -n '/^PLAY RECAP/,$p' <<<"$output"
}
