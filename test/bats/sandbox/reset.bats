#!/usr/bin/env bats
# reset.sh on a board setup.sh finished: kubeadm reset before anything else, then no file
# of picc's left (the root's file list as it was before setup, but for the few files
# listed below with the reason), a second reset that changes nothing, a refusal without
# --yes when no terminal can ask, a --dry-run that changes nothing, and the user's files
# beside picc's left alone. One OS per network stack: NetworkManager (bookworm), dhcpcd
# (bullseye) and netplan (Ubuntu).

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-bullseye raspios-bookworm raspios-trixie ubuntu-24.04
}

reset_script() { echo "$(dirname "$SB_SCRIPT")/reset.sh"; }

# Files and symlinks under the root, kernel state (/proc, /sys) aside.
file_list() {
  (cd "$PICC_ROOT" && find . \( -path ./proc -o -path ./sys \) -prune -o \( -type f -o -type l \) -printf '%p\n' | LC_ALL=C sort)
}

# Files that may differ between a fresh board and a reset one, each for its reason.
ALLOWED_DIFFERENCES=(
  # setup turned dphys-swapfile off and removed its swap file; reset leaves swap off (it says so)
  ./var/swap
  # reset keeps the SSH keys: the admin may be logged in with them
  ./home/pi/.ssh/authorized_keys
  # the kubelet package's own unit (the apt shim installs it): packages stay installed
  ./usr/lib/systemd/system/kubelet.service
)

# What flannel's DaemonSet leaves on every node it runs on.
flannel_ran_here() {
  mkdir -p "$PICC_ROOT/etc/cni/net.d" "$PICC_ROOT/var/lib/cni/networks/cbr0" "$PICC_ROOT/run/flannel" "$SHIM_STATE/links"
  printf '{\n  "name": "cbr0",\n  "plugins": [ { "type": "flannel" } ]\n}\n' >"$PICC_ROOT/etc/cni/net.d/10-flannel.conflist"
  echo 10.244.1.2 >"$PICC_ROOT/var/lib/cni/networks/cbr0/last_reserved_ip.0"
  printf 'FLANNEL_NETWORK=10.244.0.0/16\n' >"$PICC_ROOT/run/flannel/subnet.env"
  touch "$SHIM_STATE/links/cni0" "$SHIM_STATE/links/flannel.1"
}

# Index of the first call of the last run matching the extended regex, or fails.
call_index() {
  local i
  for i in "${!SB_CALLS[@]}"; do
    if [[ "${SB_CALLS[$i]}" =~ ^($1)$ ]]; then echo "$i"; return 0; fi
  done
  fail "no call matching: $1
$(last_run_calls)"
}

# Commands that change a system, reset's included.
reset_mutating_calls() { grep -E "$MUTATING|^apt-mark unhold|^ip link delete|^systemctl disable" "$SB_LAST_CALLS" || true; }

