// spec.kubernetes.install: binaries — the plan (downloads through the mirror with the
// catalog's or the spec's digests, crictl's version, the kubelet unit and drop-in, the
// phase that replaces the packages'), and the checks that guard it.

import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { analyze } from '../../src/index.js';
import { catalogDigest, crictlFor, knownVersionsText } from '../../src/plan/catalog.js';
import { plan } from '../../src/plan/plan.js';
import type { ClusterPlan, NodePlan } from '../../src/plan/types.js';
import { renderSetupScript } from '../../src/render/render.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import type { SecretsBundle } from '../../src/secrets/types.js';
import type { ClusterSpec } from '../../src/cluster-spec/types.js';

let secrets: SecretsBundle;

beforeAll(async () => {
  secrets = await generateSecrets('lab', new Date('2026-01-01T00:00:00Z'));
}, 30_000);

/** One arm64 control plane and one amd64 worker, Kubernetes 1.36.4 from binaries. */
function spec(change: (s: ClusterSpec['spec']) => void = () => {}): ClusterSpec {
  const s: ClusterSpec = {
    apiVersion: 'picc/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'lab' },
    spec: {
      kubernetes: { version: '1.36.4', install: 'binaries' },
      network: { subnet: '192.168.1.0/24', gateway: '192.168.1.1', dns: ['192.168.1.1'] },
      nodeDefaults: { os: 'raspios-trixie' },
      nodes: [
        { name: 'cp-1', role: 'control-plane', address: '192.168.1.101', arch: 'arm64' },
        { name: 'worker-1', address: '192.168.1.111', arch: 'amd64', os: 'ubuntu-24.04' },
      ],
    },
  };
  change(s.spec);
  return s;
}

function diagnosticsOf(s: ClusterSpec) {
  return analyze('cluster.yaml', stringify(s)).diagnostics;
}

function planOf(s: ClusterSpec): ClusterPlan {
  const a = analyze('cluster.yaml', stringify(s));
  expect(a.diagnostics).toEqual([]);
  return plan(a.spec!, secrets);
}

function node(p: ClusterPlan, name: string): NodePlan {
  return p.nodes.find((n) => n.name === name)!;
}

function bin(n: NodePlan, name: string) {
  return n.kubernetesBinaries!.binaries.find((b) => b.download.name === name)!;
}

const hex = (c: string) => c.repeat(64);

