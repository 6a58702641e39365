// Stage 4 (plan): every default applied, every derived value computed. Specs are built as
// data, run through analyze (so they are known to be valid) and planned with a secrets
// bundle generated once for this file.

import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { analyze } from '../../src/index.js';
import { KUBERNETES_KEY_FINGERPRINT } from '../../src/plan/kubernetes-apt.js';
import { wpaPsk } from '../../src/net/wpa.js';
import { plan } from '../../src/plan/plan.js';
import type { ClusterPlan, NodePlan } from '../../src/plan/types.js';
import { render, renderSetupScript } from '../../src/render/render.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import { caCertHash } from '../../src/secrets/hash.js';
import type { SecretsBundle } from '../../src/secrets/types.js';
import type { ClusterSpec } from '../../src/cluster-spec/types.js';

let secrets: SecretsBundle;

beforeAll(async () => {
  secrets = await generateSecrets('lab', new Date('2026-01-01T00:00:00Z'));
}, 30_000);

type SpecBody = ClusterSpec['spec'];

/** A minimal valid spec: one control plane and two workers, everything else left to defaults. */
function baseSpec(): ClusterSpec {
  return {
    apiVersion: 'picc/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'lab' },
    spec: {
      kubernetes: { version: '1.34.2' },
      network: { subnet: '192.168.1.0/24', gateway: '192.168.1.1', dns: ['192.168.1.1'] },
      nodes: [
        { name: 'cp-1', role: 'control-plane', address: '192.168.1.101' },
        { name: 'worker-1', address: '192.168.1.111' },
        { name: 'worker-2', address: '192.168.1.112' },
      ],
    },
  };
}

function with_(change: (s: SpecBody) => void): ClusterSpec {
  const s = baseSpec();
  change(s.spec);
  return s;
}

/** Plans a spec after checking it is valid (a plan of an invalid spec would prove nothing). */
function planOf(spec: ClusterSpec, bundle: SecretsBundle = secrets): ClusterPlan {
  const a = analyze('cluster.yaml', stringify(spec));
  expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return plan(a.spec!, bundle);
}

