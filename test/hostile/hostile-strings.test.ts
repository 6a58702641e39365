// Hostile strings × every free-text field of the spec and the secrets file. Each cell is
// either refused with the field's diagnostic code, or compiles into files the real
// readers accept with the value intact:
//   - PyYAML (YAML 1.1, cloud-init's parser): user-data, network-config, the netplan file
//     and kubeadm's config (both as setup.sh writes them) read back to the spec's values;
//   - NetworkManager 1.42 (`nmcli --offline`) reads the keyfile to the same profile as one
//     whose ssid is spelt as bytes, and GKeyFile reads its psk back unchanged;
//   - `netplan generate --root-dir` accepts the netplan file and network-config, and the
//     wpa_supplicant file it writes carries the SSID and passphrase unchanged;
//   - shellcheck accepts every setup.sh.
// Values are checked per cell (the verdict) and then all accepted values of a field at
// once in one spec, so the slow tools (shellcheck, netplan) run once per field.
// PICC_HOSTILE_TABLE=FILE writes the table (string × field → refused PICCxxx / ok) to FILE.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, type Artifact } from '../../src/index.js';
import { parseSecrets, serializeSecrets } from '../../src/secrets/file.js';
import type { SecretsBundle } from '../../src/secrets/types.js';
import { GOLDEN_DIR } from '../golden/cases.js';
import { gkeyfileStrings, netplanGenerate, nmcliReadBack, pyyamlLoadAll, shellcheck, type PyYamlResult } from './tools.js';

// ---------------------------------------------------------------------------
// The strings and the fields
// ---------------------------------------------------------------------------

const HOSTILE: [name: string, value: string][] = [
  ['newline', 'home\nlab'],
  ['CR', 'home\rlab'],
  ['NUL', 'home\0lab'],
  ['TAB', 'home\tlab'],
  ['DEL', 'home\x7flab'],
  ["single quote '", "it's"],
  ['double quote "', 'say "hi"'],
  ['backslash \\', 'back\\slash99'],
  ['$(touch /tmp/pwned)', '$(touch /tmp/pwned)'],
  ['backticks', '`touch /tmp/pwned`'],
  ['; command', 'a; touch /tmp/pwned'],
  ['leading spaces', '  leading'],
  ['trailing spaces', 'trailing  '],
  ['# at the start', '#not-a-comment'],
  [' # inside', 'a #comment'],
  [': inside', 'key: value'],
  ['- at the start', '- item'],
  ['{ at the start', '{a'],
  ['*alias', '*alias'],
  ['&anchor', '&anchor'],
  ['!!python/object', '!!python/object/apply:os.system'],
  ['YAML 1.1 boolean on', 'on'],
  ['YAML 1.1 = (value)', '='],
  ['U+0085 NEL', 'home\u0085lab'],
  ['U+2028', 'home\u2028lab'],
  ['U+2029', 'home\u2029lab'],
  ['multibyte, 32 bytes', 'Wi-Fi café ☕ 無線 123456789'],
  ['emoji, 9 chars = 36 bytes', '😀'.repeat(9)],
  ['PICC_EOF', 'PICC_EOF'],
  ['constructor', 'constructor'],
  ['__proto__', '__proto__'],
  ['toString', 'toString'],
  ['hasOwnProperty', 'hasOwnProperty'],
  ['very long (5000 x)', 'x'.repeat(5000)],
];

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHbq2Vw0cK8tZqk6oA1mB2wOe7xY3n4JrS5dT6uV7wX8';
const PASS = 'correct horse battery staple';

interface Taint {
  key: string;
  value: string;
  effect: 'NoSchedule';
}

/** What one cell puts into the spec and the secrets file. */
interface Parts {
  sshKeys: string[];
  /** The Wi-Fi network's SSID or passphrase under test (the other one is an ordinary value). */
  wifi: { ssid?: string; pass?: string };
  /** An extra secrets entry no node uses. */
  spareWifi?: { ssid: string; pass: string };
  labels: Map<string, string>;
  taints: Taint[];
}

interface Field {
  name: string;
  /** The code a refusal must carry. */
  refusal: string;
  parts: (value: string, index: number) => Parts;
}

