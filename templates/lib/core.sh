{% include "lib/report.sh" %}

# ---------------------------------------------------------------------------
# Running and logging a setup
# ---------------------------------------------------------------------------
CURRENT_PHASE_NETWORK=0
readonly RERUN_HINT="steps already done are kept and skipped"

start_run() {
  # Before the first write: without root that write would fail with a bare EACCES.
  if [[ "$(id -u)" != 0 ]]; then die "run as root (sudo $0)"; fi
  if ((DRY_RUN)); then
    say "${RUN_TITLE:-picc setup} for ${NODE_NAME} — dry run: nothing will be changed"
  else
    mkdir -p "$ROOT$STATE_DIR" "$ROOT${LOG_FILE%/*}" "$ROOT/run"
    exec 9>"$ROOT/run/picc-setup.lock"
    flock -n 9 || die "another picc setup is already running on this node"
    exec > >(tee -a "$ROOT$LOG_FILE") 2>&1
    local now
    utc_now now
    say "${RUN_TITLE:-picc setup} for ${NODE_NAME} — ${now}${PICC_SETUP_ATTEMPT:+ (attempt $PICC_SETUP_ATTEMPT of $RETRY_ATTEMPTS)}"
    rm -f "$ROOT$STATE_DIR/last-error"
  fi
}

run_phase() {
  local index=$1 title=$2 fn=$3 network=$4 started=$SECONDS
  CURRENT_PHASE="[$index/$PHASE_COUNT] $title"
  CURRENT_PHASE_NETWORK=$network
  PHASE_CHANGES=0
  say "[$index/$PHASE_COUNT] $title"
  write_status running
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
  write_status "done"
}

# ---------------------------------------------------------------------------
# Unattended runs: retries, and what a card pulled from the board shows
# ---------------------------------------------------------------------------
# Nobody is there to run an unattended setup again: a failure in a phase that needs the
# network (a download, DNS or mirror hiccup) is retried after a pause that doubles from
# 30 s to at most 10 minutes, RETRY_ATTEMPTS runs in all (35 minutes of pauses). Any other
# failure, or the last one, stops it; the status file says why. Each attempt is a fresh
# run of this script, so it starts from the system's state, as a rerun by hand would.
readonly RETRY_ATTEMPTS=8
run_unattended() {
  local attempt=1 status pause=30
  while true; do
    status=0
    PICC_SETUP_ATTEMPT=$attempt bash "${BASH_SOURCE[0]}" "$@" || status=$?
    if ((status == 0)); then exit 0; fi
    if [[ "$(head -n 1 "$ROOT$STATE_DIR/last-error" 2>/dev/null)" != 1 ]] || ((attempt >= RETRY_ATTEMPTS)); then
      log_line "setup stopped after attempt $attempt of $RETRY_ATTEMPTS (status $status); see $LOG_FILE"
      exit "$status"
    fi
    write_status "retrying in ${pause}s (attempt $attempt of $RETRY_ATTEMPTS failed in a phase that needs the network)"
    log_line "attempt $attempt of $RETRY_ATTEMPTS failed in a phase that needs the network; trying again in ${pause}s"
    sleep "$pause"
    attempt=$((attempt + 1))
    pause=$((pause * 2 > 600 ? 600 : pause * 2))
  done
}

# A line for the journal and the log, from outside a run (which tees its own output).
log_line() {
  say "picc setup: $*"
  printf 'picc setup: %s\n' "$*" >>"$ROOT$LOG_FILE" 2>/dev/null || true
}

# What failed, for the retry decision and the status file: whether the phase needs the
# network, the phase, the message. The first failure of a run is the cause: a die inside
# a command substitution is followed by the failure of the command around it.
record_failure() {
  if ((DRY_RUN)) || [[ ! -d "$ROOT$STATE_DIR" || -f "$ROOT$STATE_DIR/last-error" ]]; then return 0; fi
  printf '%s\n%s\n%s\n' "$CURRENT_PHASE_NETWORK" "$CURRENT_PHASE" "$1" >"$ROOT$STATE_DIR/last-error" 2>/dev/null || true
  write_status failed
}

# write_status STATE — the status file on the boot partition, so a board without a screen
# still tells how far setup got: a card taken out and read on a laptop shows the phase, the
# last error with the log's last lines, or done. Written only where the boot partition is
# (it holds cmdline.txt or config.txt), never in --dry-run, and never a reason to fail.
write_status() {
  local state=$1 file="$ROOT$STATUS_FILE" phase=$CURRENT_PHASE error="" now
  if ((DRY_RUN)); then return 0; fi
  [[ -f "${file%/*}/cmdline.txt" || -f "${file%/*}/config.txt" ]] || return 0
  if [[ "$state" != "running" && "$state" != "done" && -f "$ROOT$STATE_DIR/last-error" ]]; then
    phase=$(sed -n 2p "$ROOT$STATE_DIR/last-error")
    error=$(sed -n '3,$p' "$ROOT$STATE_DIR/last-error")
  fi
  {
    printf 'picc setup of %s: %s\n' "$NODE_NAME" "$state"
    if [[ "$state" != "done" ]]; then printf 'phase: %s\n' "$phase"; fi
    utc_now now
    printf 'time: %s (the board'"'"'s clock)\n' "$now"
    printf 'log on the board: %s\n' "$LOG_FILE"
    if [[ -n "$error" ]]; then
      printf '\n%s\n\nlast lines of the log:\n' "$error"
      tail -n 20 "$ROOT$LOG_FILE" 2>/dev/null | sed 's/^/  /'
    fi
  } >"$file.picc-new" 2>/dev/null && mv -f "$file.picc-new" "$file" 2>/dev/null || rm -f "$file.picc-new" 2>/dev/null || true
}
