#!/usr/bin/env bats
# setup.sh on a freshly flashed board, for every supported OS and both roles: the
# files the first run writes (path, content, mode) and the commands it calls; then a
# second run (a real one, or --dry-run on every other node: each run costs seconds)
# that must change nothing, leaving cmdline.txt one line with the token once.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-bullseye raspios-bookworm raspios-trixie ubuntu-22.04 ubuntu-24.04
}

HOSTS_BLOCK='# BEGIN picc managed block (edit the cluster spec, not this block)
127.0.1.1 NODE
192.168.1.101 cp-1
192.168.1.102 worker-1
# END picc managed block'

# first_run OS NODE [make_root options] — runs setup.sh once on a fresh board and
# checks everything that does not depend on the OS; the OS-specific checks follow.
first_run() {
  local os=$1 node=$2 address swap_was_on
  address=$(node_address "$node")
  make_root "$@"
  swap_was_on=$(($(wc -l <"$PICC_ROOT/proc/swaps") > 1))
  local original_cmdline
  original_cmdline=$(cat "$PICC_ROOT$(boot_dir "$os")/cmdline.txt")
  mkdir -p "$BATS_TEST_TMPDIR/orig"
  cp -a "$PICC_ROOT/etc" "$PICC_ROOT/boot" "$BATS_TEST_TMPDIR/orig/"
  run_setup
  assert_success
  assert_line --regexp "^$node is set up: [0-9]+ change\\(s\\) made\$"

  # hostname and /etc/hosts: the image's 127.0.1.1 name is gone, localhost kept
  assert_content /etc/hostname <<<"$node"
  [[ "$(cat "$SHIM_STATE/hostname")" == "$node" ]] || fail "running hostname is $(cat "$SHIM_STATE/hostname")"
  assert_called "hostname $node"
  assert_contains /etc/hosts "${HOSTS_BLOCK//NODE/$node}"
  assert_contains /etc/hosts $'127.0.0.1\tlocalhost'
  [[ "$(grep -c '^127\.0\.1\.1' "$PICC_ROOT/etc/hosts")" == 1 ]] || fail "several 127.0.1.1 lines: $(cat "$PICC_ROOT/etc/hosts")"

  # kernel modules: persisted, and loaded through modprobe
  assert_content /etc/modules-load.d/picc-kubernetes.conf <<'EOF'
# Kernel modules Kubernetes needs on this node (managed by picc)
overlay
br_netfilter
vxlan
EOF
  assert_mode /etc/modules-load.d/picc-kubernetes.conf 0644
  assert_called "modprobe br_netfilter"
  assert_called "modprobe overlay"
  assert_exists /sys/module/br_netfilter

  # sysctl: persisted and live
  assert_content /etc/sysctl.d/90-picc-kubernetes.conf <<'EOF'
# Kubernetes networking (managed by picc); needs br_netfilter loaded first
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward = 1
EOF
  assert_mode /etc/sysctl.d/90-picc-kubernetes.conf 0644
  assert_content /proc/sys/net/ipv4/ip_forward <<<1
  assert_content /proc/sys/net/bridge/bridge-nf-call-iptables <<<1

  # memory cgroup on the kernel command line
  assert_content "$(boot_dir "$os")/cmdline.txt" <<<"$original_cmdline cgroup_enable=memory"

  # swap: off now; swapoff only when a swap area was active
  if ((swap_was_on)); then assert_called "swapoff -a"; else refute_called "swapoff .*"; fi
  [[ "$(wc -l <"$PICC_ROOT/proc/swaps")" == 1 ]] || fail "swap still active: $(cat "$PICC_ROOT/proc/swaps")"

  # Kubernetes packages: signed repository, exact version, held
  assert_content /etc/apt/sources.list.d/kubernetes.list <<'EOF'
# Kubernetes 1.34 packages (managed by picc)
deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.34/deb/ /
EOF
  assert_mode /etc/apt/keyrings/kubernetes-apt-keyring.gpg 0644
  assert_called "apt-get .* install -y -q --allow-change-held-packages kubeadm=$K8S_VERSION-1\\.1 kubectl=$K8S_VERSION-1\\.1 kubelet=$K8S_VERSION-1\\.1"
  local p
  for p in kubeadm kubectl kubelet; do
    assert_called "apt-mark hold $p"
    [[ -f "$SHIM_STATE/holds/$p" ]] || fail "$p is not held"
  done
  assert_called "apt-get .* install -y -q --no-install-recommends apt-transport-https conntrack ebtables ethtool socat"

  # container runtime from the verified artifacts
  assert_mode /usr/local/bin/containerd 0755
  cmp -s "$SHIM_SERVE/runc.arm64" "$PICC_ROOT/usr/local/sbin/runc" || fail "runc is not the downloaded file"
  assert_mode /usr/local/sbin/runc 0755
  assert_mode /opt/cni/bin/bridge 0755
  assert_mode /usr/local/lib/systemd/system/containerd.service 0644
  assert_contains /usr/local/lib/systemd/system/containerd.service "ExecStart=/usr/local/bin/containerd"
  assert_mode /etc/containerd/config.toml 0644
  assert_contains /etc/containerd/config.toml "SystemdCgroup = true"
  assert_contains /etc/containerd/config.toml "sandbox = 'registry.k8s.io/pause:3.10.1'"
  [[ -f "$SHIM_STATE/systemd/enabled/containerd" && -f "$SHIM_STATE/systemd/active/containerd" ]] ||
    fail "containerd is not enabled and running"

  # kubeadm configuration: secret (bootstrap token); the kubelet's resolv.conf per OS in the
  # node's patch, which the configuration names
  assert_mode /etc/picc/kubeadm.yaml 0600
  assert_contains /etc/picc/kubeadm.yaml "value: ${address%/*}"
  assert_contains /etc/picc/kubeadm.yaml $'\npatches:\n  directory: /etc/picc/kubeadm-patches\n'
  assert_mode /etc/picc/kubeadm-patches/kubeletconfiguration+strategic.yaml 0644
  assert_contains /etc/picc/kubeadm-patches/kubeletconfiguration+strategic.yaml $'\nkind: KubeletConfiguration\nresolvConf: '"$(resolv_conf "$os")"$'\n'

  # user access
  assert_mode /etc/ssh/sshd_config.d/01-picc.conf 0644
  assert_contains /etc/ssh/sshd_config.d/01-picc.conf "PermitRootLogin no"
  assert_mode /home/pi/.ssh 0700
  assert_mode /home/pi/.ssh/authorized_keys 0600
  assert_contains /home/pi/.ssh/authorized_keys "tests@sandbox"
  assert_called "chown pi: $PICC_ROOT/home/pi/.ssh/authorized_keys"

  assert_exists /var/lib/picc/done
  refute_called "systemctl reboot"
}

