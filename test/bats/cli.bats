#!/usr/bin/env bats
# The picc command line as a user drives it: exit codes, files written and their modes,
# messages, and never a stack trace. Every test works in its own temporary folder, so
# nothing (no secrets file, no out/) is ever written into the repository.

bats_require_minimum_version 1.5.0

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
load "$REPO/node_modules/bats-support/load.bash"
load "$REPO/node_modules/bats-assert/load.bash"
load "$REPO/test/bats/helpers/build.bash"

EXAMPLE_NODES=(k8s-master-1 k8s-worker-3 k8s-worker-4 k8s-worker-5 k8s-worker-6 k8s-worker-7)
INVALID_FIXTURE="$REPO/test/fixtures/invalid/unknown-key-bad-address-duplicate-name/cluster.yaml"

setup_file() {
  build_if_stale "$REPO"
}

setup() {
  WORK="$BATS_TEST_TMPDIR/work"
  mkdir -p "$WORK"
  cd "$WORK" || exit 1
  cp "$REPO/examples/homelab.yaml" "$WORK/homelab.yaml"
}

# Runs the CLI with stdout in $output and stderr in $stderr.
picc() {
  run --separate-stderr node "$REPO/dist/cli.js" "$@"
}

# A failure is one readable message, never a JavaScript stack trace.
refute_stack_trace() {
  if grep -qE '^    at |^\s+at .*\.js:[0-9]+' <<<"$output"$'\n'"$stderr"; then
    fail "stack trace in the output: $stderr"
  fi
}

mode_of() {
  stat -c %a "$1"
}

# --- usage --------------------------------------------------------------------------

@test "--help lists the commands and exits 0" {
  picc --help
  assert_success
  assert_output --partial 'compile'
  assert_output --partial 'validate'
  assert_output --partial 'secrets'
  refute_stack_trace
}

@test "--version prints the package version and exits 0" {
  picc --version
  assert_success
  assert_output "$(node -p "require('$REPO/package.json').version")"
  refute_stack_trace
}

@test "an unknown option exits 2 with a message" {
  picc compile homelab.yaml --bogus
  assert_failure 2
  [[ "$stderr" == *"unknown option '--bogus'"* ]] || fail "stderr: $stderr"
  refute_stack_trace
  [[ ! -e out ]] || fail "out/ was created"
}

@test "a missing argument exits 2 with a message" {
  picc compile
  assert_failure 2
  [[ "$stderr" == *"missing required argument 'spec'"* ]] || fail "stderr: $stderr"
  refute_stack_trace
}

@test "an unknown command exits 2" {
  picc frobnicate
  assert_failure 2
  refute_stack_trace
}

@test "a --format that does not exist exits 2" {
  picc validate homelab.yaml --format xml
  assert_failure 2
  refute_stack_trace
}

# --- validate -----------------------------------------------------------------------

@test "validate accepts the example and writes nothing" {
  picc validate homelab.yaml
  assert_success
  assert_output --partial 'homelab.yaml is valid'
  refute_stack_trace
  [[ ! -e homelab.secrets.yaml ]] || fail "validate created a secrets file"
  [[ ! -e out ]] || fail "validate created out/"
}

@test "validate of a file that does not exist exits 1 naming the file" {
  picc validate missing.yaml
  assert_failure 1
  [[ "$stderr" == *"error[PICC001]: cannot read missing.yaml"* ]] || fail "stderr: $stderr"
  refute_stack_trace
}

# --- compile ------------------------------------------------------------------------

