#!/usr/bin/env bats
# Files setup replaces are written beside the target and renamed into place: the path
# then names a new inode holding the whole new content, and a reader (or a power cut)
# sees the old file or the new one, never half of one. Checked by inode on every helper
# that writes a file: ensure_file, ensure_block, ensure_line, ensure_kernel_args and
# write_if_different (hostname's /etc/hosts clean-up, containerd's config).

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
}

inode_of() { command stat -c '%i' "$PICC_ROOT$1"; }

@test "every file setup replaces gets a new inode, with the new content, and no temporary file is left" {
  make_root raspios-trixie worker-1
  # Files that exist before the run and that setup must change.
  mkdir -p "$PICC_ROOT/home/pi/.ssh" "$PICC_ROOT/etc/containerd"
  printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKeyOtherKey1 other@host\n' >"$PICC_ROOT/home/pi/.ssh/authorized_keys"
  chmod 0600 "$PICC_ROOT/home/pi/.ssh/authorized_keys"
  printf 'net.ipv4.ip_forward = 0\n' >"$PICC_ROOT/etc/sysctl.d/90-picc-kubernetes.conf"
  printf 'version = 2\n' >"$PICC_ROOT/etc/containerd/config.toml"
  local -A helper=(
    [/etc/hostname]=ensure_file
    [/etc/sysctl.d/90-picc-kubernetes.conf]=ensure_file
    [/etc/hosts]='write_if_different, ensure_block'
    [/home/pi/.ssh/authorized_keys]=ensure_line
    [/boot/firmware/cmdline.txt]=ensure_kernel_args
    [/etc/containerd/config.toml]=write_if_different
  )
  # A hard link to each old file plays the reader that has it open: it must still see the
  # old content, whole. It also keeps the old inode allocated, so no new file can reuse
  # its number (/etc/hosts is replaced twice in one run).
  local -A inode content link
  local path n=0
  mkdir -p "$BATS_TEST_TMPDIR/readers"
  for path in "${!helper[@]}"; do
    inode[$path]=$(inode_of "$path")
    content[$path]=$(cat "$PICC_ROOT$path")
    link[$path]="$BATS_TEST_TMPDIR/readers/$((n += 1))"
    ln "$PICC_ROOT$path" "${link[$path]}"
  done

  run_setup
  assert_success
  for path in "${!helper[@]}"; do
    [[ "$(cat "$PICC_ROOT$path")" != "${content[$path]}" ]] || fail "$path was not changed: the test proves nothing for it"
    [[ "$(inode_of "$path")" != "${inode[$path]}" ]] || fail "$path (${helper[$path]}) was rewritten in place (same inode ${inode[$path]})"
    [[ "$(cat "${link[$path]}")" == "${content[$path]}" ]] || fail "$path (${helper[$path]}): a reader of the old file saw it change"
  done
  run find "$PICC_ROOT" -name '*.picc-new'
  assert_output ""
}
