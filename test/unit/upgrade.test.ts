// Upgrades: what compile knows the cluster runs (--from, or the output folder's previous
// compile), PICC222 for what kubeadm cannot do (a skipped minor, a downgrade), and the
// binaries method's upgrade.sh (kubeadm downloaded and verified first; shellcheck-clean).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/index.js';
import { runningVersion, type ClusterFacts } from '../../src/plan/facts.js';
import { upgradeRefusal } from '../../src/plan/upgrade.js';
import { loadCase, secretsName, specName } from '../golden/cases.js';

const facts = (kubernetesVersion: string, upgradeFrom: string | null): ClusterFacts => ({ cluster: 'c', kubernetesVersion, upgradeFrom, nodes: {} });

describe('the version the cluster runs', () => {
  it('is the previous compile\'s when the spec changed it, or the upgrade that compile started; else none', () => {
    expect(runningVersion(undefined, '1.36.4')).toBeNull();
    expect(runningVersion(facts('1.35.2', null), '1.36.4')).toBe('1.35.2');
    expect(runningVersion(facts('1.36.4', '1.35.2'), '1.36.4')).toBe('1.35.2');
    expect(runningVersion(facts('1.36.4', null), '1.36.4')).toBeNull();
  });
});

describe('upgradeRefusal', () => {
  it('allows a patch and the next minor', () => {
    expect(upgradeRefusal('1.35.2', '1.35.8')).toBeNull();
    expect(upgradeRefusal('1.35.2', '1.36.0')).toBeNull();
  });
  it('refuses a skipped minor and a downgrade, saying what to do', () => {
    expect(upgradeRefusal('1.34.2', '1.36.4')).toEqual({
      message: 'the cluster runs Kubernetes 1.34.2; 1.36.4 skips 1 minor release(s): kubeadm upgrades one minor at a time (1.34 -> 1.35)',
      hint: 'set kubernetes.version to a 1.35.x release, compile and run upgrade.sh on every node, then go on to 1.36',
    });
    expect(upgradeRefusal('1.36.4', '1.35.2')?.message).toMatch(/downgrade/);
    expect(upgradeRefusal('1.36.4', '1.36.3')?.message).toMatch(/downgrade/);
  });
});

describe('compile with upgradeFrom', () => {
  const c = loadCase('homelab');

  it('a skipped minor is PICC222 at spec.kubernetes.version, naming where the running version came from; nothing compiled', () => {
    const r = compile(specName(c), c.specText, secretsName(c), c.secretsText, { upgradeFrom: { version: '1.32.1', source: 'out/homelab/picc-facts.json' } });
    expect(r.artifacts).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.line, d.message.endsWith('(out/homelab/picc-facts.json)')])).toEqual([['PICC222', 16, true]]);
  });

  it('the same version: no upgrade.sh', () => {
    const r = compile(specName(c), c.specText, secretsName(c), c.secretsText, { upgradeFrom: { version: '1.34.2', source: '--from' } });
    expect(r.artifacts!.some((a) => a.path.endsWith('/upgrade.sh'))).toBe(false);
    expect(r.plan!.kubernetes.upgradeFrom).toBeNull();
  });

  it('install: binaries: upgrade.sh downloads kubeadm by its sha256 before kubeadm upgrade, and passes shellcheck', () => {
    const b = loadCase('binaries');
    const r = compile(specName(b), b.specText, secretsName(b), b.secretsText, { upgradeFrom: { version: '1.35.8', source: '--from' } });
    expect(r.diagnostics).toEqual([]);
    const scripts = r.artifacts!.filter((a) => a.path.endsWith('/upgrade.sh'));
    expect(scripts.length).toBe(r.plan!.nodes.length);
    const cp = scripts.find((a) => a.path.includes('/cp-1/'))!.content;
    const kubeadm = r.plan!.nodes[0]!.kubernetesBinaries!.binaries.find((x) => x.download.name === 'kubeadm')!.download;
    const fetch = cp.indexOf(`  download kubeadm ${kubeadm.url} ${kubeadm.sha256} ${kubeadm.file}`);
    expect(fetch).toBeGreaterThan(0);
    expect(fetch).toBeLessThan(cp.indexOf('kubeadm upgrade apply --yes'));
    const dir = mkdtempSync(join(tmpdir(), 'picc-upgrade-'));
    const files = scripts.map((s, i) => {
      const f = join(dir, `${i}.sh`);
      writeFileSync(f, s.content);
      return f;
    });
    const sc = spawnSync('shellcheck', ['--severity=style', ...files], { encoding: 'utf8' });
    expect(sc.stdout + sc.stderr).toBe('');
    expect(sc.status).toBe(0);
  }, 120_000);
});
