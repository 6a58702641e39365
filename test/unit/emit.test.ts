// Stage 6 (emit): artifacts written into a staging folder with exact modes and moved in;
// picc replaces only what its manifest says it wrote, never deletes the user's files, refuses
// a folder it did not make or one holding the spec, and touches nothing when it refuses.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputRefused, emit, stageOutput } from '../../src/emit.js';
import { MANIFEST_NAME, parseManifest } from '../../src/manifest.js';
import type { Artifact } from '../../src/render/render.js';

let dir: string;
let savedUmask: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'picc-emit-'));
  savedUmask = process.umask();
});

afterEach(() => {
  process.umask(savedUmask);
  rmSync(dir, { recursive: true, force: true });
});

const ARTIFACTS: Artifact[] = [
  { path: 'lab/admin.kubeconfig', mode: 0o600, content: 'kubeconfig\n' },
  { path: 'lab/cp-1/setup.sh', mode: 0o700, content: '#!/usr/bin/env bash\necho cp-1\n' },
  { path: 'lab/cp-1/user-data', mode: 0o600, content: '#cloud-config\n' },
  { path: 'lab/cp-1/meta-data', mode: 0o644, content: 'instance-id: x\n' },
  { path: 'lab/cp-1/network-config', mode: 0o644, content: 'network: {}\n' },
];

/** Every file under a folder: relative path → [mode, content]. */
function tree(root: string): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(root, p)] = [(statSync(p).mode & 0o7777).toString(8), readFileSync(p, 'utf8')];
    }
  };
  walk(root);
  return out;
}

