#!/usr/bin/env bats
# Ubuntu 22.04's Pi kernel keeps vxlan in linux-modules-extra-raspi, which matches the
# newest kernel, not the running one: installing it can bring a newer kernel whose modules
# the running kernel cannot load. A CNI module found only in that newer kernel waits for
# the reboot into it; overlay and br_netfilter, needed before, never wait.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file ubuntu-22.04
}

RUNNING=5.15.0-1060-raspi
NEWER=5.15.0-1065-raspi

# kernels KERNEL... — the kernels whose modules are installed; the first one runs.
kernels() {
  local k
  for k in "$@"; do mkdir -p "$PICC_ROOT/lib/modules/$k"; done
  echo "$1" >"$SHIM_STATE/kernel-release"
}

@test "vxlan only in the newer installed kernel: not loaded now, the reboot is asked for, and after it vxlan loads" {
  make_root ubuntu-22.04 worker-1
  kernels "$RUNNING" "$NEWER"
  echo "$RUNNING vxlan" >"$SHIM_STATE/modules-missing"
  run_setup --reboot
  assert_success
  assert_output --partial "kernel module vxlan is in kernel $NEWER, installed but not running yet: it loads after the reboot"
  assert_output --partial "reboot needed: kernel modules vxlan are in the newer kernel installed with the packages"
  refute_called "modprobe vxlan"
  assert_called "modprobe br_netfilter"
  assert_called "systemctl reboot"
  refute_called "kubeadm (init|join) .*"

  # the board comes back in the newer kernel
  echo 3b1f6a0e-0000-4000-8000-000000000002 >"$PICC_ROOT/proc/sys/kernel/random/boot_id"
  echo "$NEWER" >"$SHIM_STATE/kernel-release"
  run_script "$PICC_ROOT/usr/local/sbin/picc-setup" --unattended
  assert_success
  assert_called "modprobe vxlan"
  assert_exists /var/lib/picc/done
}

@test "vxlan still missing after the reboot (the firmware booted the old kernel): the resumed run stops and says why" {
  make_root ubuntu-22.04 worker-1
  kernels "$RUNNING" "$NEWER"
  echo "$RUNNING vxlan" >"$SHIM_STATE/modules-missing"
  run_setup --reboot
  assert_success
  echo 3b1f6a0e-0000-4000-8000-000000000002 >"$PICC_ROOT/proc/sys/kernel/random/boot_id"
  run_script "$PICC_ROOT/usr/local/sbin/picc-setup" --unattended
  assert_failure
  assert_output --partial "ERROR in [11/14] reboot if needed: still needed after the reboot: kernel modules vxlan are in the newer kernel installed with the packages"
  refute_exists /var/lib/picc/done
}

@test "vxlan in no installed kernel: modprobe fails in phase 5 with its own message" {
  make_root ubuntu-22.04 worker-1
  kernels "$RUNNING"
  echo "$RUNNING vxlan" >"$SHIM_STATE/modules-missing"
  run_setup
  assert_failure
  assert_output --partial "modprobe: FATAL: Module vxlan not found in directory /lib/modules/$RUNNING"
  assert_output --partial "ERROR in [5/14] kernel modules: command 'modprobe vxlan' failed with status 1"
}

@test "br_netfilter is never left for later, even when a newer kernel has it" {
  make_root ubuntu-22.04 worker-1
  kernels "$RUNNING" "$NEWER"
  echo "$RUNNING br_netfilter" >"$SHIM_STATE/modules-missing"
  run_setup
  assert_failure
  assert_output --partial "ERROR in [5/14] kernel modules: command 'modprobe br_netfilter' failed with status 1"
}
