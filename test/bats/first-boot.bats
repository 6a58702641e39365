#!/usr/bin/env bats
# picc's first-boot script (bullseye, bookworm) run for real in a fake root shaped like a
# fresh image's second boot, with shims for the commands that would change the host.

bats_require_minimum_version 1.5.0

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
load "$REPO/node_modules/bats-support/load.bash"
load "$REPO/node_modules/bats-assert/load.bash"
load "$REPO/test/bats/helpers/build.bash"

CMDLINE='console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait cgroup_enable=memory'
TOKENS='systemd.run=/boot/firmware/picc/first-boot.sh systemd.run_success_action=reboot systemd.run_failure_action=reboot systemd.unit=kernel-command-line.target'

setup_file() {
  build_if_stale "$REPO"
  export FB_OUT="$BATS_FILE_TMPDIR/out"
  # The example, with a user the image does not have yet (the uid-1000 user is "pi" until renamed).
  sed 's/^    user: pi .*/    user: kube/' "$REPO/examples/homelab.yaml" >"$BATS_FILE_TMPDIR/homelab.yaml"
  node "$REPO/dist/cli.js" compile "$BATS_FILE_TMPDIR/homelab.yaml" -o "$FB_OUT" >/dev/null
}

setup() {
  R="$BATS_TEST_TMPDIR/root"
  export PICC_ROOT="$R" SHIM_LOG="$BATS_TEST_TMPDIR/calls.log"
  : >"$SHIM_LOG"
  mkdir -p "$R"/boot/firmware/picc "$R"/etc "$R"/home/pi "$R"/usr/lib/userconf-pi "$BATS_TEST_TMPDIR/bin"
  printf '%s %s\n' "$CMDLINE" "$TOKENS" >"$R/boot/firmware/cmdline.txt"
  cp "$FB_OUT/homelab/k8s-worker-3/first-boot.sh" "$FB_OUT/homelab/k8s-worker-3/setup.sh" "$R/boot/firmware/picc/"
  printf 'root:x:0:0::/root:/bin/bash\npi:x:1000:1000::/home/pi:/bin/bash\n' >"$R/etc/passwd"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n' >"$R/etc/hosts"
  echo raspberrypi >"$R/etc/hostname"
  for c in getent systemctl visudo chown useradd usermod; do ln -s "$BATS_TEST_DIRNAME/first-boot/shim" "$BATS_TEST_TMPDIR/bin/$c"; done
  ln -s "$BATS_TEST_DIRNAME/first-boot/shim" "$R/usr/lib/userconf-pi/userconf"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH"
}

run_first_boot() {
  run --separate-stderr bash "$R/boot/firmware/picc/first-boot.sh"
}

@test "a fresh image's second boot: tokens out, user renamed keys-only, SSH, hostname, setup.sh off the card, status on it" {
  run_first_boot
  assert_success
  # Its own tokens gone, the rest of the line (memory cgroup included) exactly as before.
  assert_equal "$(cat "$R/boot/firmware/cmdline.txt")" "$CMDLINE"
  grep -qx 'userconf kube !' "$SHIM_LOG" || fail "uid 1000 not renamed with a locked password: $(cat "$SHIM_LOG")"
  assert_equal "$(cat "$R/etc/sudoers.d/010_picc-kube")" 'kube ALL=(ALL) NOPASSWD: ALL'
  grep -q '^visudo -cqf .*010_picc-kube.picc-new$' "$SHIM_LOG" || fail "sudoers not checked before it was put in place"
  assert_equal "$(cat "$R/home/kube/.ssh/authorized_keys")" "$(sed -n 's/^      - \(ssh-ed25519 .*\)/\1/p' "$BATS_FILE_TMPDIR/homelab.yaml")"
  grep -qx 'PasswordAuthentication no' "$R/etc/ssh/sshd_config.d/02-picc-keys-only.conf"
  grep -qx 'systemctl enable ssh.service' "$SHIM_LOG"
  assert_equal "$(cat "$R/etc/hostname")" k8s-worker-3
  grep -qP '^127\.0\.1\.1\tk8s-worker-3$' "$R/etc/hosts"
  cmp "$R/usr/local/sbin/picc-setup" "$FB_OUT/homelab/k8s-worker-3/setup.sh"
  assert_equal "$(stat -c %a "$R/usr/local/sbin/picc-setup")" 700
  grep -q 'ExecStart=/usr/local/sbin/picc-setup --unattended' "$R/etc/systemd/system/picc-setup.service"
  grep -qx 'systemctl enable picc-setup.service' "$SHIM_LOG"
  [[ ! -e "$R/boot/firmware/picc" ]] || fail "setup.sh (the node's secrets) left on the card"
  assert_equal "$(grep -c '^ok ' "$R/boot/firmware/picc-first-boot.txt")" 5
  grep -q '^first boot done' "$R/boot/firmware/picc-first-boot.txt"
}

@test "a failing step is recorded with its output, the others still run, the secrets still leave the card, exit 0 (the board reboots)" {
  SHIM_FAIL=visudo run_first_boot
  assert_success
  grep -q '^FAILED  sudo, SSH keys, password login off, SSH on' "$R/boot/firmware/picc-first-boot.txt" || fail "$(cat "$R/boot/firmware/picc-first-boot.txt")"
  grep -q 'visudo: failing as the test asked' "$R/boot/firmware/picc-first-boot.txt"
  [[ -z "$(ls -A "$R/etc/sudoers.d")" ]] || fail "an unchecked sudoers file was left: $(ls -A "$R/etc/sudoers.d")"
  assert_equal "$(cat "$R/boot/firmware/cmdline.txt")" "$CMDLINE"
  assert_equal "$(cat "$R/etc/hostname")" k8s-worker-3
  [[ ! -e "$R/boot/firmware/picc" ]] || fail "setup.sh left on the card"
  grep -q '^first boot: 1 step(s) FAILED' "$R/boot/firmware/picc-first-boot.txt"
}

@test "an image without the uid-1000 user (or without userconf): the user is created with a locked password" {
  printf 'root:x:0:0::/root:/bin/bash\n' >"$R/etc/passwd"
  rm "$R/usr/lib/userconf-pi/userconf"
  # useradd's shim does not create it: give getent the user afterwards the way useradd would.
  printf '#!/usr/bin/env bash\nprintf "useradd %%s\\n" "$*" >>"$SHIM_LOG"\nprintf "kube:x:1001:1001::/home/kube:/bin/bash\\n" >>"$PICC_ROOT/etc/passwd"\nmkdir -p "$PICC_ROOT/home/kube"\n' >"$BATS_TEST_TMPDIR/bin/useradd.real"
  chmod +x "$BATS_TEST_TMPDIR/bin/useradd.real"
  mv "$BATS_TEST_TMPDIR/bin/useradd.real" "$BATS_TEST_TMPDIR/bin/useradd"
  run_first_boot
  assert_success
  grep -qx 'useradd --create-home --shell /bin/bash --groups sudo,adm kube' "$SHIM_LOG" || fail "$(cat "$SHIM_LOG")"
  grep -qx "usermod --password ! kube" "$SHIM_LOG"
  assert_equal "$(grep -c '^ok ' "$R/boot/firmware/picc-first-boot.txt")" 5
}
