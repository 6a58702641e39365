#!/usr/bin/env bats
# Downloads are verified before anything is unpacked: bytes that do not match the
# pinned sha256 stop the script, and nothing from any artifact is installed.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
}

# serve_tampered FILE — the download server hands out other bytes for FILE.
serve_tampered() { printf 'not the release you pinned\n' >"$SHIM_STATE/serve/$1"; }

refute_runtime_installed() {
  refute_exists /usr/local/bin/containerd
  refute_exists /usr/local/sbin/runc
  refute_exists /opt/cni/bin
  refute_exists /var/lib/picc/installed
  refute_called "tar .*"
  refute_called "systemctl (enable|start|restart) containerd"
  # no later phase ran (the reboot check is phase 11 of 15 or 14)
  refute_output --partial "[11/1"
  refute_called "kubeadm (init|join) .*"
  refute_exists /var/lib/picc/done
}

@test "containerd with the wrong sha256: stops, names it, installs nothing" {
  make_root raspios-trixie cp-1
  serve_tampered "containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz"
  run_setup
  assert_failure
  assert_output --partial "ERROR in [10/15] container runtime: checksum mismatch for containerd (https://github.com/containerd/containerd/releases/download/v$CONTAINERD_VERSION/containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz)"
  assert_output --partial "got $(sha_of "$SHIM_STATE/serve/containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz"). Nothing was installed from it."
  refute_runtime_installed
  # the bad bytes are not kept
  refute_exists "/var/cache/picc/downloads/containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz"
  refute_exists "/var/cache/picc/downloads/containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz.part"
}

@test "CNI plugins with the wrong sha256 (containerd and runc fine): nothing is installed; the right bytes then install" {
  make_root raspios-trixie worker-1
  serve_tampered "cni-plugins-linux-arm64-v$CNI_VERSION.tgz"
  run_setup
  assert_failure
  assert_output --partial "ERROR in [10/14] container runtime: checksum mismatch for cni-plugins"
  # containerd and runc were downloaded and verified, yet not unpacked
  assert_exists "/var/cache/picc/downloads/containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz"
  assert_exists /var/cache/picc/downloads/runc.arm64
  refute_exists "/var/cache/picc/downloads/cni-plugins-linux-arm64-v$CNI_VERSION.tgz"
  refute_exists "/var/cache/picc/downloads/cni-plugins-linux-arm64-v$CNI_VERSION.tgz.part"
  refute_runtime_installed

  rm "$SHIM_STATE/serve/cni-plugins-linux-arm64-v$CNI_VERSION.tgz"
  run_setup
  assert_success
  # verified copies are reused, only the missing one is fetched
  refute_called "curl .*containerd-$CONTAINERD_VERSION.*"
  assert_called "curl .* https://github.com/containernetworking/plugins/releases/download/v$CNI_VERSION/cni-plugins-linux-arm64-v$CNI_VERSION.tgz"
  assert_mode /opt/cni/bin/bridge 0755
  assert_exists /var/lib/picc/done
}
