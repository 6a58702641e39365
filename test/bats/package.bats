#!/usr/bin/env bats
# The npm package as a user gets it: `npm pack` of the built clone, installed into an empty
# folder. The bundle carries its libraries, so the install needs nothing else and no
# network (--offline, with an empty npm cache of the test's own).

bats_require_minimum_version 1.5.0

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
load "$REPO/node_modules/bats-support/load.bash"
load "$REPO/node_modules/bats-assert/load.bash"
load "$REPO/test/bats/helpers/build.bash"

setup_file() {
  build_if_stale "$REPO"
  export PACK_DIR="$BATS_FILE_TMPDIR/pack"
  mkdir -p "$PACK_DIR"
  # dist/ is built above; --ignore-scripts skips `prepare`, which would build it again.
  (cd "$REPO" && npm pack --silent --ignore-scripts --pack-destination "$PACK_DIR" >/dev/null)
}

setup() {
  WORK="$BATS_TEST_TMPDIR/empty"
  mkdir -p "$WORK"
  cd "$WORK" || exit 1
  export npm_config_cache="$BATS_TEST_TMPDIR/npm-cache" npm_config_update_notifier=false
}

tarball() {
  local found=("$PACK_DIR"/picc-*.tgz)
  [[ ${#found[@]} == 1 && -f ${found[0]} ]] || fail "npm pack wrote ${#found[@]} tarballs: ${found[*]}"
  printf '%s\n' "${found[0]}"
}

@test "the tarball holds the bundle, its libraries' notices, the schema, package.json and the README: nothing else" {
  run tar -tzf "$(tarball)"
  assert_success
  local extra
  extra=$(grep -vE '^package/(dist/cli\.js|dist/chunks/[a-z0-9-]+-[A-Z0-9]+\.js|dist/THIRD-PARTY-NOTICES\.txt|schema/cluster\.schema\.json|package\.json|README\.md)$' <<<"$output" || true)
  [[ -z $extra ]] || fail "files that are not the package's: $extra"
  assert_line package/dist/cli.js
  assert_line package/dist/THIRD-PARTY-NOTICES.txt
  assert_line package/schema/cluster.schema.json
}

@test "installs offline into an empty folder as picc alone, and runs: --version, then a compile of the example" {
  run npm install --offline --no-audit --no-fund "$(tarball)"
  assert_success
  run ls node_modules
  assert_output picc
  run --separate-stderr npx --offline picc --version
  assert_success
  assert_output "$(node -p 'require(process.argv[1]).version' "$REPO/package.json")"
  cp "$REPO/examples/homelab.yaml" .
  run --separate-stderr npx --offline picc compile homelab.yaml
  assert_success
  [[ -f out/homelab/k8s-master-1/setup.sh && -f out/homelab/picc-manifest.json ]] || fail "no output: $stderr"
}

@test "each library in the bundle has its license text in THIRD-PARTY-NOTICES.txt" {
  local notices="$REPO/dist/THIRD-PARTY-NOTICES.txt" lib named
  for lib in yaml nunjucks commander @peculiar/x509 reflect-metadata; do
    named=$(node -p 'const p = require(process.argv[1]); `${p.name} ${p.version} (${p.license})`' "$REPO/node_modules/$lib/package.json")
    grep -qxF "$named" "$notices" || fail "$named is not named in $notices"
    # The license file's text, verbatim (its first and last non-empty lines, as the notice keeps it whole).
    local license
    license=$(find "$REPO/node_modules/$lib" -maxdepth 1 -iname 'licen[cs]e*' | head -1)
    grep -qF "$(grep -m1 . "$license")" "$notices" || fail "$lib's license text is not in $notices"
    grep -qF "$(grep . "$license" | tail -1)" "$notices" || fail "$lib's license text is cut short in $notices"
  done
}
