# Sandbox for running generated setup.sh scripts for real: a fake root ($PICC_ROOT)
# shaped like a freshly flashed board, and command shims (helpers/shim) first on PATH.
#
#   setup_file() { sandbox_setup_file OS...; }    # compile the fixture once per OS
#   compile_cluster DIR [COMPONENT-LINE...] <SPEC   # another cluster (SB_CLUSTER_OUT; SB_WIFI_SECRET)
#   make_root OS NODE [--no-memory] [--no-swap] [--ip CIDR|none]
#   run_setup [ARGS]                               # bats `run` of that node's setup.sh

SANDBOX_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$SANDBOX_DIR/../../.." && pwd)"

K8S_VERSION=1.34.2
CONTAINERD_VERSION=2.3.99
RUNC_VERSION=1.4.99
CNI_VERSION=1.9.99

# Real tools the scripts (and the shims) may use: all read-only or acting on given paths.
REAL_TOOLS=(bash env cat grep sed awk cut tail head tr wc sort tee flock date sha256sum tar gzip
  install mkdir mv cp ln chmod rm rmdir touch stat dirname basename find mktemp)
# Commands the scripts call that must never reach the real system.
SHIMMED=(id uname df timedatectl sleep dd hostname ip getent chown stat dpkg-query apt-get apt-cache
  apt-mark systemctl modprobe modinfo sysctl swapoff curl gpg containerd nmcli netplan cilium getconf
  systemd-machine-id-setup)

node_address() {
  case "$1" in
    cp-1) echo 192.168.1.101/24 ;;
    worker-1) echo 192.168.1.102/24 ;;
    cp-2) echo 192.168.1.103/24 ;; # cp-2 and cp-3: the HA fixture (ha.bats)
    cp-3) echo 192.168.1.104/24 ;;
    worker-2) echo 192.168.1.105/24 ;; # the fleet of ansible.bats
    *) return 1 ;;
  esac
}

# Builds the fake artifacts, the per-OS specs (with digests of those artifacts) and
# compiles each; exports what the tests need. All of it is shared by the test files
# of one bats run (under $BATS_RUN_TMPDIR): compiling costs a second per OS.
sandbox_setup_file() {
  local cache="$BATS_RUN_TMPDIR/picc-sandbox" tmp os tool pids=() pid
  [[ -f "$REPO_DIR/dist/cli.js" ]] || { echo "build picc first: npm run build" >&2; return 1; }
  export SB_BIN="$cache/bin" SB_REAL="$cache/real" SHIM_SERVE="$cache/serve" SB_OUT="$cache/out"
  if [[ ! -d "$cache" ]]; then
    tmp=$(mktemp -d "$BATS_RUN_TMPDIR/picc-sandbox.XXXXXX")
    chmod 0755 "$tmp" # the shims must be reachable for the unprivileged-user test
    mkdir -p "$tmp"/{bin,real,serve,out,spec}
    for tool in "${REAL_TOOLS[@]}"; do ln -s "$(command -v "$tool")" "$tmp/real/$tool"; done
    for tool in "${SHIMMED[@]}"; do ln -s "$SANDBOX_DIR/helpers/shim" "$tmp/bin/$tool"; done
    make_artifacts "$tmp/stage" "$tmp/serve"
    # another test file (bats --jobs) may have won the race: then use its copy
    mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"
  fi

  local digests
  digests=$(component_digests)
  for os in "$@"; do
    [[ -d "$SB_OUT/$os" ]] && continue
    tmp="$cache/spec/$os.$BATS_ROOT_PID.$$"
    mkdir -p "$tmp"
    sed "s/^    os: raspios-bookworm\$/    os: $os/" "$SANDBOX_DIR/fixtures/matrix.yaml" >"$tmp/matrix.yaml"
    printf '%s\n' "$digests" >>"$tmp/matrix.yaml"
    node "$REPO_DIR/dist/cli.js" compile "$tmp/matrix.yaml" --secrets "$SANDBOX_DIR/fixtures/matrix.secrets.yaml" \
      -o "$tmp/out" >"$tmp/compile.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || { cat "$cache"/spec/*/compile.log >&2; return 1; }; done
  for os in "$@"; do
    [[ -d "$SB_OUT/$os" ]] && continue
    tmp="$cache/spec/$os.$BATS_ROOT_PID.$$"
    grep -q " $os\$" "$tmp/compile.log" || { echo "compile for $os did not take the OS:" >&2; cat "$tmp/compile.log" >&2; return 1; }
    mv -T "$tmp/out" "$SB_OUT/$os" 2>/dev/null || true
  done
}

