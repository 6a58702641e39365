// Shared by the golden tests: finding the cases under test/golden/, compiling one through
// the library, and reading a folder back as {path → mode, bytes}. Not a test file itself.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { compile, type Artifact, type CompileOptions } from '../../src/index.js';

export const GOLDEN_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(GOLDEN_DIR, '..', '..');

export interface GoldenCase {
  name: string;
  dir: string;
  specPath: string;
  specText: string;
  secretsPath: string;
  secretsText: string;
  expectedDir: string;
  /** The version the cluster runs (the case's upgrade-from file): compiled as with --from. */
  upgradeFrom: string | null;
}

/** Every folder under test/golden/ that holds a cluster.yaml, by name: adding a case needs no code. */
export function listCases(): GoldenCase[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && statSync(join(GOLDEN_DIR, e.name, 'cluster.yaml'), { throwIfNoEntry: false })?.isFile())
    .map((e) => e.name)
    .sort(byCodeUnit)
    .map(loadCase);
}

export function loadCase(name: string): GoldenCase {
  const dir = join(GOLDEN_DIR, name);
  const specPath = join(dir, 'cluster.yaml');
  const secretsPath = join(dir, 'cluster.secrets.yaml');
  return {
    name,
    dir,
    specPath,
    specText: readFileSync(specPath, 'utf8'),
    secretsPath,
    secretsText: readFileSync(secretsPath, 'utf8'),
    expectedDir: join(dir, 'expected'),
    upgradeFrom: statSync(join(dir, 'upgrade-from'), { throwIfNoEntry: false }) ? readFileSync(join(dir, 'upgrade-from'), 'utf8').trim() : null,
  };
}

/** The file names the library is given: relative, so nothing host-specific can leak into output. */
export function specName(c: GoldenCase): string {
  return `test/golden/${c.name}/cluster.yaml`;
}
export function secretsName(c: GoldenCase): string {
  return `test/golden/${c.name}/cluster.secrets.yaml`;
}

/** What a case compiles with beyond its files: the version its cluster runs (upgrade-from), as --from. */
export function compileOptions(c: GoldenCase): CompileOptions {
  return c.upgradeFrom ? { upgradeFrom: { version: c.upgradeFrom, source: '--from' } } : {};
}

/** Compiles a case's spec with the given secrets text (its own by default); any diagnostic fails. */
export function compileCase(c: GoldenCase, specText = c.specText, secretsText = c.secretsText): Artifact[] {
  const result = compile(specName(c), specText, secretsName(c), secretsText, compileOptions(c));
  // A golden case is a clean spec: warnings would hide in committed output unnoticed.
  if (result.diagnostics.length > 0 || !result.artifacts) {
    const lines = result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`);
    throw new Error(`golden case ${c.name} does not compile cleanly:\n${lines.join('\n')}`);
  }
  return result.artifacts;
}

/** `MODE PATH` lines (mode as 4 octal digits), sorted by path: the content of expected/modes.txt. */
export function modesText(files: { path: string; mode: number }[]): string {
  return [...files]
    .sort((a, b) => byCodeUnit(a.path, b.path))
    .map((f) => `${f.mode.toString(8).padStart(4, '0')} ${f.path}\n`)
    .join('');
}

export interface TreeFile {
  path: string;
  mode: number;
  bytes: Buffer;
}

/** Every regular file under root, path relative with '/', sorted; mode is the permission bits. */
export function readTree(root: string, skip: (path: string) => boolean = () => false): TreeFile[] {
  const out: TreeFile[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else {
        const path = relative(root, full).split(sep).join('/');
        if (!skip(path)) out.push({ path, mode: statSync(full).mode & 0o777, bytes: readFileSync(full) });
      }
    }
  };
  walk(root);
  return out.sort((a, b) => byCodeUnit(a.path, b.path));
}

/** Locale-independent ordering (plain UTF-16 code units). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------
// The spec seen directly (not through the plan), so checks do not trust the compiler.
// ---------------------------------------------------------------------------

export interface SpecNode {
  name: string;
  role: 'control-plane' | 'worker';
  address: string;
  interface: string;
}

export interface SpecFacts {
  cluster: string;
  prefix: number;
  /** host:port every node and the kubeconfig must use. */
  endpoint: string;
  nodes: SpecNode[];
  highAvailability: boolean;
}

interface RawSpec {
  metadata: { name: string };
  spec: {
    kubernetes: { controlPlaneEndpoint?: string };
    network: { subnet: string };
    nodeDefaults?: { interface?: string };
    nodes: { name: string; role?: SpecNode['role']; address: string; interface?: string }[];
  };
}

export function specFacts(c: GoldenCase): SpecFacts {
  const doc = parse(c.specText) as RawSpec;
  const defaults = doc.spec.nodeDefaults ?? {};
  const nodes: SpecNode[] = doc.spec.nodes.map((n) => ({
    name: n.name,
    role: n.role ?? 'worker',
    address: n.address,
    interface: n.interface ?? defaults.interface ?? 'eth0',
  }));
  const controlPlanes = nodes.filter((n) => n.role === 'control-plane');
  const given: string | undefined = doc.spec.kubernetes.controlPlaneEndpoint;
  if (!given && controlPlanes.length !== 1) throw new Error(`${c.name}: several control planes need controlPlaneEndpoint`);
  return {
    cluster: doc.metadata.name,
    prefix: Number(String(doc.spec.network.subnet).split('/')[1]),
    endpoint: given ?? `${controlPlanes[0]!.address}:6443`,
    nodes,
    highAvailability: controlPlanes.length > 1,
  };
}

export function artifactMap(artifacts: Artifact[]): Map<string, Artifact> {
  return new Map(artifacts.map((a) => [a.path, a]));
}
