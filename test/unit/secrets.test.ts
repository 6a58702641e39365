// The secrets module checked against openssl: the CAs, keys and admin certificate must be
// what kubeadm and openssl accept, the CA hash what kubeadm computes, and a damaged
// secrets file must be reported field by field at the right line.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, execSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSecrets, newBootstrapToken, rotateToken } from '../../src/secrets/generate.js';
import { caCertHash } from '../../src/secrets/hash.js';
import { parseSecrets, serializeSecrets } from '../../src/secrets/file.js';
import { defaultSecretsPath, readSecretsFile, replaceSecretsFile, writeNewSecretsFile } from '../../src/secrets/store.js';
import type { SecretsBundle } from '../../src/secrets/types.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';

const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const PAIRS = ['ca', 'frontProxyCa', 'etcdCa', 'admin'] as const;
const FILES = { ca: 'ca', frontProxyCa: 'front-proxy-ca', etcdCa: 'etcd-ca', admin: 'admin' } as const;

let dir: string;
let b: SecretsBundle;
let other: SecretsBundle;
let now: Date;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'picc-secrets-'));
  now = new Date();
  // Two bundles, generated in parallel: one under test, one as the "other cluster".
  [b, other] = await Promise.all([generateSecrets('homelab', now), generateSecrets('homelab', now)]);
  for (const name of PAIRS) {
    writeFileSync(join(dir, `${FILES[name]}.crt`), b[name].cert);
    writeFileSync(join(dir, `${FILES[name]}.key`), b[name].key);
  }
  writeFileSync(join(dir, 'sa.key'), b.serviceAccount.key);
  writeFileSync(join(dir, 'sa.pub'), b.serviceAccount.pub);
}, 30_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function opensslFails(...args: string[]): boolean {
  try {
    openssl(...args);
    return false;
  } catch {
    return true;
  }
}

describe('caCertHash', () => {
  it('equals the SPKI hash openssl computes, for every CA', () => {
    for (const name of ['ca', 'frontProxyCa', 'etcdCa'] as const) {
      const file = `${FILES[name]}.crt`;
      const out = execSync(`openssl x509 -pubkey -noout -in ${file} | openssl pkey -pubin -outform der | sha256sum`, {
        cwd: dir,
        encoding: 'utf8',
      });
      const expected = out.split(/\s+/)[0]!;
      expect(expected).toMatch(HEX64);
      expect(caCertHash(b[name].cert)).toBe(`sha256:${expected}`);
    }
  });

  it('hashes the public key, not the whole certificate', () => {
    const wholeCert = createHash('sha256').update(new X509Certificate(b.ca.cert).raw).digest('hex');
    expect(caCertHash(b.ca.cert)).not.toBe(`sha256:${wholeCert}`);
    expect(caCertHash(b.ca.cert)).not.toBe(caCertHash(other.ca.cert));
  });
});

