# ---------------------------------------------------------------------------
# Undoing: each helper checks first, and removes only what it can prove is picc's.
# Paths are given as on the node; $ROOT is prefixed here.
# ---------------------------------------------------------------------------
UNITS_REMOVED=0
RELOADS=()

# The lines around picc's block in a shared file, as setup writes them (templates/lib/files.sh).
readonly BLOCK_BEGIN="# BEGIN picc managed block (edit the cluster spec, not this block)"
readonly BLOCK_END="# END picc managed block"

# Writes beside the target and renames, so a crash never leaves half a file.
write_file() {
  local target=$1 mode=$2 content=$3
  (umask 077 && printf '%s' "$content" >"$target.picc-new")
  chmod "$mode" "$target.picc-new"
  mv -f "$target.picc-new" "$target"
}

sha256_of() {
  local out
  out=$(sha256sum "$1")
  printf '%s' "${out%% *}"
}

# first_lines_start_with FILE MARKER — one of FILE's first three lines starts with MARKER.
first_lines_start_with() {
  local file=$1 marker=$2 line n=0
  while ((n < 3)) && IFS= read -r line; do
    if [[ "$line" == "$marker"* ]]; then return 0; fi
    n=$((n + 1))
  done <"$file"
  return 1
}

# remove_owned PATH MARKER SHA256 RELOAD — removes PATH when it carries picc's MARKER line
# (or, without a marker, holds exactly the bytes with SHA256); RELOAD: a unit to reload after.
remove_owned() {
  local path=$1 marker=$2 sha=$3 reload=$4 target="$ROOT$1"
  [[ -e "$target" || -L "$target" ]] || return 0
  if [[ ! -f "$target" || -L "$target" ]]; then
    left "$path" "not a plain file"
    return 0
  fi
  if [[ -n "$marker" ]]; then
    if ! first_lines_start_with "$target" "$marker"; then
      left "$path" "its first lines lack picc's: $marker"
      return 0
    fi
  elif [[ "$(sha256_of "$target")" != "$sha" ]]; then
    left "$path" "not the bytes picc wrote"
    return 0
  fi
  change "remove $path" rm -f "$target"
  if [[ "$path" == */systemd/system/* ]]; then UNITS_REMOVED=1; fi
  if [[ -n "$reload" ]]; then RELOADS+=("$reload"); fi
}

# remove_unpacked NAME ARCHIVE DIR [MEMBER...] — the files setup unpacked from the
# downloaded ARCHIVE into DIR (only the MEMBERs when given), each removed while it still
# holds the archive's bytes. Needs the archive: without it nothing proves whose they are.
remove_unpacked() {
  local name=$1 archive=$2 dir=$3 member members=() target
  shift 3
  if [[ ! -f "$ROOT$archive" ]]; then
    # No record either: setup never unpacked it here, or an earlier reset removed both.
    if [[ -f "$ROOT$STATE_DIR/installed/$name" ]]; then
      left "$dir: $name's files" "the downloaded $archive is gone, so they cannot be told from others"
    fi
    return 0
  fi
  if (($# > 0)); then
    members=("$@")
  else
    mapfile -t members < <(tar -tzf "$ROOT$archive")
  fi
  for member in "${members[@]}"; do
    [[ "$member" == */ ]] && continue
    target="$ROOT$dir/${member#./}"
    [[ -f "$target" && ! -L "$target" ]] || continue
    if [[ "$(tar -xOzf "$ROOT$archive" "$member" | sha256sum)" == "$(sha256sum <"$target")" ]]; then
      change "remove $dir/${member#./} (from $name)" rm -f "$target"
    else
      left "$dir/${member#./}" "not the bytes of $name's archive"
    fi
  done
}

# restore_moved FROM TO — a file setup moved aside goes back, unless something is at TO now.
restore_moved() {
  local from=$1 to=$2
  [[ -f "$ROOT$from" ]] || return 0
  if [[ -e "$ROOT$to" ]]; then
    left "$from" "$to exists again; compare the two and keep one"
    return 0
  fi
  change "put $to back (setup had moved it to $from)" mv "$ROOT$from" "$ROOT$to"
}

# remove_block PATH — picc's marked block goes; every other line stays as it was.
remove_block() {
  local path=$1 target="$ROOT$1" line state=before kept=""
  [[ -f "$target" ]] || return 0
  grep -qxF -- "$BLOCK_BEGIN" "$target" || return 0
  if ! grep -qxF -- "$BLOCK_END" "$target"; then
    left "$path" "picc's block there has no end line"
    return 0
  fi
  while IFS= read -r line || [[ -n "$line" ]]; do
    case "$state:$line" in
      "before:$BLOCK_BEGIN") state=inside ;;
      "inside:$BLOCK_END") state=after ;;
      inside:*) ;;
      *) kept+="$line"$'\n' ;;
    esac
  done <"$target"
  change "remove picc's block from $path" write_file "$target" "$(stat -c '%a' "$target")" "$kept"
}

# ensure_loopback_name LINE — without picc's block the board's name still resolves (sudo
# complains otherwise): the image had such a line for its own name, which setup replaced.
ensure_loopback_name() {
  local line=$1 target="$ROOT/etc/hosts" current
  [[ -f "$target" ]] || return 0
  if grep -q '^127\.0\.1\.1[[:space:]]' "$target"; then return 0; fi
  current=$(cat "$target"; printf x)
  current=${current%x}
  if [[ -n "$current" && "$current" != *$'\n' ]]; then current+=$'\n'; fi
  change "keep the board's name resolvable: $line in /etc/hosts" write_file "$target" "$(stat -c '%a' "$target")" "$current$line"$'\n'
}

