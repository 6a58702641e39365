#!/usr/bin/env bats
# A command failing in the middle of setup.sh: the run stops there, says which phase
# and which command failed, and a re-run without the fault ends in exactly the state
# of a run that never failed.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-bookworm
  # The reference: the same node set up by one uninterrupted run.
  (
    export SB_DIR="$BATS_FILE_TMPDIR/reference"
    make_root raspios-bookworm cp-1
    sandbox_env bash "$SB_SCRIPT" >"$SB_DIR/output" 2>&1 || { cat "$SB_DIR/output" >&2; exit 1; }
    final_state >"$BATS_FILE_TMPDIR/reference.state"
  )
}

assert_same_end_state_as_uninterrupted_run() {
  local got
  got=$(final_state)
  [[ "$got" == "$(cat "$BATS_FILE_TMPDIR/reference.state")" ]] || fail "end state differs from an uninterrupted run:
$(diff "$BATS_FILE_TMPDIR/reference.state" <(echo "$got"))"
}

@test "modprobe failing in phase 5: the error names the phase and the command; a re-run completes" {
  make_root raspios-bookworm cp-1
  fail_once modprobe 'br_netfilter'
  run_setup
  assert_failure
  assert_output --partial "ERROR in [5/15] kernel modules: command 'modprobe br_netfilter' failed with status 1"
  # nothing after the failing phase ran
  refute_output --partial "[6/15]"
  refute_called "sysctl .*"
  refute_called "kubeadm .*"
  refute_exists /var/lib/picc/done

  run_setup
  assert_success
  assert_line "cp-1 is set up: $(grep -c 'changed: ' <<<"$output") change(s) made"
  assert_called "modprobe br_netfilter"
  # done in the failed run, so not again
  refute_called "modprobe overlay"
  assert_exists /var/lib/picc/done
  assert_same_end_state_as_uninterrupted_run
}

@test "apt-get install failing in phase 9: the error names the phase and the command; a re-run completes" {
  make_root raspios-bookworm cp-1
  fail_once apt-get '*install*kubeadm=*'
  run_setup
  assert_failure
  assert_output --partial "ERROR in [9/15] Kubernetes packages: command 'env DEBIAN_FRONTEND=noninteractive apt-get"
  assert_output --partial "kubeadm=$K8S_VERSION-1.1 kubectl=$K8S_VERSION-1.1 kubelet=$K8S_VERSION-1.1' failed with status 1"
  refute_output --partial "[10/15]"
  refute_called "apt-mark hold .*"
  refute_called "curl .*containerd.*"

  run_setup
  assert_success
  assert_called "apt-get .* install .*kubeadm=$K8S_VERSION-1\\.1 .*"
  assert_same_end_state_as_uninterrupted_run
}

@test "a kernel setting that does not stick (a later sysctl.d file wins): phase 6 stops and says why" {
  make_root raspios-bookworm cp-1
  printf 'net.ipv4.ip_forward = 0\n' >"$PICC_ROOT/etc/sysctl.d/99-local.conf"
  run_setup
  assert_failure
  assert_output --partial "ERROR in [6/15] kernel settings (sysctl): net.ipv4.ip_forward is still 0 after sysctl --system, wants 1"
  refute_output --partial "[7/15]"
  refute_called "kubeadm (init|join) .*"
}