# setup_then_reset OS NODE — the whole cycle on one fresh board; the OS-specific checks follow.
setup_then_reset() {
  local before after unexpected="" path allowed state
  make_root "$1" "$2"
  before=$(file_list)
  run_setup
  assert_success
  assert_exists /var/lib/picc/done
  flannel_ran_here
  if [[ "$1" == ubuntu-* ]]; then
    # As setup does when netplan before 0.107.1 refuses cloud-init's file beside picc's (Wi-Fi on 22.04).
    mkdir -p "$PICC_ROOT/var/lib/picc/retired"
    mv "$PICC_ROOT/etc/netplan/50-cloud-init.yaml" "$PICC_ROOT/var/lib/picc/retired/"
  fi

  # Without --yes and without a terminal: refused, nothing changed.
  state=$(final_state)
  run_script "$(reset_script)" </dev/null
  assert_failure
  assert_output --partial "there is no terminal to ask on. Run with --yes"
  [[ -z "$(reset_mutating_calls)" ]] || fail "the refused run called: $(reset_mutating_calls)"
  [[ "$(final_state)" == "$state" ]] || fail "the refused run changed the node"

  # --dry-run lists what it would undo and changes nothing.
  run_script "$(reset_script)" --dry-run
  assert_success
  assert_line "      would: leave the cluster (kubeadm reset)"
  assert_line --regexp '^dry run: [0-9]+ change\(s\) would be made$'
  [[ -z "$(reset_mutating_calls)" ]] || fail "the dry run called: $(reset_mutating_calls)"
  [[ "$(final_state)" == "$state" ]] || fail "the dry run changed the node:
$(diff <(echo "$state") <(final_state))"

  run_script "$(reset_script)" --yes
  assert_success
  assert_line --regexp "^$2 is reset: [0-9]+ change\\(s\\) made\$"
  refute_output --partial "Left in place"
  if [[ "$1" == ubuntu-* ]]; then
    assert_line "      changed: put /etc/netplan/50-cloud-init.yaml back (setup had moved it to /var/lib/picc/retired/50-cloud-init.yaml)"
    assert_exists /etc/netplan/50-cloud-init.yaml
  fi

  # kubeadm reset first: while containerd ran (the shim refuses otherwise) and picc's files were there.
  (($(call_index 'kubeadm reset -f --cri-socket unix:///var/run/containerd/containerd.sock') < $(call_index 'systemctl disable --now containerd'))) ||
    fail "containerd was stopped before kubeadm reset"
  grep -qx /etc/picc/kubeadm.yaml "$SHIM_STATE/kubeadm-saw/reset/picc-files" || fail "picc's files were gone before kubeadm reset"
  assert_called 'ip link delete cni0'
  assert_called 'ip link delete flannel.1'
  assert_called 'apt-mark unhold kubelet'
  [[ ! -e "$SHIM_STATE/holds/kubeadm" ]] || fail "kubeadm is still held"
  [[ ! -e "$SHIM_STATE/systemd/enabled/kubelet" ]] || fail "the kubelet is still enabled"

  # No picc file left: the file list is the fresh board's, but for the allowed differences.
  after=$(file_list)
  echo "# files that differ between the fresh board and the reset one (< fresh, > reset):" >&3
  diff <(echo "$before") <(echo "$after") | sed 's/^/#   /' >&3 || true
  while IFS= read -r path; do
    allowed=0
    for a in "${ALLOWED_DIFFERENCES[@]}"; do [[ "$path" == "$a" ]] && allowed=1; done
    ((allowed)) || unexpected+="$path"$'\n'
  done < <(comm -3 <(echo "$before") <(echo "$after") | tr -d '\t')
  [[ -z "$unexpected" ]] || fail "files that differ from the fresh board:
$unexpected"
  refute_exists /var/lib/picc
  refute_exists /var/cache/picc
  refute_exists /etc/picc
  refute_exists /var/lib/cni
  refute_exists /run/picc-setup.lock
  refute_exists /home/pi/.kube/config
  # picc's tokens out of cmdline.txt, the rest of the line as the image had it
  assert_content "$(boot_dir "$1")/cmdline.txt" <<<"$ORIGINAL_CMDLINE"

  # A second reset: nothing to do, nothing called, nothing changed.
  state=$(final_state)
  run_script "$(reset_script)" --yes
  assert_success
  assert_line "$2: nothing to reset: 0 changes"
  refute_output --partial "changed:"
  [[ -z "$(reset_mutating_calls)" ]] || fail "the second reset called: $(reset_mutating_calls)"
  [[ "$(final_state)" == "$state" ]] || fail "the second reset changed the node"
}

boot_dir() { if [[ "$1" == raspios-bullseye ]]; then echo /boot; else echo /boot/firmware; fi; }

@test "bookworm control plane (NetworkManager): setup, then reset leaves no picc file" {
  ORIGINAL_CMDLINE="console=serial0,115200 console=tty1 root=PARTUUID=abcd-02 rootfstype=ext4 fsck.repair=yes rootwait"
  setup_then_reset raspios-bookworm cp-1
  refute_exists /etc/NetworkManager/system-connections/picc-eth0.nmconnection
  refute_exists /etc/kubernetes/admin.conf
  refute_exists /etc/kubernetes/pki/ca.key
  # the image's 127.0.1.1 line named the image's hostname; the board keeps its new name
  assert_contains /etc/hosts $'127.0.0.1\tlocalhost'
  assert_contains /etc/hosts $'\n127.0.1.1 cp-1\n'
  refute_output --partial "# BEGIN picc"
  run grep -c 'picc' "$PICC_ROOT/etc/hosts"
  assert_output 0
}

