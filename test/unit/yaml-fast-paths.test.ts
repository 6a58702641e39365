// src/text/yaml.ts does several things faster than the obvious way, for speed on large
// clusters (a whole setup.sh sits in every user-data); each must give the same answers:
//   - toYaml writes plain data itself (the direct writer), leaving to the `yaml` package
//     only what it is not sure of;
//   - needsEscapedForm scans a string with one regex, not one test per character;
//   - toYaml writes a nested multi-line string's literal block itself, not through the
//     `yaml` package;
//   - toYamlParts writes a long string given as parts without joining them.
// Each is held here to the obvious way over generated strings.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify, type ScalarTag, type Tags } from 'yaml';
import { stringTag, stringifyString } from 'yaml/util';
import { directYamlParts, doubleQuoted, needsEscapedForm, toYaml, toYamlParts } from '../../src/text/yaml.js';

/** The character-by-character definition: printable as YAML 1.1 has it, LF anywhere, TAB only in multi-line strings. */
const PRINTABLE = /^[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]$/u;
function unsafeCharacterByCharacter(s: string): boolean {
  for (const ch of s) {
    if (ch === '\n') continue;
    if (ch === '\t' && s.includes('\n')) continue;
    if (!PRINTABLE.test(ch)) return true;
  }
  return false;
}

/** toYaml the obvious way: our escaped form for risky strings, the `yaml` package's string tag for every other. */
const libraryStringTag: ScalarTag = {
  ...stringTag,
  stringify(item, ctx, onComment, onChompKeep) {
    const value = (item as { value: unknown }).value;
    if (typeof value === 'string' && needsEscapedForm(value)) return doubleQuoted(value);
    return stringifyString(item, { ...ctx, actualString: true }, onComment, onChompKeep);
  },
};
const libraryTags = (tags: Tags): Tags => tags.map((t) => (typeof t === 'object' && t.tag === stringTag.tag ? libraryStringTag : t));
const byLibrary = (value: unknown): string => stringify(value, { lineWidth: 0, indent: 2, aliasDuplicateObjects: false, customTags: libraryTags });

// Characters at the edges of what matters: the ranges' bounds, line breaks and blanks,
// YAML indicators, a lone surrogate, an astral character.
const EDGES = ['\n', '\n', '\n', ' ', ' ', '\t', '\r', '\0', '\x1f', '\x7e', '\x7f', '\x9f', '\xa0', '\u0085', '\u2027', '\u2028', '\u2029', '\u202a',
  '\ud7ff', '\ud800', '\udfff', '\ue000', '\ufefe', '\ufeff', '\uff00', '\ufffd', '\ufffe', '😀', '#', ':', '-', '|', '>', '%', '.', '"', "'", 'a', 'b', '…', '—'];
const edgy = fc.array(fc.constantFrom(...EDGES), { maxLength: 40 }).map((cs) => cs.join(''));
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const lines = fc.array(fc.oneof(fc.constant(''), fc.constant('  indented'), fc.constant('#!/usr/bin/env bash'), fc.constant('x: y'), fc.constant('…'), fc.constant('\t')), { minLength: 1, maxLength: 8 })
  .map((ls) => ls.join('\n'));
const ends = fc.constantFrom('', '\n', '\n\n', ' ', '\n ', ' \n');
const script = fc.tuple(fc.constantFrom('', ' ', '\n', 'a'), lines, ends).map(([start, body, end]) => start + body + end);

