#!/usr/bin/env bats
# The kubelet hands its resolv.conf to CoreDNS, which forwards to the servers listed
# there: a server that is this host itself makes CoreDNS forward to itself (a loop).
# Preflight refuses every spelling of such an address and lets real servers through.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
}

LOCAL_SERVERS=(
  ::1 ::1%lo 0:0:0:0:0:0:0:1 0000:0000:0000:0000:0000:0000:0000:0001 0::1 ::0:1 ::0000:0001
  :: ::ffff:127.0.0.53 ::FFFF:7F00:1 ::ffff:0.0.0.0
  127.0.0.1 127.0.0.53 127.1.2.3 0.0.0.0
)

# stops_in_preflight_for LINE — resolv.conf LINE (after a real server) stops the run in preflight.
stops_in_preflight_for() {
  make_root raspios-trixie worker-1
  printf 'search lan\nnameserver 192.168.1.1\n%s\n' "$1" >"$PICC_ROOT/etc/resolv.conf"
  run_setup
  [[ "$status" == 1 ]] || fail "not refused: '$1' (status $status)"
  [[ "$output" == *"ERROR in [1/14] preflight checks: /etc/resolv.conf lists a loopback nameserver, which makes CoreDNS forward to itself (a loop)."* ]] ||
    fail "not refused with the CoreDNS loop message: '$1'
$output"
  [[ "$output" != *"[2/14]"* ]] || fail "went past preflight with '$1'"
}

@test "every spelling of a loopback or this-host nameserver, IPv6 and IPv4, is refused and named" {
  local server
  for server in "${LOCAL_SERVERS[@]}"; do
    stops_in_preflight_for "nameserver $server"
    assert_output --partial "(found: nameserver $server)."
  done
}

@test "whitespace around the keyword does not hide a loopback server" {
  stops_in_preflight_for $'\tnameserver\t::1\t'
  stops_in_preflight_for '   nameserver   127.0.0.53   # the local cache'
}

@test "real servers, IPv6 ones included, and commented-out loopback lines pass preflight" {
  make_root raspios-trixie worker-1
  printf '%s\n' '# nameserver 127.0.0.1' '; nameserver ::1' 'options edns0' 'nameserver 192.168.1.1' \
    'nameserver 2001:db8::1' 'nameserver fe80::1%eth0' 'nameserver ::2' 'nameserver 1::1' \
    'nameserver ::ffff:192.168.1.1' 'nameserver 10.127.0.1' >"$PICC_ROOT/etc/resolv.conf"
  # stop right after preflight: the next phase's first change fails
  fail_once hostname 'worker-1'
  run_setup
  assert_failure
  refute_output --partial "loopback nameserver"
  assert_output --partial "ERROR in [2/14] hostname and /etc/hosts: command 'hostname worker-1' failed"
}
