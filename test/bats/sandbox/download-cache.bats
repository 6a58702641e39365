#!/usr/bin/env bats
# The download cache is not trusted: a file already there is checked against its pinned
# sha256 again before every use. A cached copy that changed since it was verified is
# fetched again, or refused when the server has the same wrong bytes; never unpacked.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
}

CACHE=/var/cache/picc/downloads

# evil_archive FILE — a real containerd-shaped archive whose binaries are not the pinned ones.
evil_archive() {
  local stage="$BATS_TEST_TMPDIR/evil"
  mkdir -p "$stage/bin"
  printf '#!/bin/sh\necho "TAMPERED containerd"\n' >"$stage/bin/containerd"
  chmod 0755 "$stage/bin/containerd"
  tar -C "$stage" -cf - bin | gzip -n >"$1"
}

@test "a tampered containerd archive already in the cache: named, fetched again, and the pinned one is unpacked" {
  local archive="containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz"
  make_root raspios-trixie worker-1
  mkdir -p "$PICC_ROOT$CACHE"
  evil_archive "$PICC_ROOT$CACHE/$archive"
  run_setup
  assert_success
  assert_output --partial "the cached $archive does not match its sha256; fetching it again"
  assert_called "curl .* https://github.com/containerd/containerd/releases/download/v$CONTAINERD_VERSION/$archive"
  # the cache now holds the pinned bytes, and only they were unpacked
  [[ "$(sha_of "$PICC_ROOT$CACHE/$archive")" == "$(sha_of "$SHIM_SERVE/$archive")" ]] || fail "the cache still holds other bytes"
  assert_content /usr/local/bin/containerd <<<"$(printf '#!/bin/sh\necho "fake containerd %s"' "$CONTAINERD_VERSION")"
  run grep -rl TAMPERED "$PICC_ROOT/usr/local"
  assert_output ""
}

@test "a tampered cached archive and a server that hands out the same bytes: refused, nothing unpacked" {
  local archive="containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz"
  make_root raspios-trixie worker-1
  mkdir -p "$PICC_ROOT$CACHE"
  evil_archive "$PICC_ROOT$CACHE/$archive"
  cp "$PICC_ROOT$CACHE/$archive" "$SHIM_STATE/serve/$archive"
  run_setup
  assert_failure
  assert_output --partial "the cached $archive does not match its sha256; fetching it again"
  assert_output --partial "ERROR in [10/14] container runtime: checksum mismatch for containerd"
  refute_called "tar .*"
  refute_exists /usr/local/bin/containerd
  refute_exists /var/lib/picc/installed/containerd
  refute_output --partial "[11/14]"
}
