#!/usr/bin/env bats
# picc mirror's download.sh run for real against a local HTTP server (python3 -m http.server
# on loopback) that serves fake release artifacts in the HOST/PATH layout. The spec pins
# containerd, runc and the CNI plugins to those fakes (spec.components with their digests),
# and the script is pointed at the server through PICC_MIRROR_UPSTREAM. The server root
# holds two trees: good/ (every file as pinned) and bad/ (runc corrupted, the CNI plugins
# missing). A second server plays the lab's mirror: spec.mirror is its URL, and it serves the
# folder download.sh fills, so the nodes' own URLs can be asked of it.

bats_require_minimum_version 1.5.0

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
load "$REPO/node_modules/bats-support/load.bash"
load "$REPO/node_modules/bats-assert/load.bash"
load "$REPO/test/bats/helpers/build.bash"

sha_of() {
  local out
  out=$(sha256sum "$1")
  printf '%s' "${out%% *}"
}

# serve NAME FOLDER: a python3 http.server on a free loopback port; its URL in $root/NAME.url.
serve() {
  local root=$BATS_FILE_TMPDIR name=$1 folder=$2 line=
  python3 -u -m http.server --bind 127.0.0.1 --directory "$folder" 0 >"$root/$name.out" 2>"$root/$name.log" 3>&- &
  echo $! >"$root/$name.pid"
  for _ in $(seq 50); do
    line=$(grep -o 'port [0-9]*' "$root/$name.out" || true)
    [[ -n "$line" ]] && break
    sleep 0.1
  done
  [[ -n "$line" ]] || { echo "the HTTP server $name did not start" >&2; return 1; }
  echo "http://127.0.0.1:${line#port }/" >"$root/$name.url"
}

setup_file() {
  build_if_stale "$REPO"
  local root=$BATS_FILE_TMPDIR fakes="$BATS_FILE_TMPDIR/fakes" name path
  mkdir -p "$fakes" "$root/serve" "$root/spec" "$root/lab"
  serve lab "$root/lab"
  # Distinct bytes per artifact; what they hold does not matter, only their digests.
  printf 'fake containerd tarball\n' | gzip -n >"$fakes/containerd"
  printf 'fake runc binary\n' >"$fakes/runc"
  printf 'fake cni plugins tarball\n' | gzip -n >"$fakes/cni-plugins"
  sed -n '/^apiVersion:/,$p' "$REPO/test/bats/sandbox/fixtures/matrix.yaml" >"$root/spec/cluster.yaml"
  printf '  mirror: %s\n  components:\n    containerd: {version: "2.3.99", sha256: {arm64: "%s"}}\n    runc: {version: "1.4.99", sha256: {arm64: "%s"}}\n    cniPlugins: {version: "1.9.99", sha256: {arm64: "%s"}}\n' \
    "$(cat "$root/lab.url")" "$(sha_of "$fakes/containerd")" "$(sha_of "$fakes/runc")" "$(sha_of "$fakes/cni-plugins")" >>"$root/spec/cluster.yaml"
  node "$REPO/dist/cli.js" mirror "$root/spec/cluster.yaml" --secrets "$REPO/test/bats/sandbox/fixtures/matrix.secrets.yaml" -o "$root/kit" >"$root/mirror.log" 2>&1 ||
    { cat "$root/mirror.log" >&2; return 1; }

  # Lay the fakes out where fetches.tsv says download.sh looks for them (name → mirror path).
  while IFS=$'\t' read -r _ _ path _ by name _; do
    [[ "$by" == download.sh ]] || continue
    mkdir -p "$root/serve/good/$(dirname "$path")" "$root/serve/bad/$(dirname "$path")"
    cp "$fakes/$name" "$root/serve/good/$path"
    case "$name" in
      runc) printf 'a tampered runc\n' >"$root/serve/bad/$path" ;;
      cni-plugins) ;;
      *) cp "$fakes/$name" "$root/serve/bad/$path" ;;
    esac
  done < <(tail -n +2 "$root/kit/fetches.tsv")

  serve upstream "$root/serve"
}

teardown_file() {
  local name
  for name in upstream lab; do
    [[ -f "$BATS_FILE_TMPDIR/$name.pid" ]] && kill "$(cat "$BATS_FILE_TMPDIR/$name.pid")" 2>/dev/null || true
  done
}

setup() {
  KIT="$BATS_FILE_TMPDIR/kit"
  SERVER=$(cat "$BATS_FILE_TMPDIR/upstream.url")
  LAB=$(cat "$BATS_FILE_TMPDIR/lab.url")
  DIR="$BATS_TEST_TMPDIR/mirror"
}

# Runs download.sh into $DIR from the server's TREE (good or bad): stdout in $output, stderr in $stderr.
download() {
  local tree=$1
  shift
  run --separate-stderr env PICC_MIRROR_UPSTREAM="$SERVER$tree" bash "$KIT/download.sh" "$@"
}

requests() {
  grep -c '"GET ' "$BATS_FILE_TMPDIR/upstream.log" || true
}

# The mirror paths and digests download.sh must fill: "PATH SHA256" per line.
expected_files() {
  awk -F'\t' 'NR > 1 && $5 == "download.sh" { sub(/^sha256:/, "", $4); print $3, $4 }' "$KIT/fetches.tsv"
}

