// picc mirror's pieces: the cluster's images (kubeadm's table, the CNI's and kube-vip's
// pins, and what picc says it cannot know), the HOST/PATH guard, the kit's files, and the
// command in-process (files and modes, JSON, no secrets file written, a user's file never
// written over).

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMirror } from '../../src/cli/mirror.js';
import { compile } from '../../src/index.js';
import { downloadScript, fetchesTsv, imagesText, isMirrorFile, mirrorFiles, MIRROR_FILES } from '../../src/mirror/mirror-files.js';
import { mirrorPath, mirrorPlan } from '../../src/mirror/mirror-plan.js';
import { clusterImages } from '../../src/plan/cluster-images.js';
import { clusterFetches, nodeFetches } from '../../src/plan/downloads.js';
import { loadCase, secretsName, specName } from '../golden/cases.js';
import { runCommand } from './cli-harness.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'homelab.yaml');

function planOf(name: string, edit: (spec: string) => string = (s) => s) {
  const c = loadCase(name);
  const r = compile(specName(c), edit(c.specText), secretsName(c), c.secretsText);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.plan!;
}

describe('clusterImages', () => {
  it("lists kubeadm's images for a release in its table, with etcd, CoreDNS and pause", () => {
    const plan = planOf('homelab');
    expect(plan.kubernetes.version).toBe('1.34.2');
    const images = clusterImages(plan);
    expect(images.known.map((i) => i.image)).toEqual([
      'ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3',
      'ghcr.io/flannel-io/flannel:v0.28.9',
      'registry.k8s.io/coredns/coredns:v1.12.1',
      'registry.k8s.io/etcd:3.6.5-0',
      'registry.k8s.io/kube-apiserver:v1.34.2',
      'registry.k8s.io/kube-controller-manager:v1.34.2',
      'registry.k8s.io/kube-proxy:v1.34.2',
      'registry.k8s.io/kube-scheduler:v1.34.2',
      'registry.k8s.io/pause:3.10.1',
    ]);
    expect(images.unknown).toEqual([]);
    expect(images.platforms).toEqual(['linux/arm64']);
    expect(images.known.find((i) => i.image.includes('etcd'))!.nodes).toBe('control planes');
  });

  it('says so, and guesses nothing, for a release missing from the table', () => {
    const images = clusterImages(planOf('binaries'));
    expect(images.known.some((i) => /etcd|coredns|pause/.test(i.image))).toBe(false);
    expect(images.known.map((i) => i.image)).toContain('registry.k8s.io/kube-apiserver:v1.36.4');
    expect(images.unknown).toEqual([expect.objectContaining({ howToFind: 'kubeadm config images list --kubernetes-version v1.36.4' })]);
  });

  it("lists calico's and cilium's images as not known, flannel's and kube-vip's by their pins", () => {
    expect(clusterImages(planOf('calico')).unknown.map((u) => u.what)).toContain("calico 3.32.1's images");
    expect(clusterImages(planOf('cilium')).unknown.map((u) => u.what)).toContain("Cilium's images");
    expect(clusterImages(planOf('calico')).known.some((i) => i.pulledBy === 'flannel')).toBe(false);
    const ha = clusterImages(planOf('ha')).known.find((i) => i.pulledBy === 'kube-vip')!;
    expect(ha.image).toMatch(/^ghcr\.io\/kube-vip\/kube-vip:v[\d.]+@sha256:[0-9a-f]{64}$/);
    expect(clusterImages(planOf('homelab')).known.some((i) => i.pulledBy === 'kube-vip')).toBe(false);
  });

  it('names every platform of a mixed cluster', () => {
    const plan = planOf('mixed-os');
    expect(clusterImages(plan).platforms).toEqual([...new Set(plan.nodes.map((n) => `linux/${n.arch}`))].sort());
  });
});

