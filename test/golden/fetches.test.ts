// `picc plan`'s list of what a node fetches must be what its setup.sh really fetches: for
// every golden case and node, the https URLs in the compiled script (less the cluster's own
// API addresses and the documentation links in unit files) are exactly nodeFetches' URLs.

import { describe, expect, it } from 'vitest';
import { compile } from '../../src/index.js';
import { nodeFetches } from '../../src/plan/downloads.js';
import { compileOptions, listCases, secretsName, specName } from './cases.js';

/** Every https URL in a script, as the shell would see it (quotes and trailing punctuation cut). */
function urlsIn(script: string): string[] {
  return [...script.matchAll(/https?:\/\/[^\s"'`)<>]+/g)].map((m) => m[0].replace(/[.,;:]+$/, ''));
}

describe.each(listCases())('fetches of golden case $name', (c) => {
  const result = compile(specName(c), c.specText, secretsName(c), c.secretsText, compileOptions(c));
  const plan = result.plan!;
  const apiUrls = new Set(plan.nodes.flatMap((n) => [n.kubeadm.endpointUrl, `https://${n.address}:6443/readyz`, ...(n.upgrade?.versionUrl ? [n.upgrade.versionUrl] : [])]));
  it.each(plan.nodes.map((n) => [n.name, n] as const))('%s: plan lists exactly what setup.sh fetches', (name, node) => {
    const script = result.artifacts!.find((a) => a.path === `${plan.name}/${name}/setup.sh`)!.content;
    const documentation = new Set([...script.matchAll(/^Documentation=(\S+)$/gm)].map((m) => m[1]!));
    const inScript = new Set(urlsIn(script).filter((u) => !apiUrls.has(u) && !documentation.has(u)));
    const listed = new Set(nodeFetches(node, plan.mirror).map((f) => f.url));
    expect([...listed].sort()).toEqual([...inScript].sort());
    expect(listed.size).toBeGreaterThanOrEqual(3);
  });
});