@test "the kit lists three verified files and the apt repository apart" {
  [[ "$(expected_files | wc -l)" -eq 3 ]] || fail "$(cat "$KIT/fetches.tsv")"
  run grep -c $'\tan apt mirroring tool\t' "$KIT/fetches.tsv"
  assert_output 2
  [[ -x "$KIT/download.sh" ]]
  grep -q 'PICC_MIRROR_UPSTREAM' "$KIT/download.sh"
}

@test "fills DIR/HOST/PATH with every file, each verified, and says what it did not fetch" {
  download good "$DIR"
  assert_success
  assert_output --partial "picc mirror: 3 files in $DIR: 3 downloaded, 0 already there and verified, 0 failed"
  assert_output --partial "pkgs.k8s.io/core:/stable:/v1.34/deb/  ->  $DIR/pkgs.k8s.io/core:/stable:/v1.34/deb/"
  assert_output --partial 'aptly, apt-mirror'
  assert_output --partial "Serve $DIR over HTTP at $LAB (spec.mirror)."
  local path sha
  while read -r path sha; do
    [[ -f "$DIR/$path" ]] || fail "missing $DIR/$path"
    [[ "$(sha_of "$DIR/$path")" == "$sha" ]] || fail "wrong bytes at $path"
  done < <(expected_files)
  [[ -z "$(find "$DIR" -name '*.part')" ]] || fail "partial files left"
  [[ "$(find "$DIR" -type f | wc -l)" -eq 3 ]] || fail "$(find "$DIR" -type f)"
}

@test "a second run fetches nothing" {
  download good "$DIR"
  assert_success
  local before
  before=$(requests)
  download good "$DIR"
  assert_success
  assert_output --partial '0 downloaded, 3 already there and verified, 0 failed'
  refute_output --partial 'fetch '
  [[ "$(requests)" -eq "$before" ]] || fail "the second run made $(($(requests) - before)) requests"
}

@test "a file failing its sha256 is deleted, the rest kept, every failure listed, exit 1" {
  local runc cni containerd
  runc=$(expected_files | awk '/runc/ { print $1 }')
  cni=$(expected_files | awk '/cni-plugins/ { print $1 }')
  containerd=$(expected_files | awk '/containerd/ { print $1 }')
  # A stale copy already in the mirror goes too when the fresh download fails its check.
  mkdir -p "$DIR/$(dirname "$runc")"
  printf 'stale\n' >"$DIR/$runc"
  download bad "$DIR"
  assert_failure 1
  assert_output --partial '1 downloaded, 0 already there and verified, 2 failed'
  [[ "$stderr" == *"$runc: sha256 "*", expected "*"; deleted"* ]] || fail "stderr: $stderr"
  [[ "$stderr" == *"$cni: the download failed"* ]] || fail "stderr: $stderr"
  [[ ! -e "$DIR/$runc" ]] || fail "the corrupted runc was kept"
  [[ ! -e "$DIR/$cni" ]] || fail "a failed download left a file"
  [[ -f "$DIR/$containerd" ]] || fail "the good file was not kept"
  [[ -z "$(find "$DIR" -name '*.part')" ]] || fail "partial files left"
  # Once upstream is right again, only what is missing is fetched.
  download good "$DIR"
  assert_success
  assert_output --partial '2 downloaded, 1 already there and verified, 0 failed'
}

@test "a copy changed after it was verified is fetched again" {
  download good "$DIR"
  assert_success
  local containerd sha
  read -r containerd sha < <(expected_files | grep containerd)
  printf 'bit rot\n' >>"$DIR/$containerd"
  download good "$DIR"
  assert_success
  assert_output --partial '1 downloaded, 2 already there and verified, 0 failed'
  [[ "$(sha_of "$DIR/$containerd")" == "$sha" ]]
}

@test "without DIR it fills the folder the script is in" {
  cp -r "$KIT" "$BATS_TEST_TMPDIR/kit"
  run --separate-stderr env PICC_MIRROR_UPSTREAM="${SERVER}good" bash "$BATS_TEST_TMPDIR/kit/download.sh"
  assert_success
  local path sha
  while read -r path sha; do
    [[ "$(sha_of "$BATS_TEST_TMPDIR/kit/$path")" == "$sha" ]] || fail "missing or wrong: $path"
  done < <(expected_files)
}

@test "served at spec.mirror, the filled folder answers every URL the nodes ask, with the pinned bytes" {
  local lab="$BATS_FILE_TMPDIR/lab" url sha n=0
  download good "$lab"
  assert_success
  while IFS=$'\t' read -r url sha; do
    [[ "$url" == "$LAB"* ]] || fail "$url is not below the mirror $LAB"
    curl -fsS -o "$BATS_TEST_TMPDIR/got" "$url" || fail "the mirror does not serve $url"
    [[ "$(sha_of "$BATS_TEST_TMPDIR/got")" == "$sha" ]] || fail "wrong bytes from $url"
    n=$((n + 1))
  done < <(awk -F'\t' 'NR > 1 && $5 == "download.sh" { sub(/^sha256:/, "", $4); print $1 "\t" $4 }' "$KIT/fetches.tsv")
  [[ "$n" -eq 3 ]]
}
