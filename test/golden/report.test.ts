// The golden test's own guards: UPDATE_GOLDEN is refused on CI (by the decision function
// and by golden.test.ts itself, run as CI would), and a failure report leads with the
// setup.sh hunk, naming the derived user-data and meta-data only after it.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compileCase, loadCase, readTree, REPO_ROOT } from './cases.js';
import { goldenMode, goldenReport, lineHunks, type GoldenFile } from './report.js';

describe('goldenMode', () => {
  it('compares unless UPDATE_GOLDEN=1', () => {
    expect(goldenMode({})).toBe('compare');
    expect(goldenMode({ CI: 'true' })).toBe('compare');
    expect(goldenMode({ UPDATE_GOLDEN: '0' })).toBe('compare');
  });

  it('updates with UPDATE_GOLDEN=1 off CI', () => {
    expect(goldenMode({ UPDATE_GOLDEN: '1' })).toBe('update');
    expect(goldenMode({ UPDATE_GOLDEN: '1', CI: '' })).toBe('update');
    expect(goldenMode({ UPDATE_GOLDEN: '1', CI: 'false' })).toBe('update');
  });

  it.each(['true', '1', 'yes'])('refuses UPDATE_GOLDEN=1 with CI=%s', (ci) => {
    expect(() => goldenMode({ UPDATE_GOLDEN: '1', CI: ci })).toThrow(/UPDATE_GOLDEN=1 is refused when CI is set/);
  });

  it('golden.test.ts run with UPDATE_GOLDEN=1 on CI fails and leaves expected/ as it was', () => {
    const before = readTree(join(REPO_ROOT, 'test', 'golden'));
    const vitest = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const run = spawnSync(process.execPath, [vitest, 'run', 'test/golden/golden.test.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, UPDATE_GOLDEN: '1', CI: 'true', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stdout + run.stderr).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('UPDATE_GOLDEN=1 is refused when CI is set');
    const after = readTree(join(REPO_ROOT, 'test', 'golden'));
    expect(after.map((f) => [f.path, f.bytes.toString('base64')])).toEqual(before.map((f) => [f.path, f.bytes.toString('base64')]));
  });
});

describe('lineHunks', () => {
  it('shows a changed line with three lines of context and both line ranges', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n');
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h'].join('\n');
    expect(lineHunks(before, after)).toBe(['@@ -2,7 +2,7 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h'].join('\n'));
  });

  it('gives changes far apart their own hunks, and counts added lines', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const after = [...lines.slice(0, 1), 'new', ...lines.slice(1, 18), 'LINE 19', ...lines.slice(19)];
    expect(lineHunks(lines.join('\n'), after.join('\n'))).toBe(
      [
        '@@ -1,4 +1,5 @@', ' line 1', '+new', ' line 2', ' line 3', ' line 4',
        '@@ -16,5 +17,5 @@', ' line 16', ' line 17', ' line 18', '-line 19', '+LINE 19', ' line 20',
      ].join('\n'),
    );
  });
});

