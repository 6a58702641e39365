// Mutations of valid specs for the property test (fuzz-specs.test.ts), as fast-check
// arbitraries so that a failing case shrinks to its fewest, smallest edits.
// Structure-aware edits work on the spec as data (wrong types, deleted, added and
// duplicated keys, hostile strings, huge numbers, deep nesting, duplicated nodes, swapped
// roles) and are written back as YAML; text edits then work on the YAML text (aliases,
// tags, duplicated lines, byte insertions and deletions, truncation).

import fc from 'fast-check';
import { stringify } from 'yaml';

type Data = unknown;
type Path = (string | number)[];

/** Strings that have broken, or could break, a parser, a writer or a shell. */
export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', ' x', 'x ', '\t', 'a\nb', 'a\r\nb', 'a\u2028b', 'a\u2029b', 'a\u0085b', 'a\0b', '\x1b[31mred', '\x7f',
  '\uFEFF', '\uD800', '𝕏', 'zażółć', '$(reboot)', '`id`', '${PATH}', "'", '"', '\\', 'a\\sb', ';', '#x', 'x #y',
  ': x', '- x', '[', '{', '}', '*x', '&x', '!!binary', '%TAG', '@x', '|', '>', '---', '...', 'PICC_EOF', 'EOF',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '../../etc/passwd', '/dev/stdin',
  'null', 'true', 'no', 'yes', '0x1F', '1e309', '-0', '.nan', '.inf', '1.30', '01.2.3', '1.2.3.4', '999.999.999',
  '0.0.0.0', '255.255.255.255', '192.168.1.1/33', '10.0.0.0/0', 'a'.repeat(64), 'x'.repeat(300), 'y'.repeat(70_000),
];

const HOSTILE_NUMBERS: readonly number[] = [0, -1, 1.5, 1.3, 65536, 2 ** 31, 2 ** 53 + 2, 1e21, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, NaN];

/** Any value a YAML file could hold in place of another. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '' }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Keys to add: the spec's own (in the wrong place), near-misses and hostile ones. */
const KEYS = ['name', 'address', 'role', 'os', 'arch', 'nodes', 'spec', 'wifi', 'labels', 'cni', 'version', 'sha256', 'nodess', 'Name', '__proto__', 'constructor', 'toString', '', ' ', 'a.b', '0'];

export type StructEdit =
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'addKey'; at: number; key: string; value: unknown }
  | { kind: 'copy'; from: number; to: number }
  | { kind: 'duplicateNode'; at: number }
  | { kind: 'swapRoles'; at: number }
  | { kind: 'nest'; at: number; depth: number }
  | { kind: 'tweak'; which: number; at: number; value: number };

export type TextEdit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicateLine'; at: number }
  | { kind: 'alias'; at: number; to: number; resolved: boolean }
  | { kind: 'aliasBomb' }
  | { kind: 'tag'; at: number; tag: string }
  | { kind: 'indent'; at: number; by: number }
  | { kind: 'nest'; at: number; depth: number };

// Positions are fractions-free integers taken modulo the number of places, so an edit
// stays meaningful (and shrinkable) whatever the spec it is applied to.
const place = fc.nat({ max: 10_000 });

export const structEdit: fc.Arbitrary<StructEdit> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), at: place, value: hostileValue }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: place }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('addKey' as const), at: place, key: fc.constantFrom(...KEYS), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('copy' as const), from: place, to: place }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicateNode' as const), at: place }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swapRoles' as const), at: place }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), at: place, depth: fc.constantFrom(5, 60, 63, 64, 65, 200) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('tweak' as const), which: place, at: place, value: place }) },
);

/** Wi-Fi networks the property test's secrets file has passphrases for: names that broke writers. */
export const HOSTILE_SSIDS: readonly string[] = [
  'homelab-iot', 'constructor', '__proto__', 'toString', 'a b', ' lead', 'trail ', 'back\\slash', 'semi;colon', 'x#y', 'x=y', '"q"', "it's",
  '$(reboot)', '`id`', 'zażółć', '[x]', '{x}', '- x', 'a\u2028b', 'a\nb', 'PICC_EOF', 'x'.repeat(32),
];

const pickFrom = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

/**
 * Edits that mostly keep a spec valid, so that accepted specs with unusual values reach
 * the plan and the writers: each sets one field to a value of the right kind.
 */
