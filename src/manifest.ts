// The output manifest: what picc wrote into <out>/<cluster>/, file by file, with each
// file's mode and sha256. emit reads the previous one to tell picc's files from the
// user's (picc replaces or deletes only files it wrote and nobody changed since).
// Pure: text in, text out. Deterministic: no time, no host facts.

import { createHash } from 'node:crypto';
import { compareCodeUnits } from './order.js';
import { PICC_VERSION } from './version.js';

export const MANIFEST_NAME = 'picc-manifest.json';

export interface ManifestEntry {
  mode: string;
  sha256: string;
}

export interface Manifest {
  generator: 'picc';
  version: string;
  cluster: string;
  /** Paths relative to the cluster's folder, '/'-separated. */
  files: Map<string, ManifestEntry>;
}

export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

export function buildManifest(cluster: string, files: readonly { path: string; mode: number; content: string }[]): Manifest {
  return manifestOf(cluster, files.map((f) => ({ path: f.path, mode: f.mode, sha256: sha256(f.content) })));
}

/** A file as the manifest records it: its text already hashed (emit hashes as it writes). */
export interface ManifestFile {
  path: string;
  mode: number;
  sha256: string;
}

export function manifestOf(cluster: string, files: readonly ManifestFile[]): Manifest {
  const entries = new Map<string, ManifestEntry>();
  for (const f of [...files].sort((a, b) => compareCodeUnits(a.path, b.path))) {
    entries.set(f.path, { mode: f.mode.toString(8).padStart(4, '0'), sha256: f.sha256 });
  }
  return { generator: 'picc', version: PICC_VERSION, cluster, files: entries };
}

export function serializeManifest(m: Manifest): string {
  const files: Record<string, ManifestEntry> = {};
  for (const [path, entry] of m.files) files[path] = entry;
  const note = 'Written by picc: the files below are picc\'s; any other file in this folder is yours and picc leaves it alone.';
  return JSON.stringify({ note, generator: m.generator, version: m.version, cluster: m.cluster, files }, null, 2) + '\n';
}

/** The manifest in `text`, or undefined when it is not one picc wrote (then nothing counts as picc's). */
export function parseManifest(text: string): Manifest | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(raw) || raw['generator'] !== 'picc' || typeof raw['cluster'] !== 'string' || !isRecord(raw['files'])) return undefined;
  const files = new Map<string, ManifestEntry>();
  for (const [path, entry] of Object.entries(raw['files'])) {
    if (!isSafeRelative(path) || !isRecord(entry)) return undefined;
    const { mode, sha256: digest } = entry;
    if (typeof mode !== 'string' || !/^0[0-7]{3}$/.test(mode) || typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) return undefined;
    files.set(path, { mode, sha256: digest });
  }
  return { generator: 'picc', version: String(raw['version']), cluster: raw['cluster'], files };
}

/** A relative path that stays inside its folder: no empty, '.' or '..' segments, not absolute. */
export function isSafeRelative(path: string): boolean {
  const segments = path.split('/');
  return path !== '' && !path.startsWith('/') && segments.every((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\0'));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
