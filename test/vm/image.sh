#!/usr/bin/env bash
# test/vm/image.sh [SUITE] — print the path of the cached guest disk image (trixie, the
# default, or bookworm), building it first if needed.
# Contract: the cache folder is keyed by the suite and a hash of everything under image/
# except the other suites' files, so editing the build changes the key and a warm run
# skips the build.
# The cached image is never booted: callers copy it (see firmware.sh's README
# section). A build that fails leaves no cache entry behind. Concurrent callers for the
# same entry (both guests' runs need trixie's .debs) wait on a lock: one builds, the
# others then find the entry.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

suite=${1:-trixie}
[[ -f $VM_DIR/image/$suite.sh ]] || vm_die "no guest image for $suite (image/$suite.sh)"
key=$(cd "$VM_DIR" && find image -type f ! -name '*.sh' -print0 -o -name build.sh -print0 -o -name layout.sh -print0 \
  -o -name "$suite.sh" -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
dir=$VM_CACHE_ROOT/$suite-amd64-$key

mkdir -p "$VM_CACHE_ROOT"
exec 9> "$VM_CACHE_ROOT/.lock-$suite-$key"
if ! flock --nonblock 9; then
  vm_log "another run is building the $suite image (key $key): waiting for it"
  flock 9
fi
if [[ ! -f $dir/disk.img ]]; then
  vm_log "no cached image for key $key: building (cold, takes minutes)"
  tmp=$(mktemp -d "$VM_CACHE_ROOT/.build-$key.XXXXXX")
  start=$SECONDS
  # fd 9 (the lock) is not handed to the build: nothing it leaves running may hold the lock.
  if ! bash "$VM_DIR/image/build.sh" "$tmp" "$suite" 9>&-; then
    rm -rf "$tmp"
    vm_die "image build failed"
  fi
  echo $((SECONDS - start)) > "$tmp/build-seconds"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  vm_log "image built in $(cat "$dir/build-seconds")s"
fi
echo "$dir/disk.img"
