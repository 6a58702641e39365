#!/usr/bin/env bats
# A highly available cluster (fixtures/ha.yaml): three control planes behind the kube-vip
# address 192.168.1.100:6443 and one worker, on Raspberry Pi OS trixie with flannel.
# The first control plane by name runs kubeadm init with kube-vip already in place; the
# others join with the shared PKI placed beforehand; every node reaches the API through
# the virtual IP. Each node's second run must change nothing.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

VIP=192.168.1.100
VIP_RE='192\.168\.1\.100'

setup_file() {
  sandbox_setup_file # the shims and the fake artifacts; no matrix OS is needed
  compile_cluster "$BATS_FILE_TMPDIR/ha" <"$SANDBOX_DIR/fixtures/ha.yaml"
  grep -q '^  cp-1 *init ' "$BATS_FILE_TMPDIR/ha/compile.log" || { cat "$BATS_FILE_TMPDIR/ha/compile.log" >&2; return 1; }
  export SB_CLUSTER_OUT="$BATS_FILE_TMPDIR/ha/out/ha"
}

# The files every control plane shares, with the modes kubeadm expects.
PKI_AT_JOIN='/etc/kubernetes/pki/ca.crt 644
/etc/kubernetes/pki/ca.key 600
/etc/kubernetes/pki/front-proxy-ca.crt 644
/etc/kubernetes/pki/front-proxy-ca.key 600
/etc/kubernetes/pki/sa.key 600
/etc/kubernetes/pki/sa.pub 644
/etc/kubernetes/pki/etcd/ca.crt 644
/etc/kubernetes/pki/etcd/ca.key 600'

# assert_kube_vip_kubeconfig FILE CONF — kube-vip's pod mounts /etc/kubernetes/CONF
# from the host and holds the VIP on eth0.
assert_kube_vip_kubeconfig() {
  local text
  [[ -f "$1" ]] || fail "no kube-vip manifest at ${1#"$PICC_ROOT"}"
  text=$(cat "$1")
  [[ "$text" == *$'\n      hostPath:\n        path: /etc/kubernetes/'"$2"$'\n'* ]] ||
    fail "${1#"$PICC_ROOT"} does not mount /etc/kubernetes/$2 from the host:
$text"
  [[ "$text" == *$'- name: address\n          value: '"$VIP"$'\n'* ]] || fail "kube-vip does not hold $VIP: $text"
  [[ "$text" == *$'- name: vip_interface\n          value: eth0\n'* ]] || fail "kube-vip not on eth0: $text"
}

# The shared PKI files on this node are byte for byte what the first control plane's
# script writes (its heredocs), with 0600 keys and 0644 certificates.
assert_shared_pki() {
  local cp1 path mode
  cp1="$SB_CLUSTER_OUT/cp-1/setup.sh"
  while read -r path mode; do
    assert_mode "$path" "$mode"
    cmp -s "$PICC_ROOT$path" <(awk -v start="  ensure_file $path 0$mode <<'PICC_EOF'" \
      '$0 == start { on = 1; next } on && $0 == "PICC_EOF" { exit } on' "$cp1") ||
      fail "$path differs from the first control plane's"
  done <<<"$PKI_AT_JOIN"
}

# call_index REGEX — the position of the first call of the last run matching REGEX.
call_index() {
  local i
  for i in "${!SB_CALLS[@]}"; do
    if [[ "${SB_CALLS[$i]}" =~ ^($1)$ ]]; then echo "$i"; return 0; fi
  done
  fail "no call matching: $1"
}

# Joining nodes wait until the API answers through the VIP, checked against the cluster CA.
assert_waited_for_api_then_joined() {
  local wait join
  wait=$(call_index "curl .* --cacert $PICC_ROOT/etc/picc/cluster-ca\\.crt https://$VIP_RE:6443/readyz")
  join=$(call_index "kubeadm join --config $PICC_ROOT/etc/picc/kubeadm\\.yaml")
  ((wait < join)) || fail "kubeadm join was called before the API answered"
  refute_called "kubeadm init.*"
  assert_contains /etc/picc/kubeadm.yaml $'kind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n    apiServerEndpoint: '"$VIP:6443"$'\n'
}

@test "HA first control plane (cp-1): kube-vip with super-admin.conf during kubeadm init, admin.conf after; the shared PKI; the CNI; a second run changes nothing" {
  make_root raspios-trixie cp-1
  run_setup
  assert_success
  assert_line --regexp '^cp-1 is set up: [0-9]+ change\(s\) made$'

  assert_contains /etc/picc/kubeadm.yaml "kind: InitConfiguration"
  assert_contains /etc/picc/kubeadm.yaml "controlPlaneEndpoint: $VIP:6443"
  assert_called "kubeadm init --config $PICC_ROOT/etc/picc/kubeadm\\.yaml --ignore-preflight-errors=DirAvailable--etc-kubernetes-manifests"
  refute_called "kubeadm join.*"
  # what kubeadm init found: kube-vip already in place, on super-admin.conf (admin.conf
  # has no RBAC binding until init is done), and the shared PKI
  assert_kube_vip_kubeconfig "$SHIM_STATE/kubeadm-saw/init/kube-vip.yaml" super-admin.conf
  [[ "$(cat "$SHIM_STATE/kubeadm-saw/init/pki")" == "$PKI_AT_JOIN" ]] ||
    fail "kubeadm init found these PKI files: $(cat "$SHIM_STATE/kubeadm-saw/init/pki")"
  # afterwards: kube-vip on admin.conf
  assert_mode /etc/kubernetes/manifests/kube-vip.yaml 0600
  assert_kube_vip_kubeconfig "$PICC_ROOT/etc/kubernetes/manifests/kube-vip.yaml" admin.conf
  assert_shared_pki
  # the pod network, from this node only
  assert_called "kubectl --kubeconfig $PICC_ROOT/etc/kubernetes/admin\\.conf apply -f $PICC_ROOT/etc/picc/cni/flannel\\.yaml"
  assert_exists /var/lib/picc/done

  rerun_changes_nothing
  assert_kube_vip_kubeconfig "$PICC_ROOT/etc/kubernetes/manifests/kube-vip.yaml" admin.conf
}

