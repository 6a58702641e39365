// Everything a node's setup.sh fetches from the network, read off its plan: the verified
// downloads (pinned version, sha256) and the Kubernetes apt repository with its key (checked
// by fingerprint, the packages by apt's signatures). The OS's own apt repositories are not
// listed: the image already trusts them. `picc plan` prints this list, and its test holds
// it equal to the URLs the scripts really fetch. `picc mirror` takes the whole cluster's
// list from clusterFetches: the same entries, one per URL.

import { byKey } from '../order.js';
import type { ClusterPlan, Download, NodePlan } from './types.js';

export interface Fetch {
  /** What it is, for people: "containerd", "Kubernetes apt repository". */
  name: string;
  version: string;
  /** The address the node asks (through the mirror when the spec has one). */
  url: string;
  /** The address upstream: url itself when there is no mirror. */
  upstream: string;
  /** How the node checks it: a sha256, a key fingerprint, or apt's signature checks. */
  check: { sha256: string } | { fingerprint: string } | { signedBy: string };
}

export function nodeFetches(node: NodePlan, mirror: string | null): Fetch[] {
  const verified = (d: Download): Fetch => ({ name: d.name, version: d.version, url: d.url, upstream: upstreamOf(d.url, mirror), check: { sha256: d.sha256 } });
  const fetches: Fetch[] = [];
  const apt = node.kubernetesPackages;
  if (apt) {
    const repo = apt.keyUrl.slice(0, apt.keyUrl.lastIndexOf('/') + 1);
    fetches.push(
      { name: 'Kubernetes apt repository key', version: apt.version.split('.').slice(0, 2).join('.'), url: apt.keyUrl, upstream: upstreamOf(apt.keyUrl, mirror), check: { fingerprint: apt.keyFingerprint } },
      { name: `Kubernetes apt repository (${apt.names.join(', ')})`, version: apt.version, url: repo, upstream: upstreamOf(repo, mirror), check: { signedBy: apt.keyFingerprint } },
    );
  }
  const bin = node.kubernetesBinaries;
  if (bin) fetches.push(...bin.binaries.map((b) => verified(b.download)), verified(bin.crictl.download));
  fetches.push(verified(node.runtime.containerd), verified(node.runtime.runc), verified(node.runtime.cniPlugins));
  const cni = node.cni;
  if (cni?.kind === 'calico') fetches.push(verified(cni.operatorCrds), verified(cni.tigeraOperator));
  if (cni?.kind === 'cilium') fetches.push(verified(cni.cli));
  return fetches;
}

/** A fetch of the cluster, with the nodes that make it (in node order). */
export interface ClusterFetch extends Fetch {
  nodes: string[];
}

/** Every node's fetches, one entry per URL, ordered by upstream address then URL. */
export function clusterFetches(plan: ClusterPlan): ClusterFetch[] {
  const byUrl = new Map<string, ClusterFetch>();
  for (const node of plan.nodes) {
    for (const f of nodeFetches(node, plan.mirror)) {
      const seen = byUrl.get(f.url);
      if (seen && JSON.stringify(seen.check) !== JSON.stringify(f.check)) throw new Error(`${f.url} is checked two ways: ${JSON.stringify(seen.check)} and ${JSON.stringify(f.check)}`);
      if (seen) seen.nodes.push(node.name);
      else byUrl.set(f.url, { ...f, nodes: [node.name] });
    }
  }
  return [...byUrl.values()].sort(byKey((f) => `${f.upstream}\n${f.url}`));
}

/** The upstream address of a URL the plan sent through the mirror (MIRROR/HOST/PATH). */
export function upstreamOf(url: string, mirror: string | null): string {
  if (mirror === null) return url;
  const prefix = `${mirror.replace(/\/+$/, '')}/`;
  return url.startsWith(prefix) ? `https://${url.slice(prefix.length)}` : url;
}
