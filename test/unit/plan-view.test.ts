// `picc plan`: the cluster facts and per-node work as data (the JSON answer) and as lines
// for people, from the example spec; nodes doing the same work are printed once; with no
// secrets file nothing is written and the CA is shown as not created yet.

import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/cli/commands.js';
import { planLines, planView } from '../../src/cli/plan-view.js';
import { compile } from '../../src/index.js';
import { runCommand } from './cli-harness.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'homelab.yaml');
const result = compile('homelab.yaml', readFileSync(EXAMPLE, 'utf8'), 'homelab.secrets.yaml', readFileSync(EXAMPLE.replace(/\.yaml$/, '.secrets.yaml'), 'utf8'));
const view = planView(result.plan!, true);

describe('planView', () => {
  it('has the cluster facts the issue names', () => {
    expect(view.kubernetes).toMatchObject({ version: '1.34.2', install: 'packages', endpoint: 'https://192.168.1.101:6443', cni: 'flannel', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' });
    expect(view.ca?.certHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(view.ca?.certHash).toBe(result.plan!.kubernetes.caCertHash);
    expect(view.bootstrapToken).toEqual({ ttl: '24h0m0s', from: 'k8s-master-1' });
    expect(view.mirror).toBeNull();
  });

  it('gives every node its role, address, delivery, phases and fetches', () => {
    const cp = view.nodes.find((n) => n.name === 'k8s-master-1')!;
    const worker = view.nodes.find((n) => n.name === 'k8s-worker-3')!;
    expect(cp).toMatchObject({ join: 'init', os: 'raspios-bookworm', address: '192.168.1.101/24', interface: 'eth0', delivery: 'first-boot' });
    expect(cp.phases).toContain('pod network');
    expect(worker.phases).not.toContain('pod network');
    expect(cp.fetches.map((f) => f.name)).toEqual(['Kubernetes apt repository key', 'Kubernetes apt repository (kubeadm, kubectl, kubelet)', 'containerd', 'runc', 'cni-plugins']);
    expect(cp.fetches.find((f) => f.name === 'containerd')!.check).toEqual({ sha256: result.plan!.nodes[0]!.runtime.containerd.sha256 });
  });

  it('prints the five workers once, after the control plane', () => {
    const lines = planLines(view, 'homelab.yaml');
    const heads = lines.filter((l) => l.startsWith('setup.sh on '));
    expect(heads).toEqual(['setup.sh on k8s-master-1', 'setup.sh on k8s-worker-3, k8s-worker-4, k8s-worker-5, k8s-worker-6, k8s-worker-7']);
  });
});

describe('picc plan', () => {
  it('with no secrets file: shows the plan, says the CA is not created, writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picc-plan-'));
    cpSync(EXAMPLE, join(dir, 'cluster.yaml'));
    const run = await runCommand('plan', { format: 'json' }, (r) => runPlan(join(dir, 'cluster.yaml'), r, {}));
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.plan.ca).toBeNull();
    expect(doc.plan.nodes).toHaveLength(6);
    expect(existsSync(join(dir, 'cluster.secrets.yaml'))).toBe(false);
  }, 30_000);

  it('a spec with an error: exit 1 and the diagnostic, no plan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picc-plan-'));
    const spec = join(dir, 'cluster.yaml');
    cpSync(EXAMPLE, spec);
    const text = readFileSync(spec, 'utf8').replace('address: 192.168.1.103', 'address: 192.168.1.300');
    (await import('node:fs')).writeFileSync(spec, text);
    const run = await runCommand('plan', { format: 'human' }, (r) => runPlan(spec, r, { secrets: EXAMPLE.replace(/\.yaml$/, '.secrets.yaml') }));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/cluster\.yaml:\d+:\d+/);
  });
});
