// Container images picc deploys itself (CNI, kube-vip). Each is pinned by tag, and by its
// multi-arch index digest where that digest has been confirmed against the registry, so
// the node pulls exactly those bytes; an unconfirmed digest is never guessed.

export interface ImageRef {
  repository: string;
  tag: string;
  /** The multi-arch index digest as published, or null: pinned by tag only (see `why`). */
  digest: string | null;
  /** Where the version and the digest (or its absence) come from. */
  why: string;
}

export const IMAGES = {
  flannel: {
    repository: 'ghcr.io/flannel-io/flannel',
    tag: 'v0.28.9',
    digest: null,
    why: 'v0.28.9 fixes CVE-2026-46600 and CVE-2026-56852; its kube-flannel.yml names this tag. Pinned by tag: no index digest was confirmed here (only per-platform digests were seen, second-hand).',
  },
  flannelCniPlugin: {
    repository: 'ghcr.io/flannel-io/flannel-cni-plugin',
    tag: 'v1.9.1-flannel3',
    digest: null,
    why: "the tag flannel v0.28.9's kube-flannel.yml names. Pinned by tag: no index digest was confirmed here.",
  },
  kubeVip: {
    repository: 'ghcr.io/kube-vip/kube-vip',
    tag: 'v1.0.3',
    digest: 'sha256:4e2791cc0238ae01b3986d827f4d568a25d846c94bab51238fe6241281a27113',
    why: 'index digest as published on ghcr.io for v1.0.3.',
  },
} as const satisfies Record<string, ImageRef>;

export function imageString(img: ImageRef): string {
  return img.digest === null ? `${img.repository}:${img.tag}` : `${img.repository}:${img.tag}@${img.digest}`;
}
