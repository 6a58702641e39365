// Every default of the spec in one place. The plan applies them; the cluster rules use
// the same resolution so that a rule sees exactly what the plan will build.

import type { Arch, ClusterSpec, CniName, InstallMethod, KernelPageSize, NodeSpec, OsId, Role, TaintSpec, WifiSpec } from '../cluster-spec/types.js';

export const DEFAULTS = {
  podSubnet: '10.244.0.0/16',
  serviceSubnet: '10.96.0.0/12',
  dnsDomain: 'cluster.local',
  cni: 'flannel' as CniName,
  install: 'packages' as InstallMethod,
  apiServerPort: 6443,
  bootstrapTokenTTL: '24h',
  os: 'raspios-bookworm' as OsId,
  arch: 'arm64' as Arch,
  interface: 'eth0',
  role: 'worker' as Role,
  user: 'pi',
  permitRootLogin: 'no' as const,
};

export interface ResolvedNode {
  name: string;
  role: Role;
  address: string;
  os: OsId;
  arch: Arch;
  interface: string;
  wifi: WifiSpec | null;
  labels: Record<string, string>;
  taints: TaintSpec[];
  /** null: config.txt's kernel line is left as the image has it. */
  kernelPageSize: KernelPageSize | null;
  /** Index in spec.nodes, for diagnostics. */
  index: number;
}

/** A node with nodeDefaults and picc's defaults applied (a node's own value wins). */
export function resolveNode(spec: ClusterSpec, node: NodeSpec, index: number): ResolvedNode {
  const d = spec.spec.nodeDefaults ?? {};
  return {
    name: node.name,
    role: node.role ?? DEFAULTS.role,
    address: node.address,
    os: node.os ?? d.os ?? DEFAULTS.os,
    arch: node.arch ?? d.arch ?? DEFAULTS.arch,
    interface: node.interface ?? d.interface ?? DEFAULTS.interface,
    wifi: node.wifi ?? d.wifi ?? null,
    labels: { ...(d.labels ?? {}), ...(node.labels ?? {}) },
    taints: node.taints ?? d.taints ?? [],
    kernelPageSize: node.kernelPageSize ?? d.kernelPageSize ?? null,
    index,
  };
}

export function resolveNodes(spec: ClusterSpec): ResolvedNode[] {
  return spec.spec.nodes.map((n, i) => resolveNode(spec, n, i));
}