describe('generateSecrets: certificates', () => {
  it('makes three CAs that openssl sees as CA:TRUE with the kubeadm names and usages', () => {
    const names = { ca: 'kubernetes', frontProxyCa: 'front-proxy-ca', etcdCa: 'etcd-ca' } as const;
    for (const [field, cn] of Object.entries(names)) {
      const file = `${FILES[field as keyof typeof names]}.crt`;
      const text = openssl('x509', '-in', file, '-noout', '-text');
      expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
      expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
      expect(text).toContain('Subject Key Identifier');
      expect(text).toContain('Public-Key: (2048 bit)');
      expect(openssl('x509', '-in', file, '-noout', '-subject').trim()).toBe(`subject=CN = ${cn}`);
      expect(openssl('x509', '-in', file, '-noout', '-issuer').trim()).toBe(`issuer=CN = ${cn}`);
      // Self-signed: verifies against itself.
      expect(openssl('verify', '-CAfile', file, file)).toContain(': OK');
    }
  });

  it('signs the admin client certificate with the cluster CA only', () => {
    expect(openssl('verify', '-CAfile', 'ca.crt', 'admin.crt').trim()).toBe('admin.crt: OK');
    expect(opensslFails('verify', '-CAfile', 'front-proxy-ca.crt', 'admin.crt')).toBe(true);
    const subject = openssl('x509', '-in', 'admin.crt', '-noout', '-subject');
    expect(subject).toContain('O = kubeadm:cluster-admins');
    expect(subject).toContain('CN = kubernetes-admin');
    const text = openssl('x509', '-in', 'admin.crt', '-noout', '-text');
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
  });

  it('backdates by an hour and gives the CAs 10 years and the admin certificate 5', () => {
    const year = 365 * 24 * 3600;
    for (const name of PAIRS) {
      const cert = new X509Certificate(b[name].cert);
      expect(new Date(cert.validFrom).getTime()).toBe(Math.floor(now.getTime() / 1000) * 1000 - 3600_000);
      expect(cert.serialNumber).toMatch(/^[0-7][0-9A-F]+$/); // positive
    }
    expect(opensslFails('x509', '-in', 'ca.crt', '-noout', '-checkend', String(9 * year))).toBe(false);
    expect(opensslFails('x509', '-in', 'ca.crt', '-noout', '-checkend', String(11 * year))).toBe(true);
    expect(opensslFails('x509', '-in', 'admin.crt', '-noout', '-checkend', String(4 * year))).toBe(false);
    expect(opensslFails('x509', '-in', 'admin.crt', '-noout', '-checkend', String(6 * year))).toBe(true);
  });

  it('gives every certificate its own random serial number', () => {
    const serials = [b, other].flatMap((x) => PAIRS.map((n) => new X509Certificate(x[n].cert).serialNumber));
    expect(new Set(serials).size).toBe(serials.length);
  });
});

describe('generateSecrets: keys', () => {
  it('writes PKCS#1 RSA-2048 keys that openssl parses and that match their certificates', () => {
    for (const name of PAIRS) {
      const key = `${FILES[name]}.key`;
      expect(b[name].key.startsWith('-----BEGIN RSA PRIVATE KEY-----\n')).toBe(true);
      openssl('pkey', '-in', key, '-noout'); // throws if openssl cannot parse it
      expect(openssl('rsa', '-in', key, '-noout', '-text')).toContain('Private-Key: (2048 bit');
      const fromKey = openssl('pkey', '-in', key, '-pubout');
      const fromCert = openssl('x509', '-in', `${FILES[name]}.crt`, '-noout', '-pubkey');
      expect(fromKey).toBe(fromCert);
    }
    // Negative control: the comparison above does tell keys apart.
    expect(openssl('pkey', '-in', 'ca.key', '-pubout')).not.toBe(openssl('x509', '-in', 'etcd-ca.crt', '-noout', '-pubkey'));
  });

  it('writes a service-account key pair whose public half is sa.pub', () => {
    expect(b.serviceAccount.key.startsWith('-----BEGIN RSA PRIVATE KEY-----\n')).toBe(true);
    expect(b.serviceAccount.pub.startsWith('-----BEGIN PUBLIC KEY-----\n')).toBe(true);
    openssl('pkey', '-in', 'sa.key', '-noout');
    expect(openssl('pkey', '-in', 'sa.key', '-pubout')).toBe(b.serviceAccount.pub);
    expect(openssl('pkey', '-pubin', '-in', 'sa.pub', '-noout', '-text')).toContain('Public-Key: (2048 bit)');
  });

  it('makes a bootstrap token and certificate key of the kubeadm shapes, different every time', () => {
    expect(b.bootstrapToken).toMatch(TOKEN);
    expect(b.certificateKey).toMatch(HEX64);
    expect(b.cluster).toBe('homelab');
    expect(b.wifi).toEqual(new Map());
    expect(other.bootstrapToken).not.toBe(b.bootstrapToken);
    expect(other.certificateKey).not.toBe(b.certificateKey);
    expect(other.ca.key).not.toBe(b.ca.key);
    expect(other.serviceAccount.key).not.toBe(b.serviceAccount.key);
  });

  it('draws tokens from the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const t = newBootstrapToken();
      expect(t).toMatch(TOKEN);
      for (const c of t.replace('.', '')) seen.add(c);
    }
    expect(seen.size).toBe(36);
  });

  it('draws token characters without modulo bias', () => {
    // 256 % 36 = 4: reducing raw bytes modulo 36 would make a–d about 14% more
    // frequent than the rest. Over ~110k characters the unbiased gap stays well under 5%.
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      for (const c of newBootstrapToken().replace('.', '')) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const mean = (chars: string): number => [...chars].reduce((sum, c) => sum + (counts.get(c) ?? 0), 0) / chars.length;
    const first = mean('abcd');
    const rest = mean('efghijklmnopqrstuvwxyz0123456789');
    expect(Math.abs(first - rest) / rest).toBeLessThan(0.05);
  });

  it('rotateToken replaces only the token and leaves the original alone', () => {
    const before = structuredClone(b);
    const rotated = rotateToken(b);
    expect(rotated.bootstrapToken).toMatch(TOKEN);
    expect(rotated.bootstrapToken).not.toBe(b.bootstrapToken);
    expect({ ...rotated, bootstrapToken: b.bootstrapToken }).toEqual(b);
    expect(b).toEqual(before);
  });
});

