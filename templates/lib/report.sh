# ---------------------------------------------------------------------------
# Saying, failing, counting changes: what setup.sh, upgrade.sh and reset.sh share. Each
# defines record_failure (what a failure leaves behind for the next run) and RERUN_HINT
# (what running it again does), and counts changes per phase in PHASE_CHANGES.
# ---------------------------------------------------------------------------
DRY_RUN=0
CHANGES=0
PHASE_CHANGES=0
CURRENT_PHASE="start"
CHANGE_COMMAND=""

say() { printf '%s\n' "$*"; }
note() { printf '      %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
  printf 'ERROR in %s: %s\n' "$CURRENT_PHASE" "$*" >&2
  record_failure "ERROR in $CURRENT_PHASE: $*"
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
  printf 'Fix the cause and run the script again: %s.\n' "$RERUN_HINT" >&2
  record_failure "ERROR in $CURRENT_PHASE: command '$command' failed with status $status (line $line)"
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

# The shell's own reads and clock, not a cat or date per call: setup runs hundreds of checks,
# and on a board with a slow SD card every process started costs.
# read_file VAR PATH — VAR holds the file's bytes exactly, trailing newlines too (a file
# that cannot be read is an error, as cat's would be).
read_file() { { IFS= read -r -d '' "$1" || true; } <"$2"; }
# read_input VAR — the same for standard input (a heredoc).
read_input() { IFS= read -r -d '' "$1" || true; }
# utc_now VAR — the time as 2025-01-31 12:00:00 UTC.
utc_now() { TZ=UTC0 printf -v "$1" '%(%Y-%m-%d %H:%M:%S UTC)T' -1; }
