#!/usr/bin/env bats
# setup.sh --dry-run says what it would change and changes nothing: every file under
# the root is byte-for-byte the same afterwards and no command that changes a system
# is called. (A --dry-run on finished nodes, which must find nothing to do, is in
# matrix.bats.)

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-bullseye raspios-bookworm raspios-trixie ubuntu-22.04 ubuntu-24.04
}

# dry_run_changes_nothing — on the current sandbox.
dry_run_changes_nothing() {
  local before after
  before=$(snapshot "$PICC_ROOT"; snapshot "$SHIM_STATE")
  run_setup --dry-run
  assert_success
  assert_line "picc setup for $SB_NODE — dry run: nothing will be changed"
  refute_output --partial "changed:"
  after=$(snapshot "$PICC_ROOT"; snapshot "$SHIM_STATE")
  [[ "$before" == "$after" ]] || fail "--dry-run changed the sandbox:
$(diff <(echo "$before") <(echo "$after"))"
  [[ -z "$(mutating_calls)" ]] || fail "--dry-run called: $(mutating_calls)"
}

@test "raspios-bullseye control plane: --dry-run on a fresh board lists the changes and makes none" {
  make_root raspios-bullseye cp-1
  dry_run_changes_nothing
  assert_line --regexp '^dry run: [1-9][0-9]* change\(s\) would be made$'
  assert_output --partial "would: write /etc/dhcpcd.conf"
  assert_output --partial "would: initialise the control plane (kubeadm init)"
}

@test "raspios-bookworm worker: --dry-run on a fresh board lists the changes and makes none" {
  make_root raspios-bookworm worker-1
  dry_run_changes_nothing
  assert_output --partial "would: join the cluster as a worker (kubeadm join)"
  assert_output --partial "would: download containerd from"
}

@test "raspios-trixie control plane: --dry-run with the memory cgroup off makes no reboot preparations" {
  make_root raspios-trixie cp-1 --no-memory
  dry_run_changes_nothing
  assert_output --partial "would: reboot, then resume with /usr/local/sbin/picc-setup --unattended"
}

@test "ubuntu-22.04 worker: --dry-run on a fresh board lists the changes and makes none" {
  make_root ubuntu-22.04 worker-1
  dry_run_changes_nothing
  assert_output --partial "would: write /etc/netplan/90-picc.yaml (mode 0600)"
}

@test "a package removed with its configuration kept (dpkg's rc) counts as missing: one dpkg-query asks for all" {
  make_root raspios-bookworm worker-1
  rm "$SHIM_STATE/dpkg/iptables"
  mkdir -p "$SHIM_STATE/dpkg-removed"
  touch "$SHIM_STATE/dpkg-removed/iptables"
  dry_run_changes_nothing
  assert_line --regexp '^      would: install .*\<iptables\>.*$'
  # the required packages are asked about at once, not one dpkg-query each
  assert_called 'dpkg-query -W -f=\$\{Package\} \$\{Status\}\\n ([a-z0-9.-]+ ){3,}[a-z0-9.-]+'
}
