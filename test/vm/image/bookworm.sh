# test/vm/image/bookworm.sh — what the bookworm guest has that trixie's does not (sourced by build.sh).
# Contract: sets suite_packages, suite_mirror_debs and suite_cmdline, and defines
# configure_suite, which edits the root tree "$root" as pi-gen's bookworm stages do for
# what matters to picc: no cloud-init, a first user with uid 1000 (pi-gen's FIRST_USER_NAME,
# password locked, as on a card whose user is still to be set up), swap from dphys-swapfile
# (picc must turn it off for good), and a fresh card's
# init=/usr/lib/raspberrypi-sys-mods/firstboot, played by the harness's guest/firstboot.
# shellcheck shell=bash disable=SC2034,SC2154  # build.sh reads the variables and sets $root

suite_packages=(dphys-swapfile)
# The test's mirror repacks trixie's .debs for both guests (see README).
suite_mirror_debs=()
suite_cmdline="quiet init=/usr/lib/raspberrypi-sys-mods/firstboot"

configure_suite() {
  # dphys-swapfile's own default is twice the RAM; a small file keeps the VM's first boot short.
  echo 'CONF_SWAPSIZE=100' > "$root/etc/dphys-swapfile"
  chroot "$root" useradd --uid 1000 --create-home --shell /bin/bash --groups adm,sudo,users pi
  install -D -m 0755 "$here/guest/firstboot" "$root/usr/lib/raspberrypi-sys-mods/firstboot"
}
