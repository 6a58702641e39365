// verify's results as a table for people: check, expected, found, ok; columns as wide as
// their widest cell, the last column "ok" or "DIFF" so a difference stands out.

import type { CheckResult } from './checks.js';

const HEADER = { check: 'CHECK', expected: 'EXPECTED', found: 'FOUND', ok: 'OK' };

export function resultTable(results: readonly CheckResult[]): string[] {
  const rows = [HEADER, ...results.map((r) => ({ check: r.check, expected: r.expected, found: r.found, ok: r.ok ? 'ok' : 'DIFF' }))];
  const width = (k: 'check' | 'expected' | 'found'): number => Math.max(...rows.map((r) => r[k].length));
  const [c, e, f] = [width('check'), width('expected'), width('found')];
  return rows.map((r) => `${r.check.padEnd(c)}  ${r.expected.padEnd(e)}  ${r.found.padEnd(f)}  ${r.ok}`);
}
