// Stage 1 (load): YAML text → document with positions, or diagnostics that point at the
// place in the file where the YAML itself is wrong.

import { describe, expect, it } from 'vitest';
import { load } from '../../src/cluster-spec/load.js';

interface Want {
  code: string;
  line?: number;
  col?: number;
  message?: RegExp;
  /** Is a document still handed on (so later stages could run)? */
  value: boolean;
}

describe('load: problems with the YAML text', () => {
  const cases: [string, { given: string; want: Want }][] = [
    [
      'an unclosed flow sequence is reported where the YAML breaks',
      { given: 'a: 1\nb: [1, 2\nc: 3\n', want: { code: 'PICC002', line: 3, col: 1, message: /Flow sequence/, value: true } },
    ],
    [
      'a mis-indented key is reported at its line',
      { given: 'a:\n  b: 1\n c: 2\n', want: { code: 'PICC002', line: 3, col: 1, message: /same column/, value: true } },
    ],
    [
      'a tab used as indentation is reported at its line',
      { given: 'a:\n\tb: 1\n', want: { code: 'PICC002', line: 2, col: 1, message: /Tabs/, value: true } },
    ],
    [
      'an unclosed quote is reported',
      { given: 'a: "abc\n', want: { code: 'PICC002', message: /quote/, value: true } },
    ],
    [
      'a duplicate key is PICC004 at the second occurrence',
      { given: 'a: 1\nb: 2\na: 3\n', want: { code: 'PICC004', line: 3, col: 1, message: /duplicate key "a"/, value: true } },
    ],
    [
      'a duplicate key deep inside is reported at its own line',
      { given: 'spec:\n  network:\n    gateway: 192.168.1.1\n    gateway: 192.168.1.2\n', want: { code: 'PICC004', line: 4, col: 5, message: /duplicate key "gateway"/, value: true } },
    ],
    [
      'a duplicate quoted key is named without its quotes',
      { given: 'labels:\n  "disk": ssd\n  "disk": hdd\n', want: { code: 'PICC004', line: 3, col: 3, message: /^duplicate key "disk":/, value: true } },
    ],
    [
      'a second document is PICC003 at the line the second document starts',
      { given: 'a: 1\n---\nb: 2\n', want: { code: 'PICC003', line: 2, col: 1, message: /2 YAML documents/, value: true } },
    ],
    [
      'three documents are counted',
      { given: 'a: 1\n---\nb: 2\n---\nc: 3\n', want: { code: 'PICC003', message: /found 3 YAML documents/, value: true } },
    ],
    ['an empty file is PICC003 without a position', { given: '', want: { code: 'PICC003', message: /no YAML document/, value: false } }],
    ['a file of blank lines is empty too', { given: '  \n\n', want: { code: 'PICC003', message: /no YAML document/, value: false } }],
    ['a file holding only a comment is empty too', { given: '# nothing yet\n', want: { code: 'PICC003', value: false } }],
  ];

  it.each(cases)('%s', (_name, { given, want }) => {
    const r = load('cluster.yaml', given);
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d).toMatchObject({ severity: 'error', code: want.code, file: 'cluster.yaml' });
    if (want.line !== undefined) expect(d.line).toBe(want.line);
    if (want.col !== undefined) expect(d.col).toBe(want.col);
    if (want.line === undefined && want.code === 'PICC003' && !want.value) expect(d.line).toBeUndefined();
    if (want.message) expect(d.message).toMatch(want.message);
    expect(d.hint).toBeTruthy();
    // The duplicate-key hint names the key too.
    if (want.code === 'PICC004') expect(d.hint).toMatch(/remove one of the two ".+:" entries/);
    expect(r.value !== undefined).toBe(want.value);
  });

  it("drops yaml's own 'at line L, column C' and code excerpt from the message (the formatter shows its own)", () => {
    const r = load('cluster.yaml', 'a: 1\nb: [1, 2\nc: 3\n');
    const message = r.diagnostics[0]!.message;
    expect(message).not.toMatch(/at line \d+/);
    expect(message).not.toContain('\n');
  });

  it('reports every syntax problem of the file, not only the first', () => {
    const r = load('cluster.yaml', 'a: 1\na: 2\nb: 1\nb: 2\n');
    expect(r.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['PICC004', 2],
      ['PICC004', 4],
    ]);
  });
});

describe('load: a well-formed file', () => {
  it('gives the document and no diagnostics', () => {
    const r = load('cluster.yaml', 'apiVersion: picc/v1alpha1\nkind: Cluster\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.doc.toJS()).toEqual({ apiVersion: 'picc/v1alpha1', kind: 'Cluster' });
  });

  it('keeps the text and a line counter that maps offsets to 1-based lines and columns', () => {
    const text = 'a: 1\nbb: 2\n';
    const r = load('x.yaml', text);
    expect(r.value?.file).toBe('x.yaml');
    expect(r.value?.text).toBe(text);
    expect(r.value?.lineCounter.linePos(text.indexOf('2'))).toEqual({ line: 2, col: 5 });
  });

  it('reads YAML 1.2: yes/no/on/off stay strings (permitRootLogin: no is the string "no")', () => {
    const r = load('cluster.yaml', 'a: no\nb: yes\nc: on\n');
    expect(r.value?.doc.toJS()).toEqual({ a: 'no', b: 'yes', c: 'on' });
  });

  it('reads an x.y version as a number (the validate stage then asks for quotes)', () => {
    const r = load('cluster.yaml', 'version: 1.30\n');
    expect(r.value?.doc.toJS()).toEqual({ version: 1.3 });
  });

  it('accepts a leading document marker: one document is one document', () => {
    const r = load('cluster.yaml', '---\na: 1\n');
    expect(r.diagnostics).toEqual([]);
  });
});