@test "compile writes every node's files (first-boot.sh too: bookworm) and the kubeconfig with the contract's modes" {
  picc compile homelab.yaml -o "$WORK/out"
  assert_success
  refute_stack_trace
  assert_output --partial "wrote 42 files for 6 nodes"
  for n in "${EXAMPLE_NODES[@]}"; do
    assert_output --partial "$n"
    d="$WORK/out/homelab/$n"
    [[ -s "$d/setup.sh" && -s "$d/user-data" && -s "$d/meta-data" && -s "$d/network-config" ]] || fail "missing files in $d: $(ls "$d" 2>&1)"
    assert_equal "$(mode_of "$d/setup.sh")" 700
    assert_equal "$(mode_of "$d/user-data")" 600
    assert_equal "$(mode_of "$d/meta-data")" 644
    assert_equal "$(mode_of "$d/network-config")" 644
    assert_equal "$(ls "$d" | tr "\n" " ")" "first-boot.sh meta-data network-config reset.sh setup.sh user-data "
  done
  assert_equal "$(mode_of "$WORK/out/homelab/admin.kubeconfig")" 600
  assert_equal "$(mode_of "$WORK/out/homelab/picc-facts.json")" 644
  assert_equal "$(mode_of "$WORK/out/homelab/verify.sh")" 755
  # The Ansible rollout names no secret: readable.
  assert_equal "$(ls "$WORK/out/homelab/ansible" | tr "\n" " ")" "inventory.yaml setup-node.yml site.yml "
  for f in "$WORK"/out/homelab/ansible/*; do assert_equal "$(mode_of "$f")" 644; done
  # Exactly the example's nodes, the ansible folder and the cluster's files, nothing else.
  assert_equal "$(ls "$WORK/out/homelab" | tr '\n' ' ')" "admin.kubeconfig ansible ${EXAMPLE_NODES[*]} picc-facts.json picc-manifest.json verify.sh "
}

@test "compile keeps the modes under a permissive umask" {
  umask 000
  picc compile homelab.yaml -o "$WORK/out"
  assert_success
  assert_equal "$(mode_of "$WORK/out/homelab/k8s-worker-3/setup.sh")" 700
  assert_equal "$(mode_of "$WORK/out/homelab/k8s-worker-3/user-data")" 600
  assert_equal "$(mode_of "$WORK/out/homelab/admin.kubeconfig")" 600
  assert_equal "$(mode_of "$WORK/homelab.secrets.yaml")" 600
}

@test "compile says it created the secrets file (0600) the first time, and not the second" {
  repo_examples="$(ls -la --time-style=full-iso "$REPO/examples")"
  picc compile homelab.yaml -o "$WORK/out"
  assert_success
  [[ "$stderr" == *"created the secrets file homelab.secrets.yaml (mode 0600)"* ]] || fail "stderr: $stderr"
  [[ -f "$WORK/homelab.secrets.yaml" ]] || fail "no secrets file beside the spec"
  assert_equal "$(mode_of "$WORK/homelab.secrets.yaml")" 600
  # Beside the spec it was given, never beside the repository's copy.
  assert_equal "$(ls -la --time-style=full-iso "$REPO/examples")" "$repo_examples"
  before="$(sha256sum homelab.secrets.yaml)"

  picc compile homelab.yaml -o "$WORK/out"
  assert_success
  refute_stack_trace
  [[ "$stderr" != *"created"* ]] || fail "second run claims to create the secrets file: $stderr"
  assert_equal "$(sha256sum homelab.secrets.yaml)" "$before"
}

@test "compiling twice with the same secrets gives byte-identical output" {
  picc compile homelab.yaml -o "$WORK/a"
  assert_success
  picc compile homelab.yaml -o "$WORK/b"
  assert_success
  run diff -r "$WORK/a" "$WORK/b"
  assert_success
}

@test "every generated setup.sh passes bash -n" {
  picc compile homelab.yaml -o "$WORK/out"
  assert_success
  count=0
  for f in "$WORK"/out/homelab/*/setup.sh; do
    run bash -n "$f"
    assert_success
    head -n1 "$f" | grep -qx '#!/usr/bin/env bash' || fail "$f has no bash shebang"
    count=$((count + 1))
  done
  assert_equal "$count" "${#EXAMPLE_NODES[@]}"
}

@test "compile defaults to ./out" {
  picc compile homelab.yaml
  assert_success
  [[ -f "$WORK/out/homelab/k8s-master-1/setup.sh" ]] || fail "nothing in ./out"
}

# --- invalid input ------------------------------------------------------------------

