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
import { clusterFacts, compareFacts } from '../../src/plan/facts.js';
import { runCommand } from './cli-harness.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'homelab.yaml');
const SECRETS = join(import.meta.dirname, '..', 'golden', 'homelab', 'cluster.secrets.yaml');
const result = compile('homelab.yaml', readFileSync(EXAMPLE, 'utf8'), 'homelab.secrets.yaml', readFileSync(SECRETS, 'utf8'));
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
    const run = await runCommand('plan', { format: 'json' }, (r) => runPlan(join(dir, 'cluster.yaml'), r, { out: join(dir, 'out') }));
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
    const run = await runCommand('plan', { format: 'human' }, (r) => runPlan(spec, r, { out: join(dir, 'out'), secrets: SECRETS }));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/cluster\.yaml:\d+:\d+/);
  });
});

describe('plan against the previous compile (picc-facts.json)', () => {
  const specText = readFileSync(EXAMPLE, 'utf8');
  const secretsText = readFileSync(SECRETS, 'utf8');
  const planOf = (spec: string, secrets = secretsText) => compile('homelab.yaml', spec, 'homelab.secrets.yaml', secrets).plan!;
  const before = clusterFacts(planOf(specText));

  it('a board added: the new node, and on every other board only the hosts block', () => {
    const grown = planOf(`${specText}    - name: k8s-worker-8\n      address: 192.168.1.108\n`);
    const changes = compareFacts(before, clusterFacts(grown));
    expect(changes.find((c) => c.node === 'k8s-worker-8')?.change).toBe('new');
    expect(changes.filter((c) => c.node !== 'k8s-worker-8').map((c) => [c.node, c.facets.map((f) => f.facet)])).toEqual(
      ['k8s-master-1', 'k8s-worker-3', 'k8s-worker-4', 'k8s-worker-5', 'k8s-worker-6', 'k8s-worker-7'].map((n) => [n, ['hosts']]),
    );
    const lines = planLines(planView(grown, true, { folder: 'out/homelab', facts: before }), 'homelab.yaml');
    expect(lines.slice(lines.indexOf('Against the output in out/homelab/ (compiled for Kubernetes 1.34.2)'))).toEqual([
      'Against the output in out/homelab/ (compiled for Kubernetes 1.34.2)',
      '  new: k8s-worker-8: set up from the card (picc boot) or with its setup.sh',
      '  files changed for k8s-master-1, k8s-worker-3, k8s-worker-4, k8s-worker-5, k8s-worker-6, k8s-worker-7:',
      '    hosts: its /etc/hosts block lists every node by name; re-run setup.sh to add the new names (Kubernetes itself does not need them)',
    ]);
  });

  it('a rotated token changes only the join material, which joined boards ignore', async () => {
    const { rotateToken } = await import('../../src/secrets/generate.js');
    const { parseSecrets, serializeSecrets } = await import('../../src/secrets/file.js');
    const rotated = serializeSecrets(rotateToken(parseSecrets('s', secretsText).value!));
    const changes = compareFacts(before, clusterFacts(planOf(specText, rotated)));
    expect(new Set(changes.map((c) => c.facets.map((f) => f.facet).join()))).toEqual(new Set(['join']));
    expect(changes[0]!.facets[0]!.meaning).toMatch(/only a board not yet joined uses it/);
  });

  it('the same spec again: nothing changes', () => {
    const lines = planLines(planView(planOf(specText), true, { folder: 'out/homelab', facts: before }), 'homelab.yaml');
    expect(lines.at(-2)).toBe('  unchanged: k8s-master-1, k8s-worker-3, k8s-worker-4, k8s-worker-5, k8s-worker-6, k8s-worker-7');
    expect(lines.at(-1)).toBe('  nothing changes: no board needs its files again');
  });
});
