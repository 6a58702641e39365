#!/usr/bin/env bats
# The Kubernetes apt signing key (Release.key) is checked by fingerprint before apt is
# told to trust it: a file that is not exactly that one key stops the script before any
# keyring is written, any Kubernetes repository is configured or any package installed.

load '../../../node_modules/bats-support/load'
load '../../../node_modules/bats-assert/load'
load 'helpers/sandbox'

setup_file() {
  sandbox_setup_file raspios-trixie
}

KEYRING=/etc/apt/keyrings/kubernetes-apt-keyring.gpg
RIGHT_KEY='SHIM KUBERNETES RELEASE KEY'
OTHER_KEY='SHIM KEY 0123456789ABCDEF0123456789ABCDEF01234567'

# serve_release_key LINE... — the key file the server hands out (one shim key per line).
serve_release_key() {
  {
    echo '-----BEGIN PGP PUBLIC KEY BLOCK-----'
    printf '%s\n' "$@"
    echo '-----END PGP PUBLIC KEY BLOCK-----'
  } >"$SHIM_STATE/serve/Release.key"
}

# The run stopped in phase 9 with nothing of the key or the repository in place.
assert_refused_before_trust() {
  assert_failure
  assert_output --partial "ERROR in [9/14] Kubernetes packages: the key at https://pkgs.k8s.io/core:/stable:/v1.34/deb/Release.key is not the Kubernetes package signing key DE15B14486CD377B9E876E1A234654DA9A296436 alone; refusing to trust it"
  refute_called "gpg .*--dearmor.*"
  refute_exists "$KEYRING"
  refute_exists "$KEYRING.picc-new"
  refute_exists /etc/apt/sources.list.d/kubernetes.list
  refute_exists /var/cache/picc/downloads/kubernetes-release.key
  refute_called "apt-get .* install .*kube.*"
  refute_called "apt-mark hold .*"
  refute_output --partial "[10/14]"
}

@test "a Release.key that is another key: stops before any keyring, repository or package" {
  make_root raspios-trixie worker-1
  serve_release_key "$OTHER_KEY"
  run_setup
  assert_refused_before_trust
}

@test "a Release.key with a second key before the right one: refused too (apt would trust both)" {
  make_root raspios-trixie worker-1
  serve_release_key "$OTHER_KEY" "$RIGHT_KEY"
  run_setup
  assert_refused_before_trust
}

@test "a Release.key that is not a key at all: refused" {
  make_root raspios-trixie worker-1
  printf '<html>502 Bad Gateway</html>\n' >"$SHIM_STATE/serve/Release.key"
  run_setup
  assert_refused_before_trust
}

@test "the right key with its own subkey: trusted; a keyring that holds another key is replaced by it" {
  make_root raspios-trixie worker-1
  mkdir -p "$PICC_ROOT/etc/apt/keyrings"
  printf '%s\n' "$OTHER_KEY" >"$PICC_ROOT$KEYRING"
  serve_release_key "$RIGHT_KEY" 'SUBKEY 89ABCDEF0123456789ABCDEF0123456789ABCDEF'
  run_setup
  assert_success
  assert_output --partial "changed: install the Kubernetes package signing key into $KEYRING"
  assert_contains "$KEYRING" "$RIGHT_KEY"
  refute_exists "$KEYRING.picc-new"
  assert_called "apt-get .* install .*kubeadm=$K8S_VERSION-1\\.1 .*"
}
