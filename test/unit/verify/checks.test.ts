// verify's checks against a recorded API answer set: the healthy homelab cluster passes
// every check, and each mutation of it (a node NotReady, a wrong version, a missing or an
// extra node, a crashing pod, a wrong pod CIDR, …) fails exactly the check it should.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/verify/checks.js';
import { cidrInside, type Json } from '../../../src/verify/json.js';
import { apiPaths, PATHS } from '../../../src/verify/paths.js';
import { expectedFor, recordedAnswers } from './answers.js';

const homelab = expectedFor('homelab');

type Any = any; // the tests edit JSON freely
const items = (answers: Map<string, unknown>, path: string): Any[] => (answers.get(path) as Any).items;
const nodeNamed = (a: Map<string, unknown>, name: string): Any => items(a, PATHS.nodes).find((n) => n.metadata.name === name);
const podNamed = (a: Map<string, unknown>, ns: string, prefix: string, node: string): Any =>
  items(a, PATHS.pods(ns)).find((p) => p.metadata.name.startsWith(prefix) && p.spec.nodeName === node);

function failed(answers: Map<string, unknown>) {
  return runChecks(homelab, answers).filter((r) => !r.ok);
}

describe('picc verify on the recorded answers of a healthy homelab cluster', () => {
  it('asks exactly for the recorded paths', () => {
    expect(apiPaths(homelab).sort()).toEqual([...recordedAnswers().keys()].sort());
  });

  it('passes every check, and checks every node', () => {
    const results = runChecks(homelab, recordedAnswers());
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // version, 6 nodes × (Ready, kubelet, InternalIP, role, taints), extra nodes, 2 pod namespaces,
    // control-plane pods, 3 pod subnet rows, 3 CoreDNS rows
    expect(results).toHaveLength(1 + 6 * 5 + 1 + 2 + 1 + 3 + 3);
    expect(results.find((r) => r.check === 'node k8s-master-1 taints')).toMatchObject({ expected: 'node-role.kubernetes.io/control-plane:NoSchedule', ok: true });
    expect(results.find((r) => r.check === 'pods in kube-system Running and Ready')).toMatchObject({ found: 'all 12' });
    expect(results.find((r) => r.check === 'kube-dns endpoints ready on 53/UDP')).toMatchObject({ found: '10.244.1.2, 10.244.2.2' });
  });
});

interface Mutation {
  what: string;
  change: (a: Map<string, unknown>) => void;
  fails: string;
  found: string | RegExp;
}

