// Plan for the Kubernetes packages: the pkgs.k8s.io repository of the spec's minor
// (one repository per minor), its key checked by fingerprint, exact versions held.

import type { FileSpec, NodePlan } from './types.js';
import { viaMirror } from './urls.js';

/** isv:kubernetes OBS Project signing key, the same for every minor's repository. */
export const KUBERNETES_KEY_FINGERPRINT = 'DE15B14486CD377B9E876E1A234654DA9A296436';
const KEYRING = '/etc/apt/keyrings/kubernetes-apt-keyring.gpg';

/**
 * A mirror that re-signs the repository (aptly, Pulp) names its own key in the spec; the
 * key is still fetched from the repository and trusted only if it is that key alone.
 */
export function kubernetesPackagesPlan(version: string, minor: string, mirror: string | null, signingKey?: string): NodePlan['kubernetesPackages'] {
  const repo = viaMirror(`https://pkgs.k8s.io/core:/stable:/v${minor}/deb/`, mirror);
  const sourceList: FileSpec = {
    path: '/etc/apt/sources.list.d/kubernetes.list',
    mode: '0644',
    content: `# Kubernetes ${minor} packages (managed by picc)\ndeb [signed-by=${KEYRING}] ${repo} /\n`,
  };
  return {
    keyUrl: `${repo}Release.key`,
    keyFingerprint: signingKey ?? KUBERNETES_KEY_FINGERPRINT,
    keyring: KEYRING,
    sourceList,
    version,
    names: ['kubeadm', 'kubectl', 'kubelet'],
  };
}
