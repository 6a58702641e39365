// The checks of `picc verify` as a pure function: what the plan expects, and what the
// API server answered (paths.ts), to one row per check: {check, expected, found, ok}.
// Each difference fails exactly one row where it can: a node missing from the cluster is
// one failed row (its other rows are left out, they would only repeat it).

import { compareCodeUnits } from '../order.js';
import { taintText, type Expected, type ExpectedNode } from './expected.js';
import { arr, at, cidrInside, items, obj, str, type Json } from './json.js';
import { cniConfigPath, PATHS, podNamespaces, type Answers } from './paths.js';

export interface CheckResult {
  check: string;
  expected: string;
  found: string;
  ok: boolean;
}

const NONE = 'none';
/** The control-plane static pods kubeadm runs on every control plane (stacked etcd). */
export const CONTROL_PLANE_COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
/** Taints the node lifecycle controller sets and lifts with the node's conditions: not the spec's business. */
const CONDITION_TAINT = /^node\.(kubernetes\.io|cloudprovider\.kubernetes\.io)\//;

const row = (check: string, expected: string, found: string, ok = expected === found): CheckResult => ({ check, expected, found, ok });
const sorted = (list: Iterable<string>): string[] => [...list].sort(compareCodeUnits);

export function runChecks(e: Expected, answers: Answers): CheckResult[] {
  const nodes = items(answers.get(PATHS.nodes));
  const byName = new Map(nodes.map((n) => [str(at(n, 'metadata', 'name')) ?? '', n]));
  const pods = new Map(podNamespaces(e).map((ns) => [ns, items(answers.get(PATHS.pods(ns)))]));
  const systemPods = pods.get('kube-system') ?? [];
  return [
    row('API server version', e.version, str(at(answers.get(PATHS.version), 'gitVersion')) ?? NONE),
    ...e.nodes.flatMap((n) => nodeRows(n, byName.get(n.name), e.version)),
    extraNodes(e, Array.isArray(at(answers.get(PATHS.nodes), 'items')) ? nodes : undefined),
    ...[...pods].map(([ns, list]) => podsRow(ns, list)),
    ...e.nodes.filter((n) => n.controlPlane).map((n) => controlPlanePods(n.name, systemPods)),
    clusterCidr(e, systemPods),
    nodePodCidrs(e, nodes),
    cniSubnet(e, answers.get(cniConfigPath(e))),
    ...dnsRows(e, systemPods, answers),
  ];
}

// Nodes

function nodeRows(n: ExpectedNode, node: Json | undefined, version: string): CheckResult[] {
  const name = `node ${n.name}`;
  if (!node) return [row(`${name} Ready`, 'Ready', 'not in the cluster')];
  const labels = obj(at(node, 'metadata', 'labels'));
  const addresses = arr(at(node, 'status', 'addresses')).map(obj).filter((a) => a['type'] === 'InternalIP').map((a) => str(a['address']) ?? '?');
  const taints = arr(at(node, 'spec', 'taints')).map(obj)
    .map((t) => taintText({ key: str(t['key']) ?? '?', ...(str(t['value']) !== undefined ? { value: str(t['value'])! } : {}), effect: str(t['effect']) ?? '?' }))
    .filter((t) => !CONDITION_TAINT.test(t));
  const wanted = Object.keys(n.labels).sort(compareCodeUnits);
  const labelText = (values: Record<string, unknown>): string => wanted.map((k) => `${k}=${typeof values[k] === 'string' ? values[k] : '(unset)'}`).join(', ');
  return [
    row(`${name} Ready`, 'Ready', readiness(node)),
    row(`${name} kubelet`, version, str(at(node, 'status', 'nodeInfo', 'kubeletVersion')) ?? NONE),
    row(`${name} InternalIP`, n.address, addresses.join(', ') || NONE),
    row(`${name} role`, n.controlPlane ? 'control-plane' : 'worker', 'node-role.kubernetes.io/control-plane' in labels ? 'control-plane' : 'worker'),
    ...(wanted.length > 0 ? [row(`${name} labels`, labelText(n.labels), labelText(labels))] : []),
    row(`${name} taints`, n.taints.join(', ') || NONE, sorted(taints).join(', ') || NONE),
  ];
}

