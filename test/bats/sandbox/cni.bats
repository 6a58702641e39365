#!/usr/bin/env bats
# The pod networks besides flannel, on a single control plane (fixtures/cni.yaml, pod
# subnet 10.77.0.0/16): calico from its pinned manifest, edited for the pod subnet and
# applied server-side; cilium through its pinned CLI, installed once.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

CALICO_VERSION=3.30.99
CILIUM_CLI_VERSION=0.19.99
POD_SUBNET=10.77.0.0/16

# A calico.yaml shaped like upstream's where the script edits it: the IPv4 pool CIDR
# commented out, with upstream's indentation.
fake_calico_manifest() {
  cat <<'EOF'
# Source: calico/templates/calico-node.yaml
kind: DaemonSet
apiVersion: apps/v1
metadata:
  name: calico-node
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: calico-node
          image: docker.io/calico/node:v3.30.99
          env:
            - name: DATASTORE_TYPE
              value: "kubernetes"
            # The default IPv4 pool to create on startup if none exists. Pod IPs will be
            # chosen from this range. Changing this value after installation will have
            # no effect. This should fall within `--cluster-cidr`.
            # - name: CALICO_IPV4POOL_CIDR
            #   value: "192.168.0.0/16"
            - name: CALICO_DISABLE_FILE_LOGGING
              value: "true"
EOF
}

# A cilium CLI release tarball holding one executable `cilium`: it needs the kubeconfig
# it is given and, on install, makes the cilium daemonset exist for the kubectl shim.
make_fake_cilium_tarball() {
  local stage=$1 out=$2
  mkdir -p "$stage"
  cat >"$stage/cilium" <<'EOF'
#!/bin/bash
# fake cilium CLI (test/bats/sandbox/cni.bats)
set -eu
[[ -f "${KUBECONFIG:-}" ]] || { echo "cilium: no kubeconfig (KUBECONFIG=${KUBECONFIG:-})" >&2; exit 1; }
if [[ "${1:-}" == install ]]; then
  printf '%s\n' "$KUBECONFIG" >"$SHIM_STATE/cilium-kubeconfig"
  touch "$SHIM_STATE/kubectl-applied" # the cilium daemonset now exists
fi
EOF
  chmod 0755 "$stage/cilium"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$stage" -cf - cilium | gzip -n >"$out"
}

setup_file() {
  sandbox_setup_file # the shims and the fake artifacts; no matrix OS is needed
  local serve="$BATS_FILE_TMPDIR/serve" pids=() pid
  export CNI_SERVE=$serve
  mkdir -p "$serve"
  fake_calico_manifest >"$serve/calico.yaml"
  make_fake_cilium_tarball "$BATS_FILE_TMPDIR/cilium-stage" "$serve/cilium-linux-arm64.tar.gz"

  sed 's/^    cni: flannel$/    cni: calico/' "$SANDBOX_DIR/fixtures/cni.yaml" |
    compile_cluster "$BATS_FILE_TMPDIR/calico" \
      "calico: {version: \"$CALICO_VERSION\", sha256: \"$(sha_of "$serve/calico.yaml")\"}" &
  pids+=($!)
  # cilium needs kernel BTF, which Raspberry Pi OS kernels lack: Ubuntu
  sed -e 's/^    cni: flannel$/    cni: cilium/' -e 's/^    os: raspios-trixie$/    os: ubuntu-24.04/' "$SANDBOX_DIR/fixtures/cni.yaml" |
    compile_cluster "$BATS_FILE_TMPDIR/cilium" \
      "ciliumCli: {version: \"$CILIUM_CLI_VERSION\", sha256: {arm64: \"$(sha_of "$serve/cilium-linux-arm64.tar.gz")\"}}" &
  pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid"; done
  grep -q ' raspios-trixie$' "$BATS_FILE_TMPDIR/calico/compile.log" || { cat "$BATS_FILE_TMPDIR/calico/compile.log" >&2; return 1; }
  grep -q ' ubuntu-24.04$' "$BATS_FILE_TMPDIR/cilium/compile.log" || { cat "$BATS_FILE_TMPDIR/cilium/compile.log" >&2; return 1; }
}

# calico_node — a fresh trixie control plane compiled for calico; the download server
# has the fake manifest.
calico_node() {
  export SB_CLUSTER_OUT="$BATS_FILE_TMPDIR/calico/out/cni"
  make_root raspios-trixie cp-1
  cp "$CNI_SERVE/calico.yaml" "$SHIM_STATE/serve/"
}

