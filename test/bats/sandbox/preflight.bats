#!/usr/bin/env bats
# Preflight stops on the wrong machine before anything changes. Only the script's own
# bookkeeping (its log, lock and state directory) may appear.

# shellcheck disable=SC2030,SC2031,SC2034 # each test is its own subshell; the helpers read SB_*
load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-bookworm ubuntu-24.04
}

# Runs the script and checks that it stopped in preflight having changed nothing but its
# own record of why: the log, last-error, and the status file on the boot partition.
run_stops_in_preflight() {
  local before after status
  before=$(snapshot "$PICC_ROOT"; snapshot "$SHIM_STATE")
  run_setup
  assert_failure
  refute_output --partial "[2/1"
  after=$(snapshot "$PICC_ROOT" | grep -v -e '^\./var/lib/picc ' -e '^\./var/log/picc-setup\.log ' -e '^\./run/picc-setup\.lock ' \
    -e ' \./var/log/picc-setup\.log$' -e ' \./run/picc-setup\.lock$' \
    -e '^\./var/lib/picc/last-error ' -e ' \./var/lib/picc/last-error$' -e 'picc-status\.txt'; snapshot "$SHIM_STATE")
  [[ "$before" == "$after" ]] || fail "preflight changed the board:
$(diff <(echo "$before") <(echo "$after"))"
  # Not root: nothing at all. Otherwise only last-error, and the card says where it stopped.
  [[ -d "$PICC_ROOT/var/lib/picc" ]] || { refute_exists /boot/firmware/picc-status.txt; return 0; }
  [[ "$(ls -A "$PICC_ROOT/var/lib/picc")" == last-error ]] || fail "state written: $(ls -A "$PICC_ROOT/var/lib/picc")"
  status=$(cat "$PICC_ROOT"/boot/firmware/picc-status.txt)
  [[ "$status" == *": failed"*"phase: [1/"*"] preflight checks"* ]] || fail "status file: $status"
  [[ -z "$(mutating_calls)" ]] || fail "preflight called: $(mutating_calls)"
}

@test "wrong OS: the Raspberry Pi OS 12 script on an Ubuntu 24.04 board stops, naming both" {
  make_root ubuntu-24.04 cp-1
  SB_SCRIPT=$(script_for raspios-bookworm cp-1)
  run_stops_in_preflight
  assert_output --partial "ERROR in [1/15] preflight checks: the spec says this node runs Raspberry Pi OS 12 (bookworm) (debian 12), but /etc/os-release says ubuntu 24.04"
}

@test "wrong OS release: the Ubuntu 24.04 script on Raspberry Pi OS 12 stops, naming both" {
  make_root raspios-bookworm worker-1
  SB_SCRIPT=$(script_for ubuntu-24.04 worker-1)
  run_stops_in_preflight
  assert_output --partial "the spec says this node runs Ubuntu Server 24.04 LTS (ubuntu 24.04), but /etc/os-release says debian 12"
}

@test "loopback nameserver in the kubelet's resolv.conf: stops with the CoreDNS loop explanation" {
  make_root raspios-bookworm cp-1
  printf 'nameserver 127.0.0.1\n' >"$PICC_ROOT/etc/resolv.conf"
  run_stops_in_preflight
  assert_output --partial "ERROR in [1/15] preflight checks: /etc/resolv.conf lists a loopback nameserver, which makes CoreDNS forward to itself (a loop)."
}

@test "Ubuntu: the stub resolver in /etc/resolv.conf is fine, a loopback server in systemd-resolved's file is not" {
  make_root ubuntu-24.04 worker-1
  printf 'nameserver 127.0.0.53\n' >"$PICC_ROOT/run/systemd/resolve/resolv.conf"
  run_stops_in_preflight
  assert_output --partial "/run/systemd/resolve/resolv.conf lists a loopback nameserver, which makes CoreDNS forward to itself"
}

@test "not root: stops and says to run as root, before writing anything" {
  [[ "$(id -u)" == 0 ]] && command -v setpriv >/dev/null || skip "needs root and setpriv (util-linux) to drop privileges"
  make_root raspios-bookworm worker-1
  # Really unprivileged, so writes fail as they would on a board: the script, its
  # shims and the root must be reachable for that user.
  chmod o+x "$BATS_RUN_TMPDIR"
  install -m 0755 "$SB_SCRIPT" "$BATS_TEST_TMPDIR/setup.sh"
  SB_SCRIPT="$BATS_TEST_TMPDIR/setup.sh"
  chmod 0666 "$SHIM_LOG"
  SB_EXTRA_ENV=(SHIM_UID=65534)
  SB_RUNNER=("$(command -v setpriv)" --reuid=65534 --regid=65534 --clear-groups)
  run_stops_in_preflight
  assert_output --partial "run as root (sudo $SB_SCRIPT)"
  refute_output --partial "Permission denied"
  refute_exists /var/lib/picc
  refute_exists /var/log/picc-setup.log
}

@test "not a 64-bit ARM board: stops, naming the machine" {
  make_root raspios-bookworm worker-1
  SB_EXTRA_ENV=(SHIM_MACHINE=armv7l)
  run_stops_in_preflight
  assert_output --partial "this script is for a 64-bit aarch64 board; this machine is armv7l"
}

@test "too little free space under /var: stops, naming both sizes" {
  make_root raspios-bookworm worker-1
  SB_EXTRA_ENV=(SHIM_FREE_MIB=1000)
  run_stops_in_preflight
  assert_output --partial "only 1000 MiB free under /var; Kubernetes images need at least 4096 MiB"
}
