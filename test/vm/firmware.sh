#!/usr/bin/env bash
# test/vm/firmware.sh — play the Raspberry Pi firmware for a guest disk image under QEMU (TCG).
# Usage: firmware.sh DISK LOGDIR [MIRROR_PORT]
# Contract: at every boot, reads config.txt and cmdline.txt from the disk's FAT
# partition (mtools, no mount), extracts the kernel and initramfs config.txt
# names, and boots them with "cgroup_disable=memory " + the first line of
# cmdline.txt, as the Pi's firmware puts the DTB's bootargs first. QEMU runs
# with -no-reboot: a guest reboot ends QEMU and the loop boots again, reading
# the cmdline.txt the guest left behind; a guest poweroff ends the loop (exit 0).
# The guest's only network peer is 10.0.2.100:80, forwarded to
# 127.0.0.1:MIRROR_PORT on the host (user networking with restrict=on).
# Writes LOGDIR/boot-N.serial (each line prefixed by seconds since that QEMU
# started), LOGDIR/boot-N.cmdline and LOGDIR/boots.tsv (boot, seconds, how it ended).
# Exits 1 if a boot crashes, times out (PICC_VM_BOOT_TIMEOUT, default 900 s)
# or the guest reboots more than PICC_VM_MAX_BOOTS times (default 5).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

disk=${1:?usage: firmware.sh DISK LOGDIR [MIRROR_PORT]}
logdir=${2:?usage: firmware.sh DISK LOGDIR [MIRROR_PORT]}
mirror_port=${3:-}
boot_timeout=${PICC_VM_BOOT_TIMEOUT:-900}
max_boots=${PICC_VM_MAX_BOOTS:-5}
mkdir -p "$logdir"
loader=$(mktemp -d)
trap 'rm -rf "$loader"' EXIT

# config.txt_value KEY — the file named by "KEY=file" or "KEY file ..." in config.txt
# (the forms of kernel= and initramfs); the firmware's defaults are not played.
config_value() {
  vm_fat_cat "$disk" config.txt | tr -d '\r' \
    | awk -v key="$1" '$0 !~ /^#/ { sub(/=/, " "); if ($1 == key) { print $2; exit } }'
}

guest_cmdline() {
  local text lines
  text=$(vm_fat_cat "$disk" cmdline.txt | tr -d '\r')
  lines=$(printf '%s\n' "$text" | grep -c . || true)
  # The firmware reads one line; say so when a guest leaves more behind.
  ((lines <= 1)) || vm_log "warning: cmdline.txt has $lines lines; the firmware uses the first"
  printf '%s\n' "$text" | head -n1
}

net="user,id=net0,restrict=on"
if [[ -n $mirror_port ]]; then
  # One connection per guest connect: QEMU runs the command for each one.
  net+=",guestfwd=tcp:10.0.2.100:80-cmd:socat STDIO TCP4:127.0.0.1:$mirror_port"
fi

printf 'boot\tseconds\tend\n' > "$logdir/boots.tsv"
for ((boot = 1; boot <= max_boots; boot++)); do
  kernel=$(config_value kernel)
  initramfs=$(config_value initramfs)
  [[ -n $kernel ]] || vm_die "config.txt names no kernel="
  [[ -n $initramfs ]] || vm_die "config.txt names no initramfs"
  vm_fat_get "$disk" "$kernel" "$loader/kernel"
  vm_fat_get "$disk" "$initramfs" "$loader/initramfs"
  cmdline="cgroup_disable=memory $(guest_cmdline)"
  printf '%s\n' "$cmdline" > "$logdir/boot-$boot.cmdline"
  vm_log "boot $boot: $cmdline"

  serial=$logdir/boot-$boot.serial
  start=${EPOCHREALTIME/./} # microseconds
  set +e
  timeout --foreground "$boot_timeout" qemu-system-x86_64 \
    -machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
    -no-reboot -nodefaults -display none -monitor none -serial stdio \
    -kernel "$loader/kernel" -initrd "$loader/initramfs" -append "$cmdline" \
    -drive "file=$disk,format=raw,if=virtio,cache=writeback" \
    -netdev "$net" -device virtio-net-pci,netdev=net0 \
    -device virtio-rng-pci \
    < /dev/null 2>"$logdir/boot-$boot.qemu.stderr" \
    | while IFS= read -r line; do
        t=$(( (${EPOCHREALTIME/./} - start) / 10000 ))
        printf '%4d.%02d %s\n' $((t / 100)) $((t % 100)) "${line%$'\r'}"
      done > "$serial"
  status=${PIPESTATUS[0]}
  set -e
  t=$(( (${EPOCHREALTIME/./} - start) / 100000 ))
  seconds=$((t / 10)).$((t % 10))

  # The kernel's last words tell a reboot from a poweroff; QEMU exits 0 for both.
  if ((status == 124)); then end=timeout
  elif ((status != 0)); then end="qemu-exit-$status"
  elif grep -q 'reboot: Restarting system' "$serial"; then end=reboot
  elif grep -q 'reboot: Power down' "$serial"; then end=poweroff
  else end=crash
  fi
  printf '%s\t%s\t%s\n' "$boot" "$seconds" "$end" >> "$logdir/boots.tsv"
  vm_log "boot $boot ended after ${seconds}s: $end"
  case $end in
    reboot) continue ;;
    poweroff) exit 0 ;;
    *) vm_die "boot $boot did not end cleanly ($end); see $serial and $logdir/boot-$boot.qemu.stderr" ;;
  esac
done
vm_die "the guest rebooted more than $max_boots times"