# second_run_changes_nothing [--dry-run] — runs setup.sh again on the finished node:
# nothing may change or be called. Half the nodes get a real second run, the other
# half a --dry-run one (which must find nothing to do either): each run costs seconds.
second_run_changes_nothing() {
  local before after cmdline
  before=$(final_state)
  run_setup "$@"
  assert_success
  if [[ "${1:-}" == --dry-run ]]; then
    assert_line "dry run: 0 change(s) would be made"
    refute_output --partial "would:"
  else
    assert_line "$SB_NODE is already set up: 0 changes"
    refute_output --partial "changed:"
  fi
  [[ -z "$(mutating_calls)" ]] || fail "the second run called: $(mutating_calls)"
  refute_called "apt-get .* install .*"
  refute_called "kubeadm (init|join) .*"
  refute_called "systemctl restart .*"
  after=$(final_state)
  [[ "$before" == "$after" ]] || fail "the second run changed the node:
$(diff <(echo "$before") <(echo "$after"))"
  cmdline="$PICC_ROOT$(boot_dir "$SB_OS")/cmdline.txt"
  [[ "$(wc -l <"$cmdline")" == 1 ]] || fail "cmdline.txt is not one line: $(cat "$cmdline")"
  [[ "$(grep -o 'cgroup_enable=memory' "$cmdline" | wc -l)" == 1 ]] || fail "token not exactly once: $(cat "$cmdline")"
}

