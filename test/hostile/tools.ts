// The real readers of picc's output, driven from tests: PyYAML (YAML 1.1, as cloud-init
// reads user-data and network-config), GLib's GKeyFile and NetworkManager's keyfile reader
// (`nmcli --offline`), netplan's generator, shellcheck. Each reports what it read, so a
// test compares the value a board would see with the value the user wrote.
// Debian's /usr/bin/python3 on purpose: a pyenv python3 earlier on PATH has no yaml module.

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

// Every document of every text, as JSON. Values JSON cannot hold (a date YAML 1.1 read
// from 2001-12-14, a key that became a number or a boolean) are marked, never coerced,
// so they fail a comparison with the string the user wrote.
const PYYAML_LOAD = `
import json, sys, yaml
def plain(v):
    if isinstance(v, dict):
        return {(k if isinstance(k, str) else '!%s:%r' % (type(k).__name__, k)): plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    return {'!python': type(v).__name__, 'repr': repr(v)}
out = []
for text in json.load(sys.stdin):
    try:
        out.append({'docs': [plain(d) for d in yaml.safe_load_all(text)]})
    except Exception as e:
        out.append({'error': '%s: %s' % (type(e).__name__, e)})
json.dump(out, sys.stdout)
`;

export type PyYamlResult = { docs: unknown[] } | { error: string };

/** Every text parsed by PyYAML's safe loader (one process for all of them). */
export function pyyamlLoadAll(texts: readonly string[]): PyYamlResult[] {
  const out = execFileSync(PYTHON, ['-c', PYYAML_LOAD], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(out) as PyYamlResult[];
}

const GKEYFILE_GET = `
import json, sys
import gi
gi.require_version('GLib', '2.0')
from gi.repository import GLib
out = []
for text, group, key in json.load(sys.stdin):
    kf = GLib.KeyFile()
    kf.load_from_data(text, len(text.encode()), GLib.KeyFileFlags.NONE)
    out.append(kf.get_string(group, key))
json.dump(out, sys.stdout)
`;

/** String values as GLib's GKeyFile reads them (the unescaping NetworkManager uses). */
export function gkeyfileStrings(queries: readonly [text: string, group: string, key: string][]): string[] {
  const out = execFileSync(PYTHON, ['-c', GKEYFILE_GET], { input: JSON.stringify(queries), encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

/**
 * The keyfile as NetworkManager 1.42 reads it, written back by NetworkManager itself
 * (`nmcli --offline` reads a profile on stdin and prints the profile it would store).
 */
export function nmcliReadBack(keyfile: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('nmcli', ['--offline', 'connection', 'modify', 'connection.autoconnect', 'yes'], { input: keyfile, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface WpaNetwork {
  ssid: Buffer;
  psk: string;
}

export interface NetplanRun {
  status: number;
  output: string;
  /** The networks of run/netplan/wpa-<iface>.conf, decoded as wpa_supplicant reads them. */
  networks: WpaNetwork[];
}

/**
 * `netplan generate --root-dir` over the given files (name → content, placed in
 * etc/netplan/ with mode 0600 as netplan wants), and the Wi-Fi networks it wrote for
 * wpa_supplicant (the networkd renderer's Wi-Fi path).
 */
export function netplanGenerate(files: ReadonlyMap<string, string>, iface = 'wlan0'): NetplanRun {
  const root = mkdtempSync(join(tmpdir(), 'picc-netplan-'));
  try {
    mkdirSync(join(root, 'etc', 'netplan'), { recursive: true });
    for (const [name, content] of files) {
      const file = join(root, 'etc', 'netplan', name);
      writeFileSync(file, content);
      chmodSync(file, 0o600);
    }
    const r = spawnSync('netplan', ['generate', '--root-dir', root], { encoding: 'utf8' });
    if (r.error) throw r.error;
    let networks: WpaNetwork[] = [];
    try {
      networks = wpaNetworks(readFileSync(join(root, 'run', 'netplan', `wpa-${iface}.conf`), 'utf8'));
    } catch {
      // no Wi-Fi file: the caller's comparison says so
    }
    return { status: r.status ?? -1, output: r.stdout + r.stderr, networks };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * network={…} blocks of a wpa_supplicant.conf. wpa_supplicant reads a value starting
 * with " up to the LAST " on the line (so inner quotes survive), P"…" with printf-style
 * escapes, and an unquoted ssid as hex bytes; an unquoted psk is the 64-hex raw key.
 */
export function wpaNetworks(conf: string): WpaNetwork[] {
  const out: WpaNetwork[] = [];
  for (const block of conf.matchAll(/^network=\{\n([\s\S]*?)^\}/gm)) {
    const fields = new Map<string, string>();
    for (const line of block[1]!.split('\n')) {
      const m = /^\s*([a-z_]+)=(.*)$/.exec(line);
      if (m) fields.set(m[1]!, m[2]!);
    }
    out.push({ ssid: wpaBytes(fields.get('ssid') ?? ''), psk: wpaBytes(fields.get('psk') ?? '').toString('utf8') });
  }
  return out;
}

function wpaBytes(value: string): Buffer {
  if (value.startsWith('"') && value.lastIndexOf('"') > 0) return Buffer.from(value.slice(1, value.lastIndexOf('"')), 'utf8');
  if (value.startsWith('P"') && value.endsWith('"')) return Buffer.from(printfUnescape(value.slice(2, -1)), 'latin1');
  return Buffer.from(value, 'hex');
}

function printfUnescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[\\"nrte])/g, (_all, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ '\\': '\\', '"': '"', n: '\n', r: '\r', t: '\t', e: '\x1b' } as Record<string, string>)[e]!;
  });
}

/** shellcheck at its strictest over the given scripts; resolves with its findings ('' when clean). */
export function shellcheck(files: readonly string[]): Promise<{ status: number; findings: string }> {
  return new Promise((resolve, reject) => {
    execFile('shellcheck', ['--norc', '--severity=style', '--format=gcc', ...files], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ status: err ? Number(err.code) : 0, findings: (stdout + stderr).trim() });
    });
  });
}
