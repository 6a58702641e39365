#!/usr/bin/env bats
# At first boot apt-daily and unattended-upgrades hold /var/lib/apt/lists/lock, which
# DPkg::Lock::Timeout does not cover: `apt-get update` fails at once. Setup waits for
# that lock (bounded), and stops at once on any other failure of the update.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-bookworm
}

update_calls() { grep -c '^apt-get .* update' "$SB_LAST_CALLS" || true; }

@test "the lists' lock held for two tries: setup waits, tries again and finishes" {
  make_root raspios-bookworm worker-1
  echo 2 >"$SHIM_STATE/apt-lists-locked"
  run_setup
  assert_success
  assert_output --partial "the package lists are locked (apt-daily or unattended-upgrades); waiting (0s of 600s)"
  assert_output --partial "waiting (10s of 600s)"
  assert_equal "$(grep -c 'the package lists are locked' <<<"$output")" 2
  assert_output --regexp "worker-1 is set up: [0-9]+ change"
}

@test "an update failing for another reason stops at once, with apt's words" {
  make_root raspios-bookworm worker-1
  fail_once apt-get '*update*'
  run_setup
  assert_failure
  assert_equal "$(update_calls)" 1
  refute_output --partial "the package lists are locked"
  assert_output --partial "refresh the package lists"
}

@test "a lock that is never released ends in an error after the limit, not a hang" {
  make_root raspios-bookworm worker-1
  echo 1000 >"$SHIM_STATE/apt-lists-locked"
  run_setup
  assert_failure
  assert_output --partial "Could not get lock /var/lib/apt/lists/lock"
  assert_output --partial "waiting (590s of 600s)"
  assert_equal "$(update_calls)" 61
}
