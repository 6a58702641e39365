#!/usr/bin/env bats
# Workers and joining control planes wait for the cluster's API server before kubeadm
# join. One that never answers ends the run with the timeout error after a bounded
# number of tries: not a hang, not a join, not a success. (sleep is a no-op shim here,
# so the full hour of tries costs seconds; the real timeout command guards against a hang.)

# shellcheck disable=SC2034 # SB_RUNNER and SB_EXTRA_ENV are read by the sandbox helpers
load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
  compile_cluster "$BATS_FILE_TMPDIR/ha" <"$SANDBOX_DIR/fixtures/ha.yaml"
}

LIMIT=3600 # node.kubeadm.waitTimeoutSeconds
TRIES=$((LIMIT / 10 + 1)) # one at 0s, then every 10s up to the limit

# run_with_api_down — setup.sh against an API server that never answers, killed if it hangs.
run_with_api_down() {
  touch "$SHIM_STATE/api-down"
  SB_RUNNER=("$(command -v timeout)" 120)
  run_setup
  ((status != 124)) || fail "setup.sh still waited after 120s: it hangs instead of timing out"
}

# assert_gave_up URL — the run ended in the timeout error for URL after exactly TRIES tries.
assert_gave_up() {
  local url=$1 tries
  assert_failure 1
  assert_output --regexp "ERROR in \[12/1[45]\] kubeadm: the API server at ${url//./\\.} did not answer within ${LIMIT}s; is the first control plane up\?"
  assert_output --partial "waiting for the API server at $url (the first control plane, 0s of ${LIMIT}s)"
  assert_output --partial "waiting for the API server at $url (the first control plane, $((LIMIT - 60))s of ${LIMIT}s)"
  tries=$(grep -c "^curl .* $url\$" "$SB_LAST_CALLS")
  ((tries == TRIES)) || fail "expected $TRIES tries of $url, saw $tries"
  refute_output --partial "the API server at $url answers"
  refute_called "kubeadm join .*"
  refute_exists /etc/kubernetes/kubelet.conf
  refute_exists /var/lib/picc/done
  refute_output --partial "is set up"
}

@test "worker: an API server that never answers ends in the timeout error, without joining" {
  make_root raspios-trixie worker-1
  run_with_api_down
  assert_gave_up https://192.168.1.101:6443/readyz
}

@test "joining control plane (HA): an API server that never answers ends in the timeout error, without joining" {
  SB_CLUSTER_OUT="$BATS_FILE_TMPDIR/ha/out/ha" make_root raspios-trixie cp-2
  run_with_api_down
  assert_gave_up https://192.168.1.100:6443/readyz
  refute_exists /etc/kubernetes/admin.conf
}

@test "worker: once the API server answers, a re-run joins" {
  make_root raspios-trixie worker-1
  run_with_api_down
  assert_failure 1
  rm "$SHIM_STATE/api-down"
  run_setup
  assert_success
  assert_output --partial "the API server at https://192.168.1.101:6443/readyz answers"
  assert_called "kubeadm join --config .*"
}
