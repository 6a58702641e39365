// Stage 5 (render), its shell safety: the one quoting filter (`sh`), the heredoc guard,
// and a lint over every template that no value reaches a script unquoted.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATES_DIR } from '../../src/render/template-loader.js';
import { HEREDOC_DELIMITER, heredocBody, shQuote, shWords } from '../../src/render/shell.js';

/** What bash makes of `printf %s <quoted>`: the word the quoting produced, byte for byte. */
function bashWord(quoted: string): string {
  return execFileSync('bash', ['-c', `printf %s ${quoted}`], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent' } });
}

describe('shQuote', () => {
  const cases: [string, { given: unknown; want: string }][] = [
    ['a plain word stays as it is', { given: 'k8s-worker-3', want: 'k8s-worker-3' }],
    ['paths, addresses, versions and key=value stay readable', { given: '/etc/picc/kubeadm.yaml', want: '/etc/picc/kubeadm.yaml' }],
    ['a CIDR', { given: '192.168.1.0/24', want: '192.168.1.0/24' }],
    ['a URL with a port and a colon path', { given: 'https://pkgs.k8s.io/core:/stable:/v1.34/deb/', want: 'https://pkgs.k8s.io/core:/stable:/v1.34/deb/' }],
    ['key=value,@%+', { given: 'a=b,c@d%e+f', want: 'a=b,c@d%e+f' }],
    ['a number becomes its decimal text', { given: 6443, want: '6443' }],
    ['the empty string is an empty quoted word', { given: '', want: "''" }],
    ['a space between plain words', { given: 'two words', want: "'two words'" }],
    ['leading and trailing spaces', { given: ' padded ', want: "' padded '" }],
    ['spaces and parentheses', { given: 'Raspberry Pi OS 12 (bookworm)', want: "'Raspberry Pi OS 12 (bookworm)'" }],
    ['a single quote', { given: "it's", want: "'it'\\''s'" }],
    ['only single quotes', { given: "''", want: "''\\'''\\'''" }],
    ['double quotes', { given: 'say "hi"', want: `'say "hi"'` }],
    ['a newline', { given: 'line 1\nline 2', want: "'line 1\nline 2'" }],
    ['a trailing newline', { given: 'x\n', want: "'x\n'" }],
    // $ and ` go in double quotes, escaped: shellcheck (SC2016) takes '$(…)' for a mistake.
    ['command substitution', { given: '$(touch /tmp/picc-pwned)', want: '"\\$(touch /tmp/picc-pwned)"' }],
    ['backticks', { given: '`id`', want: '"\\`id\\`"' }],
    ['a variable', { given: '$HOME', want: '"\\$HOME"' }],
    ['${…} expansion', { given: '${PATH}', want: '"\\${PATH}"' }],
    ['$ with double quotes and a backslash', { given: 'a"$b\\c\'d', want: '"a\\"\\$b\\\\c\'d"' }],
    ['a glob', { given: '*', want: "'*'" }],
    ['a tilde', { given: '~root', want: "'~root'" }],
    ['a backslash', { given: 'a\\b', want: "'a\\b'" }],
    ['command separators', { given: 'a; rm -rf / && b | c &', want: "'a; rm -rf / && b | c &'" }],
    ['history expansion', { given: '!!', want: "'!!'" }],
    ['a tab', { given: 'a\tb', want: "'a\tb'" }],
    ['a leading dash', { given: '-n', want: '-n' }],
    ['unicode', { given: 'zażółć', want: "'zażółć'" }],
    ['brackets and braces', { given: '[a]{b,c}', want: "'[a]{b,c}'" }],
    ['a comment sign', { given: '#x', want: "'#x'" }],
  ];

  it.each(cases)('%s', (_name, { given, want }) => {
    expect(shQuote(given)).toBe(want);
  });

  it.each(cases)('round-trips through bash: %s', (_name, { given }) => {
    expect(bashWord(shQuote(given))).toBe(String(given));
  });

  it('gives shellcheck nothing to say about any of these words', () => {
    const script = ['#!/usr/bin/env bash', ...cases.map(([, { given }]) => `printf '%s\\n' ${shQuote(given)}`), ''].join('\n');
    const r = spawnSync('shellcheck', ['--norc', '--severity=style', '-'], { input: script, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is one word to bash, whatever the value (a word-count probe)', () => {
    for (const [, { given }] of cases) {
      const count = execFileSync('bash', ['-c', `set -- ${shQuote(given)}; printf %s $#`], { encoding: 'utf8' });
      expect(count, JSON.stringify(given)).toBe('1');
    }
  });

  const refused: [string, { given: unknown; want: RegExp }][] = [
    ['undefined (a plan field is missing)', { given: undefined, want: /null or undefined/ }],
    ['null', { given: null, want: /null or undefined/ }],
    ['a NUL byte (bash cannot hold it)', { given: 'a\0b', want: /NUL/ }],
  ];
  it.each(refused)('refuses %s', (_name, { given, want }) => {
    expect(() => shQuote(given)).toThrow(want);
  });
});

describe('shWords', () => {
  it('quotes each item with sh and joins with single spaces, so bash sees one word per item', () => {
    const items = ['plain', 'two words', "it's", '$(id)', ''];
    const joined = shWords(items);
    expect(joined).toBe(items.map(shQuote).join(' '));
    const seen = execFileSync('bash', ['-c', `printf '%s\\n' ${joined}`], { encoding: 'utf8' });
    expect(seen).toBe(items.map((i) => `${i}\n`).join(''));
  });

  it('refuses a value that is not a list', () => {
    expect(() => shWords('a b')).toThrow(/must be a list/);
  });
});

describe('heredocBody', () => {
  it('returns the body unchanged', () => {
    const body = 'line $(id) `id` $HOME \\ \'"\n';
    expect(heredocBody(body)).toBe(body);
  });

  it("is taken literally by bash inside <<'PICC_EOF'", () => {
    const body = 'a $(touch /tmp/picc-pwned) `id` ${HOME} \\n \'q\' "dq"\n\nPICC_EOF is only a delimiter alone on a line\n';
    const out = execFileSync('bash', ['-c', `cat <<'${HEREDOC_DELIMITER}'\n${heredocBody(body)}${HEREDOC_DELIMITER}\n`], { encoding: 'utf8' });
    expect(out).toBe(body);
  });

  const refused: [string, { given: unknown; want: RegExp }][] = [
    ['content without a final newline (the delimiter would not start a line)', { given: 'no newline', want: /must end with a newline/ }],
    ['the delimiter alone on a line (it would end the heredoc early)', { given: 'a\nPICC_EOF\nb\n', want: /contains the line PICC_EOF/ }],
    ['the delimiter as the first line', { given: 'PICC_EOF\n', want: /contains the line PICC_EOF/ }],
    ['a number', { given: 42, want: /must be a string/ }],
    ['undefined', { given: undefined, want: /must be a string/ }],
  ];
  it.each(refused)('refuses %s', (_name, { given, want }) => {
    expect(() => heredocBody(given)).toThrow(want);
  });
});

// ---------------------------------------------------------------------------------------
// Template lint: the one quoting-filter rule. Every {{ … }} in every file under templates/
// must end in `| sh`, `| shwords` (a list, each item through sh) or `| heredoc`; anything
// else would paste a value into bash raw.

interface Finding {
  file: string;
  line: number;
  expression: string;
}

/** The {{ … }} expressions of a template that do not end in the sh or heredoc filter. */
function unquotedExpressions(file: string, text: string): { total: number; bad: Finding[] } {
  const bad: Finding[] = [];
  let total = 0;
  // {{- … -}} trims whitespace; the expression may span lines. Strings inside may hold "}}".
  const re = /\{\{-?((?:[^}'"]|'[^']*'|"[^"]*"|\}(?!\}))*?)-?\}\}/g;
  for (const m of text.matchAll(re)) {
    total++;
    const expr = m[1]!.trim();
    if (!/\|\s*(sh|shwords|heredoc)$/.test(expr)) {
      bad.push({ file, line: text.slice(0, m.index).split('\n').length, expression: expr });
    }
  }
  // An opening {{ without its closing }} is an expression the regex above cannot see.
  const opens = text.split('{{').length - 1;
  if (opens !== total) bad.push({ file, line: 0, expression: `${opens - total} unterminated {{` });
  return { total, bad };
}

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? templateFiles(p) : [p];
  });
}

describe('template lint: every interpolation is quoted by sh or heredoc', () => {
  it('the linter catches what it must (so the scan below can fail)', () => {
    const cases: [string, { given: string; want: number }][] = [
      ['no filter', { given: 'x={{ node.name }}', want: 1 }],
      ['another filter last', { given: 'x={{ node.name | sh | upper }}', want: 1 }],
      ['a filter named like sh', { given: 'x={{ node.name | shell }}', want: 1 }],
      ['sh as an argument, not the filter', { given: 'x={{ node.name | replace("a", sh) }}', want: 1 }],
      ['whitespace control', { given: 'x={{- node.name -}}', want: 1 }],
      ['over several lines', { given: 'x={{ node.name\n   | upper }}', want: 1 }],
      ['an unterminated expression', { given: 'x={{ node.name | sh', want: 1 }],
      ['a literal string', { given: 'x={{ "a b" }}', want: 1 }],
      ['sh last', { given: 'x={{ node.name | sh }} y={{ a | length | sh }}', want: 0 }],
      ['heredoc last, trimmed', { given: '{{- f.content | heredoc -}}', want: 0 }],
      ['a string holding }}', { given: 'x={{ "}}" | sh }}', want: 0 }],
    ];
    for (const [name, { given, want }] of cases) expect(unquotedExpressions('t', given).bad.length, name).toBe(want);
  });

  const files = templateFiles(TEMPLATES_DIR);

  it('finds the templates (setup.sh, its phases and the shell library)', () => {
    const names = files.map((f) => relative(TEMPLATES_DIR, f));
    expect(names).toContain('setup.sh.njk');
    expect(names.filter((n) => n.startsWith('phases/')).length).toBeGreaterThan(10);
    expect(names.filter((n) => n.startsWith('lib/')).length).toBeGreaterThan(0);
  });

  it('no template interpolates a value without sh or heredoc', () => {
    let total = 0;
    const bad: Finding[] = [];
    for (const f of files) {
      const r = unquotedExpressions(relative(TEMPLATES_DIR, f), readFileSync(f, 'utf8'));
      total += r.total;
      bad.push(...r.bad);
    }
    expect(bad.map((b) => `${b.file}:${b.line}: {{ ${b.expression} }}`)).toEqual([]);
    // The scan saw the templates' expressions: an empty scan would pass vacuously.
    expect(total).toBeGreaterThan(100);
  });

  it('heredoc bodies sit between <<\'PICC_EOF\' and a PICC_EOF line, so bash takes them literally', () => {
    for (const f of files) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/\|\s*heredoc\s*-?\}\}/.test(line)) return;
        const where = `${relative(TEMPLATES_DIR, f)}:${i + 1}`;
        expect(lines[i - 1], where).toMatch(/<<'PICC_EOF'$/);
        expect(line, where).toMatch(/^\{\{-? [^}]*\| heredoc -?\}\}PICC_EOF$/);
      });
    }
  });
});
