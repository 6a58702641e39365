#!/usr/bin/env bats
# The reboot path: the memory cgroup is off until cmdline.txt takes effect at boot, so
# the first run prepares its own resumption (systemd unit + copy of itself), marks the
# pending reboot and stops; after the reboot the resumed run finishes the node.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-bookworm
}

SETUP_UNIT=/etc/systemd/system/picc-setup.service

# first_run_stops_for_reboot [ARGS] — a board without the memory cgroup.
first_run_stops_for_reboot() {
  make_root raspios-bookworm cp-1 --no-memory
  run_setup "$@"
  assert_success
  assert_output --partial "reboot needed: the memory cgroup is enabled only after a reboot (cmdline.txt)"
  assert_contains /boot/firmware/cmdline.txt "cgroup_enable=memory"
  # what resumes the setup after the boot
  assert_mode "$SETUP_UNIT" 0644
  assert_contains "$SETUP_UNIT" "ExecStart=/usr/local/sbin/picc-setup --unattended"
  assert_mode /usr/local/sbin/picc-setup 0700
  cmp -s "$SB_SCRIPT" "$PICC_ROOT/usr/local/sbin/picc-setup" || fail "/usr/local/sbin/picc-setup is not this script"
  assert_called "systemctl enable picc-setup.service"
  [[ -f "$SHIM_STATE/systemd/enabled/picc-setup" ]] || fail "the setup unit is not enabled"
  # the mark holds the boot it was made in
  [[ "$(cat "$PICC_ROOT/var/lib/picc/reboot-pending")" == "$(cat "$PICC_ROOT/proc/sys/kernel/random/boot_id")" ]] ||
    fail "reboot-pending does not hold this boot's id"
  # it stopped before kubeadm
  refute_output --partial "[12/15]"
  refute_called "kubeadm (init|join) .*"
  refute_exists /var/lib/picc/done
}

# The board comes back: a new boot id, and the memory cgroup as cmdline.txt asks.
reboot_board() {
  echo 3b1f6a0e-0000-4000-8000-000000000002 >"$PICC_ROOT/proc/sys/kernel/random/boot_id"
  if [[ "${1:-}" != --memory-still-off ]]; then
    echo "cpuset cpu io memory pids" >"$PICC_ROOT/sys/fs/cgroup/cgroup.controllers"
  fi
}

@test "memory cgroup off: the first run prepares the resume and asks for a reboot; after it the resumed run finishes the node" {
  first_run_stops_for_reboot
  assert_output --partial "Reboot this board to continue: sudo reboot"
  # without --reboot it leaves the reboot to the user
  refute_called "systemctl reboot"

  reboot_board
  # what the setup unit runs
  run_script "$PICC_ROOT/usr/local/sbin/picc-setup" --unattended
  assert_success
  assert_line "cp-1 is set up: $(grep -c 'changed: ' <<<"$output") change(s) made"
  assert_called "kubeadm init --config $PICC_ROOT/etc/picc/kubeadm\\.yaml"
  assert_called "systemctl disable picc-setup.service"
  [[ ! -f "$SHIM_STATE/systemd/enabled/picc-setup" ]] || fail "the setup unit is still enabled"
  refute_exists "$SETUP_UNIT"
  refute_exists /var/lib/picc/reboot-pending
  refute_called "systemctl reboot"
  assert_exists /var/lib/picc/done

  run_setup
  assert_success
  assert_line "cp-1 is already set up: 0 changes"
}

@test "memory cgroup off, --reboot: it reboots by itself; a boot that still lacks the memory cgroup stops the resumed run" {
  first_run_stops_for_reboot --reboot
  assert_output --partial "Rebooting now; setup resumes after boot"
  # the reboot is the last thing it does
  [[ "$(tail -n 1 "$SB_LAST_CALLS")" == "systemctl reboot" ]] || fail "calls after the reboot: $(last_run_calls)"

  reboot_board --memory-still-off
  run_script "$PICC_ROOT/usr/local/sbin/picc-setup" --unattended
  assert_failure
  assert_output --partial "ERROR in [11/15] reboot if needed: still needed after the reboot: the memory cgroup is enabled only after a reboot (cmdline.txt). Check /boot/firmware/cmdline.txt"
  # no reboot loop
  refute_called "systemctl reboot"
  refute_called "kubeadm (init|join) .*"
  refute_exists /var/lib/picc/done
}

@test "static address not live yet: the first run stops for the reboot that applies it" {
  make_root raspios-bookworm worker-1 --ip 192.168.1.57/24
  run_setup
  assert_success
  assert_output --partial "eth0 gets 192.168.1.102/24 at the next boot"
  assert_output --partial "reboot needed: the static address 192.168.1.102/24 applies at boot"
  assert_exists "$SETUP_UNIT"
  refute_called "kubeadm (init|join) .*"
  refute_called "systemctl reboot"
}
