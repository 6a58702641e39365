#!/usr/bin/env bats
# kernelPageSize: 4k on a Raspberry Pi 5. The firmware boots the 16 KiB-page kernel by
# default; setup writes kernel=kernel8.img under [pi5] in picc's block of config.txt,
# reboots into it, and checks the page size the running kernel reports.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file
  compile_cluster "$BATS_FILE_TMPDIR/pi5" <<EOF
apiVersion: picc/v1alpha1
kind: Cluster
metadata:
  name: pi5
spec:
  kubernetes:
    version: $K8S_VERSION
  network:
    subnet: 192.168.1.0/24
    gateway: 192.168.1.1
    dns: [192.168.1.1]
  nodeDefaults:
    os: raspios-trixie
  nodes:
    - { name: cp-1, role: control-plane, address: 192.168.1.101 }
    - { name: worker-1, address: 192.168.1.102, kernelPageSize: 4k }
EOF
  export SB_CLUSTER_OUT="$BATS_FILE_TMPDIR/pi5/out/pi5"
}

CONFIG_TXT=$'# For more options and information see\n# http://rptl.io/configtxt\ndtparam=audio=on\n\n[cm4]\notg_mode=1\n\n[cm5]\ndtoverlay=dwc2,dr_mode=host\n\n[all]\n'

# board MODEL-COMPATIBLE PAGE-SIZE — the worker on a fresh trixie image of that board.
board() {
  make_root raspios-trixie worker-1
  printf '%s' "$CONFIG_TXT" >"$PICC_ROOT/boot/firmware/config.txt"
  mkdir -p "$PICC_ROOT/proc/device-tree"
  printf 'raspberrypi,%s\0%s\0' "${1#*,}" "$1" >"$PICC_ROOT/proc/device-tree/compatible"
  echo "$2" >"$SHIM_STATE/page-size"
}

reboot_into() {
  echo 3b1f6a0e-0000-4000-8000-000000000002 >"$PICC_ROOT/proc/sys/kernel/random/boot_id"
  echo "$1" >"$SHIM_STATE/page-size"
}

@test "Pi 5 on its 16K kernel: kernel8.img under [pi5] in config.txt, a reboot, and the resumed run finishes on 4K pages" {
  board brcm,bcm2712 16384
  run_setup
  assert_success
  assert_output --partial "reboot needed: the Raspberry Pi 5 boots the kernel with 4k pages (config.txt) at the next boot"
  # the image's lines kept byte for byte, picc's block after them
  assert_content /boot/firmware/config.txt <<EOF
${CONFIG_TXT}# BEGIN picc managed block (edit the cluster spec, not this block)
[pi5]
kernel=kernel8.img
[all]
# END picc managed block
EOF
  refute_called "kubeadm (init|join) .*"

  reboot_into 4096
  run_script "$PICC_ROOT/usr/local/sbin/picc-setup" --unattended
  assert_success
  assert_called "kubeadm join --config .*"
  assert_exists /var/lib/picc/done
  run_setup
  assert_success
  assert_line "worker-1 is already set up: 0 changes"
}

@test "Pi 5 still on 16K pages after the reboot (kernel8.img missing, say): the resumed run stops and says why" {
  board brcm,bcm2712 16384
  run_setup
  assert_success
  reboot_into 16384
  run_script "$PICC_ROOT/usr/local/sbin/picc-setup" --unattended
  assert_failure
  assert_output --partial "still needed after the reboot: the Raspberry Pi 5 boots the kernel with 4k pages (config.txt) at the next boot"
  refute_called "kubeadm (init|join) .*"
}

@test "a Raspberry Pi 4 with the setting: the [pi5] block is written, it does nothing there, and no reboot is asked for it" {
  board brcm,bcm2711 4096
  run_setup
  assert_success
  assert_output --partial "not a Raspberry Pi 5 (its device tree names no brcm,bcm2712): kernelPageSize does nothing here"
  assert_contains /boot/firmware/config.txt $'[pi5]\nkernel=kernel8.img\n[all]\n'
  refute_output --partial "reboot needed"
  assert_exists /var/lib/picc/done
}

@test "a node without kernelPageSize leaves config.txt alone" {
  make_root raspios-trixie cp-1
  printf '%s' "$CONFIG_TXT" >"$PICC_ROOT/boot/firmware/config.txt"
  run_setup
  assert_success
  assert_content /boot/firmware/config.txt <<<"${CONFIG_TXT%$'\n'}"
  refute_called "getconf .*"
}