# spec.components pinned to the fake artifacts (their digests computed from the bytes).
component_digests() {
  printf '  components:\n    containerd: {version: "%s", sha256: {arm64: "%s"}}\n    runc: {version: "%s", sha256: {arm64: "%s"}}\n    cniPlugins: {version: "%s", sha256: {arm64: "%s"}}\n' \
    "$CONTAINERD_VERSION" "$(sha_of "$SHIM_SERVE/containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz")" \
    "$RUNC_VERSION" "$(sha_of "$SHIM_SERVE/runc.arm64")" \
    "$CNI_VERSION" "$(sha_of "$SHIM_SERVE/cni-plugins-linux-arm64-v$CNI_VERSION.tgz")"
}

# compile_cluster DIR [COMPONENT-LINE...] <SPEC — compiles a spec other than matrix.yaml
# (call sandbox_setup_file first): spec.components pinned to the fake artifacts, plus the
# given lines (e.g. 'calico: {...}'), is appended, and matrix.secrets.yaml is relabelled
# for its cluster. The scripts land in DIR/out/<cluster>/<node>/; point make_root at
# them with SB_CLUSTER_OUT=DIR/out/<cluster>.
compile_cluster() {
  local dir=$1 line name
  shift
  mkdir -p "$dir"
  {
    cat
    component_digests
    for line in "$@"; do printf '    %s\n' "$line"; done
  } >"$dir/cluster.yaml"
  name=$(sed -n 's/^  name: //p' "$dir/cluster.yaml")
  # SB_WIFI_SECRET: one "SSID: passphrase" line (YAML scalars) for the secrets file's wifi:.
  if [[ -n "${SB_WIFI_SECRET:-}" ]]; then
    { sed -e "s/^cluster: matrix\$/cluster: $name/" -e '/^wifi: {}$/d' "$SANDBOX_DIR/fixtures/matrix.secrets.yaml"
      printf 'wifi:\n  %s\n' "$SB_WIFI_SECRET"; } >"$dir/cluster.secrets.yaml"
  else
    sed "s/^cluster: matrix\$/cluster: $name/" "$SANDBOX_DIR/fixtures/matrix.secrets.yaml" >"$dir/cluster.secrets.yaml"
  fi
  chmod 0600 "$dir/cluster.secrets.yaml"
  node "$REPO_DIR/dist/cli.js" compile "$dir/cluster.yaml" --secrets "$dir/cluster.secrets.yaml" -o "$dir/out" \
    >"$dir/compile.log" 2>&1 || { cat "$dir/compile.log" >&2; return 1; }
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# Small real archives shaped like the upstream ones, so the scripts' real tar works.
make_artifacts() {
  local stage=$1 serve=$2 b
  mkdir -p "$stage/containerd/bin" "$stage/cni"
  for b in containerd containerd-shim-runc-v2 ctr; do
    printf '#!/bin/sh\necho "fake %s %s"\n' "$b" "$CONTAINERD_VERSION" >"$stage/containerd/bin/$b"
    chmod 0755 "$stage/containerd/bin/$b"
  done
  for b in bridge host-local loopback portmap; do
    printf '#!/bin/sh\necho "fake cni %s"\n' "$b" >"$stage/cni/$b"
    chmod 0755 "$stage/cni/$b"
  done
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$stage/containerd" -cf - bin |
    gzip -n >"$serve/containerd-$CONTAINERD_VERSION-linux-arm64.tar.gz"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$stage/cni" -cf - . |
    gzip -n >"$serve/cni-plugins-linux-arm64-v$CNI_VERSION.tgz"
  printf '\177ELF fake runc %s\n' "$RUNC_VERSION" >"$serve/runc.arm64"
}

# SB_CLUSTER_OUT: another compiled cluster (compile_cluster) instead of the matrix one.
script_for() { echo "${SB_CLUSTER_OUT:-$SB_OUT/$1/matrix}/$2/setup.sh"; }

# make_root OS NODE [--no-memory] [--no-swap] [--ip CIDR|none]
# A freshly flashed board of OS; the node's script is $SB_SCRIPT.
make_root() {
  local os=$1 node=$2 memory=1 swap=1 ip
  ip=$(node_address "$node")
  shift 2
  while (($# > 0)); do
    case "$1" in
      --no-memory) memory=0 ;;
      --no-swap) swap=0 ;;
      --ip) ip=$2; shift ;;
      *) echo "make_root: unknown option $1" >&2; return 1 ;;
    esac
    shift
  done
  export SB_OS=$os SB_NODE=$node SB_SCRIPT
  SB_SCRIPT=$(script_for "$os" "$node")
  [[ -f "$SB_SCRIPT" ]] || { echo "no compiled script for $os/$node (sandbox_setup_file $os?)" >&2; return 1; }
  local dir=${SB_DIR:-$BATS_TEST_TMPDIR}
  export PICC_ROOT="$dir/root" SHIM_STATE="$dir/state" SHIM_LOG="$dir/calls.log"
  local r=$PICC_ROOT s=$SHIM_STATE
  rm -rf "$r" "$s"
  mkdir -p "$dir"
  : >"$SHIM_LOG"
  mkdir -p "$r"/{boot,etc,home/pi,opt,run,tmp,usr/local/bin,usr/local/sbin,usr/local/lib,var/lib,var/log,var/cache} \
    "$r"/etc/{apt/sources.list.d,modules-load.d,sysctl.d,systemd/system,ssh/sshd_config.d} \
    "$r"/proc/sys/net/ipv4 "$r"/proc/sys/kernel/random "$r"/sys/module "$r"/sys/fs/cgroup \
    "$s"/{dpkg,holds,fail,serve,pkgbin,systemd/units,systemd/enabled,systemd/active}

  local id version pretty hostname=raspberrypi boot=/boot/firmware resolv=/etc/resolv.conf swapline
  local cmdline="console=serial0,115200 console=tty1 root=PARTUUID=abcd-02 rootfstype=ext4 fsck.repair=yes rootwait"
  local units=(ssh systemd-timesyncd) packages=(ca-certificates curl gpg iproute2 iptables kmod tar)
  case "$os" in
    raspios-bullseye) id=debian version=11 pretty="Debian GNU/Linux 11 (bullseye)" boot=/boot ;;
    raspios-bookworm) id=debian version=12 pretty="Debian GNU/Linux 12 (bookworm)" ;;
    raspios-trixie) id=debian version=13 pretty="Debian GNU/Linux 13 (trixie)" ;;
    ubuntu-22.04) id=ubuntu version=22.04 pretty="Ubuntu 22.04.5 LTS" hostname=ubuntu ;;
    ubuntu-24.04) id=ubuntu version=24.04 pretty="Ubuntu 24.04.3 LTS" hostname=ubuntu ;;
    *) echo "make_root: unknown OS $os" >&2; return 1 ;;
  esac
  printf 'PRETTY_NAME="%s"\nNAME="%s"\nVERSION_ID="%s"\nID=%s\n' "$pretty" "${pretty%% [0-9]*}" "$version" "$id" >"$r/etc/os-release"
  printf '%s\n' "$hostname" >"$r/etc/hostname"
  printf '%s\n' "$hostname" >"$s/hostname"
  printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n\n127.0.1.1\t\t%s\n' \
    "$hostname" >"$r/etc/hosts"
  printf 'proc            /proc           proc    defaults          0       0\nPARTUUID=abcd-01  /boot/firmware  vfat    defaults          0       2\nPARTUUID=abcd-02  /               ext4    defaults,noatime  0       1\n' >"$r/etc/fstab"

  case "$os" in
    raspios-*)
      printf 'Raspberry Pi reference 2025-05-13\n' >"$r/etc/rpi-issue"
      units+=(rpi-eeprom-update)
      ;;
  esac
  case "$os" in
    raspios-bullseye | raspios-bookworm)
      printf 'CONF_SWAPSIZE=100\n' >"$r/etc/dphys-swapfile"
      head -c 4096 /dev/zero >"$r/var/swap"
      chmod 0600 "$r/var/swap"
      swapline=$'/var/swap                               file\t\t102396\t\t0\t\t-2'
      units+=(dphys-swapfile)
      packages+=(dphys-swapfile)
      ;;
    raspios-trixie)
      mkdir -p "$r/etc/rpi/swap.conf.d"
      printf '[Main]\nMechanism=auto\n' >"$r/etc/rpi/swap.conf"
      swapline=$'/dev/zram0                              partition\t2097148\t\t0\t\t100'
      packages+=(rpi-swap)
      ;;
    ubuntu-*)
      cmdline="console=serial0,115200 dwc_otg.lpm_enable=0 console=tty1 root=LABEL=writable rootfstype=ext4 rootwait fixrtc quiet splash"
      printf 'LABEL=writable\t/\text4\tdiscard,errors=remount-ro\t0 1\nLABEL=system-boot\t/boot/firmware\tvfat\tdefaults\t0 1\n/swap.img none swap sw 0 0\n' >"$r/etc/fstab"
      head -c 4096 /dev/zero >"$r/swap.img"
      swapline=$'/swap.img                               file\t\t4194300\t\t0\t\t-2'
      resolv=/run/systemd/resolve/resolv.conf
      mkdir -p "$r/run/systemd/resolve" "$r/etc/netplan"
      # Ubuntu's /etc/resolv.conf is the local stub; the kubelet gets the real one.
      printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n' >"$r/etc/resolv.conf"
      printf 'network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n' >"$r/etc/netplan/50-cloud-init.yaml"
      chmod 0600 "$r/etc/netplan/50-cloud-init.yaml"
      units+=(systemd-networkd systemd-resolved)
      ;;
  esac
  case "$os" in
    raspios-bullseye)
      printf '# A sample configuration for dhcpcd.\n# See dhcpcd.conf(5) for details.\n\nhostname\nclientid\npersistent\noption rapid_commit\noption domain_name_servers, domain_name, domain_search, host_name\nslaac private\n' \
        >"$r/etc/dhcpcd.conf"
      units+=(dhcpcd)
      ;;
    raspios-bookworm | raspios-trixie)
      mkdir -p "$r/etc/NetworkManager/system-connections"
      units+=(NetworkManager)
      ;;
  esac
  mkdir -p "$r$boot"
  printf '%s\n' "$cmdline" >"$r$boot/cmdline.txt"
  if [[ "$boot" == /boot/firmware ]]; then
    # bookworm and later leave a pointer where the file used to be
    printf 'DO NOT EDIT THIS FILE\n\nThe file you are looking for has moved to /boot/firmware/cmdline.txt\n' >"$r/boot/cmdline.txt"
  fi
  printf 'nameserver 192.168.1.1\n' >"$r$resolv"

  printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' >"$r/proc/swaps"
  if ((swap)); then printf '%s\n' "$swapline" >>"$r/proc/swaps"; fi
  if ((memory)); then
    echo "cpuset cpu io memory pids" >"$r/sys/fs/cgroup/cgroup.controllers"
  else
    echo "cpuset cpu io pids" >"$r/sys/fs/cgroup/cgroup.controllers"
  fi
  echo 0 >"$r/proc/sys/net/ipv4/ip_forward"
  echo 3b1f6a0e-0000-4000-8000-000000000001 >"$r/proc/sys/kernel/random/boot_id"

  local u p
  for u in "${units[@]}"; do touch "$s/systemd/units/$u" "$s/systemd/enabled/$u" "$s/systemd/active/$u"; done
  for p in "${packages[@]}"; do echo 1.0-image >"$s/dpkg/$p"; done
  if [[ "$ip" != none ]]; then echo "$ip" >"$s/ip-addr"; fi
  SB_EXTRA_ENV=()
  SB_RUNNER=()
}

