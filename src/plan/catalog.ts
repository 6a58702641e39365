// The artifact catalog: which versions picc knows, where they are downloaded from and
// their sha256 digests. Digests come from data/artifact-checksums.json (kubespray's
// pinned table, cross-checked; see its "source" field). Version policy lives here too,
// so a new release means editing this file and the JSON, nothing else.

import { createRequire } from 'node:module';
import type { Arch } from '../spec/types.js';

const require = createRequire(import.meta.url);

interface ChecksumFile {
  artifacts: Record<string, Record<string, Partial<Record<Arch, string>>>>;
  urls: Record<string, string>;
}
const table = require('../../data/artifact-checksums.json') as ChecksumFile;

export type ArtifactName = 'containerd' | 'runc' | 'cni-plugins' | 'cilium-cli';

/** Versions picked when the spec does not pin one. */
export const DEFAULT_VERSIONS: Readonly<Record<ArtifactName, string>> = {
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
