#!/usr/bin/env bats
# A worker on Wi-Fi, on every OS: setup.sh writes the files that OS's network stack reads,
# and the real readers read them back: wpa_supplicant itself (bullseye), NetworkManager's
# `nmcli --offline` (bookworm, trixie), netplan's generator with cloud-init's own rendering
# of the node's seed beside picc's file (Ubuntu). The SSID has a space, '#' and a quote,
# the passphrase a quote, a backslash and a colon: each reader must get them unchanged.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

SSID='Home "Lab" #2'
PASS='pa ss\w:o'"'"'rd'

setup_file() {
  sandbox_setup_file # the shims and the fake artifacts
  local os dir q
  q() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }
  for os in raspios-bullseye raspios-bookworm raspios-trixie ubuntu-22.04 ubuntu-24.04; do
    dir="$BATS_FILE_TMPDIR/$os"
    SB_WIFI_SECRET="$(q "$SSID"): $(q "$PASS")" compile_cluster "$dir" <<EOF
apiVersion: picc/v1alpha1
kind: Cluster
metadata:
  name: wifi
spec:
  kubernetes:
    version: $K8S_VERSION
  network:
    subnet: 192.168.1.0/24
    gateway: 192.168.1.1
    dns: [192.168.1.1]
  access:
    user: pi
  nodeDefaults:
    os: $os
    arch: arm64
  nodes:
    - { name: cp-1, role: control-plane, address: 192.168.1.101, interface: eth0 }
    - name: worker-1
      address: 192.168.1.102
      interface: wlan0
      wifi: { ssid: $(q "$SSID"), country: PL }
EOF
  done
}

# wifi_worker OS — a fresh board of OS for the Wi-Fi worker.
wifi_worker() {
  export SB_CLUSTER_OUT="$BATS_FILE_TMPDIR/$1/out/wifi"
  make_root "$1" worker-1
}

# Prints a file of the node for the test's log (bats shows it when a test fails, and
# `bats --show-output-of-passing-tests` always).
show() { printf '# --- %s\n' "$1"; sed 's/^/# /' "$PICC_ROOT$1"; }

# netplan before 0.107.1 refuses an access point that two files define; Debian bookworm
# has 0.106 (as Ubuntu 22.04), newer releases merge them.
netplan_refuses_duplicates() {
  dpkg --compare-versions "$(dpkg-query -W -f='${Version}' netplan.io)" lt 0.107.1
}

@test "raspios-bullseye: wpa_supplicant reads picc's file back: the SSID, and the key derived from the passphrase" {
  wifi_worker raspios-bullseye
  run_setup
  assert_success
  local conf=/etc/wpa_supplicant/wpa_supplicant-wlan0.conf
  assert_mode "$conf" 600
  show "$conf"
  show /etc/dhcpcd.conf
  assert_contains /etc/dhcpcd.conf $'interface wlan0\nstatic ip_address=192.168.1.102/24\n'
  # The real parser, without an interface to start on (-D none): it reads the file, prints
  # what it read (-dd, keys too with -K) and stops.
  run wpa_supplicant -D none -i picc-no-such-interface -c "$PICC_ROOT$conf" -dd -K
  refute_output --partial "Failed to read or parse configuration"
  local got want
  # The SSID's bytes as wpa_supplicant decoded them (hex, then its printable form).
  got=$(awk '/^ssid - hexdump_ascii\(len=/ { getline; print substr($0, 1, 53) }' <<<"$output" | tr -d ' ')
  want=$(printf '%s' "$SSID" | od -An -tx1 | tr -d ' \n')
  [[ -n "$want" && "$got" == "$want" ]] || fail "wpa_supplicant read the SSID as bytes [$got], expected [$want]"
  got=$(sed -n 's/^PSK - hexdump(len=32): //p' <<<"$output" | tr -d ' ')
  want=$(wpa_passphrase "$SSID" "$PASS" | sed -n 's/^\tpsk=//p')
  [[ -n "$want" && "$got" == "$want" ]] || fail "wpa_supplicant read the key [$got], wpa_passphrase derives [$want]"
  # The passphrase itself is in no file the board keeps.
  run grep -rlF -- "$PASS" "$PICC_ROOT/etc"
  assert_output ""
}