const base = (): Parts => ({ sshKeys: [`${KEY} me@laptop`], wifi: {}, labels: new Map(), taints: [] });

/** A WPA passphrase is at least 8 characters: short strings are repeated up to that, so the characters are what is tested. */
function atLeast8(v: string): string {
  let out = v;
  while (out.length < 8) out += v;
  return out;
}

const FIELDS: Field[] = [
  { name: 'SSH key comment', refusal: 'PICC105', parts: (v) => ({ ...base(), sshKeys: [`${KEY} ${v}`] }) },
  // The SSID is also the passphrase's key in the secrets file: both files refuse it, in one report.
  { name: 'SSID', refusal: 'PICC105,PICC301', parts: (v) => ({ ...base(), wifi: { ssid: v } }) },
  { name: 'passphrase (secrets)', refusal: 'PICC301', parts: (v) => ({ ...base(), wifi: { pass: atLeast8(v) } }) },
  { name: 'SSID (secrets, unused)', refusal: 'PICC301', parts: (v) => ({ ...base(), spareWifi: { ssid: v, pass: PASS } }) },
  { name: 'label key', refusal: 'PICC105', parts: (v) => ({ ...base(), labels: new Map([[v, 'x']]) }) },
  { name: 'label value', refusal: 'PICC105', parts: (v, i) => ({ ...base(), labels: new Map([[`example.com/v${i}`, v]]) }) },
  { name: 'taint key', refusal: 'PICC105', parts: (v) => ({ ...base(), taints: [{ key: v, value: 'x', effect: 'NoSchedule' }] }) },
  { name: 'taint value', refusal: 'PICC105', parts: (v, i) => ({ ...base(), taints: [{ key: `example.com/t${i}`, value: v, effect: 'NoSchedule' }] }) },
];

// ---------------------------------------------------------------------------
// Building a spec and a secrets file from parts
// ---------------------------------------------------------------------------

