#!/usr/bin/env bats
# cmdline.txt edge cases (the plain case, two runs on every OS, is in matrix.bats):
# the firmware reads one line, so the file must stay one line, the memory-cgroup token
# must appear once, and the other tokens must be left alone.
# To keep these fast, each run is stopped in the phase after the kernel command line
# (a failing swapoff); the cmdline phase itself runs in full.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-bullseye ubuntu-22.04
}

run_until_swap_phase() {
  fail_once swapoff '*'
  run_setup
  assert_failure
  assert_output --regexp "ERROR in \[8/1[45]\] swap off: command 'swapoff -a' failed"
}

@test "cmdline.txt without a final newline and with odd spacing: token appended once, one line, over two runs" {
  make_root raspios-bullseye cp-1
  printf 'console=serial0,115200  console=tty1 root=PARTUUID=abcd-02 rootfstype=ext4 fsck.repair=yes rootwait ' >"$PICC_ROOT/boot/cmdline.txt"
  run_until_swap_phase
  assert_output --partial "changed: write /boot/cmdline.txt"
  run_until_swap_phase
  refute_output --partial "cmdline.txt"
  assert_content /boot/cmdline.txt <<<"console=serial0,115200 console=tty1 root=PARTUUID=abcd-02 rootfstype=ext4 fsck.repair=yes rootwait cgroup_enable=memory"
  refute_exists /boot/firmware
}

@test "cmdline.txt that already has the token: left exactly as it was" {
  make_root ubuntu-22.04 worker-1
  local line="console=serial0,115200 cgroup_enable=memory console=tty1 root=LABEL=writable rootfstype=ext4 rootwait fixrtc"
  printf '%s\n' "$line" >"$PICC_ROOT/boot/firmware/cmdline.txt"
  run_until_swap_phase
  refute_output --partial "cmdline.txt"
  assert_content /boot/firmware/cmdline.txt <<<"$line"
}
