// What the golden test does and says: whether this run compares or rewrites expected/
// (never rewrites on CI), and the failure report when compiled files differ from
// expected/. The report leads with the setup.sh hunks — the change a reviewer must read —
// and only names the files derived from a differing setup.sh (user-data embeds it,
// meta-data hashes the seed), which would otherwise bury it under their own diffs.

import { byCodeUnit } from './cases.js';

export type GoldenMode = 'compare' | 'update';

/** CI counts as set unless empty, "0" or "false" (how CI systems and people switch it off). */
function ciIsSet(env: NodeJS.ProcessEnv): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** 'update' when UPDATE_GOLDEN=1; an error when that is asked on CI, whose job is to compare. */
export function goldenMode(env: NodeJS.ProcessEnv): GoldenMode {
  if (env['UPDATE_GOLDEN'] !== '1') return 'compare';
  if (ciIsSet(env)) {
    throw new Error(
      `UPDATE_GOLDEN=1 is refused when CI is set (CI=${env['CI']}): CI must compare against the committed expected/ files, never rewrite them. Run npm run golden:update locally and commit the reviewed diff.`,
    );
  }
  return 'update';
}

export interface GoldenFile {
  path: string;
  bytes: Buffer;
}

/** Files that are derived from the setup.sh beside them: their diff repeats its diff. */
const DERIVED = ['user-data', 'meta-data'];
const HUNKS_SHOWN = 3;

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Reading order: every setup.sh first, then the other files, each group by path. */
function readingRank(path: string): number {
  return baseName(path) === 'setup.sh' ? 0 : 1;
}

/**
 * null when every file in both lists has the same bytes; otherwise the report: each
 * differing setup.sh as hunks first (the first few in full, hunks repeated by other
 * files shown once), then other differing files as hunks, then the derived files whose
 * own setup.sh differs (named only), and files made or expected on one side only.
 */
export function goldenReport(expected: GoldenFile[], made: GoldenFile[]): string | null {
  const want = new Map(expected.map((f) => [f.path, f.bytes]));
  const got = new Map(made.map((f) => [f.path, f.bytes]));
  const differing = [...want.keys()]
    .filter((p) => got.has(p) && !got.get(p)!.equals(want.get(p)!))
    .sort((a, b) => readingRank(a) - readingRank(b) || byCodeUnit(a, b));
  const missing = [...want.keys()].filter((p) => !got.has(p)).sort(byCodeUnit);
  const extra = [...got.keys()].filter((p) => !want.has(p)).sort(byCodeUnit);
  if (differing.length + missing.length + extra.length === 0) return null;

  const scriptChanged = new Set(differing.filter((p) => baseName(p) === 'setup.sh').map(folderOf));
  const sections: string[] = [];
  const derived: string[] = [];
  const notShown: string[] = [];
  // One template change repeats the same hunks in every node's script: shown once.
  const firstWithHunks = new Map<string, string>();
  const sameAs: string[] = [];
  for (const path of differing) {
    if (DERIVED.includes(baseName(path)) && scriptChanged.has(folderOf(path))) {
      derived.push(path);
      continue;
    }
    const before = want.get(path)!.toString('utf8');
    const after = got.get(path)!.toString('utf8');
    const hunks = before === after ? '' : lineHunks(before, after);
    const first = hunks === '' ? undefined : firstWithHunks.get(hunks);
    if (first !== undefined) {
      sameAs.push(`${path} (as ${first})`);
    } else if (sections.length >= HUNKS_SHOWN) {
      notShown.push(path);
    } else {
      if (hunks !== '') firstWithHunks.set(hunks, path);
      sections.push(hunks === '' ? `${path}: same text, different bytes (encoding)` : `--- expected/${path}\n+++ compiled/${path}\n${hunks}`);
    }
  }
  const lines = [...sections];
  if (sameAs.length > 0) lines.push(`the same hunks in: ${sameAs.join(', ')}`);
  if (notShown.length > 0) lines.push(`also differ (hunks not shown): ${notShown.join(', ')}`);
  if (derived.length > 0) {
    lines.push(`derived from a setup.sh above, so they differ too (user-data embeds it, meta-data hashes it): ${derived.join(', ')}`);
  }
  if (missing.length > 0) lines.push(`expected but not made: ${missing.join(', ')}`);
  if (extra.length > 0) lines.push(`made but not expected: ${extra.join(', ')}`);
  return lines.join('\n\n');
}

/**
 * Unified-diff hunks (@@ -a,b +c,d @@, CONTEXT lines around each change) between two
 * texts, line by line. The common head and tail are cut off first, so the quadratic
 * longest-common-subsequence table covers only the changed middle.
 */
export function lineHunks(before: string, after: string, context = 3): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops = middleOps(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  // The whole file as one list of operations, with the common head and tail as context.
  const all: Op[] = [
    ...a.slice(0, head).map((line): Op => ({ kind: ' ', line })),
    ...ops,
    ...a.slice(a.length - tail).map((line): Op => ({ kind: ' ', line })),
  ];
  return formatHunks(all, context);
}

interface Op {
  kind: ' ' | '-' | '+';
  line: string;
}

function middleOps(a: string[], b: string[]): Op[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++]! });
      j++;
    } else if (i < a.length && (j >= b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ kind: '-', line: a[i++]! }); // removed lines before added ones, as diff does
    } else {
      ops.push({ kind: '+', line: b[j++]! });
    }
  }
  return ops;
}

function formatHunks(ops: Op[], context: number): string {
  const changed = ops.map((op, k) => (op.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    // One hunk: changes closer than 2 × context lines apart share it.
    const start = Math.max(0, changed[k]! - context);
    let end = changed[k]!;
    while (k + 1 < changed.length && changed[k + 1]! - end <= 2 * context) end = changed[++k]!;
    end = Math.min(ops.length - 1, end + context);
    k++;
    let oldLine = 1;
    let newLine = 1;
    for (const op of ops.slice(0, start)) {
      if (op.kind !== '+') oldLine++;
      if (op.kind !== '-') newLine++;
    }
    const body = ops.slice(start, end + 1);
    const oldCount = body.filter((op) => op.kind !== '+').length;
    const newCount = body.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${oldLine},${oldCount} +${newLine},${newCount} @@`, ...body.map((op) => `${op.kind}${op.line}`));
  }
  return out.join('\n');
}
