// `picc compile --check` (in-process): exit 0 on an output folder that is what the spec
// compiles to, one PICC504 per differing file otherwise (content, mode, missing, stale),
// the user's own files ignored, and nothing written — not even a missing secrets file.
// And the summary compile prints: the next step for each way a board is reached.

import { appendFileSync, chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompile } from '../../src/cli/commands.js';
import { compileSummary } from '../../src/cli/compile-summary.js';
import { readTree } from '../golden/cases.js';
import { compileCase, compileOptions, loadCase } from '../golden/cases.js';
import { compile } from '../../src/index.js';
import { runCommand } from './cli-harness.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'homelab.yaml');
const SECRETS = join(import.meta.dirname, '..', 'golden', 'homelab', 'cluster.secrets.yaml');

let dir: string;
const spec = () => join(dir, 'cluster.yaml');
const out = () => join(dir, 'out');
const check = () => runCommand('compile', { format: 'json' }, (r) => runCompile(spec(), r, { out: out(), check: true }));
const codes = (stdout: string) => (JSON.parse(stdout).diagnostics as { code: string; file: string; message: string }[]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'picc-check-'));
  cpSync(EXAMPLE, spec());
  cpSync(SECRETS, join(dir, 'cluster.secrets.yaml'));
  chmodSync(join(dir, 'cluster.secrets.yaml'), 0o600);
  const first = await runCommand('compile', { format: 'human' }, (r) => runCompile(spec(), r, { out: out() }));
  expect(first.code, first.stderr).toBe(0);
}, 30_000);

describe('compile --check', () => {
  it('passes on the output compile just wrote', async () => {
    const run = await check();
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, upToDate: true });
  });

  it('names every differing file with the reason, writes nothing, ignores the user\'s files', async () => {
    const folder = join(out(), 'homelab');
    appendFileSync(join(folder, 'k8s-worker-3', 'meta-data'), 'edited\n');
    chmodSync(join(folder, 'k8s-master-1', 'setup.sh'), 0o755);
    rmSync(join(folder, 'k8s-worker-4', 'user-data'));
    writeFileSync(join(folder, 'NOTES.md'), 'mine\n');
    const before = readTree(dir).map((f) => [f.path, f.bytes.toString('base64')]);
    const run = await check();
    expect(run.code).toBe(1);
    expect(codes(run.stdout).map((d) => [d.code, d.file.slice(folder.length + 1), d.message.split(': ').at(-1)])).toEqual([
      ['PICC504', 'k8s-master-1/setup.sh', 'its mode differs'],
      ['PICC504', 'k8s-worker-3/meta-data', 'its content differs'],
      ['PICC504', 'k8s-worker-4/user-data', 'missing'],
    ]);
    expect(readTree(dir).map((f) => [f.path, f.bytes.toString('base64')])).toEqual(before);
  });

  it('calls a file an earlier compile wrote and this one would delete stale', async () => {
    const fewer = readFileSync(EXAMPLE, 'utf8').replace(/    - name: k8s-worker-7\n      address: 192\.168\.1\.107\n/, '');
    expect(fewer).not.toContain('k8s-worker-7');
    writeFileSync(spec(), fewer);
    const run = await check();
    const stale = codes(run.stdout).filter((d) => d.message.endsWith('compile would delete it'));
    expect(stale.map((d) => d.file.split('/').slice(-2).join('/')).sort()).toEqual(['k8s-worker-7/meta-data', 'k8s-worker-7/network-config', 'k8s-worker-7/reset.sh', 'k8s-worker-7/setup.sh', 'k8s-worker-7/user-data', 'k8s-worker-7/first-boot.sh'].sort());
    cpSync(EXAMPLE, spec());
  });

  it('refuses without a secrets file, and creates none', async () => {
    const lone = mkdtempSync(join(tmpdir(), 'picc-check-'));
    cpSync(EXAMPLE, join(lone, 'cluster.yaml'));
    const run = await runCommand('compile', { format: 'json' }, (r) => runCompile(join(lone, 'cluster.yaml'), r, { out: join(lone, 'out'), check: true }));
    expect(run.code).toBe(1);
    expect(codes(run.stdout).map((d) => d.code)).toEqual(['PICC505']);
    expect(existsSync(join(lone, 'cluster.secrets.yaml'))).toBe(false);
    expect(existsSync(join(lone, 'out'))).toBe(false);
  });
});

describe('compile summary', () => {
  it('gives each delivery path its next step, quoting paths for the shell', () => {
    const c = loadCase('mixed-os');
    const result = compile('x', c.specText, 'y', c.secretsText);
    expect(compileCase(c).length).toBeGreaterThan(0);
    const lines = compileSummary({ plan: result.plan!, spec: 'my lab/cluster.yaml', folder: 'out dir/mixed-os', files: 30, kept: 1 });
    expect(lines[0]).toBe('picc: wrote 30 files for 6 nodes to out dir/mixed-os/ (1 other file there left alone)');
    const text = lines.join('\n');
    expect(text).toContain("w-bookworm-wifi, w-bullseye, w-bullseye-wifi: flash the OS image");
    expect(text).toContain("cp-trixie, w-jammy, w-noble-amd64: flash the OS image");
    expect(text).toContain("picc boot 'my lab/cluster.yaml' <node> <boot partition>   (writes the first-boot script)");
    expect(text).toContain("picc boot 'my lab/cluster.yaml' <node> <boot partition>   (writes the cloud-init seed)");
    expect(text).toContain("ansible-playbook -i 'out dir/mixed-os/ansible/inventory.yaml' 'out dir/mixed-os/ansible/site.yml'");
    expect(text).toContain("Then, from this machine: picc verify 'my lab/cluster.yaml'   (or KUBECONFIG='out dir/mixed-os/admin.kubeconfig' kubectl get nodes)");
    expect(text).not.toContain('upgrade');
  });

  it('puts upgrade.sh and the upgrade playbook first when the cluster moves to a new version', () => {
    const c = loadCase('upgrade');
    const result = compile('x', c.specText, 'y', c.secretsText, compileOptions(c));
    const lines = compileSummary({ plan: result.plan!, spec: 'cluster.yaml', folder: 'out/homelab', files: 50, kept: 0 });
    const text = lines.join('\n');
    expect(text).toContain("Upgrade from Kubernetes 1.35.2 to 1.36.4: on the boards that run the cluster, upgrade.sh in kubeadm's order");
    expect(text).toContain('ansible-playbook -i out/homelab/ansible/inventory.yaml out/homelab/ansible/upgrade.yml');
    expect(text).toContain('the order, node by node: picc plan cluster.yaml');
    // flashing is for the boards not set up yet, after the upgrade
    expect(text.indexOf('upgrade.yml')).toBeLessThan(text.indexOf('A board not set up yet (it joins at the new version):'));
  });
});
