// What `picc plan` shows: the cluster facts and, per node, how it is reached, what setup.sh
// will do and what it fetches. planView turns the ClusterPlan into that data (also the
// `--format json` answer); planLines lays it out for people, printing nodes that do
// exactly the same work once. Pure: no files, no clock.

import { X509Certificate } from 'node:crypto';
import { nodeFetches, type Fetch } from '../plan/downloads.js';
import { clusterFacts, compareFacts, type ClusterFacts, type NodeChange } from '../plan/facts.js';
import type { ClusterPlan, NodePlan } from '../plan/types.js';

export interface NodeView {
  name: string;
  role: NodePlan['role'];
  /** kubeadm init, join as a control plane, join as a worker. */
  join: NodePlan['joinKind'];
  os: string;
  arch: string;
  address: string;
  interface: string;
  wifi: string | null;
  /** How setup reaches the board from its card: NoCloud seed, or picc's first-boot script. */
  delivery: NodePlan['boot']['delivery'];
  bootPartition: string;
  phases: string[];
  fetches: Fetch[];
}

export interface PlanView {
  cluster: string;
  kubernetes: {
    version: string;
    install: 'packages' | 'binaries';
    endpoint: string;
    highAvailability: boolean;
    podSubnet: string;
    serviceSubnet: string;
    dnsDomain: string;
    cni: string;
  };
  network: { subnet: string; gateway: string; dns: string[] };
  mirror: string | null;
  /** Null when the secrets file does not exist yet: compile creates the CA. */
  ca: { certHash: string; notAfter: string } | null;
  bootstrapToken: { ttl: string; from: string };
  nodes: NodeView[];
  /** upgrade.sh's order over the nodes, when the cluster moves to a new version; null otherwise. */
  upgrade: { from: string; to: string; steps: { nodes: string[]; how: string }[] } | null;
  /** The output folder's previous compile (picc-facts.json), compared node by node; null when there is none. */
  previous: { folder: string; kubernetesVersion: string; nodes: NodeChange[] } | null;
}

export function planView(plan: ClusterPlan, haveSecrets: boolean, previous?: { folder: string; facts: ClusterFacts }): PlanView {
  const first = plan.nodes.find((n) => n.joinKind === 'init')!;
  const k = plan.kubernetes;
  return {
    cluster: plan.name,
    kubernetes: {
      version: k.version,
      install: first.kubernetesBinaries ? 'binaries' : 'packages',
      endpoint: `https://${k.endpoint}`,
      highAvailability: k.highAvailability,
      podSubnet: k.podSubnet,
      serviceSubnet: k.serviceSubnet,
      dnsDomain: k.dnsDomain,
      cni: first.cni && 'version' in first.cni ? `${k.cni} ${first.cni.version}` : first.cni?.kind === 'cilium' ? `cilium (cilium-cli ${first.cni.cli.version})` : k.cni,
    },
    network: { subnet: plan.network.subnet, gateway: plan.network.gateway, dns: plan.network.dns },
    mirror: plan.mirror,
    ca: haveSecrets ? { certHash: k.caCertHash, notAfter: new Date(new X509Certificate(plan.adminKubeconfig.caCert).validTo).toISOString().slice(0, 10) } : null,
    bootstrapToken: { ttl: first.kubeadm.tokenTTL, from: first.name },
    nodes: plan.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      join: n.joinKind,
      os: n.os.id,
      arch: n.arch,
      address: `${n.address}/${n.prefix}`,
      interface: n.interface,
      wifi: n.wifi?.ssid ?? null,
      delivery: n.boot.delivery,
      bootPartition: n.boot.mount,
      phases: n.phases.map((p) => p.title),
      fetches: nodeFetches(n, plan.mirror),
    })),
    upgrade: upgradeSteps(plan),
    previous: previous ? { folder: previous.folder, kubernetesVersion: previous.facts.kubernetesVersion, nodes: compareFacts(previous.facts, clusterFacts(plan)) } : null,
  };
}

const JOIN_WORDS: Record<NodePlan['joinKind'], string> = {
  init: 'kubeadm init',
  'join-control-plane': 'joins as control plane',
  'join-worker': 'joins as worker',
};

const DELIVERY_WORDS: Record<NodePlan['boot']['delivery'], string> = {
  'cloud-init': 'cloud-init seed',
  'first-boot': 'first-boot script',
};

