#!/usr/bin/env bats
# spec.kubernetes.install: binaries — kubeadm, kubelet and kubectl from dl.k8s.io and
# crictl from cri-tools' release, each verified by sha256 before any is installed into
# /usr/local/bin; the kubelet unit and kubeadm's drop-in written by picc; no package
# repository. The fake binaries are pinned by their digests in the spec (the spec's
# digests win over the catalog's), so the catalog's real digests are never needed here.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

BIN_K8S_VERSION=1.36.4
CRICTL_VERSION=1.36.99
UNITS=/usr/local/lib/systemd/system

# make_fake_binaries DIR — kubeadm and kubectl that run the sandbox's kubeadm and kubectl
# shims (found through PATH once installed, as on a board), a kubelet, and a crictl tarball.
make_fake_binaries() {
  local dir=$1 name
  mkdir -p "$dir/serve" "$dir/shims" "$dir/stage"
  for name in kubeadm kubectl; do
    ln -s "$SANDBOX_DIR/helpers/shim" "$dir/shims/$name"
    printf '#!/bin/bash\n# fake %s %s (kubernetes-binaries.bats)\nexec %q "$@"\n' "$name" "$BIN_K8S_VERSION" "$dir/shims/$name" >"$dir/serve/$name"
  done
  printf '\177ELF fake kubelet %s\n' "$BIN_K8S_VERSION" >"$dir/serve/kubelet"
  printf '#!/bin/sh\necho "fake crictl %s"\n' "$CRICTL_VERSION" >"$dir/stage/crictl"
  chmod 0755 "$dir/stage/crictl"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir/stage" -cf - crictl |
    gzip -n >"$dir/serve/crictl-v$CRICTL_VERSION-linux-arm64.tar.gz"
}

setup_file() {
  sandbox_setup_file # the shims and the runtime's fake artifacts
  export BIN_DIR="$BATS_FILE_TMPDIR/binaries"
  make_fake_binaries "$BIN_DIR"
  local name lines=()
  for name in kubeadm kubelet kubectl; do
    lines+=("$name: {version: \"$BIN_K8S_VERSION\", sha256: {arm64: \"$(sha_of "$BIN_DIR/serve/$name")\"}}")
  done
  lines+=("crictl: {version: \"$CRICTL_VERSION\", sha256: {arm64: \"$(sha_of "$BIN_DIR/serve/crictl-v$CRICTL_VERSION-linux-arm64.tar.gz")\"}}")
  sed -e 's/^  name: matrix$/  name: binaries/' -e "s/^    version: 1\\.34\\.2\$/    version: $BIN_K8S_VERSION\\n    install: binaries/" \
    -e 's/^    os: raspios-bookworm$/    os: raspios-trixie/' "$SANDBOX_DIR/fixtures/matrix.yaml" |
    compile_cluster "$BIN_DIR/cluster" "${lines[@]}"
  grep -q ' raspios-trixie$' "$BIN_DIR/cluster/compile.log" || { cat "$BIN_DIR/cluster/compile.log" >&2; return 1; }
  grep -q '^    install: binaries$' "$BIN_DIR/cluster/cluster.yaml" || { echo "the spec did not get install: binaries" >&2; return 1; }
}

