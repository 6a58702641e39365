#!/usr/bin/env bash
# test/vm/mirror/build.sh OUT DEBS KUBE_VERSION ENV — lay out the VM test's loopback mirror.
# Contract: under OUT, at the paths picc's catalog builds for `spec.mirror`
# (MIRROR/HOST/PATH, src/plan/urls.ts):
#   - containerd, runc and the CNI plugins repacked from Debian trixie's .debs in DEBS
#     into their upstream release layout (containerd-V-linux-amd64.tar.gz with bin/,
#     runc.amd64, cni-plugins-linux-amd64-vV.tgz with the plugins at its top);
#   - a flat Kubernetes apt repository at pkgs.k8s.io/core:/stable:/vMINOR/deb/ holding
#     the stand-in kubeadm, kubelet and kubectl (KUBE_VERSION-1.1) from standins/,
#     signed (InRelease, Release.gpg) with a key generated for this run alone, whose
#     public half is served as Release.key.
# Writes ENV (shell assignments): each artifact's version and sha256, the key's
# fingerprint. Tarballs are built reproducibly (sorted, mtime 0, root-owned, gzip -n).
# The signing key lives in a temporary GNUPGHOME that is deleted on exit.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: build.sh OUT DEBS KUBE_VERSION ENV}
debs=${2:?usage: build.sh OUT DEBS KUBE_VERSION ENV}
kube_version=${3:?usage: build.sh OUT DEBS KUBE_VERSION ENV}
env_file=${4:?usage: build.sh OUT DEBS KUBE_VERSION ENV}
arch=amd64
minor=${kube_version%.*}

work=$(mktemp -d)
export GNUPGHOME=$work/gnupg
trap 'gpgconf --kill all 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -m 700 "$GNUPGHOME"

# deb_file PACKAGE — the one .deb of PACKAGE in DEBS.
deb_file() {
  local f
  f=$(find "$debs" -maxdepth 1 -name "$1_*_$arch.deb" | head -n1)
  [[ -n $f ]] || { echo "mirror: no $1 .deb in $debs" >&2; exit 1; }
  echo "$f"
}
# upstream_version DEB — Debian's version without epoch, +ds/~ds suffixes and revision.
upstream_version() {
  dpkg-deb -f "$1" Version | sed -e 's/^[0-9]*://' -e 's/-[^-]*$//' -e 's/[~+].*//'
}
# repack DIR TARBALL — a gzip tarball of DIR's contents, the same bytes for the same files.
repack() {
  tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . | gzip -n > "$2"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# containerd: Debian's /usr/bin/{containerd,containerd-shim-runc-v2,ctr} as the release's bin/.
deb=$(deb_file containerd)
containerd_version=$(upstream_version "$deb")
dpkg-deb -x "$deb" "$work/containerd"
mkdir -p "$work/containerd-tree/bin"
for b in containerd containerd-shim-runc-v2 ctr; do
  cp "$work/containerd/usr/bin/$b" "$work/containerd-tree/bin/"
done
dir=$out/github.com/containerd/containerd/releases/download/v$containerd_version
mkdir -p "$dir"
containerd_file=$dir/containerd-$containerd_version-linux-$arch.tar.gz
repack "$work/containerd-tree" "$containerd_file"

# runc: the release asset is the bare binary.
deb=$(deb_file runc)
runc_version=$(upstream_version "$deb")
dpkg-deb -x "$deb" "$work/runc"
dir=$out/github.com/opencontainers/runc/releases/download/v$runc_version
mkdir -p "$dir"
runc_file=$dir/runc.$arch
install -m 0755 "$work/runc/usr/sbin/runc" "$runc_file"

# CNI plugins: Debian installs them in /usr/lib/cni; the release tarball has them at its top.
deb=$(deb_file containernetworking-plugins)
cni_version=$(upstream_version "$deb")
dpkg-deb -x "$deb" "$work/cni"
dir=$out/github.com/containernetworking/plugins/releases/download/v$cni_version
mkdir -p "$dir"
cni_file=$dir/cni-plugins-linux-$arch-v$cni_version.tgz
repack "$work/cni/usr/lib/cni" "$cni_file"

# The Kubernetes apt repository: stand-in packages, signed with a throwaway key.
repo=$out/pkgs.k8s.io/core:/stable:/v$minor/deb
mkdir -p "$repo"
for name in kubeadm kubelet kubectl; do
  pkg=$work/pkg-$name
  mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/lib/picc-vm-standins"
  sed "s/@VERSION@/$kube_version/g" "$here/standins/$name" > "$pkg/usr/bin/$name"
  chmod 0755 "$pkg/usr/bin/$name"
  install -m 0644 "$here/standins/record.sh" "$pkg/usr/lib/picc-vm-standins/$name-record.sh"
  if [[ $name == kubelet ]]; then
    install -D -m 0644 "$here/standins/kubelet.service" "$pkg/usr/lib/systemd/system/kubelet.service"
  fi
  cat > "$pkg/DEBIAN/control" <<CONTROL
Package: $name
Version: $kube_version-1.1
Architecture: $arch
Maintainer: picc VM test <vm-test@picc.invalid>
Section: admin
Priority: optional
Description: stand-in for $name $kube_version (picc VM test; records its calls)
 The real package cannot be fetched in the test's sandbox.
CONTROL
  dpkg-deb --root-owner-group -Zgzip --build "$pkg" "$repo/${name}_$kube_version-1.1_$arch.deb" > /dev/null
done
gpg --batch --quiet --passphrase '' --quick-gen-key 'picc VM test mirror, throwaway key <vm-test@picc.invalid>' ed25519 sign 1d
fingerprint=$(gpg --batch --quiet --with-colons --list-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
gpg --batch --armor --export "$fingerprint" > "$repo/Release.key"
(
  cd "$repo"
  apt-ftparchive packages . > Packages
  gzip -n9 -k Packages
  apt-ftparchive -o APT::FTPArchive::Release::Origin=picc-vm-test \
    -o APT::FTPArchive::Release::Label=picc-vm-test release . > Release
  gpg --batch --yes --local-user "$fingerprint" --clearsign -o InRelease Release
  gpg --batch --yes --local-user "$fingerprint" --armor --detach-sign -o Release.gpg Release
)

cat > "$env_file" <<ENV
containerd_version=$containerd_version
containerd_sha256=$(sha "$containerd_file")
runc_version=$runc_version
runc_sha256=$(sha "$runc_file")
cni_version=$cni_version
cni_sha256=$(sha "$cni_file")
signing_key=$fingerprint
ENV