describe('goldenReport', () => {
  const artifacts = compileCase(loadCase('ha'));
  const expected: GoldenFile[] = artifacts.map((a) => ({ path: a.path, bytes: Buffer.from(a.content, 'utf8') }));
  const OLD = '  wait_for_time_sync 180';
  const NEW = '  wait_for_time_sync 240';

  /** The compiled files with one line of cp-2's setup.sh changed, as the compiler would make them. */
  function withScriptChange(): GoldenFile[] {
    return artifacts.map((a) => {
      let content = a.content;
      if (a.path === 'pi-ha/cp-2/setup.sh') content = content.replace(OLD, NEW);
      if (a.path === 'pi-ha/cp-2/user-data') content = content.replace(`    ${OLD}`, `    ${NEW}`);
      if (a.path === 'pi-ha/cp-2/meta-data') content = content.replace(/instance-id: \S+/, 'instance-id: picc-cp-2-0000000000000000');
      if (/^pi-ha\/cp-2\/(setup\.sh|user-data|meta-data)$/.test(a.path)) expect(content, `${a.path} was not changed`).not.toBe(a.content);
      return { path: a.path, bytes: Buffer.from(content, 'utf8') };
    });
  }

  it('is null when every file has the same bytes', () => {
    expect(goldenReport(expected, expected)).toBeNull();
  });

  it('leads with the setup.sh hunk and only names user-data and meta-data after it', () => {
    const report = goldenReport(expected, withScriptChange())!;
    const script = artifacts.find((a) => a.path === 'pi-ha/cp-2/setup.sh')!.content;
    const line = script.split('\n').indexOf(OLD) + 1;
    expect(report.startsWith('--- expected/pi-ha/cp-2/setup.sh\n+++ compiled/pi-ha/cp-2/setup.sh\n')).toBe(true);
    expect(report).toContain(`@@ -${line - 3},7 +${line - 3},7 @@`);
    expect(report).toContain(`\n-${OLD}\n+${NEW}\n`);
    const derived = report.indexOf('derived from a setup.sh above');
    expect(derived).toBeGreaterThan(report.indexOf(`+${NEW}`));
    expect(report.slice(derived)).toContain('pi-ha/cp-2/meta-data, pi-ha/cp-2/user-data');
    // no hunk of the derived files: their diff repeats the script's
    expect(report).not.toContain('--- expected/pi-ha/cp-2/user-data');
    expect(report).not.toContain('--- expected/pi-ha/cp-2/meta-data');
  });

  it('puts the setup.sh hunk before the hunk of a file that sorts first (network-config)', () => {
    const made = withScriptChange().map((f) =>
      f.path === 'pi-ha/cp-2/network-config' ? { ...f, bytes: Buffer.from(f.bytes.toString('utf8').replace('dhcp4: false', 'dhcp4: true')) } : f,
    );
    const report = goldenReport(expected, made)!;
    expect(report.startsWith('--- expected/pi-ha/cp-2/setup.sh\n')).toBe(true);
    expect(report.indexOf('--- expected/pi-ha/cp-2/network-config')).toBeGreaterThan(report.indexOf(`+${NEW}`));
    expect(report).toContain('\n-      dhcp4: false\n+      dhcp4: true\n');
  });

  it('shows hunks that several scripts share once, naming the others', () => {
    const made = withScriptChange().map((f) =>
      f.path === 'pi-ha/cp-3/setup.sh' ? { ...f, bytes: Buffer.from(f.bytes.toString('utf8').replace(OLD, NEW)) } : f,
    );
    const report = goldenReport(expected, made)!;
    expect(report.split(`+${NEW}`)).toHaveLength(2);
    expect(report).toContain('the same hunks in: pi-ha/cp-3/setup.sh (as pi-ha/cp-2/setup.sh)');
  });

  it('shows a hunk for a user-data change that no setup.sh change explains', () => {
    const made = expected.map((f) =>
      f.path === 'pi-ha/cp-1/user-data' ? { ...f, bytes: Buffer.from(f.bytes.toString('utf8').replace('ssh_pwauth: false', 'ssh_pwauth: true')) } : f,
    );
    const report = goldenReport(expected, made)!;
    expect(report.startsWith('--- expected/pi-ha/cp-1/user-data\n')).toBe(true);
    expect(report).toContain('\n-ssh_pwauth: false\n+ssh_pwauth: true\n');
  });

  it('names files made or expected on one side only, and shows a file that gained a byte-order mark', () => {
    const made = [
      ...expected.filter((f) => f.path !== 'pi-ha/admin.kubeconfig'),
      { path: 'pi-ha/extra', bytes: Buffer.from('x') },
    ].map((f) => (f.path === 'pi-ha/cp-1/network-config' ? { ...f, bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), f.bytes]) } : f));
    const report = goldenReport(expected, made)!;
    expect(report).toContain('expected but not made: pi-ha/admin.kubeconfig');
    expect(report).toContain('made but not expected: pi-ha/extra');
    expect(report).toContain('--- expected/pi-ha/cp-1/network-config');
  });
});