describe('needsEscapedForm', () => {
  // The prefix "zz" keeps every string clear of YAML 1.1's implicit types (the function's
  // other half), so only the character scan is compared.
  it('agrees with the character-by-character definition', () => {
    fc.assert(
      fc.property(fc.oneof(edgy, anyText), (s) => {
        expect(needsEscapedForm(`zz${s}`)).toBe(unsafeCharacterByCharacter(s));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('toYaml', () => {
  const shapes: [string, (s: string) => unknown][] = [
    ['a mapping value', (s) => ({ content: s })],
    ['a value in a list of mappings (user-data write_files)', (s) => ({ write_files: [{ path: '/x', content: s, owner: 'root:root' }] })],
    ['a list item', (s) => [s, 'after']],
    ['a nested mapping value', (s) => ({ a: { b: { c: s } }, d: 1 })],
    ['the whole document', (s) => s],
    ['a key', (s) => ({ [s]: 'v' })],
  ];

  it.each(shapes)('writes a string as %s exactly as the yaml package does', (_name, shape) => {
    fc.assert(
      fc.property(fc.oneof(script, edgy), (s) => {
        expect(toYaml(shape(s))).toBe(byLibrary(shape(s)));
      }),
      { numRuns: 1500 },
    );
  });

  it('writes two scripts in one document exactly as the yaml package does', () => {
    fc.assert(
      fc.property(script, script, (a, b) => {
        const doc = { write_files: [{ content: a }, { content: b }], runcmd: [['a', 'b']] };
        expect(toYaml(doc)).toBe(byLibrary(doc));
      }),
    );
  });
});

describe('toYamlParts', () => {
  const PLACEHOLDER = '\0long\0';
  /** The parts of s, cut at the given places (sorted, within it). */
  const cut = (s: string, at: number[]): string[] => {
    const marks = [...new Set(at.map((a) => a % (s.length + 1)))].sort((x, y) => x - y);
    return [...marks, s.length].map((end, i) => s.slice(i === 0 ? 0 : marks[i - 1], end));
  };
  const cuts = fc.array(fc.nat(), { maxLength: 6 });

  it('writes a string given as parts, cut anywhere, as toYaml writes the whole', () => {
    fc.assert(
      fc.property(fc.oneof(script, edgy), cuts, fc.constantFrom('  ', ''), (s, at, prefix) => {
        const doc = (content: string) => ({ hostname: 'n', write_files: [{ path: '/x', owner: 'root:root', content }, { path: '/y', content: 'u\n' }] });
        const parts = toYamlParts(doc(PLACEHOLDER), new Map([[PLACEHOLDER, cut(prefix + s, at)]]));
        // undefined: the caller falls back to toYaml of the join, which is then the answer.
        if (parts !== undefined) expect(parts.join('')).toBe(toYaml(doc(prefix + s)));
      }),
      { numRuns: 3000 },
    );
  });

  // Parts made of newline runs and short lines: cuts inside and beside runs of newlines,
  // the case the part-by-part indentation must get right, come up often.
  const piece = fc.constantFrom('\n', '\n\n', '#!/bin/sh\n', 'echo a', 'x', ' ', '—', '\tb', '');
  const scriptParts = fc.tuple(fc.constantFrom('', 'a', ' '), fc.array(piece, { maxLength: 12 }), fc.constantFrom('x\n', '\n', 'x\n\n'))
    .map(([start, middle, end]) => [start, ...middle, end]);

  it('writes a script given as parts of newline runs and lines as toYaml writes the whole', () => {
    let partByPart = 0;
    fc.assert(
      fc.property(scriptParts, (parts) => {
        const doc = (content: string) => ({ write_files: [{ path: '/x', content }], runcmd: [['a']] });
        const got = toYamlParts(doc(PLACEHOLDER), new Map([[PLACEHOLDER, parts]]));
        if (got !== undefined) partByPart++;
        if (got !== undefined) expect(got.join('')).toBe(toYaml(doc(parts.join(''))));
      }),
      { numRuns: 3000 },
    );
    // Most scripts here are in the usual shape: the comparison above ran, not only the fallback.
    expect(partByPart).toBeGreaterThan(500);
  });

  it('takes the part-by-part way for a script in the usual shape (not only the fallback)', () => {
    const parts = toYamlParts({ a: [{ content: PLACEHOLDER }] }, new Map([[PLACEHOLDER, ['#!/bin/sh\n', '\n\necho —\n', 'x\n']]]));
    expect(parts).toEqual(['a:\n  - content: ', '|\n      ', '#!/bin/sh\n\n\n      ', 'echo —\n      ', 'x', '\n']);
    expect(parts!.join('')).toBe(toYaml({ a: [{ content: '#!/bin/sh\n\n\necho —\nx\n' }] }));
  });
});

describe('the direct writer', () => {
  // Strings at the edges of YAML's plain scalars: indicators first, `: ` and ` #` inside,
  // a blank or `:` last, what the core schema reads as null, booleans or numbers, document
  // markers, quotes of both kinds; and the YAML 1.1 forms picc escapes itself.
  const CORPUS = ['', ' ', 'a', 'a b', ' a', 'a ', 'a:', ':a', 'a:b', 'a: b', 'a :b', 'a #b', 'a#b', '#a', '-', '-a', '- a', '?', '?a', '? a', ':', '::',
    ',a', 'a,b', '[a]', 'a[b]', '{a}', '&a', '*a', '!a', '|a', '>a', "'a", '"a', '%a', '@a', '`a', 'it\'s', 'say "hi"', 'both \' and "', '"', "'",
    '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', '0', '-0', '+1', '12', '012', '0o17',
    '0o8', '0x1F', '0xg', '1.5', '.5', '5.', '1e3', '1E-3', '+.inf', '-.Inf', '.INF', '.nan', '.NaN', 'NaN', 'inf', '1_000', '12:30', '1:20:30',
    '2001-12-14', '---', '--- a', '...', 'a---', 'a\tb', 'a\\b', 'é', '…', '—', 'ü: x', '10.244.0.0/16', 'https://pkgs.k8s.io/core:/stable:/v1.34/deb/',
    'ALL=(ALL) NOPASSWD:ALL', 'root:root', '0700', 'systemctl', '--no-block', 'k8s-master-1', '192.168.1.101:6443', '$HOME', 'a=b', "a'b\"c"];
  const word = fc.oneof(fc.constantFrom(...CORPUS), edgy, script, fc.string({ maxLength: 12 }));
  const number = fc.oneof(fc.integer(), fc.constantFrom(0, -0, 1.5, -2.25, 1e21, 1e-7, 0.1, Number.MAX_SAFE_INTEGER, 2 ** 60));
  const scalar = fc.oneof(word, word, number, fc.boolean(), fc.constant(null), fc.constant(undefined));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.dictionary(fc.oneof(fc.constantFrom(...CORPUS), fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 4 }),
  }));

  it('writes any plain data exactly as the yaml package does', () => {
    fc.assert(
      fc.property(value.filter((v) => v !== undefined), (v) => {
        expect(toYaml(v)).toBe(byLibrary(v));
      }),
      { numRuns: 5000 },
    );
  });

  it('writes each string of the corpus, as a value, a list item and a key, as the package does', () => {
    for (const s of CORPUS) {
      for (const doc of [{ k: s }, [s], { [s]: 1 }, { a: [{ [s]: [s] }] }, s]) expect(toYaml(doc)).toBe(byLibrary(doc));
    }
  });

  it('writes the usual documents itself (not only through the package)', () => {
    const userData = {
      hostname: 'k8s-worker-3',
      manage_etc_hosts: false,
      users: [{ name: 'pi', groups: ['adm', 'sudo'], sudo: 'ALL=(ALL) NOPASSWD:ALL', lock_passwd: true, ssh_authorized_keys: ['ssh-ed25519 AAAA x@y'] }],
      write_files: [{ path: '/usr/local/sbin/picc-setup.sh', owner: 'root:root', permissions: '0700', content: '#!/usr/bin/env bash\nset -euo pipefail\n' }],
      runcmd: [['systemctl', 'start', '--no-block', 'picc-setup.service']],
      empty: {},
      none: [],
    };
    expect(directYamlParts(userData)).toBeDefined();
    expect(directYamlParts(userData)!.join('')).toBe(byLibrary(userData));
    // And gives up where it should: a multi-line string with trailing blanks goes to the package.
    expect(directYamlParts({ a: 'x\ny \n' })).toBeUndefined();
    expect(toYaml({ a: 'x\ny \n' })).toBe(byLibrary({ a: 'x\ny \n' }));
  });
});