# keyfile_reads_back OS — NetworkManager's reader on the keyfile setup wrote.
keyfile_reads_back() {
  wifi_worker "$1"
  run_setup
  assert_success
  local keyfile=/etc/NetworkManager/system-connections/picc-wlan0.nmconnection
  assert_mode "$keyfile" 600
  show "$keyfile"
  run bash -c 'nmcli --offline connection modify connection.autoconnect yes <"$1"' _ "$PICC_ROOT$keyfile"
  assert_success
  local read_back
  read_back=$(printf '%s\n' "$output" | /usr/bin/python3 -c '
import sys, gi
gi.require_version("GLib", "2.0")
from gi.repository import GLib
t = sys.stdin.read(); k = GLib.KeyFile(); k.load_from_data(t, len(t.encode()), GLib.KeyFileFlags.NONE)
for group, key in (("connection", "type"), ("connection", "interface-name"), ("wifi", "ssid"), ("wifi-security", "psk"), ("ipv4", "address1")):
    print(key + "=" + k.get_string(group, key))')
  assert_equal "$read_back" "type=wifi
interface-name=wlan0
ssid=$SSID
psk=$PASS
address1=192.168.1.102/24,192.168.1.1"
}

@test "raspios-bookworm: nmcli --offline reads picc's Wi-Fi keyfile back unchanged" {
  keyfile_reads_back raspios-bookworm
}

@test "raspios-trixie: nmcli --offline reads picc's Wi-Fi keyfile back unchanged" {
  keyfile_reads_back raspios-trixie
}

# beside_cloud_init OS — the board as cloud-init leaves it at the first boot: the node's
# seed network-config rendered into 50-cloud-init.yaml by cloud-init itself.
beside_cloud_init() {
  wifi_worker "$1"
  cloud-init devel net-convert -p "$SB_CLUSTER_OUT/worker-1/network-config" -k yaml -D ubuntu -O netplan \
    -d "$BATS_TEST_TMPDIR/cloud-init" >/dev/null 2>&1 || fail "cloud-init could not render the seed's network-config"
  install -m 0600 "$BATS_TEST_TMPDIR/cloud-init/etc/netplan/50-cloud-init.yaml" "$PICC_ROOT/etc/netplan/50-cloud-init.yaml"
  cp -p "$PICC_ROOT/etc/netplan/50-cloud-init.yaml" "$BATS_TEST_TMPDIR/cloud-init.yaml"
  run_setup
  assert_success
  show /etc/netplan/90-picc.yaml
  if netplan_refuses_duplicates; then
    # cloud-init's copy is kept, byte for byte, in picc's state folder; cloud-init leaves the network alone.
    refute_exists /etc/netplan/50-cloud-init.yaml
    cmp "$BATS_TEST_TMPDIR/cloud-init.yaml" "$PICC_ROOT/var/lib/picc/retired/50-cloud-init.yaml" || fail "the retired file differs"
    assert_mode /var/lib/picc/retired 700
    assert_contains /etc/cloud/cloud.cfg.d/99-picc-network.cfg $'\nnetwork: {config: disabled}\n'
    assert_output --partial "defines the same access point as picc's file"
  else
    cmp "$BATS_TEST_TMPDIR/cloud-init.yaml" "$PICC_ROOT/etc/netplan/50-cloud-init.yaml" || fail "cloud-init's file changed"
    refute_exists /var/lib/picc/retired
  fi
  # What the board reads at its next boot: netplan over the whole root, then the network
  # wpa_supplicant gets from it.
  run netplan generate --root-dir "$PICC_ROOT"
  assert_success
  local wpa="$PICC_ROOT/run/netplan/wpa-wlan0.conf"
  assert_equal "$(sed -n 's/^  ssid="\(.*\)"$/\1/p' "$wpa")" "$SSID"
  assert_equal "$(sed -n 's/^  psk="\(.*\)"$/\1/p' "$wpa")" "$PASS"
  assert_equal "$(grep -c '^network={' "$wpa")" 1
  rm -rf "$PICC_ROOT/run/netplan" "$PICC_ROOT/run/systemd/network"
  # A second run checks again (it must not skip the check) and changes nothing.
  run_setup
  assert_success
  assert_line "worker-1 is already set up: 0 changes"
  refute_output --partial "changed:"
  assert_called "netplan generate --root-dir .*"
}

@test "ubuntu-22.04: cloud-init's rendering of the seed beside picc's file: netplan accepts the whole" {
  beside_cloud_init ubuntu-22.04
}

@test "ubuntu-24.04: cloud-init's rendering of the seed beside picc's file: netplan accepts the whole" {
  beside_cloud_init ubuntu-24.04
}

@test "ubuntu: a netplan file of the user's that netplan refuses beside picc's stops setup before it writes" {
  netplan_refuses_duplicates || skip "this netplan merges access points (0.107.1 or later)"
  wifi_worker ubuntu-22.04
  # Not cloud-init's (no header): picc leaves it alone.
  cat >"$PICC_ROOT/etc/netplan/60-mine.yaml" <<EOF
network:
  version: 2
  wifis:
    wlan0:
      access-points:
        '${SSID//\'/\'\'}': {password: other-passphrase}
EOF
  chmod 0600 "$PICC_ROOT/etc/netplan/60-mine.yaml"
  run_setup
  assert_failure
  assert_output --partial "netplan refuses the network configuration with picc's /etc/netplan/90-picc.yaml in it; nothing was written"
  assert_output --partial "Duplicate access point SSID"
  refute_exists /etc/netplan/90-picc.yaml
  refute_exists /var/lib/picc/retired
  assert_exists /etc/netplan/60-mine.yaml
}
