// reset.sh's plan against setup.sh's: every file setup writes is one reset knows, with a
// proof that matches what setup writes; the markers reset looks for are the ones setup
// writes. Run over every golden case (every OS, CNI, install method, HA, Wi-Fi).

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planCluster } from '../../src/index.js';
import { FSTAB_DISABLED_PREFIX, SETUP_LOCK } from '../../src/plan/reset.js';
import type { FileSpec, NodePlan } from '../../src/plan/types.js';
import { renderResetScript, renderSetupScript } from '../../src/render/render.js';
import { listCases } from '../golden/cases.js';

const cases = listCases().map((c) => {
  const { plan } = planCluster(c.specPath, c.specText, c.secretsPath, c.secretsText);
  if (!plan) throw new Error(`golden case ${c.name} does not plan`);
  return { name: c.name, plan };
});

/** Every FileSpec anywhere in a node's plan but its reset plan: what setup writes whole. */
function fileSpecs(value: unknown, out: FileSpec[] = []): FileSpec[] {
  if (Array.isArray(value)) value.forEach((v) => fileSpecs(v, out));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.path === 'string' && typeof o.mode === 'string' && typeof o.content === 'string') out.push(o as unknown as FileSpec);
    else Object.values(o).forEach((v) => fileSpecs(v, out));
  }
  return out;
}

function withoutReset(node: NodePlan): Omit<NodePlan, 'reset'> {
  const { reset: _reset, ...rest } = node;
  return rest;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe.each(cases)('reset plan of $name', ({ plan }) => {
  it('knows every file setup writes whole, with a proof that setup\'s content passes', () => {
    let checked = 0;
    for (const node of plan.nodes) {
      const owned = new Map(node.reset.files.map((f) => [f.path, f]));
      for (const spec of fileSpecs(withoutReset(node))) {
        const f = owned.get(spec.path);
        expect(f, `${node.name}: setup writes ${spec.path}, reset does not know it`).toBeDefined();
        // containerd's configuration gets kubeadm's pause image on the node: its header is the proof.
        if (f!.proof.marker !== null) expect(spec.content.split('\n').slice(0, 3).some((l) => l.startsWith(f!.proof.marker!))).toBe(true);
        else expect(f!.proof.sha256).toBe(sha256(spec.content));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(plan.nodes.length * 10);
  });

  it('proves the installed setup copy and the status file by what setup writes into them', () => {
    for (const node of plan.nodes) {
      const script = renderSetupScript(plan, node);
      const copy = node.reset.files.find((f) => f.path === node.state.installPath)!;
      expect(script.split('\n').slice(0, 3).some((l) => l.startsWith(copy.proof.marker!))).toBe(true);
      const status = node.reset.files.find((f) => f.path === node.boot.setupStatus)!;
      expect(script).toContain(`printf 'picc setup of %s: %s\\n' "$NODE_NAME" "$state"`);
      expect(status.proof.marker).toBe(`picc setup of ${node.name}: `);
    }
  });

  it('looks for the block markers, the lock and the fstab prefix setup writes', () => {
    for (const node of plan.nodes) {
      const setup = renderSetupScript(plan, node);
      const reset = renderResetScript(plan, node);
      for (const marker of ['readonly BLOCK_BEGIN=', 'readonly BLOCK_END=']) {
        const line = (s: string) => s.split('\n').find((l) => l.startsWith(marker));
        expect(line(reset)).toBeDefined();
        expect(line(reset)).toBe(line(setup));
      }
      expect(setup).toContain(`exec 9>"$ROOT${SETUP_LOCK}"`);
      expect(node.reset.lock).toBe(SETUP_LOCK);
      if (node.reset.fstab) expect(setup).toContain(`{ print "${FSTAB_DISABLED_PREFIX}" $0; next }`);
      // every token setup adds to cmdline.txt is one reset takes out
      expect(node.reset.cmdline.tokens).toEqual(node.kernelArgs);
    }
  });
});
