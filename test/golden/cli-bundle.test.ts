// dist/cli.js is a bundle in which the schema check is ajv standalone code and the templates
// are precompiled (scripts/build.mjs). The artifacts it writes are held to compile() by
// determinism.test.ts (b); here its diagnostics are held to the library's: every invalid
// fixture, validated by the built CLI, prints exactly the expected diagnostics that
// invalid-fixtures.test.ts holds analyze() to. Needs `npm run build` first (npm test does it).

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cases.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const INVALID = join(REPO_ROOT, 'test', 'fixtures', 'invalid');
const cases = readdirSync(INVALID, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(INVALID, e.name, 'cluster.yaml')))
  .map((e) => e.name)
  .sort();

describe('the built CLI reports what the library reports', () => {
  it('is built', () => {
    expect(existsSync(CLI), `${CLI} is missing: npm run build`).toBe(true);
  });

  it.concurrent.each(cases)('%s', async (name) => {
    const dir = join(INVALID, name);
    const got = await run(process.execPath, [CLI, 'validate', 'cluster.yaml'], { cwd: dir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NO_COLOR: '1' } })
      .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
    expect(got.code, got.stderr).toBe(1);
    const expected = readFileSync(join(dir, 'expected', 'diagnostics.txt'), 'utf8');
    // The diagnostics, then the CLI's one-line count.
    expect(got.stderr.slice(0, expected.length), `${name}: the built CLI's diagnostics differ (is dist/ stale? npm run build)`).toBe(expected);
    expect(got.stderr.slice(expected.length)).toMatch(/^\d+ errors?(, \d+ warnings?)?; nothing was written\n$/);
  });
});