function node(p: ClusterPlan, name: string): NodePlan {
  const n = p.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name} in the plan`);
  return n;
}

/** The kubeadm config documents of a node, parsed back from the file it gets. */
function kubeadmDocs(n: NodePlan): Record<string, any>[] {
  return yamlDocs(n.kubeadm.configFile.content);
}

/** The node's KubeletConfiguration patch, parsed back from the file kubeadm reads. */
function patchOf(n: NodePlan): Record<string, any> {
  const docs = yamlDocs(n.kubeadm.patches[0]!.content);
  expect(docs).toHaveLength(1);
  return docs[0]!;
}

/** Every document of a multi-document YAML text, as data; a parse error fails the test. */
function yamlDocs(text: string): Record<string, any>[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('no YAML documents');
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS() as Record<string, any>);
}

function byKind(docs: Record<string, any>[], kind: string): Record<string, any> {
  const doc = docs.find((d) => d['kind'] === kind);
  if (!doc) throw new Error(`no ${kind} document`);
  return doc;
}

const HA = (s: SpecBody): void => {
  s.kubernetes.controlPlaneEndpoint = '192.168.1.100:6443';
  s.nodes = [
    { name: 'cp-b', role: 'control-plane', address: '192.168.1.102' },
    { name: 'cp-a', role: 'control-plane', address: '192.168.1.101' },
    { name: 'cp-c', role: 'control-plane', address: '192.168.1.103' },
    { name: 'worker-1', address: '192.168.1.111' },
  ];
};

describe('plan: defaults', () => {
  it('fills in every cluster default', () => {
    const p = planOf(baseSpec());
    expect(p.kubernetes).toEqual({
      version: '1.34.2',
      minor: '1.34',
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/12',
      dnsDomain: 'cluster.local',
      endpoint: '192.168.1.101:6443',
      endpointHost: '192.168.1.101',
      endpointPort: 6443,
      cni: 'flannel',
      highAvailability: false,
      caCertHash: caCertHash(secrets.ca.cert),
      upgradeFrom: null,
    });
    expect(p.mirror).toBeNull();
    expect(p.access).toEqual({ user: 'pi', sshAuthorizedKeys: [], permitRootLogin: 'no' });
    expect(p.network).toEqual({ subnet: '192.168.1.0/24', prefix: 24, gateway: '192.168.1.1', dns: ['192.168.1.1'] });
  });

  it('fills in every node default', () => {
    const w = node(planOf(baseSpec()), 'worker-1');
    expect({ role: w.role, os: w.os.id, arch: w.arch, interface: w.interface, wifi: w.wifi, labels: w.labels, taints: w.taints }).toEqual({
      role: 'worker', os: 'raspios-bookworm', arch: 'arm64', interface: 'eth0', wifi: null, labels: {}, taints: [],
    });
    expect(w.preflight.machine).toBe('aarch64');
  });

  it('takes the values the spec gives over the defaults', () => {
    const p = planOf(with_((s) => {
      Object.assign(s.kubernetes, { podSubnet: '10.32.0.0/16', serviceSubnet: '10.33.0.0/16', dnsDomain: 'lab.internal', cni: 'cilium' });
      s.nodeDefaults = { os: 'ubuntu-24.04' };
      s.access = { user: 'admin', permitRootLogin: 'prohibit-password' };
    }));
    expect(p.kubernetes).toMatchObject({ podSubnet: '10.32.0.0/16', serviceSubnet: '10.33.0.0/16', dnsDomain: 'lab.internal', cni: 'cilium' });
    expect(p.access).toMatchObject({ user: 'admin', permitRootLogin: 'prohibit-password' });
    expect(node(p, 'cp-1').access.sshdDropIn.content).toContain('PermitRootLogin prohibit-password\n');
  });
});

describe('plan: nodes', () => {
  it('are sorted by name, whatever the spec order', () => {
    const p = planOf(with_((s) => {
      s.nodes = [
        { name: 'zeta', address: '192.168.1.20' },
        { name: 'alpha', address: '192.168.1.21' },
        { name: 'cp', role: 'control-plane', address: '192.168.1.22' },
        { name: 'beta-10', address: '192.168.1.23' },
        { name: 'beta-9', address: '192.168.1.24' },
      ];
    }));
    expect(p.nodes.map((n) => n.name)).toEqual(['alpha', 'beta-10', 'beta-9', 'cp', 'zeta']);
  });

  it('take nodeDefaults, and a node’s own value wins over them', () => {
    const p = planOf(with_((s) => {
      s.nodeDefaults = { os: 'ubuntu-24.04', arch: 'amd64', interface: 'enp1s0', labels: { disk: 'ssd', zone: 'a' } };
      s.nodes[1] = { name: 'worker-1', address: '192.168.1.111', os: 'raspios-trixie', arch: 'arm64', interface: 'eth1', labels: { disk: 'hdd' } };
    }));
    const plain = node(p, 'worker-2');
    expect([plain.os.id, plain.arch, plain.interface, plain.labels]).toEqual(['ubuntu-24.04', 'amd64', 'enp1s0', { disk: 'ssd', zone: 'a' }]);
    expect(plain.preflight.machine).toBe('x86_64');
    const own = node(p, 'worker-1');
    // Labels merge key by key; the other fields are replaced whole.
    expect([own.os.id, own.arch, own.interface, own.labels]).toEqual(['raspios-trixie', 'arm64', 'eth1', { disk: 'hdd', zone: 'a' }]);
    // The override reaches derived values too: the download is for the node's own arch.
    expect(own.runtime.containerd.url).toContain('linux-arm64');
    expect(plain.runtime.containerd.url).toContain('linux-amd64');
  });

  it('every node knows every other node for /etc/hosts', () => {
    const p = planOf(baseSpec());
    expect(node(p, 'worker-2').hosts).toEqual({
      hostname: 'worker-2',
      block: '127.0.1.1 worker-2\n192.168.1.101 cp-1\n192.168.1.111 worker-1\n192.168.1.112 worker-2\n',
    });
  });
});

describe('plan: control-plane endpoint', () => {
  it('defaults to the single control plane’s address and port 6443', () => {
    const p = planOf(baseSpec());
    expect(p.kubernetes.endpoint).toBe('192.168.1.101:6443');
    expect(p.adminKubeconfig.server).toBe('https://192.168.1.101:6443');
    expect(node(p, 'worker-1').kubeadm.endpointUrl).toBe('https://192.168.1.101:6443/readyz');
  });

  it('uses the endpoint the spec gives, host and port apart', () => {
    const p = planOf(with_((s) => (s.kubernetes.controlPlaneEndpoint = 'api.lab.example:8443')));
    expect(p.kubernetes).toMatchObject({ endpoint: 'api.lab.example:8443', endpointHost: 'api.lab.example', endpointPort: 8443 });
  });
});

describe('plan: init and join', () => {
  it('the first control plane by name runs init, the other control planes join as control planes, workers as workers', () => {
    const p = planOf(with_(HA));
    expect(p.nodes.map((n) => [n.name, n.joinKind])).toEqual([
      ['cp-a', 'init'],
      ['cp-b', 'join-control-plane'],
      ['cp-c', 'join-control-plane'],
      ['worker-1', 'join-worker'],
    ]);
  });

  it('a single control plane runs init and every worker joins', () => {
    expect(planOf(baseSpec()).nodes.map((n) => n.joinKind)).toEqual(['init', 'join-worker', 'join-worker']);
  });

  it('only control planes get the shared CA keys', () => {
    const p = planOf(with_(HA));
    for (const n of p.nodes) {
      const paths = n.pki.map((f) => f.path);
      if (n.role === 'control-plane') {
        expect(paths).toEqual(expect.arrayContaining(['/etc/kubernetes/pki/ca.key', '/etc/kubernetes/pki/sa.key', '/etc/kubernetes/pki/etcd/ca.key', '/etc/kubernetes/pki/front-proxy-ca.key']));
        expect(n.pki.filter((f) => f.path.endsWith('.key')).every((f) => f.mode === '0600')).toBe(true);
      } else {
        expect(paths).toEqual([]);
      }
    }
  });
});

describe('plan: high availability', () => {
  it('puts kube-vip on every control plane, holding the endpoint on the node’s interface, and on no worker', () => {
    const p = planOf(with_((s) => {
      HA(s);
      s.nodes[2]!.interface = 'eth1';
    }));
    expect(p.kubernetes.highAvailability).toBe(true);
    for (const n of p.nodes) {
      if (n.role !== 'control-plane') {
        expect(n.kubeVip, n.name).toBeNull();
        continue;
      }
      expect(n.kubeVip, n.name).not.toBeNull();
      const pod: any = yamlDocs(n.kubeVip!.steady.content)[0];
      const env = Object.fromEntries(pod.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
      expect(env).toMatchObject({ address: '192.168.1.100', port: '6443', vip_interface: n.interface, cp_enable: 'true', vip_arp: 'true' });
      expect(pod.spec.volumes[0].hostPath.path).toBe('/etc/kubernetes/admin.conf');
      expect(n.kubeVip!.duringInit.content).toContain('/etc/kubernetes/super-admin.conf');
      expect(n.kubeVip!.steady.mode).toBe('0600');
    }
    expect(node(p, 'cp-c').kubeVip!.steady.content).toContain('value: eth1');
  });

  it('has no kube-vip with a single control plane', () => {
    expect(planOf(baseSpec()).nodes.every((n) => n.kubeVip === null)).toBe(true);
  });
});

describe('plan: CNI', () => {
  it('is installed only by the init node (plan and phase list)', () => {
    const p = planOf(with_(HA));
    for (const n of p.nodes) {
      const hasPhase = n.phases.some((ph) => ph.id === 'cni');
      expect([n.name, n.cni !== null, hasPhase]).toEqual([n.name, n.joinKind === 'init', n.joinKind === 'init']);
    }
  });

  it('flannel gets the cluster’s podSubnet as its network', () => {
    const p = planOf(with_((s) => (s.kubernetes.podSubnet = '10.32.0.0/16')));
    const cni = node(p, 'cp-1').cni!;
    expect(cni.kind).toBe('flannel');
    if (cni.kind !== 'flannel') return;
    const cm: any = yamlDocs(cni.manifest.content).find((o) => o['kind'] === 'ConfigMap');
    expect(JSON.parse(cm.data['net-conf.json']).Network).toBe('10.32.0.0/16');
  });

  it('cilium uses kubernetes IPAM so it honours podSubnet', () => {
    const p = planOf(with_((s) => {
      s.kubernetes.cni = 'cilium';
      s.nodeDefaults = { os: 'ubuntu-24.04' };
    }));
    const cni = node(p, 'cp-1').cni!;
    expect(cni.kind === 'cilium' && cni.installArgs).toEqual(['--set', 'ipam.mode=kubernetes']);
  });

  it('the phases run in the fixed order, each with its function name', () => {
    const ids = node(planOf(baseSpec()), 'cp-1').phases.map((ph) => ph.id);
    expect(ids).toEqual(['preflight', 'hostname', 'network', 'packages', 'kernel-modules', 'sysctl', 'kernel-cmdline', 'swap', 'kubernetes-packages', 'container-runtime', 'reboot-check', 'kubeadm', 'cni', 'access', 'finish']);
    expect(node(planOf(baseSpec()), 'cp-1').phases.find((ph) => ph.id === 'kernel-modules')!.fn).toBe('phase_kernel_modules');
  });
});

describe('plan: kubeadm documents', () => {
  it('init: v1beta4 Init/Cluster/Kubelet/KubeProxy configurations with the cluster’s values', () => {
    const docs = kubeadmDocs(node(planOf(with_((s) => Object.assign(s.kubernetes, { podSubnet: '10.32.0.0/16', serviceSubnet: '10.33.0.0/16', dnsDomain: 'lab.internal' }))), 'cp-1'));
    expect(docs.map((d) => `${d['apiVersion']} ${d['kind']}`)).toEqual([
      'kubeadm.k8s.io/v1beta4 InitConfiguration',
      'kubeadm.k8s.io/v1beta4 ClusterConfiguration',
      'kubelet.config.k8s.io/v1beta1 KubeletConfiguration',
      'kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration',
    ]);
    const init = byKind(docs, 'InitConfiguration');
    expect(init['bootstrapTokens'][0]).toMatchObject({ token: secrets.bootstrapToken, ttl: '24h0m0s', usages: ['signing', 'authentication'] });
    expect(init['localAPIEndpoint']).toEqual({ advertiseAddress: '192.168.1.101', bindPort: 6443 });
    expect(init['nodeRegistration']).toMatchObject({ name: 'cp-1', criSocket: 'unix:///var/run/containerd/containerd.sock' });
    // v1beta4 wants kubeletExtraArgs as a list of {name, value}, not a map.
    // Only flags without a KubeletConfiguration field; the rest is the node's patch.
    expect(init['nodeRegistration']['kubeletExtraArgs']).toEqual([{ name: 'node-ip', value: '192.168.1.101' }]);
    expect(init['patches']).toEqual({ directory: '/etc/picc/kubeadm-patches' });
    expect(patchOf(node(planOf(baseSpec()), 'cp-1'))).toEqual({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', resolvConf: '/etc/resolv.conf' });
    const cluster = byKind(docs, 'ClusterConfiguration');
    expect(cluster).toMatchObject({
      clusterName: 'lab',
      kubernetesVersion: 'v1.34.2',
      controlPlaneEndpoint: '192.168.1.101:6443',
      networking: { podSubnet: '10.32.0.0/16', serviceSubnet: '10.33.0.0/16', dnsDomain: 'lab.internal' },
    });
    expect(cluster['apiServer']['certSANs']).toEqual(['192.168.1.101', 'cp-1']);
    expect(byKind(docs, 'KubeletConfiguration')['cgroupDriver']).toBe('systemd');
  });

  it('certSANs hold the virtual IP and every control plane’s name and address', () => {
    const docs = kubeadmDocs(node(planOf(with_(HA)), 'cp-a'));
    expect(byKind(docs, 'ClusterConfiguration')['apiServer']['certSANs']).toEqual(['192.168.1.100', 'cp-a', '192.168.1.101', 'cp-b', '192.168.1.102', 'cp-c', '192.168.1.103']);
    expect(byKind(docs, 'ClusterConfiguration')['controlPlaneEndpoint']).toBe('192.168.1.100:6443');
  });

  it('join: one v1beta4 JoinConfiguration with the token and the CA hash, node-ip first', () => {
    const p = planOf(with_(HA));
    const worker = kubeadmDocs(node(p, 'worker-1'));
    expect(worker).toHaveLength(1);
    const join = byKind(worker, 'JoinConfiguration');
    expect(join['apiVersion']).toBe('kubeadm.k8s.io/v1beta4');
    expect(join['discovery']['bootstrapToken']).toEqual({ apiServerEndpoint: '192.168.1.100:6443', token: secrets.bootstrapToken, caCertHashes: [caCertHash(secrets.ca.cert)] });
    expect(join['discovery']['bootstrapToken']['caCertHashes'][0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(join['nodeRegistration']['kubeletExtraArgs'][0]).toEqual({ name: 'node-ip', value: '192.168.1.111' });
    expect(join['nodeRegistration']['criSocket']).toBe('unix:///var/run/containerd/containerd.sock');
    expect(join['controlPlane']).toBeUndefined();

    const cp = byKind(kubeadmDocs(node(p, 'cp-b')), 'JoinConfiguration');
    expect(cp['controlPlane']).toEqual({ localAPIEndpoint: { advertiseAddress: '192.168.1.102', bindPort: 6443 } });
  });

  it('labels and taints reach nodeRegistration; Ubuntu’s kubelet reads systemd-resolved’s real resolv.conf', () => {
    const p = planOf(with_((s) => {
      s.nodes[1] = {
        name: 'worker-1', address: '192.168.1.111', os: 'ubuntu-24.04',
        labels: { zone: 'b', 'node.kubernetes.io/disk': 'ssd' },
        taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'spot', effect: 'PreferNoSchedule' }],
      };
    }));
    const reg = byKind(kubeadmDocs(node(p, 'worker-1')), 'JoinConfiguration')['nodeRegistration'];
    expect(reg['kubeletExtraArgs']).toEqual([
      { name: 'node-ip', value: '192.168.1.111' },
      { name: 'node-labels', value: 'node.kubernetes.io/disk=ssd,zone=b' },
    ]);
    // The kubelet's resolv.conf is a field of its configuration: kubeadm patches it in on this node alone.
    expect(byKind(kubeadmDocs(node(p, 'worker-1')), 'JoinConfiguration')['patches']).toEqual({ directory: '/etc/picc/kubeadm-patches' });
    expect(node(p, 'worker-1').kubeadm.patches.map((f) => [f.path, f.mode])).toEqual([['/etc/picc/kubeadm-patches/kubeletconfiguration+strategic.yaml', '0644']]);
    expect(patchOf(node(p, 'worker-1'))['resolvConf']).toBe('/run/systemd/resolve/resolv.conf');
    expect(patchOf(node(p, 'worker-2'))['resolvConf']).toBe('/etc/resolv.conf');
    expect(reg['taints']).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'spot', effect: 'PreferNoSchedule' }]);
    // Without taints in the spec kubeadm keeps its own defaults: the field is left out.
    expect(byKind(kubeadmDocs(node(p, 'worker-2')), 'JoinConfiguration')['nodeRegistration']['taints']).toBeUndefined();
  });

  it('the token TTL is written the way kubeadm prints it', () => {
    const docs = kubeadmDocs(node(planOf(with_((s) => (s.kubernetes.bootstrapTokenTTL = '90m'))), 'cp-1'));
    expect(byKind(docs, 'InitConfiguration')['bootstrapTokens'][0]['ttl']).toBe('1h30m0s');
  });

  it('the config file is private to root', () => {
    expect(node(planOf(baseSpec()), 'cp-1').kubeadm.configFile).toMatchObject({ path: '/etc/picc/kubeadm.yaml', mode: '0600' });
  });
});

describe('plan: container runtime', () => {
  const cases: [string, { containerd?: string; want: { version: string; configVersion: 2 | 3; runc: string; has: string[]; lacks: string[] } }][] = [
    ['default containerd 2.x: config version 3 with the split CRI plugins', {
      want: { version: '2.3.4', configVersion: 3, runc: '1.4.3', has: ['version = 3', "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]", 'SystemdCgroup = true', "sandbox = '@PAUSE_IMAGE@'"], lacks: ['grpc.v1.cri'] },
    }],
    ['containerd 2.2 pinned: still version 3, runc its series is tested with', {
      containerd: '2.2.7',
      want: { version: '2.2.7', configVersion: 3, runc: '1.3.6', has: ['version = 3'], lacks: ['grpc.v1.cri'] },
    }],
    ['containerd 1.7: config version 2 with the grpc CRI plugin', {
      containerd: '1.7.34',
      want: { version: '1.7.34', configVersion: 2, runc: '1.3.6', has: ['version = 2', '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]', 'SystemdCgroup = true', 'runtime_type = "io.containerd.runc.v2"', 'sandbox_image = "@PAUSE_IMAGE@"'], lacks: ['io.containerd.cri.v1', 'version = 3'] },
    }],
  ];

  it.each(cases)('%s', (_name, { containerd, want }) => {
    const n = node(planOf(with_((s) => {
      if (containerd) s.components = { containerd };
    })), 'worker-1');
    expect(n.runtime.containerd.version).toBe(want.version);
    expect(n.runtime.configVersion).toBe(want.configVersion);
    expect(n.runtime.runc.version).toBe(want.runc);
    for (const text of want.has) expect(n.runtime.configTemplate.content).toContain(text);
    for (const text of want.lacks) expect(n.runtime.configTemplate.content).not.toContain(text);
    expect(n.runtime.criSocket).toBe('unix:///var/run/containerd/containerd.sock');
  });

  it('downloads carry the catalog digest, or the spec’s digest when it gives one', () => {
    const sha = 'c'.repeat(64);
    const n = node(planOf(with_((s) => (s.components = { cniPlugins: { version: '1.9.9', sha256: { arm64: sha } } }))), 'worker-1');
    expect(n.runtime.cniPlugins).toMatchObject({ version: '1.9.9', sha256: sha, file: 'cni-plugins-linux-arm64-v1.9.9.tgz' });
    expect(n.runtime.containerd.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(n.runtime.containerd.url).toBe('https://github.com/containerd/containerd/releases/download/v2.3.4/containerd-2.3.4-linux-arm64.tar.gz');
  });
});

describe('plan: mirror', () => {
  /** Every URL the node downloads from, found anywhere in its plan. */
  function downloadUrls(n: NodePlan): string[] {
    const urls: string[] = [n.kubernetesPackages.keyUrl];
    const repo = /^deb \[[^\]]*\] (\S+) /m.exec(n.kubernetesPackages.sourceList.content);
    urls.push(repo![1]!);
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'url' && typeof x === 'string') urls.push(x);
          else walk(x);
        }
      }
    };
    walk(n);
    return urls;
  }

  const mirrored = (cni: 'flannel' | 'calico' | 'cilium', mirror: string | undefined) =>
    planOf(with_((s) => {
      s.kubernetes.cni = cni;
      s.nodeDefaults = { os: 'ubuntu-24.04' };
      if (mirror) s.mirror = mirror;
    }));

  it.each(['flannel', 'calico', 'cilium'] as const)('rewrites every download URL of every node (%s)', (cni) => {
    const upstream = mirrored(cni, undefined);
    const p = mirrored(cni, 'http://192.168.1.10:8080/');
    for (const n of p.nodes) {
      const before = downloadUrls(node(upstream, n.name));
      const after = downloadUrls(n);
      // runc, containerd, CNI plugins, the apt key and repository; the init node also its CNI's download.
      expect(after.length).toBeGreaterThanOrEqual(5);
      expect(after.length).toBe(before.length);
      // MIRROR/HOST/PATH for https://HOST/PATH, one to one.
      expect(after).toEqual(before.map((u) => u.replace(/^https:\/\//, 'http://192.168.1.10:8080/')));
    }
    const initCni = p.nodes.find((n) => n.joinKind === 'init')!.cni!;
    if (cni === 'calico') expect(initCni.kind === 'calico' && initCni.tigeraOperator.url).toBe('http://192.168.1.10:8080/raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/tigera-operator.yaml');
    if (cni === 'cilium') expect(initCni.kind === 'cilium' && initCni.cli.url).toMatch(/^http:\/\/192\.168\.1\.10:8080\/github\.com\/cilium\/cilium-cli\//);
  });

  it('keeps the checksums, and the script fetches nothing from upstream hosts', () => {
    const upstream = node(mirrored('calico', undefined), 'cp-1');
    const p = mirrored('calico', 'https://mirror.lan/picc');
    const n = node(p, 'cp-1');
    expect(n.runtime.containerd.sha256).toBe(upstream.runtime.containerd.sha256);
    expect(n.runtime.containerd.url).toBe('https://mirror.lan/picc/github.com/containerd/containerd/releases/download/v2.3.4/containerd-2.3.4-linux-arm64.tar.gz');
    expect(n.kubernetesPackages.keyUrl).toBe('https://mirror.lan/picc/pkgs.k8s.io/core:/stable:/v1.34/deb/Release.key');
    const script = renderSetupScript(p, n);
    for (const host of ['https://github.com', 'https://pkgs.k8s.io', 'https://raw.githubusercontent.com']) expect(script).not.toContain(host);
    expect(script).toContain('https://mirror.lan/picc/github.com/');
  });

  it("a mirror that re-signs pkgs.k8s.io: setup trusts the spec's key, fetched from the mirror, and no other", () => {
    const key = '0123456789ABCDEF0123456789ABCDEF01234567';
    const p = planOf(with_((s) => {
      s.mirror = 'http://192.168.1.10:8080/';
      s.kubernetes.packageSigningKey = key;
    }));
    for (const n of p.nodes) {
      expect(n.kubernetesPackages.keyFingerprint).toBe(key);
      expect(n.kubernetesPackages.keyUrl).toBe('http://192.168.1.10:8080/pkgs.k8s.io/core:/stable:/v1.34/deb/Release.key');
      const script = renderSetupScript(p, n);
      expect(script).toContain(`fingerprint=${key}`);
      expect(script).not.toContain(KUBERNETES_KEY_FINGERPRINT);
    }
    // Without the field, pkgs.k8s.io's own key is the one checked.
    expect(node(mirrored('flannel', 'http://192.168.1.10:8080/'), 'cp-1').kubernetesPackages.keyFingerprint).toBe(KUBERNETES_KEY_FINGERPRINT);
  });

  it('without a mirror, downloads go to the upstream hosts over https', () => {
    const n = node(planOf(baseSpec()), 'cp-1');
    expect(downloadUrls(n).every((u) => u.startsWith('https://'))).toBe(true);
  });
});

/** Every whole file the network phase writes: netplan's is checked first, so it is apart. */
const networkFiles = (n: NodePlan) => [...n.network.files, ...(n.network.netplan ? [n.network.netplan.file] : [])];

describe('plan: network files per OS', () => {
  const cases: [string, { os: NonNullable<NodePlan['os']['id']>; want: { stack: string; files: [string, string][]; blocks: string[]; has: string[] } }][] = [
    ['Raspberry Pi OS bullseye: a marked block in dhcpcd.conf', { os: 'raspios-bullseye', want: { stack: 'dhcpcd', files: [], blocks: ['/etc/dhcpcd.conf'], has: ['interface eth0', 'static ip_address=192.168.1.111/24', 'static routers=192.168.1.1', 'static domain_name_servers=192.168.1.1'] } }],
    ['Raspberry Pi OS bookworm: a NetworkManager keyfile', { os: 'raspios-bookworm', want: { stack: 'networkmanager', files: [['/etc/NetworkManager/system-connections/picc-eth0.nmconnection', '0600']], blocks: [], has: ['method=manual', 'address1=192.168.1.111/24,192.168.1.1', 'dns=192.168.1.1;', 'type=ethernet'] } }],
    ['Raspberry Pi OS trixie: a NetworkManager keyfile', { os: 'raspios-trixie', want: { stack: 'networkmanager', files: [['/etc/NetworkManager/system-connections/picc-eth0.nmconnection', '0600']], blocks: [], has: ['address1=192.168.1.111/24,192.168.1.1'] } }],
    ['Ubuntu 22.04: netplan with networkd', { os: 'ubuntu-22.04', want: { stack: 'netplan', files: [['/etc/netplan/90-picc.yaml', '0600']], blocks: [], has: ['renderer: networkd', '- 192.168.1.111/24', 'via: 192.168.1.1', 'dhcp4: false'] } }],
    ['Ubuntu 24.04: netplan with networkd', { os: 'ubuntu-24.04', want: { stack: 'netplan', files: [['/etc/netplan/90-picc.yaml', '0600']], blocks: [], has: ['renderer: networkd', 'eth0:'] } }],
  ];

  it.each(cases)('%s', (_name, { os, want }) => {
    const n = node(planOf(with_((s) => (s.nodeDefaults = { os }))), 'worker-1');
    expect(n.network.stack).toBe(want.stack);
    expect(networkFiles(n).map((f) => [f.path, f.mode])).toEqual(want.files);
    expect(n.network.blocks.map((b) => b.path)).toEqual(want.blocks);
    const text = [...networkFiles(n).map((f) => f.content), ...n.network.blocks.map((b) => b.content)].join('\n');
    for (const t of want.has) expect(text).toContain(t);
    expect(n.network.addressCidr).toBe('192.168.1.111/24');
  });

  it('NetworkManager profiles get a stable UUID per node', () => {
    const uuid = (p: ClusterPlan, name: string) => /uuid=(\S+)/.exec(node(p, name).network.files[0]!.content)![1];
    const a = planOf(baseSpec());
    const b = planOf(baseSpec());
    expect(uuid(a, 'worker-1')).toBe(uuid(b, 'worker-1'));
    expect(uuid(a, 'worker-1')).not.toBe(uuid(a, 'worker-2'));
    expect(uuid(a, 'worker-1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('plan: Wi-Fi', () => {
  const PASS = 'correct horse $(battery) staple';
  const wifiSpec = (os: 'raspios-bookworm' | 'ubuntu-24.04') =>
    with_((s) => {
      s.nodes[2] = { name: 'worker-2', address: '192.168.1.112', os, interface: 'wlan0', wifi: { ssid: 'homelab', country: 'PL' } };
    });

  it.each(['raspios-bookworm', 'ubuntu-24.04'] as const)('the passphrase is only in that node’s files (%s)', (os) => {
    const p = planOf(wifiSpec(os), { ...secrets, wifi: new Map([['homelab', PASS]]) });
    expect(node(p, 'worker-2').wifi).toEqual({ ssid: 'homelab', country: 'PL', passphrase: PASS });
    expect(node(p, 'worker-2').network.wifiCountry).toBe('PL');
    expect(node(p, 'worker-2').kernelArgs).toContain('cfg80211.ieee80211_regdom=PL');
    for (const name of ['cp-1', 'worker-1']) {
      expect(node(p, name).wifi).toBeNull();
      expect(JSON.stringify(node(p, name))).not.toContain(PASS);
    }
    const artifacts = render(p);
    const holding = artifacts.filter((a) => a.content.includes(PASS)).map((a) => a.path);
    // bookworm's first-boot.sh writes the keyfile before the reboot that brings Wi-Fi up.
    const firstBoot = os === 'raspios-bookworm' ? ['lab/worker-2/first-boot.sh'] : [];
    expect(holding).toEqual([...firstBoot, 'lab/worker-2/network-config', 'lab/worker-2/setup.sh', 'lab/worker-2/user-data']);
    // A passphrase makes every file holding it owner-only.
    for (const a of artifacts.filter((x) => holding.includes(x.path))) expect(a.mode & 0o077, a.path).toBe(0);
  });

  it('the network files join the Wi-Fi network with the passphrase', () => {
    const p = planOf(wifiSpec('raspios-bookworm'), { ...secrets, wifi: new Map([['homelab', PASS]]) });
    const nm = node(p, 'worker-2').network.files[0]!;
    expect(nm.path).toBe('/etc/NetworkManager/system-connections/picc-wlan0.nmconnection');
    expect(nm.content).toContain('type=wifi');
    expect(nm.content).toContain('ssid=homelab');
    expect(nm.content).toContain(`psk=${PASS}`);
    const u = planOf(wifiSpec('ubuntu-24.04'), { ...secrets, wifi: new Map([['homelab', PASS]]) });
    const netplan = node(u, 'worker-2').network.netplan!.file.content;
    expect(netplan).toContain('wifis:');
    expect(netplan).toContain(`password: ${PASS}`);
    expect(netplan).toContain('regulatory-domain: PL');
  });
});

describe('plan: the SD card and unattended setup', () => {
  const oses = ['raspios-bullseye', 'raspios-bookworm', 'raspios-trixie', 'ubuntu-22.04', 'ubuntu-24.04'] as const;
  const onOs = (os: (typeof oses)[number], wifi = false) =>
    node(planOf(with_((s) => {
      s.nodeDefaults = { os };
      if (wifi) s.nodes[1]!.wifi = { ssid: 'homelab', country: 'PL' };
    })), 'worker-1');

  it.each(oses)('%s: the status file is on the boot partition; the seed files that hold secrets are named', (os) => {
    const n = onOs(os);
    const mount = os === 'raspios-bullseye' ? '/boot' : '/boot/firmware';
    expect(n.boot.setupStatus).toBe(`${mount}/picc-status.txt`);
    // cloud-init seeds keep the token in user-data; first-boot.sh takes setup.sh off the card itself.
    expect(n.boot.secretSeedFiles).toEqual(n.os.cloudInit ? [`${mount}/user-data`] : []);
    if (n.boot.firstBoot) expect(n.boot.firstBoot.status).toBe(`${mount}/picc-first-boot.txt`);
  });

  it('a Wi-Fi node on a cloud-init OS: network-config holds the passphrase, so it is emptied too', () => {
    expect(onOs('ubuntu-24.04', true).boot.secretSeedFiles).toEqual(['/boot/firmware/user-data', '/boot/firmware/network-config']);
    expect(onOs('raspios-bookworm', true).boot.secretSeedFiles).toEqual([]);
  });

  it("userconf.txt only where cloud-init meets Raspberry Pi OS's pending first-user rename (trixie)", () => {
    expect(onOs('raspios-trixie').boot.userconf).toBe('pi:!\n');
    for (const os of ['raspios-bullseye', 'raspios-bookworm', 'ubuntu-22.04', 'ubuntu-24.04'] as const) expect(onOs(os).boot.userconf).toBeNull();
  });

  it('the setup unit runs setup unattended and never holds up the boot', () => {
    const n = onOs('raspios-trixie');
    expect(n.state.unitName).toBe('picc-setup.service');
    expect(n.state.unit.path).toBe('/etc/systemd/system/picc-setup.service');
    expect(n.state.unit.content).toContain('\nType=exec\n');
    expect(n.state.unit.content).not.toMatch(/Type=oneshot|Before=|RemainAfterExit/);
    expect(n.state.unit.content).toContain('\nExecStart=/usr/local/sbin/picc-setup --unattended\n');
  });

  it("user-data writes the unit with setup.sh and only starts it: cloud-init's final stage does not wait for setup", () => {
    const p = planOf(with_((s) => { s.nodeDefaults = { os: 'raspios-trixie' }; }));
    const userData = render(p).find((a) => a.path === 'lab/worker-1/user-data')!.content;
    const doc = parseAllDocuments(userData)[0]!.toJS() as { write_files: { path: string; content: string; permissions: string }[]; runcmd: string[][] };
    expect(doc.write_files.map((f) => [f.path, f.permissions])).toEqual([['/usr/local/sbin/picc-setup', '0700'], ['/etc/systemd/system/picc-setup.service', '0644']]);
    expect(doc.write_files[1]!.content).toBe(node(p, 'worker-1').state.unit.content);
    expect(doc.runcmd).toEqual([['systemctl', 'daemon-reload'], ['systemctl', 'enable', 'picc-setup.service'], ['systemctl', 'start', '--no-block', 'picc-setup.service']]);
  });

  it('network phases are the ones that fetch: packages, Kubernetes packages, runtime, kubeadm, CNI', () => {
    const init = planOf(baseSpec()).nodes.find((x) => x.joinKind === 'init')!;
    expect(init.phases.filter((p) => p.network).map((p) => p.id)).toEqual(['packages', 'kubernetes-packages', 'container-runtime', 'kubeadm', 'cni']);
  });
});

describe('plan: Wi-Fi on bullseye (wpa_supplicant)', () => {
  it('the IEEE 802.11i test vectors: the key wpa_supplicant derives from a passphrase and SSID', () => {
    expect(wpaPsk('IEEE', 'password')).toBe('f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e');
    expect(wpaPsk('ThisIsASSID', 'ThisIsAPassword')).toBe('0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af');
    // a passphrase of 64 hex digits is the key itself
    expect(wpaPsk('x', 'AB'.repeat(32))).toBe('ab'.repeat(32));
  });

  it("a bullseye Wi-Fi node: wpa_supplicant's per-interface file, SSID and key in hex, 0600; the first boot writes it too", () => {
    const bundle = { ...secrets, wifi: new Map([['home "lab" $x', 'correct horse battery staple']]) };
    const p = planOf(with_((s) => {
      s.nodes[1] = { ...s.nodes[1]!, os: 'raspios-bullseye', interface: 'wlan0', wifi: { ssid: 'home "lab" $x', country: 'PL' } };
    }), bundle);
    const n = node(p, 'worker-1');
    expect(n.network.files.map((f) => [f.path, f.mode])).toEqual([['/etc/wpa_supplicant/wpa_supplicant-wlan0.conf', '0600']]);
    const conf = n.network.files[0]!.content;
    expect(conf).toContain(`\tssid=${Buffer.from('home "lab" $x').toString('hex')}\n`);
    expect(conf).toContain(`\tpsk=${wpaPsk('home "lab" $x', 'correct horse battery staple')}\n`);
    expect(conf).toContain('\ncountry=PL\n');
    expect(conf).not.toContain('correct horse');
    expect(n.boot.wifi).toBe(true);
    const firstBoot = render(p).find((a) => a.path === 'lab/worker-1/first-boot.sh')!.content;
    expect(firstBoot).toContain(conf);
    expect(firstBoot).toContain('rfkill unblock wifi');
  });
});