/** A YAML double-quoted scalar (JSON is YAML), with the characters YAML 1.2 wants escaped escaped. */
function q(s: string): string {
  return JSON.stringify(s).replace(/[\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface WifiNode {
  name: string;
  address: string;
  os: 'raspios-trixie' | 'ubuntu-24.04';
  ssid: string;
  pass: string;
}

interface Built {
  spec: string;
  secrets: string;
  /** The control plane's address; on its own (one cell) it is also the Wi-Fi node. */
  cpAddress: string;
  wifiNodes: WifiNode[];
  parts: Parts[];
}

let goldenSecrets: SecretsBundle;

/**
 * One cell: a one-node cluster whose control plane (Raspberry Pi OS trixie) joins the Wi-Fi.
 * All at once (`all`): a wired control plane, and per Wi-Fi network a trixie node
 * (NetworkManager) and an Ubuntu node (netplan); the SSIDs and passphrases under test are
 * paired up into networks (each SSID once: netplan 0.106 refuses an access point twice).
 */
function build(parts: Parts[], all = false): Built {
  const sshKeys = [...new Set(parts.flatMap((p) => p.sshKeys))];
  const labels = new Map(parts.flatMap((p) => [...p.labels]));
  const taints = parts.flatMap((p) => p.taints);
  const ssids = parts.flatMap((p) => (p.wifi.ssid !== undefined ? [p.wifi.ssid] : []));
  const passes = parts.flatMap((p) => (p.wifi.pass !== undefined ? [p.wifi.pass] : []));
  const count = Math.max(ssids.length, passes.length, 1);
  const networks = Array.from({ length: count }, (_, i) => ({ ssid: ssids[i] ?? (count === 1 ? 'homelab' : `homelab-${i}`), pass: passes[i] ?? PASS }));
  const wifiNodes: WifiNode[] = all
    ? networks.flatMap((n, i) => [
      { name: `t${i}`, address: `192.168.2.${2 * i + 10}`, os: 'raspios-trixie' as const, ...n },
      { name: `u${i}`, address: `192.168.2.${2 * i + 11}`, os: 'ubuntu-24.04' as const, ...n },
    ])
    : [{ name: 'cp', address: '192.168.1.10', os: 'raspios-trixie', ...networks[0]! }];
  const node = (n: WifiNode, role = ''): string =>
    `    - { name: ${n.name},${role} address: ${n.address}, os: ${n.os}, interface: wlan0, wifi: { ssid: ${q(n.ssid)}, country: PL } }`;
  const lines = [
    'apiVersion: picc/v1alpha1',
    'kind: Cluster',
    'metadata: { name: homelab }',
    'spec:',
    '  kubernetes: { version: 1.34.2 }',
    '  network: { subnet: 192.168.0.0/16, gateway: 192.168.1.1, dns: [192.168.1.1] }',
    '  access:',
    '    user: pi',
    `    sshAuthorizedKeys: [${sshKeys.map(q).join(', ')}]`,
    '  nodeDefaults:',
    `    labels: {${[...labels].map(([k, v]) => `${q(k)}: ${q(v)}`).join(', ')}}`,
    `    taints: [${taints.map((t) => `{ key: ${q(t.key)}, value: ${q(t.value)}, effect: ${t.effect} }`).join(', ')}]`,
    '  nodes:',
    ...(all
      ? ['    - { name: cp, role: control-plane, address: 192.168.1.10, os: raspios-trixie }', ...wifiNodes.map((n) => node(n))]
      : [node(wifiNodes[0]!, ' role: control-plane,')]),
    '',
  ];
  const wifi = new Map(networks.map((n) => [n.ssid, n.pass]));
  // A spare SSID that is also a network's (all at once) was checked on its own already.
  for (const p of parts) if (p.spareWifi && !wifi.has(p.spareWifi.ssid)) wifi.set(p.spareWifi.ssid, p.spareWifi.pass);
  const secrets = serializeSecrets({ ...goldenSecrets, wifi });
  return { spec: lines.join('\n'), secrets, cpAddress: '192.168.1.10', wifiNodes, parts };
}

function compileBuilt(b: Built): { codes: string[]; artifacts?: Artifact[] } {
  const r = compile('cluster.yaml', b.spec, 'cluster.secrets.yaml', b.secrets);
  const codes = [...new Set(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))].sort();
  return { codes, artifacts: r.artifacts };
}

// ---------------------------------------------------------------------------
// Reading the output back
// ---------------------------------------------------------------------------

/** The content setup.sh writes to `target` (an ensure_file heredoc), as written in the script. */
function heredoc(script: string, target: string): string {
  return heredocAt(script, target, new RegExp(`^\\s*ensure_file ${target.replace(/[$/.]/g, '\\$&')} \\d{4} <<'PICC_EOF'$`));
}

/** The netplan file: setup checks it with netplan before it writes it, so it is held in a variable first. */
function netplanHeredoc(script: string): string {
  return heredocAt(script, '/etc/netplan/90-picc.yaml', /^\s*netplan_config=\$\(cat <<'PICC_EOF'$/);
}

function heredocAt(script: string, target: string, opening: RegExp): string {
  const lines = script.split('\n');
  const start = lines.findIndex((l) => opening.test(l));
  if (start < 0) throw new Error(`setup.sh writes no ${target}`);
  const end = lines.indexOf('PICC_EOF', start + 1);
  if (end < 0) throw new Error(`unterminated heredoc for ${target}`);
  return lines.slice(start + 1, end).join('\n') + '\n';
}

/**
 * setup.sh with the node's name and address, and the body of every quoted heredoc
 * (<<'PICC_EOF': data bash and shellcheck take literally), replaced by placeholders.
 */
function sameShape(script: string, name: string, address: string): string {
  const out: string[] = [];
  const lines = script.split('\n');
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]!);
    if (!lines[i]!.endsWith("<<'PICC_EOF'")) continue;
    const end = lines.indexOf('PICC_EOF', i + 1);
    if (end < 0) return script; // unterminated: compared whole, so it cannot pass for another
    out.push('<heredoc body>');
    i = end - 1;
  }
  const word = (w: string): RegExp => new RegExp(`(?<![\\w.-])${w.replace(/\./g, '\\.')}(?![\\w-]|\\.\\d)`, 'g');
  return out.join('\n').replace(word(address), '<address>').replace(word(name), '<name>');
}

type Obj = Record<string, unknown>;

