// The diagnostics formatter: the human code frame, the one-line raw form, JSON for tools,
// the summary line, and an order that never depends on which stage found what first.

import { describe, expect, it } from 'vitest';
import { formatPath, sortDiagnostics, type Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { formatHuman, formatJson, formatRaw, summary } from '../../src/diagnostics/format.js';

const SOURCE = [
  'apiVersion: picc/v1alpha1', // 1
  'kind: Cluster', // 2
  'metadata:', // 3
  '  name: lab', // 4
  'spec:', // 5
  '  network:', // 6
  '    subnet: 192.168.1.0/24', // 7
  '    gateway: 192.168.1.1', // 8
  '    dns: [192.168.1.1]', // 9
  '  nodes:', // 10
  '    - name: cp-1', // 11
  '      address: 192.168.2.7', // 12
  '\tcolour: blue', // 13
].join('\n') + '\n';

const sources = new Map([['cluster.yaml', SOURCE]]);

function diag(over: Partial<Diagnostic>): Diagnostic {
  return { severity: 'error', code: 'PICC203', message: 'a problem', file: 'cluster.yaml', path: [], ...over };
}

const outside = diag({
  code: 'PICC203',
  message: '192.168.2.7 is outside spec.network.subnet 192.168.1.0/24',
  path: ['spec', 'nodes', 0, 'address'],
  line: 12,
  col: 16,
  span: 11,
  hint: 'give the node an address inside 192.168.1.0/24, or widen the subnet',
});

describe('formatHuman: the code frame', () => {
  const cases: [string, { given: Diagnostic; want: string }][] = [
    [
      'a two-digit line: gutter as wide as the number, caret under the span, hint last',
      {
        given: outside,
        want: [
          'error[PICC203]: spec.nodes[0].address: 192.168.2.7 is outside spec.network.subnet 192.168.1.0/24',
          '  --> cluster.yaml:12:16',
          '   |',
          '12 |       address: 192.168.2.7',
          '   |                ^^^^^^^^^^^',
          '   = hint: give the node an address inside 192.168.1.0/24, or widen the subnet',
          '',
        ].join('\n'),
      },
    ],
    [
      'a one-digit line, a warning, no hint',
      {
        given: diag({ severity: 'warning', code: 'PICC209', message: 'even', path: ['spec', 'network', 'dns', 0], line: 9, col: 11, span: 11 }),
        want: [
          'warning[PICC209]: spec.network.dns[0]: even',
          '  --> cluster.yaml:9:11',
          '  |',
          '9 |     dns: [192.168.1.1]',
          '  |           ^^^^^^^^^^^',
          '',
        ].join('\n'),
      },
    ],
    [
      'a span longer than the rest of the line is cut at the line end',
      {
        given: diag({ line: 4, col: 9, span: 500, message: 'm' }),
        want: ['error[PICC203]: m', '  --> cluster.yaml:4:9', '  |', '4 |   name: lab', '  |         ^^^', ''].join('\n'),
      },
    ],
    [
      'no span gives one caret; an empty path gives no path prefix',
      {
        given: diag({ line: 2, col: 1, message: 'm', hint: 'h' }),
        want: ['error[PICC203]: m', '  --> cluster.yaml:2:1', '  |', '2 | kind: Cluster', '  | ^', '  = hint: h', ''].join('\n'),
      },
    ],
    [
      'a tab in the source line is shown as one space so the caret stays aligned',
      {
        given: diag({ line: 13, col: 2, span: 6, message: 'm' }),
        want: ['error[PICC203]: m', '  --> cluster.yaml:13:2', '   |', '13 |  colour: blue', '   |  ^^^^^^', ''].join('\n'),
      },
    ],
    [
      'no position: just the file, and the hint',
      {
        given: diag({ code: 'PICC001', message: 'cannot read cluster.yaml: ENOENT', hint: 'check the path' }),
        want: ['error[PICC001]: cannot read cluster.yaml: ENOENT', '  --> cluster.yaml', '   = hint: check the path', ''].join('\n'),
      },
    ],
    [
      'a position in a file whose text is unknown: the location line without a frame',
      {
        given: diag({ file: 'other.yaml', line: 3, col: 5, message: 'm', hint: 'h' }),
        want: ['error[PICC203]: m', '  --> other.yaml:3:5', '   = hint: h', ''].join('\n'),
      },
    ],
  ];

  it.each(cases)('%s', (_name, { given, want }) => {
    expect(formatHuman([given], sources)).toBe(want);
  });

  it('puts a blank line between diagnostics', () => {
    const a = diag({ line: 2, col: 1, message: 'first' });
    const b = diag({ line: 4, col: 3, message: 'second' });
    const out = formatHuman([b, a], sources);
    expect(out).toBe(formatHuman([a], sources) + '\n' + formatHuman([b], sources));
    expect(out).toContain('^\n\nerror[PICC203]: second');
  });

  it('prints nothing for no diagnostics', () => {
    expect(formatHuman([], sources)).toBe('');
  });
});

describe('formatRaw', () => {
  it('one line per diagnostic: file:line:col: severity[code]: path: message (hint: …)', () => {
    const out = formatRaw([outside, diag({ code: 'PICC001', message: 'gone', hint: undefined })]);
    expect(out).toBe(
      'cluster.yaml: error[PICC001]: gone\n' +
        'cluster.yaml:12:16: error[PICC203]: spec.nodes[0].address: 192.168.2.7 is outside spec.network.subnet 192.168.1.0/24 (hint: give the node an address inside 192.168.1.0/24, or widen the subnet)\n',
    );
  });

  it('a missing column is column 1', () => {
    expect(formatRaw([diag({ line: 3, message: 'm' })])).toBe('cluster.yaml:3:1: error[PICC203]: m\n');
  });
});

describe('formatJson', () => {
  it('is parseable JSON with every field, paths as users write them and null for what is absent', () => {
    const parsed = JSON.parse(formatJson([outside, diag({ code: 'PICC001', message: 'gone' })]));
    expect(parsed).toEqual({
      diagnostics: [
        { severity: 'error', code: 'PICC001', message: 'gone', file: 'cluster.yaml', path: '(document)', line: null, column: null, hint: null },
        {
          severity: 'error',
          code: 'PICC203',
          message: '192.168.2.7 is outside spec.network.subnet 192.168.1.0/24',
          file: 'cluster.yaml',
          path: 'spec.nodes[0].address',
          line: 12,
          column: 16,
          hint: 'give the node an address inside 192.168.1.0/24, or widen the subnet',
        },
      ],
    });
  });

  it('gives an empty list, still valid JSON, when all is well', () => {
    expect(JSON.parse(formatJson([]))).toEqual({ diagnostics: [] });
  });

  it('keeps quotes and newlines in messages intact', () => {
    const d = diag({ message: 'unknown key "a\nb"' });
    expect(JSON.parse(formatJson([d])).diagnostics[0].message).toBe('unknown key "a\nb"');
  });

  it('writes C1 controls, line separators and bidi overrides as \\u escapes, and reads back the same text', () => {
    const message = 'ssid "a\u0085b\u2028c\u202ed\u009be"';
    const text = formatJson([diag({ message })]);
    expect(text).not.toMatch(/[\u0085\u2028\u202e\u009b]/);
    expect(JSON.parse(text).diagnostics[0].message).toBe(message);
  });

  it('puts the fields a command adds before the diagnostics', () => {
    expect(JSON.parse(formatJson([], { command: 'validate', ok: true }))).toEqual({ command: 'validate', ok: true, diagnostics: [] });
  });
});

describe('formatHuman: text from the user is shown, never acted on', () => {
  const hostile = 'dns: "\u001b[2J\u0085x\u2028y\u202ez"';
  const src = new Map([['c.yaml', `a: 1\n${hostile}\n`]]);
  const d = diag({ file: 'c.yaml', message: 'bad "\u001b[31mred\u0007"', hint: 'not \u2029 this', line: 2, col: 7, span: 11 });

  it('escapes control characters, C1, line separators and bidi overrides in message, hint and source line', () => {
    const out = formatHuman([d], src);
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202e]/);
    expect(out).toContain('bad "\\x1b[31mred\\x07"');
    expect(out).toContain('2 | dns: "\\x1b[2J\\x85x\\u{2028}y\\u{202e}z"');
    expect(out).toContain('= hint: not \\u{2029} this');
  });

  it('puts the caret under the escaped text', () => {
    const lines = formatHuman([d], src).split('\n');
    const source = lines.findIndex((l) => l.startsWith('2 | '));
    const caret = lines[source + 1]!;
    expect(caret.indexOf('^') - 4).toBe(lines[source]!.slice(4).indexOf('\\x1b'));
  });

  it('paints severity and caret only when asked', () => {
    expect(formatHuman([d], src)).not.toContain('\u001b[');
    const coloured = formatHuman([d], src, { color: true });
    expect(coloured).toContain('\u001b[1;31merror[PICC203]\u001b[0m');
    expect(coloured).toContain('\u001b[1;36m^');
  });
});

