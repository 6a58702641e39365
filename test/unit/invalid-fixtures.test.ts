// Bad specs give the right diagnostics at the right lines. Every folder under
// test/fixtures/invalid/ holds a cluster.yaml and expected/diagnostics.txt: what
// formatHuman prints for that spec. Adding a case needs no code.
// UPDATE_GOLDEN=1 rewrites the expected files (read them before committing).

import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatHuman } from '../../src/diagnostics/format.js';
import { analyze } from '../../src/index.js';
import { goldenMode } from '../golden/report.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'invalid');
// Refused (the file fails before writing) for UPDATE_GOLDEN=1 on CI.
const UPDATE = goldenMode(process.env) === 'update';

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(ROOT, e.name, 'cluster.yaml')))
  .map((e) => e.name)
  .sort();

/** The human output for a fixture, with the file named as a user would pass it. */
function diagnosticsText(name: string): { text: string; errors: number } {
  const spec = readFileSync(join(ROOT, name, 'cluster.yaml'), 'utf8');
  const r = analyze('cluster.yaml', spec);
  return { text: formatHuman(r.diagnostics, new Map([['cluster.yaml', spec]])), errors: r.diagnostics.filter((d) => d.severity === 'error').length };
}

describe('invalid specs', () => {
  it('has the cases the issue asks for', () => {
    expect(cases).toEqual(expect.arrayContaining([
      'unknown-key-bad-address-duplicate-name', 'loopback-dns', 'subnet-overlap', 'ha-without-endpoint', 'weave',
      'kubernetes-version-out-of-range', 'containerd-1.7-kubernetes-1.36', 'yaml-syntax-error',
    ]));
  });

  it.each(cases)('%s', (name) => {
    const { text, errors } = diagnosticsText(name);
    // An "invalid" fixture the compiler accepts is a bug in the compiler or in the fixture.
    expect(errors, 'the spec must be refused').toBeGreaterThan(0);
    const file = join(ROOT, name, 'expected', 'diagnostics.txt');
    if (UPDATE) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return;
    }
    expect(existsSync(file), `${file} is missing; run UPDATE_GOLDEN=1 npx vitest run test/unit/invalid-fixtures.test.ts and read it`).toBe(true);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('the must-show case reports all three problems, each at its own line', () => {
    const { text } = diagnosticsText('unknown-key-bad-address-duplicate-name');
    expect(text.match(/^(error|warning)\[PICC\d+\]/gm)).toEqual(['error[PICC101]', 'error[PICC105]', 'error[PICC201]']);
    expect(text.match(/--> cluster\.yaml:\d+:\d+/g)).toEqual(['--> cluster.yaml:11:5', '--> cluster.yaml:21:16', '--> cluster.yaml:22:13']);
  });
});