const TWEAKS: ((spec: Record<string, any>, node: Record<string, any> | undefined, v: number) => void)[] = [
  (_s, n, v) => { if (n && typeof n['address'] === 'string') n['address'] = n['address'].replace(/\.\d+$/, `.${2 + (v % 253)}`); },
  (_s, n, v) => { if (n) n['name'] = pickFrom(['a', 'node-1', 'constructor', 'prototype', 'tostring', 'proto', 'x'.repeat(63), '0', 'cp-1', 'worker-1'], v); },
  (_s, n, v) => { if (n) { n['wifi'] = { ssid: pickFrom(HOSTILE_SSIDS, v), country: pickFrom(['PL', 'US', 'DE'], v) }; n['interface'] = 'wlan0'; } },
  (s, _n, v) => { const keys = s['access']?.['sshAuthorizedKeys']; if (Array.isArray(keys) && typeof keys[0] === 'string') keys[0] = `${keys[0]} ${pickFrom(HOSTILE_STRINGS, v)}`; },
  (_s, n, v) => { if (n) n['labels'] = { ...(n['labels'] ?? {}), [pickFrom(['example.com/a', 'a', 'kubernetes.io/hostname', 'node-role.kubernetes.io/x', 'node.kubernetes.io/disk', 'constructor'], v)]: pickFrom(['', 'x', 'a.b_c-d', 'x'.repeat(63)], v >> 3) }; },
  (_s, n, v) => { if (n) n['taints'] = [{ key: pickFrom(['k', 'example.com/x', 'constructor'], v), value: pickFrom(['', 'v', 'a.b'], v >> 2), effect: pickFrom(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], v >> 4) }]; },
  (_s, n, v) => { if (n) n['os'] = pickFrom(['raspios-bullseye', 'raspios-bookworm', 'raspios-trixie', 'ubuntu-22.04', 'ubuntu-24.04'], v); },
  (_s, n, v) => { if (n) n['arch'] = pickFrom(['arm64', 'amd64'], v); },
  (_s, n, v) => { if (n) n['interface'] = pickFrom(['eth0', 'wlan0', 'eth0.100', 'enp1s0', 'a'.repeat(15), 'br-lan_1'], v); },
  (s, _n, v) => { s['kubernetes'] = { ...s['kubernetes'], cni: pickFrom(['flannel', 'calico', 'cilium'], v) }; },
  (s, _n, v) => { s['kubernetes'] = { ...s['kubernetes'], version: pickFrom(['1.31.0', '1.33.5', '1.35.1', '1.36.0', '1.37.9', '1.30.9', '1.38.0'], v) }; },
  (s, _n, v) => { s['kubernetes'] = { ...s['kubernetes'], bootstrapTokenTTL: pickFrom(['1m', '24h', '87600h', '99999999h'], v), dnsDomain: pickFrom(['cluster.local', 'a', 'x.y.z'], v >> 2) }; },
  (s, _n, v) => { s['mirror'] = pickFrom(['http://10.0.0.1/', 'https://m.example:8443/a/b/', 'http://x', 'http://h/~u/'], v); },
  (s, _n, v) => { s['access'] = { ...s['access'], user: pickFrom(['root', 'a', '_x', 'x'.repeat(32), 'pi'], v), permitRootLogin: pickFrom(['no', 'yes', 'prohibit-password'], v >> 3) }; },
  (s, _n, v) => {
    const pin = pickFrom<unknown>(['1.7.34', '2.0.9', '2.3.4', '9.9.9', { version: '9.9.9', sha256: { arm64: 'b'.repeat(64) } }, { version: '9.9.9', sha256: { arm64: 'c'.repeat(64), amd64: 'd'.repeat(64) } }], v);
    s['components'] = { ...s['components'], [pickFrom(['containerd', 'runc', 'cniPlugins', 'ciliumCli'], v >> 3)]: pin };
  },
  (s, _n, v) => { s['kubernetes'] = { ...s['kubernetes'], controlPlaneEndpoint: pickFrom(['192.168.1.100:6443', '10.10.0.100:6443', 'api.example:6443', '172.16.5.200:443'], v) }; },
  (s, _n, v) => { s['network'] = { ...s['network'], dns: pickFrom([['1.1.1.1'], ['9.9.9.9', '8.8.8.8', '1.0.0.1'], ['127.0.0.53']], v) }; },
];

const INSERTS = ['\0', '\uFEFF', '\u2028', '\u0085', '\t', '\r', '\n', ' ', '  ', '-', '- ', ':', ': ', '#', '"', "'", '[', ']', '{', '}', ',', '*', '&', '!', '|', '>', '?', '%', '@', '`', '\\', '---\n', '...\n', '<<: ', 'ÿ', '\uFFFD'];

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: place, text: fc.oneof(fc.constantFrom(...INSERTS), fc.string({ minLength: 1, maxLength: 3, unit: 'binary' })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: place, length: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: place }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicateLine' as const), at: place }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('alias' as const), at: place, to: place, resolved: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'aliasBomb' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tag' as const), at: place, tag: fc.constantFrom('!!binary', '!!str', '!!int', '!!map', '!!set', '!!omap', '!!timestamp', '!foo', '!', '!<tag:x>', '!!python/object') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('indent' as const), at: place, by: fc.integer({ min: -4, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), at: place, depth: fc.constantFrom(65, 1_000, 100_000) }) },
);

/** Every path into the data, the root included, in a stable order. */
function paths(data: Data): Path[] {
  const out: Path[] = [];
  const walk = (v: Data, p: Path): void => {
    out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Record<string, Data>)[k], [...p, k]);
  };
  walk(data, []);
  return out;
}

function getAt(data: Data, p: Path): Data {
  return p.reduce<Data>((v, k) => (v as Record<string | number, Data>)[k], data);
}