@test "an invalid spec: exit 1, one message per problem with file:line:col, nothing written" {
  cp "$INVALID_FIXTURE" "$WORK/cluster.yaml"
  picc compile cluster.yaml -o "$WORK/out"
  assert_failure 1
  refute_stack_trace
  # One message per problem: unknown key, malformed address, duplicate node name.
  assert_equal "$(grep -cE '^error\[PICC[0-9]+\]' <<<"$stderr")" 3
  [[ "$stderr" == *'error[PICC101]: spec.kubernetes.cnii: unknown key "cnii"'* ]] || fail "no unknown-key message: $stderr"
  [[ "$stderr" == *"  --> cluster.yaml:11:5"* ]] || fail "unknown key not at 11:5"
  [[ "$stderr" == *'error[PICC105]: spec.nodes[1].address: "192.168.1.1033" is not an IPv4 address'* ]] || fail "no address message"
  [[ "$stderr" == *"  --> cluster.yaml:21:16"* ]] || fail "address not at 21:16"
  [[ "$stderr" == *'error[PICC201]: spec.nodes[2].name: node name "k8s-worker-3" is already used'* ]] || fail "no duplicate-name message"
  [[ "$stderr" == *"  --> cluster.yaml:22:13"* ]] || fail "duplicate name not at 22:13"
  [[ "$stderr" == *"3 errors; nothing was written"* ]] || fail "no summary"
  [[ ! -e "$WORK/out" ]] || fail "an output folder was created"
  [[ ! -e "$WORK/cluster.secrets.yaml" ]] || fail "a secrets file was created"
  assert_equal "$(ls -A "$WORK" | tr '\n' ' ')" "cluster.yaml homelab.yaml "
}

@test "validate reports the same problems with exit 1" {
  cp "$INVALID_FIXTURE" "$WORK/cluster.yaml"
  picc validate cluster.yaml
  assert_failure 1
  refute_stack_trace
  assert_equal "$(grep -cE '^  --> cluster\.yaml:[0-9]+:[0-9]+$' <<<"$stderr")" 3
}

@test "--format json gives parseable JSON with every problem" {
  cp "$INVALID_FIXTURE" "$WORK/cluster.yaml"
  picc validate cluster.yaml --format json
  assert_failure 1
  refute_stack_trace
  run node -e '
    const d = JSON.parse(require("fs").readFileSync(0, "utf8")).diagnostics;
    console.log(d.map((x) => `${x.code} ${x.path} ${x.line}:${x.column}`).join("\n"));
  ' <<<"$output"
  assert_success
  assert_output "$(printf '%s\n' 'PICC101 spec.kubernetes.cnii 11:5' 'PICC105 spec.nodes[1].address 21:16' 'PICC201 spec.nodes[2].name 22:13')"
}

@test "--format json on a valid spec is an empty list" {
  picc validate homelab.yaml --format json
  assert_success
  assert_equal "$stderr" ""
  run node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); if (j.diagnostics.length !== 0 || j.ok !== true) process.exit(1)' <<<"$output"
  assert_success
}

@test "a YAML syntax error exits 1 with its position, no stack trace" {
  cp "$REPO/test/fixtures/invalid/yaml-syntax-error/cluster.yaml" "$WORK/cluster.yaml"
  picc compile cluster.yaml -o "$WORK/out"
  assert_failure 1
  refute_stack_trace
  [[ "$stderr" == *"error[PICC002]"* && "$stderr" == *"--> cluster.yaml:12:3"* ]] || fail "stderr: $stderr"
  [[ ! -e "$WORK/out" && ! -e "$WORK/cluster.secrets.yaml" ]] || fail "something was written"
}

@test "an output path that cannot be a folder fails with one line, no stack trace" {
  : >"$WORK/not-a-folder"
  picc compile homelab.yaml -o "$WORK/not-a-folder"
  assert_failure
  refute_stack_trace
  [[ "$stderr" == *"error[PICC503]"* ]] || fail "stderr: $stderr"
}

# --- secrets ------------------------------------------------------------------------

@test "secrets init creates the file 0600 and refuses to overwrite it" {
  picc secrets init homelab.yaml
  assert_success
  refute_stack_trace
  assert_equal "$(mode_of homelab.secrets.yaml)" 600
  before="$(sha256sum homelab.secrets.yaml)"

  picc secrets init homelab.yaml
  assert_failure 1
  refute_stack_trace
  [[ "$stderr" == *"already exists"* && "$stderr" == *"never overwrites"* ]] || fail "stderr: $stderr"
  assert_equal "$(sha256sum homelab.secrets.yaml)" "$before"
}

