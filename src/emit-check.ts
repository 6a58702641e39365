// `picc compile --check`: is <out>/<cluster>/ exactly what the spec compiles to now? Reads,
// never writes. A file differs when it is missing, has other bytes or another mode, or is
// picc's from an earlier compile and would now be deleted. Files that are not picc's (no
// entry in its manifest) are the user's: compile leaves them alone, so the check does too.

import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { relativeFiles } from './emit.js';
import { MANIFEST_NAME, buildManifest, parseManifest, serializeManifest } from './manifest.js';
import type { Artifact } from './render/render.js';

export interface OutputDifference {
  /** Relative to the cluster's folder. */
  path: string;
  why: 'missing' | 'content' | 'mode' | 'not a file' | 'stale';
}

export async function compareOutput(outDir: string, cluster: string, artifacts: readonly Artifact[]): Promise<{ folder: string; differences: OutputDifference[] }> {
  const folder = join(outDir, cluster);
  const files = relativeFiles(cluster, artifacts);
  const wanted = [...files, { path: MANIFEST_NAME, mode: 0o644, content: serializeManifest(buildManifest(cluster, files)) }];
  const differences: OutputDifference[] = [];
  for (const f of wanted) {
    const why = await differs(join(folder, f.path), f.content, f.mode);
    if (why) differences.push({ path: f.path, why });
  }
  // What the previous compile wrote and this one would not: compile deletes it.
  const previous = parseManifest(await readFile(join(folder, MANIFEST_NAME), 'utf8').catch(() => ''));
  const now = new Set(wanted.map((f) => f.path));
  for (const path of previous?.files.keys() ?? []) {
    if (!now.has(path) && (await lstat(join(folder, path)).catch(() => undefined))) differences.push({ path, why: 'stale' });
  }
  return { folder, differences: differences.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

async function differs(path: string, content: string, mode: number): Promise<OutputDifference['why'] | null> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return 'missing';
  if (!info.isFile()) return 'not a file';
  if (!(await readFile(path)).equals(Buffer.from(content, 'utf8'))) return 'content';
  return (info.mode & 0o777) === mode ? null : 'mode';
}
