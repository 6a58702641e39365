# ---------------------------------------------------------------------------
# Files: each helper compares first and writes only what differs.
# Paths are given as on the node; $ROOT is prefixed here.
# ---------------------------------------------------------------------------
FILE_CHANGED=0

ensure_dir() {
  local path=$1 mode=$2
  if [[ -d "$ROOT$path" ]]; then return 0; fi
  change "create directory $path" install -d -m "$mode" "$ROOT$path"
}

# ensure_file PATH MODE < content — the file holds exactly this content and mode.
ensure_file() {
  local path=$1 mode=$2 content
  read_input content
  write_if_different "$path" "$mode" "$content"
}

write_if_different() {
  local path=$1 mode=$2 content=$3 target="$ROOT$1" current
  FILE_CHANGED=0
  if [[ -f "$target" ]]; then
    read_file current "$target"
    if [[ "$current" == "$content" ]]; then
      if [[ "$(stat -c '%a' "$target")" != "${mode#0}" ]]; then
        FILE_CHANGED=1
        change "set mode $mode on $path" chmod "$mode" "$target"
      fi
      return 0
    fi
  fi
  FILE_CHANGED=1
  change "write $path (mode $mode)" write_file "$target" "$mode" "$content"
}

# Writes beside the target and renames, so a crash never leaves half a file.
write_file() {
  local target=$1 mode=$2 content=$3 dir=${1%/*}
  [[ -d "${dir:-/}" ]] || mkdir -p "$dir"
  (umask 077 && printf '%s' "$content" >"$target.picc-new")
  chmod "$mode" "$target.picc-new"
  mv -f "$target.picc-new" "$target"
}

readonly BLOCK_BEGIN="# BEGIN picc managed block (edit the cluster spec, not this block)"
readonly BLOCK_END="# END picc managed block"

# ensure_block PATH < content — picc's marked block in a shared file; the rest is kept.
ensure_block() {
  local path=$1 target="$ROOT$1" block existing="" mode=644 before="" after="" line state=before
  read_input block
  if [[ -f "$target" ]]; then
    read_file existing "$target"
    mode=$(stat -c '%a' "$target")
  fi
  while IFS= read -r line || [[ -n "$line" ]]; do
    case "$state:$line" in
      "before:$BLOCK_BEGIN") state=inside ;;
      "inside:$BLOCK_END") state=after ;;
      before:*) before+="$line"$'\n' ;;
      after:*) after+="$line"$'\n' ;;
    esac
  done < <(printf '%s' "$existing")
  write_if_different "$path" "$mode" "${before}${BLOCK_BEGIN}"$'\n'"${block}${BLOCK_END}"$'\n'"${after}"
}

# ensure_line PATH LINE — the line is in the file (appended when missing).
ensure_line() {
  local path=$1 line=$2 target="$ROOT$1" current=""
  if [[ -f "$target" ]]; then
    read_file current "$target"
    # the line is one of the file's lines already (the last may lack its newline)
    if [[ $'\n'"$current"$'\n' == *$'\n'"$line"$'\n'* ]]; then return 0; fi
    if [[ -n "$current" && "$current" != *$'\n' ]]; then current+=$'\n'; fi
  fi
  write_if_different "$path" "${3:-0644}" "${current}${line}"$'\n'
}

# download NAME URL SHA256 FILE — fetch into the download directory and verify the
# digest before anything uses the file. A mismatch stops the script; nothing is installed.
download() {
  local name=$1 url=$2 sha=$3 file=$4 dest actual
  dest="$ROOT$DOWNLOAD_DIR/$file"
  if [[ -f "$dest" ]]; then
    if [[ "$(sha256_of "$dest")" == "$sha" ]]; then return 0; fi
    # Never used: a cached copy that changed since it was verified is fetched again.
    note "the cached $file does not match its sha256; fetching it again"
  fi
  changed "download $name from $url"
  if ((DRY_RUN)); then return 0; fi
  mkdir -p "$ROOT$DOWNLOAD_DIR"
  curl -fsSL --retry 5 --retry-delay 3 --connect-timeout 20 -o "$dest.part" "$url"
  actual=$(sha256_of "$dest.part")
  if [[ "$actual" != "$sha" ]]; then
    rm -f "$dest.part"
    die "checksum mismatch for $name ($url): expected sha256 $sha, got $actual. Nothing was installed from it."
  fi
  mv -f "$dest.part" "$dest"
}

sha256_of() {
  local out
  out=$(sha256sum "$1")
  printf '%s' "${out%% *}"
}

# installed_matches NAME SHA256 — was this exact artifact installed by an earlier run?
installed_matches() {
  local recorded=""
  [[ -f "$ROOT$STATE_DIR/installed/$1" ]] && read_file recorded "$ROOT$STATE_DIR/installed/$1" && [[ "$recorded" == "$2" ]]
}

record_installed() {
  if ((DRY_RUN)); then return 0; fi
  mkdir -p "$ROOT$STATE_DIR/installed"
  printf '%s' "$2" >"$ROOT$STATE_DIR/installed/$1"
}
