#!/usr/bin/env bats
# Copied cards: the copies of one prepared card share /etc/machine-id, which the kubelet
# reports as the node's identity. Setup records the id with the node's name; a board whose
# recorded id belongs to another node gets a new one before it joins.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
}

IMAGE_ID=6d1b3f0a9c2e4d5f8a7b6c5d4e3f2a1b

@test "first run: the machine-id is recorded with this node's name and kept" {
  make_root raspios-trixie worker-1
  echo "$IMAGE_ID" >"$PICC_ROOT/etc/machine-id"
  run_setup
  assert_success
  assert_equal "$(cat "$PICC_ROOT/etc/machine-id")" "$IMAGE_ID"
  assert_equal "$(cat "$PICC_ROOT/var/lib/picc/machine-id")" "$IMAGE_ID worker-1"
  refute_called "systemd-machine-id-setup.*"
  rerun_changes_nothing
}

@test "a card copied from another node before it joined: a new machine-id, recorded for this node, before kubeadm" {
  make_root raspios-trixie worker-1
  echo "$IMAGE_ID" >"$PICC_ROOT/etc/machine-id"
  mkdir -p "$PICC_ROOT/var/lib/picc"
  echo "$IMAGE_ID cp-1" >"$PICC_ROOT/var/lib/picc/machine-id"
  run_setup
  assert_success
  assert_output --partial "changed: give this board its own machine-id (the card is a copy of cp-1's)"
  local id
  id=$(cat "$PICC_ROOT/etc/machine-id")
  [[ "$id" != "$IMAGE_ID" && -n "$id" ]] || fail "machine-id not renewed: $id"
  assert_equal "$(cat "$PICC_ROOT/var/lib/picc/machine-id")" "$id worker-1"
  (($(grep -n '^systemd-machine-id-setup' "$SB_LAST_CALLS" | cut -d: -f1) < $(grep -n '^kubeadm join' "$SB_LAST_CALLS" | cut -d: -f1))) ||
    fail "the id was renewed after kubeadm join: $(last_run_calls)"
  # once only
  rerun_changes_nothing
}

@test "a node that has already joined keeps its machine-id, whatever the record says" {
  make_root raspios-trixie worker-1
  echo "$IMAGE_ID" >"$PICC_ROOT/etc/machine-id"
  mkdir -p "$PICC_ROOT/var/lib/picc" "$PICC_ROOT/etc/kubernetes"
  echo "$IMAGE_ID cp-1" >"$PICC_ROOT/var/lib/picc/machine-id"
  echo "kubelet.conf of a joined node" >"$PICC_ROOT/etc/kubernetes/kubelet.conf"
  run_setup
  assert_success
  refute_called "systemd-machine-id-setup.*"
  assert_equal "$(cat "$PICC_ROOT/etc/machine-id")" "$IMAGE_ID"
}