boot_dir() { if [[ "$1" == raspios-bullseye ]]; then echo /boot; else echo /boot/firmware; fi; }
resolv_conf() { if [[ "$1" == ubuntu-* ]]; then echo /run/systemd/resolve/resolv.conf; else echo /etc/resolv.conf; fi; }

control_plane_checks() {
  assert_mode /etc/picc/kubeadm.yaml 0600
  assert_contains /etc/picc/kubeadm.yaml "kind: InitConfiguration"
  assert_called "kubeadm init --config $PICC_ROOT/etc/picc/kubeadm\\.yaml"
  refute_called "kubeadm join.*"
  local key
  for key in ca front-proxy-ca etcd/ca sa; do assert_mode "/etc/kubernetes/pki/$key.key" 0600; done
  for key in ca front-proxy-ca etcd/ca; do assert_mode "/etc/kubernetes/pki/$key.crt" 0644; done
  assert_called "kubectl --kubeconfig $PICC_ROOT/etc/kubernetes/admin\\.conf apply -f $PICC_ROOT/etc/picc/cni/flannel\\.yaml"
  assert_mode /home/pi/.kube/config 0600
  cmp -s "$PICC_ROOT/etc/kubernetes/admin.conf" "$PICC_ROOT/home/pi/.kube/config" || fail "~pi/.kube/config is not admin.conf"
}

worker_checks() {
  assert_contains /etc/picc/kubeadm.yaml "kind: JoinConfiguration"
  assert_called "kubeadm join --config $PICC_ROOT/etc/picc/kubeadm\\.yaml"
  refute_called "kubeadm init.*"
  refute_called "kubectl .*"
  refute_exists /etc/kubernetes/pki
  refute_exists /home/pi/.kube
  assert_exists /etc/kubernetes/kubelet.conf
  refute_exists /etc/kubernetes/admin.conf
}

bullseye_checks() {
  # dhcpcd: picc's block appended, the image's configuration kept as it was
  local expected
  expected="$(cat "$BATS_TEST_TMPDIR/orig/etc/dhcpcd.conf")
# BEGIN picc managed block (edit the cluster spec, not this block)
interface eth0
static ip_address=$1
static routers=192.168.1.1
static domain_name_servers=192.168.1.1 1.1.1.1
# END picc managed block"
  assert_content /etc/dhcpcd.conf <<<"$expected"
  assert_mode /etc/dhcpcd.conf 0644
}

dphys_checks() {
  assert_called "systemctl disable --now dphys-swapfile"
  [[ ! -e "$SHIM_STATE/systemd/enabled/dphys-swapfile" ]] || fail "dphys-swapfile is still enabled"
  refute_exists /var/swap
}

rpi_swap_checks() {
  assert_content /etc/rpi/swap.conf.d/90-picc-noswap.conf <<'TXT'
# The kubelet runs without swap (managed by picc)
[Main]
Mechanism=none
TXT
  assert_mode /etc/rpi/swap.conf.d/90-picc-noswap.conf 0644
  cmp -s "$BATS_TEST_TMPDIR/orig/etc/rpi/swap.conf" "$PICC_ROOT/etc/rpi/swap.conf" || fail "/etc/rpi/swap.conf was changed"
}

networkmanager_checks() {
  local file=/etc/NetworkManager/system-connections/picc-eth0.nmconnection
  assert_mode "$file" 0600
  assert_contains "$file" "interface-name=eth0"
  assert_contains "$file" "method=manual"
  assert_contains "$file" "address1=$1,192.168.1.1"
  assert_contains "$file" "dns=192.168.1.1;1.1.1.1;"
  assert_called "nmcli connection reload"
  refute_exists /etc/dhcpcd.conf
  refute_exists /etc/netplan
  # bookworm and later keep a pointer file at the old place: not the one to edit
  cmp -s "$BATS_TEST_TMPDIR/orig/boot/cmdline.txt" "$PICC_ROOT/boot/cmdline.txt" || fail "/boot/cmdline.txt was changed"
}