/** Sets the value at a path (the root cannot be replaced in place: returns the new root). */
function setAt(data: Data, p: Path, value: Data): Data {
  if (p.length === 0) return value;
  const parent = getAt(data, p.slice(0, -1)) as Record<string | number, Data>;
  // defineProperty: a key such as __proto__ becomes an own key, as YAML would make it.
  Object.defineProperty(parent, p.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
  return data;
}

function nodes(data: Data): Data[] | undefined {
  const n = (data as { spec?: { nodes?: unknown } } | null)?.spec?.nodes;
  return Array.isArray(n) ? n : undefined;
}

export function applyStructEdit(data: Data, e: StructEdit): Data {
  const all = paths(data);
  const pick = (i: number) => all[i % all.length]!;
  switch (e.kind) {
    case 'set':
      return setAt(data, pick(e.at), structuredClone(e.value));
    case 'delete': {
      const p = pick(e.at);
      if (p.length === 0) return data;
      const parent = getAt(data, p.slice(0, -1));
      if (Array.isArray(parent)) parent.splice(Number(p.at(-1)), 1);
      else delete (parent as Record<string, Data>)[p.at(-1)!];
      return data;
    }
    case 'addKey': {
      const maps = all.filter((p) => { const v = getAt(data, p); return v !== null && typeof v === 'object' && !Array.isArray(v); });
      if (maps.length === 0) return data;
      return setAt(data, [...maps[e.at % maps.length]!, e.key], structuredClone(e.value));
    }
    case 'copy':
      return setAt(data, pick(e.to), structuredClone(getAt(data, pick(e.from))));
    case 'duplicateNode': {
      const list = nodes(data);
      if (list && list.length > 0) list.splice(e.at % (list.length + 1), 0, structuredClone(list[e.at % list.length]));
      return data;
    }
    case 'swapRoles': {
      const list = nodes(data);
      if (!list) return data;
      list.forEach((n, i) => {
        if (n === null || typeof n !== 'object' || Array.isArray(n)) return;
        const node = n as Record<string, Data>;
        if (node['role'] === 'control-plane') delete node['role'];
        else if (i === e.at % list.length || node['role'] === undefined) node['role'] = 'control-plane';
      });
      return data;
    }
    case 'tweak': {
      const spec = (data as { spec?: unknown } | null)?.spec;
      if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return data;
      const list = nodes(data) ?? [];
      const node = list[e.at % Math.max(1, list.length)];
      const target = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, any>) : undefined;
      TWEAKS[e.which % TWEAKS.length]!(spec as Record<string, any>, target, e.value);
      return data;
    }
    case 'nest': {
      let v: Data = 'x';
      for (let i = 0; i < e.depth; i++) v = i % 2 ? [v] : { k: v };
      return setAt(data, pick(e.at), v);
    }
  }
}

export function writeYaml(data: Data): string {
  // lineWidth 0: no folding, so a text edit meets the value as one line.
  return stringify(data, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function applyTextEdit(text: string, e: TextEdit): string {
  const at = (n: number) => n % (text.length + 1);
  const lines = text.split('\n');
  switch (e.kind) {
    case 'insert':
      return text.slice(0, at(e.at)) + e.text + text.slice(at(e.at));
    case 'delete':
      return text.slice(0, at(e.at)) + text.slice(at(e.at) + e.length);
    case 'truncate':
      return text.slice(0, at(e.at));
    case 'duplicateLine': {
      const i = e.at % lines.length;
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    }
    case 'alias': {
      // Anchor one value and refer to it from another ("*nope" when not resolved).
      const values = lines.flatMap((l, i) => (/: \S/.test(l) ? [i] : []));
      if (values.length === 0) return text;
      const from = values[e.at % values.length]!;
      const to = values[e.to % values.length]!;
      if (e.resolved) lines[from] = lines[from]!.replace(': ', ': &a ');
      lines[to] = lines[to]!.replace(/: .*/, e.resolved ? ': *a' : ': *nope');
      return lines.join('\n');
    }
    case 'aliasBomb': {
      const bomb = ['lol0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 10; i++) bomb.push(`lol${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
      return `${bomb.join('\n')}\n${text}`;
    }
    case 'tag': {
      const values = lines.flatMap((l, i) => (/: \S/.test(l) ? [i] : []));
      if (values.length === 0) return text;
      const i = values[e.at % values.length]!;
      lines[i] = lines[i]!.replace(': ', `: ${e.tag} `);
      return lines.join('\n');
    }
    case 'indent': {
      const i = e.at % lines.length;
      lines[i] = e.by >= 0 ? ' '.repeat(e.by) + lines[i] : lines[i]!.replace(new RegExp(`^ {0,${-e.by}}`), '');
      return lines.join('\n');
    }
    case 'nest': {
      // Deeper than any YAML writer would go: only text can hold it.
      const values = lines.flatMap((l, i) => (/: \S/.test(l) ? [i] : []));
      if (values.length === 0) return text;
      const i = values[e.at % values.length]!;
      lines[i] = lines[i]!.replace(/: .*/, `: ${'['.repeat(e.depth)}x${']'.repeat(e.depth)}`);
      return lines.join('\n');
    }
  }
}