@test "HA joining control plane (cp-2): the shared PKI in place before kubeadm join, joins through the VIP as a control plane, kube-vip after, no CNI; a second run changes nothing" {
  make_root raspios-trixie cp-2
  run_setup
  assert_success
  assert_line --regexp '^cp-2 is set up: [0-9]+ change\(s\) made$'

  # what kubeadm join found: every shared PKI file, keys 0600
  [[ "$(cat "$SHIM_STATE/kubeadm-saw/join/pki")" == "$PKI_AT_JOIN" ]] ||
    fail "kubeadm join found these PKI files: $(cat "$SHIM_STATE/kubeadm-saw/join/pki")"
  assert_shared_pki
  assert_waited_for_api_then_joined
  # one control plane at a time: cp-1 (the one before it by name) serves the API on its own address first
  (($(call_index "curl .* https://192\\.168\\.1\\.101:6443/readyz") < $(call_index "kubeadm join .*"))) || fail "joined before cp-1 answered: $(last_run_calls)"
  assert_contains /etc/picc/kubeadm.yaml $'controlPlane:\n  localAPIEndpoint:\n    advertiseAddress: 192.168.1.103\n    bindPort: 6443\n'
  assert_mode /etc/kubernetes/manifests/kube-vip.yaml 0600
  assert_kube_vip_kubeconfig "$PICC_ROOT/etc/kubernetes/manifests/kube-vip.yaml" admin.conf
  # the CNI is the first control plane's job
  refute_called "kubectl .* apply .*"
  refute_output --partial "pod network"
  refute_exists /etc/picc/cni
  assert_exists /var/lib/picc/done

  rerun_changes_nothing
}

# Prints the kubeadm phase of the last run (shown with --show-output-of-passing-tests).
kubeadm_phase_log() {
  awk '/^\[13\/14\]/ { exit } /^\[12\/14\] kubeadm/ { on = 1 } on { print "# " $0 }' <<<"$output"
}

@test "HA join order: cp-3 joins only once cp-2 serves the API on its own address; while cp-2 does not, cp-3 waits and never joins" {
  make_root raspios-trixie cp-3
  touch "$SHIM_STATE/api-down-192.168.1.103"
  run_setup
  assert_failure
  assert_output --partial "waiting for the API server at https://192.168.1.103:6443/readyz (control plane cp-2, 0s of 3600s)"
  assert_output --partial "ERROR in [12/14] kubeadm: the API server at https://192.168.1.103:6443/readyz did not answer within 3600s; is control plane cp-2 up?"
  refute_called "kubeadm join .*"
  # the cluster's endpoint was up all along: only cp-2 held it back
  assert_called "curl .* https://$VIP_RE:6443/readyz"
  kubeadm_phase_log

  rm "$SHIM_STATE/api-down-192.168.1.103"
  run_setup
  assert_success
  kubeadm_phase_log
  (($(call_index "curl .* https://192\\.168\\.1\\.103:6443/readyz") < $(call_index "kubeadm join .*"))) || fail "joined before cp-2 answered: $(last_run_calls)"
  refute_called "curl .* https://192\\.168\\.1\\.101:6443/readyz"
  assert_exists /var/lib/picc/done
}

@test "HA: a control-plane join that stopped half-way (kubelet.conf, no static pods) is never taken for done" {
  make_root raspios-trixie cp-2
  fail_once kubeadm 'join *'
  run_setup
  assert_failure
  # what a join that died in its control-plane phases leaves
  mkdir -p "$PICC_ROOT/etc/kubernetes/manifests"
  echo "kubelet.conf from a join that failed later" >"$PICC_ROOT/etc/kubernetes/kubelet.conf"
  echo "etcd static pod" >"$PICC_ROOT/etc/kubernetes/manifests/etcd.yaml"
  run_setup
  assert_failure
  assert_output --partial "a kubeadm join of this control plane started but did not finish (no /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/kube-controller-manager.yaml /etc/kubernetes/manifests/kube-scheduler.yaml)"
  refute_output --partial "already joined"
  refute_called "kubeadm join .*"
  refute_exists /var/lib/picc/done
}

@test "HA worker: no PKI keys, no kube-vip, joins through the VIP as a worker; a second run changes nothing" {
  make_root raspios-trixie worker-1
  run_setup
  assert_success
  assert_line --regexp '^worker-1 is set up: [0-9]+ change\(s\) made$'

  local keys
  keys=$(compgen -G "$PICC_ROOT/etc/kubernetes/pki/*.key"; compgen -G "$PICC_ROOT/etc/kubernetes/pki/*/*.key") || true
  [[ -z "$keys" ]] || fail "the worker has PKI keys: $keys"
  [[ ! -s "$SHIM_STATE/kubeadm-saw/join/pki" ]] || fail "kubeadm join found PKI files: $(cat "$SHIM_STATE/kubeadm-saw/join/pki")"
  refute_exists /etc/kubernetes/manifests/kube-vip.yaml
  assert_waited_for_api_then_joined
  ! grep -q '^controlPlane:' "$PICC_ROOT/etc/picc/kubeadm.yaml" || fail "the worker's JoinConfiguration has controlPlane:"
  refute_called "kubectl .*"
  assert_exists /var/lib/picc/done

  rerun_changes_nothing
}
