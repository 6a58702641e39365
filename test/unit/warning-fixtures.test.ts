// Specs that compile but deserve a warning. Every folder under test/fixtures/warnings/
// holds a cluster.yaml and expected/diagnostics.txt: what formatHuman prints for it. The
// spec must have no error (a warning never stops a compile) and at least one warning.
// Refused specs live in test/fixtures/invalid/. UPDATE_GOLDEN=1 rewrites the expected files.

import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatHuman } from '../../src/diagnostics/format.js';
import { analyze } from '../../src/index.js';
import { goldenMode } from '../golden/report.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'warnings');
// Refused (the file fails before writing) for UPDATE_GOLDEN=1 on CI.
const UPDATE = goldenMode(process.env) === 'update';

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(ROOT, e.name, 'cluster.yaml')))
  .map((e) => e.name)
  .sort();

describe('specs with warnings', () => {
  it.each(cases)('%s', (name) => {
    const spec = readFileSync(join(ROOT, name, 'cluster.yaml'), 'utf8');
    const r = analyze('cluster.yaml', spec);
    expect(r.diagnostics.filter((d) => d.severity === 'error'), 'a warning case must not be refused').toEqual([]);
    expect(r.spec).toBeDefined();
    expect(r.diagnostics.filter((d) => d.severity === 'warning').length).toBeGreaterThan(0);
    const text = formatHuman(r.diagnostics, new Map([['cluster.yaml', spec]]));
    const file = join(ROOT, name, 'expected', 'diagnostics.txt');
    if (UPDATE) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return;
    }
    expect(existsSync(file), `${file} is missing; run UPDATE_GOLDEN=1 npx vitest run test/unit/warning-fixtures.test.ts and read it`).toBe(true);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });
});
