#!/usr/bin/env bash
# test/vm/e2e.sh [OS] — issue 8's proof on a real system: picc's seed, written by
# `picc boot`, sets up a Raspberry-Pi-OS-like VM to done, through a mirror outage.
# Contract: builds or reuses the cached guest image (image.sh), lays out the loopback
# mirror for this run (mirror/build.sh: Debian's containerd, runc and CNI plugins in
# their upstream layout; stand-in kubeadm, kubelet and kubectl in an apt repository
# signed with a throwaway key), compiles e2e/cluster.yaml.in with dist/cli.js, copies
# the boot partition's files out (mtools), runs `picc boot` on that folder and copies
# back what it wrote, then boots through firmware.sh while the mirror answers 503 for
# the first PICC_VM_OUTAGE seconds (default 90) after the guest's first request. The
# image's observer unit (the harness's, not picc's) powers the guest off once setup is
# done or has failed. The assertions read the guest's own state from the powered-off
# disk (debugfs, mtype). Prints TAP-like lines and timings; exits non-zero if any check
# fails. Keeps the run folder when a check fails or PICC_VM_KEEP=1.
# OS: raspios-trixie (the default; cloud-init's NoCloud seed) or raspios-bookworm (no
# cloud-init: picc boot's first-boot script, run by systemd.run= from cmdline.txt).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

os=${1:-raspios-trixie}
kube_version=1.34.2
node=vm-cp-1
address=10.0.2.20
outage=${PICC_VM_OUTAGE:-90}
repo=$(cd "$VM_DIR/../.." && pwd)
picc() { node "$repo/dist/cli.js" "$@"; }
case $os in
  raspios-trixie) suite=trixie ;;
  raspios-bookworm) suite=bookworm ;;
  *) vm_die "no guest image for $os (raspios-trixie or raspios-bookworm)" ;;
esac
[[ -f $repo/dist/cli.js ]] || vm_die "dist/cli.js is missing: run npm run build first"

echo "# picc VM end-to-end test, $os guest (amd64 under QEMU TCG)"
echo "# Stand-ins: kubeadm, kubelet and kubectl are the test's recording stand-ins; the real"
echo "# ones cannot be fetched here. containerd, runc and the CNI plugins are real (Debian's)."
echo "# Firmware: Debian's kernel lacks the Pi's cgroup_enable= patch; firmware.sh emulates it"
echo "# (cmdline.txt with cgroup_enable=memory -> no leading cgroup_disable=memory)."

t0=$SECONDS
image=$(bash "$VM_DIR/image.sh" "$suite")
image_dir=$(dirname "$image")
# Both guests get trixie's containerd, runc and CNI plugins (the trixie image keeps the .debs).
debs=$(dirname "$(bash "$VM_DIR/image.sh" trixie)")/debs
image_seconds=$((SECONDS - t0))
run=$(mktemp -d "${TMPDIR:-/var/tmp}/picc-vm-e2e.XXXXXX")
mirror_pid=
cleanup() {
  [[ -z $mirror_pid ]] || kill "$mirror_pid" 2>/dev/null || true
  if [[ ${failed:-1} == 0 && ${PICC_VM_KEEP:-0} != 1 ]]; then rm -rf "$run"; else vm_log "run kept in $run"; fi
}
trap cleanup EXIT

# --- the mirror and the spec -------------------------------------------------------
bash "$VM_DIR/mirror/build.sh" "$run/mirror" "$debs" "$kube_version" "$run/mirror.env"
mirror_value() { sed -n "s/^$1=//p" "$run/mirror.env"; }
containerd_version=$(mirror_value containerd_version) containerd_sha256=$(mirror_value containerd_sha256)
runc_version=$(mirror_value runc_version) runc_sha256=$(mirror_value runc_sha256)
cni_version=$(mirror_value cni_version) cni_sha256=$(mirror_value cni_sha256)
signing_key=$(mirror_value signing_key)
sed -e "s/@KUBE_VERSION@/$kube_version/" -e "s/@OS@/$os/" -e "s/@SIGNING_KEY@/$signing_key/" \
  -e "s/@CONTAINERD_VERSION@/$containerd_version/" -e "s/@CONTAINERD_SHA256@/$containerd_sha256/" \
  -e "s/@RUNC_VERSION@/$runc_version/" -e "s/@RUNC_SHA256@/$runc_sha256/" \
  -e "s/@CNI_VERSION@/$cni_version/" -e "s/@CNI_SHA256@/$cni_sha256/" \
  "$VM_DIR/e2e/cluster.yaml.in" > "$run/cluster.yaml"
