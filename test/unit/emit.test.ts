// Stage 6 (emit): artifacts written into a temporary folder with exact modes, the cluster's
// folder replaced whole, no leftovers, and nothing touched when an artifact is refused.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emit } from '../../src/emit.js';
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
    });
  });

  it('refuses an output folder in a kernel pseudo-filesystem before writing anything', async () => {
    await expect(emit('/proc/picc-out', 'lab', [{ path: 'lab/a/setup.sh', mode: 0o700, content: 'x\n' }])).rejects.toMatchObject({ code: 'EPERM' });
    expect(existsSync('/proc/picc-out')).toBe(false);
  });

  it('creates the output folder when it does not exist', async () => {
    const out = join(dir, 'a', 'b', 'out');
    await emit(out, 'lab', ARTIFACTS);
    expect(existsSync(join(out, 'lab', 'cp-1', 'setup.sh'))).toBe(true);
  });

  it('replaces an existing cluster folder whole: files no longer produced are gone', async () => {
    const out = join(dir, 'out');
    mkdirSync(join(out, 'lab', 'old-node'), { recursive: true });
    writeFileSync(join(out, 'lab', 'old-node', 'setup.sh'), 'stale\n');
    writeFileSync(join(out, 'lab', 'cp-1-notes.txt'), 'stale\n');
    await emit(out, 'lab', ARTIFACTS);
    expect(Object.keys(tree(join(out, 'lab'))).sort()).toEqual(['admin.kubeconfig', 'cp-1/meta-data', 'cp-1/network-config', 'cp-1/setup.sh', 'cp-1/user-data']);
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
