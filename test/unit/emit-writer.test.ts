// The staging folder's two writers (src/emit-writer.ts): the one on the main thread and the
// one on a second thread write the same bytes with the same modes and give the same digests
// in the same order; both report the first failure; a compile of a big cluster uses the
// thread and still leaves no trace when making a file fails part way.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emit, stageOutput } from '../../src/emit.js';
import { InlineWriter, THREAD_FROM_NODES, ThreadWriter, stagingWriter, type StagingWriter } from '../../src/emit-writer.js';
import type { Artifact } from '../../src/render/render.js';

let dir: string;
let savedUmask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'picc-emit-writer-'));
  savedUmask = process.umask();
});
afterEach(() => {
  process.umask(savedUmask);
  rmSync(dir, { recursive: true, force: true });
});

// Enough files that the thread writer's queue fills and the main thread has to wait.
const FILES = Array.from({ length: 150 }, (_, i) => ({
  rel: `node-${i % 7}/file-${i}`,
  mode: [0o600, 0o644, 0o700, 0o755][i % 4]!,
  parts: [`#!/usr/bin/env bash\n# file ${i} — “non-ASCII” 𝄞\n`, 'x'.repeat(i * 97), '\n'],
}));

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe.each([
  ['InlineWriter', () => new InlineWriter()],
  ['ThreadWriter', () => new ThreadWriter()],
] as [string, () => StagingWriter][])('%s', (_name, make) => {
  it('writes every file with its exact mode and gives the digests in order', async () => {
    process.umask(0o077); // the modes must hold whatever the umask
    const w = make();
    for (const f of FILES) await w.write(join(dir, f.rel), f.mode, f.parts);
    const digests = await w.finish();
    expect(digests).toEqual(FILES.map((f) => sha(f.parts.join(''))));
    for (const f of FILES) {
      expect(readFileSync(join(dir, f.rel), 'utf8')).toBe(f.parts.join(''));
      expect(statSync(join(dir, f.rel)).mode & 0o777).toBe(f.mode);
    }
    expect(statSync(join(dir, 'node-0')).mode & 0o777).toBe(0o700);
  });

  it('reports the first file it cannot write, by its path, and writes none after it', async () => {
    mkdirSync(join(dir, 'node-0'));
    writeFileSync(join(dir, 'node-0', 'file-7'), 'there before\n');
    const w = make();
    let failure: unknown;
    try {
      for (const f of FILES) await w.write(join(dir, f.rel), f.mode, f.parts);
      await w.finish();
    } catch (e) {
      failure = e;
      await w.abort();
    }
    expect(failure).toMatchObject({ code: 'EEXIST', syscall: 'open', path: join(dir, 'node-0', 'file-7') });
    expect(readFileSync(join(dir, 'node-0', 'file-7'), 'utf8')).toBe('there before\n');
    expect(existsSync(join(dir, 'node-1', 'file-8'))).toBe(false);
  });
});

describe('stagingWriter', () => {
  it('writes on a second thread from THREAD_FROM_NODES nodes on', () => {
    expect(stagingWriter(THREAD_FROM_NODES - 1)).toBeInstanceOf(InlineWriter);
    const threaded = stagingWriter(THREAD_FROM_NODES);
    expect(threaded).toBeInstanceOf(ThreadWriter);
    return threaded.abort();
  });
});

describe('emit of a big cluster (the thread writer)', () => {
  const artifacts: Artifact[] = FILES.map((f) => ({ path: `lab/${f.rel}`, mode: f.mode, content: f.parts.join('') }));

  function* failing(after: number): Generator<Artifact> {
    for (const [i, a] of artifacts.entries()) {
      if (i === after) throw new Error('render failed');
      yield a;
    }
  }

  it('writes the same output as the main thread does', async () => {
    await emit(join(dir, 'inline'), 'lab', artifacts, { nodes: 1 });
    await emit(join(dir, 'thread'), 'lab', artifacts, { nodes: THREAD_FROM_NODES });
    const files = (root: string) => readdirSync(root, { recursive: true, encoding: 'utf8' }).sort().map((p) => [p, existsSync(join(root, p)) && statSync(join(root, p)).isFile() ? readFileSync(join(root, p), 'utf8') : 'dir']);
    expect(files(join(dir, 'thread', 'lab'))).toEqual(files(join(dir, 'inline', 'lab')));
  });

  it('leaves no trace when making a file fails part way', async () => {
    const out = join(dir, 'out');
    await expect(stageOutput(out, 'lab', failing(120), { nodes: THREAD_FROM_NODES })).rejects.toThrow('render failed');
    expect(readdirSync(out)).toEqual([]);
  });
});