/** "Ready", or the Ready condition's status and reason ("NotReady (KubeletNotReady)"). */
function readiness(node: Json): string {
  const ready = arr(at(node, 'status', 'conditions')).map(obj).find((c) => c['type'] === 'Ready');
  if (!ready) return 'no Ready condition';
  if (ready['status'] === 'True') return 'Ready';
  const reason = str(ready['reason']);
  return `${ready['status'] === 'False' ? 'NotReady' : `Ready=${str(ready['status']) ?? '?'}`}${reason ? ` (${reason})` : ''}`;
}

function extraNodes(e: Expected, nodes: Json[] | undefined): CheckResult {
  // No node list at all is no evidence of "no extra node".
  if (!nodes) return row('nodes not in the spec', NONE, 'no node list');
  const known = new Set(e.nodes.map((n) => n.name));
  const extra = nodes.map((n) => str(at(n, 'metadata', 'name')) ?? '?').filter((n) => !known.has(n));
  return row('nodes not in the spec', NONE, sorted(extra).join(', ') || NONE);
}

// Pods

/** Why a pod is not Running and Ready, or undefined when it is (or finished: a completed Job's pod). */
export function podProblem(pod: Json): string | undefined {
  const phase = str(at(pod, 'status', 'phase')) ?? 'Unknown';
  if (phase === 'Succeeded') return undefined;
  const statuses = [...arr(at(pod, 'status', 'initContainerStatuses')), ...arr(at(pod, 'status', 'containerStatuses'))];
  const waiting = statuses.map((s) => str(at(s, 'state', 'waiting', 'reason'))).find((r) => r !== undefined && r !== '');
  if (waiting) return waiting;
  if (phase !== 'Running') return phase;
  const ready = arr(at(pod, 'status', 'conditions')).map(obj).find((c) => c['type'] === 'Ready');
  return ready?.['status'] === 'True' ? undefined : 'not Ready';
}

function podsRow(namespace: string, pods: Json[]): CheckResult {
  const bad = pods.map((p) => [str(at(p, 'metadata', 'name')) ?? '?', podProblem(p)] as const).filter(([, why]) => why !== undefined);
  const found = pods.length === 0 ? 'no pods' : bad.length === 0 ? `all ${pods.length}` : `${pods.length - bad.length} of ${pods.length}; ${bad.map(([n, why]) => `${n}: ${why}`).join(', ')}`;
  return row(`pods in ${namespace} Running and Ready`, 'all', found, pods.length > 0 && bad.length === 0);
}

function podsOf(pods: Json[], component: string): Json[] {
  return pods.filter((p) => at(p, 'metadata', 'labels', 'component') === component);
}

function controlPlanePods(node: string, pods: Json[]): CheckResult {
  const present = new Set(pods.filter((p) => at(p, 'spec', 'nodeName') === node).map((p) => str(at(p, 'metadata', 'labels', 'component')) ?? ''));
  // Shown without the "kube-" every one but etcd has: the table stays narrower.
  const shown = (list: string[]): string => list.map((c) => c.replace(/^kube-/, '')).join(', ') || NONE;
  return row(`control-plane pods on ${node}`, shown(CONTROL_PLANE_COMPONENTS), shown(CONTROL_PLANE_COMPONENTS.filter((c) => present.has(c))));
}

// The pod network

function clusterCidr(e: Expected, pods: Json[]): CheckResult {
  const managers = podsOf(pods, 'kube-controller-manager');
  const values = new Set(managers.flatMap((p) => arr(at(p, 'spec', 'containers')).flatMap((c) => [...arr(at(c, 'command')), ...arr(at(c, 'args'))]))
    .map((a) => /^--cluster-cidr=(.*)$/.exec(str(a) ?? '')?.[1])
    .filter((v): v is string => v !== undefined));
  const found = managers.length === 0 ? 'no kube-controller-manager pod' : sorted(values).join(', ') || 'not set';
  return row('pod subnet: controller-manager --cluster-cidr', e.podSubnet, found);
}

