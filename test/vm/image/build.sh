#!/usr/bin/env bash
# test/vm/image/build.sh OUTDIR — build the trixie guest from Debian packages only.
# Contract: writes OUTDIR/disk.img, a raw MBR disk laid out like a Raspberry Pi
# OS trixie card: partition 1 FAT32 labelled "bootfs" (cmdline.txt, config.txt,
# the kernel and initramfs the firmware loads), partition 2 ext4 "rootfs".
# The guest has what matters to picc's first boot on Raspberry Pi OS trixie:
# systemd, cloud-init (trixie's) with NoCloud seeded from file:///boot/firmware/,
# netplan handing everything to NetworkManager, the FAT partition at
# /boot/firmware. Needs root (mmdebstrap's chroot mode) but no loop devices or
# mounts: partitions are made as files and written into the disk image.
# Packages come from the Debian archive the host's apt uses (PICC_VM_MIRROR
# overrides it), so the build works wherever `apt-get install` works.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/layout.sh"

log() { printf '[vm-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

out=${1:?usage: build.sh OUTDIR}
suite=trixie
boot_mib=512 # the size Raspberry Pi OS trixie images give bootfs
root_mib=3072

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

# What a Raspberry Pi OS trixie Lite image has and picc's setup relies on;
# linux-image-amd64 stands in for the Pi kernel (see README: architecture).
packages=(
  systemd systemd-sysv udev dbus kmod procps iproute2 iputils-ping e2fsprogs
  linux-image-amd64 initramfs-tools
  cloud-init netplan.io network-manager
  openssh-server sudo ca-certificates curl gnupg dosfstools
)
log "mmdebstrap $suite (${#packages[@]} packages)"
mmdebstrap --mode=root --variant=minbase --components=main \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  "$suite" "$root" "deb $mirror $suite main" >&2

log "configuring the guest"
echo raspberrypi > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n' > "$root/etc/hosts"
cat > "$root/etc/fstab" <<EOF
PARTUUID=$VM_DISK_ID-02  /               ext4  defaults,noatime  0 1
PARTUUID=$VM_DISK_ID-01  /boot/firmware  vfat  defaults          0 2
EOF
mkdir -p "$root/boot/firmware"

# As pi-gen's stage2/04-cloud-init does on trixie (later rpi-cloud-init-mods):
# NoCloud only, seeded from the boot partition, SSH host keys left alone.
cat > "$root/etc/cloud/cloud.cfg.d/99_raspberry-pi.cfg" <<'EOF'
datasource_list: [ NoCloud, None ]
datasource:
  NoCloud:
    seedfrom: file:///boot/firmware/
ssh_deletekeys: false
ssh_genkeytypes: []
EOF
# cloud-init's raspberry-pi-os distro leaves growpart and resizefs out of its
# module list; this guest runs the debian distro, so they are switched off here.
cat > "$root/etc/cloud/cloud.cfg.d/98_picc-vm-no-resize.cfg" <<'EOF'
growpart:
  mode: "off"
resize_rootfs: false
EOF
# NoCloud reads a file:// seed only in its local stage, which on its own is
# not ordered after the FAT mount; make sure /boot/firmware is there first.
mkdir -p "$root/etc/systemd/system/cloud-init-local.service.d"
cat > "$root/etc/systemd/system/cloud-init-local.service.d/10-boot-firmware.conf" <<'EOF'
[Unit]
RequiresMountsFor=/boot/firmware
EOF
# pi-gen's netplan passthrough: every netplan definition goes to NetworkManager.
mkdir -p "$root/usr/lib/netplan"
printf 'network:\n  version: 2\n  renderer: NetworkManager\n' \
  > "$root/usr/lib/netplan/00-network-manager-all.yaml"
chmod 600 "$root/usr/lib/netplan/00-network-manager-all.yaml"

# The firmware (played by firmware.sh) loads the kernel and initramfs named in
# config.txt from the FAT partition, as a Pi does with kernel_2712.img & co.
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$root"/boot/initrd.img-* | sort -V | tail -n1)
mkdir -p "$work/bootfs"
cp "$kernel" "$work/bootfs/vmlinuz"
cp "$initrd" "$work/bootfs/initrd.img"
printf 'console=ttyS0,115200 root=PARTUUID=%s-02 rootfstype=ext4 fsck.repair=yes rootwait\n' \
  "$VM_DISK_ID" > "$work/bootfs/cmdline.txt"
cat > "$work/bootfs/config.txt" <<'EOF'
# For more options and information see
# http://rptl.io/configtxt
# Some settings may impact device functionality. See link above for details

# picc VM: the firmware player boots these instead of kernel8.img/initramfs8
kernel=vmlinuz
initramfs initrd.img followkernel

[all]
EOF

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

mv "$disk" "$out/disk.img"
log "built $out/disk.img"
