#!/usr/bin/env bats
# containerd only reads its configuration and unit at start: a run that changes either
# restarts it (after a daemon-reload for the unit). The owed restart is remembered on
# disk, so a run that fails after the change but before the restart leaves it to the
# next run, which has nothing left to write and must still restart.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
  # One finished worker, copied into each test.
  (
    export SB_DIR="$BATS_FILE_TMPDIR/ready"
    make_root raspios-trixie worker-1
    sandbox_env bash "$SB_SCRIPT" >"$SB_DIR/output" 2>&1 || { cat "$SB_DIR/output" >&2; exit 1; }
  )
}

CONFIG=/etc/containerd/config.toml
UNIT=/usr/local/lib/systemd/system/containerd.service

# A finished node: the root and the shims' state of the setup_file run.
finished_node() {
  make_root raspios-trixie worker-1
  rm -rf "$PICC_ROOT" "$SHIM_STATE"
  cp -a "$BATS_FILE_TMPDIR/ready/root" "$PICC_ROOT"
  cp -a "$BATS_FILE_TMPDIR/ready/state" "$SHIM_STATE"
}

@test "a finished node: no restart, nothing owed" {
  finished_node
  run_setup
  assert_success
  refute_called "systemctl .*(restart|daemon-reload).*"
}

@test "config changed and the restart fails: the run stops; the next run, with nothing to write, restarts containerd" {
  finished_node
  printf '# edited by hand\n' >>"$PICC_ROOT$CONFIG"
  fail_once systemctl 'restart containerd'
  run_setup
  assert_failure
  assert_output --partial "changed: write $CONFIG (mode 0644)"
  assert_output --partial "ERROR in [10/14] container runtime: command 'systemctl restart containerd' failed"

  run_setup
  assert_success
  refute_output --partial "changed: write $CONFIG"
  assert_output --partial "changed: restart containerd to apply its new configuration"
  assert_called "systemctl restart containerd"

  # owed once, done once
  run_setup
  assert_success
  refute_called "systemctl .*restart.*"
}

@test "unit changed and daemon-reload fails: the next run reloads the units, then restarts containerd" {
  finished_node
  printf '# edited by hand\n' >>"$PICC_ROOT$UNIT"
  fail_once systemctl 'daemon-reload'
  run_setup
  assert_failure
  assert_output --partial "changed: write $UNIT (mode 0644)"
  assert_output --partial "ERROR in [10/14] container runtime: command 'systemctl daemon-reload' failed"
  refute_called "systemctl restart containerd"

  run_setup
  assert_success
  refute_output --partial "changed: write $UNIT"
  assert_called "systemctl daemon-reload"
  assert_called "systemctl restart containerd"
  # the reload comes before the restart
  [[ "$(grep -n -e '^systemctl daemon-reload$' -e '^systemctl restart containerd$' "$SB_LAST_CALLS" | cut -d: -f2-)" == \
    $'systemctl daemon-reload\nsystemctl restart containerd' ]] || fail "reload and restart out of order:
$(last_run_calls)"

  run_setup
  assert_success
  refute_called "systemctl .*(restart|daemon-reload).*"
}
