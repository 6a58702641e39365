# test/vm/image/trixie.sh — what the trixie guest has that bookworm's does not (sourced by build.sh).
# Contract: sets suite_packages, suite_mirror_debs and suite_cmdline, and defines
# configure_suite, which edits the root tree "$root" as pi-gen's trixie stages do for
# what matters to picc: cloud-init's NoCloud seeded from the boot partition, netplan
# handing everything to NetworkManager.
# shellcheck shell=bash disable=SC2034,SC2154  # build.sh reads the variables and sets $root

suite_packages=(cloud-init netplan.io)
# Trixie's containerd, runc and CNI plugins: the test's mirror repacks them (for both guests).
suite_mirror_debs=(containerd runc containernetworking-plugins)
# trixie's initramfs grows the root partition while this token is there (docs/first-boot-facts.md §1).
suite_cmdline=resize

configure_suite() {
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
}
