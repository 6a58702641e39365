// validate reports in one pass: the cluster rules run next to schema errors, on the parts
// of the spec they can read, each mistake reported once, all in source order; and no
// shape of data makes a rule throw.

import { describe, expect, it } from 'vitest';
import { formatPath } from '../../src/diagnostics/diagnostic.js';
import { analyze } from '../../src/index.js';
import { check } from '../../src/cluster-spec/check.js';
import { load } from '../../src/cluster-spec/load.js';

const BASE = `apiVersion: picc/v1alpha1
kind: Cluster
metadata:
  name: lab
spec:
  kubernetes:
    version: 1.34.2
  network:
    subnet: 192.168.1.0/24
    gateway: 192.168.1.1
    dns: [192.168.1.1, 1.1.1.1]
  nodes:
    - name: cp-1
      role: control-plane
      address: 192.168.1.101
    - name: worker-1
      address: 192.168.1.111
`;

function edit(...edits: [from: string, to: string][]): string {
  return edits.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`test bug: ${JSON.stringify(from)} is not in the spec`);
    return text.replace(from, to);
  }, BASE);
}

const found = (text: string) => analyze('cluster.yaml', text).diagnostics.map((d) => `${d.code} ${formatPath(d.path)} ${d.line}`);

describe('one pass: schema errors and cluster rules together', () => {
  it('the base spec is valid (so every finding below comes from its edit)', () => {
    expect(found(BASE)).toEqual([]);
  });

  it('a spec with a schema error AND a cross-field error reports both, in source order', () => {
    const text = edit(['    version: 1.34.2\n', '    version: 1.34.2\n    cnii: flannel\n'], ['dns: [192.168.1.1, 1.1.1.1]', 'dns: [127.0.0.53]']);
    expect(found(text)).toEqual(['PICC101 spec.kubernetes.cnii 8', 'PICC205 spec.network.dns[0] 12']);
  });

  it('a cross-field error before the schema error is still listed first', () => {
    const text = edit(['gateway: 192.168.1.1', 'gateway: 10.0.0.1'], ['address: 192.168.1.111', 'address: 192.168.1.1111']);
    expect(found(text)).toEqual(['PICC203 spec.network.gateway 10', 'PICC105 spec.nodes[1].address 17']);
  });

  it('a wrongly typed node setting does not hide an address outside the subnet on another node', () => {
    const text = edit(['      address: 192.168.1.101\n', '      address: 192.168.1.101\n      os: [debian]\n'], ['address: 192.168.1.111', 'address: 10.1.1.1']);
    expect(found(text)).toEqual(['PICC104 spec.nodes[0].os 16', 'PICC203 spec.nodes[1].address 18']);
  });

  it('a missing required section does not stop the rules on the other sections', () => {
    const text = edit(['  network:\n    subnet: 192.168.1.0/24\n    gateway: 192.168.1.1\n    dns: [192.168.1.1, 1.1.1.1]\n', ''], ['version: 1.34.2', 'version: 1.29.0']);
    expect(found(text)).toEqual(['PICC102 spec 6', 'PICC211 spec.kubernetes.version 7']);
  });
});