sandbox_env() {
  env -i PATH="$SB_BIN:$SHIM_STATE/pkgbin:$SB_REAL" LC_ALL=C HOME=/nonexistent \
    PICC_ROOT="$PICC_ROOT" SHIM_LOG="$SHIM_LOG" SHIM_STATE="$SHIM_STATE" SHIM_SERVE="$SHIM_SERVE" \
    SHIM_REAL="$SB_REAL" SHIM_K8S_VERSION="$K8S_VERSION" "${SB_EXTRA_ENV[@]}" "$@"
}

# run_setup [ARGS] — runs this node's setup.sh in the sandbox (bats `run`).
run_setup() { run_script "$SB_SCRIPT" "$@"; }

# Runs a script in the sandbox; the shim calls it made are kept in $SB_LAST_CALLS.
run_script() {
  local script=$1 before
  shift
  before=$(wc -l <"$SHIM_LOG")
  run sandbox_env "${SB_RUNNER[@]}" bash "$script" "$@"
  SB_LAST_CALLS="$BATS_TEST_TMPDIR/last-calls"
  tail -n +"$((before + 1))" "$SHIM_LOG" >"$SB_LAST_CALLS"
  mapfile -t SB_CALLS <"$SB_LAST_CALLS"
}

# The next call of COMMAND whose arguments match GLOB fails once.
fail_once() { printf '%s' "$2" >"$SHIM_STATE/fail/$1"; }

