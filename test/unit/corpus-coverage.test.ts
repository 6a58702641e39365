// The corpora of bad specs (test/fixtures/invalid/) and of specs with warnings
// (test/fixtures/warnings/) together show every code a spec alone can trigger, so a new
// code without a fixture fails here.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/diagnostics/codes.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Codes a spec's text cannot trigger on its own: an unreadable file, and the secrets file's. */
// Codes about other inputs: files, the command line, the output folder, the card, picc itself.
const NOT_FROM_A_SPEC = new Set([
  'PICC001', 'PICC010', 'PICC011', 'PICC012', 'PICC215', 'PICC222', 'PICC301', 'PICC302', 'PICC303',
  'PICC501', 'PICC502', 'PICC503', 'PICC504', 'PICC505', 'PICC601', 'PICC602', 'PICC603', 'PICC604', 'PICC605', 'PICC606',
  // picc verify: about the live cluster and the kubeconfig, not the spec
  'PICC701', 'PICC702', 'PICC703', 'PICC704', 'PICC705', 'PICC900',
]);

function codesShown(corpus: string): Set<string> {
  const dir = join(FIXTURES, corpus);
  const out = new Set<string>();
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name, 'expected', 'diagnostics.txt'), 'utf8');
    for (const m of text.matchAll(/^(?:error|warning)\[(PICC\d+)\]/gm)) out.add(m[1]!);
  }
  return out;
}

describe('corpus coverage', () => {
  it('every code a spec can trigger has a fixture', () => {
    const shown = new Set([...codesShown('invalid'), ...codesShown('warnings')]);
    const missing = Object.keys(CODES).filter((c) => !NOT_FROM_A_SPEC.has(c) && !shown.has(c));
    expect(missing).toEqual([]);
  });

  it('holds at least 40 invalid specs, one folder each', () => {
    expect(readdirSync(join(FIXTURES, 'invalid')).length).toBeGreaterThanOrEqual(40);
  });
});
