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
# The operator's two manifests, shaped as calico's are: the CRDs, then the operator's
# namespace and Deployment (what `kubectl get deployment tigera-operator` finds).
fake_operator_crds() {
  cat <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: installations.operator.tigera.io
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: apiservers.operator.tigera.io
EOF
}

fake_tigera_operator() {
  cat <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: tigera-operator
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: tigera-operator
  namespace: tigera-operator
EOF
}

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
  fake_operator_crds >"$serve/operator-crds.yaml"
  fake_tigera_operator >"$serve/tigera-operator.yaml"
  make_fake_cilium_tarball "$BATS_FILE_TMPDIR/cilium-stage" "$serve/cilium-linux-arm64.tar.gz"

  sed 's/^    cni: flannel$/    cni: calico/' "$SANDBOX_DIR/fixtures/cni.yaml" |
    compile_cluster "$BATS_FILE_TMPDIR/calico" \
      "calico: {version: \"$CALICO_VERSION\", sha256: {operatorCrds: \"$(sha_of "$serve/operator-crds.yaml")\", tigeraOperator: \"$(sha_of "$serve/tigera-operator.yaml")\"}}" &
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
# has the fake operator manifests.
calico_node() {
  export SB_CLUSTER_OUT="$BATS_FILE_TMPDIR/calico/out/cni"
  make_root raspios-trixie cp-1
  cp "$CNI_SERVE/operator-crds.yaml" "$CNI_SERVE/tigera-operator.yaml" "$SHIM_STATE/serve/"
}

@test "calico: the operator's pinned manifests are applied server-side, then picc's Installation with the pod subnet; NetworkManager leaves calico's interfaces alone; a second run changes nothing" {
  calico_node
  run_setup
  assert_success
  assert_line --regexp '^cp-1 is set up: [0-9]+ change\(s\) made$'

  local dl=$PICC_ROOT/var/cache/picc/downloads base="https://raw\\.githubusercontent\\.com/projectcalico/calico/v$CALICO_VERSION/manifests"
  assert_called "curl .* -o $dl/calico-$CALICO_VERSION-operator-crds\\.yaml\\.part $base/operator-crds\\.yaml"
  assert_called "curl .* -o $dl/calico-$CALICO_VERSION-tigera-operator\\.yaml\\.part $base/tigera-operator\\.yaml"
  # the CRDs and the operator in one server-side apply, CRDs first; then the Installation once the CRDs are established
  assert_called "kubectl --kubeconfig $PICC_ROOT/etc/kubernetes/admin\\.conf apply --server-side --force-conflicts -f $dl/calico-$CALICO_VERSION-operator-crds\\.yaml -f $dl/calico-$CALICO_VERSION-tigera-operator\\.yaml"
  local wait_line apply_line
  wait_line=$(grep -n 'wait --for=condition=Established crd/installations.operator.tigera.io crd/apiservers.operator.tigera.io' "$SB_LAST_CALLS" | cut -d: -f1)
  apply_line=$(grep -n "apply --server-side -f $PICC_ROOT/etc/picc/cni/calico-installation.yaml" "$SB_LAST_CALLS" | cut -d: -f1)
  [[ -n "$wait_line" && -n "$apply_line" && "$wait_line" -lt "$apply_line" ]] || fail "the Installation was not applied after the CRDs were established: $(last_run_calls)"
  # picc's Installation: the pool is the cluster's pod subnet
  grep -qx "        cidr: $POD_SUBNET" "$PICC_ROOT/etc/picc/cni/calico-installation.yaml" || fail "$(cat "$PICC_ROOT/etc/picc/cni/calico-installation.yaml")"
  grep -qx 'kind: Installation' "$PICC_ROOT/etc/picc/cni/calico-installation.yaml"
  grep -qx 'installation/default' "$SHIM_STATE/kubectl-objects" || fail "no Installation applied: $(cat "$SHIM_STATE/kubectl-objects")"
  # NetworkManager (trixie) is told to keep off calico's interfaces
  assert_contains /etc/NetworkManager/conf.d/90-picc-calico.conf 'unmanaged-devices=interface-name:cali*;interface-name:tunl*;interface-name:vxlan.calico'
  assert_called "nmcli general reload conf"

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

  # the operator and the Installation exist now: nothing is applied again
  rerun_changes_nothing
  refute_called "kubectl .* apply .*"
}

@test "calico: an operator manifest that does not match its pinned sha256 stops the pod network phase before anything is applied" {
  calico_node
  # still a manifest kubectl could apply: only the digest tells them apart
  { fake_tigera_operator; printf '# and something the pinned release does not hold\n'; } >"$SHIM_STATE/serve/tigera-operator.yaml"
  run_setup
  assert_failure
  assert_output --partial "ERROR in [13/15] pod network: checksum mismatch for tigera-operator (https://raw.githubusercontent.com/projectcalico/calico/v$CALICO_VERSION/manifests/tigera-operator.yaml)"
  refute_called "kubectl .* apply .*"
  refute_exists "/var/cache/picc/downloads/calico-$CALICO_VERSION-tigera-operator.yaml"
  refute_exists "/var/cache/picc/downloads/calico-$CALICO_VERSION-tigera-operator.yaml.part"
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