echo "# mirror: containerd $containerd_version, runc $runc_version, CNI plugins $cni_version (Debian trixie's, repacked);"
echo "#         Kubernetes $kube_version stand-ins signed by throwaway key $signing_key"
picc compile "$run/cluster.yaml" -o "$run/out" 2>&1 | sed 's/^/# /'

# --- the card: picc boot on the boot partition's files ----------------------------
# The cached image is never booted: each run gets its own sparse copy.
cp --sparse=always "$image" "$run/disk.img"
fat=$(vm_fat "$run/disk.img")
mkdir "$run/bootfs"
MTOOLS_SKIP_CHECK=1 mcopy -s -n -i "$fat" '::*' "$run/bootfs/"
(cd "$run/bootfs" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "$run/bootfs.before"
cmdline_card=$(cat "$run/bootfs/cmdline.txt")
picc boot "$run/cluster.yaml" "$node" "$run/bootfs" 2>&1 | sed 's/^/# picc boot: /'
# Copy back what picc boot wrote or changed (nothing is mounted).
sum_before() { awk -v f="./$1" 'substr($0, 67) == f { print $1 }' "$run/bootfs.before"; }
while IFS= read -r -d '' f; do
  rel=${f#./}
  if [[ $(sha256sum < "$run/bootfs/$rel" | cut -d' ' -f1) != "$(sum_before "$rel")" ]]; then
    [[ $rel != */* ]] || MTOOLS_SKIP_CHECK=1 mmd -D s -i "$fat" "::$(dirname "$rel")" 2>/dev/null || true
    vm_fat_put "$run/disk.img" "$run/bootfs/$rel" "$rel"
    echo "# copied onto the card: $rel"
  fi
done < <(cd "$run/bootfs" && find . -type f -print0)

# --- the boot ------------------------------------------------------------------------
/usr/bin/python3 -u "$VM_DIR/mirror/serve.py" "$run/mirror" "$outage" > "$run/mirror.log" 2>&1 &
mirror_pid=$!
for _ in $(seq 50); do
  port=$(sed -n '1s/^port \([0-9]*\)$/\1/p' "$run/mirror.log")
  [[ -z $port ]] || break
  sleep 0.1
done
[[ -n $port ]] || vm_die "the loopback mirror did not start: $(cat "$run/mirror.log")"
echo "# injected failure: the mirror answers 503 for ${outage}s after the guest's first request"

t0=$SECONDS
PICC_VM_BOOT_TIMEOUT=${PICC_VM_BOOT_TIMEOUT:-1800} bash "$VM_DIR/firmware.sh" "$run/disk.img" "$run/logs" "$port" \
  || vm_log "firmware.sh failed; checking what there is"
boot_seconds=$((SECONDS - t0))
kill "$mirror_pid" 2>/dev/null || true
mirror_pid=

# --- assertions from the guest's own state -----------------------------------------
failed=0
n=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  n=$((n + 1))
  if "$@" > /dev/null 2>&1; then echo "ok $n - $what"; else echo "not ok $n - $what"; failed=1; fi
}
guest() { vm_root_cat "$run/disk.img" "$1"; }
final() { guest "/var/lib/picc-vm/final/$1"; }
json_field() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d.get(sys.argv[1])))' "$1"; }
absent() { ! guest "$1"; }
count_of() { grep -cxF -- "$1" || true; }

mkdir "$run/bootfs.after"
MTOOLS_SKIP_CHECK=1 mcopy -s -n -i "$fat" '::*' "$run/bootfs.after/"
ends=$(awk -F'\t' 'NR > 1 { print $3 }' "$run/logs/boots.tsv" | paste -sd, -)
verdict=$(final verdict 2>/dev/null || echo "no verdict (the observer never finished)")

check "the guest powered itself off after setup (boots ended: $ends)" grep -q 'poweroff$' <<< "$ends"
check "setup finished: the observer saw /var/lib/picc/done (verdict: $verdict)" test "$verdict" = "done"
check "/var/lib/picc/done exists in the guest" guest /var/lib/picc/done
last_boot=$(($(wc -l < "$run/logs/boots.tsv") - 1))
check "the last boot's kernel cmdline, as the guest saw it, is the line the firmware player built" \
  diff <(final cmdline) <(head -n1 "$run/logs/boot-$last_boot.cmdline")
check "the hostname is the node's name" grep -qx "$node" <(final hostname)
if [[ $os == raspios-trixie ]]; then
  check "NoCloud read the seed from /boot/firmware" \
    grep -q 'DataSourceNoCloud .*file:///boot/firmware/' <(final cloud-init.json | json_field detail)
  check "cloud-init status is done" grep -qx '"done"' <(final cloud-init.json | json_field status)
  check "cloud-init reports no errors" grep -qx '\[\]' <(final cloud-init.json | json_field errors)
  check "cloud-init status exited 0 (no recoverable errors either)" grep -qx 0 <(final cloud-init.rc)
fi
if [[ $os == raspios-bookworm ]]; then
  check "boot 1 ran sys-mods' firstboot (the harness's stand-in) from init=" \
    grep -q ' init=/usr/lib/raspberrypi-sys-mods/firstboot' <(head -n1 "$run/logs/boot-1.cmdline")
  check "boot 2 ran picc's first-boot script from systemd.run=" \
    grep -q ' systemd.run=/boot/firmware/picc/first-boot.sh' <(head -n1 "$run/logs/boot-2.cmdline")
  check "the first-boot script recorded its steps as ok on the card (picc-first-boot.txt)" \
    bash -c 'grep -q "^first boot done" "$1" && ! grep -q FAILED "$1"' _ "$run/bootfs.after/picc-first-boot.txt"
  check "the first-boot files are gone from the card" test ! -e "$run/bootfs.after/picc"
  check "cmdline.txt lost the first-boot tokens" bash -c '! grep -qE "systemd\.(run|unit)|init=" "$1"' _ "$run/bootfs.after/cmdline.txt"
  check "the image's uid-1000 user is the spec's user pi" grep -q '^pi:x:1000:' <(guest /etc/passwd)
  check "pi has the spec's SSH key" grep -q 'vm-e2e@picc.invalid' <(guest /home/pi/.ssh/authorized_keys)
  check "setup turned the image's dphys-swapfile swap off for good (its log)" \
    grep -q 'changed: disable dphys-swapfile' <(guest /var/log/picc-setup.log)
  check "the swap file /var/swap is gone" absent /var/swap
fi
check "the static address $address/24 is on eth0" grep -q "eth0 .*inet $address/24 " <(final addresses)
check "QEMU's DHCP address is not (the static configuration won)" bash -c '! grep -q "inet 10.0.2.15/" <<< "$1"' _ "$(final addresses)"
check "the default route goes via the spec's gateway 10.0.2.2" grep -q '^default via 10.0.2.2 dev eth0' <(final routes)
modules_file=$(grep -o '/etc/modules-load.d/[^ ]*' "$run/out/vm-e2e/$node/setup.sh" | head -n1)
for m in $(guest "$modules_file" | grep -v '^#'); do
  check "kernel module $m is loaded (listed in $modules_file)" grep -qx "$m" <(final modules)
done
check "overlay and br_netfilter are among them" bash -c 'grep -qx overlay <<< "$1" && grep -qx br_netfilter <<< "$1"' _ "$(guest "$modules_file")"
check "picc's sysctl file sets net.ipv4.ip_forward (the file is there)" \
  grep -q '^net.ipv4.ip_forward' <(guest /etc/sysctl.d/90-picc-kubernetes.conf)
while IFS='=' read -r key value; do
  key=$(echo "$key" | xargs) value=$(echo "$value" | xargs)
  [[ -n $key && $key != \#* ]] || continue
  check "sysctl $key = $value" grep -qxF "$key = $value" <(final sysctl)
done < <(guest /etc/sysctl.d/90-picc-kubernetes.conf)
check "no swap is active" test -z "$(final swaps)"
check "the memory cgroup controller is on" grep -qw memory <(final controllers)
check "the kernel was booted without cgroup_disable=memory (the player's emulated Pi patch)" \
  bash -c '! grep -qw cgroup_disable=memory <<< "$1"' _ "$(final cmdline)"
check "cmdline.txt is one line" test "$(wc -l < "$run/bootfs.after/cmdline.txt")" = 1
check "cmdline.txt has cgroup_enable=memory exactly once" \
  test "$(tr ' ' '\n' < "$run/bootfs.after/cmdline.txt" | count_of cgroup_enable=memory)" = 1
# bookworm's firstboot (played by the harness) takes out its own init= and quiet.
cmdline_expected=$(sed -e 's| quiet||' -e 's| init=/usr/lib/raspberrypi-sys-mods/firstboot||' <<< "$cmdline_card")
check "cmdline.txt is the card's line, byte for byte, plus cgroup_enable=memory" \
  test "$(cat "$run/bootfs.after/cmdline.txt")" = "$cmdline_expected cgroup_enable=memory"
check "containerd is active" grep -qx active <(final containerd.active)
check "containerd was installed from the mirror's tarball (sha256 recorded by setup)" \
  grep -qx "$containerd_sha256" <(guest /var/lib/picc/installed/containerd)
check "kubelet is enabled" grep -qx enabled <(final kubelet.enabled)
check "kubeadm init was called exactly once" test "$(guest /var/lib/picc-vm/calls/kubeadm.log | grep -c '^kubeadm init ')" = 1
check "kubeadm init was given only --config" grep -qE '^kubeadm init --config [^ ]+$' <(guest /var/lib/picc-vm/calls/kubeadm.log)
check "kubeadm's config is v1beta4 (InitConfiguration and ClusterConfiguration)" bash -c \
  'grep -qx "apiVersion: kubeadm.k8s.io/v1beta4" <<< "$1" && grep -qx "kind: InitConfiguration" <<< "$1" && grep -qx "kind: ClusterConfiguration" <<< "$1"' \
  _ "$(guest /var/lib/picc-vm/calls/kubeadm-init-1.yaml)"
check "no second kubeadm config was recorded" absent /var/lib/picc-vm/calls/kubeadm-init-2.yaml
check "flannel's manifest was applied" grep -q '^kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f ' <(guest /var/lib/picc-vm/calls/kubectl.log)
check "apt knows only picc's Kubernetes repository (no Debian sources in the image)" \
  bash -c 'debugfs -R "ls -l /etc/apt/sources.list.d" "$1?offset=$2" 2>/dev/null | grep -o "[^ ]*\.list" | paste -sd, - | grep -qx kubernetes.list' _ "$run/disk.img" "$(vm_part_offset "$run/disk.img" 2)"
# Secrets: the bootstrap token and the private keys' text, from the cluster's secrets file.
/usr/bin/python3 - "$run/cluster.secrets.yaml" > "$run/secret-needles" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
print(doc["bootstrapToken"])
print(doc["certificateKey"])
def walk(v):
    if isinstance(v, dict):
        for x in v.values(): yield from walk(x)
    elif isinstance(v, str) and "PRIVATE KEY" in v:
        yield v.strip().splitlines()[1]  # the key's first line of base64
for line in walk(doc): print(line)
PY
check "the secrets file yields needles to look for ($(wc -l < "$run/secret-needles"))" test "$(wc -l < "$run/secret-needles")" -ge 4
check "no secret is left on the boot partition (token, certificate key, private keys)" \
  bash -c '! grep -rqF -f "$1" "$2"' _ "$run/secret-needles" "$run/bootfs.after"
check "no PRIVATE KEY text is left on the boot partition" bash -c '! grep -rq "PRIVATE KEY" "$1"' _ "$run/bootfs.after"
check "the status file on the boot partition says setup is done" \
  grep -qxF "picc setup of $node: done" <(head -n1 "$run/bootfs.after/picc-status.txt")
# The injected failure: the guest met the outage and setup got everything after it.
check "the guest met the mirror outage (503 answers)" grep -q ' 503 ' "$run/mirror.log"
check "setup failed in a network phase and tried again (its log)" \
  grep -q 'failed in a phase that needs the network; trying again' <(guest /var/log/picc-setup.log)
for path in "/github.com/containerd/containerd/releases/download/v$containerd_version/" \
  "/github.com/opencontainers/runc/releases/download/v$runc_version/" \
  "/github.com/containernetworking/plugins/releases/download/v$cni_version/" \
  "/pkgs.k8s.io/core:/stable:/v${kube_version%.*}/deb/"; do
  check "after the outage the mirror served ${path#/}…" grep -q " 200 $path" "$run/mirror.log"
done
echo "1..$n"

# --- what happened, and how long it took -------------------------------------------
# Reports, not checks: a missing fact prints "?" and must not end the test early.
set +e
echo "# image: $(cat "$image_dir/build-seconds")s to build (cold, when it was built); ${image_seconds}s this run"
while IFS=$'\t' read -r b secs end; do
  [[ $b != boot ]] || continue
  mu=$(grep -a 'Reached target.*multi-user.target' "$run/logs/boot-$b.serial" | head -n1 | awk '{ print $1 "s" }')
  mu=${mu:+at $mu after QEMU started}
  # systemd stops printing its status once a unit writes to the console: then the
  # observer's record (its own boot count) says it for the last boot.
  if [[ -z $mu && $b == "$last_boot" ]]; then
    usec=$(guest "/var/lib/picc-vm/boot-$(final boot)/multi-user-usec" 2>/dev/null)
    [[ -z $usec ]] || mu="at $((usec / 1000000))s guest uptime (observer)"
  fi
  echo "# boot $b: ${secs}s in QEMU, ended by $end; multi-user.target ${mu:-not reached}; kernel: $(head -n1 "$run/logs/boot-$b.cmdline")"
  echo "#   $(sed -n '2s/^# //p' "$run/logs/boot-$b.cmdline")"
done < "$run/logs/boots.tsv"
setup_start=$(guest /var/log/picc-setup.log 2>/dev/null | sed -n 's/^picc setup for .* — \(.*\) UTC.*$/\1/p' | head -n1)
setup_end=$(final epoch 2>/dev/null || echo)
setup_took='?'
[[ -z $setup_start || -z $setup_end ]] || setup_took=$((setup_end - $(date -u -d "$setup_start" +%s)))s
echo "# setup: ${setup_took} from its first start (cloud-init's runcmd or the setup unit) until the observer's verdict '$verdict' (at ${setup_end:+$(final uptime)}s uptime of the last boot); setup started $(guest /var/log/picc-setup.log 2>/dev/null | grep -c '^picc setup for') time(s)"
# The harness's clock mark (picc-vm-clock, kept by firmware.sh's tsc=reliable): 0 when it held.
echo "# clock: setup logged $(guest /var/log/picc-setup.log 2>/dev/null | grep -c 'waiting for NTP time synchronisation') wait(s) for NTP (0: the harness's clock mark held)"
echo "# mirror: $(grep -c ' 503 ' "$run/mirror.log") answers 503, $(grep -c ' 200 ' "$run/mirror.log") answers 200; last 503 at $(grep ' 503 ' "$run/mirror.log" | tail -n1 | awk '{ print $1 }')s"
echo "# all boots: ${boot_seconds}s; whole test: ${SECONDS}s"
if ((failed)); then
  echo "# --- setup log (tail) ---"
  guest /var/log/picc-setup.log 2>/dev/null | tail -n 30 | sed 's/^/# /'
fi
exit "$failed"
