// setup.sh is rendered part by part (src/render/setup-script.ts) for speed; templates/setup.sh.njk
// is the whole of it in one template. The two must give the same bytes for every node of
// every golden case (every OS, CNI, install method, HA, Wi-Fi), and the hosts block must
// be what it was when every node's was made from the node list on its own.

import { describe, expect, it } from 'vitest';
import { planCluster } from '../../src/index.js';
import { hostsBlock } from '../../src/plan/system.js';
import { PICC_VERSION } from '../../src/version.js';
import { templates } from '../../src/render/env.js';
import { setupScriptParts } from '../../src/render/setup-script.js';
import { listCases } from '../golden/cases.js';

const cases = listCases().map((c) => {
  const { plan } = planCluster(c.specPath, c.specText, c.secretsPath, c.secretsText);
  if (!plan) throw new Error(`golden case ${c.name} does not plan`);
  return { name: c.name, plan };
});

describe.each(cases)('setup.sh of $name', ({ plan }) => {
  it('made part by part is setup.sh.njk rendered whole', () => {
    for (const node of plan.nodes) {
      const whole = templates().render('setup.sh.njk', { cluster: plan, node, picc: { version: PICC_VERSION } });
      const parts = setupScriptParts(plan, node);
      expect(parts.length).toBeGreaterThan(node.phases.length);
      expect(parts.join('')).toBe(whole);
    }
  });
});

describe('hostsBlock', () => {
  const nodes = [
    { name: 'b', address: '10.0.0.2' },
    { name: 'a', address: '10.0.0.1' },
    { name: 'c', address: '10.0.0.3' },
  ];

  it('lists the node itself on 127.0.1.1, then every node in name order', () => {
    expect(hostsBlock('b', nodes)).toBe('127.0.1.1 b\n10.0.0.1 a\n10.0.0.2 b\n10.0.0.3 c\n');
  });

  it('gives each node its own loopback line over the same cluster lines', () => {
    expect(hostsBlock('a', nodes)).toBe('127.0.1.1 a\n10.0.0.1 a\n10.0.0.2 b\n10.0.0.3 c\n');
    expect(hostsBlock('c', [...nodes, { name: 'd', address: '10.0.0.4' }])).toBe('127.0.1.1 c\n10.0.0.1 a\n10.0.0.2 b\n10.0.0.3 c\n10.0.0.4 d\n');
  });

  it('reads the same from a planned node each time', () => {
    const node = cases[0]!.plan.nodes[0]!;
    expect(node.hosts.block).toBe(node.hosts.block);
    expect(node.hosts.block.startsWith(`127.0.1.1 ${node.name}\n`)).toBe(true);
    expect(JSON.parse(JSON.stringify(node.hosts))).toEqual({ hostname: node.name, block: node.hosts.block });
  });
});
