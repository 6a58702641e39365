// What a healthy cluster compiled from this plan looks like from its API server: the
// values `picc verify` compares the live answers with. A pure function of the plan.

import { intToIp, parseCidr } from '../net/ipv4.js';
import { compareCodeUnits } from '../order.js';
import type { ClusterPlan } from '../plan/types.js';

export interface ExpectedNode {
  name: string;
  controlPlane: boolean;
  address: string;
  /** The spec's labels (the node may carry more: kubernetes.io/hostname, …). */
  labels: Record<string, string>;
  /** "key[=value]:Effect", sorted: the spec's taints, else kubeadm's default for the role. */
  taints: string[];
}

export type ExpectedCni =
  | { kind: 'flannel'; namespaces: string[] }
  | { kind: 'calico'; namespaces: string[] }
  | { kind: 'cilium'; namespaces: string[] };

export interface Expected {
  cluster: string;
  /** As the API server and the kubelets report it: "v1.34.2". */
  version: string;
  podSubnet: string;
  /** The cluster DNS address every kubelet hands its pods (kubeadm: the 10th address of the service subnet). */
  dnsServiceIp: string;
  cni: ExpectedCni;
  /** Sorted by name, as in the plan. */
  nodes: ExpectedNode[];
}

/** kubeadm taints a control plane it registers without taints of its own. */
export const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane:NoSchedule';

export function taintText(t: { key: string; value?: string; effect: string }): string {
  return `${t.key}${t.value !== undefined && t.value !== '' ? `=${t.value}` : ''}:${t.effect}`;
}

/** The namespaces whose pods must all run: the CNI's own next to kube-system. */
const CNI_NAMESPACES: Record<ExpectedCni['kind'], string[]> = {
  flannel: ['kube-flannel'],
  calico: ['calico-system', 'tigera-operator'],
  cilium: [],
};

export function expectedFromPlan(plan: ClusterPlan): Expected {
  const k = plan.kubernetes;
  return {
    cluster: plan.name,
    version: `v${k.version}`,
    podSubnet: k.podSubnet,
    dnsServiceIp: intToIp(parseCidr(k.serviceSubnet).network + 10),
    cni: { kind: k.cni, namespaces: CNI_NAMESPACES[k.cni] },
    nodes: plan.nodes.map((n) => {
      const controlPlane = n.role === 'control-plane';
      const own = n.taints.map(taintText);
      return {
        name: n.name,
        controlPlane,
        address: n.address,
        labels: { ...n.labels },
        taints: (own.length > 0 ? own : controlPlane ? [CONTROL_PLANE_TAINT] : []).sort(compareCodeUnits),
      };
    }),
  };
}