describe('emit', () => {
  it.each([
    ['a restrictive umask (077)', 0o077],
    ['a permissive umask (000)', 0o000],
    ['the usual umask (022)', 0o022],
  ])('writes every file with its exact mode under %s', async (_name, umask) => {
    process.umask(umask);
    const out = join(dir, 'out');
    const folder = await emit(out, 'lab', ARTIFACTS);
    expect(folder).toBe(join(out, 'lab'));
    expect(tree(out)).toEqual({
      'lab/admin.kubeconfig': ['600', 'kubeconfig\n'],
      'lab/cp-1/setup.sh': ['700', '#!/usr/bin/env bash\necho cp-1\n'],
      'lab/cp-1/user-data': ['600', '#cloud-config\n'],
      'lab/cp-1/meta-data': ['644', 'instance-id: x\n'],
      'lab/cp-1/network-config': ['644', 'network: {}\n'],
      [`lab/${MANIFEST_NAME}`]: ['644', expect.any(String)],
    });
  });

  it('refuses an output folder in a kernel pseudo-filesystem before writing anything', async () => {
    await expect(emit('/proc/picc-out', 'lab', [{ path: 'lab/a/setup.sh', mode: 0o700, content: 'x\n' }])).rejects.toMatchObject({ code: 'PICC503' });
    expect(existsSync('/proc/picc-out')).toBe(false);
  });

  it('creates the output folder when it does not exist', async () => {
    const out = join(dir, 'a', 'b', 'out');
    await emit(out, 'lab', ARTIFACTS);
    expect(existsSync(join(out, 'lab', 'cp-1', 'setup.sh'))).toBe(true);
  });

  it('replaces its own previous output: files it no longer produces are gone', async () => {
    const out = join(dir, 'out');
    await emit(out, 'lab', [...ARTIFACTS, { path: 'lab/old-node/setup.sh', mode: 0o700, content: 'stale\n' }]);
    await emit(out, 'lab', ARTIFACTS);
    expect(Object.keys(tree(join(out, 'lab'))).sort()).toEqual(['admin.kubeconfig', 'cp-1/meta-data', 'cp-1/network-config', 'cp-1/setup.sh', 'cp-1/user-data', MANIFEST_NAME]);
  });

  it('writes a manifest naming every file it wrote with its mode and sha256, and nothing else', async () => {
    const out = join(dir, 'out');
    await emit(out, 'lab', ARTIFACTS);
    const manifest = parseManifest(readFileSync(join(out, 'lab', MANIFEST_NAME), 'utf8'))!;
    expect([...manifest.files.keys()]).toEqual(['admin.kubeconfig', 'cp-1/meta-data', 'cp-1/network-config', 'cp-1/setup.sh', 'cp-1/user-data']);
    expect(manifest.files.get('cp-1/setup.sh')).toEqual({ mode: '0700', sha256: createHash('sha256').update('#!/usr/bin/env bash\necho cp-1\n').digest('hex') });
  });

  it('writes a file given as parts, and one larger than its encoding buffer, byte for byte with their digests', async () => {
    const out = join(dir, 'out');
    // Multi-byte characters, and parts whose UTF-8 outgrows the buffer emit starts with (1 MiB).
    const big = ['#!/bin/sh\n', `# — ${'é€😀'.repeat(150_000)}\n`, 'x'.repeat(700_000), '\necho —\n'];
    const joined = big.join('');
    const parts: Artifact = { path: 'lab/cp-1/setup.sh', mode: 0o700, parts: big, content: joined };
    await emit(out, 'lab', [parts, { path: 'lab/cp-1/user-data', mode: 0o600, content: joined }]);
    for (const name of ['setup.sh', 'user-data']) {
      const bytes = readFileSync(join(out, 'lab', 'cp-1', name));
      expect(bytes.equals(Buffer.from(joined, 'utf8'))).toBe(true);
      const manifest = parseManifest(readFileSync(join(out, 'lab', MANIFEST_NAME), 'utf8'))!;
      expect(manifest.files.get(`cp-1/${name}`)?.sha256).toBe(createHash('sha256').update(joined, 'utf8').digest('hex'));
    }
  });

  it("keeps the user's files in a folder picc made (a .git, notes) and still drops picc's stale ones", async () => {
    const out = join(dir, 'out');
    await emit(out, 'lab', [...ARTIFACTS, { path: 'lab/old-node/setup.sh', mode: 0o700, content: 'stale\n' }]);
    mkdirSync(join(out, 'lab', '.git', 'objects'), { recursive: true });
    writeFileSync(join(out, 'lab', '.git', 'HEAD'), 'ref\n');
    writeFileSync(join(out, 'lab', 'cp-1', 'notes.txt'), 'mine\n');
    const staged = await stageOutput(out, 'lab', ARTIFACTS);
    expect(staged.kept).toEqual(['.git/', 'cp-1/notes.txt']);
    await staged.commit();
    const files = tree(join(out, 'lab'));
    expect(files['.git/HEAD']).toEqual(['644', 'ref\n']);
    expect(files['cp-1/notes.txt']).toEqual(['644', 'mine\n']);
    expect(files['old-node/setup.sh']).toBeUndefined();
    expect(existsSync(join(out, 'lab', 'old-node'))).toBe(false);
    expect(files['cp-1/setup.sh']).toEqual(['700', '#!/usr/bin/env bash\necho cp-1\n']);
  });

  it('refuses a folder it did not make (no manifest), touching nothing; --force writes beside and deletes nothing', async () => {
    const out = join(dir, 'out');
    mkdirSync(join(out, 'lab', 'cp-1'), { recursive: true });
    writeFileSync(join(out, 'lab', 'cluster.yaml'), 'mine\n');
    writeFileSync(join(out, 'lab', 'cp-1', 'setup.sh'), 'my own script\n');
    const before = tree(dir);
    await expect(emit(out, 'lab', ARTIFACTS)).rejects.toMatchObject({ code: 'PICC501', message: expect.stringContaining('cluster.yaml') });
    expect(tree(dir)).toEqual(before);
    await emit(out, 'lab', ARTIFACTS, { force: true });
    const after = tree(join(out, 'lab'));
    expect(after['cluster.yaml']).toEqual(['644', 'mine\n']);
    expect(after['cp-1/setup.sh']).toEqual(['700', '#!/usr/bin/env bash\necho cp-1\n']);
  });

  it('refuses to overwrite a file of its own that was changed by hand; --force overwrites it', async () => {
    const out = join(dir, 'out');
    await emit(out, 'lab', ARTIFACTS);
    writeFileSync(join(out, 'lab', 'cp-1', 'setup.sh'), 'edited\n');
    const before = tree(dir);
    await expect(emit(out, 'lab', ARTIFACTS)).rejects.toMatchObject({ code: 'PICC501', message: expect.stringContaining('cp-1/setup.sh (changed since picc wrote it)') });
    expect(tree(dir)).toEqual(before);
    await emit(out, 'lab', ARTIFACTS, { force: true });
    expect(readFileSync(join(out, 'lab', 'cp-1', 'setup.sh'), 'utf8')).toBe('#!/usr/bin/env bash\necho cp-1\n');
  });

  it('refuses an output folder that holds the spec or its secrets file, even one picc made', async () => {
    const out = join(dir, 'out');
    await emit(out, 'lab', ARTIFACTS);
    const spec = join(out, 'lab', 'cluster.yaml');
    writeFileSync(spec, 'spec\n');
    const before = tree(dir);
    const refusal = emit(out, 'lab', ARTIFACTS, { protect: [spec, join(out, 'lab', 'cluster.secrets.yaml')] });
    await expect(refusal).rejects.toBeInstanceOf(OutputRefused);
    await expect(refusal).rejects.toMatchObject({ code: 'PICC502', message: expect.stringContaining(spec) });
    expect(tree(dir)).toEqual(before);
  });

  it('never writes over the spec, even with --force', async () => {
    const out = join(dir, 'out');
    mkdirSync(join(out, 'lab'), { recursive: true });
    const spec = join(out, 'lab', 'admin.kubeconfig');
    writeFileSync(spec, 'spec\n');
    await expect(emit(out, 'lab', ARTIFACTS, { force: true, protect: [spec] })).rejects.toMatchObject({ code: 'PICC502' });
    expect(readFileSync(spec, 'utf8')).toBe('spec\n');
  });

  it('takes an empty folder as its own, and refuses a file where its folder should be', async () => {
    const out = join(dir, 'out');
    mkdirSync(join(out, 'lab'), { recursive: true });
    await emit(out, 'lab', ARTIFACTS);
    expect(existsSync(join(out, 'lab', 'cp-1', 'setup.sh'))).toBe(true);
    writeFileSync(join(out, 'other'), 'a file\n');
    await expect(emit(out, 'other', ARTIFACTS.map((a) => ({ ...a, path: a.path.replace(/^lab/, 'other') })))).rejects.toMatchObject({ code: 'PICC503' });
    expect(readFileSync(join(out, 'other'), 'utf8')).toBe('a file\n');
  });

  it('a staged output that is discarded leaves no trace; the old output stays until commit', async () => {
    const out = join(dir, 'out');
    await emit(out, 'lab', ARTIFACTS);
    const before = tree(dir);
    const staged = await stageOutput(out, 'lab', ARTIFACTS.map((a) => ({ ...a, content: `new ${a.content}` })));
    expect(readFileSync(join(out, 'lab', 'cp-1', 'setup.sh'), 'utf8')).toBe('#!/usr/bin/env bash\necho cp-1\n');
    await staged.discard();
    expect(tree(dir)).toEqual(before);
    expect(readdirSync(out)).toEqual(['lab']);
  });

  it('leaves other clusters and other files in the output folder alone', async () => {
    const out = join(dir, 'out');
    mkdirSync(join(out, 'other'), { recursive: true });
    writeFileSync(join(out, 'other', 'keep'), 'mine\n');
    writeFileSync(join(out, 'README'), 'mine too\n');
    await emit(out, 'lab', ARTIFACTS);
    expect(readFileSync(join(out, 'other', 'keep'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(out, 'README'), 'utf8')).toBe('mine too\n');
  });

  it('leaves no temporary folders behind, first time or when replacing', async () => {
    const out = join(dir, 'out');
    await emit(out, 'lab', ARTIFACTS);
    await emit(out, 'lab', ARTIFACTS.slice(0, 2));
    expect(readdirSync(out)).toEqual(['lab']);
  });

  const refused: [string, { given: Artifact }][] = [
    ['a path in another cluster’s folder', { given: { path: 'other/x', mode: 0o600, content: 'x' } }],
    ['a path that climbs out with ..', { given: { path: 'lab/../escape', mode: 0o600, content: 'x' } }],
    ['a path that climbs out of the output folder', { given: { path: 'lab/../../escape', mode: 0o600, content: 'x' } }],
    ['an absolute path', { given: { path: '/tmp/escape', mode: 0o600, content: 'x' } }],
    ['the cluster folder itself', { given: { path: 'lab/', mode: 0o600, content: 'x' } }],
    ['a path with an empty segment', { given: { path: 'lab//x', mode: 0o600, content: 'x' } }],
    ['a prefix that only looks like the cluster', { given: { path: 'lab2/x', mode: 0o600, content: 'x' } }],
  ];

  it.each(refused)('refuses %s without touching the old output', async (_name, { given }) => {
    const out = join(dir, 'out');
    await emit(out, 'lab', ARTIFACTS);
    const before = tree(dir);
    // The bad artifact comes last, so good ones would already be written if emit checked late.
    await expect(emit(out, 'lab', [...ARTIFACTS.map((a) => ({ ...a, content: 'NEW ' + a.content })), given])).rejects.toThrow(/outside the cluster folder/);
    expect(tree(dir)).toEqual(before);
    expect(readdirSync(out)).toEqual(['lab']);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
  });
});