@test "secrets init refuses a secrets file compile created" {
  picc compile homelab.yaml -o "$WORK/out"
  assert_success
  before="$(sha256sum homelab.secrets.yaml)"
  picc secrets init homelab.yaml
  assert_failure 1
  assert_equal "$(sha256sum homelab.secrets.yaml)" "$before"
}

@test "secrets init with --secrets writes where it is told" {
  picc secrets init homelab.yaml --secrets "$WORK/elsewhere.yaml"
  assert_success
  [[ -f "$WORK/elsewhere.yaml" && ! -e "$WORK/homelab.secrets.yaml" ]] || fail "$(ls -A "$WORK")"
}

@test "secrets rotate-token changes the token and nothing else in the file" {
  picc secrets init homelab.yaml
  assert_success
  cp homelab.secrets.yaml before.yaml
  old_token="$(grep -E '^bootstrapToken: ' before.yaml)"
  [[ "$old_token" =~ ^bootstrapToken:\ [a-z0-9]{6}\.[a-z0-9]{16}$ ]] || fail "no token line: $old_token"

  picc secrets rotate-token homelab.yaml
  assert_success
  refute_stack_trace
  new_token="$(grep -E '^bootstrapToken: ' homelab.secrets.yaml)"
  [[ "$new_token" =~ ^bootstrapToken:\ [a-z0-9]{6}\.[a-z0-9]{16}$ ]] || fail "no token line after rotation: $new_token"
  [[ "$new_token" != "$old_token" ]] || fail "the token did not change"
  # Every other line is exactly as before.
  run diff <(grep -v '^bootstrapToken: ' before.yaml) <(grep -v '^bootstrapToken: ' homelab.secrets.yaml)
  assert_success
  assert_equal "$(wc -l <before.yaml)" "$(wc -l <homelab.secrets.yaml)"
  assert_equal "$(mode_of homelab.secrets.yaml)" 600
}

@test "the rotated token reaches the recompiled scripts" {
  picc compile homelab.yaml -o "$WORK/out"
  assert_success
  picc secrets rotate-token homelab.yaml
  assert_success
  picc compile homelab.yaml -o "$WORK/out"
  assert_success
  token="$(sed -n 's/^bootstrapToken: //p' homelab.secrets.yaml)"
  grep -qF "$token" "$WORK/out/homelab/k8s-worker-3/setup.sh" || fail "new token not in the worker's setup.sh"
}

@test "secrets rotate-token without a secrets file exits 1 and says what to run" {
  picc secrets rotate-token homelab.yaml
  assert_failure 1
  refute_stack_trace
  [[ "$stderr" == *"no secrets file at homelab.secrets.yaml"* && "$stderr" == *"picc secrets init"* ]] || fail "stderr: $stderr"
  [[ ! -e homelab.secrets.yaml ]] || fail "rotate-token created a secrets file"
}

# --- the output folder and the laptop's files ---------------------------------------

@test "the output folder holding the spec and its secrets is refused: both stay, nothing is written" {
  mkdir homelab
  mv homelab.yaml homelab/cluster.yaml
  picc secrets init homelab/cluster.yaml
  assert_success
  before="$(sha256sum homelab/cluster.yaml homelab/cluster.secrets.yaml)"
  picc compile homelab/cluster.yaml -o .
  assert_failure 1
  refute_stack_trace
  [[ "$stderr" == *"error[PICC502]"* && "$stderr" == *"homelab/cluster.yaml"* && "$stderr" == *"homelab/cluster.secrets.yaml"* ]] || fail "stderr: $stderr"
  assert_equal "$(sha256sum homelab/cluster.yaml homelab/cluster.secrets.yaml)" "$before"
  assert_equal "$(ls -A homelab | tr '\n' ' ')" "cluster.secrets.yaml cluster.yaml "
}

