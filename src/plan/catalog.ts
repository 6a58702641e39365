// The artifact catalog: which versions picc knows, where they are downloaded from and
// their sha256 digests. Digests come from data/artifact-checksums.json and, for the
// Kubernetes binaries (kubeadm, kubelet, kubectl), data/kubernetes-binaries.json (both
// kubespray's pinned table; see their "source" fields). Version policy lives here too,
// so a new release means editing this file and the JSON, nothing else.

import runtimeJson from '../../data/artifact-checksums.json' with { type: 'json' };
import kubernetesJson from '../../data/kubernetes-binaries.json' with { type: 'json' };
import type { Arch } from '../cluster-spec/types.js';

interface ChecksumFile {
  artifacts: Record<string, Record<string, Partial<Record<Arch, string>>>>;
  urls: Record<string, string>;
}
const runtimeTable = runtimeJson as ChecksumFile;
const kubernetesTable = kubernetesJson as ChecksumFile;
// One catalog: the two files name disjoint artifacts.
const table: ChecksumFile = {
  artifacts: { ...runtimeTable.artifacts, ...kubernetesTable.artifacts },
  urls: { ...runtimeTable.urls, ...kubernetesTable.urls },
};

/** Artifacts with a default version of their own. */
export type PinnedArtifact = 'containerd' | 'runc' | 'cni-plugins' | 'cilium-cli';
/** kubeadm, kubelet and kubectl: always the cluster's Kubernetes version. */
export type KubernetesBinary = 'kubeadm' | 'kubelet' | 'kubectl';
export type ArtifactName = PinnedArtifact | KubernetesBinary | 'crictl';

export const KUBERNETES_BINARIES: readonly KubernetesBinary[] = ['kubeadm', 'kubelet', 'kubectl'];

/** Versions picked when the spec does not pin one. */
export const DEFAULT_VERSIONS: Readonly<Record<PinnedArtifact, string>> = {
  containerd: '2.3.4',
  runc: '1.4.3',
  'cni-plugins': '1.9.1',
  'cilium-cli': '0.19.7',
};

/** runc that each containerd series is tested with (containerd script/setup/runc-version). */
export const RUNC_FOR_CONTAINERD_SERIES: Readonly<Record<string, string>> = {
  '1.7': '1.3.6',
  '2.0': '1.3.6',
  '2.1': '1.3.6',
  '2.2': '1.3.6',
  '2.3': '1.4.3',
};

/**
 * Kubernetes minors picc supports and the containerd releases each supports, as
 * "series: lowest patch" (containerd RELEASES.md "Kubernetes Support"). 1.31 is the
 * first minor with kubeadm's v1beta4 config API, which picc emits.
 */
export const KUBERNETES_MINORS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '1.31': { '1.7': '1.7.0', '2.0': '2.0.0', '2.1': '2.1.0', '2.2': '2.2.0', '2.3': '2.3.0' },
  '1.32': { '1.7': '1.7.0', '2.0': '2.0.0', '2.1': '2.1.0', '2.2': '2.2.0', '2.3': '2.3.0' },
  '1.33': { '1.7': '1.7.0', '2.0': '2.0.0', '2.1': '2.1.0', '2.2': '2.2.0', '2.3': '2.3.0' },
  '1.34': { '1.7': '1.7.0', '2.0': '2.0.0', '2.1': '2.1.0', '2.2': '2.2.0', '2.3': '2.3.0' },
  '1.35': { '1.7': '1.7.28', '2.1': '2.1.5', '2.2': '2.2.0', '2.3': '2.3.0' },
  '1.36': { '2.2': '2.2.0', '2.3': '2.3.0' },
  '1.37': { '2.2': '2.2.0', '2.3': '2.3.0' },
};

/** containerd series past their end of support when this catalog was written (2026-11). */
export const CONTAINERD_SERIES_PAST_EOL: Readonly<Record<string, string>> = {
  '1.7': 'extended support ended in September 2026',
  '2.1': 'end of life',
  '2.2': 'end of life since 2026-11-06',
};

/**
 * crictl for a Kubernetes version: cri-tools releases one minor per Kubernetes minor, so
 * the newest catalog crictl of that minor; for a minor the catalog has none of, the
 * newest it has (crictl speaks the stable CRI v1 to any containerd picc installs).
 */
export function crictlFor(kubernetesVersion: string): string {
  const all = knownVersions('crictl');
  const sameMinor = all.filter((v) => series(v) === series(kubernetesVersion));
  const pick = (sameMinor.length > 0 ? sameMinor : all).at(-1);
  if (pick === undefined) throw new Error('no crictl in the artifact catalog');
  return pick;
}

/**
 * The known versions for a hint: all of them, except that a run of four or more
 * consecutive patch releases of one minor is written first–last (kubeadm has dozens).
 */
export function knownVersionsText(name: ArtifactName): string {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length >= 4) out.push(`${run[0]}–${run.at(-1)}`);
    else out.push(...run);
    run = [];
  };
  for (const v of knownVersions(name)) {
    const prev = run.at(-1);
    if (prev !== undefined && !(series(prev) === series(v) && patch(v) === patch(prev) + 1)) flush();
    run.push(v);
  }
  flush();
  return out.join(', ');
}

function patch(version: string): number {
  return Number(version.split('.')[2]);
}

export function kubernetesMinors(): string[] {
  return Object.keys(KUBERNETES_MINORS).sort(compareVersions);
}

export function knownVersions(name: ArtifactName): string[] {
  return Object.keys(table.artifacts[name] ?? {}).sort(compareVersions);
}

export function catalogDigest(name: ArtifactName, version: string, arch: Arch): string | undefined {
  return table.artifacts[name]?.[version]?.[arch];
}

export function upstreamUrl(name: ArtifactName, version: string, arch: Arch): string {
  const pattern = table.urls[name];
  if (!pattern) throw new Error(`no URL pattern for ${name} in the artifact catalog`);
  return pattern.replaceAll('{version}', version).replaceAll('{arch}', arch);
}

export function series(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
