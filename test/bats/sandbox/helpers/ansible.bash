# Running the shipped Ansible export (<cluster>/ansible/) for real against sandbox boards
# (load 'helpers/sandbox' first). The shipped inventory and playbooks are used as compiled;
# a second inventory written here only points each host at its sandbox (ansible_connection:
# local, no become, and the documented picc_environment / picc_remote_dir).
#
#   sandbox_inventory                 # a fresh, empty sandbox inventory (SB_INVENTORY, SB_BOARDS)
#   board NODE [make_root options]    # a fresh $SB_BOARD_OS board for NODE, in the inventory
#   add_board NODE                    # the board make_root made last, into the inventory
#   playbook PLAYBOOK [ARGS]          # bats `run` of ansible-playbook on the boards only
#   assert_recap HOST REGEX

SB_BOARD_OS=raspios-bookworm

sandbox_inventory() {
  SB_INVENTORY="$BATS_TEST_TMPDIR/sandbox-inventory.yaml"
  SB_BOARDS=()
  printf 'all:\n  hosts:\n' >"$SB_INVENTORY"
}

# board NODE [make_root options] — a fresh sandbox board for NODE (in $BATS_TEST_TMPDIR/NODE),
# added to the sandbox inventory. Leaves its SHIM_STATE set.
board() {
  local node=$1
  shift
  SB_DIR="$BATS_TEST_TMPDIR/$node" make_root "$SB_BOARD_OS" "$node" "$@"
  add_board "$node"
}

# add_board NODE — the board make_root made last (its PICC_ROOT, shims' state and log) into
# the sandbox inventory, with the environment sandbox_env gives its scripts (SB_EXTRA_ENV
# included, and winning). Only boards are played (--limit): a host of the shipped inventory
# without a sandbox would be this machine itself.
add_board() {
  local node=$1 entry key
  local -A env=(
    [PATH]="$SB_BIN:$SHIM_STATE/pkgbin:$SB_REAL" [LC_ALL]=C [HOME]=/nonexistent
    [PICC_ROOT]="$PICC_ROOT" [SHIM_LOG]="$SHIM_LOG" [SHIM_STATE]="$SHIM_STATE" [SHIM_SERVE]="$SHIM_SERVE"
    [SHIM_REAL]="$SB_REAL" [SHIM_K8S_VERSION]="$K8S_VERSION"
  )
  for entry in "${SB_EXTRA_ENV[@]}"; do env[${entry%%=*}]=${entry#*=}; done
  SB_BOARDS+=("$node")
  {
    printf '    %s:\n' "$node"
    printf '      ansible_connection: local\n      ansible_become: false\n'
    printf '      ansible_python_interpreter: "{{ ansible_playbook_python }}"\n'
    printf '      picc_remote_dir: "%s/remote"\n' "${PICC_ROOT%/root}"
    printf '      picc_environment:\n'
    for key in $(printf '%s\n' "${!env[@]}" | LC_ALL=C sort); do printf '        %s: "%s"\n' "$key" "${env[$key]}"; done
  } >>"$SB_INVENTORY"
}

# playbook PLAYBOOK [ARGS] — ansible-playbook of a shipped playbook with the shipped inventory
# beside it and the sandbox inventory, on the boards only (bats `run`).
playbook() {
  local file=$1 home="$BATS_TEST_TMPDIR/ansible-home" boards
  shift
  mkdir -p "$home/tmp"
  boards=$(IFS=,; echo "${SB_BOARDS[*]}")
  run env ANSIBLE_HOME="$home" ANSIBLE_LOCAL_TEMP="$home/tmp" ANSIBLE_REMOTE_TEMP="$home/tmp" \
    ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PIPELINING=1 ANSIBLE_STDOUT_CALLBACK=default \
    ansible-playbook -i "$(dirname "$file")/inventory.yaml" -i "$SB_INVENTORY" --limit "$boards" "$@" "$file"
}

# assert_recap HOST REGEX — the PLAY RECAP line of HOST matches (after the host name).
assert_recap() {
  assert_line --regexp "^$1 +: $2"
}

need_ansible() {
  command -v ansible-playbook >/dev/null || { echo "ansible-playbook is missing: apt-get install ansible-core" >&2; return 1; }
}
