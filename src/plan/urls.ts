// The spec's `mirror` contract: https://HOST/PATH becomes MIRROR/HOST/PATH for every
// upstream download (artifacts, the Kubernetes apt repository and key, CNI manifests).
// The OS's own apt repositories are left alone. Checksums do not change.

export function viaMirror(url: string, mirror: string | null): string {
  if (mirror === null) return url;
  const m = /^https:\/\/(.+)$/.exec(url);
  if (!m) throw new Error(`not an https URL: ${url}`);
  return `${mirror.replace(/\/+$/, '')}/${m[1]}`;
}
