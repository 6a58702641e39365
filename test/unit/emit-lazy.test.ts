// emit with artifacts that come lazily (compileLazily → renderArtifacts): each is written as
// it comes, yet nothing reaches the output folder unless every one was made and written.

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emit, stageOutput } from '../../src/emit.js';
import { buildManifest, MANIFEST_NAME, serializeManifest } from '../../src/manifest.js';
import type { Artifact } from '../../src/render/render.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'picc-emit-lazy-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// Not in path order, as renderArtifacts gives them.
const ARTIFACTS: Artifact[] = [
  { path: 'lab/admin.kubeconfig', mode: 0o600, content: 'kubeconfig\n' },
  { path: 'lab/worker-1/setup.sh', mode: 0o700, content: 'echo worker\n' },
  { path: 'lab/cp-1/setup.sh', mode: 0o700, content: 'echo cp — “quoted”\n' },
];

function* lazily(artifacts: Artifact[], failAfter?: number): Generator<Artifact> {
  for (const [i, a] of artifacts.entries()) {
    if (i === failAfter) throw new Error('render failed');
    yield a;
  }
}

describe('emit of lazily made artifacts', () => {
  it('writes them all, with the manifest of the whole set and their paths in order', async () => {
    const out = join(dir, 'out');
    const staged = await stageOutput(out, 'lab', lazily(ARTIFACTS));
    expect(staged.written).toEqual(['lab/admin.kubeconfig', 'lab/cp-1/setup.sh', 'lab/worker-1/setup.sh']);
    await staged.commit();
    for (const a of ARTIFACTS) expect(readFileSync(join(out, a.path), 'utf8')).toBe(a.content);
    const relative = ARTIFACTS.map((a) => ({ ...a, path: a.path.slice('lab/'.length) }));
    expect(readFileSync(join(out, 'lab', MANIFEST_NAME), 'utf8')).toBe(serializeManifest(buildManifest('lab', relative)));
  });

  it('leaves no trace when making an artifact fails part way (no staging folder, no output)', async () => {
    const out = join(dir, 'out');
    await expect(emit(out, 'lab', lazily(ARTIFACTS, 2))).rejects.toThrow('render failed');
    expect(existsSync(join(out, 'lab'))).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  });

  it('keeps the previous output when making an artifact fails part way', async () => {
    const out = join(dir, 'out');
    await emit(out, 'lab', ARTIFACTS);
    const changed = ARTIFACTS.map((a) => ({ ...a, content: `new ${a.content}` }));
    await expect(emit(out, 'lab', lazily(changed, 2))).rejects.toThrow('render failed');
    for (const a of ARTIFACTS) expect(readFileSync(join(out, a.path), 'utf8')).toBe(a.content);
    expect(readdirSync(out)).toEqual(['lab']);
  });
});
