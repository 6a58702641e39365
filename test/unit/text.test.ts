// The writers' escapers (src/text/): the YAML serialiser, NetworkManager keyfile values,
// the safe alphabet. Each is checked against the real reader where one is at hand: the
// `yaml` package and PyYAML for YAML, GLib's GKeyFile and nmcli for keyfiles.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { codePointName, firstUnsafeCharacter, isSafeText, shown } from '../../src/text/alphabet.js';
import { keyfileSsid, keyfileValue } from '../../src/text/keyfile.js';
import { doubleQuoted, needsEscapedForm, toYaml } from '../../src/text/yaml.js';
import { gkeyfileStrings, nmcliReadBack, pyyamlLoadAll } from '../hostile/tools.js';

describe('toYaml: never a raw line break or non-printable character, never a YAML 1.1 look-alike', () => {
  const cases: [string, string][] = [
    ['U+2028', 'a\u2028b'],
    ['U+2029', 'a\u2029b'],
    ['U+0085', 'a\u0085b'],
    ['a C1 control', 'a\u009bb'],
    ['DEL', 'a\x7fb'],
    ['ESC', 'a\x1b[2Jb'],
    ['NUL', 'a\0b'],
    ['CR', 'a\rb'],
    ['CRLF in a multi-line string', 'a\r\nb\n'],
    ['TAB in one line', 'a\tb'],
    ['BOM', '\ufeffa'],
    ['U+FFFE', 'a\ufffeb'],
    ['a lone surrogate', 'a\ud800b'],
    ['astral (emoji) stays as it is', 'a😀b'],
    ['U+2028 in a multi-line string', 'line 1\u2028\nline 2\n'],
    ['on', 'on'], ['Off', 'Off'], ['y', 'y'], ['no', 'no'],
    ['octal', '0777'], ['underscored int', '1_000'], ['sexagesimal', '1:20'], ['sexagesimal float', '1:20.5'],
    ['binary', '0b101'], ['hex', '0x1F'], ['float', '1.5e3'], ['.inf', '.inf'], ['.NaN', '.NaN'],
    ['date', '2001-12-14'], ['timestamp', '2001-12-14 21:59:43.10 -5'],
    ['=', '='], ['<<', '<<'], ['~', '~'], ['Null', 'Null'], ['empty', ''],
    ['"', 'say "hi"'], ['\\', 'back\\slash'], ['quotes and backslash with U+2028', '"\\\u2028'],
  ];

  it.each(cases)('%s: read back the same by yaml (1.2) and PyYAML (1.1), as a value and as a key', (_name, value) => {
    const text = toYaml({ [value]: value, list: [value], nested: { k: value } });
    expect(parse(text)).toEqual({ [value]: value, list: [value], nested: { k: value } });
    const [py] = pyyamlLoadAll([text]);
    // Python cannot hold a lone surrogate in JSON output faithfully; everything else must match.
    if (!/[\ud800-\udfff]/.test(value.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
      expect(py).toEqual({ docs: [{ [value]: value, list: [value], nested: { k: value } }] });
    }
  });

  it.each(cases)('%s: no raw line separator, C1, DEL or BOM in the output', (_name, value) => {
    expect(toYaml({ k: value })).not.toMatch(/[\u0085\u2028\u2029\x7f-\x9f\ufeff\r]/);
  });

  it('leaves ordinary strings to the library (golden output does not move)', () => {
    expect(toYaml({ a: 'plain', b: '192.168.1.1', c: 'line 1\n\tline 2\n', d: 'it\'s', e: 'k8s-worker-3' }))
      .toBe("a: plain\nb: 192.168.1.1\nc: |\n  line 1\n  \tline 2\nd: it's\ne: k8s-worker-3\n");
    expect(needsEscapedForm('plain')).toBe(false);
    expect(needsEscapedForm('line 1\n\tline 2\n')).toBe(false);
  });

  it('writes its own double-quoted form with YAML escapes', () => {
    expect(doubleQuoted('a"b\\c\n\t\r\0\u0085\u2028\x7f😀')).toBe('"a\\"b\\\\c\\n\\t\\r\\0\\x85\\u2028\\x7F😀"');
  });
});

describe('keyfileValue: escaped as GKeyFile unescapes (GLib reads it back)', () => {
  const values = ['plain', 'back\\slash99', '\\s', '  two leading', 'two trailing  ', ' ', 'a;b', '#x', 'a=b', 'line\nbreak', 'tab\there', 'cr\rhere', 'zażółć 😀', '[group]', '\\\\n'];

  it('GKeyFile reads every value back unchanged', () => {
    const got = gkeyfileStrings(values.map((v) => [`[wifi-security]\npsk=${keyfileValue(v)}\n`, 'wifi-security', 'psk']));
    expect(got).toEqual(values);
  });

  it('writes one line, and escapes only what needs it', () => {
    for (const v of values) expect(keyfileValue(v)).not.toMatch(/[\n\r]/);
    expect(keyfileValue('plain text')).toBe('plain text');
    expect(keyfileValue(' a b ')).toBe('\\sa b\\s');
    expect(keyfileValue('back\\slash')).toBe('back\\\\slash');
  });

  it('refuses a NUL (the schema keeps it out; a keyfile cannot hold one)', () => {
    expect(() => keyfileValue('a\0b')).toThrow(/NUL/);
  });
});

describe('keyfileSsid: NetworkManager reads back the exact bytes', () => {
  const ssids = ['homelab', 'home lab', ' lead', 'trail ', 'a;b', '1;2;3;', '12;', 'back\\slash', 'café', '😀', '#x', "it's", 'a\\;b', '\\s'];

  it('text only when unambiguous, bytes otherwise', () => {
    expect(keyfileSsid('homelab')).toBe('homelab');
    expect(keyfileSsid('home lab')).toBe('home lab');
    expect(keyfileSsid('1;2;3;')).toBe('49;59;50;59;51;59;');
    expect(keyfileSsid('café')).toBe('99;97;102;195;169;');
    expect(keyfileSsid(' lead')).toBe('32;108;101;97;100;');
  });

  it.each(ssids)('%j: nmcli reads the same profile as with the SSID spelt as bytes', (ssid) => {
    const profile = (value: string): string =>
      `[connection]\nid=t\nuuid=0b1c7e2a-1111-5222-8333-444455556666\ntype=wifi\n\n[wifi]\nssid=${value}\n\n[wifi-security]\nkey-mgmt=wpa-psk\npsk=${keyfileValue('a password')}\n`;
    const mine = nmcliReadBack(profile(keyfileSsid(ssid)));
    const bytes = nmcliReadBack(profile([...Buffer.from(ssid)].map((b) => `${b};`).join('')));
    expect(mine.status, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(bytes.stdout);
  });
});

describe('the safe alphabet', () => {
  it('refuses C0 (NUL, TAB, LF…), DEL, C1 (U+0085…), U+2028, U+2029', () => {
    for (const cp of [0, 9, 10, 13, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9f, 0x2028, 0x2029]) {
      const ch = String.fromCodePoint(cp);
      expect(isSafeText(`a${ch}b`), codePointName(ch)).toBe(false);
      expect(firstUnsafeCharacter(`ok${ch}`)).toBe(ch);
    }
  });

  it('accepts printable text of any script, quotes, shell and YAML characters', () => {
    for (const s of ['homelab', "it's \"x\" \\ $(x) `y` ; # : - { * & !", 'zażółć 無線 😀', ' ', '\u00a0', '\u202f']) expect(isSafeText(s), s).toBe(true);
  });

  it('shows text with the invisible characters escaped', () => {
    expect(shown('a\u2028b\u0085c\x7f\nd')).toBe('"a\\u2028b\\u0085c\\u007f\\nd"');
    expect(codePointName('\u2028')).toBe('U+2028');
  });
});
