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

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/diagnostics/codes.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { analyze, compile } from '../../src/index.js';
import { applyStructEdit, applyTextEdit, structEdit, textEdit, writeYaml } from './fuzz/mutations.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const SPEC_FILE = 'cluster.yaml';
const SECRETS_FILE = 'cluster.secrets.yaml';
// The fixed secrets file, with a passphrase for the one Wi-Fi network the bases use, so
// that nodes on Wi-Fi (and their mutated SSIDs) reach the writers too.
const SECRETS = readFileSync(join(GOLDEN, 'homelab', SECRETS_FILE), 'utf8').replace(/^wifi: \{\}$/m, 'wifi:\n  homelab-iot: "correct horse battery staple"');

const SEED = Number(process.env['PICC_FUZZ_SEED'] ?? 20261130);
const RUNS = Number(process.env['PICC_FUZZ_RUNS'] ?? 10_000);
/** Far above any honest run (tens of ms); an alias bomb or a runaway loop blows through it. */
const BUDGET_MS = Number(process.env["PICC_FUZZ_BUDGET_MS"] ?? 5_000);

/** The golden specs as data, each renamed to the cluster the secrets file belongs to. */
const BASES = ['homelab', 'ha', 'cilium', 'mixed-os'].map((name) => {
  const data = parse(readFileSync(join(GOLDEN, name, SPEC_FILE), 'utf8')) as { metadata: { name: string } };
  data.metadata.name = 'homelab';
  return data;
});

const mutatedSpec = fc
  .record({
    base: fc.nat({ max: BASES.length - 1 }),
    structural: fc.array(structEdit, { maxLength: 3 }),
    textual: fc.array(textEdit, { maxLength: 2 }),
  })
  .filter((m) => m.structural.length + m.textual.length > 0)
  .map((m) => {
    let data: unknown = structuredClone(BASES[m.base]);
    for (const e of m.structural) data = applyStructEdit(data, e);
    let text = writeYaml(data);
    for (const e of m.textual) text = applyTextEdit(text, e);
    return { text, edits: m };
  });

function problemsWith(d: Diagnostic, texts: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  if (!Object.hasOwn(CODES, d.code)) out.push(`unknown code ${d.code}`);
  if (d.severity !== 'error' && d.severity !== 'warning') out.push(`severity ${String(d.severity)}`);
  if (typeof d.message !== 'string' || d.message.trim() === '') out.push('no message');
  const text = texts.get(d.file);
  if (text === undefined) out.push(`file ${d.file} is neither input`);
  if (d.line !== undefined || d.col !== undefined) {
    const lines = (text ?? '').split('\n');
    const line = d.line ?? 0;
    const col = d.col ?? 0;
    if (!Number.isInteger(line) || line < 1 || line > lines.length) out.push(`line ${line} outside 1..${lines.length}`);
    else if (!Number.isInteger(col) || col < 1 || col > lines[line - 1]!.length + 1) out.push(`col ${col} outside 1..${lines[line - 1]!.length + 1} of line ${line}`);
  }
  return out;
}

/** Runs one spec through the library; throws (failing the property) on any broken promise. */
function runOne(text: string): { ok: boolean; codes: string[] } {
  const started = performance.now();
  const analysis = analyze(SPEC_FILE, text);
  const result = compile(SPEC_FILE, text, SECRETS_FILE, SECRETS);
  const elapsed = performance.now() - started;
  if (elapsed > BUDGET_MS) throw new Error(`took ${Math.round(elapsed)} ms, over the ${BUDGET_MS} ms budget`);

  const texts = new Map([[SPEC_FILE, text], [SECRETS_FILE, SECRETS]]);
  for (const d of [...analysis.diagnostics, ...result.diagnostics]) {
    const wrong = problemsWith(d, texts);
    if (wrong.length > 0) throw new Error(`diagnostic ${d.code} "${d.message}": ${wrong.join('; ')}`);
  }
  const specErrors = analysis.diagnostics.some((d) => d.severity === 'error');
  if (specErrors === (analysis.spec !== undefined)) throw new Error(`analyze: spec ${analysis.spec ? 'given' : 'missing'} with${specErrors ? '' : 'out'} errors`);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 && result.artifacts !== undefined) throw new Error(`partial output: ${result.artifacts.length} artifacts beside ${errors.length} errors`);
  if (errors.length === 0 && (result.artifacts === undefined || result.artifacts.length === 0)) throw new Error('no error and no artifacts');
  if (specErrors && errors.length === 0) throw new Error('compile accepted a spec that analyze refused');
  return { ok: errors.length === 0, codes: errors.map((d) => d.code) };
}

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
