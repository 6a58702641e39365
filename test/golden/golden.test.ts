// Golden files: every case under test/golden/<case>/ compiles (through the library) to
// exactly the files committed in its expected/ folder — same paths, same bytes, same
// modes (recorded in expected/modes.txt, since git keeps only the executable bit).
//
//   UPDATE_GOLDEN=1 npx vitest run test/golden     (npm run golden:update)
// rewrites expected/ from the current compiler instead of comparing (refused when CI is
// set). Read the diff before committing it: it is the change every user's boards will see.
// A failure shows the setup.sh hunks first (report.ts), not the derived files' noise.

import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Artifact } from '../../src/index.js';
import { compileCase, listCases, modesText, readTree, REPO_ROOT, type GoldenCase } from './cases.js';
import { goldenMode, goldenReport } from './report.js';

// Throws (and so fails this file before anything is written) for UPDATE_GOLDEN=1 on CI.
const UPDATE = goldenMode(process.env) === 'update';
const MODES_FILE = 'modes.txt';
const cases = listCases();

function writeExpected(c: GoldenCase): void {
  const artifacts = compileCase(c);
  // Replaced whole, so files the compiler no longer makes disappear too.
  rmSync(c.expectedDir, { recursive: true, force: true });
  for (const a of artifacts) {
    const target = join(c.expectedDir, a.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, a.content, 'utf8');
  }
  writeFileSync(join(c.expectedDir, MODES_FILE), modesText(artifacts), 'utf8');
}

describe('golden cases', () => {
  it('finds the cases by itself', () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(['cilium', 'ha', 'homelab', 'mixed-os']));
  });

  it('homelab is the bundled example, byte for byte', () => {
    const example = readFileSync(join(REPO_ROOT, 'examples', 'homelab.yaml'));
    const golden = readFileSync(join(REPO_ROOT, 'test', 'golden', 'homelab', 'cluster.yaml'));
    expect(golden.equals(example), 'test/golden/homelab/cluster.yaml differs from examples/homelab.yaml: copy the example over it and run npm run golden:update').toBe(true);
  });
});

describe.each(cases)('golden case $name', (c) => {
  if (UPDATE) {
    it('rewrites expected/', () => {
      writeExpected(c);
    });
    return;
  }

  // Compiled once for all the tests below; a compile error fails the first test, not collection.
  let compiled: Artifact[] | Error;
  try {
    compiled = compileCase(c);
  } catch (e) {
    compiled = e as Error;
  }
  const artifacts = compiled instanceof Error ? [] : compiled;
  const expected = existsSync(c.expectedDir) ? readTree(c.expectedDir, (p) => p === MODES_FILE) : [];
  const hint = `(if the change is intended: npm run golden:update, then review the diff of test/golden/${c.name}/expected)`;

  it('compiles without diagnostics and has an expected/ folder', () => {
    if (compiled instanceof Error) throw compiled;
    expect(existsSync(c.expectedDir), `no ${c.expectedDir}: run npm run golden:update`).toBe(true);
  });

  it('makes exactly the files in expected/ (none missing, none extra)', () => {
    const made = artifacts.map((a) => a.path);
    const committed = expected.map((f) => f.path);
    const missing = committed.filter((p) => !made.includes(p));
    const extra = made.filter((p) => !committed.includes(p));
    expect({ missing, extra }, `file lists differ ${hint}`).toEqual({ missing: [], extra: [] });
  });

  it('gives each file the mode in expected/modes.txt', () => {
    const committed = readFileSync(join(c.expectedDir, MODES_FILE), 'utf8');
    expect(modesText(artifacts), `modes differ ${hint}`).toBe(committed);
  });

  // One report for the case: the setup.sh hunks lead, derived files are only named.
  it('every file matches expected/ byte for byte', () => {
    const made = artifacts.map((a) => ({ path: a.path, bytes: Buffer.from(a.content, 'utf8') }));
    const report = goldenReport(expected, made);
    if (report !== null) throw new Error(`compiled files differ from test/golden/${c.name}/expected ${hint}\n\n${report}`);
  });
});