@test "files of the user's in the output folder survive recompiles; a hand-edited script is refused until --force" {
  picc compile homelab.yaml -o out
  assert_success
  mkdir out/homelab/.git && echo ref >out/homelab/.git/HEAD && echo mine >out/homelab/NOTES
  picc compile homelab.yaml -o out
  assert_success
  [[ "$output" == *"(2 other files there left alone)"* ]] || fail "output: $output"
  assert_equal "$(cat out/homelab/.git/HEAD out/homelab/NOTES)" "$(printf 'ref\nmine')"
  echo 'edited by hand' >>out/homelab/k8s-worker-3/setup.sh
  picc compile homelab.yaml -o out
  assert_failure 1
  [[ "$stderr" == *"error[PICC501]"* && "$stderr" == *"k8s-worker-3/setup.sh (changed since picc wrote it)"* ]] || fail "stderr: $stderr"
  grep -q 'edited by hand' out/homelab/k8s-worker-3/setup.sh || fail "the refused compile changed the edited script"
  picc compile homelab.yaml -o out --force
  assert_success
  ! grep -q 'edited by hand' out/homelab/k8s-worker-3/setup.sh || fail "--force did not rewrite the script"
  assert_equal "$(cat out/homelab/NOTES)" mine
}

@test "a folder picc did not make is refused; --force writes beside its files and deletes none" {
  mkdir -p out/homelab && echo mine >out/homelab/inventory.txt
  picc compile homelab.yaml -o out
  assert_failure 1
  [[ "$stderr" == *"error[PICC501]"* && "$stderr" == *"inventory.txt"* ]] || fail "stderr: $stderr"
  [[ ! -e homelab.secrets.yaml ]] || fail "a refused compile created the secrets file"
  picc compile homelab.yaml -o out --force
  assert_success
  assert_equal "$(cat out/homelab/inventory.txt)" mine
  [[ -f out/homelab/k8s-master-1/setup.sh ]] || fail "no output"
}

@test "a spec that is no regular file needs --secrets: no secrets file appears in /dev" {
  picc compile /dev/stdin -o out <homelab.yaml
  assert_failure 1
  refute_stack_trace
  [[ "$stderr" == *"error[PICC011]"* && "$stderr" == *"--secrets"* ]] || fail "stderr: $stderr"
  [[ ! -e /dev/stdin.secrets.yaml && ! -e out ]] || fail "something was written"
  picc compile /dev/stdin -o out --secrets lab.secrets.yaml <homelab.yaml
  assert_success
  assert_equal "$(mode_of lab.secrets.yaml)" 600
}

@test "a compile that fails after the spec check writes nothing, not even the secrets file" {
  # A Wi-Fi node needs its passphrase in the secrets file: a fresh one has none.
  sed -i 's/^      address: 192.168.1.107$/      address: 192.168.1.107\n      interface: wlan0\n      wifi: { ssid: homelab, country: PL }/' homelab.yaml
  grep -q 'ssid: homelab' homelab.yaml || fail "the test could not add a Wi-Fi node"
  picc validate homelab.yaml
  assert_failure 1
  [[ "$stderr" == *"error[PICC215]"* && "$stderr" == *"picc secrets init"* ]] || fail "validate: $stderr"
  picc compile homelab.yaml -o out
  assert_failure 1
  [[ "$stderr" == *"error[PICC215]"* ]] || fail "compile: $stderr"
  [[ ! -e homelab.secrets.yaml && ! -e out ]] || fail "something was written: $(ls -A)"
}

@test "a secrets path that is a folder is a diagnostic (exit 1), not an internal error" {
  mkdir homelab.secrets.yaml
  picc compile homelab.yaml -o out
  assert_failure 1
  refute_stack_trace
  [[ "$stderr" == *"error[PICC001]"* && "$stderr" == *"homelab.secrets.yaml"* ]] || fail "stderr: $stderr"
  picc validate homelab.yaml
  assert_failure 1
}

@test "a secrets file others may read is a warning; under --strict an error and nothing is written" {
  picc secrets init homelab.yaml
  chmod 644 homelab.secrets.yaml
  picc compile homelab.yaml -o out
  assert_success
  [[ "$stderr" == *"warning[PICC303]"* && "$stderr" == *"chmod 600 homelab.secrets.yaml"* ]] || fail "stderr: $stderr"
  rm -rf out
  picc compile homelab.yaml -o out --strict
  assert_failure 1
  [[ ! -e out ]] || fail "--strict wrote the output"
}

# --- for tools and terminals --------------------------------------------------------

