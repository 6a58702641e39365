// The code catalogue is one table (src/diagnostics/codes.ts): every code picc can report is
// in it, and every code in it has its sentence in the README's table of codes.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/diagnostics/codes.js';

const ROOT = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

describe('the code catalogue', () => {
  const catalogued = Object.keys(CODES).sort();

  it('holds every code the sources report', () => {
    const used = new Set(sources(join(ROOT, 'src')).flatMap((f) => readFileSync(f, 'utf8').match(/PICC\d{3}/g) ?? []));
    expect([...used].filter((c) => !(c in CODES))).toEqual([]);
  });

  it('has one sentence per code in the README, and the README names no other code', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| (PICC\d{3}) \| (.+) \|$/gm)];
    expect(rows.map((r) => r[1]).sort()).toEqual(catalogued);
    for (const [, code, sentence] of rows) expect(sentence, code).toMatch(/^[A-Z`].{10,}\.\)?$/);
  });
});