@test "calico: the pinned manifest is applied server-side with CALICO_IPV4POOL_CIDR set to the pod subnet; calico's kernel modules are loaded; a second run changes nothing" {
  calico_node
  run_setup
  assert_success
  assert_line --regexp '^cp-1 is set up: [0-9]+ change\(s\) made$'

  assert_called "curl .* -o $PICC_ROOT/var/cache/picc/downloads/calico-$CALICO_VERSION\\.yaml\\.part https://raw\\.githubusercontent\\.com/projectcalico/calico/v$CALICO_VERSION/manifests/calico\\.yaml"
  assert_called "kubectl --kubeconfig $PICC_ROOT/etc/kubernetes/admin\\.conf apply --server-side --force-conflicts -f -"
  # what kubectl received: upstream's manifest with exactly the pool lines uncommented
  local expected
  expected=$(fake_calico_manifest | sed -e 's|^            # - name: CALICO_IPV4POOL_CIDR$|            - name: CALICO_IPV4POOL_CIDR|' \
    -e 's|^            #   value: "192.168.0.0/16"$|              value: "'"$POD_SUBNET"'"|')
  [[ "$expected" == *$'            - name: CALICO_IPV4POOL_CIDR\n              value: "10.77.0.0/16"\n'* ]] || fail "test bug: expected manifest not edited"
  [[ -f "$SHIM_STATE/kubectl-apply-stdin" ]] || fail "kubectl apply got no manifest on stdin"
  [[ "$(cat "$SHIM_STATE/kubectl-apply-stdin")" == "$expected" ]] || fail "kubectl apply got another manifest:
$(diff <(echo "$expected") "$SHIM_STATE/kubectl-apply-stdin")"

  # calico's modules: persisted and loaded
  local m
  for m in ip_set xt_set xt_mark xt_addrtype xt_multiport ipip vxlan; do
    assert_called "modprobe $m"
    assert_exists "/sys/module/$m"
    grep -qx "$m" "$PICC_ROOT/etc/modules-load.d/picc-kubernetes.conf" || fail "$m is not in modules-load.d"
  done
  refute_exists /etc/picc/cni/flannel.yaml
  assert_called "kubectl --kubeconfig $PICC_ROOT/etc/kubernetes/admin\\.conf wait --for=condition=Ready node/cp-1 --timeout=900s"
  assert_exists /var/lib/picc/done

  # calico-node exists now: neither downloaded nor applied again
  rerun_changes_nothing
  refute_called "curl .*calico.*"
}

@test "calico: a manifest that does not match the pinned sha256 stops the pod network phase before anything is applied" {
  calico_node
  # still a manifest the script could edit and apply: only the digest tells them apart
  { fake_calico_manifest; printf '# and something the pinned release does not hold\n'; } >"$SHIM_STATE/serve/calico.yaml"
  run_setup
  assert_failure
  assert_output --partial "ERROR in [13/15] pod network: checksum mismatch for calico (https://raw.githubusercontent.com/projectcalico/calico/v$CALICO_VERSION/manifests/calico.yaml)"
  refute_called "kubectl .* apply .*"
  [[ ! -e "$SHIM_STATE/kubectl-apply-stdin" ]] || fail "kubectl apply received a manifest"
  refute_exists "/var/cache/picc/downloads/calico-$CALICO_VERSION.yaml"
  refute_exists "/var/cache/picc/downloads/calico-$CALICO_VERSION.yaml.part"
  refute_exists /var/lib/picc/done
}

@test "cilium: the pinned CLI is unpacked into /usr/local/bin and runs cilium install once; a second run installs nothing" {
  export SB_CLUSTER_OUT="$BATS_FILE_TMPDIR/cilium/out/cni"
  make_root ubuntu-24.04 cp-1
  cp "$CNI_SERVE/cilium-linux-arm64.tar.gz" "$SHIM_STATE/serve/"
  run_setup
  assert_success
  assert_line --regexp '^cp-1 is set up: [0-9]+ change\(s\) made$'

  assert_called "curl .* https://github\\.com/cilium/cilium-cli/releases/download/v$CILIUM_CLI_VERSION/cilium-linux-arm64\\.tar\\.gz"
  assert_mode /usr/local/bin/cilium 0755
  cmp -s "$BATS_FILE_TMPDIR/cilium-stage/cilium" "$PICC_ROOT/usr/local/bin/cilium" || fail "/usr/local/bin/cilium is not the CLI from the tarball"
  local installs
  installs=$(grep -c '^cilium install' "$SB_LAST_CALLS") || true
  [[ "$installs" == 1 ]] || fail "cilium install was called $installs times: $(last_run_calls)"
  assert_called "cilium install --set ipam\\.mode=kubernetes"
  [[ "$(cat "$SHIM_STATE/cilium-kubeconfig" 2>/dev/null)" == "$PICC_ROOT/etc/kubernetes/admin.conf" ]] ||
    fail "cilium install did not get admin.conf as KUBECONFIG"
  refute_called "kubectl .* apply .*"
  refute_exists /etc/picc/cni/flannel.yaml
  assert_exists /var/lib/picc/done

  rerun_changes_nothing
  refute_called "cilium .*"
  refute_called "curl .*cilium.*"
}
