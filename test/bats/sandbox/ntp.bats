#!/usr/bin/env bats
# spec.network.ntp: labs that block the internet's NTP name their own servers. Setup writes
# a systemd-timesyncd drop-in and restarts timesyncd before it waits for the clock (TLS
# downloads fail with a wrong clock); without the field the image's servers stay.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

DROP_IN=/etc/systemd/timesyncd.conf.d/90-picc-ntp.conf

setup_file() {
  sandbox_setup_file raspios-trixie
  sed -e 's/^    dns: \[192.168.1.1, 1.1.1.1\]$/&\n    ntp: [192.168.1.1, ntp.lab.example]/' \
    -e 's/^    os: raspios-bookworm$/    os: raspios-trixie/' "$SANDBOX_DIR/fixtures/matrix.yaml" |
    compile_cluster "$BATS_FILE_TMPDIR/ntp"
  grep -q 'ntp: \[192.168.1.1, ntp.lab.example\]' "$BATS_FILE_TMPDIR/ntp/cluster.yaml"
}

@test "the spec's NTP servers: drop-in written and timesyncd restarted before the clock wait; a second run changes nothing" {
  SB_CLUSTER_OUT="$BATS_FILE_TMPDIR/ntp/out/matrix" make_root raspios-trixie worker-1
  run_setup
  assert_success
  assert_content "$DROP_IN" <<'EOF_'
# NTP servers from the cluster spec (managed by picc)
[Time]
NTP=192.168.1.1 ntp.lab.example
EOF_
  assert_called "systemctl restart systemd-timesyncd.service"
  # The restart comes before the first look at the clock, so the wait is for these servers.
  restart=$(grep -n 'systemctl restart systemd-timesyncd.service' "$SB_LAST_CALLS" | head -n1 | cut -d: -f1)
  clock=$(grep -n '^timedatectl show' "$SB_LAST_CALLS" | head -n1 | cut -d: -f1)
  [[ -n "$restart" && -n "$clock" ]] && ((restart < clock)) || fail "restart at call $restart, first clock check at $clock"
  rerun_changes_nothing
}

@test "without spec.network.ntp the image's NTP settings are left alone" {
  make_root raspios-trixie worker-1
  run_setup
  assert_success
  refute_exists "$DROP_IN"
  refute_called "systemctl restart systemd-timesyncd.*"
}