# remove_kernel_args FILE... -- TOKEN... — picc's tokens leave the first of the cmdline.txt
# FILEs that exists; every other character of the line, and any line after it, stays.
remove_kernel_args() {
  local file="" content line rest="" padded token removed=()
  while (($# > 0)) && [[ "$1" != -- ]]; do
    if [[ -z "$file" && -f "$ROOT$1" ]]; then file=$1; fi
    shift
  done
  shift
  [[ -n "$file" ]] || return 0
  content=$(cat "$ROOT$file"; printf x)
  content=${content%x}
  line=${content%%$'\n'*}
  if [[ "$content" == *$'\n'* ]]; then rest=$'\n'${content#*$'\n'}; fi
  padded=" $line "
  for token in "$@"; do
    while [[ "$padded" == *" $token "* ]]; do
      padded=${padded/" $token "/" "}
      removed+=("$token")
    done
  done
  ((${#removed[@]} > 0)) || return 0
  line=${padded:1:${#padded}-2}
  change "remove ${removed[*]} from $file" write_file "$ROOT$file" "$(stat -c '%a' "$ROOT$file")" "$line$rest"
}

# restore_fstab PATH PREFIX — swap lines setup commented out (with PREFIX) are active again.
restore_fstab() {
  local path=$1 prefix=$2 target="$ROOT$1" line kept="" found=0
  [[ -f "$target" ]] || return 0
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" == "$prefix"* ]]; then
      line=${line#"$prefix"}
      found=1
    fi
    kept+="$line"$'\n'
  done <"$target"
  ((found)) || return 0
  change "restore the swap lines setup turned off in $path" write_file "$target" "$(stat -c '%a' "$target")" "$kept"
}

# stop_service NAME — stopped and disabled, if it is either.
stop_service() {
  if systemctl is-enabled --quiet "$1" 2>/dev/null || systemctl is-active --quiet "$1" 2>/dev/null; then
    change "stop and disable $1" systemctl disable --now "$1"
  fi
}

# delete_interface NAME — a network device the pod network made.
delete_interface() {
  if ip link show dev "$1" >/dev/null 2>&1; then
    change "delete the network interface $1" ip link delete "$1"
  fi
}

# remove_cni_config PATH WORD — a file the CNI wrote into /etc/cni/net.d (it names the CNI).
remove_cni_config() {
  local path=$1 word=$2
  [[ -f "$ROOT$path" ]] || return 0
  if grep -qF -- "$word" "$ROOT$path"; then
    change "remove $path" rm -f "$ROOT$path"
  else
    left "$path" "it does not name $word"
  fi
}

# remove_tree PATH WHAT — a folder that is picc's, or its CNI's, as a whole.
remove_tree() {
  if [[ -e "$ROOT$1" ]]; then change "remove $1 ($2)" rm -rf "$ROOT$1"; fi
}

# remove_if_empty DIR — a folder picc created, once nothing is left in it.
remove_if_empty() {
  local dir="$ROOT$1"
  [[ -d "$dir" && ! -L "$dir" ]] || return 0
  if [[ -z "$(find "$dir" -mindepth 1 -maxdepth 1 -print -quit)" ]]; then
    change "remove the empty folder $1" rmdir "$dir"
  fi
}

# unhold NAME — apt may upgrade or remove the package again.
unhold() {
  if apt-mark showhold "$1" 2>/dev/null | grep -qx -- "$1"; then
    change "release apt's hold on $1 (the package stays installed)" apt-mark unhold "$1"
  fi
}

# remove_keyring PATH FINGERPRINT — the repository key setup installed, when it holds that key alone.
remove_keyring() {
  local path=$1 want=$2 listing
  [[ -f "$ROOT$path" ]] || return 0
  listing=$(gpg --batch --show-keys --with-colons "$ROOT$path" 2>/dev/null || true)
  if awk -F: -v want="$want" '
    $1 == "pub" { keys++; primary = 1; next }
    $1 == "fpr" && primary { got = $10; primary = 0 }
    END { exit !(keys == 1 && got == want) }' <<<"$listing"; then
    change "remove $path (the Kubernetes package signing key)" rm -f "$ROOT$path"
  else
    left "$path" "not the key $want alone"
  fi
}

# The admin kubeconfig setup copied for the user: decided before kubeadm reset removes
# admin.conf, the only thing that proves the copy is picc's.
KUBECONFIG_COPY=""
remember_kubeconfig_copy() {
  local user=$1 source=$2 file=$3 home
  if ! home=$(getent passwd "$user" | cut -d: -f6) || [[ -z "$home" ]]; then return 0; fi
  if [[ -f "$ROOT$home/$file" && -f "$ROOT$source" ]] && [[ "$(sha256_of "$ROOT$home/$file")" == "$(sha256_of "$ROOT$source")" ]]; then
    KUBECONFIG_COPY="$home/$file"
  fi
}

remove_kubeconfig_copy() {
  [[ -n "$KUBECONFIG_COPY" && -f "$ROOT$KUBECONFIG_COPY" ]] || return 0
  change "remove $KUBECONFIG_COPY (the copy of admin.conf setup made)" rm -f "$ROOT$KUBECONFIG_COPY"
  remove_if_empty "$(dirname "$KUBECONFIG_COPY")"
}
