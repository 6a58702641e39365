# ---------------------------------------------------------------------------
# Running, logging, counting changes
# ---------------------------------------------------------------------------
DRY_RUN=0
AUTO_REBOOT=0
CHANGES=0
PHASE_CHANGES=0
CURRENT_PHASE="start"
CHANGE_COMMAND=""

usage() {
  say "usage: $(basename "$0") [--dry-run] [--reboot]"
  say "  --dry-run  print what would change, change nothing"
  say "  --reboot   reboot by itself when a reboot is needed; setup resumes after boot"
}

parse_args() {
  while (($# > 0)); do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --reboot) AUTO_REBOOT=1 ;;
      # cloud-init's first boot and the resume unit run unattended: reboot by themselves.
      --first-boot | --resume) AUTO_REBOOT=1 ;;
      -h | --help) usage; exit 0 ;;
      *) printf 'unknown option: %s (see --help)\n' "$1" >&2; exit 2 ;;
    esac
    shift
  done
}

say() { printf '%s\n' "$*"; }
note() { printf '      %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
  printf 'ERROR in %s: %s\n' "$CURRENT_PHASE" "$*" >&2
  exit 1
}

on_error() {
  local status=$1 line=$2 command=$3
  # In a command substitution the failing part alone (awk, for a failed df | awk) would be
  # named: the shell that ran it reports the whole command once instead.
  if ((BASH_SUBSHELL > 0)); then exit "$status"; fi
  # Inside change() bash shows only '"$@"': name the command it ran instead.
  if [[ "$command" == '"$@"' && -n "$CHANGE_COMMAND" ]]; then command=$CHANGE_COMMAND; fi
  printf "ERROR in %s: command '%s' failed with status %s (line %s of %s).\n" \
    "$CURRENT_PHASE" "$command" "$status" "$line" "${BASH_SOURCE[0]}" >&2
  printf 'Fix the cause and run the script again: steps already done are kept and skipped.\n' >&2
  exit "$status"
}
trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR

# Records a change. In --dry-run it only says what it would do.
changed() {
  CHANGES=$((CHANGES + 1))
  PHASE_CHANGES=$((PHASE_CHANGES + 1))
  if ((DRY_RUN)); then note "would: $*"; else note "changed: $*"; fi
}

# Runs a command that changes the system (skipped in --dry-run), counting it.
change() {
  local what=$1
  shift
  changed "$what"
  if ((DRY_RUN)); then return 0; fi
  CHANGE_COMMAND="$*"
  "$@"
}

start_run() {
  # Before the first write: without root that write would fail with a bare EACCES.
  if [[ "$(id -u)" != 0 ]]; then die "run as root (sudo $0)"; fi
  if ((DRY_RUN)); then
    say "picc setup for ${NODE_NAME} — dry run: nothing will be changed"
  else
    mkdir -p "$ROOT$STATE_DIR" "$ROOT$(dirname "$LOG_FILE")" "$ROOT/run"
    exec 9>"$ROOT/run/picc-setup.lock"
    flock -n 9 || die "another picc setup is already running on this node"
    exec > >(tee -a "$ROOT$LOG_FILE") 2>&1
    say "picc setup for ${NODE_NAME} — $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  fi
}

run_phase() {
  local index=$1 title=$2 fn=$3 started=$SECONDS
  CURRENT_PHASE="[$index/$PHASE_COUNT] $title"
  PHASE_CHANGES=0
  say "[$index/$PHASE_COUNT] $title"
  "$fn"
  if ((PHASE_CHANGES == 0)); then note "ok, nothing to change"; fi
  note "($((SECONDS - started))s)"
}

finish_run() {
  CURRENT_PHASE="finish"
  if ((DRY_RUN)); then
    say "dry run: ${CHANGES} change(s) would be made"
  elif ((CHANGES == 0)); then
    say "${NODE_NAME} is already set up: 0 changes"
  else
    say "${NODE_NAME} is set up: ${CHANGES} change(s) made"
  fi
}
