// Wi-Fi entries of the secrets file: SSIDs held to the spec's alphabet and byte length,
// passphrases to WPA-PSK, each problem a PICC301 at its own line and column; and SSIDs
// that are names of Object.prototype members (constructor, __proto__, …) are ordinary
// SSIDs end to end, each with its own passphrase (SecretsBundle.wifi is a Map).

import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/index.js';
import { parseSecrets, serializeSecrets } from '../../src/secrets/file.js';
import type { SecretsBundle } from '../../src/secrets/types.js';
import { GOLDEN_DIR } from '../golden/cases.js';

let golden: SecretsBundle;
let goldenText: string;

beforeAll(() => {
  goldenText = readFileSync(join(GOLDEN_DIR, 'homelab', 'cluster.secrets.yaml'), 'utf8');
  golden = parseSecrets('s.yaml', goldenText).value!;
});

/** The golden secrets file with its wifi: section replaced by the given lines. */
function withWifi(lines: string[]): string {
  const text = goldenText.replace(/^wifi:.*(\n {2}.*)*$/m, ['wifi:', ...lines.map((l) => `  ${l}`)].join('\n'));
  expect(text).toContain(lines[0]);
  return text;
}

function lineCol(text: string, needle: string): { line: number; col: number } {
  const at = text.indexOf(needle);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

describe('Wi-Fi entries of the secrets file', () => {
  const refused: [string, { line: string; message: RegExp }][] = [
    ['an SSID with a newline', { line: '"home\\nlab": "correct horse battery staple"', message: /^SSID "home\\nlab" contains U\+000A; control characters, U\+0085, U\+2028 and U\+2029 are not allowed in an SSID$/ }],
    ['an SSID with U+2028', { line: '"home\\u2028lab": "correct horse battery staple"', message: /^SSID "home\\u2028lab" contains U\+2028;/ }],
    ['an SSID with U+0085', { line: '"home\\x85lab": "correct horse battery staple"', message: /contains U\+0085;/ }],
    ['an SSID with a DEL', { line: '"home\\x7Flab": "correct horse battery staple"', message: /contains U\+007F;/ }],
    ['an SSID with a TAB', { line: '"home\\tlab": "correct horse battery staple"', message: /contains U\+0009;/ }],
    ['an SSID over 32 bytes', { line: '"ĉĉĉĉĉĉĉĉĉĉĉĉĉĉĉĉĉ": "correct horse battery staple"', message: /^SSID "ĉ{17}" is 34 bytes of UTF-8; an SSID is 1 to 32 bytes$/ }],
    ['an empty SSID', { line: '"": "correct horse battery staple"', message: /is 0 bytes of UTF-8/ }],
    ['a passphrase of 7 characters', { line: 'homelab: "1234567"', message: /^the passphrase has 7 characters; a WPA passphrase is 8 to 63 printable ASCII characters, or 64 hex digits$/ }],
    ['a passphrase of 64 characters, not all hex', { line: `homelab: "${'g'.repeat(64)}"`, message: /has 64 characters/ }],
    ['a passphrase with a newline', { line: 'homelab: "correct\\nhorse"', message: /^the passphrase contains U\+000A;/ }],
    ['a passphrase with a non-ASCII letter', { line: 'homelab: "zażółć gęślą jaźń"', message: /contains U\+017C;/ }],
    ['a passphrase with U+2028', { line: 'homelab: "correct\\u2028horse"', message: /contains U\+2028;/ }],
  ];

  it.each(refused)('%s: PICC301 at its line and column', (_name, { line, message }) => {
    const text = withWifi([line]);
    const r = parseSecrets('s.yaml', text);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe('PICC301');
    expect(d.message).toMatch(message);
    // An SSID problem points at the SSID (the key), a passphrase problem at the passphrase.
    const at = lineCol(text, line);
    const col = /passphrase/.test(d.message) ? at.col + line.indexOf(': ') + 2 : at.col;
    expect({ line: d.line, col: d.col }).toEqual({ line: at.line, col });
    // The passphrase itself is never echoed.
    if (/passphrase/.test(d.message)) expect(d.message).not.toContain(line.split(': ')[1]!.slice(1, 5));
  });

  it('reports every bad entry at once, each at its own line', () => {
    const text = withWifi(['"a\\nb": "correct horse battery staple"', 'ok: "short"', 'fine: "correct horse battery staple"', '"c\\u2029d": "x"']);
    const r = parseSecrets('s.yaml', text);
    expect(r.diagnostics.map((d) => d.line)).toEqual([lineCol(text, '"a\\nb"').line, lineCol(text, 'ok:').line, lineCol(text, '"c\\u2029d"').line, lineCol(text, '"c\\u2029d"').line]);
  });

  it('accepts 8 and 63 printable ASCII characters, 64 hex digits, and a 32-byte SSID', () => {
    const lines = ['a: "12345678"', `b: "${'~'.repeat(63)}"`, `c: ${'aB3'.repeat(21)}f`, '"ĉĉĉĉĉĉĉĉĉĉĉĉĉĉĉĉ": " spaces  count "'];
    const r = parseSecrets('s.yaml', withWifi(lines));
    expect(r.diagnostics).toEqual([]);
    expect([...r.value!.wifi]).toEqual([['a', '12345678'], ['b', '~'.repeat(63)], ['c', `${'aB3'.repeat(21)}f`], ['ĉ'.repeat(16), ' spaces  count ']]);
  });
});

describe('SSIDs named like Object.prototype members', () => {
  const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
  const spec = (ssid: string): string => `apiVersion: picc/v1alpha1
kind: Cluster
metadata: { name: homelab }
spec:
  kubernetes: { version: 1.34.2 }
  network: { subnet: 192.168.1.0/24, gateway: 192.168.1.1, dns: [192.168.1.1] }
  nodes:
    - { name: cp, role: control-plane, address: 192.168.1.10, os: raspios-trixie, interface: wlan0, wifi: { ssid: ${JSON.stringify(ssid)}, country: PL } }
    - { name: w, address: 192.168.1.11, os: ubuntu-24.04, interface: wlan0, wifi: { ssid: ${JSON.stringify(ssid)}, country: PL } }
`;

  it('parse into the Map with their own passphrases', () => {
    const text = serializeSecrets({ ...golden, wifi: new Map(NAMES.map((n, i) => [n, `passphrase-${i}`])) });
    const r = parseSecrets('s.yaml', text);
    expect(r.diagnostics).toEqual([]);
    expect([...r.value!.wifi]).toEqual(NAMES.map((n, i) => [n, `passphrase-${i}`]));
  });

  it.each(NAMES)('%s compiles end to end with its own passphrase (keyfile, netplan, network-config)', (ssid) => {
    const secrets = serializeSecrets({ ...golden, wifi: new Map([[ssid, 'the right passphrase']]) });
    const r = compile('cluster.yaml', spec(ssid), 's.yaml', secrets);
    expect(r.diagnostics).toEqual([]);
    const cp = r.plan!.nodes.find((n) => n.name === 'cp')!;
    const w = r.plan!.nodes.find((n) => n.name === 'w')!;
    expect(cp.wifi!.passphrase).toBe('the right passphrase');
    expect(cp.network.files[0]!.content).toContain(`\nssid=${ssid}\n`);
    expect(cp.network.files[0]!.content).toContain('\npsk=the right passphrase\n');
    expect(w.network.netplan!.file.content).toContain(`${ssid}:\n          password: the right passphrase\n`);
    const nc = r.artifacts!.find((a) => a.path === 'homelab/w/network-config')!.content;
    expect(nc).toContain(`${ssid}:\n          password: the right passphrase\n`);
  });

  it.each(NAMES)('%s without a passphrase in the secrets file is PICC215, not a passphrase from Object.prototype', (ssid) => {
    const secrets = serializeSecrets({ ...golden, wifi: new Map([['homelab', 'the right passphrase']]) });
    const r = compile('cluster.yaml', spec(ssid), 's.yaml', secrets);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['PICC215']);
    expect(r.artifacts).toBeUndefined();
  });
});
