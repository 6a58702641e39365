#!/usr/bin/env bash
# test/vm/image/build.sh OUTDIR SUITE — build a trixie or bookworm guest from Debian packages only.
# Contract: writes OUTDIR/disk.img, a raw MBR disk laid out like a Raspberry Pi
# OS card of that release: partition 1 FAT32 labelled "bootfs" (cmdline.txt, config.txt,
# issue.txt, the kernel and initramfs the firmware loads), partition 2 ext4 "rootfs".
# What differs between the releases (cloud-init and netplan on trixie; a uid-1000
# first user and sys-mods' init=firstboot on bookworm) is in SUITE.sh beside this file.
# Both have systemd, NetworkManager, SSH and the FAT partition at /boot/firmware.
# Needs root (mmdebstrap's chroot mode) but no loop devices or
# mounts: partitions are made as files and written into the disk image.
# Packages come from the Debian archive the host's apt uses (PICC_VM_MIRROR
# overrides it), so the build works wherever `apt-get install` works.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/layout.sh"

log() { printf '[vm-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

out=${1:?usage: build.sh OUTDIR SUITE}
suite=${2:?usage: build.sh OUTDIR SUITE}
[[ -f $here/$suite.sh ]] || { log "no $suite.sh: only trixie and bookworm are built"; exit 1; }
# shellcheck source=trixie.sh
source "$here/$suite.sh" # suite_packages, configure_suite, suite_cmdline
boot_mib=512 # the size Raspberry Pi OS bookworm and trixie images give bootfs
root_mib=6144 # picc wants 4 GiB free under /var (Kubernetes images); the disk is sparse

host_mirror() {
  # The archive the host's own apt reads for its release (not -security/-updates).
  local codename
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' \
    | awk -v rel="$codename" '$2 == rel { print $1; exit }'
}
mirror=${PICC_VM_MIRROR:-$(host_mirror)}
[[ -n $mirror ]] || { log "cannot tell which Debian archive the host's apt uses; set PICC_VM_MIRROR"; exit 1; }

# Inside OUTDIR so the finished disk is renamed into place, not copied.
mkdir -p "$out"
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

# What a Raspberry Pi OS Lite image has and picc's setup relies on (python3 for the
# harness's clock unit); linux-image-amd64 stands in for the Pi kernel (see README: architecture).
packages=(
  systemd systemd-sysv udev dbus kmod procps iproute2 iputils-ping e2fsprogs
  linux-image-amd64 initramfs-tools python3
  network-manager openssh-server sudo ca-certificates curl gnupg dosfstools
  # picc's `packages` phase (src/plan/os-profiles.ts BASE_PACKAGES): the guest cannot
  # reach Debian's archive, so they are installed here.
  apt-transport-https conntrack ebtables ethtool gpg iptables socat tar
  "${suite_packages[@]}"
)
# eatmydata: dpkg skips fsync inside the build chroot (a throwaway tree), when the host has it.
hooks=()
if [[ -d /usr/share/mmdebstrap/hooks/eatmydata ]] && command -v eatmydata >/dev/null; then
  hooks=(--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata)
else
  log "no eatmydata on the host: the build runs with dpkg's fsyncs (slower)"
fi
# The initramfs: only what mounts this VM's root (virtio disk, ext4), not initramfs-tools'
# MODULES=most. Written before any package is installed, so the kernel's postinst builds
# it once this way: MODULES=most costs minutes of the build (bookworm's mkinitramfs most
# of all) and seconds of every boot under TCG, and the initramfs is nothing picc touches.
hooks+=(--setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"
  echo MODULES=list > "$1/etc/initramfs-tools/conf.d/picc-vm-modules.conf"
  printf "%s\n" virtio_pci virtio_blk ext4 crc32c_generic > "$1/usr/share/initramfs-tools/modules.d/picc-vm.conf"')
log "mmdebstrap $suite (${#packages[@]} packages)"
# The customize hook runs while the chroot still has its package lists: it keeps the
# .debs the test's mirror repacks (suite_mirror_debs) in OUTDIR/debs.
mmdebstrap --mode=root --variant=minbase --components=main "${hooks[@]}" \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --customize-hook="mkdir -p \"\$1/var/cache/picc-vm-debs\" && chroot \"\$1\" sh -c 'cd /var/cache/picc-vm-debs && for p in ${suite_mirror_debs[*]}; do apt-get download -q \$p; done'" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  "$suite" "$root" "deb $mirror $suite main" >&2

log "configuring the guest"
mv "$root/var/cache/picc-vm-debs" "$work/debs"
# The guest reaches only the test's mirror: no Debian sources, so apt fetches only
# picc's Kubernetes repository (see README).
rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
rm -rf "$root"/var/lib/apt/lists/*
echo raspberrypi > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n' > "$root/etc/hosts"
cat > "$root/etc/fstab" <<EOF
PARTUUID=$VM_DISK_ID-02  /               ext4  defaults,noatime  0 1
PARTUUID=$VM_DISK_ID-01  /boot/firmware  vfat  defaults          0 2
EOF
mkdir -p "$root/boot/firmware"

configure_suite

# The test's own units (not picc's): see guest/ and the README's "Observer".
install -m 0755 "$here/guest/picc-vm-observer" "$root/usr/local/sbin/picc-vm-observer"
install -m 0755 "$here/guest/picc-vm-clock" "$root/usr/local/sbin/picc-vm-clock"
install -m 0644 "$here/guest/picc-vm-observer.service" "$here/guest/picc-vm-clock.service" "$root/etc/systemd/system/"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants" "$root/etc/systemd/system/sysinit.target.wants"
ln -sf ../picc-vm-observer.service "$root/etc/systemd/system/multi-user.target.wants/picc-vm-observer.service"
ln -sf ../picc-vm-clock.service "$root/etc/systemd/system/sysinit.target.wants/picc-vm-clock.service"

# First-boot-only jobs gated on ConditionNeedsUpdate (ldconfig, the hwdb, the journal
# catalog) cost time under TCG and tell nothing about picc: the build runs them once
# and stamps /etc and /var as up to date.
chroot "$root" ldconfig
chroot "$root" systemd-hwdb update
chroot "$root" journalctl --update-catalog
touch "$root/etc/.updated" "$root/var/.updated"

# The firmware (played by firmware.sh) loads kernel8.img and, with auto_initramfs=1,
# initramfs8 from the FAT partition, as a Pi 4 does with Raspberry Pi OS.
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$root"/boot/initrd.img-* | sort -V | tail -n1)
mkdir -p "$work/bootfs"
cp "$kernel" "$work/bootfs/kernel8.img"
cp "$initrd" "$work/bootfs/initramfs8"
# A fresh card's line (docs/first-boot-facts.md §1) with the VM's serial console;
# net.ifnames=0 gives the NIC the name eth0 it has on a Pi (predictable names say enp0s…).
printf 'console=ttyS0,115200 root=PARTUUID=%s-02 rootfstype=ext4 fsck.repair=yes rootwait %s net.ifnames=0\n' \
  "$VM_DISK_ID" "$suite_cmdline" > "$work/bootfs/cmdline.txt"
cat > "$work/bootfs/config.txt" <<'EOF'
# For more options and information see
# http://rptl.io/configtxt
# Some settings may impact device functionality. See link above for details

# Automatically load initramfs files, if found
auto_initramfs=1

[all]
EOF
# pi-gen's issue.txt, also the root's /etc/rpi-issue: what Raspberry Pi Imager (and picc
# boot) read to know a Raspberry Pi OS card, and what picc's preflight looks for.
printf 'Raspberry Pi reference 2026-06-18\nGenerated using pi-gen, https://github.com/RPi-Distro/pi-gen, picc-vm, stage2\n' \
  | tee "$work/bootfs/issue.txt" > "$root/etc/rpi-issue"

log "making the partitions"
boot_start=8192 # sectors: 4 MiB, as on Raspberry Pi OS images
root_start=$((boot_start + boot_mib * 2048))
disk=$work/disk.img
truncate -s $(((root_start + root_mib * 2048) * 512)) "$disk"
sfdisk --quiet "$disk" >&2 <<EOF
label: dos
label-id: 0x$VM_DISK_ID
start=$boot_start, size=$((boot_mib * 2048)), type=c
start=$root_start, size=$((root_mib * 2048)), type=83
EOF

mkfs.vfat -F 32 -n bootfs -C "$work/bootfs.img" $((boot_mib * 1024)) >&2
MTOOLS_SKIP_CHECK=1 mcopy -i "$work/bootfs.img" "$work"/bootfs/* ::/
mke2fs -q -t ext4 -L rootfs -d "$root" "$work/rootfs.img" "${root_mib}M" >&2
dd if="$work/bootfs.img" of="$disk" bs=1M seek=$((boot_start / 2048)) conv=notrunc,sparse status=none
dd if="$work/rootfs.img" of="$disk" bs=1M seek=$((root_start / 2048)) conv=notrunc,sparse status=none

mv "$work/debs" "$out/debs"
mv "$disk" "$out/disk.img"
log "built $out/disk.img"