@test "bullseye worker (dhcpcd): reset takes picc's block out of dhcpcd.conf and leaves the rest byte for byte" {
  ORIGINAL_CMDLINE="console=serial0,115200 console=tty1 root=PARTUUID=abcd-02 rootfstype=ext4 fsck.repair=yes rootwait"
  make_root raspios-bullseye worker-1
  cp "$PICC_ROOT/etc/dhcpcd.conf" "$BATS_TEST_TMPDIR/dhcpcd.conf"
  setup_then_reset raspios-bullseye worker-1
  cmp "$BATS_TEST_TMPDIR/dhcpcd.conf" "$PICC_ROOT/etc/dhcpcd.conf" || fail "dhcpcd.conf differs: $(diff "$BATS_TEST_TMPDIR/dhcpcd.conf" "$PICC_ROOT/etc/dhcpcd.conf")"
}

@test "Ubuntu 24.04 worker (netplan): picc's netplan file goes, cloud-init's retired file comes back, fstab's swap line too" {
  ORIGINAL_CMDLINE="console=serial0,115200 dwc_otg.lpm_enable=0 console=tty1 root=LABEL=writable rootfstype=ext4 rootwait fixrtc quiet splash"
  make_root ubuntu-24.04 worker-1
  cp "$PICC_ROOT/etc/fstab" "$BATS_TEST_TMPDIR/fstab"
  setup_then_reset ubuntu-24.04 worker-1
  refute_exists /etc/netplan/90-picc.yaml
  cmp "$BATS_TEST_TMPDIR/fstab" "$PICC_ROOT/etc/fstab" || fail "fstab differs: $(diff "$BATS_TEST_TMPDIR/fstab" "$PICC_ROOT/etc/fstab")"
}

@test "trixie: the user's files beside picc's stay, and a picc file the user changed is left and listed" {
  make_root raspios-trixie worker-1
  run_setup
  assert_success
  printf 'vm.swappiness = 10\n' >"$PICC_ROOT/etc/sysctl.d/99-mine.conf"
  printf 'my notes\n' >"$PICC_ROOT/etc/picc/notes.txt"
  mkdir -p "$PICC_ROOT/etc/cni/net.d"
  printf '{"name": "mine", "plugins": [{"type": "bridge"}]}\n' >"$PICC_ROOT/etc/cni/net.d/10-flannel.conflist"
  printf 'my own module\n' >>"$PICC_ROOT/usr/local/bin/ctr"
  # the user's own file where picc's was (picc's header gone): not picc's any more
  printf 'overlay\n' >"$PICC_ROOT/etc/modules-load.d/picc-kubernetes.conf"
  run_script "$(reset_script)" --yes
  assert_success
  assert_content /etc/sysctl.d/99-mine.conf <<<'vm.swappiness = 10'
  assert_content /etc/picc/notes.txt <<<'my notes'
  assert_exists /etc/cni/net.d/10-flannel.conflist
  assert_exists /usr/local/bin/ctr
  assert_exists /etc/modules-load.d/picc-kubernetes.conf
  refute_exists /usr/local/bin/containerd
  refute_exists /etc/rpi/swap.conf.d/90-picc-noswap.conf
  refute_exists /etc/sysctl.d/90-picc-kubernetes.conf
  assert_line "Left in place (not as picc wrote them, or not provably picc's):"
  assert_line "  /etc/modules-load.d/picc-kubernetes.conf (its first lines lack picc's: # Kernel modules Kubernetes needs on this node (managed by picc))"
  assert_line "  /etc/cni/net.d/10-flannel.conflist (it does not name flannel)"
  assert_line "  /usr/local/bin/ctr (not the bytes of containerd's archive)"
}

@test "on a terminal reset asks, and goes on only for yes" {
  make_root raspios-bookworm worker-1
  local cmd
  cmd="$(printf '%q ' env -i PATH="$SB_BIN:$SHIM_STATE/pkgbin:$SB_REAL" LC_ALL=C HOME=/nonexistent PICC_ROOT="$PICC_ROOT" \
    SHIM_LOG="$SHIM_LOG" SHIM_STATE="$SHIM_STATE" SHIM_SERVE="$SHIM_SERVE" SHIM_REAL="$SB_REAL" bash "$(reset_script)")"
  run bash -c "printf 'no\n' | script -qec $(printf '%q' "$cmd") /dev/null"
  assert_failure
  assert_output --partial "Type yes to go on:"
  assert_output --partial "not reset: the answer was not yes; nothing was changed"
  run bash -c "printf 'yes\n' | script -qec $(printf '%q' "$cmd") /dev/null"
  assert_success
  assert_output --partial "Type yes to go on:"
  assert_output --partial "worker-1: nothing to reset: 0 changes"
}
