# Shared by the CLI-level bats files: they drive the built CLI (dist/cli.js), so build it
# when it is missing or older than any source, template or schema file.
build_if_stale() {
  local repo=$1
  if [[ ! -f "$repo/dist/cli.js" ]] || [[ -n "$(find "$repo/src" "$repo/templates" "$repo/schema" "$repo/data" -newer "$repo/dist/cli.js" -type f -print -quit)" ]]; then
    (cd "$repo" && npm run build --silent)
  fi
}
