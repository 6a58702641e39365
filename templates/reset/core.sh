# ---------------------------------------------------------------------------
# Running, asking, counting changes
# ---------------------------------------------------------------------------
DRY_RUN=0
ASSUME_YES=0
CHANGES=0
STEP_CHANGES=0
LEFT=()
CURRENT_PHASE="start"
CHANGE_COMMAND=""

usage() {
  say "usage: $(basename "$0") [--yes] [--dry-run]"
  say "  --yes       reset without asking (needed when no terminal is there to ask on)"
  say "  --dry-run   list what would be undone, change nothing"
}

parse_args() {
  while (($# > 0)); do
    case "$1" in
      --yes | -y) ASSUME_YES=1 ;;
      --dry-run) DRY_RUN=1 ;;
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
  if ((BASH_SUBSHELL > 0)); then exit "$status"; fi
  if [[ "$command" == '"$@"' && -n "$CHANGE_COMMAND" ]]; then command=$CHANGE_COMMAND; fi
  printf "ERROR in %s: command '%s' failed with status %s (line %s of %s).\n" \
    "$CURRENT_PHASE" "$command" "$status" "$line" "${BASH_SOURCE[0]}" >&2
  printf 'Fix the cause and run the script again: what is already undone is skipped.\n' >&2
  exit "$status"
}
trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR

# Records a change. In --dry-run it only says what it would do.
changed() {
  CHANGES=$((CHANGES + 1))
  STEP_CHANGES=$((STEP_CHANGES + 1))
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

# left PATH WHY — something picc cannot prove is its own stays where it is, and the summary says so.
left() {
  LEFT+=("$1 ($2)")
  note "left: $1 ($2)"
}

# Asks on the terminal; without one, only --yes (or --dry-run) goes on.
confirm() {
  local answer=""
  if ((DRY_RUN || ASSUME_YES)); then return 0; fi
  if [[ ! -t 0 ]]; then
    die "nothing was changed: there is no terminal to ask on. Run with --yes to reset $NODE_NAME without asking (--dry-run lists what it would do)."
  fi
  printf 'This takes %s out of Kubernetes (kubeadm reset) and removes what picc set up on it.\n' "$NODE_NAME"
  printf 'Type yes to go on: '
  IFS= read -r answer || true
  if [[ "$answer" != yes ]]; then
    say "not reset: the answer was not yes; nothing was changed"
    exit 1
  fi
}

start_reset() {
  if [[ "$(id -u)" != 0 ]]; then die "run as root (sudo $0)"; fi
  confirm
  if ((DRY_RUN)); then
    say "picc reset for ${NODE_NAME} — dry run: nothing will be changed"
    return 0
  fi
  # Never beside a running setup: both would change the same files.
  mkdir -p "$ROOT/run"
  exec 9>"$ROOT$LOCK_FILE"
  flock -n 9 || die "picc setup is running on this node; stop it first (systemctl stop $SETUP_UNIT)"
  say "picc reset for ${NODE_NAME} — $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
}

run_step() {
  local index=$1 title=$2 fn=$3 started=$SECONDS
  CURRENT_PHASE="[$index/$STEP_COUNT] $title"
  STEP_CHANGES=0
  say "[$index/$STEP_COUNT] $title"
  "$fn"
  if ((STEP_CHANGES == 0)); then note "ok, nothing to undo"; fi
  note "($((SECONDS - started))s)"
}

finish_reset() {
  local item
  CURRENT_PHASE="finish"
  # The lock is setup's file too; nothing waits on it once reset is done.
  if ((!DRY_RUN)); then rm -f "$ROOT$LOCK_FILE"; fi
  if ((${#LEFT[@]} > 0)); then
    say "Left in place (not as picc wrote them, or not provably picc's):"
    for item in "${LEFT[@]}"; do say "  $item"; done
  fi
  if ((DRY_RUN)); then
    say "dry run: ${CHANGES} change(s) would be made"
  elif ((CHANGES == 0)); then
    say "${NODE_NAME}: nothing to reset: 0 changes"
  else
    say "${NODE_NAME} is reset: ${CHANGES} change(s) made"
    say "Reboot to clear what lives only in the running kernel (modules, sysctl settings, the kernel command line, iptables rules) and to bring up the network as it is configured now."
  fi
}
