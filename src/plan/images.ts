// Container images picc deploys itself (CNI, kube-vip), pinned by tag and digest so the
// node pulls exactly these bytes. Digests: multi-arch index digests as published on ghcr.io.

export interface ImageRef {
  repository: string;
  tag: string;
  digest: string;
}

export const IMAGES = {
  flannel: {
    repository: 'ghcr.io/flannel-io/flannel',
    tag: 'v0.28.5',
    digest: 'sha256:5414132a5547ca336112dc00113530363aeeb7e8b59c1f6b8e5703c0ccb534e7',
  },
  flannelCniPlugin: {
    repository: 'ghcr.io/flannel-io/flannel-cni-plugin',
    tag: 'v1.9.1-flannel1',
    digest: 'sha256:7c3377e977b4b77b8efdad96e207ebee371537d6dcd7b9c40853cf0c0f0aade3',
  },
  kubeVip: {
    repository: 'ghcr.io/kube-vip/kube-vip',
    tag: 'v1.0.3',
    digest: 'sha256:4e2791cc0238ae01b3986d827f4d568a25d846c94bab51238fe6241281a27113',
  },
} as const satisfies Record<string, ImageRef>;

export function imageString(img: ImageRef): string {
  return `${img.repository}:${img.tag}@${img.digest}`;
}