const MUTATIONS: Mutation[] = [
  {
    what: 'a node NotReady',
    change: (a) => Object.assign(nodeNamed(a, 'k8s-worker-5').status.conditions.find((c: Any) => c.type === 'Ready'), { status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready' }),
    fails: 'node k8s-worker-5 Ready',
    found: 'NotReady (KubeletNotReady)',
  },
  {
    what: 'a node whose kubelet stopped reporting',
    change: (a) => Object.assign(nodeNamed(a, 'k8s-worker-5').status.conditions.find((c: Any) => c.type === 'Ready'), { status: 'Unknown', reason: 'NodeStatusUnknown' }),
    fails: 'node k8s-worker-5 Ready',
    found: 'Ready=Unknown (NodeStatusUnknown)',
  },
  { what: 'a wrong kubelet version', change: (a) => (nodeNamed(a, 'k8s-worker-6').status.nodeInfo.kubeletVersion = 'v1.33.6'), fails: 'node k8s-worker-6 kubelet', found: 'v1.33.6' },
  { what: 'a wrong API server version', change: (a) => ((a.get(PATHS.version) as Any).gitVersion = 'v1.35.0'), fails: 'API server version', found: 'v1.35.0' },
  {
    what: 'a missing node',
    change: (a) => ((a.get(PATHS.nodes) as Any).items = items(a, PATHS.nodes).filter((n) => n.metadata.name !== 'k8s-worker-7')),
    fails: 'node k8s-worker-7 Ready',
    found: 'not in the cluster',
  },
  {
    what: 'an extra node',
    change: (a) => {
      const extra = structuredClone(nodeNamed(a, 'k8s-worker-7'));
      extra.metadata.name = 'k8s-worker-8';
      Object.assign(extra.spec, { podCIDR: '10.244.6.0/24', podCIDRs: ['10.244.6.0/24'] });
      items(a, PATHS.nodes).push(extra);
    },
    fails: 'nodes not in the spec',
    found: 'k8s-worker-8',
  },
  {
    what: 'a pod in CrashLoopBackOff',
    change: (a) => {
      const pod = podNamed(a, 'kube-system', 'kube-proxy-', 'k8s-worker-4');
      pod.status.containerStatuses[0] = { ...pod.status.containerStatuses[0], ready: false, started: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } } };
      Object.assign(pod.status.conditions.find((c: Any) => c.type === 'Ready'), { status: 'False', reason: 'ContainersNotReady' });
    },
    fails: 'pods in kube-system Running and Ready',
    found: /^11 of 12; kube-proxy-\w+: CrashLoopBackOff$/,
  },
  {
    what: 'a flannel pod stuck Pending',
    change: (a) => {
      const pod = podNamed(a, 'kube-flannel', 'kube-flannel-ds-', 'k8s-worker-3');
      pod.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] };
    },
    fails: 'pods in kube-flannel Running and Ready',
    found: /^5 of 6; kube-flannel-ds-\w+: Pending$/,
  },
  {
    what: 'a wrong pod CIDR in flannel\'s configuration',
    change: (a) => ((a.get(PATHS.flannelConfig) as Any).data['net-conf.json'] = JSON.stringify({ Network: '10.245.0.0/16', Backend: { Type: 'vxlan' } })),
    fails: 'pod subnet: flannel net-conf.json Network',
    found: '10.245.0.0/16',
  },
  { what: 'no flannel ConfigMap', change: (a) => a.set(PATHS.flannelConfig, null), fails: 'pod subnet: flannel net-conf.json Network', found: 'no kube-flannel-cfg ConfigMap' },
  {
    what: 'a node podCIDR outside the pod subnet',
    change: (a) => Object.assign(nodeNamed(a, 'k8s-worker-3').spec, { podCIDR: '10.245.1.0/24', podCIDRs: ['10.245.1.0/24'] }),
    fails: 'pod subnet: node podCIDRs',
    found: 'k8s-worker-3: 10.245.1.0/24',
  },
  {
    what: 'a wrong --cluster-cidr',
    change: (a) => {
      const c = podNamed(a, 'kube-system', 'kube-controller-manager-', 'k8s-master-1').spec.containers[0];
      c.command = c.command.map((f: string) => (f.startsWith('--cluster-cidr=') ? '--cluster-cidr=10.32.0.0/12' : f));
    },
    fails: 'pod subnet: controller-manager --cluster-cidr',
    found: '10.32.0.0/12',
  },
  {
    what: 'a wrong InternalIP',
    change: (a) => (nodeNamed(a, 'k8s-worker-4').status.addresses[0].address = '192.168.1.204'),
    fails: 'node k8s-worker-4 InternalIP',
    found: '192.168.1.204',
  },
  {
    what: 'the control-plane taint removed',
    change: (a) => delete nodeNamed(a, 'k8s-master-1').spec.taints,
    fails: 'node k8s-master-1 taints',
    found: 'none',
  },
  {
    what: 'a worker tainted by hand (a condition taint is ignored)',
    change: (a) => (nodeNamed(a, 'k8s-worker-6').spec.taints = [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }, { key: 'gpu', value: 'none', effect: 'NoExecute' }]),
    fails: 'node k8s-worker-6 taints',
    found: 'gpu=none:NoExecute',
  },
  {
    what: 'a worker without its role (a control plane that lost the label)',
    change: (a) => delete nodeNamed(a, 'k8s-master-1').metadata.labels['node-role.kubernetes.io/control-plane'],
    fails: 'node k8s-master-1 role',
    found: 'worker',
  },
  {
    what: 'a missing static pod',
    change: (a) => ((a.get(PATHS.pods('kube-system')) as Any).items = items(a, PATHS.pods('kube-system')).filter((p) => !p.metadata.name.startsWith('kube-scheduler-'))),
    fails: 'control-plane pods on k8s-master-1',
    found: 'etcd, apiserver, controller-manager',
  },
  {
    what: 'no ready CoreDNS endpoint',
    change: (a) => items(a, PATHS.endpointSlices)[0].endpoints.forEach((e: Any) => (e.conditions.ready = false)),
    fails: 'kube-dns endpoints ready on 53/UDP',
    found: 'none',
  },
  { what: 'a kube-dns Service at another address', change: (a) => ((a.get(PATHS.dnsService) as Any).spec.clusterIP = '10.96.0.53'), fails: 'kube-dns Service IP (the pods\' nameserver)', found: '10.96.0.53' },
];

