# ---------------------------------------------------------------------------
# Packages, services, kernel
# ---------------------------------------------------------------------------
APT_UPDATED=0
# At first boot unattended-upgrades may hold the dpkg lock: wait for it instead of failing.
readonly APT_LOCK_WAIT=(-o DPkg::Lock::Timeout=600)

apt_update_once() {
  if ((APT_UPDATED)); then return 0; fi
  change "refresh the package lists" apt_update_waiting
  APT_UPDATED=1
}

# At first boot apt-daily and unattended-upgrades hold the package lists' lock, and
# DPkg::Lock::Timeout covers only the dpkg lock: an update that cannot get the lists'
# lock waits and tries again (10 minutes at most); any other failure stops at once.
apt_update_waiting() {
  local waited=0 limit=600 out
  until out=$(env DEBIAN_FRONTEND=noninteractive apt-get "${APT_LOCK_WAIT[@]}" update -q 2>&1); do
    if [[ "$out" != *"Could not get lock"* ]] || ((waited >= limit)); then
      printf '%s\n' "$out" >&2
      return 1
    fi
    note "the package lists are locked (apt-daily or unattended-upgrades); waiting (${waited}s of ${limit}s)"
    sleep 10
    waited=$((waited + 10))
  done
  printf '%s\n' "$out"
}

# missing_packages NAME... — MISSING_PACKAGES: those of NAME... not installed (one
# dpkg-query for them all).
missing_packages() {
  local listing name
  MISSING_PACKAGES=()
  listing=$'\n'$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)$'\n'
  for name in "$@"; do
    [[ "$listing" == *$'\n'"$name install ok installed"$'\n'* ]] || MISSING_PACKAGES+=("$name")
  done
}

# ensure_packages NAME... — installs the ones that are missing.
ensure_packages() {
  local missing
  missing_packages "$@"
  missing=("${MISSING_PACKAGES[@]}")
  if ((${#missing[@]} == 0)); then return 0; fi
  apt_update_once
  change "install ${missing[*]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get "${APT_LOCK_WAIT[@]}" install -y -q --no-install-recommends "${missing[@]}"
}

# ensure_optional_packages NAME... — installs those the OS's archive has. A package found
# missing (with fresh lists) is recorded, so a re-run does not refresh the lists again.
ensure_optional_packages() {
  local name absent="$ROOT$STATE_DIR/not-in-archive" missing
  missing_packages "$@"
  missing=("${MISSING_PACKAGES[@]}")
  for name in "${missing[@]}"; do
    if [[ -f "$absent/$name" ]]; then
      note "$name is not in this system's archive; skipped"
      continue
    fi
    apt_update_once
    if apt-cache show "$name" >/dev/null 2>&1; then
      ensure_packages "$name"
    else
      note "$name is not in this system's archive; skipped"
      if ((!DRY_RUN)); then mkdir -p "$absent" && touch "$absent/$name"; fi
    fi
  done
}

ensure_enabled() {
  if ! systemctl is-enabled --quiet "$1" 2>/dev/null; then
    change "enable $1" systemctl enable "$1"
  fi
}

# ensure_service NAME [restart] — enabled and running; restarted when asked (config changed).
ensure_service() {
  local name=$1 restart=${2:-}
  ensure_enabled "$name"
  if ! systemctl is-active --quiet "$name" 2>/dev/null; then
    change "start $name" systemctl start "$name"
  elif [[ "$restart" == restart ]]; then
    change "restart $name to apply its new configuration" systemctl restart "$name"
  fi
}

module_loaded() {
  [[ -d "$ROOT/sys/module/$1" ]]
}

ensure_module_loaded() {
  module_loaded "$1" || change "load kernel module $1" modprobe "$1"
}

# Raspberry Pi firmware reads cmdline.txt from the boot partition: /boot/firmware on
# bookworm and later (and Ubuntu), /boot on bullseye. Found by existence, not by OS name.
cmdline_file() {
  local candidate
  for candidate in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
    if [[ -f "$ROOT$candidate" ]]; then
      printf '%s' "$candidate"
      return 0
    fi
  done
  return 1
}

# ensure_kernel_args TOKEN... — each token once in cmdline.txt, which stays one line;
# other tokens are never touched.
ensure_kernel_args() {
  local file line tokens=() token missing=() have existing
  if ! file=$(cmdline_file); then
    note "no cmdline.txt in /boot/firmware or /boot: not a Raspberry Pi boot partition"
    return 0
  fi
  IFS= read -r line <"$ROOT$file" || true
  read -r -a tokens <<<"$line"
  for token in "$@"; do
    have=0
    for existing in "${tokens[@]}"; do
      if [[ "$existing" == "$token" ]]; then have=1; fi
    done
    ((have)) || missing+=("$token")
  done
  if ((${#missing[@]} == 0)); then return 0; fi
  write_if_different "$file" "$(stat -c '%a' "$ROOT$file")" "${tokens[*]} ${missing[*]}"$'\n'
}

memory_cgroup_enabled() {
  grep -qw memory "$ROOT/sys/fs/cgroup/cgroup.controllers" 2>/dev/null
}

active_swaps() {
  # /proc/swaps: a header line, then one line per active swap area
  tail -n +2 "$ROOT/proc/swaps" 2>/dev/null || true
}

# owe ACTION — an action a change makes necessary (a restart for a new binary or
# configuration, a daemon-reload for a new unit file) is remembered on disk as soon as the
# change is made, so a run that fails before the action leaves it owed to the next run
# instead of lost; settle ACTION once it is done.
owe() {
  if ((DRY_RUN)); then return 0; fi
  mkdir -p "$ROOT$STATE_DIR/owed"
  touch "$ROOT$STATE_DIR/owed/$1"
}

is_owed() {
  [[ -f "$ROOT$STATE_DIR/owed/$1" ]]
}

settle() {
  if ((DRY_RUN)); then return 0; fi
  rm -f "$ROOT$STATE_DIR/owed/$1"
}
