// Stage 3 (check): every cluster rule of src/cluster-spec/check.ts, each with a spec that breaks
// it (code, path and line of the diagnostic) and one that keeps it (no diagnostic of
// that code). The specs pass schema validation, so only the rule under test can fire.

import { describe, expect, it } from 'vitest';
import { formatPath, type Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { analyze } from '../../src/index.js';
import { check } from '../../src/cluster-spec/check.js';
import { load } from '../../src/cluster-spec/load.js';
import { validate } from '../../src/cluster-spec/validate.js';

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
    - name: worker-2
      address: 192.168.1.112
`;

const HA_NODES = `  nodes:
    - name: cp-1
      role: control-plane
      address: 192.168.1.101
    - name: cp-2
      role: control-plane
      address: 192.168.1.102
    - name: cp-3
      role: control-plane
      address: 192.168.1.103
    - name: worker-1
      address: 192.168.1.111
`;

const SHA = 'a'.repeat(64);

/** Applies text replacements to BASE; a replacement that matches nothing is a test bug. */
function spec(...edits: [from: string, to: string][]): string {
  return edits.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`test bug: ${JSON.stringify(from)} is not in the spec`);
    return text.replace(from, to);
  }, BASE);
}

const ha = (endpoint: string | null): [string, string][] => [
  [BASE.slice(BASE.indexOf('  nodes:')), HA_NODES],
  ['    version: 1.34.2\n', endpoint === null ? '    version: 1.34.2\n' : `    version: 1.34.2\n    controlPlaneEndpoint: ${endpoint}\n`],
];

function runCheck(text: string): Diagnostic[] {
  const loaded = load('cluster.yaml', text);
  expect(loaded.diagnostics).toEqual([]);
  const validated = validate(loaded.value!);
  expect(validated.diagnostics).toEqual([]);
  return check(loaded.value!, validated.value!);
}

function lineOf(text: string, needle: string, nth = 1): number {
  let at = -1;
  for (let i = 0; i < nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`test bug: ${JSON.stringify(needle)} not found`);
  return text.slice(0, at).split('\n').length;
}

interface Want {
  code: string;
  path: string;
  /** Text on the line the diagnostic must point at (the nth occurrence). */
  line: string;
  nth?: number;
  message: RegExp;
  severity?: 'error' | 'warning';
  hint?: RegExp;
}

interface Case {
  fails: { given: string; want: Want };
  /** A spec close to the failing one that the rule accepts. */
  passes: string;
}

const rules: [string, Case][] = [
  [
    'node names are unique (PICC201)',
    {
      fails: {
        given: spec(['- name: worker-2', '- name: worker-1']),
        want: { code: 'PICC201', path: 'spec.nodes[2].name', line: 'name: worker-1', nth: 2, message: /node name "worker-1" is already used by spec\.nodes\[1\]/, hint: /own hostname/ },
      },
      passes: BASE,
    },
  ],
  [
    'node addresses are unique (PICC202)',
    {
      fails: {
        given: spec(['address: 192.168.1.112', 'address: 192.168.1.111']),
        want: { code: 'PICC202', path: 'spec.nodes[2].address', line: 'address: 192.168.1.111', nth: 2, message: /address 192\.168\.1\.111 is already used by node "worker-1"/ },
      },
      passes: BASE,
    },
  ],
  [
    'node addresses are inside the LAN subnet (PICC203)',
    {
      fails: {
        given: spec(['address: 192.168.1.112', 'address: 192.168.2.7']),
        want: { code: 'PICC203', path: 'spec.nodes[2].address', line: '192.168.2.7', message: /192\.168\.2\.7 is outside spec\.network\.subnet 192\.168\.1\.0\/24/, hint: /give the node an address inside 192\.168\.1\.0\/24, or widen the subnet/ },
      },
      passes: spec(['address: 192.168.1.112', 'address: 192.168.2.7'], ['subnet: 192.168.1.0/24', 'subnet: 192.168.0.0/22']),
    },
  ],
  [
    'the gateway is inside the LAN subnet (PICC203)',
    {
      fails: {
        given: spec(['gateway: 192.168.1.1', 'gateway: 192.168.0.1']),
        want: { code: 'PICC203', path: 'spec.network.gateway', line: 'gateway:', message: /gateway 192\.168\.0\.1 is outside spec\.network\.subnet/, hint: /router/ },
      },
      passes: BASE,
    },
  ],
  [
    'no node takes the network address (PICC204)',
    {
      fails: {
        given: spec(['address: 192.168.1.112', 'address: 192.168.1.0']),
        want: { code: 'PICC204', path: 'spec.nodes[2].address', line: 'address: 192.168.1.0', message: /192\.168\.1\.0 is the network address of the LAN/ },
      },
      passes: spec(['address: 192.168.1.112', 'address: 192.168.1.254']),
    },
  ],
  [
    'no node takes the broadcast address (PICC204)',
    {
      fails: {
        given: spec(['address: 192.168.1.112', 'address: 192.168.1.255']),
        want: { code: 'PICC204', path: 'spec.nodes[2].address', line: 'address: 192.168.1.255', message: /the broadcast address/ },
      },
      // On a /31 point-to-point link both addresses are usable hosts.
      passes: spec(
        ['subnet: 192.168.1.0/24', 'subnet: 192.168.1.0/31'],
        ['gateway: 192.168.1.1', 'gateway: 192.168.1.0'],
        ['address: 192.168.1.101', 'address: 192.168.1.1'],
        ['    - name: worker-1\n      address: 192.168.1.111\n    - name: worker-2\n      address: 192.168.1.112\n', ''],
      ),
    },
  ],
  [
    "no node takes the gateway's address (PICC204)",
    {
      fails: {
        given: spec(['address: 192.168.1.112', 'address: 192.168.1.1']),
        want: { code: 'PICC204', path: 'spec.nodes[2].address', line: 'address: 192.168.1.1\n', message: /192\.168\.1\.1 is the gateway of the LAN/, hint: /free host address/ },
      },
      passes: BASE,
    },
  ],
  [
    'the LAN subnet is written as its network address (PICC216)',
    {
      fails: {
        given: spec(['subnet: 192.168.1.0/24', 'subnet: 192.168.1.10/24']),
        want: { code: 'PICC216', path: 'spec.network.subnet', line: 'subnet:', message: /192\.168\.1\.10\/24 has host bits set/, hint: /write the network address: 192\.168\.1\.0\/24/ },
      },
      passes: BASE,
    },
  ],
  [
    'podSubnet is written as its network address (PICC216)',
    {
      fails: {
        given: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    podSubnet: 10.244.1.0/16\n']),
        want: { code: 'PICC216', path: 'spec.kubernetes.podSubnet', line: 'podSubnet:', message: /10\.244\.1\.0\/16 has host bits set/, hint: /10\.244\.0\.0\/16/ },
      },
      passes: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    podSubnet: 10.244.0.0/16\n']),
    },
  ],
  [
    'serviceSubnet is written as its network address (PICC216)',
    {
      fails: {
        given: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    serviceSubnet: 10.96.0.1/12\n']),
        want: { code: 'PICC216', path: 'spec.kubernetes.serviceSubnet', line: 'serviceSubnet:', message: /has host bits set/, hint: /10\.96\.0\.0\/12/ },
      },
      passes: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    serviceSubnet: 10.96.0.0/12\n']),
    },
  ],
  [
    'no DNS server is a loopback address (PICC205)',
    {
      fails: {
        given: spec(['dns: [192.168.1.1, 1.1.1.1]', 'dns: [192.168.1.1, 127.0.0.53]']),
        want: { code: 'PICC205', path: 'spec.network.dns[1]', line: 'dns:', message: /127\.0\.0\.53 is a loopback address/, hint: /CoreDNS/ },
      },
      passes: BASE,
    },
  ],
  [
    'no DNS server is 0.0.0.0 (PICC205)',
    {
      fails: {
        given: spec(['dns: [192.168.1.1, 1.1.1.1]', 'dns: [0.0.0.0]']),
        want: { code: 'PICC205', path: 'spec.network.dns[0]', line: 'dns:', message: /0\.0\.0\.0/ },
      },
      passes: spec(['dns: [192.168.1.1, 1.1.1.1]', 'dns: [9.9.9.9]']),
    },
  ],
  [
    'the pod network does not overlap the LAN (PICC206, at the field the user wrote)',
    {
      fails: {
        given: spec(['subnet: 192.168.1.0/24', 'subnet: 10.244.8.0/24'], ['gateway: 192.168.1.1', 'gateway: 10.244.8.1'], ['dns: [192.168.1.1, 1.1.1.1]', 'dns: [10.244.8.1]'], ['192.168.1.101', '10.244.8.101'], ['192.168.1.111', '10.244.8.111'], ['192.168.1.112', '10.244.8.112']),
        want: { code: 'PICC206', path: 'spec.network.subnet', line: 'subnet:', message: /spec\.kubernetes\.podSubnet 10\.244\.0\.0\/16 overlaps spec\.network\.subnet 10\.244\.8\.0\/24/, hint: /disjoint/ },
      },
      passes: spec(['subnet: 192.168.1.0/24', 'subnet: 10.245.8.0/24'], ['gateway: 192.168.1.1', 'gateway: 10.245.8.1'], ['dns: [192.168.1.1, 1.1.1.1]', 'dns: [10.245.8.1]'], ['192.168.1.101', '10.245.8.101'], ['192.168.1.111', '10.245.8.111'], ['192.168.1.112', '10.245.8.112']),
    },
  ],
  [
    'the pod and service networks do not overlap (PICC206)',
    {
      fails: {
        given: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    podSubnet: 10.96.0.0/16\n']),
        want: { code: 'PICC206', path: 'spec.kubernetes.podSubnet', line: 'podSubnet:', message: /spec\.kubernetes\.serviceSubnet 10\.96\.0\.0\/12 overlaps spec\.kubernetes\.podSubnet 10\.96\.0\.0\/16/ },
      },
      passes: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    podSubnet: 10.112.0.0/16\n']),
    },
  ],
  [
    'the service network does not overlap the LAN (PICC206)',
    {
      fails: {
        given: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    serviceSubnet: 192.168.0.0/16\n']),
        want: { code: 'PICC206', path: 'spec.kubernetes.serviceSubnet', line: 'serviceSubnet:', message: /serviceSubnet 192\.168\.0\.0\/16 overlaps spec\.network\.subnet 192\.168\.1\.0\/24/ },
      },
      passes: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    serviceSubnet: 172.16.0.0/16\n']),
    },
  ],
  [
    'there is a control plane (PICC207)',
    {
      fails: {
        given: spec(['      role: control-plane\n', '']),
        want: { code: 'PICC207', path: 'spec.nodes', line: '- name: cp-1', message: /no node has role: control-plane/, hint: /role: control-plane/ },
      },
      passes: BASE,
    },
  ],
  [
    'several control planes need an endpoint (PICC208)',
    {
      fails: {
        given: spec(...ha(null)),
        want: { code: 'PICC208', path: 'spec.kubernetes', line: 'kubernetes:', message: /3 control planes need spec\.kubernetes\.controlPlaneEndpoint, a virtual IP/, hint: /kube-vip/ },
      },
      passes: spec(...ha('192.168.1.100:6443')),
    },
  ],
  [
    'an HA endpoint is an IP address, not a name (PICC208)',
    {
      fails: {
        given: spec(...ha('k8s.lab.example:6443')),
        want: { code: 'PICC208', path: 'spec.kubernetes.controlPlaneEndpoint', line: 'controlPlaneEndpoint:', message: /must be a virtual IP address, not "k8s\.lab\.example"/ },
      },
      passes: spec(...ha('192.168.1.100:6443')),
    },
  ],
  [
    'an HA virtual IP is inside the LAN (PICC208)',
    {
      fails: {
        given: spec(...ha('10.0.0.100:6443')),
        want: { code: 'PICC208', path: 'spec.kubernetes.controlPlaneEndpoint', line: 'controlPlaneEndpoint:', message: /virtual IP 10\.0\.0\.100 is outside spec\.network\.subnet 192\.168\.1\.0\/24/, hint: /ARP/ },
      },
      passes: spec(...ha('192.168.1.200:6443')),
    },
  ],
  [
    "an HA virtual IP is no node's address (PICC208)",
    {
      fails: {
        given: spec(...ha('192.168.1.102:6443')),
        want: { code: 'PICC208', path: 'spec.kubernetes.controlPlaneEndpoint', line: 'controlPlaneEndpoint:', message: /virtual IP 192\.168\.1\.102 is the address of node "cp-2"/ },
      },
      passes: spec(...ha('192.168.1.100:6443')),
    },
  ],
  [
    "an HA virtual IP is not the gateway's address (PICC208)",
    {
      fails: {
        given: spec(...ha('192.168.1.1:6443')),
        want: { code: 'PICC208', path: 'spec.kubernetes.controlPlaneEndpoint', line: 'controlPlaneEndpoint:', message: /virtual IP 192\.168\.1\.1 is the gateway's address/ },
      },
      passes: spec(...ha('192.168.1.100:6443')),
    },
  ],
  [
    "a single control plane's endpoint is not a worker (PICC208)",
    {
      fails: {
        given: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    controlPlaneEndpoint: 192.168.1.111:6443\n']),
        want: { code: 'PICC208', path: 'spec.kubernetes.controlPlaneEndpoint', line: 'controlPlaneEndpoint:', message: /endpoint 192\.168\.1\.111 is the address of worker "worker-1"/ },
      },
      // Its own address, or a name (a load balancer in front), is fine.
      passes: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    controlPlaneEndpoint: api.lab.example:6443\n']),
    },
  ],
  [
    'an even number of control planes is a warning (PICC209)',
    {
      fails: {
        given: spec(...ha('192.168.1.100:6443'), ['    - name: worker-1\n      address: 192.168.1.111\n', '    - name: cp-4\n      role: control-plane\n      address: 192.168.1.104\n']),
        want: { code: 'PICC209', severity: 'warning', path: 'spec.nodes', line: '- name: cp-1', message: /4 control planes: etcd needs a majority/, hint: /use 3 or 5 control planes/ },
      },
      passes: spec(...ha('192.168.1.100:6443')),
    },
  ],
  [
    'weave is refused with the reason (PICC210)',
    {
      fails: {
        given: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    cni: weave\n']),
        want: { code: 'PICC210', path: 'spec.kubernetes.cni', line: 'cni: weave', message: /Weave Net is no longer maintained/, hint: /flannel/ },
      },
      passes: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    cni: flannel\n']),
    },
  ],
  [
    'calico: a version the catalog does not know needs its manifests\' digests (PICC212)',
    {
      fails: {
        given: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    cni: calico\n'], ['  nodes:\n', '  components:\n    calico: 3.30.3\n  nodes:\n']),
        want: { code: 'PICC212', path: 'spec.components.calico', line: 'calico: 3.30.3', message: /picc's catalog has no calico 3\.30\.3 \(it knows 3\.29\.7, 3\.30\.7, 3\.31\.7, 3\.32\.0, 3\.32\.1\)/, hint: /operatorCrds/ },
      },
      passes: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    cni: calico\n'], ['  nodes:\n', `  components:\n    calico: { version: 3.30.3, sha256: { operatorCrds: "${SHA}", tigeraOperator: "${SHA}" } }\n  nodes:\n`]),
    },
  ],
  [
    'cilium on Raspberry Pi OS is an error per node (PICC214), unless ciliumOnRaspberryPiOS opts in',
    {
      fails: {
        given: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    cni: cilium\n'], ['  nodes:\n', '  nodeDefaults: { os: ubuntu-24.04 }\n  nodes:\n'], ['address: 192.168.1.112', 'address: 192.168.1.112\n      os: raspios-trixie']),
        want: { code: 'PICC214', severity: 'error', path: 'spec.nodes[2]', line: '- name: worker-2', message: /cilium needs kernel BTF.*node "worker-2", raspios-trixie/, hint: /ciliumOnRaspberryPiOS: true/ },
      },
      passes: spec(['    version: 1.34.2\n', '    version: 1.34.2\n    cni: cilium\n    ciliumOnRaspberryPiOS: true\n'], ['  nodes:\n', '  nodeDefaults: { os: ubuntu-24.04 }\n  nodes:\n'], ['address: 192.168.1.112', 'address: 192.168.1.112\n      os: raspios-trixie']),
    },
  ],
  [
    'Kubernetes below the supported range (PICC211)',
    {
      fails: {
        given: spec(['version: 1.34.2', 'version: 1.30.9']),
        want: { code: 'PICC211', path: 'spec.kubernetes.version', line: 'version: 1.30.9', message: /Kubernetes 1\.30\.9 is outside the supported range 1\.31–1\.37/, hint: /v1beta4/ },
      },
      passes: spec(['version: 1.34.2', 'version: 1.31.0']),
    },
  ],
  [
    'Kubernetes above the supported range (PICC211)',
    {
      fails: {
        given: spec(['version: 1.34.2', 'version: 1.38.0']),
        want: { code: 'PICC211', path: 'spec.kubernetes.version', line: 'version: 1.38.0', message: /1\.38\.0 is outside the supported range/ },
      },
      passes: spec(['version: 1.34.2', 'version: 1.37.1']),
    },
  ],
  [
    'a pinned component version is in the catalog or has its sha256 (PICC212)',
    {
      fails: {
        given: spec(['  nodes:\n', '  components:\n    runc: 1.9.9\n  nodes:\n']),
        want: { code: 'PICC212', path: 'spec.components.runc', line: 'runc: 1.9.9', message: /runc 1\.9\.9 is not in picc's artifact catalog and no sha256 is given for arm64/, hint: /1\.4\.3.*arm64: <64 hex>/ },
      },
      passes: spec(['  nodes:\n', `  components:\n    runc: { version: 1.9.9, sha256: { arm64: "${SHA}" } }\n  nodes:\n`]),
    },
  ],
  [
    'a sha256 is needed for every architecture the cluster uses (PICC212)',
    {
      fails: {
        given: spec(['address: 192.168.1.112', 'address: 192.168.1.112\n      arch: amd64'], ['  nodes:\n', `  components:\n    cniPlugins: { version: 1.9.9, sha256: { arm64: "${SHA}" } }\n  nodes:\n`]),
        want: { code: 'PICC212', path: 'spec.components.cniPlugins', line: 'cniPlugins:', message: /cni-plugins 1\.9\.9 .* no sha256 is given for amd64$/, hint: /amd64: <64 hex>/ },
      },
      passes: spec(['address: 192.168.1.112', 'address: 192.168.1.112\n      arch: amd64'], ['  nodes:\n', `  components:\n    cniPlugins: { version: 1.9.9, sha256: { arm64: "${SHA}", amd64: "${SHA}" } }\n  nodes:\n`]),
    },
  ],
  [
    'containerd 1.7 does not run Kubernetes 1.36 (PICC213)',
    {
      fails: {
        given: spec(['version: 1.34.2', 'version: 1.36.1'], ['  nodes:\n', '  components:\n    containerd: 1.7.34\n  nodes:\n']),
        want: { code: 'PICC213', path: 'spec.components.containerd', line: 'containerd: 1.7.34', message: /containerd 1\.7\.34 does not support Kubernetes 1\.36/, hint: /Kubernetes 1\.36 supports containerd 2\.2 \(from 2\.2\.0\), 2\.3 \(from 2\.3\.0\)/ },
      },
      passes: spec(['version: 1.34.2', 'version: 1.36.1'], ['  nodes:\n', '  components:\n    containerd: 2.2.7\n  nodes:\n']),
    },
  ],
  [
    'containerd below the lowest patch a minor supports (PICC213)',
    {
      fails: {
        given: spec(['version: 1.34.2', 'version: 1.35.0'], ['  nodes:\n', `  components:\n    containerd: { version: 1.7.27, sha256: { arm64: "${SHA}" } }\n  nodes:\n`]),
        want: { code: 'PICC213', path: 'spec.components.containerd', line: 'containerd:', message: /containerd 1\.7\.27 does not support Kubernetes 1\.35/, hint: /1\.7 \(from 1\.7\.28\)/ },
      },
      passes: spec(['version: 1.34.2', 'version: 1.35.0'], ['  nodes:\n', `  components:\n    containerd: { version: 1.7.28, sha256: { arm64: "${SHA}" } }\n  nodes:\n`]),
    },
  ],
  [
    'a pinned containerd past its end of support is a warning (PICC217)',
    {
      fails: {
        given: spec(['  nodes:\n', '  components:\n    containerd: 1.7.34\n  nodes:\n']),
        want: { code: 'PICC217', severity: 'warning', path: 'spec.components.containerd', line: 'containerd: 1.7.34', message: /containerd 1\.7 is past its end of support/, hint: /containerd 2\.3\.4 \(LTS\), the default/ },
      },
      passes: spec(['  nodes:\n', '  components:\n    containerd: 2.3.4\n  nodes:\n']),
    },
  ],
  [
    'node labels are ones the kubelet may set itself (PICC218)',
    {
      fails: {
        given: spec(['      address: 192.168.1.111\n', '      address: 192.168.1.111\n      labels:\n        node-role.kubernetes.io/storage: ""\n']),
        want: { code: 'PICC218', path: 'spec.nodes[1].labels.node-role.kubernetes.io/storage', line: 'node-role.kubernetes.io/storage', message: /kubelet refuses to start with label "node-role\.kubernetes\.io\/storage"/, hint: /prefix of your own/ },
      },
      passes: spec(['      address: 192.168.1.111\n', '      address: 192.168.1.111\n      labels:\n        node.kubernetes.io/disk: ssd\n        topology.kubernetes.io/zone: attic\n        homelab.example/role: storage\n']),
    },
  ],
];

describe('check: each rule fails on a spec that breaks it', () => {
  it.each(rules)('%s', (_name, { fails: { given, want } }) => {
    const diagnostics = runCheck(given);
    const mine = diagnostics.filter((d) => d.code === want.code);
    expect(mine.map((d) => d.message)).toHaveLength(1);
    const d = mine[0]!;
    expect(d.severity).toBe(want.severity ?? 'error');
    expect(formatPath(d.path)).toBe(want.path);
    expect(d.file).toBe('cluster.yaml');
    expect(d.line).toBe(lineOf(given, want.line, want.nth));
    expect(d.col).toBeGreaterThan(0);
    expect(d.message).toMatch(want.message);
    expect(d.hint, 'every cluster rule says how to fix it').toBeTruthy();
    if (want.hint) expect(d.hint).toMatch(want.hint);
    // The spec breaks this rule only: nothing else fires.
    expect(diagnostics.filter((x) => x.code !== want.code)).toEqual([]);
  });
});

describe('check: each rule passes on a spec that keeps it', () => {
  it.each(rules)('%s', (_name, { fails: { want }, passes }) => {
    expect(runCheck(passes).filter((d) => d.code === want.code)).toEqual([]);
  });
});

describe('check: the base spec is clean', () => {
  it('has no findings at all', () => {
    expect(runCheck(BASE)).toEqual([]);
  });

  it('a default containerd is not warned about even when its series is past support', () => {
    // The warning is for pins only: the default is picc's own choice.
    expect(runCheck(spec(['version: 1.34.2', 'version: 1.31.4'])).map((d) => d.code)).toEqual([]);
  });
});

describe('check: rules see nodeDefaults the way the plan does', () => {
  it('an arch from nodeDefaults counts for the sha256 rule', () => {
    const given = spec(['  nodes:\n', `  nodeDefaults: { arch: amd64 }\n  components:\n    runc: { version: 1.9.9, sha256: { arm64: "${SHA}" } }\n  nodes:\n`]);
    expect(runCheck(given).map((d) => [d.code, d.message])).toEqual([
      ['PICC212', expect.stringMatching(/no sha256 is given for amd64$/)],
    ]);
  });
});

describe('check: all findings at once', () => {
  it('reports every broken rule of one spec', () => {
    const given = spec(
      ['- name: worker-2', '- name: worker-1'],
      ['dns: [192.168.1.1, 1.1.1.1]', 'dns: [127.0.0.1]'],
      ['address: 192.168.1.111', 'address: 192.168.5.1'],
      ['    version: 1.34.2\n', '    version: 1.34.2\n    cni: weave\n'],
    );
    expect(runCheck(given).map((d) => d.code).sort()).toEqual(['PICC201', 'PICC203', 'PICC205', 'PICC210']);
  });
});

describe('check: duplicates are found even while the schema reports errors', () => {
  it('a duplicate name is reported next to a malformed address', () => {
    const given = spec(['- name: worker-2', '- name: worker-1'], ['address: 192.168.1.111', 'address: 192.168.1.300']);
    const r = analyze('cluster.yaml', given);
    expect(r.spec).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, formatPath(d.path), d.line])).toEqual([
      ['PICC105', 'spec.nodes[1].address', lineOf(given, '192.168.1.300')],
      ['PICC201', 'spec.nodes[2].name', lineOf(given, 'name: worker-1', 2)],
    ]);
  });

  it('skips nodes whose name or address is not a string, and anything that is not a node list', () => {
    const text = 'spec:\n  nodes:\n    - name: a\n      address: 1\n    - name: a\n      address: 1\n    - 7\n    - address: 10.0.0.1\n    - address: 10.0.0.1\n';
    const source = load('cluster.yaml', text).value!;
    expect(check(source, source.doc.toJS()).filter((d) => d.code === 'PICC201' || d.code === 'PICC202').map((d) => [d.code, d.line, d.message])).toEqual([
      ['PICC201', 5, 'node name "a" is already used by spec.nodes[0]'],
      ['PICC202', 9, 'address 10.0.0.1 is already used by node "spec.nodes[3]"'],
    ]);
    expect(check(source, { spec: { nodes: 'x' } })).toEqual([]);
    expect(check(source, null)).toEqual([]);
  });
});