describe('one pass: one mistake, one diagnostic', () => {
  it.each([
    ['a misspelt role is not also "no control plane"', ['role: control-plane', 'role: controlplane'], ['PICC104']],
    ['a node that is not a mapping is not also "no control plane"', ['    - name: cp-1\n      role: control-plane\n      address: 192.168.1.101\n', '    - cp-1\n'], ['PICC103']],
    ['an empty node list is not also "no control plane"', ['  nodes:\n    - name: cp-1\n      role: control-plane\n      address: 192.168.1.101\n    - name: worker-1\n      address: 192.168.1.111\n', '  nodes: []\n'], ['PICC106']],
    ['an unquoted x.y version is not also out of range or incompatible', ['version: 1.34.2', 'version: 1.3'], ['PICC103']],
    ['a malformed containerd pin is not also "unknown version" or "incompatible"', ['    version: 1.34.2\n', '    version: 1.34.2\n  components:\n    containerd: "2.3"\n'], ['PICC105']],
    ['a calico pin without its sha256 is not also "calico needs a pin"', ['    version: 1.34.2\n', '    version: 1.34.2\n    cni: calico\n  components:\n    calico: { version: 3.30.3 }\n'], ['PICC102']],
    ['a misspelt CNI is not also read as flannel or weave', ['    version: 1.34.2\n', '    version: 1.34.2\n    cni: weavenet\n'], ['PICC104']],
    ['a malformed subnet is not also "address outside the subnet"', ['subnet: 192.168.1.0/24', 'subnet: 192.168.1.0/33'], ['PICC105']],
    ['a malformed gateway is not also "outside the subnet"', ['gateway: 192.168.1.1', 'gateway: 192.168.1'], ['PICC105']],
    ['a malformed address is not also a duplicate', ['address: 192.168.1.111', 'address: 192.168.1.101x'], ['PICC105']],
    ['a malformed label key is not also "the kubelet may not set it"', ['      address: 192.168.1.111\n', '      address: 192.168.1.111\n      labels: { "kubernetes.io/a b": x }\n'], ['PICC105']],
    ['a wrong nodeDefaults os is not read as the default OS for cilium', ['    version: 1.34.2\n', '    version: 1.34.2\n    cni: cilium\n  nodeDefaults:\n    os: raspbian\n'], ['PICC104']],
  ] as [string, [string, string], string[]][])('%s', (_name, change, codes) => {
    expect(found(edit(change)).map((f) => f.split(' ')[0])).toEqual(codes);
  });
});

describe('the rules never throw on wrongly typed data', () => {
  const source = load('cluster.yaml', 'a: 1\n').value!;
  const shapes: unknown[] = [
    null, 7, 'x', [], { spec: [] }, { spec: 'x' }, { spec: { nodes: [null, 1, 'x', [], {}] } },
    { spec: { network: 'x', kubernetes: [], nodes: {} } },
    { spec: { network: { subnet: 7, gateway: [], dns: {} }, kubernetes: { version: {}, cni: 3, controlPlaneEndpoint: ['a'] } } },
    { spec: { network: { subnet: '10.0.0.0/8', dns: [null, 'x', 1] }, nodes: [{ name: {}, address: [], role: 1, os: null, arch: {} }] } },
    { spec: { components: { containerd: [], runc: { version: 1 }, cniPlugins: { version: '1.2.3', sha256: 'x' }, ciliumCli: { version: '1.2.3', sha256: { arm64: 7 } }, calico: 'x' } } },
    { spec: { nodeDefaults: 'x', nodes: [{ name: 'a', address: '10.0.0.1', labels: 'x' }] } },
    { spec: { nodeDefaults: { labels: [], os: 5 }, nodes: [{ labels: { 'kubernetes.io/x': {} } }] } },
    { spec: { kubernetes: { controlPlaneEndpoint: 'a:1' }, nodes: [{ role: 'control-plane' }, { role: 'control-plane', address: 'a' }] } },
    JSON.parse('{"spec":{"__proto__":{"nodes":[1]},"constructor":{"network":1},"nodes":[{"name":"constructor","address":"10.0.0.1","__proto__":{"role":"x"}}]}}'),
  ];
  it.each(shapes.map((s) => [JSON.stringify(s), s]))('%s', (_name, data) => {
    expect(() => check(source, data)).not.toThrow();
  });
});

describe('the size of the cluster', () => {
  const many = (n: number) => edit(['  nodes:\n', `  nodes:\n${Array.from({ length: n }, (_, i) => `    - { name: n${i}, address: 172.17.${Math.floor(i / 250)}.${2 + (i % 250)} }\n`).join('')}`], ['subnet: 192.168.1.0/24', 'subnet: 172.16.0.0/12'], ['gateway: 192.168.1.1', 'gateway: 172.16.0.1'], ['address: 192.168.1.101', 'address: 172.16.0.101'], ['address: 192.168.1.111', 'address: 172.16.0.111']);

  it('more nodes than picc compiles is PICC005 at spec.nodes (each node is about 90 KiB of output)', () => {
    expect(found(many(999))).toEqual(['PICC005 spec.nodes 12']);
    expect(analyze('cluster.yaml', many(999)).diagnostics[0]!.message).toBe('spec.nodes lists 1,001 nodes; picc compiles at most 1,000');
  });

  it('a cluster at the limit passes', () => {
    expect(found(many(998))).toEqual([]);
  });
});
