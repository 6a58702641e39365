#!/usr/bin/env bats
# Driver for `npm run bench` (not part of the test suite): brings one sandbox node to its
# converged state with a first setup.sh run, then runs setup.sh again BENCH_RUNS times,
# timing each whole bash process. Writes "seconds changes" lines to $BENCH_RERUN_OUT.

load '../node_modules/bats-support/load'
load '../node_modules/bats-assert/load'
load '../test/bats/sandbox/helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-bookworm
}

@test "second setup.sh run on a converged control plane" {
  [[ -n "${BENCH_RERUN_OUT:-}" ]] || fail "BENCH_RERUN_OUT is not set (run through npm run bench)"
  make_root raspios-bookworm cp-1
  run_setup
  assert_success
  local i t0 t1 log="$BATS_TEST_TMPDIR/rerun.log" changes
  : >"$BENCH_RERUN_OUT"
  for ((i = 0; i < ${BENCH_RUNS:-9}; i++)); do
    t0=$EPOCHREALTIME
    sandbox_env bash "$SB_SCRIPT" >"$log" 2>&1 || { cat "$log"; fail "the second run failed"; }
    t1=$EPOCHREALTIME
    # The script's own last word: "… already set up: 0 changes" or "… set up: N change(s) made".
    if grep -q 'is already set up: 0 changes$' "$log"; then
      changes=0
    else
      changes=$(sed -n 's/.* is set up: \([0-9]*\) change(s) made$/\1/p' "$log")
      [[ -n "$changes" ]] || { cat "$log"; fail "no change count in the output"; }
    fi
    printf '%s %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')" "$changes" >>"$BENCH_RERUN_OUT"
  done
}