describe('sorting', () => {
  it('orders by file, then line, then column, then code, then message — whatever the input order', () => {
    const input = [
      diag({ file: 'b.yaml', line: 1, col: 1, code: 'PICC101' }),
      diag({ file: 'a.yaml', line: 9, col: 1, code: 'PICC101' }),
      diag({ file: 'a.yaml', line: 2, col: 7, code: 'PICC101' }),
      diag({ file: 'a.yaml', line: 2, col: 3, code: 'PICC201' }),
      diag({ file: 'a.yaml', line: 2, col: 3, code: 'PICC102', message: 'z' }),
      diag({ file: 'a.yaml', line: 2, col: 3, code: 'PICC102', message: 'a' }),
      diag({ file: 'a.yaml', code: 'PICC001' }),
    ];
    const key = (d: Diagnostic) => `${d.file}:${d.line ?? '-'}:${d.col ?? '-'} ${d.code} ${d.message}`;
    const want = [
      'a.yaml:-:- PICC001 a problem',
      'a.yaml:2:3 PICC102 a',
      'a.yaml:2:3 PICC102 z',
      'a.yaml:2:3 PICC201 a problem',
      'a.yaml:2:7 PICC101 a problem',
      'a.yaml:9:1 PICC101 a problem',
      'b.yaml:1:1 PICC101 a problem',
    ];
    expect(sortDiagnostics(input).map(key)).toEqual(want);
    expect(sortDiagnostics([...input].reverse()).map(key)).toEqual(want);
    // Every output form uses the same order.
    const raw = formatRaw(input).trimEnd().split('\n');
    expect(raw.map((l) => l.split(':')[0])).toEqual(['a.yaml', 'a.yaml', 'a.yaml', 'a.yaml', 'a.yaml', 'a.yaml', 'b.yaml']);
    expect(JSON.parse(formatJson(input)).diagnostics.map((d: { line: number | null }) => d.line)).toEqual([null, 2, 2, 2, 2, 9, 1]);
    const human = formatHuman(input, new Map()).match(/--> \S+/g);
    expect(human).toEqual(['--> a.yaml', '--> a.yaml:2:3', '--> a.yaml:2:3', '--> a.yaml:2:3', '--> a.yaml:2:7', '--> a.yaml:9:1', '--> b.yaml:1:1']);
  });

  it('does not change the array it is given', () => {
    const input = [diag({ line: 2 }), diag({ line: 1 })];
    sortDiagnostics(input);
    expect(input.map((d) => d.line)).toEqual([2, 1]);
  });
});