describe('each difference fails exactly its check', () => {
  it.each(MUTATIONS)('$what', ({ change, fails, found }) => {
    const answers = recordedAnswers();
    change(answers);
    const bad = failed(answers);
    expect(bad.map((r) => r.check)).toEqual([fails]);
    expect(bad[0]!.found).toMatch(typeof found === 'string' ? new RegExp(`^${found.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : found);
  });

  it('both CoreDNS pods down fails the CoreDNS row as well as the pods row', () => {
    const answers = recordedAnswers();
    for (const p of items(answers, PATHS.pods('kube-system')).filter((p) => p.metadata.labels['k8s-app'] === 'kube-dns')) {
      p.status.containerStatuses[0].state = { waiting: { reason: 'ImagePullBackOff' } };
    }
    expect(failed(answers).map((r) => r.check)).toEqual(['pods in kube-system Running and Ready', 'CoreDNS pods Ready']);
  });
});

describe('labels', () => {
  it('checks the spec\'s labels, and only those', () => {
    const labelled = { ...homelab, nodes: homelab.nodes.map((n) => (n.name === 'k8s-worker-3' ? { ...n, labels: { 'example.com/disk': 'ssd', zone: 'shelf-1' } } : n)) };
    const answers = recordedAnswers();
    Object.assign(nodeNamed(answers, 'k8s-worker-3').metadata.labels, { 'example.com/disk': 'ssd' });
    const bad = runChecks(labelled, answers).filter((r) => !r.ok);
    expect(bad).toEqual([{ check: 'node k8s-worker-3 labels', expected: 'example.com/disk=ssd, zone=shelf-1', found: 'example.com/disk=ssd, zone=(unset)', ok: false }]);
    nodeNamed(answers, 'k8s-worker-3').metadata.labels.zone = 'shelf-1';
    expect(runChecks(labelled, answers).filter((r) => !r.ok)).toEqual([]);
  });
});

describe('the other CNIs\' pod subnet', () => {
  it('calico: the Installation\'s IP pools', () => {
    const calico = expectedFor('calico');
    const row = (answer: unknown) => runChecks(calico, new Map([[PATHS.calicoInstallation, answer]])).find((r) => r.check.startsWith('pod subnet: calico'))!;
    const installation = (cidr: string) => ({ apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { calicoNetwork: { ipPools: [{ name: 'default-ipv4-ippool', cidr, blockSize: 26 }] } } });
    expect(row(installation(calico.podSubnet))).toMatchObject({ ok: true });
    expect(row(installation('192.168.0.0/16'))).toMatchObject({ ok: false, found: '192.168.0.0/16' });
    expect(row(null)).toMatchObject({ ok: false, found: 'no Installation "default"' });
    expect(apiPaths(calico)).toEqual(expect.arrayContaining([PATHS.pods('calico-system'), PATHS.pods('tigera-operator'), PATHS.calicoInstallation]));
  });

  it('cilium: ipam from the node podCIDRs', () => {
    const cilium = expectedFor('cilium');
    const row = (answer: unknown) => runChecks(cilium, new Map([[PATHS.ciliumConfig, answer]])).find((r) => r.check.startsWith('pod subnet: cilium'))!;
    expect(row({ kind: 'ConfigMap', data: { ipam: 'kubernetes' } })).toMatchObject({ ok: true });
    expect(row({ kind: 'ConfigMap', data: { ipam: 'cluster-pool', 'cluster-pool-ipv4-cidr': '10.0.0.0/8' } })).toMatchObject({ ok: false, found: 'cluster-pool' });
  });
});

describe('answers of any shape', () => {
  it('never throw: a strange answer is a failed check', () => {
    const paths = apiPaths(homelab);
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { minLength: paths.length, maxLength: paths.length }), (bodies) => {
        const results = runChecks(homelab, new Map(paths.map((p, i) => [p, bodies[i]])));
        expect(results.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('an empty answer set fails, it does not pass', () => {
    const results = runChecks(homelab, new Map<string, Json>());
    expect(results.filter((r) => r.ok).map((r) => r.check)).toEqual([]);
  });
});

describe('cidrInside (a node podCIDR from the cluster, untrusted)', () => {
  it.each([
    ['10.244.3.0/24', true],
    ['10.244.255.0/24', true],
    ['10.244.0.0/16', true],
    ['10.244.0.0/15', false],
    ['10.245.0.0/24', false],
    ['10.243.255.0/24', false],
    ['10.244.0.0/8', false],
    ['10.244.3.0', false],
    ['10.243.300.0/24', false], // 300 would carry into 10.244.44.0
    ['10.244.3.0/33', false],
    [' 10.244.3.0/24', false],
  ])('%s inside 10.244.0.0/16: %s', (inner, inside) => {
    expect(cidrInside(inner, '10.244.0.0/16')).toBe(inside);
  });
});
