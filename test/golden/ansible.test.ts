// The Ansible export (<cluster>/ansible/) of every golden case passes Ansible's own checks:
// `ansible-playbook --syntax-check` of each playbook with its inventory, and ansible-lint at
// its strictest profile (production), offline, with no configuration file and no skipped rule.
// A case whose nodes get upgrade.sh (the `upgrade` case) also gets upgrade.yml, checked alike.
// Missing tools fail the test (CI installs Debian's ansible-core and ansible-lint).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { compileCase, listCases, type GoldenCase } from './cases.js';

const cases = listCases();

interface Result {
  code: number;
  output: string;
}

function run(cmd: string, args: string[], cwd: string, home: string): Promise<Result> {
  // Ansible's and ansible-lint's caches go to a folder of this test, not the user's home.
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, ANSIBLE_HOME: join(home, '.ansible'), NO_COLOR: '1', LC_ALL: 'C.UTF-8' };
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err); // not installed, not a finding
      resolve({ code: err ? Number(err.code) : 0, output: stdout + stderr });
    });
  });
}

const EXPORT_FILES = ['ansible/inventory.yaml', 'ansible/setup-node.yml', 'ansible/site.yml'];
const UPGRADE_FILES = ['ansible/upgrade-node.yml', 'ansible/upgrade.yml'];

/** The export's files for a case: the upgrade playbook only beside upgrade.sh. */
function exportFiles(c: GoldenCase): string[] {
  const upgrading = compileCase(c).some((a) => a.path.endsWith('/upgrade.sh'));
  return upgrading ? [...EXPORT_FILES, ...UPGRADE_FILES] : EXPORT_FILES;
}

describe.concurrent('ansible export', () => {
  // Every case's export under <tmp>/<case>/<cluster>/ansible/, written once.
  let dir = '';
  const exportDir = new Map<string, string>();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'picc-ansible-'));
    mkdirSync(join(dir, 'home'));
    for (const c of cases) {
      const files = compileCase(c).filter((a) => /^[^/]+\/ansible\//.test(a.path));
      for (const a of files) {
        const file = join(dir, c.name, a.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, a.content);
        exportDir.set(c.name, dirname(file));
      }
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(cases)('$name: the export is inventory.yaml, setup-node.yml and site.yml (and upgrade-node.yml, upgrade.yml with upgrade.sh)', (c) => {
    const names = compileCase(c).filter((a) => /^[^/]+\/ansible\//.test(a.path)).map((a) => a.path.replace(/^[^/]+\//, ''));
    expect(names).toEqual(exportFiles(c));
  });

  it('the upgrade case is the one that gets upgrade.yml', () => {
    expect(cases.filter((c) => exportFiles(c).length > EXPORT_FILES.length).map((c) => c.name)).toEqual(['upgrade']);
  });

  it.each(cases)('$name: ansible-playbook --syntax-check passes', { timeout: 300_000 }, async (c) => {
    const playbooks = exportFiles(c).filter((f) => /\/(site|upgrade)\.yml$/.test(f)).map((f) => f.replace('ansible/', ''));
    for (const playbook of playbooks) {
      const syntax = await run('ansible-playbook', ['--syntax-check', '-i', 'inventory.yaml', playbook], exportDir.get(c.name)!, join(dir, 'home'));
      expect(syntax.output, 'ansible-playbook --syntax-check').toContain(`playbook: ${playbook}`);
      expect(syntax.output, 'ansible-playbook --syntax-check').not.toMatch(/WARNING|ERROR/);
      expect(syntax.code, `ansible-playbook --syntax-check ${playbook}:\n${syntax.output}`).toBe(0);
    }
  });

  // One ansible-lint over every case (it starts slowly); each file named: given a folder
  // outside git, ansible-lint may pick only some of them. Findings name <case>/<cluster>/ansible/<file>.
  it('every case passes ansible-lint --profile production', { timeout: 300_000 }, async () => {
    const files = cases.flatMap((c) => exportFiles(c).map((f) => relative(dir, join(exportDir.get(c.name)!, '..', f))));
    expect(files).toHaveLength(cases.length * EXPORT_FILES.length + UPGRADE_FILES.length);
    const lint = await run('ansible-lint', ['--offline', '--profile', 'production', '--nocolor', ...files], dir, join(dir, 'home'));
    const passed = /Passed with production profile: 0 failure\(s\), 0 warning\(s\) on (\d+) files/.exec(lint.output);
    expect(passed, `ansible-lint:\n${lint.output}`).not.toBeNull();
    // It counts an imported tasks file once more: at least every file named was read.
    expect(Number(passed![1])).toBeGreaterThanOrEqual(files.length);
    expect(lint.code, `ansible-lint:\n${lint.output}`).toBe(0);
  });
});
