// What an output folder was compiled for, kept beside it as picc-facts.json: the Kubernetes
// version the cluster runs, and for every node a digest of each part of its plan. A later
// `picc plan` compares a new compile against it and says which boards need their files again
// and why (a new board changes every board's /etc/hosts block, a new join token matters only
// to boards not yet joined); upgrades read the version the cluster is on from it.
// Deterministic: digests of plan data, no time, no host facts.

import { createHash } from 'node:crypto';
import type { ClusterPlan, NodePlan } from './types.js';

export const FACTS_NAME = 'picc-facts.json';

/** Parts of a node's plan, each with what a change to it means for a board already set up. */
export const FACETS = {
  hosts: { parts: ['hosts'], running: 'its /etc/hosts block lists every node by name; re-run setup.sh to add the new names (Kubernetes itself does not need them)' },
  network: { parts: ['network', 'interface', 'address', 'prefix', 'wifi'], running: 'its network settings changed: re-run setup.sh (it reboots to apply them)' },
  system: { parts: ['packages', 'modules', 'sysctl', 'kernelArgs', 'kernelPageSize', 'swap', 'preflight'], running: 'its kernel or system settings changed: re-run setup.sh' },
  kubernetes: { parts: ['kubernetesPackages', 'kubernetesBinaries'], running: 'its Kubernetes install changed: for a new version use upgrade.sh, else re-run setup.sh' },
  runtime: { parts: ['runtime'], running: 'its container runtime changed: re-run setup.sh' },
  join: { parts: ['kubeadm', 'pki', 'kubeVip'], running: 'its kubeadm configuration or join material changed (a new token, say): only a board not yet joined uses it; a joined board ignores it' },
  cni: { parts: ['cni'], running: 'the pod network changed: re-run setup.sh on this control plane' },
  access: { parts: ['access'], running: 'its login settings changed: re-run setup.sh' },
  boot: { parts: ['boot', 'os', 'arch', 'role', 'joinKind', 'labels', 'taints', 'phases', 'state'], running: 'how it is set up changed (OS, role, labels or the card seed): re-flash it or re-run setup.sh' },
} as const satisfies Record<string, { parts: readonly (keyof NodePlan)[]; running: string }>;

export type Facet = keyof typeof FACETS;

export interface ClusterFacts {
  cluster: string;
  kubernetesVersion: string;
  /** The version an upgrade of this compile starts from (upgrade.sh is in the output), or null. */
  upgradeFrom: string | null;
  /** By node name: facet → sha256 of that part of the node's plan. */
  nodes: Record<string, Record<Facet, string>>;
}

export function clusterFacts(plan: ClusterPlan): ClusterFacts {
  const nodes: ClusterFacts['nodes'] = {};
  for (const n of plan.nodes) {
    const digests = {} as Record<Facet, string>;
    for (const [facet, { parts }] of Object.entries(FACETS) as [Facet, (typeof FACETS)[Facet]][]) {
      digests[facet] = createHash('sha256').update(canonicalJson(parts.map((p) => n[p]))).digest('hex');
    }
    nodes[n.name] = digests;
  }
  return { cluster: plan.name, kubernetesVersion: plan.kubernetes.version, upgradeFrom: plan.kubernetes.upgradeFrom, nodes };
}

/** JSON with every object's keys in code-unit order: the spec's key order must not change a digest. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function serializeFacts(f: ClusterFacts): string {
  const note = 'Written by picc: what this output was compiled for. picc plan compares a new compile against it.';
  return JSON.stringify({ note, cluster: f.cluster, kubernetesVersion: f.kubernetesVersion, upgradeFrom: f.upgradeFrom, nodes: f.nodes }, null, 2) + '\n';
}

/** The facts in `text`, or undefined when it is not a facts file picc wrote. */
export function parseFacts(text: string): ClusterFacts | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r['cluster'] !== 'string' || typeof r['kubernetesVersion'] !== 'string' || typeof r['nodes'] !== 'object' || r['nodes'] === null) return undefined;
  const upgradeFrom = typeof r['upgradeFrom'] === 'string' ? r['upgradeFrom'] : null;
  return { cluster: r['cluster'], kubernetesVersion: r['kubernetesVersion'], upgradeFrom, nodes: r['nodes'] as ClusterFacts['nodes'] };
}

/**
 * The version the cluster runs when the spec asks for `version`, as the previous compile in
 * the output folder tells: its version when the spec changed it, or the upgrade that compile
 * already started (upgrade.sh stays in the output until the next version change).
 */
export function runningVersion(previous: ClusterFacts | undefined, version: string): string | null {
  if (!previous) return null;
  if (previous.kubernetesVersion !== version) return previous.kubernetesVersion;
  return previous.upgradeFrom;
}

export interface NodeChange {
  node: string;
  change: 'new' | 'removed' | 'changed' | 'same';
  /** For a changed node: which parts changed, each with what that means for a running board. */
  facets: { facet: Facet; meaning: string }[];
}

export function compareFacts(before: ClusterFacts, now: ClusterFacts): NodeChange[] {
  const names = [...new Set([...Object.keys(before.nodes), ...Object.keys(now.nodes)])].sort();
  return names.map((node) => {
    const a = before.nodes[node];
    const b = now.nodes[node];
    if (!a) return { node, change: 'new', facets: [] };
    if (!b) return { node, change: 'removed', facets: [] };
    const facets = (Object.keys(FACETS) as Facet[]).filter((f) => a[f] !== b[f]).map((facet) => ({ facet, meaning: FACETS[facet].running }));
    return { node, change: facets.length > 0 ? 'changed' : 'same', facets };
  });
}
