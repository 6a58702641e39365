# test/vm/image/layout.sh — the guest disk's fixed layout (sourced by the build and the harness).
# Contract: like a Raspberry Pi OS image, an MBR disk whose partition 1 is the FAT
# "bootfs" and partition 2 the ext4 root; fstab and cmdline.txt name them by
# PARTUUID=<VM_DISK_ID>-0N.
VM_DISK_ID="7069cc01"
