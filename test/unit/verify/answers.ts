// Shared by the verify tests: the recorded answer set of a healthy homelab cluster
// (test/fixtures/verify/homelab/<API path>.json) and the homelab example's expectations.
// Not a test file itself.

import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { loadCase } from '../../golden/cases.js';
import { planCluster } from '../../../src/index.js';
import { expectedFromPlan, type Expected } from '../../../src/verify/expected.js';

export const HOMELAB_ANSWERS = join(import.meta.dirname, '..', '..', 'fixtures', 'verify', 'homelab');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** API path → decoded body; a fresh copy every call, so a test may mutate it. */
export function recordedAnswers(dir = HOMELAB_ANSWERS): Map<string, unknown> {
  return new Map(files(dir).map((f) => ['/' + relative(dir, f).split(sep).join('/').replace(/\.json$/, ''), JSON.parse(readFileSync(f, 'utf8')) as unknown]));
}

export function expectedFor(goldenCase: string): Expected {
  const c = loadCase(goldenCase);
  const planned = planCluster(c.specPath, c.specText, c.secretsPath, c.secretsText);
  if (!planned.plan) throw new Error(`golden case ${goldenCase} does not plan`);
  return expectedFromPlan(planned.plan);
}
