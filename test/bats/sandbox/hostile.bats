#!/usr/bin/env bats
# Hostile text the spec accepts, run for real in the sandbox: command substitutions,
# backticks, quotes, backslashes and ; in an SSH key comment, an SSID and a Wi-Fi
# passphrase. `touch` is a real tool in the sandbox, so an injection would leave its
# marker file; none may appear, and every value must land in its file exactly.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

MARK=/tmp/picc-pwnd
SSID='$(touch /tmp/picc-pwnd)`x`'
KEY='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeSandboxKeyForBatsTestsOnly0000000000 $(touch /tmp/picc-pwnd) `touch /tmp/picc-pwnd`;'"'q'"' "d" \z'
PASS='$(touch /tmp/picc-pwnd);`x` '"'"'"\ back\slash'

setup_file() {
  sandbox_setup_file # the shims and the fake artifacts; no matrix OS is needed
  local dir="$BATS_FILE_TMPDIR/hostile" q
  # JSON strings are YAML double-quoted scalars.
  q() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }
  SB_WIFI_SECRET="$(q "$SSID"): $(q "$PASS")" compile_cluster "$dir" <<EOF
apiVersion: picc/v1alpha1
kind: Cluster
metadata:
  name: hostile
spec:
  kubernetes:
    version: $K8S_VERSION
  network:
    subnet: 192.168.1.0/24
    gateway: 192.168.1.1
    dns: [192.168.1.1]
  access:
    user: pi
    sshAuthorizedKeys: [$(q "$KEY")]
  nodeDefaults:
    interface: wlan0
    wifi: { ssid: $(q "$SSID"), country: PL }
  nodes:
    - { name: cp-1, role: control-plane, address: 192.168.1.101, os: raspios-trixie }
    - { name: worker-1, address: 192.168.1.102, os: ubuntu-24.04 }
EOF
  export SB_CLUSTER_OUT="$dir/out/hostile"
}

setup() { rm -f "$MARK"; }
teardown() { rm -f "$MARK"; }

@test "Raspberry Pi OS trixie: hostile SSH comment, SSID and passphrase run nothing and land intact" {
  make_root raspios-trixie cp-1
  run_setup
  assert_success
  [[ ! -e "$MARK" ]] || fail "an injected command ran: $MARK exists"
  assert_contains /home/pi/.ssh/authorized_keys "$KEY"$'\n'
  # NetworkManager's own reader on the keyfile setup.sh wrote: the same SSID and passphrase.
  local keyfile="$PICC_ROOT/etc/NetworkManager/system-connections/picc-wlan0.nmconnection"
  run bash -c 'nmcli --offline connection modify connection.autoconnect yes <"$1"' _ "$keyfile"
  assert_success
  local psk
  psk=$(printf '%s\n' "$output" | /usr/bin/python3 -c '
import sys, gi
gi.require_version("GLib", "2.0")
from gi.repository import GLib
t = sys.stdin.read(); k = GLib.KeyFile(); k.load_from_data(t, len(t.encode()), GLib.KeyFileFlags.NONE)
print(k.get_string("wifi-security", "psk"), end="")')
  [[ "$psk" == "$PASS" ]] || fail "psk read back as [$psk], expected [$PASS]"
  assert_line "ssid=$(printf '%s' "$SSID" | sed 's/\\/\\\\/g')"
}

@test "Ubuntu 24.04: hostile SSID and passphrase run nothing, and netplan reads them back intact" {
  make_root ubuntu-24.04 worker-1
  run_setup
  assert_success
  [[ ! -e "$MARK" ]] || fail "an injected command ran: $MARK exists"
  local root="$BATS_TEST_TMPDIR/netplan"
  mkdir -p "$root/etc/netplan"
  install -m 0600 "$PICC_ROOT/etc/netplan/90-picc.yaml" "$root/etc/netplan/90-picc.yaml"
  run netplan generate --root-dir "$root"
  assert_success
  # wpa_supplicant reads a quoted value up to the last quote on the line.
  assert_equal "$(sed -n 's/^  ssid="\(.*\)"$/\1/p' "$root/run/netplan/wpa-wlan0.conf")" "$SSID"
  assert_equal "$(sed -n 's/^  psk="\(.*\)"$/\1/p' "$root/run/netplan/wpa-wlan0.conf")" "$PASS"
}
