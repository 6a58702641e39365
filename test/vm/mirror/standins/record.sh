# Sourced by the stand-ins (test/vm/mirror/standins): THE TEST's, not Kubernetes'.
# record NAME ARGS... — appends one line (the call's arguments, shell-quoted) to
# /var/lib/picc-vm/calls/NAME.log, so the VM test can assert what setup ran.
# shellcheck shell=bash
record() {
  local name=$1
  shift
  mkdir -p /var/lib/picc-vm/calls
  { printf '%q' "$name"; printf ' %q' "$@"; printf '\n'; } >> "/var/lib/picc-vm/calls/$name.log"
}