last_run_calls() { cat "$SB_LAST_CALLS"; }

# Commands that change a system, as logged by the shims.
MUTATING='^(apt-get (.* )?(update|install)|apt-mark hold|systemctl (.* )?(enable|disable|start|stop|restart|daemon-reload|reboot|try-reload-or-restart)|modprobe|sysctl|swapoff|hostname [^ ]|kubeadm (init|join|reset|upgrade)|kubectl .* (apply|create|delete|patch|label|drain|uncordon)|chown|nmcli|netplan (apply|try|generate$)|gpg .*--dearmor|curl .* -o |cilium)'

mutating_calls() { grep -E "$MUTATING" "$SB_LAST_CALLS" || true; }

# Every path under the root with type, mode, size and content digest.
snapshot() {
  (
    cd "$1" || exit 1
    find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
  )
}

# The end state of a node: its root (minus the log and the status file, which hold timestamps) and the
# shims' view of packages, holds, units and hostname.
final_state() {
  snapshot "$PICC_ROOT" | grep -v -e '^\./var/log/picc-setup\.log ' -e ' \./var/log/picc-setup\.log$' \
    -e '/picc-status\.txt '  -e '/picc-status\.txt$'
  (cd "$SHIM_STATE" && grep -r . dpkg hostname | LC_ALL=C sort && find holds systemd pkgbin | LC_ALL=C sort)
  if [[ -f "$SHIM_STATE/owners" ]]; then sed "s|^$PICC_ROOT||" "$SHIM_STATE/owners" | LC_ALL=C sort -u; fi
}