function nodePodCidrs(e: Expected, nodes: Json[]): CheckResult {
  const outside = nodes.flatMap((n) => {
    const cidrs = [str(at(n, 'spec', 'podCIDR')), ...arr(at(n, 'spec', 'podCIDRs')).map(str)].filter((c): c is string => c !== undefined);
    const wrong = [...new Set(cidrs)].filter((c) => !cidrInside(c, e.podSubnet));
    const name = str(at(n, 'metadata', 'name')) ?? '?';
    return cidrs.length === 0 ? [`${name}: none`] : wrong.map((c) => `${name}: ${c}`);
  });
  const found = nodes.length === 0 ? 'no nodes' : outside.length === 0 ? `all ${nodes.length} inside` : sorted(outside).join(', ');
  return row('pod subnet: node podCIDRs', `inside ${e.podSubnet}`, found, nodes.length > 0 && outside.length === 0);
}

function cniSubnet(e: Expected, answer: unknown): CheckResult {
  switch (e.cni.kind) {
    case 'flannel': {
      const text = str(at(answer, 'data', 'net-conf.json'));
      let found = answer == null ? 'no kube-flannel-cfg ConfigMap' : 'no net-conf.json';
      if (text !== undefined) {
        try {
          found = str(obj(JSON.parse(text))['Network']) ?? 'no Network in net-conf.json';
        } catch {
          found = 'net-conf.json is not JSON';
        }
      }
      return row('pod subnet: flannel net-conf.json Network', e.podSubnet, found);
    }
    case 'calico': {
      const pools = arr(at(answer, 'spec', 'calicoNetwork', 'ipPools')).map((p) => str(at(p, 'cidr')) ?? '?');
      const found = answer == null ? 'no Installation "default"' : sorted(new Set(pools)).join(', ') || 'no ipPools';
      return row('pod subnet: calico Installation ipPools', e.podSubnet, found);
    }
    case 'cilium': {
      // With ipam.mode=kubernetes cilium takes each node's podCIDR (checked above) as its pod range.
      const found = answer == null ? 'no cilium-config ConfigMap' : str(at(answer, 'data', 'ipam')) ?? 'no ipam setting';
      return row('pod subnet: cilium-config ipam', 'kubernetes', found);
    }
  }
}

// CoreDNS

function dnsRows(e: Expected, pods: Json[], answers: Answers): CheckResult[] {
  const coredns = pods.filter((p) => at(p, 'metadata', 'labels', 'k8s-app') === 'kube-dns');
  const ready = coredns.filter((p) => podProblem(p) === undefined).length;
  const service = answers.get(PATHS.dnsService);
  const slices = items(answers.get(PATHS.endpointSlices)).filter((s) => at(s, 'metadata', 'labels', 'kubernetes.io/service-name') === 'kube-dns');
  const servesDns = (s: Json): boolean => arr(s['ports']).some((p) => at(p, 'port') === 53 && (at(p, 'protocol') ?? 'TCP') === 'UDP');
  // An endpoint whose ready condition is absent counts as ready (the EndpointSlice API's rule).
  const addresses = slices.filter(servesDns).flatMap((s) => arr(s['endpoints']).filter((ep) => at(ep, 'conditions', 'ready') !== false).flatMap((ep) => arr(at(ep, 'addresses')).map(str)));
  const readyAddresses = sorted(new Set(addresses.filter((a): a is string => a !== undefined)));
  return [
    row('CoreDNS pods Ready', 'at least 1', coredns.length === 0 ? 'no CoreDNS pods' : `${ready} of ${coredns.length}`, ready > 0),
    row('kube-dns Service IP (the pods\' nameserver)', e.dnsServiceIp, service == null ? 'no kube-dns Service' : str(at(service, 'spec', 'clusterIP')) ?? NONE),
    row('kube-dns endpoints ready on 53/UDP', 'at least 1', readyAddresses.length === 0 ? NONE : readyAddresses.join(', '), readyAddresses.length > 0),
  ];
}
