#!/usr/bin/env bats
# Unattended setup (the setup unit at boot, --unattended): a failure in a phase that needs
# the network is retried with a doubling pause, a bounded number of times; any other
# failure stops at once. Either way the status file on the boot partition tells a user
# who pulls the card what happened; when the node is done, the seed files that held its
# secrets are emptied.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
}

STATUS=/boot/firmware/picc-status.txt

# The shim calls of the last run that are pauses between attempts.
pauses() { grep -E '^sleep [0-9]+$' "$SB_LAST_CALLS" | cut -d' ' -f2 | paste -sd' ' - || true; }

@test "a download failing once in the container runtime phase: retried after 30 s, then the node is set up" {
  make_root raspios-trixie worker-1
  fail_once curl '*containerd-*'
  run_setup --unattended
  assert_success
  assert_output --partial "ERROR in [10/14] container runtime: command 'curl"
  assert_output --partial "picc setup: attempt 1 of 8 failed in a phase that needs the network; trying again in 30s"
  assert_output --partial "(attempt 2 of 8)"
  assert_equal "$(pauses)" 30
  assert_exists /var/lib/picc/done
  assert_line "worker-1 is set up: $(grep -c 'changed: ' <<<"$(sed -n '/(attempt 2 of 8)/,$p' <<<"$output")") change(s) made"
  run cat "$PICC_ROOT$STATUS"
  assert_line --index 0 "picc setup of worker-1: done"
  refute_output --partial "ERROR"
}

@test "a mirror down for good: eight attempts, pauses doubling to 10 minutes, then it stops and the card says why" {
  make_root raspios-trixie worker-1
  # every download is refused: the first is the Kubernetes signing key, in phase 9
  touch "$SHIM_STATE/mirror-down"
  run_setup --unattended
  assert_failure
  assert_equal "$(pauses)" "30 60 120 240 480 600 600"
  assert_equal "$(grep -c '^picc setup for worker-1' <<<"$output")" 8
  assert_output --partial "picc setup: setup stopped after attempt 8 of 8"
  refute_exists /var/lib/picc/done
  run cat "$PICC_ROOT$STATUS"
  assert_line --index 0 "picc setup of worker-1: failed"
  assert_line "phase: [9/14] Kubernetes packages"
  assert_output --partial "ERROR in [9/14] Kubernetes packages: command 'curl"
  assert_output --partial "last lines of the log:"
}

@test "a failure in a phase that needs no network is not retried: one attempt, the card names phase and error" {
  make_root raspios-trixie worker-1
  fail_once modprobe 'br_netfilter'
  run_setup --unattended
  assert_failure
  assert_equal "$(grep -c '^picc setup for worker-1' <<<"$output")" 1
  assert_equal "$(pauses)" ""
  assert_output --partial "picc setup: setup stopped after attempt 1 of 8 (status 1)"
  run cat "$PICC_ROOT$STATUS"
  assert_line --index 0 "picc setup of worker-1: failed"
  assert_line "phase: [5/14] kernel modules"
  assert_line "ERROR in [5/14] kernel modules: command 'modprobe br_netfilter' failed with status 1 (line $(grep -o 'line [0-9]*' <<<"$output" | head -n 1 | cut -d' ' -f2))"
  assert_output --partial "  [5/14] kernel modules"
}

@test "a run by hand (no --unattended) is never retried" {
  make_root raspios-trixie worker-1
  fail_once curl '*containerd-*'
  run_setup
  assert_failure
  assert_equal "$(pauses)" ""
  refute_output --partial "attempt"
  run cat "$PICC_ROOT$STATUS"
  assert_line --index 0 "picc setup of worker-1: failed"
}

@test "while it runs, the card shows the phase; before its reboot it says so" {
  make_root raspios-trixie worker-1 --no-memory
  run_setup --unattended
  assert_success
  assert_called "systemctl reboot"
  run cat "$PICC_ROOT$STATUS"
  assert_line --index 0 "picc setup of worker-1: rebooting; setup goes on after the boot"
  assert_line "phase: [11/14] reboot if needed"
  assert_line "log on the board: /var/log/picc-setup.log"
}

@test "no boot partition (a board that boots otherwise): no status file, and setup does not mind" {
  make_root raspios-trixie worker-1
  rm -f "$PICC_ROOT/boot/firmware/cmdline.txt"
  run_setup
  assert_success
  refute_exists "$STATUS"
  refute_exists "$STATUS.picc-new"
}

@test "done: picc's user-data for this node is emptied on the card; another node's, or the image's, is kept" {
  make_root raspios-trixie worker-1
  local seed
  seed=$(dirname "$SB_SCRIPT")/user-data
  cp "$seed" "$PICC_ROOT/boot/firmware/user-data"
  grep -q 'BEGIN' "$PICC_ROOT/boot/firmware/user-data" || fail "the seed holds no key or certificate; the test would prove nothing"
  run_setup
  assert_success
  assert_output --partial "changed: empty /boot/firmware/user-data on the boot partition (it held this node's secrets)"
  run cat "$PICC_ROOT/boot/firmware/user-data"
  assert_output "#cloud-config
# picc: worker-1 is set up. This file held its secrets and was emptied by setup.
# To set the board up again from this card, run picc boot once more."
  # the secrets are gone, and cloud-init still reads a cloud-config
  refute_output --partial "token"
  # once only
  run_setup
  assert_success
  refute_output --partial "empty /boot/firmware/user-data"

  # another node's seed (a card moved between boards) and the image's own are not picc's to touch
  for other in "$(dirname "$SB_SCRIPT")/../cp-1/user-data" <(printf '#cloud-config\n# the image'"'"'s own\nhostname: raspberrypi\n'); do
    make_root raspios-trixie worker-1
    cp "$other" "$PICC_ROOT/boot/firmware/user-data"
    before=$(sha256sum <"$PICC_ROOT/boot/firmware/user-data")
    run_setup
    assert_success
    assert_equal "$(sha256sum <"$PICC_ROOT/boot/firmware/user-data")" "$before"
  done
}

@test "--dry-run writes no status file and empties nothing" {
  make_root raspios-trixie worker-1
  cp "$(dirname "$SB_SCRIPT")/user-data" "$PICC_ROOT/boot/firmware/user-data"
  before=$(sha256sum <"$PICC_ROOT/boot/firmware/user-data")
  run_setup --dry-run
  assert_success
  assert_output --partial "would: empty /boot/firmware/user-data on the boot partition"
  refute_exists "$STATUS"
  assert_equal "$(sha256sum <"$PICC_ROOT/boot/firmware/user-data")" "$before"
}
