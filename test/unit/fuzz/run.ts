// The harness of the property test (fuzz-specs.test.ts): the bases, the mutated-spec
// arbitrary and one run through analyze() and compile() that throws on any broken promise.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { CODES } from '../../../src/diagnostics/codes.js';
import type { Diagnostic } from '../../../src/diagnostics/diagnostic.js';
import { analyze, compile } from '../../../src/index.js';
import { isSafeText } from '../../../src/text/alphabet.js';
import { HOSTILE_SSIDS, applyStructEdit, applyTextEdit, structEdit, textEdit, writeYaml } from './mutations.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'golden');
const SPEC_FILE = 'cluster.yaml';
const SECRETS_FILE = 'cluster.secrets.yaml';
// The fixed secrets file, with passphrases for the Wi-Fi networks the mutations use, so
// that nodes on Wi-Fi with hostile SSIDs reach the writers too (those the secrets file
// itself refuses, with control characters or line separators, are refused in the spec too).
const SECRETS = readFileSync(join(GOLDEN, 'homelab', SECRETS_FILE), 'utf8')
  .replace(/^wifi: \{\}$/m, stringify({ wifi: Object.fromEntries(HOSTILE_SSIDS.filter(isSafeText).map((ssid, i) => [ssid, `pass phrase ${i} \\ ; # "x"`])) }).trimEnd());

export const SEED = Number(process.env['PICC_FUZZ_SEED'] ?? 20261130);
export const RUNS = Number(process.env['PICC_FUZZ_RUNS'] ?? 10_000);
/** Far above any honest run (tens of ms); an alias bomb or a runaway loop blows through it. */
const BUDGET_MS = Number(process.env['PICC_FUZZ_BUDGET_MS'] ?? 5_000);

/**
 * The golden specs as data, each renamed to the cluster the secrets file belongs to and cut
 * to a few nodes (rendering costs per node; the kinds of node each base has are kept).
 */
const KEEP_NODES: Record<string, number[]> = { homelab: [0, 1], ha: [0, 1, 2, 3], cilium: [0, 1], 'mixed-os': [0, 2, 4] };
export const BASES = Object.entries(KEEP_NODES).map(([name, keep]) => {
  const data = parse(readFileSync(join(GOLDEN, name, SPEC_FILE), 'utf8')) as { metadata: { name: string }; spec: { nodes: unknown[] } };
  data.metadata.name = 'homelab';
  data.spec.nodes = keep.map((i) => data.spec.nodes[i]);
  return data;
});

export const mutatedSpec = fc
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

/**
 * Runs one spec through the library; throws (failing the property) on any broken promise.
 * compile() begins with analyze(), so for a spec analyze() refuses, compile() is called
 * only for a deterministic quarter of them (by text length) to confirm it refuses too:
 * the rest would repeat the same work.
 */
export function runOne(text: string): { ok: boolean; codes: string[] } {
  const started = performance.now();
  const analysis = analyze(SPEC_FILE, text);
  const specErrors = analysis.diagnostics.some((d) => d.severity === 'error');
  const result = !specErrors || text.length % 4 === 0 ? compile(SPEC_FILE, text, SECRETS_FILE, SECRETS) : undefined;
  const elapsed = performance.now() - started;
  if (elapsed > BUDGET_MS) throw new Error(`took ${Math.round(elapsed)} ms, over the ${BUDGET_MS} ms budget`);

  const texts = new Map([[SPEC_FILE, text], [SECRETS_FILE, SECRETS]]);
  for (const d of [...analysis.diagnostics, ...(result?.diagnostics ?? [])]) {
    const wrong = problemsWith(d, texts);
    if (wrong.length > 0) throw new Error(`diagnostic ${d.code} "${d.message}": ${wrong.join('; ')}`);
  }
  if (specErrors === (analysis.spec !== undefined)) throw new Error(`analyze: spec ${analysis.spec ? 'given' : 'missing'} with${specErrors ? '' : 'out'} errors`);
  if (!result) return { ok: false, codes: analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code) };
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 && result.artifacts !== undefined) throw new Error(`partial output: ${result.artifacts.length} artifacts beside ${errors.length} errors`);
  if (errors.length === 0 && (result.artifacts === undefined || result.artifacts.length === 0)) throw new Error('no error and no artifacts');
  if (specErrors && errors.length === 0) throw new Error('compile accepted a spec that analyze refused');
  return { ok: errors.length === 0, codes: errors.map((d) => d.code) };
}
