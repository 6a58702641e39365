#!/usr/bin/env bash
# test/vm/e2e-both.sh — run the VM end-to-end test for both guests side by side:
# raspios-trixie (cloud-init) and raspios-bookworm (picc's first-boot script).
# Contract: starts `e2e.sh raspios-trixie` and `e2e.sh raspios-bookworm` at once, each in
# its own process group with its own run folder, mirror, port and outage (e2e.sh keeps
# them apart; image.sh locks a cache entry while it builds it, so a cold start builds the
# two images concurrently and builds trixie's once). Each guest gets one vCPU
# (PICC_VM_SMP=1 unless set): two TCG guests on a 2-core machine, one core each. Each
# guest's output goes to its own log, printed whole once that guest has finished, trixie
# first, then bookworm, never interleaved; a line on stderr says when each run ends. Prints per-guest status and wall time and
# the host's load before and after. Exits 0 only if both guests pass.
# Interrupted (INT, TERM), it stops both runs (their whole process groups).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

guests=(raspios-trixie raspios-bookworm)
logs=$(mktemp -d "${TMPDIR:-/var/tmp}/picc-vm-both.XXXXXX")
export PICC_VM_SMP=${PICC_VM_SMP:-1}
pids=()

# shellcheck disable=SC2317  # called from the traps
stop_runs() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
}
trap 'stop_runs; exit 130' INT TERM
trap 'stop_runs; rm -rf "$logs"' EXIT

echo "# picc VM end-to-end test, both guests side by side (${guests[*]}), $PICC_VM_SMP vCPU each"
echo "# host load before: $(uptime | sed 's/.*load average: //')"
start=$SECONDS
set -m # each run in its own process group, so stop_runs reaches its QEMU and mirror too
for os in "${guests[@]}"; do
  (
    t0=$SECONDS
    rc=0
    bash "$VM_DIR/e2e.sh" "$os" > "$logs/$os.log" 2>&1 || rc=$?
    echo "$rc $((SECONDS - t0))" > "$logs/$os.status"
    exit "$rc"
  ) &
  pids+=("$!")
  vm_log "started the $os guest's run (pid $!)"
done
set +m

# Say when each run ends (the order they end in is not fixed); print each output
# whole, in the fixed order, as soon as it and the ones before it have ended.
summary=()
failed=0
next=0
declare -A said=()
while ((next < ${#guests[@]})); do
  for i in "${!guests[@]}"; do
    os=${guests[$i]}
    if [[ -z ${said[$os]:-} ]] && ! kill -0 "${pids[$i]}" 2>/dev/null; then
      wait "${pids[$i]}" || true
      [[ -s $logs/$os.status ]] || echo "1 ?" > "$logs/$os.status" # killed before it could say
      read -r rc seconds < "$logs/$os.status"
      vm_log "the $os guest's run ended: exit $rc after ${seconds}s"
      said[$os]=1
    fi
  done
  os=${guests[$next]}
  if [[ -z ${said[$os]:-} ]]; then sleep 2; continue; fi
  read -r rc seconds < "$logs/$os.status"
  echo "# ===== $os guest: its whole output ====="
  cat "$logs/$os.log"
  echo "# ===== $os guest: exit $rc after ${seconds}s ====="
  ((rc == 0)) || failed=1
  summary+=("$os $([[ $rc == 0 ]] && echo passed || echo FAILED) in ${seconds}s")
  next=$((next + 1))
done
pids=()

echo "# host load after: $(uptime | sed 's/.*load average: //')"
joined=$(printf '%s; ' "${summary[@]}")
echo "# both guests: ${joined%; }; all: $((SECONDS - start))s"
exit "$failed"
