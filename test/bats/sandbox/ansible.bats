#!/usr/bin/env bats
# The Ansible export (<cluster>/ansible/) run for real by ansible-playbook, with a local
# connection, against sandbox boards: one control plane and two workers on Raspberry Pi
# OS bookworm. The shipped inventory and site.yml are used as compiled; a second inventory
# written by helpers/ansible only points each host at its sandbox (ansible_connection: local,
# no become, and the documented picc_environment / picc_remote_dir). Needs ansible-core
# (Debian's ansible-core): the test fails without it.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'
load 'helpers/ansible'

setup_file() {
  need_ansible
  sandbox_setup_file # the shims and the fake artifacts
  sed -e 's/^  name: matrix$/  name: fleet/' "$SANDBOX_DIR/fixtures/matrix.yaml" >"$BATS_FILE_TMPDIR/fleet.yaml"
  printf '    - name: worker-2\n      address: 192.168.1.105\n' >>"$BATS_FILE_TMPDIR/fleet.yaml"
  compile_cluster "$BATS_FILE_TMPDIR/fleet" <"$BATS_FILE_TMPDIR/fleet.yaml"
  export SB_CLUSTER_OUT="$BATS_FILE_TMPDIR/fleet/out/fleet"
  export SITE="$SB_CLUSTER_OUT/ansible/site.yml"
}

setup() {
  sandbox_inventory
}

done_mark() { echo "$BATS_TEST_TMPDIR/$1/root/var/lib/picc/done"; }

@test "the playbook sets up the control plane first, then the workers, never beside a running setup; a second run changes nothing" {
  board cp-1
  # cp-1's setup unit is running (as after a first boot off the card) and holds setup's
  # lock until the play has asked systemd about it once: the play must wait for the unit,
  # or its own run of setup.sh would be refused.
  local unit="$SHIM_STATE/systemd/active/picc-setup"
  touch "$unit"
  (flock "$PICC_ROOT/run/picc-setup.lock" bash -c 'for ((i = 0; i < 600; i++)); do
      grep -q "^systemctl status picc-setup.service$" "$1" && break; sleep 0.2; done' - "$SHIM_LOG"
    rm -f "$unit") 3>&- &
  local holder=$!
  board worker-1
  playbook "$SITE"
  wait "$holder"
  assert_success
  assert_line "FAILED - RETRYING: [cp-1]: Wait for a setup already running on the node (540 retries left)."
  local node
  for node in cp-1 worker-1; do
    [[ -f "$(done_mark "$node")" ]] || fail "$node has no done mark"
    assert_recap "$node" 'ok=[0-9]+ +changed=[1-9][0-9]* +unreachable=0 +failed=0 '
  done
  # the plays in rollout order, each host in its own group's play
  local plays
  plays=$(grep -E '^(PLAY|TASK \[Run setup\.sh\]|changed: )' <<<"$output" | grep -v '^PLAY RECAP')
  [[ "$(grep -c '^PLAY \[' <<<"$plays")" == 3 ]] || fail "not three plays: $plays"
  [[ "$plays" =~ ^"PLAY [The first control plane (kubeadm init)]".*"changed: [cp-1]".*"PLAY [The other control planes, one at a time]".*"PLAY [The workers, in batches]".*"changed: [worker-1]" ]] ||
    fail "unexpected order: $plays"
  # for reading (--show-output-of-passing-tests): the plays, and each run's recap
  printf '%s\n' "$plays" "$(sed -n '/^PLAY RECAP/,$p' <<<"$output")"
  # setup.sh was copied owner-only, and its content never shown (it holds the token)
  assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/cp-1/remote/setup.sh")" 700
  cmp "$BATS_TEST_TMPDIR/cp-1/remote/setup.sh" "$SB_CLUSTER_OUT/cp-1/setup.sh"

  playbook "$SITE"
  assert_success
  for node in cp-1 worker-1; do
    assert_recap "$node" 'ok=[0-9]+ +changed=0 +unreachable=0 +failed=0 '
  done
  sed -n '/^PLAY RECAP/,$p' <<<"$output"
}

@test "a failing setup fails its node alone and shows the end of its log; the rest of the batch goes on" {
  board worker-1
  board worker-2
  fail_once modprobe 'br_netfilter' # worker-2's shims: its kernel-modules phase fails
  playbook "$SITE"
  assert_failure 2
  assert_recap worker-1 'ok=[0-9]+ +changed=[1-9][0-9]* +unreachable=0 +failed=0 '
  assert_recap worker-2 'ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=1 .*rescued=1 '
  [[ -f "$(done_mark worker-1)" ]] || fail "worker-1 has no done mark"
  # worker-1 went on to the end of its tasks beside the failed worker-2
  assert_equal "$(sed -n '/^TASK \[Look for the mark of a finished setup\]/,/^TASK /p' <<<"$output" | grep -c '^ok: \[worker-1\]')" 1
  [[ ! -f "$(done_mark worker-2)" ]] || fail "worker-2 has a done mark"
  # the debug task prints worker-2's log tail: the phase and the command that failed
  local shown
  shown=$(sed -n '/^TASK \[Show the end of setup.s log\]/,/^TASK /p' <<<"$output")
  [[ "$shown" == *"ok: [worker-2] => {"* ]] || fail "no log tail for worker-2: $shown"
  [[ "$shown" == *"ERROR in [5/14] kernel modules: command 'modprobe br_netfilter' failed"* ]] || fail "the tail misses the error: $shown"
  [[ "$shown" != *"[worker-1]"* ]] || fail "worker-1's log shown too: $shown"
  assert_line "fatal: [worker-2]: FAILED! => {\"changed\": false, \"msg\": \"picc setup of worker-2 failed; the end of /var/log/picc-setup.log is shown above\"}"
}