assert_mode() {
  local path=$1 want=$2 got
  [[ -e "$PICC_ROOT$path" ]] || fail "$path does not exist"
  got=$(command stat -c '%a' "$PICC_ROOT$path")
  [[ "$got" == "${want#0}" ]] || fail "$path has mode $got, expected $want"
}

assert_exists() { [[ -e "$PICC_ROOT$1" ]] || fail "$1 does not exist"; }
refute_exists() { [[ ! -e "$PICC_ROOT$1" ]] || fail "$1 exists but should not"; }

# The assertions below use builtins only: forks are what makes this suite slow.

# assert_content PATH < expected — exact bytes.
assert_content() {
  local want="" got=""
  IFS= read -r -d '' want || true
  [[ -f "$PICC_ROOT$1" ]] || fail "$1 does not exist"
  IFS= read -r -d '' got <"$PICC_ROOT$1" || true
  [[ "$got" == "$want" ]] || fail "$1 differs:
--- expected
$want--- got
$got"
}

assert_contains() {
  local text=""
  [[ -f "$PICC_ROOT$1" ]] || fail "$1 does not exist"
  IFS= read -r -d '' text <"$PICC_ROOT$1" || true
  [[ "$text" == *"$2"* ]] || fail "$1 does not contain: $2
--- $1:
$text"
}

# assert_called EXTENDED-REGEX — some shim call of the last run matches (whole line).
assert_called() {
  local call
  for call in "${SB_CALLS[@]}"; do
    if [[ "$call" =~ ^($1)$ ]]; then return 0; fi
  done
  fail "no call matching: $1
--- calls:
$(last_run_calls)"
}

refute_called() {
  local call hits=""
  for call in "${SB_CALLS[@]}"; do
    if [[ "$call" =~ ^($1)$ ]]; then hits+="$call"$'\n'; fi
  done
  [[ -z "$hits" ]] || fail "unexpected call(s) matching $1:
$hits"
}

# rerun_changes_nothing — setup.sh once more on the finished node: it says 0 changes,
# calls nothing that changes a system and leaves the node's end state as it was.
rerun_changes_nothing() {
  local before after
  before=$(final_state)
  run_script "$SB_SCRIPT"
  assert_success
  assert_line "$SB_NODE is already set up: 0 changes"
  refute_output --partial "changed:"
  [[ -z "$(mutating_calls)" ]] || fail "the second run called: $(mutating_calls)"
  after=$(final_state)
  [[ "$before" == "$after" ]] || fail "the second run changed the node:
$(diff <(echo "$before") <(echo "$after"))"
}
