# test/vm/lib/common.sh — shared settings for the VM harness (sourced, not run).
# Contract: defines where the image cache lives, the guest's fixed disk layout
# (MBR disk id, partition numbers) and small helpers to reach the FAT and ext4
# partitions of a raw disk image without mounting anything (mtools, debugfs).
# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this

VM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Outside the repo on purpose: the image is ~1 GB and must survive a fresh clone.
VM_CACHE_ROOT="${PICC_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/picc-vm}"

source "$VM_DIR/image/layout.sh"

vm_log() { printf '[vm %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
vm_die() { vm_log "error: $*"; exit 1; }

# vm_part_offset IMAGE N — byte offset of partition N of a raw MBR image.
vm_part_offset() {
  local image=$1 n=$2 start
  # Partition lines in table order; sfdisk's device names vary ("img1", "img0p1").
  start=$(sfdisk --dump "$image" | awk -v n="$n" '/ start= / { if (++i == n) { sub(/.* start= */, ""); sub(/,.*/, ""); print } }')
  [[ -n $start ]] || vm_die "no partition $n in $image"
  echo $((start * 512))
}

# mtools addresses a FAT file system inside a disk image as IMAGE@@OFFSET.
vm_fat() { echo "$1@@$(vm_part_offset "$1" 1)"; }

# vm_fat_cat IMAGE PATH — print a file from the boot partition.
vm_fat_cat() { MTOOLS_SKIP_CHECK=1 mtype -i "$(vm_fat "$1")" "::$2"; }

# vm_fat_put IMAGE SRC DEST — copy a host file onto the boot partition.
vm_fat_put() { MTOOLS_SKIP_CHECK=1 mcopy -o -i "$(vm_fat "$1")" "$2" "::$3"; }

# vm_fat_get IMAGE SRC DEST — copy a file off the boot partition.
vm_fat_get() { MTOOLS_SKIP_CHECK=1 mcopy -n -i "$(vm_fat "$1")" "::$2" "$3"; }

# vm_root_cat IMAGE PATH — print a file from the ext4 root, read by debugfs
# (no mount, no root needed); fails when the file is absent.
vm_root_cat() {
  local image=$1 path=$2 out
  out=$(debugfs -R "stat $path" "$image?offset=$(vm_part_offset "$image" 2)" 2>&1) \
    && [[ $out != *"File not found"* ]] || return 1
  debugfs -R "cat $path" "$image?offset=$(vm_part_offset "$image" 2)" 2>/dev/null
}
