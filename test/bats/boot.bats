#!/usr/bin/env bats
# `picc boot SPEC NODE MOUNTPOINT` against fake boot partitions laid out as fresh images
# lay them out: what it writes, what it refuses, cmdline.txt kept byte for byte.

bats_require_minimum_version 1.5.0

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
load "$REPO/node_modules/bats-support/load.bash"
load "$REPO/node_modules/bats-assert/load.bash"
load "$REPO/test/bats/helpers/build.bash"

BOOKWORM_CMDLINE='console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait quiet init=/usr/lib/raspberrypi-sys-mods/firstboot'
TRIXIE_CMDLINE='console=serial0,115200 console=tty1 root=PARTUUID=5a8b1f2c-02 rootfstype=ext4 fsck.repair=yes rootwait quiet resize'
FIRST_BOOT_TOKENS='systemd.run=/boot/firmware/picc/first-boot.sh systemd.run_success_action=reboot systemd.run_failure_action=reboot systemd.unit=kernel-command-line.target'

setup_file() {
  build_if_stale "$REPO"
}

setup() {
  WORK="$BATS_TEST_TMPDIR/work"
  mkdir -p "$WORK"
  cd "$WORK" || exit 1
  cp "$REPO/examples/homelab.yaml" homelab.yaml
  # A trixie cluster: the same example with every node on trixie.
  sed 's/^    os: raspios-bookworm.*/    os: raspios-trixie/' homelab.yaml >trixie.yaml
  grep -q 'os: raspios-trixie' trixie.yaml || fail "could not derive trixie.yaml"
  node "$REPO/dist/cli.js" secrets init homelab.yaml >/dev/null
  node "$REPO/dist/cli.js" secrets init trixie.yaml >/dev/null
}

picc() {
  run --separate-stderr node "$REPO/dist/cli.js" "$@"
}

# fake_partition DIR CMDLINE [auto_initramfs]: a boot partition as a fresh Raspberry Pi OS image has it.
fake_partition() {
  mkdir -p "$1"
  printf '%s\n' "$2" >"$1/cmdline.txt"
  printf '[all]\n%s\n' "${3:-}" >"$1/config.txt"
  printf 'Raspberry Pi reference 2025-05-13\nGenerated using pi-gen, https://github.com/RPi-Distro/pi-gen, 0b6f2c3, stage2\n' >"$1/issue.txt"
}

