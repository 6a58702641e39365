{% include "lib/report.sh" %}

# ---------------------------------------------------------------------------
# Running and asking
# ---------------------------------------------------------------------------
ASSUME_YES=0
LEFT=()
readonly RERUN_HINT="what is already undone is skipped"
# A failure is not recorded: reset removes the state folder the record would go in.
record_failure() { :; }

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
  local now
  utc_now now
  say "picc reset for ${NODE_NAME} — ${now}"
}

run_step() {
  local index=$1 title=$2 fn=$3 started=$SECONDS
  CURRENT_PHASE="[$index/$STEP_COUNT] $title"
  PHASE_CHANGES=0
  say "[$index/$STEP_COUNT] $title"
  "$fn"
  if ((PHASE_CHANGES == 0)); then note "ok, nothing to undo"; fi
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
