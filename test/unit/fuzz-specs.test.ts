// Property test: mutated specs never crash picc. Valid specs (the golden ones, all named
// "homelab" so that the fixed secrets file fits) get structure-aware and text-level
// mutations (fuzz/mutations.ts), then go through the library's analyze() and compile()
// in-process. For every one of them:
//   - no exception escapes;
//   - either at least one error and no artifacts, or artifacts and no error (never partial);
//   - analyze() and compile() agree on whether the spec itself is valid;
//   - every diagnostic has a known code, a file, a message, and a line/col inside that file;
//   - it finishes within a per-run budget (a guard against blow-ups, not a speed test).
// Seeded and reproducible: PICC_FUZZ_SEED and PICC_FUZZ_RUNS override the defaults, and a
// failure prints the seed, the shrunk counterexample and the path to replay it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASES, RUNS, SEED, mutatedSpec, runOne } from './fuzz/run.js';
import { writeYaml } from './fuzz/mutations.js';

describe('property: mutated specs give diagnostics or artifacts, never an exception', () => {
  it('the unmutated bases compile (so a mutation is what a failure is about)', () => {
    for (const base of BASES) expect(runOne(writeYaml(base)).ok).toBe(true);
  });

  it(`${RUNS} mutated specs (seed ${SEED})`, { timeout: 600_000 }, () => {
    const seen = { ok: 0, refused: 0, codes: new Map<string, number>() };
    const details = fc.check(
      fc.property(mutatedSpec, ({ text }) => {
        const r = runOne(text);
        if (r.ok) seen.ok++;
        else seen.refused++;
        for (const c of new Set(r.codes)) seen.codes.set(c, (seen.codes.get(c) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    if (details.failed) {
      // fast-check's report holds the seed, the replay path and the shrunk counterexample.
      throw new Error(`${String(details.errorInstance)}\n${fc.defaultReportMessage(details)}\n\nreplay: PICC_FUZZ_SEED=${SEED} (path ${details.counterexamplePath ?? '?'})`);
    }
    const codes = [...seen.codes].sort(([a], [b]) => a.localeCompare(b)).map(([c, n]) => `${c}×${n}`).join(' ');
    console.log(`fuzz: ${RUNS} specs (seed ${SEED}): ${seen.ok} compiled, ${seen.refused} refused; errors by code: ${codes}`);
    // A generator that only ever breaks (or never breaks) specs would test little.
    expect(seen.ok).toBeGreaterThan(RUNS / 20);
    expect(seen.refused).toBeGreaterThan(RUNS / 2);
  });
});