describe('clusterFetches and the mirror plan', () => {
  it('has one entry per URL with every node that fetches it, sorted by upstream address', () => {
    const plan = planOf('mixed-os');
    const fetches = clusterFetches(plan);
    expect(new Set(fetches.map((f) => f.url)).size).toBe(fetches.length);
    const upstreams = fetches.map((f) => f.upstream);
    expect(upstreams).toEqual([...upstreams].sort());
    for (const node of plan.nodes) {
      const own = nodeFetches(node, plan.mirror).map((f) => f.url).sort();
      expect(fetches.filter((f) => f.nodes.includes(node.name)).map((f) => f.url).sort(), node.name).toEqual(own);
    }
    // mixed-os has two architectures: some files are not every node's.
    expect(fetches.some((f) => f.nodes.length < plan.nodes.length)).toBe(true);
  });

  it('puts sha256 files in the download list and the apt repository apart; binaries need no apt', () => {
    const packages = mirrorPlan(planOf('homelab'));
    expect(packages.apt.map((a) => a.path)).toEqual(['pkgs.k8s.io/core:/stable:/v1.34/deb/', 'pkgs.k8s.io/core:/stable:/v1.34/deb/Release.key']);
    expect(packages.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    const binaries = mirrorPlan(planOf('binaries'));
    expect(binaries.apt).toEqual([]);
    expect(binaries.files.map((f) => f.fetch.name)).toEqual(expect.arrayContaining(['kubeadm', 'kubelet', 'kubectl']));
  });

  it('maps through the mirror: the node asks MIRROR/HOST/PATH, the kit fetches https://HOST/PATH into HOST/PATH', () => {
    const m = mirrorPlan(planOf('mixed-os'));
    expect(m.mirror).toBe('http://192.168.1.10:8080/');
    for (const f of m.files) {
      expect(f.fetch.url).toBe(`http://192.168.1.10:8080/${f.path}`);
      expect(f.fetch.upstream).toBe(`https://${f.path}`);
    }
  });

  it('refuses a path that could leave the mirror folder or is no plain https file', () => {
    expect(mirrorPath('https://dl.k8s.io/release/v1.36.4/bin/linux/arm64/kubeadm')).toBe('dl.k8s.io/release/v1.36.4/bin/linux/arm64/kubeadm');
    for (const bad of ['http://dl.k8s.io/x', 'https://dl.k8s.io/../etc/passwd', 'https://h/a//b', 'https://h/a/./b', 'https://h/x?y=1', 'https://h/x#y', 'https://h/a b', 'https://h/$(id)', 'https://h']) {
      expect(() => mirrorPath(bad), bad).toThrow();
    }
  });
});

describe('the kit', () => {
  it('is the same bytes every time, and holds nothing of the host', () => {
    const a = mirrorFiles(mirrorPlan(planOf('mixed-os')));
    const b = mirrorFiles(mirrorPlan(planOf('mixed-os')));
    expect(a).toEqual(b);
    expect(a.map((f) => f.path).sort()).toEqual(Object.values(MIRROR_FILES).sort());
    for (const f of a) expect(f.content).not.toContain(tmpdir());
  });

  it('writes fetches.tsv as a header and rows of eight tab-separated cells', () => {
    const lines = fetchesTsv(mirrorPlan(planOf('homelab'))).trimEnd().split('\n');
    expect(lines[0]).toBe('url\tupstream\tmirror path\tcheck\tmirrored by\tname\tversion\tnodes');
    for (const l of lines) expect(l.split('\t')).toHaveLength(8);
    expect(lines.filter((l) => l.includes('\tan apt mirroring tool\t'))).toHaveLength(2);
  });

  it("knows its own files from a user's", () => {
    const m = mirrorPlan(planOf('homelab'));
    for (const f of mirrorFiles(m)) expect(isMirrorFile(f.content), f.path).toBe(true);
    expect(imagesText(m).split('\n').filter((l) => l && !l.startsWith('#'))).toHaveLength(m.images.known.length);
    expect(isMirrorFile('# my notes about the lab\n')).toBe(false);
    expect(isMirrorFile('')).toBe(false);
  });
});

describe('picc mirror (in-process)', () => {
  let dir: string;
  const golden = loadCase('homelab');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'picc-mirror-'));
    cpSync(golden.specPath, join(dir, 'cluster.yaml'));
    cpSync(golden.secretsPath, join(dir, 'cluster.secrets.yaml'));
    chmodSync(join(dir, 'cluster.secrets.yaml'), 0o600);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  // The golden case's secrets file: making throw-away secrets takes seconds (one test does).
  const mirror = (format: 'human' | 'json', out = join(dir, 'kit'), secrets: string | undefined = join(dir, 'cluster.secrets.yaml')) =>
    runCommand('mirror', { format }, (r) => runMirror(join(dir, 'cluster.yaml'), r, { out, ...(secrets ? { secrets } : {}) }));

  it('writes the four files with their modes, prints the list, and writes no secrets file', async () => {
    cpSync(EXAMPLE, join(dir, 'cluster.yaml'));
    rmSync(join(dir, 'cluster.secrets.yaml'));
    const run = await mirror('human', join(dir, 'kit'), undefined);
    expect(run.code).toBe(0);
    const mode = (f: string) => (statSync(join(dir, 'kit', f)).mode & 0o777).toString(8);
    expect([MIRROR_FILES.script, MIRROR_FILES.fetches, MIRROR_FILES.images, MIRROR_FILES.readme].map(mode)).toEqual(['755', '644', '644', '644']);
    expect(run.stdout).toContain('https://github.com/opencontainers/runc/releases/download/');
    expect(run.stdout).toContain('registry.k8s.io/kube-apiserver:v1.34.2');
    expect(run.stderr).toContain('has no spec.mirror');
    expect(existsSync(join(dir, 'cluster.secrets.yaml'))).toBe(false);
    // Again: its own files are written over without complaint.
    expect((await mirror('human')).code).toBe(0);
  });

  it('gives the list and the images as JSON', async () => {
    const run = await mirror('json');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.fetches).toHaveLength(5);
    expect(doc.fetches.filter((f: { mirroredBy: string }) => f.mirroredBy === 'download.sh')).toHaveLength(3);
    expect(doc.fetches[0]).toEqual(expect.objectContaining({ url: expect.any(String), upstream: expect.any(String), path: expect.any(String), check: expect.stringMatching(/^(sha256|fingerprint|signed-by):/) }));
    expect(doc.images.known.length).toBe(9);
  });

  it("never writes over a file picc mirror did not write (PICC501), and writes nothing then", async () => {
    const kit = join(dir, 'kit');
    await mirror('human');
    writeFileSync(join(kit, 'README.txt'), 'my own notes\n');
    rmSync(join(kit, 'download.sh'));
    const run = await mirror('json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).diagnostics.map((d: { code: string }) => d.code)).toEqual(['PICC501']);
    expect(readFileSync(join(kit, 'README.txt'), 'utf8')).toBe('my own notes\n');
    expect(existsSync(join(kit, 'download.sh'))).toBe(false);
  });

  it('reports a bad spec as diagnostics, not an exception', async () => {
    writeFileSync(join(dir, 'cluster.yaml'), 'apiVersion: picc/v1alpha1\nkind: Cluster\nspec: {}\n');
    const run = await mirror('json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).diagnostics.length).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'kit'))).toBe(false);
  });

  it('reports a folder it cannot write as PICC503', async () => {
    writeFileSync(join(dir, 'file'), '');
    const run = await mirror('json', join(dir, 'file', 'kit'));
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).diagnostics.map((d: { code: string }) => d.code)).toEqual(['PICC503']);
  });
});

describe('download.sh with hostile values', () => {
  it('prints every value as given, whatever it holds (the sh filter), and runs nothing from it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picc-mirror-hostile-'));
    try {
      const hostile = `it's "$(touch ${join(dir, 'pwned')})" \`id\` $HOME; \\ tab\there`;
      const base = mirrorPlan(planOf('homelab'));
      const apt = base.apt[0]!;
      const m = { ...base, files: [], mirror: hostile, apt: [{ path: apt.path, fetch: { ...apt.fetch, name: hostile, upstream: `https://x/${hostile}` } }] };
      const script = join(dir, 'download.sh');
      writeFileSync(script, downloadScript(m));
      const run = spawnSync('bash', [script, join(dir, 'kit')], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`  https://x/${hostile}  ->  ${join(dir, 'kit')}/${apt.path}  (${hostile})\n`);
      expect(run.stdout).toContain(`at ${hostile} (spec.mirror).\n`);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