describe('formatPath', () => {
  const cases: [string, { given: (string | number)[]; want: string }][] = [
    ['the document itself', { given: [], want: '(document)' }],
    ['a key', { given: ['kind'], want: 'kind' }],
    ['nested keys and indexes', { given: ['spec', 'nodes', 2, 'address'], want: 'spec.nodes[2].address' }],
    ['an index in an index', { given: ['a', 0, 1], want: 'a[0][1]' }],
  ];
  it.each(cases)('%s', (_name, { given, want }) => expect(formatPath(given)).toBe(want));
});

describe('summary', () => {
  const e = diag({});
  const w = diag({ severity: 'warning' });
  const cases: [string, { given: Diagnostic[]; wrote: boolean; want: string }][] = [
    ['nothing to say', { given: [], wrote: false, want: '' }],
    ['one error', { given: [e], wrote: false, want: '1 error; nothing was written\n' }],
    ['errors and warnings', { given: [e, e, w], wrote: false, want: '2 errors, 1 warning; nothing was written\n' }],
    ['warnings after a successful write', { given: [w, w], wrote: true, want: '2 warnings\n' }],
  ];
  it.each(cases)('%s', (_name, { given, wrote, want }) => expect(summary(given, wrote)).toBe(want));
});

describe('formatHuman: a long source line', () => {
  it('is cut to a window around the mark, with … where cut, the caret still under the mark', () => {
    const line = `key: ${'a'.repeat(5000)}BAD${'b'.repeat(5000)}`;
    const d = diag({ file: 'l.yaml', line: 1, col: 5006, span: 3, message: 'm' });
    const out = formatHuman([d], new Map([['l.yaml', line + '\n']])).split('\n');
    const source = out.find((l) => l.startsWith('1 | '))!;
    expect(source.length).toBeLessThan(200);
    expect(source).toBe(`1 | …${'a'.repeat(60)}BAD${'b'.repeat(20)}…`);
    const caret = out[out.indexOf(source) + 1]!;
    expect(caret.indexOf('^')).toBe(source.indexOf('BAD'));
    expect(caret.match(/\^/g)).toHaveLength(3);
  });
});