tree_sum() {
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

@test "bookworm: the first-boot script and setup.sh go to picc/, cmdline.txt gets the memory cgroup and systemd.run once" {
  fake_partition bootfs "$BOOKWORM_CMDLINE" 'auto_initramfs=1'
  picc boot homelab.yaml k8s-worker-3 bootfs
  assert_success
  # first-boot.sh settles the first user there: no userconf.txt
  [[ ! -e bootfs/userconf.txt ]] || fail "userconf.txt on a bookworm card"
  [[ "$output" == *"bookworm"* && "$output" == *"picc/first-boot.sh"* && "$output" == *"picc/setup.sh"* ]] || fail "output: $output"
  [[ "$stderr" == *"anyone holding this card can read the join token"* ]] || fail "no warning about the token: $stderr"
  node "$REPO/dist/cli.js" compile homelab.yaml -o out >/dev/null
  cmp bootfs/picc/setup.sh out/homelab/k8s-worker-3/setup.sh
  cmp bootfs/picc/first-boot.sh out/homelab/k8s-worker-3/first-boot.sh
  assert_equal "$(cat bootfs/cmdline.txt)" "$BOOKWORM_CMDLINE cgroup_enable=memory $FIRST_BOOT_TOKENS"
  assert_equal "$(wc -l <bootfs/cmdline.txt)" 1
  # Again: the same files, no token twice.
  picc boot homelab.yaml k8s-worker-3 bootfs
  assert_success
  [[ "$output" == *"cmdline.txt            already has what it needs"* ]] || fail "output: $output"
  assert_equal "$(cat bootfs/cmdline.txt)" "$BOOKWORM_CMDLINE cgroup_enable=memory $FIRST_BOOT_TOKENS"
  [[ -z "$(find bootfs -name '*.picc-new')" ]] || fail "temporary files left on the card"
}

@test "trixie: the cloud-init seed at the top of the partition, no first-boot script" {
  fake_partition bootfs "$TRIXIE_CMDLINE" 'auto_initramfs=1'
  picc boot trixie.yaml k8s-master-1 bootfs
  assert_success
  [[ "$output" == *"cloud-init seed"* ]] || fail "output: $output"
  [[ "$stderr" == *"the join token and the cluster's CA keys"* ]] || fail "a control plane's card holds the CA keys too: $stderr"
  node "$REPO/dist/cli.js" compile trixie.yaml -o out >/dev/null
  for f in user-data meta-data network-config; do cmp "bootfs/$f" "out/homelab/k8s-master-1/$f"; done
  [[ ! -e bootfs/picc ]] || fail "a first-boot script on a cloud-init card"
  # the image's first user, pending a rename, becomes the spec's user with a locked password
  assert_equal "$(cat bootfs/userconf.txt)" "pi:!"
  [[ "$output" == *"userconf.txt"* ]] || fail "output: $output"
  assert_equal "$(cat bootfs/cmdline.txt)" "$TRIXIE_CMDLINE cgroup_enable=memory"
}

@test "cmdline.txt is kept byte for byte: CRLF, double spaces and what follows the first line stay" {
  fake_partition bootfs "$BOOKWORM_CMDLINE" 'auto_initramfs=1'
  printf 'console=tty1  root=PARTUUID=1-02 rootwait init=/usr/lib/raspberrypi-sys-mods/firstboot\r\n' >bootfs/cmdline.txt
  picc boot homelab.yaml k8s-worker-3 bootfs
  assert_success
  assert_equal "$(tail -c 2 bootfs/cmdline.txt | od -An -tx1 | tr -d ' ')" 0d0a
  [[ "$(cat bootfs/cmdline.txt)" == "console=tty1  root=PARTUUID=1-02 rootwait init=/usr/lib/raspberrypi-sys-mods/firstboot cgroup_enable=memory $FIRST_BOOT_TOKENS"$'\r' ]] || fail "$(cat -A bootfs/cmdline.txt)"
}

@test "--dry-run lists the same and writes nothing" {
  fake_partition bootfs "$BOOKWORM_CMDLINE" 'auto_initramfs=1'
  before="$(tree_sum bootfs)"
  picc boot homelab.yaml k8s-worker-3 bootfs --dry-run
  assert_success
  [[ "$output" == *"would write"* && "$output" == *"Nothing was written (--dry-run)."* ]] || fail "output: $output"
  assert_equal "$(tree_sum bootfs)" "$before"
}

@test "refusals: no boot partition, another OS, a card Imager customised, a node not in the spec, no secrets yet" {
  mkdir empty
  picc boot homelab.yaml k8s-worker-3 empty
  assert_failure 1
  [[ "$stderr" == *"error[PICC601]"* ]] || fail "$stderr"
  fake_partition trixie-card "$TRIXIE_CMDLINE" 'auto_initramfs=1'
  before="$(tree_sum trixie-card)"
  picc boot homelab.yaml k8s-worker-3 trixie-card
  assert_failure 1
  [[ "$stderr" == *"error[PICC602]"* && "$stderr" == *"bookworm"* && "$stderr" == *"trixie"* ]] || fail "$stderr"
  assert_equal "$(tree_sum trixie-card)" "$before"
  fake_partition imager "$BOOKWORM_CMDLINE systemd.run=/boot/firstrun.sh systemd.run_success_action=reboot" 'auto_initramfs=1'
  : >imager/firstrun.sh
  picc boot homelab.yaml k8s-worker-3 imager
  assert_failure 1
  [[ "$stderr" == *"error[PICC603]"* ]] || fail "$stderr"
  fake_partition bootfs "$BOOKWORM_CMDLINE" 'auto_initramfs=1'
  picc boot homelab.yaml k8s-wroker-3 bootfs
  assert_failure 1
  [[ "$stderr" == *"error[PICC605]"* && "$stderr" == *'did you mean "k8s-worker-3"'* ]] || fail "$stderr"
  cp homelab.yaml fresh.yaml
  picc boot fresh.yaml k8s-worker-3 bootfs
  assert_failure 1
  [[ "$stderr" == *"error[PICC606]"* && "$stderr" == *"picc compile"* ]] || fail "$stderr"
  [[ ! -e fresh.secrets.yaml && ! -e bootfs/picc ]] || fail "a refused boot wrote something"
}

@test "a card whose release cannot be told is a warning; --strict makes it an error" {
  fake_partition used "console=tty1 root=PARTUUID=1-02 rootwait" 'auto_initramfs=1'
  picc boot homelab.yaml k8s-worker-3 used --dry-run
  assert_success
  [[ "$stderr" == *"warning[PICC604]"* ]] || fail "$stderr"
  picc boot homelab.yaml k8s-worker-3 used --strict
  assert_failure 1
  [[ ! -e used/picc ]] || fail "--strict wrote the card"
}

@test "--format json: what was written, for tools" {
  fake_partition bootfs "$BOOKWORM_CMDLINE" 'auto_initramfs=1'
  picc boot homelab.yaml k8s-worker-3 bootfs --format json
  assert_success
  run node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (!j.ok || j.delivery !== "first-boot" || j.files.join() !== "picc/first-boot.sh,picc/setup.sh" || j.cmdlineAdded[0] !== "cgroup_enable=memory") process.exit(1)' <<<"$output"
  assert_success
}
