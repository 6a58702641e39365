#!/usr/bin/env bash
# test/vm/firmware.sh — play the Raspberry Pi firmware for a guest disk image under QEMU (TCG).
# Usage: firmware.sh DISK LOGDIR [MIRROR_PORT]
# Contract: at every boot, reads config.txt and cmdline.txt from the disk's FAT
# partition (mtools, no mount), extracts the kernel (kernel=, else kernel8.img) and
# initramfs (an initramfs line, else auto_initramfs=1's initramfs8) and boots them with
# "tsc=reliable cgroup_disable=memory " + the first line of cmdline.txt, as the Pi's
# firmware puts the DTB's bootargs first (tsc=reliable is the virtual board's own: see
# below). Debian's kernel lacks the Raspberry Pi patch that lets a
# later cgroup_enable=memory win, so the player emulates it: when cmdline.txt has
# cgroup_enable=memory the leading cgroup_disable=memory is left out (said on the
# console log and in boot-N.cmdline's second line). QEMU runs
# with -no-reboot: a guest reboot ends QEMU and the loop boots again, reading
# the cmdline.txt the guest left behind; a guest poweroff ends the loop (exit 0).
# The guest's only network peer is 10.0.2.100:80, forwarded to
# 127.0.0.1:MIRROR_PORT on the host (user networking with restrict=on).
# Writes LOGDIR/boot-N.serial (each line prefixed by seconds since that QEMU
# started), LOGDIR/boot-N.cmdline and LOGDIR/boots.tsv (boot, seconds, how it ended).
# Exits 1 if a boot crashes, times out (PICC_VM_BOOT_TIMEOUT, default 900 s)
# or the guest reboots more than PICC_VM_MAX_BOOTS times (default 5).
# PICC_VM_SMP (default 2) is the guest's vCPU count (e2e-both.sh gives each of two guests one).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

disk=${1:?usage: firmware.sh DISK LOGDIR [MIRROR_PORT]}
logdir=${2:?usage: firmware.sh DISK LOGDIR [MIRROR_PORT]}
mirror_port=${3:-}
boot_timeout=${PICC_VM_BOOT_TIMEOUT:-900}
max_boots=${PICC_VM_MAX_BOOTS:-5}
smp=${PICC_VM_SMP:-2}
mkdir -p "$logdir"
loader=$(mktemp -d)
trap 'rm -rf "$loader"' EXIT

# config.txt_value KEY — the file named by "KEY=file" or "KEY file ..." in config.txt
# (the forms of kernel= and initramfs); the firmware's defaults are not played.
config_value() {
  vm_fat_cat "$disk" config.txt | tr -d '\r' \
    | awk -v key="$1" '$0 !~ /^#/ { sub(/=/, " "); if ($1 == key) { print $2; exit } }'
}

# The firmware's defaults for a Pi 4 with a 64-bit OS: kernel8.img, and with
# auto_initramfs=1 the initramfs named after the kernel (kernel8.img -> initramfs8).
boot_kernel() {
  local k
  k=$(config_value kernel)
  echo "${k:-kernel8.img}"
}
boot_initramfs() {
  local i k
  i=$(config_value initramfs)
  if [[ -z $i ]] && vm_fat_cat "$disk" config.txt | tr -d '\r' | grep -qx 'auto_initramfs=1'; then
    k=$(boot_kernel)
    k=${k/kernel/initramfs}
    i=${k%.img}
  fi
  echo "$i"
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
  kernel=$(boot_kernel)
  initramfs=$(boot_initramfs)
  [[ -n $initramfs ]] || vm_die "config.txt names no initramfs and has no auto_initramfs=1"
  rm -f "$loader/kernel" "$loader/initramfs"
  vm_fat_get "$disk" "$kernel" "$loader/kernel"
  vm_fat_get "$disk" "$initramfs" "$loader/initramfs"
  line=$(guest_cmdline)
  # The virtual board's own argument. Under TCG on a busy host the kernel's clocksource
  # watchdog sees slow TSC reads, marks the TSC unstable and changes clocksource, which
  # clears the kernel's NTP state (STA_UNSYNC again): the harness's clock mark is lost
  # and picc's preflight waits 180 s for NTP. QEMU's TSC follows the host's clock.
  board=tsc=reliable
  if [[ " $line " == *" cgroup_enable=memory "* ]]; then
    # The Raspberry Pi kernel's cgroup_enable= patch, emulated (see the contract above).
    cmdline="$board $line"
    note="# firmware.sh: cmdline.txt has cgroup_enable=memory: cgroup_disable=memory left out (emulating the Raspberry Pi kernel's cgroup_enable= patch, which Debian's kernel lacks)"
  else
    cmdline="$board cgroup_disable=memory $line"
    note="# firmware.sh: cgroup_disable=memory first, as the Pi's device tree puts it"
  fi
  printf '%s\n%s\n' "$cmdline" "$note" > "$logdir/boot-$boot.cmdline"
  vm_log "boot $boot: $cmdline"
  vm_log "${note#\# }"

  serial=$logdir/boot-$boot.serial
  start=${EPOCHREALTIME/./} # microseconds
  set +e
  timeout --foreground "$boot_timeout" qemu-system-x86_64 \
    -machine q35 -accel tcg,thread=multi -cpu max -smp "$smp" -m 2048 \
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