# binaries_node NODE — a fresh trixie board for the binaries cluster: the download server
# has the fake binaries, and /usr/local/bin is on PATH as on a board (the installed
# kubeadm and kubectl are what later phases run).
binaries_node() {
  export SB_CLUSTER_OUT="$BIN_DIR/cluster/out/binaries"
  make_root raspios-trixie "$1"
  cp "$BIN_DIR"/serve/* "$SHIM_STATE/serve/"
  SB_EXTRA_ENV=(PATH="$SB_BIN:$SHIM_STATE/pkgbin:$PICC_ROOT/usr/local/bin:$SB_REAL")
}

refute_binaries_installed() {
  local name
  for name in kubeadm kubelet kubectl crictl; do
    refute_exists "/usr/local/bin/$name"
    refute_exists "/var/lib/picc/installed/$name"
  done
  refute_exists "$UNITS/kubelet.service"
  refute_called "install -D -m 0755 .*"
  refute_called "tar .*crictl.*"
  refute_called "systemctl enable kubelet"
  refute_called "kubeadm (init|join) .*"
  refute_exists /var/lib/picc/done
}

@test "binaries control plane: the three binaries and crictl downloaded and verified, installed into /usr/local/bin, units written, kubelet enabled, no package repository" {
  binaries_node cp-1
  run_setup
  assert_success
  assert_line --regexp '^cp-1 is set up: [0-9]+ change\(s\) made$'
  # For the issue's closing note: what the phase said.
  {
    echo "# setup.sh on cp-1 (install: binaries), phase 9:"
    sed -n '/^\[9\/15\] Kubernetes binaries/,/^\[10\/15\]/p' <<<"$output" | sed '$d'
  } >&3

  local dl=$PICC_ROOT/var/cache/picc/downloads name
  assert_line "[9/15] Kubernetes binaries"
  for name in kubeadm kubelet kubectl; do
    assert_output --partial "changed: download $name from https://dl.k8s.io/release/v$BIN_K8S_VERSION/bin/linux/arm64/$name"
    assert_called "curl .* -o $dl/$name\\.part https://dl\\.k8s\\.io/release/v$BIN_K8S_VERSION/bin/linux/arm64/$name"
    assert_output --partial "changed: install $name $BIN_K8S_VERSION as /usr/local/bin/$name"
    assert_mode "/usr/local/bin/$name" 0755
    [[ "$(sha_of "$PICC_ROOT/usr/local/bin/$name")" == "$(sha_of "$BIN_DIR/serve/$name")" ]] || fail "/usr/local/bin/$name is not the pinned download"
    [[ "$(cat "$PICC_ROOT/var/lib/picc/installed/$name")" == "$(sha_of "$BIN_DIR/serve/$name")" ]] || fail "installed/$name does not record its digest"
  done
  assert_called "curl .* https://github\\.com/kubernetes-sigs/cri-tools/releases/download/v$CRICTL_VERSION/crictl-v$CRICTL_VERSION-linux-arm64\\.tar\\.gz"
  assert_output --partial "changed: unpack crictl $CRICTL_VERSION as /usr/local/bin/crictl"
  assert_content /usr/local/bin/crictl <<<"$(printf '#!/bin/sh\necho "fake crictl %s"' "$CRICTL_VERSION")"
  assert_mode /usr/local/bin/crictl 0755

  # the kubelet unit and kubeadm's drop-in, as the packages install them, with picc's path
  assert_mode "$UNITS/kubelet.service" 0644
  assert_contains "$UNITS/kubelet.service" $'[Service]\nExecStart=/usr/local/bin/kubelet\nRestart=always\n'
  assert_mode "$UNITS/kubelet.service.d/10-kubeadm.conf" 0644
  assert_contains "$UNITS/kubelet.service.d/10-kubeadm.conf" $'ExecStart=\nExecStart=/usr/local/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n'
  [[ -d "$PICC_ROOT/etc/kubernetes/manifests" ]] || fail "/etc/kubernetes/manifests was not created"
  assert_called "systemctl daemon-reload"
  assert_called "systemctl enable kubelet"
  [[ -f "$SHIM_STATE/systemd/enabled/kubelet" ]] || fail "the kubelet is not enabled"
  # the phase ran before the runtime (which asks the installed kubeadm for its pause image) and kubeadm init
  assert_called "kubeadm config images list --kubernetes-version v$BIN_K8S_VERSION"
  assert_called "kubeadm init --config $PICC_ROOT/etc/picc/kubeadm\\.yaml.*"
  assert_called "kubectl --kubeconfig .*"
  # nothing from the package repository
  refute_called "apt-get .*install.* kube.*"
  refute_called "curl .*pkgs\\.k8s\\.io.*"
  refute_exists /etc/apt/sources.list.d/kubernetes.list
  refute_exists /var/lib/picc/owed/kubelet-restart
  refute_exists /var/lib/picc/owed/daemon-reload
  assert_exists /var/lib/picc/done

  rerun_changes_nothing
  refute_called "curl .*dl\\.k8s\\.io.*"
}

@test "binaries: a kubelet whose bytes do not match its sha256 stops the phase; none of the four is installed, and it says why" {
  binaries_node worker-1
  printf '\177ELF not the kubelet you pinned\n' >"$SHIM_STATE/serve/kubelet"
  run_setup
  assert_failure
  assert_output --partial "ERROR in [9/14] Kubernetes binaries: checksum mismatch for kubelet (https://dl.k8s.io/release/v$BIN_K8S_VERSION/bin/linux/arm64/kubelet): expected sha256 $(sha_of "$BIN_DIR/serve/kubelet"), got $(sha_of "$SHIM_STATE/serve/kubelet"). Nothing was installed from it."
  refute_binaries_installed
  # kubeadm was fetched and verified before, yet not installed; the bad bytes are not kept
  assert_exists /var/cache/picc/downloads/kubeadm
  refute_exists /var/cache/picc/downloads/kubelet
  refute_exists /var/cache/picc/downloads/kubelet.part
  refute_output --partial "[10/14]"

  # the right bytes: the verified kubeadm is reused, the rest fetched, the node finishes
  rm "$SHIM_STATE/serve/kubelet"
  cp "$BIN_DIR/serve/kubelet" "$SHIM_STATE/serve/kubelet"
  run_setup
  assert_success
  refute_called "curl .*/kubeadm"
  assert_called "curl .* https://dl\\.k8s\\.io/release/v$BIN_K8S_VERSION/bin/linux/arm64/kubelet"
  assert_called "kubeadm join --config .*"
  assert_exists /var/lib/picc/done
}

@test "binaries: --dry-run on a fresh board says what it would download and install, and changes nothing" {
  binaries_node worker-1
  local before after
  before=$(snapshot "$PICC_ROOT"; snapshot "$SHIM_STATE")
  run_setup --dry-run
  assert_success
  assert_output --partial "would: download kubeadm from https://dl.k8s.io/release/v$BIN_K8S_VERSION/bin/linux/arm64/kubeadm"
  assert_output --partial "would: install kubelet $BIN_K8S_VERSION as /usr/local/bin/kubelet"
  assert_output --partial "would: unpack crictl $CRICTL_VERSION as /usr/local/bin/crictl"
  assert_output --partial "would: write $UNITS/kubelet.service (mode 0644)"
  assert_output --partial "would: enable kubelet"
  refute_output --partial "changed:"
  after=$(snapshot "$PICC_ROOT"; snapshot "$SHIM_STATE")
  [[ "$before" == "$after" ]] || fail "--dry-run changed the sandbox:
$(diff <(echo "$before") <(echo "$after"))"
  [[ -z "$(mutating_calls)" ]] || fail "--dry-run called: $(mutating_calls)"
}

@test "binaries: a finished node whose kubelet binary went missing gets it back and the running kubelet restarted; then nothing more" {
  binaries_node worker-1
  run_setup
  assert_success
  rm "$PICC_ROOT/usr/local/bin/kubelet"
  run_setup
  assert_success
  assert_output --partial "changed: install kubelet $BIN_K8S_VERSION as /usr/local/bin/kubelet"
  refute_output --partial "changed: install kubeadm"
  assert_called "systemctl restart kubelet"
  refute_exists /var/lib/picc/owed/kubelet-restart
  rerun_changes_nothing
}