/** 1-based line of the first line matching `re`, searching after the line matching `after`. */
function lineOf(text: string, re: RegExp, after?: RegExp): number {
  const lines = text.split('\n');
  const start = after ? lines.findIndex((l) => after.test(l)) : 0;
  expect(start).toBeGreaterThanOrEqual(0);
  const i = lines.findIndex((l, n) => n >= start && re.test(l));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

function find(diags: Diagnostic[], path: string): Diagnostic {
  const d = diags.find((x) => x.path.join('.') === path);
  expect(d, `no diagnostic for ${path} in ${JSON.stringify(diags.map((x) => [x.path.join('.'), x.message]))}`).toBeDefined();
  return d!;
}

describe('serializeSecrets / parseSecrets', () => {
  it('round-trips a bundle, Wi-Fi passphrases included', () => {
    const withWifi: SecretsBundle = { ...b, wifi: new Map([['homelab', '12345678'], ['Cafe: guest #2', 'p@ss: "word" # not a comment']]) };
    for (const bundle of [b, withWifi]) {
      const text = serializeSecrets(bundle);
      const r = parseSecrets('homelab.secrets.yaml', text);
      expect(r.diagnostics).toEqual([]);
      expect(r.value).toEqual(bundle);
    }
  });

  it('writes commented YAML with PEMs as literal blocks', () => {
    const text = serializeSecrets(b);
    expect(text.startsWith('#')).toBe(true);
    const header = text.slice(0, text.indexOf('apiVersion:'));
    expect(header).toContain('0600');
    expect(header).toMatch(/never commit/i);
    expect(header).toContain('wifi:');
    expect(header).toContain('picc secrets rotate-token');
    expect(text).toMatch(/^ca:\n {2}cert: \|\n {4}-----BEGIN CERTIFICATE-----\n/m);
    expect(text).toMatch(/^ {2}key: \|\n {4}-----BEGIN RSA PRIVATE KEY-----\n/m);
    expect(text).toContain(`bootstrapToken: ${b.bootstrapToken}\n`);
    expect(text).toMatch(/^wifi: \{\}$/m);
  });

  it('detects a key swapped with another pair\'s key, at the key\'s line', () => {
    const text = serializeSecrets({ ...b, ca: { cert: b.ca.cert, key: b.frontProxyCa.key } });
    const r = parseSecrets('s.yaml', text);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    const d = find(r.diagnostics, 'ca.key');
    expect(d.code).toBe('PICC301');
    expect(d.line).toBe(lineOf(text, /^ {2}key: \|/, /^ca:/));
    expect(d.message).toContain('frontProxyCa.cert');
    expect(d.hint).toMatch(/swapped/);
  });

  it('detects a non-PEM value', () => {
    const text = serializeSecrets({ ...b, etcdCa: { cert: 'hello', key: b.etcdCa.key } });
    const r = parseSecrets('s.yaml', text);
    const d = find(r.diagnostics, 'etcdCa.cert');
    expect(d.line).toBe(lineOf(text, /^ {2}cert: hello/, /^etcdCa:/));
    expect(d.col).toBe(9);
    expect(d.message).toMatch(/not PEM/);
    expect(r.value).toBeUndefined();
  });

  it('detects a bad bootstrap token and a bad certificate key', () => {
    const text = serializeSecrets({ ...b, bootstrapToken: 'ABCDEF.0123456789abcdef', certificateKey: 'abc' });
    const r = parseSecrets('s.yaml', text);
    expect(r.diagnostics).toHaveLength(2);
    const token = find(r.diagnostics, 'bootstrapToken');
    expect(token.line).toBe(lineOf(text, /^bootstrapToken:/));
    expect(token.col).toBe('bootstrapToken: '.length + 1);
    expect(token.hint).toBeTruthy();
    expect(find(r.diagnostics, 'certificateKey').line).toBe(lineOf(text, /^certificateKey:/));
  });

  it('detects cert and key swapped within a pair, and a CA that is not a CA', () => {
    const text = serializeSecrets({ ...b, ca: { cert: b.ca.key, key: b.ca.cert }, etcdCa: b.admin });
    const r = parseSecrets('s.yaml', text);
    expect(find(r.diagnostics, 'ca.cert').message).toContain('"RSA PRIVATE KEY"');
    expect(find(r.diagnostics, 'ca.key').message).toContain('"CERTIFICATE"');
    const notCa = find(r.diagnostics, 'etcdCa.cert');
    expect(notCa.message).toMatch(/not a CA/);
    expect(notCa.line).toBe(lineOf(text, /^ {2}cert: \|/, /^etcdCa:/));
  });

  it('detects an admin certificate from another CA', () => {
    const text = serializeSecrets({ ...b, admin: other.admin });
    const r = parseSecrets('s.yaml', text);
    expect(r.diagnostics).toHaveLength(1);
    const d = find(r.diagnostics, 'admin.cert');
    expect(d.message).toMatch(/not signed by ca\.cert \(its issuer is CN=kubernetes, a different CA with the same name\)/);
    expect(d.line).toBe(lineOf(text, /^ {2}cert: \|/, /^admin:/));
  });

  it('detects a service-account key that does not match sa.pub', () => {
    const text = serializeSecrets({ ...b, serviceAccount: { key: other.serviceAccount.key, pub: b.serviceAccount.pub } });
    const d = find(parseSecrets('s.yaml', text).diagnostics, 'serviceAccount.key');
    expect(d.message).toMatch(/does not match serviceAccount\.pub/);
  });

  it('reports every problem of a badly damaged file in one run', () => {
    let text = serializeSecrets({
      ...b,
      bootstrapToken: 'nope',
      frontProxyCa: { cert: b.frontProxyCa.cert, key: b.etcdCa.key },
      wifi: new Map([['homelab', 'short']]),
    });
    text = text.replace(/^kind: ClusterSecrets\n/m, '').replace(/^cluster: homelab$/m, 'cluster: homelab\nclusterName: x');
    // ca.key removed entirely
    text = text.replace(/(^ca:\n {2}cert: \|\n(?: {4}.*\n)+) {2}key: \|\n(?: {4}.*\n)+/m, '$1');
    const r = parseSecrets('s.yaml', text);
    expect(r.value).toBeUndefined();
    const paths = r.diagnostics.map((d) => d.path.join('.')).sort();
    expect(paths).toEqual(['', 'bootstrapToken', 'ca', 'clusterName', 'frontProxyCa.key', 'wifi.homelab'].sort());
    for (const d of r.diagnostics) {
      expect(d.code).toBe('PICC301');
      expect(d.line).toBeGreaterThan(0);
      expect(d.hint).toBeTruthy();
    }
    expect(find(r.diagnostics, '').message).toBe('missing required key "kind"');
    expect(find(r.diagnostics, 'ca').message).toBe('missing required key "key"');
    expect(find(r.diagnostics, 'ca').line).toBe(lineOf(text, /^ca:/));
    const unknown = find(r.diagnostics, 'clusterName');
    expect(unknown.line).toBe(lineOf(text, /^clusterName:/));
    expect(find(r.diagnostics, 'wifi.homelab').line).toBe(lineOf(text, /^ {2}homelab: short/));
    expect(find(r.diagnostics, 'frontProxyCa.key').message).toContain('etcdCa.cert');
  });

  it('suggests the right name for a misspelt key', () => {
    const text = serializeSecrets(b).replace('certificateKey:', 'certificatKey:');
    const r = parseSecrets('s.yaml', text);
    expect(find(r.diagnostics, 'certificatKey').hint).toBe('did you mean certificateKey?');
    expect(find(r.diagnostics, '').message).toBe('missing required key "certificateKey"');
  });

  it('reports YAML syntax errors and an empty file without a value', () => {
    // A PEM line that lost its indent: yaml reports a cascade of errors, picc the first.
    const text = serializeSecrets(b).replace(/^ {4}(-----END CERTIFICATE-----)$/m, '$1');
    const broken = parseSecrets('s.yaml', text);
    expect(broken.value).toBeUndefined();
    expect(broken.diagnostics.map((d) => [d.code, d.line])).toEqual([['PICC002', lineOf(text, /^-----END CERTIFICATE-----/)]]);
    const dup = parseSecrets('s.yaml', serializeSecrets(b).replace(/^kind: .*$/m, '$&\nkind: again'));
    expect(dup.diagnostics.map((d) => d.code)).toEqual(['PICC004']);
    const empty = parseSecrets('s.yaml', '# nothing here\n');
    expect(empty.value).toBeUndefined();
    expect(empty.diagnostics.map((d) => d.code)).toEqual(['PICC301']);
    const list = parseSecrets('s.yaml', '- a\n- b\n');
    expect(list.diagnostics.map((d) => [d.code, d.line])).toEqual([['PICC301', 1]]);
  });
});

describe('store', () => {
  it('names the secrets file after the spec', () => {
    expect(defaultSecretsPath('clusters/homelab.yaml')).toBe(join('clusters', 'homelab.secrets.yaml'));
    expect(defaultSecretsPath('/etc/picc/lab.yml')).toBe('/etc/picc/lab.secrets.yaml');
    expect(defaultSecretsPath('cluster.yaml')).toBe('cluster.secrets.yaml');
  });

  it('creates the file 0600 and never overwrites it', async () => {
    const path = join(dir, 'new.secrets.yaml');
    expect(await readSecretsFile(path)).toBeUndefined();
    // Whatever the umask, the mode is exactly 0600 (this one would give 0400 on its own).
    const umask = process.umask(0o277);
    try {
      await writeNewSecretsFile(path, 'first\n');
    } finally {
      process.umask(umask);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await expect(writeNewSecretsFile(path, 'second\n')).rejects.toThrow(/already exists/);
    expect(await readSecretsFile(path)).toBe('first\n');
  });

  it('replaces a file atomically (a new inode: a reader of the old one never sees half a file) with mode 0600 and leaves no temp file', async () => {
    const path = join(dir, 'rotate.secrets.yaml');
    writeFileSync(path, 'old\n');
    chmodSync(path, 0o644);
    const before = statSync(path).ino;
    await replaceSecretsFile(path, 'new\n');
    expect(statSync(path).ino).not.toBe(before);
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