ubuntu_checks() {
  assert_mode /etc/netplan/90-picc.yaml 0600
  assert_contains /etc/netplan/90-picc.yaml "renderer: networkd"
  assert_contains /etc/netplan/90-picc.yaml "- $1"
  assert_contains /etc/netplan/90-picc.yaml "via: 192.168.1.1"
  assert_called "netplan generate --root-dir .*/run/picc-netplan\..*"
  # the scratch root of that check is gone
  ! compgen -G "$PICC_ROOT/run/picc-netplan.*" >/dev/null || fail "setup left its netplan scratch root behind"
  # the swap entry commented out, every other line as it was
  assert_content /etc/fstab <<'TXT'
LABEL=writable	/	ext4	discard,errors=remount-ro	0 1
LABEL=system-boot	/boot/firmware	vfat	defaults	0 1
# disabled by picc (the kubelet runs without swap): /swap.img none swap sw 0 0
TXT
  refute_exists /etc/dhcpcd.conf
}

@test "raspios-bullseye control plane: first run sets the node up, a second run changes nothing" {
  first_run raspios-bullseye cp-1
  control_plane_checks
  bullseye_checks 192.168.1.101/24
  dphys_checks
  refute_exists /boot/firmware
  second_run_changes_nothing
}

@test "raspios-bullseye worker: first run sets the node up, a --dry-run finds nothing to change" {
  first_run raspios-bullseye worker-1
  worker_checks
  bullseye_checks 192.168.1.102/24
  dphys_checks
  second_run_changes_nothing --dry-run
}

@test "raspios-bookworm control plane: first run sets the node up, a --dry-run finds nothing to change" {
  first_run raspios-bookworm cp-1
  control_plane_checks
  networkmanager_checks 192.168.1.101/24
  dphys_checks
  second_run_changes_nothing --dry-run
}

@test "raspios-bookworm worker: first run sets the node up, a second run changes nothing" {
  first_run raspios-bookworm worker-1
  worker_checks
  networkmanager_checks 192.168.1.102/24
  dphys_checks
  second_run_changes_nothing
}

@test "raspios-trixie control plane: first run sets the node up, a second run changes nothing" {
  first_run raspios-trixie cp-1
  control_plane_checks
  networkmanager_checks 192.168.1.101/24
  rpi_swap_checks
  second_run_changes_nothing
}

@test "raspios-trixie worker: first run sets the node up, a --dry-run finds nothing to change" {
  first_run raspios-trixie worker-1
  worker_checks
  networkmanager_checks 192.168.1.102/24
  rpi_swap_checks
  second_run_changes_nothing --dry-run
}

@test "ubuntu-22.04 control plane: first run sets the node up, a --dry-run finds nothing to change" {
  first_run ubuntu-22.04 cp-1
  control_plane_checks
  ubuntu_checks 192.168.1.101/24
  # 22.04's archive has the Pi kernel's extra modules (vxlan)
  assert_called "apt-get .* install -y -q --no-install-recommends linux-modules-extra-raspi"
  second_run_changes_nothing --dry-run
}

@test "ubuntu-22.04 worker (swap configured but not active): first run sets the node up, a second run changes nothing" {
  first_run ubuntu-22.04 worker-1 --no-swap
  worker_checks
  ubuntu_checks 192.168.1.102/24
  second_run_changes_nothing
}

@test "ubuntu-24.04 control plane: first run sets the node up, a second run changes nothing" {
  first_run ubuntu-24.04 cp-1
  control_plane_checks
  ubuntu_checks 192.168.1.101/24
  # not in 24.04's archive: skipped, not an error
  refute_called "apt-get .* install .*linux-modules-extra-raspi.*"
  assert_output --partial "linux-modules-extra-raspi is not in this system's archive; skipped"
  second_run_changes_nothing
}

@test "ubuntu-24.04 worker: first run sets the node up, a --dry-run finds nothing to change" {
  first_run ubuntu-24.04 worker-1
  worker_checks
  ubuntu_checks 192.168.1.102/24
  second_run_changes_nothing --dry-run
}
