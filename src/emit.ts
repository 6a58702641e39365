// Stage 6 — emit: writes artifacts into <out>/<cluster>/, which picc owns only as far as
// its own files go. The new output is built in full in a staging folder beside it, then:
//   - no folder yet, or an empty one:        the staging folder is renamed into place;
//   - a folder holding only what picc wrote:  swapped for the new one (two renames), the old
//     files deleted — its manifest (picc-manifest.json) says which files are picc's;
//   - a folder picc made that also holds the user's files (a .git, notes): picc's files are
//     renamed into place one by one, its stale ones deleted, the user's left alone;
//   - anything else (no manifest, picc's files changed by hand, the spec or its secrets file
//     inside): refused, nothing touched. --force writes as in the case before, and still
//     deletes nothing picc did not write.
// stageOutput() does every check and all the writing that can fail before anything the
// user sees changes; commit() then moves the output in. The CLI writes a new secrets file
// between the two, so a failed compile leaves no trace at all. The artifacts may come lazily
// (render's renderArtifacts): each is written into the staging folder as it comes and then
// let go, so a thousand nodes' output is never held in memory at once. The writing itself
// is emit-writer.ts's: for a big cluster on a second thread, while the next files are made.

import { lstat, mkdir, mkdtemp, readFile, readdir, realpath, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { MANIFEST_NAME, manifestOf, parseManifest, serializeManifest, sha256, type Manifest } from './manifest.js';
import { compareCodeUnits } from './order.js';
import type { Artifact } from './render/render.js';
import { InlineWriter, stagingWriter } from './emit-writer.js';

export type OutputProblemCode = 'PICC501' | 'PICC502' | 'PICC503';

/** An output folder picc must not or cannot write; the CLI reports it as a diagnostic. */
export class OutputRefused extends Error {
  constructor(readonly code: OutputProblemCode, readonly folder: string, message: string, readonly hint: string) {
    super(message);
  }
}

export interface EmitOptions {
  /** Write picc's files into a folder that holds other files too (never deleting those). */
  force?: boolean;
  /** Files that must never be inside the output folder or replaced by it (the spec, its secrets). */
  protect?: readonly string[];
  /** How many nodes the artifacts are for: a big cluster's files are written on a second thread. */
  nodes?: number;
}

export interface StagedOutput {
  /** <out>/<cluster> */
  folder: string;
  /** 'new': no output yet; 'replace': picc's previous output swapped out; 'merge': written beside files that are not picc's. */
  how: 'new' | 'replace' | 'merge';
  /** Entries in the folder that are not picc's and were left alone. */
  kept: readonly string[];
  /** The artifacts' paths (relative to the output folder, as in Artifact.path), in code-unit order. */
  written: readonly string[];
  commit(): Promise<void>;
  discard(): Promise<void>;
}

const FILE_MODE_MAX = 0o777;
const SHOWN = 5;

export async function stageOutput(outDir: string, cluster: string, artifacts: Iterable<Artifact>, opts: EmitOptions = {}): Promise<StagedOutput> {
  const folder = join(outDir, cluster);
  // Kernel pseudo-filesystems never hold files (and Node's recursive mkdir spins on /proc).
  if (/^\/(proc|sys|dev)(\/|$)/.test(resolve(outDir))) {
    throw new OutputRefused('PICC503', outDir, `${outDir} is inside a kernel pseudo-filesystem`, 'choose another output folder with -o');
  }
  const previous = await survey(folder);
  const protectedInside = await protectedPathsInside(folder, opts.protect ?? []);
  if (protectedInside.length > 0 && !opts.force) {
    throw new OutputRefused('PICC502', folder, `the output folder ${folder} holds ${protectedInside.map((p) => p.given).join(' and ')}; the output must not share a folder with the spec and its secrets`,
      `choose an output folder outside it, e.g. -o ${join(dirname(outDir), 'out')}; or --force to write picc's files beside yours`);
  }
  if (previous.kind === 'not-a-folder') {
    throw new OutputRefused('PICC503', folder, `${folder} exists and is not a folder`, 'move it away, or choose another output folder with -o');
  }
  // Files of the user's beside picc's in a folder picc made are kept; a folder picc did not
  // make, or picc's files changed by hand, need --force.
  if (previous.kind === 'foreign' && (!previous.manifest || previous.changed.length > 0) && !opts.force) {
    const listed = [...previous.changed.slice(0, SHOWN).map((p) => `${p} (changed since picc wrote it)`), ...previous.foreign.slice(0, SHOWN)];
    const more = previous.foreign.length + previous.changed.length - listed.length;
    const what = previous.manifest ? 'files picc wrote that were changed since' : 'files, and no picc-manifest.json (picc did not make this folder)';
    throw new OutputRefused('PICC501', folder, `${folder} holds ${what}: ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
      previous.manifest
        ? 'recompiling would overwrite those changes: change the spec instead, or --force to overwrite them'
        : 'move them away or choose another output folder with -o; --force writes picc\'s files beside them and deletes none of them');
  }
  await mkdir(outDir, { recursive: true });
  const staging = await mkdtemp(join(outDir, `.${cluster}.picc-new-`));
  const entries: { path: string; mode: number }[] = [];
  const written: string[] = [];
  let manifest: Manifest;
  const writer = stagingWriter(opts.nodes ?? 0);
  try {
    for (const artifact of artifacts) {
      const f = relativeFile(cluster, artifact);
      for (const p of protectedInside) {
        if (resolve(folder, f.path) === p.real) {
          throw new OutputRefused('PICC502', folder, `picc would overwrite ${p.given}`, 'choose another output folder with -o');
        }
      }
      // The writer encodes, hashes and writes it; only its path and mode stay here.
      await writer.write(join(staging, f.path), f.mode, f.parts ?? [f.content]);
      entries.push({ path: f.path, mode: f.mode });
      written.push(artifact.path);
    }
    const digests = await writer.finish();
    manifest = manifestOf(cluster, entries.map((e, i) => ({ ...e, sha256: digests[i]! })));
    await new InlineWriter().write(join(staging, MANIFEST_NAME), 0o644, [serializeManifest(manifest)]);
  } catch (e) {
    await writer.abort();
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  written.sort(compareCodeUnits);
  const how = previous.kind === 'absent' || previous.kind === 'empty' ? 'new' : previous.kind === 'ours' ? 'replace' : 'merge';
  const discard = () => rm(staging, { recursive: true, force: true });
  const commit = async (): Promise<void> => {
    try {
      if (how === 'new') await rename(staging, folder);
      else if (how === 'replace') await swap(staging, folder, previous.manifest!);
      else await merge(staging, folder, manifest, previous.manifest);
    } catch (e) {
      await discard();
      throw e;
    }
  };
  return { folder, how, kept: previous.kind === 'foreign' ? previous.foreign : [], written, commit, discard };
}

/** stageOutput + commit: the whole write. */
export async function emit(outDir: string, cluster: string, artifacts: Iterable<Artifact>, opts: EmitOptions = {}): Promise<string> {
  const staged = await stageOutput(outDir, cluster, artifacts, opts);
  await staged.commit();
  return staged.folder;
}

export interface RelativeFile {
  path: string;
  mode: number;
  content: string;
  /** The content as parts, when the artifact was made so (render.ts's Artifact.parts). */
  parts?: readonly string[];
}

/** Every artifact relative to the cluster's folder, each checked (compile --check compares these). */
export function relativeFiles(cluster: string, artifacts: readonly Artifact[]): RelativeFile[] {
  return artifacts.map((a) => relativeFile(cluster, a));
}

function relativeFile(cluster: string, a: Artifact): RelativeFile {
  // Checked before the file is written: a "<cluster>/../x" path would escape the folder.
  const rest = a.path.startsWith(`${cluster}/`) ? a.path.slice(cluster.length + 1) : '';
  const segments = rest.split('/');
  if (rest === '' || segments.some((s) => s === '' || s === '.' || s === '..') || rest === MANIFEST_NAME || (a.mode & ~FILE_MODE_MAX) !== 0) {
    throw new Error(`artifact outside the cluster folder or with a bad mode: ${a.path}`);
  }
  if (a.parts === undefined) return { path: rest, mode: a.mode, content: a.content };
  // Its parts, and the content still joined only when read.
  const source = a;
  return {
    path: rest,
    mode: a.mode,
    parts: a.parts,
    get content() {
      return source.content;
    },
  };
}

type Survey =
  | { kind: 'absent' | 'empty' | 'not-a-folder'; manifest?: undefined }
  | { kind: 'ours'; manifest: Manifest }
  | { kind: 'foreign'; manifest?: Manifest; foreign: string[]; changed: string[] };

/** What the existing output folder holds: nothing, only picc's unchanged files, or more. */
async function survey(folder: string): Promise<Survey> {
  const st = await lstat(folder).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (!st) return { kind: 'absent' };
  if (!st.isDirectory()) return { kind: 'not-a-folder' };
  const entries = await readdir(folder);
  if (entries.length === 0) return { kind: 'empty' };
  const manifestText = entries.includes(MANIFEST_NAME) ? await readFile(join(folder, MANIFEST_NAME), 'utf8').catch(() => '') : '';
  const manifest = parseManifest(manifestText);
  const owned = manifest?.files ?? new Map();
  // A folder is picc's when it leads to a file of the manifest; anything else is the user's
  // as a whole (so a .git is one entry, never walked).
  const ownedDirs = new Set<string>();
  for (const p of owned.keys()) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) ownedDirs.add(parts.slice(0, i).join('/'));
  }
  const foreign: string[] = [];
  const changed: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(folder, rel))).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (path === MANIFEST_NAME && manifest) continue;
      const info = await lstat(join(folder, path));
      const entry = owned.get(path);
      if (info.isDirectory() && ownedDirs.has(path)) await walk(path);
      else if (!info.isFile() || !entry) foreign.push(info.isDirectory() ? `${path}/` : path);
      else if (sha256(await readFile(join(folder, path))) !== entry.sha256) changed.push(path);
    }
  };
  await walk('');
  if (manifest && foreign.length === 0 && changed.length === 0) return { kind: 'ours', manifest };
  return manifest ? { kind: 'foreign', manifest, foreign, changed } : { kind: 'foreign', foreign, changed };
}

/** The protected paths (resolved through links) that lie inside `folder`. */
async function protectedPathsInside(folder: string, paths: readonly string[]): Promise<{ given: string; real: string }[]> {
  const root = await realpath(folder).catch(() => undefined);
  if (root === undefined) return [];
  const inside: { given: string; real: string }[] = [];
  for (const p of paths) {
    const real = await realpath(p).catch(async () => join(await realpath(dirname(p)).catch(() => resolve(dirname(p))), basename(p)));
    if (real === root || real.startsWith(root + sep)) inside.push({ given: p, real });
  }
  return inside;
}

/** Replaces picc's previous output: the old folder is moved aside, the new one moved in, then picc's old files deleted. */
async function swap(staging: string, folder: string, old: Manifest): Promise<void> {
  const aside = `${staging}.old`;
  await rename(folder, aside);
  try {
    await rename(staging, folder);
  } catch (e) {
    await rename(aside, folder);
    throw e;
  }
  await removeOwned(aside, old, new Set());
  await rmdir(aside).catch(() => undefined); // left in place if anything appeared there meanwhile
}

/** Beside the user's files: picc's renamed into the folder one by one; picc's stale files (unchanged) deleted. */
async function merge(staging: string, folder: string, next: Manifest, old: Manifest | undefined): Promise<void> {
  for (const path of [...next.files.keys(), MANIFEST_NAME]) {
    const target = join(folder, path);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await rename(join(staging, path), target);
  }
  if (old) await removeOwned(folder, old, new Set([...next.files.keys(), MANIFEST_NAME]));
  await rm(staging, { recursive: true, force: true });
}

/** Deletes the files of `manifest` under `root` that are not kept and still hold what picc wrote; then their emptied folders. */
async function removeOwned(root: string, manifest: Manifest, keep: ReadonlySet<string>): Promise<void> {
  const dirs = new Set<string>();
  for (const [path, entry] of manifest.files) {
    if (keep.has(path)) continue;
    const target = join(root, path);
    const info = await lstat(target).catch(() => undefined);
    if (!info?.isFile() || sha256(await readFile(target)) !== entry.sha256) continue;
    await unlink(target);
    for (let d = dirname(path); d !== '.'; d = dirname(d)) dirs.add(d);
  }
  if (!keep.has(MANIFEST_NAME)) await unlink(join(root, MANIFEST_NAME)).catch(() => undefined);
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) await rmdir(join(root, d)).catch(() => undefined);
}