describe('install: binaries — plan', () => {
  it('kubeadm, kubelet and kubectl at the cluster version from dl.k8s.io, each arch with its catalog digest, into /usr/local/bin', () => {
    const p = planOf(spec());
    for (const [name, arch] of [['cp-1', 'arm64'], ['worker-1', 'amd64']] as const) {
      const b = node(p, name).kubernetesBinaries!;
      expect(b.binaries.map((x) => x.download.name)).toEqual(['kubeadm', 'kubelet', 'kubectl']);
      for (const x of b.binaries) {
        expect(x.download.url).toBe(`https://dl.k8s.io/release/v1.36.4/bin/linux/${arch}/${x.download.name}`);
        expect(x.download.sha256).toBe(catalogDigest(x.download.name as 'kubeadm', '1.36.4', arch));
        expect(x.path).toBe(`/usr/local/bin/${x.download.name}`);
      }
    }
    // The digests are the data file's, not one value for every arch or binary.
    expect(bin(node(p, 'cp-1'), 'kubelet').download.sha256).toBe('fd53ea3fcbd077844f50a3c67e9b52f62972a563674956bab0c0f4fb7ea37d50');
    expect(bin(node(p, 'worker-1'), 'kubeadm').download.sha256).toBe('10d054585907f2c8bb823c84f6a66b3bd2a474c3d795475f04e9a44f78650fe6');
  });

  it('every download goes through the mirror, digests unchanged', () => {
    const upstream = node(planOf(spec()), 'cp-1').kubernetesBinaries!;
    const p = planOf(spec((s) => (s.mirror = 'http://192.168.1.10:8080/')));
    const b = node(p, 'cp-1').kubernetesBinaries!;
    const pairs = [...b.binaries.map((x) => x.download), b.crictl.download].map((d, i) => [d, [...upstream.binaries.map((x) => x.download), upstream.crictl.download][i]!] as const);
    for (const [mirrored, direct] of pairs) {
      expect(mirrored.url).toBe(direct.url.replace(/^https:\/\//, 'http://192.168.1.10:8080/'));
      expect(mirrored.sha256).toBe(direct.sha256);
    }
    expect(bin(node(p, 'cp-1'), 'kubeadm').download.url).toBe('http://192.168.1.10:8080/dl.k8s.io/release/v1.36.4/bin/linux/arm64/kubeadm');
    const script = renderSetupScript(p, node(p, 'cp-1'));
    for (const host of ['https://dl.k8s.io', 'https://github.com', 'https://pkgs.k8s.io']) expect(script).not.toContain(host);
  });

  it('crictl: the catalog release of the Kubernetes minor, else the newest; a spec pin wins', () => {
    expect(crictlFor('1.35.2')).toBe('1.35.0');
    expect(crictlFor('1.36.4')).toBe('1.36.0');
    expect(crictlFor('1.34.2')).toBe('1.36.0');
    expect(crictlFor('1.37.1')).toBe('1.36.0');
    const b = node(planOf(spec((s) => (s.kubernetes.version = '1.35.2'))), 'worker-1').kubernetesBinaries!;
    expect(b.crictl.download).toMatchObject({
      version: '1.35.0',
      url: 'https://github.com/kubernetes-sigs/cri-tools/releases/download/v1.35.0/crictl-v1.35.0-linux-amd64.tar.gz',
      sha256: '2e141e5b22cb189c40365a11807d69b76b9b3caced89fac2f4ec879408ce2177',
    });
    expect(b.crictl).toMatchObject({ member: 'crictl', path: '/usr/local/bin/crictl' });
    const pinned = node(planOf(spec((s) => (s.components = { crictl: { version: '1.36.9', sha256: { arm64: hex('a'), amd64: hex('b') } } }))), 'cp-1');
    expect(pinned.kubernetesBinaries!.crictl.download).toMatchObject({ version: '1.36.9', sha256: hex('a') });
  });

  it('a version the catalog lacks compiles with the digests the spec gives, per arch', () => {
    const p = planOf(spec((s) => {
      s.kubernetes.version = '1.37.1';
      s.components = {
        kubeadm: { version: '1.37.1', sha256: { arm64: hex('1'), amd64: hex('2') } },
        kubelet: { version: '1.37.1', sha256: { arm64: hex('3'), amd64: hex('4') } },
        kubectl: { version: '1.37.1', sha256: { arm64: hex('5'), amd64: hex('6') } },
      };
    }));
    expect(bin(node(p, 'cp-1'), 'kubeadm').download).toMatchObject({ version: '1.37.1', sha256: hex('1'), url: 'https://dl.k8s.io/release/v1.37.1/bin/linux/arm64/kubeadm' });
    expect(bin(node(p, 'worker-1'), 'kubelet').download.sha256).toBe(hex('4'));
    expect(bin(node(p, 'worker-1'), 'kubectl').download.sha256).toBe(hex('6'));
    // crictl has no 1.37 in the catalog: the newest one it has.
    expect(node(p, 'cp-1').kubernetesBinaries!.crictl.download.version).toBe('1.36.0');
  });

  it('a spec digest wins over the catalog for a version it has', () => {
    const n = node(planOf(spec((s) => (s.components = { kubelet: { version: '1.36.4', sha256: { arm64: hex('e') } } }))), 'cp-1');
    expect(bin(n, 'kubelet').download.sha256).toBe(hex('e'));
    expect(bin(n, 'kubeadm').download.sha256).toBe(catalogDigest('kubeadm', '1.36.4', 'arm64'));
  });

  it('the kubelet unit and kubeadm drop-in start /usr/local/bin/kubelet, beside containerd’s unit', () => {
    const b = node(planOf(spec()), 'cp-1').kubernetesBinaries!;
    expect(b.unit.path).toBe('/usr/local/lib/systemd/system/kubelet.service');
    expect(b.unit.content).toMatch(/^ExecStart=\/usr\/local\/bin\/kubelet$/m);
    expect(b.unit.content).toContain('Restart=always\nStartLimitInterval=0\nRestartSec=10\n');
    expect(b.unit.content).toContain('WantedBy=multi-user.target');
    expect(b.dropIn.path).toBe('/usr/local/lib/systemd/system/kubelet.service.d/10-kubeadm.conf');
    // The unit's ExecStart is cleared before the drop-in's (systemd would refuse two).
    expect(b.dropIn.content).toContain('ExecStart=\nExecStart=/usr/local/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n');
    expect(b.dropIn.content).toContain('EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env');
    expect(b.dropIn.content).toContain('EnvironmentFile=-/etc/default/kubelet');
    expect(b.dirs).toContain('/etc/kubernetes/manifests');
    expect(node(planOf(spec()), 'cp-1').runtime.unit.path.startsWith('/usr/local/lib/systemd/system/')).toBe(true);
  });

  it('the plan picks the phase: Kubernetes binaries in place of the packages, network-retried', () => {
    const n = node(planOf(spec()), 'cp-1');
    expect(n.phases.map((ph) => ph.id)).toEqual(['preflight', 'hostname', 'network', 'packages', 'kernel-modules', 'sysctl', 'kernel-cmdline', 'swap', 'kubernetes-binaries', 'container-runtime', 'reboot-check', 'kubeadm', 'cni', 'access', 'finish']);
    expect(n.phases.find((ph) => ph.id === 'kubernetes-binaries')).toEqual({ id: 'kubernetes-binaries', title: 'Kubernetes binaries', fn: 'phase_kubernetes_binaries', network: true });
    expect(n.kubernetesPackages).toBeNull();
    const script = renderSetupScript(planOf(spec()), n);
    expect(script).toContain('phase_kubernetes_binaries()');
    expect(script).not.toContain('phase_kubernetes_packages');
    expect(script).not.toContain('pkgs.k8s.io');
  });

  it('install: packages (the default) plans no binaries and keeps its phase', () => {
    const n = node(planOf(spec((s) => delete s.kubernetes.install)), 'cp-1');
    expect(n.kubernetesBinaries).toBeNull();
    expect(n.kubernetesPackages!.names).toEqual(['kubeadm', 'kubectl', 'kubelet']);
    expect(n.phases.map((ph) => ph.id)).toContain('kubernetes-packages');
    expect(n.phases.map((ph) => ph.id)).not.toContain('kubernetes-binaries');
  });

  it('the packages the kubelet and kubeadm packages depend on are base packages either way', () => {
    // kubeadm's preflight: ip and tc (iproute2), iptables, ebtables, ethtool, socat, conntrack;
    // mount and nsenter come with the essential mount and util-linux packages.
    const n = node(planOf(spec()), 'worker-1');
    for (const p of ['conntrack', 'ebtables', 'ethtool', 'iproute2', 'iptables', 'socat']) expect(n.packages.required).toContain(p);
  });
});

describe('install: binaries — checks', () => {
  it('a version the catalog lacks without digests: one error per binary at install, naming the entry to add', () => {
    const d = diagnosticsOf(spec((s) => (s.kubernetes.version = '1.37.1')));
    expect(d.map((x) => [x.code, x.severity, x.path.join('.')])).toEqual([
      ['PICC212', 'error', 'spec.kubernetes.install'],
      ['PICC212', 'error', 'spec.kubernetes.install'],
      ['PICC212', 'error', 'spec.kubernetes.install'],
    ]);
    expect(d.map((x) => x.message).sort()).toEqual(['kubeadm', 'kubectl', 'kubelet'].map((b) => `${b} 1.37.1 is not in picc's artifact catalog and no sha256 is given for amd64, arm64`));
    expect(d.find((x) => x.message.startsWith('kubelet'))!.hint).toContain('add to spec.components: kubelet: {version: "1.37.1", sha256: {amd64: <sha256 of https://dl.k8s.io/release/v1.37.1/bin/linux/amd64/kubelet>, arm64: <sha256 of https://dl.k8s.io/release/v1.37.1/bin/linux/arm64/kubelet>}}');
  });

  it('a Kubernetes version outside the supported range is reported once, not again per binary', () => {
    const d = diagnosticsOf(spec((s) => (s.kubernetes.version = '1.30.2')));
    expect(d.map((x) => x.code)).toEqual(['PICC211']);
  });

  it('a spec entry missing one arch is reported at the entry, for that arch only (the containerd rule)', () => {
    const d = diagnosticsOf(spec((s) => {
      s.kubernetes.version = '1.37.1';
      const both = () => ({ arm64: hex('1'), amd64: hex('2') }); // one object twice would be a YAML alias
      s.components = { kubeadm: { version: '1.37.1', sha256: both() }, kubelet: { version: '1.37.1', sha256: { arm64: hex('3') } }, kubectl: { version: '1.37.1', sha256: both() } };
    }));
    expect(d.map((x) => [x.code, x.path.join('.'), x.message])).toEqual([
      ['PICC212', 'spec.components.kubelet', "kubelet 1.37.1 is not in picc's artifact catalog and no sha256 is given for amd64"],
    ]);
  });

  it('a binary pinned at another version than spec.kubernetes.version is an error', () => {
    const d = diagnosticsOf(spec((s) => (s.components = { kubectl: '1.36.3' })));
    expect(d.map((x) => [x.code, x.severity, x.path.join('.')])).toEqual([['PICC213', 'error', 'spec.components.kubectl']]);
  });

  it('binaries entries with install: packages, and packageSigningKey with binaries, are unused: warnings', () => {
    const packages = diagnosticsOf(spec((s) => {
      s.kubernetes.install = 'packages';
      s.components = { kubelet: '1.36.4', crictl: '1.36.0', containerd: '2.3.4' };
    }));
    expect(packages.map((x) => [x.code, x.severity, x.path.join('.')])).toEqual([
      ['PICC220', 'warning', 'spec.components.kubelet'],
      ['PICC220', 'warning', 'spec.components.crictl'],
    ]);
    const binaries = diagnosticsOf(spec((s) => (s.kubernetes.packageSigningKey = '0123456789ABCDEF0123456789ABCDEF01234567')));
    expect(binaries.map((x) => [x.code, x.severity, x.path.join('.')])).toEqual([['PICC220', 'warning', 'spec.kubernetes.packageSigningKey']]);
  });

  it('long version lists are shortened to runs in hints; short ones stay as they are', () => {
    expect(knownVersionsText('kubeadm')).toBe('1.34.0–1.34.11, 1.35.0–1.35.8, 1.36.0–1.36.4');
    expect(knownVersionsText('runc')).toBe('1.2.7, 1.2.8, 1.2.9, 1.3.4, 1.3.5, 1.3.6, 1.4.1, 1.4.2, 1.4.3');
  });
});