export function planLines(v: PlanView, specFile: string): string[] {
  const k = v.kubernetes;
  const lines = [
    `picc plan for cluster ${v.cluster} (${specFile})`,
    '',
    'Cluster',
    ...table([
      ['API endpoint', `${k.endpoint}${k.highAvailability ? ' (virtual IP held by kube-vip)' : ''}`],
      ['Kubernetes', `${k.version}, ${k.install === 'packages' ? 'packages from pkgs.k8s.io' : 'release binaries from dl.k8s.io'}`],
      ['pod subnet', k.podSubnet],
      ['service subnet', k.serviceSubnet],
      ['DNS domain', k.dnsDomain],
      ['CNI', k.cni],
      ['LAN', `${v.network.subnet}, gateway ${v.network.gateway}, DNS ${v.network.dns.join(' ')}`],
      ['downloads', v.mirror === null ? 'from upstream (no mirror)' : `through the mirror ${v.mirror}`],
      ['CA hash', v.ca ? v.ca.certHash : 'none yet: the first compile creates the secrets file and its CA'],
      ...(v.ca ? [['CA valid until', v.ca.notAfter] as [string, string]] : []),
      ['join token', `expires ${v.bootstrapToken.ttl} after kubeadm init on ${v.bootstrapToken.from} (later joins: picc secrets rotate-token, then compile)`],
    ]),
    '',
    'Nodes',
    ...columns([
      ['NAME', 'ROLE', 'OS', 'ADDRESS', 'INTERFACE', 'FROM THE CARD'],
      ...v.nodes.map((n) => [n.name, JOIN_WORDS[n.join], `${n.os} ${n.arch}`, n.address, n.wifi === null ? n.interface : `${n.interface} (Wi-Fi ${n.wifi})`, `${DELIVERY_WORDS[n.delivery]} on ${n.bootPartition}`]),
    ]),
  ];
  for (const group of sameWork(v.nodes)) {
    const head = group[0]!;
    lines.push('', `setup.sh on ${group.map((n) => n.name).join(', ')}`);
    lines.push(...wrap('  phases: ', head.phases.map((p, i) => `${i + 1} ${p}`)));
    lines.push('  fetches:');
    lines.push(...columns(head.fetches.map((f) => [f.name, f.version, f.url, checkWords(f, v.mirror)])).map((l) => `  ${l}`));
  }
  if (v.upgrade) {
    lines.push('', `Upgrade from Kubernetes ${v.upgrade.from} to ${v.upgrade.to}: run upgrade.sh on the nodes in this order`);
    v.upgrade.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.nodes.join(', ')}: ${s.how}`));
  }
  if (v.previous) lines.push('', ...previousLines(v.previous, k.version));
  return lines;
}

/** kubeadm's order: the first control plane, the other control planes one at a time, then the workers. */
function upgradeSteps(plan: ClusterPlan): PlanView['upgrade'] {
  const from = plan.kubernetes.upgradeFrom;
  if (from === null) return null;
  const first = plan.nodes.filter((n) => n.upgrade?.command === 'apply').map((n) => n.name);
  const others = plan.nodes.filter((n) => n.joinKind === 'join-control-plane').map((n) => n.name);
  const workers = plan.nodes.filter((n) => n.joinKind === 'join-worker').map((n) => n.name);
  const steps: { nodes: string[]; how: string }[] = [
    { nodes: first, how: 'kubeadm, kubeadm upgrade apply, then it drains itself, takes the new kubelet and kubectl, and uncordons' },
    ...others.map((n) => ({ nodes: [n], how: 'kubeadm upgrade node once the API server runs the new version; drains and uncordons itself' })),
  ];
  if (workers.length > 0) {
    steps.push({ nodes: workers, how: 'a few at a time: kubectl drain NODE --ignore-daemonsets --delete-emptydir-data from your machine, upgrade.sh (kubeadm upgrade node, kubelet), kubectl uncordon NODE' });
  }
  return { from, to: plan.kubernetes.version, steps };
}

/** What the new compile means for the boards of the output folder's previous one. */
function previousLines(p: NonNullable<PlanView['previous']>, version: string): string[] {
  const lines = [`Against the output in ${p.folder}/ (compiled for Kubernetes ${p.kubernetesVersion})`];
  if (p.kubernetesVersion !== version) lines.push(`  Kubernetes ${p.kubernetesVersion} -> ${version}: the boards already set up need an upgrade, not setup.sh`);
  const named = (change: NodeChange['change']) => p.nodes.filter((n) => n.change === change).map((n) => n.node);
  const added = named('new');
  const removed = named('removed');
  const same = named('same');
  if (added.length > 0) lines.push(`  new: ${added.join(', ')}: set up from the card (picc boot) or with its setup.sh`);
  if (removed.length > 0) lines.push(`  no longer in the spec: ${removed.join(', ')}: compile deletes their files; take the boards out with kubectl drain and kubectl delete node`);
  const changed = new Map<string, string[]>();
  for (const n of p.nodes.filter((c) => c.change === 'changed')) {
    const key = n.facets.map((f) => `${f.facet}: ${f.meaning}`).join('\n');
    changed.set(key, [...(changed.get(key) ?? []), n.node]);
  }
  for (const [reasons, nodes] of changed) {
    lines.push(`  files changed for ${nodes.join(', ')}:`, ...reasons.split('\n').map((r) => `    ${r}`));
  }
  if (same.length > 0) lines.push(`  unchanged: ${same.join(', ')}`);
  if (added.length + removed.length + changed.size === 0 && p.kubernetesVersion === version) lines.push('  nothing changes: no board needs its files again');
  return lines;
}

function checkWords(f: Fetch, mirror: string | null): string {
  const check = 'sha256' in f.check ? `sha256 ${f.check.sha256.slice(0, 12)}…` : 'fingerprint' in f.check ? `key ${f.check.fingerprint}` : 'signed by that key';
  return mirror !== null && f.url !== f.upstream ? `${check}, via mirror` : check;
}

/** Nodes whose setup does the same phases with the same fetches, in node order. */
function sameWork(nodes: readonly NodeView[]): NodeView[][] {
  const groups = new Map<string, NodeView[]>();
  for (const n of nodes) {
    const key = JSON.stringify([n.phases, n.fetches]);
    const group = groups.get(key);
    if (group) group.push(n);
    else groups.set(key, [n]);
  }
  return [...groups.values()];
}

/** items joined by ", " in lines of at most 100 characters, the first after `lead`. */
function wrap(lead: string, items: readonly string[]): string[] {
  const lines: string[] = [];
  let line = lead;
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (line.length > lead.length && line.length + 1 + piece.length > 100) {
      lines.push(line);
      line = ' '.repeat(lead.length) + piece;
    } else {
      line += line.length > lead.length ? ` ${piece}` : piece;
    }
  }
  return [...lines, line];
}

function table(rows: readonly [string, string][]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

function columns(rows: readonly string[][]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`);
}
