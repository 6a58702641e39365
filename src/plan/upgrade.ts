// Plan for a Kubernetes upgrade, in kubeadm's order (kubeadm "Upgrading kubeadm clusters"):
// on every node kubeadm first; then `kubeadm upgrade apply` on the first control plane, or
// `kubeadm upgrade node` on the others once the API server runs the new version; then the
// node is drained, the kubelet and kubectl upgraded and restarted, and the node uncordoned.
// What the cluster runs now comes from the output folder's picc-facts.json or --from.
// One minor at a time: kubeadm does not skip minors, nor go back.

import { compareVersions, series } from './catalog.js';
import type { Download, JoinKind, NodePlan } from './types.js';

export interface UpgradePlan {
  from: string;
  to: string;
  /** kubeadm upgrade apply (the first control plane) or kubeadm upgrade node (every other node). */
  command: 'apply' | 'node';
  /** Control planes drain and uncordon themselves with admin.conf; null on workers, which hold no cluster-admin credential and are drained from outside. */
  adminKubeconfig: string | null;
  /** The node's own credential: enough to read its Node object (is it cordoned?). */
  kubeletKubeconfig: string;
  /** Nodes after the first control plane wait until the API server answers with the new version here; null on the first. */
  versionUrl: string | null;
  /** install: binaries: the new kubeadm, fetched and installed alone before the rest; null with packages. */
  kubeadmBinary: { download: Download; path: string } | null;
  phases: { id: string; title: string; fn: string }[];
  /** Where upgrade.sh marks what it has done (on the node, under its state folder). */
  marksDir: string;
  /** The mark of a finished upgrade: upgrade.sh skips what it finds done, and so does the Ansible rollout. */
  doneMark: string;
}

/** Why going from `from` to `to` is refused, or null when kubeadm can do it. */
export function upgradeRefusal(from: string, to: string): { message: string; hint: string } | null {
  const [fromMajor, fromMinor] = from.split('.').map(Number) as [number, number];
  const [toMajor, toMinor] = to.split('.').map(Number) as [number, number];
  if (compareVersions(to, from) < 0) {
    return { message: `the cluster runs Kubernetes ${from}; going back to ${to} is a downgrade, which kubeadm does not do`, hint: `keep kubernetes.version at ${from} or newer` };
  }
  if (toMajor !== fromMajor || toMinor > fromMinor + 1) {
    const next = `${fromMajor}.${fromMinor + 1}`;
    return {
      message: `the cluster runs Kubernetes ${from}; ${to} skips ${toMinor - fromMinor - 1} minor release(s): kubeadm upgrades one minor at a time (${series(from)} -> ${next})`,
      hint: `set kubernetes.version to a ${next}.x release, compile and run upgrade.sh on every node, then go on to ${series(to)}`,
    };
  }
  return null;
}

const PHASES: [id: string, title: string][] = [
  ['upgrade-preflight', 'upgrade checks'],
  ['upgrade-kubeadm', 'kubeadm'],
  ['upgrade-cluster', 'kubeadm upgrade'],
  ['upgrade-drain', 'drain'],
  ['upgrade-kubelet', 'kubelet and kubectl'],
  ['upgrade-uncordon', 'uncordon'],
];

export function upgradePlan(from: string, to: string, joinKind: JoinKind, endpoint: string, binaries: NodePlan['kubernetesBinaries'], stateDir: string): UpgradePlan {
  const kubeadm = binaries?.binaries.find((b) => b.download.name === 'kubeadm') ?? null;
  const controlPlane = joinKind !== 'join-worker';
  const marksDir = `${stateDir}/upgrade-${to}`;
  return {
    from,
    to,
    command: joinKind === 'init' ? 'apply' : 'node',
    adminKubeconfig: controlPlane ? '/etc/kubernetes/admin.conf' : null,
    kubeletKubeconfig: '/etc/kubernetes/kubelet.conf',
    versionUrl: joinKind === 'init' ? null : `https://${endpoint}/version`,
    kubeadmBinary: kubeadm ? { download: kubeadm.download, path: kubeadm.path } : null,
    phases: PHASES.map(([id, title]) => ({ id, title, fn: `phase_${id.replace(/-/g, '_')}` })),
    marksDir,
    // Inside marksDir: upgrade.sh makes that folder, then the mark.
    doneMark: `${marksDir}/done`,
  };
}
