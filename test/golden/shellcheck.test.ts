// Every generated script (setup.sh, first-boot.sh) of every golden case parses (bash -n) and is clean under
// shellcheck at its strictest: severity style, no exclusions, no rc file. A finding fails
// the test and is printed whole (file:line:col: level: message [SCxxxx]).

import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileCase, listCases } from './cases.js';

const cases = listCases();

interface Result {
  code: number;
  output: string;
}

function run(cmd: string, args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err); // not installed, not a finding
      resolve({ code: err ? Number(err.code) : 0, output: stdout + stderr });
    });
  });
}

// Concurrent: the time is all in child processes.
describe.concurrent('shell scripts', () => {
  // Minutes, not seconds, on a loaded 2-core machine: shellcheck is CPU-bound (this is no speed test).
  it.each(cases)('every script of $name passes bash -n and shellcheck --severity=style', { timeout: 300_000 }, async (c) => {
    const dir = mkdtempSync(join(tmpdir(), `picc-shellcheck-${c.name}-`));
    try {
      const scripts = compileCase(c).filter((a) => a.path.endsWith('.sh'));
      expect(scripts.length).toBeGreaterThan(0);
      const files = scripts.map((a) => {
        const file = join(dir, a.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, a.content);
        return file;
      });
      // shellcheck picks the dialect from the shebang; DESIGN.md fixes it to bash.
      const shebangs = scripts.filter((a) => !a.content.startsWith('#!/usr/bin/env bash\n')).map((a) => a.path);
      expect(shebangs, 'scripts not starting with #!/usr/bin/env bash').toEqual([]);
      // A script may not switch checks off for itself either.
      const disabled = scripts.filter((a) => /^\s*#\s*shellcheck\s+disable=/m.test(a.content)).map((a) => a.path);
      expect(disabled, 'scripts with "# shellcheck disable=" directives').toEqual([]);

      const syntax = await Promise.all(files.map((f) => run('bash', ['-n', f])));
      const syntaxErrors = syntax.filter((r) => r.code !== 0).map((r) => r.output.replaceAll(dir + '/', ''));
      expect(syntaxErrors, 'bash -n').toEqual([]);

      // One shellcheck over all the case's scripts: it starts slowly, and checks in one pass.
      const lint = await run('shellcheck', ['--norc', '--severity=style', '--format=gcc', ...files]);
      const findings = lint.output.replaceAll(dir + '/', '').trim();
      expect(findings, 'shellcheck findings').toBe('');
      expect(lint.code, 'shellcheck exit status').toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
