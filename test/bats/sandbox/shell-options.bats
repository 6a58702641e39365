#!/usr/bin/env bats
# Every generated script runs under `set -Eeuo pipefail` and `shopt -s inherit_errexit`,
# set before its first command and never turned off; and the options do their job: a
# failing left side of a pipe, or a failing command inside $(…), stops the script and
# names the command, instead of feeding an empty value on.

# shellcheck disable=SC2034 # SB_RUNNER and SB_EXTRA_ENV are read by the sandbox helpers
load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
}

# Prints a reason when SCRIPT does not hold the options from its first command on.
options_problem() {
  local script=$1 commands
  # the first two lines that are neither blank nor comments
  commands=$(grep -v -e '^[[:space:]]*$' -e '^[[:space:]]*#' "$script" | head -n 2)
  if [[ "$commands" != $'set -Eeuo pipefail\nshopt -s inherit_errexit' ]]; then
    printf 'does not start with set -Eeuo pipefail and shopt -s inherit_errexit, but:\n%s\n' "$commands"
  fi
  # nothing later turns an option off or the ERR trap away
  grep -n -E '^[[:space:]]*(set[[:space:]]+(\+|-o[[:space:]]+posix)|shopt[[:space:]]+-u|trap[[:space:]]+-[[:space:]]+ERR|trap[[:space:]]+ERR)' "$script" |
    sed 's/^/turns an option off: /' || true
}

@test "every golden setup.sh sets -Eeuo pipefail and inherit_errexit before any command and never unsets them" {
  local script count=0 problems="" problem
  for script in "$REPO_DIR"/test/golden/*/expected/*/*/setup.sh; do
    count=$((count + 1))
    problem=$(options_problem "$script")
    [[ -z "$problem" ]] || problems+="${script#"$REPO_DIR/"}: $problem"$'\n'
  done
  ((count >= 10)) || fail "found only $count golden setup.sh files"
  [[ -z "$problems" ]] || fail "$problems"
}

@test "df failing on the left of 'df | awk' (free space): preflight stops naming that command, not with an empty size" {
  make_root raspios-trixie worker-1
  fail_once df '*'
  run_setup
  assert_failure 1
  assert_output --partial "df: injected failure (test fault)"
  assert_output --partial "ERROR in [1/14] preflight checks: command 'free_mib=\$(df -Pm \"\$ROOT/var\" | awk 'NR == 2 { print \$4 }')' failed with status 1"
  # reported once, by the script itself
  [[ "$(grep -c '^ERROR' <<<"$output")" == 1 ]] || fail "more than one error report"
  refute_output --partial "MiB free under /var"
  refute_output --partial "[2/14]"
}

@test "apt-cache failing on the left of 'apt-cache madison | awk': stops naming that command, not 'version not in the repository'" {
  make_root raspios-trixie worker-1
  fail_once apt-cache 'madison kubeadm'
  run_setup
  assert_failure 1
  assert_output --partial "ERROR in [9/14] Kubernetes packages: command 'pinned=\$(apt-cache madison kubeadm | awk"
  refute_output --partial "is not in the configured repository"
  refute_called "apt-get .* install .*kube.*"
}

# Two defences stop this one, and either alone is enough: the ERR trap, which set -E
# carries into $(…), and inherit_errexit. The test above is what holds each in place.
@test "awk failing inside \$(awk …; printf x) while reading /etc/hosts: stops in phase 2, /etc/hosts is left whole" {
  make_root raspios-trixie worker-1
  local bin="$BATS_TEST_TMPDIR/failing-bin" before
  mkdir -p "$bin"
  # an awk that cannot read /etc/hosts (an I/O error), and is the real awk for anything else
  # shellcheck disable=SC2016 # the wrapper's own text, expanded when it runs
  printf '#!/bin/bash\nfor a in "$@"; do [[ "$a" == "$PICC_ROOT/etc/hosts" ]] && { echo "awk: $a: Input/output error" >&2; exit 2; }; done\nexec "$SHIM_REAL/awk" "$@"\n' >"$bin/awk"
  chmod 0755 "$bin/awk"
  SB_EXTRA_ENV=(PATH="$bin:$SB_BIN:$SHIM_STATE/pkgbin:$SB_REAL")
  before=$(cat "$PICC_ROOT/etc/hosts")
  run_setup
  assert_failure 2
  assert_output --partial "ERROR in [2/14] hostname and /etc/hosts: command 'kept=\$(awk"
  [[ "$(cat "$PICC_ROOT/etc/hosts")" == "$before" ]] || fail "/etc/hosts was rewritten from a failed read:
$(cat "$PICC_ROOT/etc/hosts")"
  refute_output --partial "[3/14]"
}
