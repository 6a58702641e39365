// Every component pin without a digest is PICC212 at the pin, never an exception from the
// plan (exit 3): each component, each way of writing a pin, and a digest missing only for
// an arch the cluster uses. Pins the catalog knows compile.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPath } from '../../src/diagnostics/diagnostic.js';
import { compile } from '../../src/index.js';

const SECRETS = readFileSync('test/golden/homelab/cluster.secrets.yaml', 'utf8');
const SHA = 'e'.repeat(64);

function spec(components: string, { cni = 'cilium', amd64 = false } = {}): string {
  return `apiVersion: picc/v1alpha1
kind: Cluster
metadata:
  name: homelab
spec:
  kubernetes:
    version: 1.34.2
    cni: ${cni}
  network:
    subnet: 192.168.1.0/24
    gateway: 192.168.1.1
    dns: [192.168.1.1]
  nodeDefaults:
    os: ubuntu-24.04
  components:
${components}
  nodes:
    - name: cp-1
      role: control-plane
      address: 192.168.1.101
    - name: worker-1
      address: 192.168.1.111${amd64 ? '\n      arch: amd64' : ''}
`;
}

function run(text: string) {
  const r = compile('cluster.yaml', text, 'cluster.secrets.yaml', SECRETS);
  return { r, errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${formatPath(d.path)}`) };
}

const COMPONENTS = [['containerd', '2.3.4'], ['runc', '1.4.3'], ['cniPlugins', '1.9.1'], ['ciliumCli', '0.19.7']] as const;

describe('a pin without a digest is PICC212, never an exception', () => {
  // An unknown version that is otherwise fine (containerd 2.3.x supports Kubernetes 1.34).
  const unknown = (c: string) => (c === 'containerd' ? '2.3.99' : '9.9.9');
  const forms: [string, (c: string) => string, boolean][] = [
    ['an unknown version string', (c) => `    ${c}: ${unknown(c)}`, false],
    ['{version} without sha256', (c) => `    ${c}: { version: ${unknown(c)} }`, false],
    ['{version, sha256: {}}', (c) => `    ${c}: { version: ${unknown(c)}, sha256: {} }`, false],
    ['a digest for arm64 only, with an amd64 node', (c) => `    ${c}: { version: ${unknown(c)}, sha256: { arm64: ${SHA} } }`, true],
    ['a digest for amd64 only, with arm64 nodes', (c) => `    ${c}: { version: ${unknown(c)}, sha256: { amd64: ${SHA} } }`, false],
  ];
  for (const [field] of COMPONENTS) {
    it.each(forms)(`${field}: %s`, (_name, pin, amd64) => {
      const { r, errors } = run(spec(pin(field), { amd64 }));
      expect(errors).toEqual([`PICC212 spec.components.${field}`]);
      expect(r.artifacts).toBeUndefined();
    });
  }

  it('calico pinned to a version the catalog does not know, without digests', () => {
    const { r, errors } = run(spec('    calico: 3.30.3', { cni: 'calico' }));
    expect(errors).toEqual(['PICC212 spec.components.calico']);
    expect(r.artifacts).toBeUndefined();
  });
});

describe('pins that have digests compile', () => {
  it.each(COMPONENTS)('%s pinned to a catalog version (%s), both arches in use', (field, version) => {
    const { r, errors } = run(spec(`    ${field}: ${version}`, { amd64: true }));
    expect(errors).toEqual([]);
    expect(r.artifacts?.length).toBeGreaterThan(0);
  });

  it('an unknown version with digests for every arch the cluster uses', () => {
    const { r, errors } = run(spec(`    containerd: { version: 2.3.99, sha256: { arm64: ${SHA}, amd64: ${SHA} } }`, { amd64: true }));
    expect(errors).toEqual([]);
    expect(r.artifacts?.some((a) => a.content.includes(SHA))).toBe(true);
  });

  it("cni: calico with no components entry: the catalog's release, both manifests pinned", () => {
    const { r, errors } = run(spec('    containerd: 2.3.4', { cni: 'calico' }));
    expect(errors).toEqual([]);
    const script = r.artifacts!.find((a) => a.path.endsWith('/setup.sh') && a.content.includes('tigera-operator'))!.content;
    expect(script).toContain('/v3.32.1/manifests/tigera-operator.yaml');
    expect(script).toContain('/v3.32.1/manifests/operator-crds.yaml');
  });

  it.each(['3.29.7', '3.30.7', '3.31.7', '3.32.0', '3.32.1'])('calico pinned to catalog release %s', (version) => {
    const { errors } = run(spec(`    calico: ${version}`, { cni: 'calico' }));
    expect(errors).toEqual([]);
  });

  it('calico: any version with the digests of both manifests', () => {
    const { r, errors } = run(spec(`    calico: { version: 3.33.0, sha256: { operatorCrds: ${SHA}, tigeraOperator: ${SHA} } }`, { cni: 'calico' }));
    expect(errors).toEqual([]);
    expect(r.artifacts?.some((a) => a.content.includes(`/v3.33.0/manifests/operator-crds.yaml`) && a.content.includes(SHA))).toBe(true);
  });
});