function docsOf(r: PyYamlResult | undefined, what: string): unknown[] {
  if (!r || 'error' in r) throw new Error(`PyYAML could not read ${what}: ${r && 'error' in r ? r.error : 'no result'}`);
  return r.docs;
}

/** Every problem found in one compiled spec; [] when every value read back intact. */
async function verify(b: Built, artifacts: Artifact[], work: string): Promise<string[]> {
  const problems: string[] = [];
  const file = (node: string, name: string): string => {
    const a = artifacts.find((x) => x.path === `homelab/${node}/${name}`);
    if (!a) throw new Error(`no ${node}/${name}`);
    return a.content;
  };
  const sshKeys = [...new Set(b.parts.flatMap((p) => p.sshKeys))];
  const labels = new Map(b.parts.flatMap((p) => [...p.labels]));
  const taints = b.parts.flatMap((p) => p.taints);
  const expectedLabels = [...labels].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',');

  const wired = b.wifiNodes.some((n) => n.name === 'cp') ? [] : [{ name: 'cp', address: b.cpAddress, wifi: null, kind: 'trixie' as const }];
  const nodes = [
    ...wired,
    ...b.wifiNodes.map((n) => ({ name: n.name, address: n.address, wifi: { ssid: n.ssid, pass: n.pass }, kind: n.os === 'ubuntu-24.04' ? 'ubuntu' as const : 'trixie' as const })),
  ];

  // PyYAML over every YAML file, in one process.
  const texts: string[] = [];
  const at = new Map<string, number>();
  const add = (key: string, text: string): void => {
    at.set(key, texts.length);
    texts.push(text);
  };
  for (const n of nodes) {
    const script = file(n.name, 'setup.sh');
    add(`${n.name}/user-data`, file(n.name, 'user-data'));
    add(`${n.name}/network-config`, file(n.name, 'network-config'));
    add(`${n.name}/kubeadm.yaml`, heredoc(script, '"$config"'));
    if (n.kind === 'ubuntu') add(`${n.name}/90-picc.yaml`, netplanHeredoc(script));
  }
  const parsed = pyyamlLoadAll(texts);
  const read = (key: string): unknown[] => docsOf(parsed[at.get(key)!], key);
  const same = (what: string, got: unknown, want: unknown): void => {
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${what}: read ${JSON.stringify(got)?.slice(0, 300)}, expected ${JSON.stringify(want).slice(0, 300)}`);
  };

  for (const n of nodes) {
    try {
      const ud = read(`${n.name}/user-data`)[0] as Obj;
      const user = (ud['users'] as Obj[])[0]!;
      same(`${n.name}/user-data hostname`, ud['hostname'], n.name);
      same(`${n.name}/user-data user`, user['name'], 'pi');
      same(`${n.name}/user-data ssh_authorized_keys`, user['ssh_authorized_keys'], sshKeys);
      same(`${n.name}/user-data write_files[0].content (setup.sh)`, (ud['write_files'] as Obj[])[0]!['content'], file(n.name, 'setup.sh'));

      const device = (doc: Obj): Obj => {
        const net = doc['network'] as Obj;
        return ((n.wifi ? net['wifis'] : net['ethernets']) as Obj)[n.wifi ? 'wlan0' : 'eth0'] as Obj;
      };
      const checkNetplan = (key: string): void => {
        const d = device(read(key)[0] as Obj);
        same(`${key} addresses`, d['addresses'], [`${n.address}/16`]);
        if (n.wifi) same(`${key} access-points`, d['access-points'], { [n.wifi.ssid]: { password: n.wifi.pass } });
      };
      checkNetplan(`${n.name}/network-config`);
      if (n.kind === 'ubuntu') checkNetplan(`${n.name}/90-picc.yaml`);

      const kubeadm = read(`${n.name}/kubeadm.yaml`) as Obj[];
      const reg = kubeadm.map((d) => d['nodeRegistration'] as Obj | undefined).find((r) => r !== undefined)!;
      const args = (reg['kubeletExtraArgs'] as { name: string; value: string }[]) ?? [];
      same(`${n.name}/kubeadm.yaml node-labels`, args.find((a) => a.name === 'node-labels')?.value, expectedLabels === '' ? undefined : expectedLabels);
      if (taints.length > 0) same(`${n.name}/kubeadm.yaml taints`, reg['taints'], taints);
    } catch (err) {
      problems.push(String(err));
    }
  }

  // NetworkManager reads each keyfile to the profile it reads when the ssid is given as bytes.
  const psks: [string, string, string][] = [];
  const pskWant: string[] = [];
  for (const n of nodes.filter((x) => x.kind === 'trixie' && x.wifi)) {
    const keyfile = heredoc(file(n.name, 'setup.sh'), '/etc/NetworkManager/system-connections/picc-wlan0.nmconnection');
    const mine = nmcliReadBack(keyfile);
    if (mine.status !== 0) {
      problems.push(`${n.name}: nmcli refused the keyfile: ${mine.stderr.trim()}`);
      continue;
    }
    const bytes = [...Buffer.from(n.wifi!.ssid, 'utf8')].map((x) => `${x};`).join('');
    const reference = nmcliReadBack(keyfile.replace(/^ssid=.*$/m, () => `ssid=${bytes}`));
    same(`${n.name}: NetworkManager's reading of the keyfile vs the same with ssid=${bytes.slice(0, 40)}`, mine.stdout, reference.stdout);
    psks.push([mine.stdout, 'wifi-security', 'psk']);
    pskWant.push(n.wifi!.pass);
  }
  if (psks.length > 0) gkeyfileStrings(psks).forEach((got, i) => same(`psk as NetworkManager stored it, read by GKeyFile`, got, pskWant[i]));

  // netplan: the Ubuntu nodes' files, their network-configs, the trixie nodes' network-configs.
  const wifiNodes = nodes.filter((n) => n.wifi);
  const want = (kind: string): string[] => wifiNodes.filter((n) => n.kind === kind).map((n) => `${Buffer.from(n.wifi!.ssid).toString('hex')}:${n.wifi!.pass}`).sort();
  const sets: [string, string, Map<string, string>][] = [
    ['netplan files', 'ubuntu', new Map(wifiNodes.filter((n) => n.kind === 'ubuntu').map((n) => [`90-picc-${n.name}.yaml`, netplanHeredoc(file(n.name, 'setup.sh'))]))],
    ['network-config (Ubuntu)', 'ubuntu', new Map(wifiNodes.filter((n) => n.kind === 'ubuntu').map((n) => [`50-cloud-init-${n.name}.yaml`, file(n.name, 'network-config')]))],
    ['network-config (trixie)', 'trixie', new Map(wifiNodes.filter((n) => n.kind === 'trixie').map((n) => [`50-cloud-init-${n.name}.yaml`, file(n.name, 'network-config')]))],
  ];
  for (const [what, kind, files] of sets) {
    if (files.size === 0) continue;
    const run = netplanGenerate(files);
    if (run.status !== 0) problems.push(`netplan generate refused the ${what}: ${run.output.trim().slice(0, 500)}`);
    else same(`${what}: networks netplan wrote for wpa_supplicant`, run.networks.map((w) => `${w.ssid.toString('hex')}:${w.psk}`).sort(), want(kind));
  }

  // shellcheck (1.5 s a script) over one script per kind of node: cp, a trixie and an Ubuntu
  // Wi-Fi node. Every other Wi-Fi node's script must be its kind's script but for the node's
  // name, address and the bodies of quoted heredocs, which bash and shellcheck take
  // literally (the network file's body is what the readers above read).
  const representative = new Map<string, { name: string; text: string }>();
  for (const n of nodes) {
    const kind = `${n.kind}${n.wifi ? '-wifi' : ''}`;
    const text = sameShape(file(n.name, 'setup.sh'), n.name, n.address);
    const first = representative.get(kind);
    if (!first) representative.set(kind, { name: n.name, text });
    else if (text !== first.text) {
      const [mine, theirs] = [text.split('\n'), first.text.split('\n')];
      const at = mine.findIndex((l, i) => l !== theirs[i]);
      problems.push(`${n.name}/setup.sh differs from ${first.name}/setup.sh beyond name, address and heredoc bodies, first at line ${at + 1}: ${JSON.stringify(mine[at])} vs ${JSON.stringify(theirs[at])}`);
    }
  }
  const scripts = [...representative.values()].map(({ name }) => {
    const path = join(work, `${name}.sh`);
    writeFileSync(path, file(name, 'setup.sh'));
    return path;
  });
  const halves = [scripts.filter((_, i) => i % 2 === 0), scripts.filter((_, i) => i % 2 === 1)].filter((h) => h.length > 0);
  for (const r of await Promise.all(halves.map((h) => shellcheck(h)))) {
    if (r.status !== 0 || r.findings !== '') problems.push(`shellcheck: ${r.findings.replaceAll(work + '/', '').slice(0, 1000)}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------

let work: string;
const verdicts = new Map<string, Map<string, string>>(); // field → string name → verdict

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'picc-hostile-'));
  const text = readFileSync(join(GOLDEN_DIR, 'homelab', 'cluster.secrets.yaml'), 'utf8');
  goldenSecrets = parseSecrets('cluster.secrets.yaml', text).value!;
  expect(goldenSecrets.cluster).toBe('homelab');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  const out = process.env['PICC_HOSTILE_TABLE'];
  if (out) writeFileSync(out, table());
});

function table(): string {
  const head = `| string | ${FIELDS.map((f) => f.name).join(' | ')} |`;
  const rule = `|---|${FIELDS.map(() => '---').join('|')}|`;
  const rows = HOSTILE.map(([name]) => `| ${name.replace(/\|/g, '\\|')} | ${FIELDS.map((f) => verdicts.get(f.name)?.get(name) ?? '?').join(' | ')} |`);
  return [head, rule, ...rows].join('\n') + '\n';
}

const accepted: Parts[] = [];

describe('hostile strings in every free-text field', () => {
  it('the unchanged base spec compiles and reads back intact (the checks themselves work)', async () => {
    const b = build([base()]);
    const r = compileBuilt(b);
    expect(r.codes).toEqual([]);
    expect(await verify(b, r.artifacts!, work)).toEqual([]);
  });

  describe.each(FIELDS)('$name', (field) => {
    it('every string is refused with its code, or compiles (one cell, one spec)', () => {
      const row = new Map<string, string>();
      verdicts.set(field.name, row);
      const wrong: string[] = [];
      HOSTILE.forEach(([name, value], i) => {
        const parts = field.parts(value, i);
        const r = compileBuilt(build([parts]));
        if (r.codes.length === 0) {
          row.set(name, 'ok');
          accepted.push(parts);
        } else {
          row.set(name, `refused ${r.codes.join(', ')}`);
          if (r.codes.join() !== field.refusal) wrong.push(`${name}: refused with ${r.codes.join(', ')}, expected ${field.refusal}`);
        }
      });
      expect(wrong).toEqual([]);
      // Control characters and line separators never get through, in any field.
      for (const name of ['newline', 'CR', 'NUL', 'TAB', 'DEL', 'U+0085 NEL', 'U+2028', 'U+2029']) {
        expect(row.get(name), `${name} in ${field.name}`).toMatch(/^refused /);
      }
    });
  });

  it('safe free text gets through (the table is not all refusals)', () => {
    const ok = (field: string, name: string): string | undefined => verdicts.get(field)?.get(name);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', "single quote '", 'double quote "', 'backslash \\', '$(touch /tmp/pwned)', 'leading spaces']) {
      expect(ok('SSID', name), `SSID ${name}`).toBe('ok');
      expect(ok('SSH key comment', name), `SSH key comment ${name}`).toBe('ok');
      expect(ok('passphrase (secrets)', name), `passphrase ${name}`).toBe('ok');
    }
    expect(ok('SSID', 'multibyte, 32 bytes')).toBe('ok');
    expect(ok('SSID', 'emoji, 9 chars = 36 bytes')).toBe('refused PICC105, PICC301');
    expect(ok('SSID (secrets, unused)', 'emoji, 9 chars = 36 bytes')).toBe('refused PICC301');
    expect(ok('label key', 'constructor')).toBe('ok');
  });

  it('every accepted value, all in one spec, reads back intact in every file and every reader', async () => {
    expect(accepted.length).toBeGreaterThan(50);
    const b = build(accepted, true);
    const r = compileBuilt(b);
    expect(r.codes).toEqual([]);
    expect(await verify(b, r.artifacts!, work)).toEqual([]);
  }, 300_000);
});
