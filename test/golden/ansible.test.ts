// The Ansible export (<cluster>/ansible/) of every golden case passes Ansible's own checks:
// `ansible-playbook --syntax-check` with its inventory, and ansible-lint at its strictest
// profile (production), offline, with no configuration file and no skipped rule.
// Missing tools fail the test (CI installs Debian's ansible-core and ansible-lint).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { compileCase, listCases } from './cases.js';

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

  it.each(cases)('$name: the export is inventory.yaml, setup-node.yml and site.yml', (c) => {
    const names = compileCase(c).filter((a) => /^[^/]+\/ansible\//.test(a.path)).map((a) => a.path.replace(/^[^/]+\//, ''));
    expect(names).toEqual(EXPORT_FILES);
  });

  it.each(cases)('$name: ansible-playbook --syntax-check passes', { timeout: 300_000 }, async (c) => {
    const syntax = await run('ansible-playbook', ['--syntax-check', '-i', 'inventory.yaml', 'site.yml'], exportDir.get(c.name)!, join(dir, 'home'));
    expect(syntax.output, 'ansible-playbook --syntax-check').toContain('playbook: site.yml');
    expect(syntax.output, 'ansible-playbook --syntax-check').not.toMatch(/WARNING|ERROR/);
    expect(syntax.code, `ansible-playbook --syntax-check:\n${syntax.output}`).toBe(0);
  });

  // One ansible-lint over every case (it starts slowly); each file named: given a folder
  // outside git, ansible-lint may pick only some of them. Findings name <case>/<cluster>/ansible/<file>.
  it('every case passes ansible-lint --profile production', { timeout: 300_000 }, async () => {
    const files = cases.flatMap((c) => EXPORT_FILES.map((f) => relative(dir, join(exportDir.get(c.name)!, '..', f))));
    expect(files).toHaveLength(cases.length * EXPORT_FILES.length);
    const lint = await run('ansible-lint', ['--offline', '--profile', 'production', '--nocolor', ...files], dir, join(dir, 'home'));
    const passed = /Passed with production profile: 0 failure\(s\), 0 warning\(s\) on (\d+) files/.exec(lint.output);
    expect(passed, `ansible-lint:\n${lint.output}`).not.toBeNull();
    // It counts an imported tasks file once more: at least every file named was read.
    expect(Number(passed![1])).toBeGreaterThanOrEqual(files.length);
    expect(lint.code, `ansible-lint:\n${lint.output}`).toBe(0);
  });
});