@test "--format json: one document on stdout for success, bad input and wrong usage alike" {
  picc compile homelab.yaml -o out --format json
  assert_success
  assert_equal "$stderr" ""
  written=$(find out/homelab -type f ! -name picc-manifest.json | wc -l)
  run node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (!j.ok || j.command !== "compile" || j.output.files.length !== Number(process.argv[1]) || !j.output.secretsFileCreated || j.notes.length !== 1) process.exit(1)' "$written" <<<"$output"
  assert_success
  picc compile homelab.yaml -o out --format json --bogus
  assert_failure 2
  assert_equal "$stderr" ""
  run node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); const d = j.diagnostics[0];
    if (j.ok !== false || d.code !== "PICC010" || !d.message.includes("--bogus")) process.exit(1)' <<<"$output"
  assert_success
  picc secrets init homelab.yaml --format json
  assert_failure 1
  run node -e 'const d = JSON.parse(require("fs").readFileSync(0, "utf8")).diagnostics[0];
    for (const k of ["severity", "code", "message", "path", "file", "line", "column", "hint"]) if (!(k in d)) process.exit(1)' <<<"$output"
  assert_success
}

@test "a closed stderr or stdout does not turn an answer into an internal error" {
  cp "$INVALID_FIXTURE" cluster.yaml
  run node "$REPO/dist/cli.js" validate cluster.yaml 2>&-
  assert_failure 1
  run node "$REPO/dist/cli.js" validate homelab.yaml >&-
  assert_success
}

@test "colour only on a terminal, and never with NO_COLOR" {
  cp "$INVALID_FIXTURE" cluster.yaml
  esc=$'\e['
  run script -qec "node '$REPO/dist/cli.js' validate cluster.yaml" /dev/null
  [[ "$output" == *"${esc}1;31merror[PICC101]"* ]] || fail "no colour on a terminal: $output"
  run script -qec "NO_COLOR=1 node '$REPO/dist/cli.js' validate cluster.yaml" /dev/null
  [[ "$output" == *"error[PICC101]"* && "$output" != *"$esc"* ]] || fail "colour despite NO_COLOR: $output"
  picc validate cluster.yaml
  [[ "$stderr" != *"$esc"* ]] || fail "colour into a pipe"
}

@test "escape sequences and line separators from the spec are shown escaped, never sent raw to the terminal" {
  sed -i 's/^  kubernetes:$/  kubernetes:\n    "\\e]0;pwned\\a\\u2028cni\\e[2J": flannel/' homelab.yaml
  picc validate homelab.yaml
  assert_failure 1
  [[ "$stderr" == *'\x1b]0;pwned\x07\u{2028}cni\x1b[2J'* ]] || fail "stderr: $stderr"
  if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$stderr"; then fail "raw control characters on stderr"; fi
  if grep -q $'\u2028' <<<"$stderr"; then fail "raw U+2028 on stderr"; fi
}

# --- init, plan, compile --check ------------------------------------------------------

@test "init, plan, compile and compile --check, as a new user runs them" {
  picc init --nodes 2 --os raspios-bookworm lab.yaml
  assert_success
  assert_output --partial 'wrote lab.yaml: one control plane and 1 worker on raspios-bookworm'
  picc init lab.yaml
  assert_failure 1
  [[ "$stderr" == *'error[PICC012]'* ]] || fail "$stderr"
  picc plan lab.yaml --format json
  assert_success
  node -e 'const d = JSON.parse(require("fs").readFileSync(0, "utf8")); if (d.plan.nodes.length !== 2 || d.plan.ca !== null) process.exit(1)' <<<"$output"
  [[ ! -e lab.secrets.yaml ]] || fail "plan wrote a secrets file"
  picc compile lab.yaml -o out
  assert_success
  assert_output --partial 'picc boot lab.yaml <node> <boot partition>   (writes the first-boot script)'
  picc compile lab.yaml -o out --check
  assert_success
  sed -i 's/address: 192.168.1.11$/address: 192.168.1.12/' lab.yaml
  picc compile lab.yaml -o out --check
  assert_failure 1
  [[ "$stderr" == *'error[PICC504]: out/homelab/worker-1/'* ]] || fail "$stderr"
  refute_stack_trace
}
