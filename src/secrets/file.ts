// The secrets file as text: serialise a bundle to commented YAML, and parse that YAML
// back into a bundle, checking every field and reporting all problems at once with
// their line and column. No I/O here (store.ts reads and writes the file).
// Whether the bundle belongs to the spec's cluster is the caller's check (PICC302).

import {
  Document, Scalar, isMap, isPair, isScalar, visit,
  type Node, type Pair, type YAMLMap,
} from 'yaml';
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Diagnostic, DocPath, StageResult } from '../diagnostics/diagnostic.js';
import type { SourceDoc } from '../diagnostics/locate.js';
import { fileProblem, report } from '../diagnostics/report.js';
import { parseYamlInput } from '../diagnostics/yaml-input.js';
import { closest } from '../cluster-spec/suggest.js';
import { codePointName, firstUnsafeCharacter, shown } from '../text/alphabet.js';
import type { CertKeyPair, SecretsBundle } from './types.js';

const HEADER = [
  ' picc cluster secrets: the Kubernetes CAs (cluster, front-proxy, etcd), the',
  ' service-account signing key, the admin client certificate, the kubeadm bootstrap',
  ' token and certificate key, and Wi-Fi passphrases.',
  '',
  ' Anyone holding this file has full control of the cluster. Keep it private',
  ' (chmod 0600) and never commit it to version control.',
  '',
  ' Wi-Fi passphrases go under wifi:, one "SSID: passphrase" per line, e.g.',
  '   wifi:',
  '     homelab: "correct horse battery staple"',
  ' `picc secrets rotate-token` renews the bootstrap token; the keys and certificates',
  ' are made once, and replacing them means rebuilding the cluster.',
].join('\n');

export function serializeSecrets(b: SecretsBundle): string {
  // Built field by field so the file's key order never depends on how the bundle was made.
  const doc = new Document({
    apiVersion: b.apiVersion,
    kind: b.kind,
    cluster: b.cluster,
    ca: pair(b.ca),
    frontProxyCa: pair(b.frontProxyCa),
    etcdCa: pair(b.etcdCa),
    serviceAccount: { key: b.serviceAccount.key, pub: b.serviceAccount.pub },
    bootstrapToken: b.bootstrapToken,
    certificateKey: b.certificateKey,
    admin: pair(b.admin),
    wifi: new Map(b.wifi),
  });
  doc.commentBefore = HEADER;
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

function pair(p: CertKeyPair): CertKeyPair {
  return { cert: p.cert, key: p.key };
}

const TOP_KEYS = [
  'apiVersion', 'kind', 'cluster', 'ca', 'frontProxyCa', 'etcdCa', 'serviceAccount',
  'bootstrapToken', 'certificateKey', 'admin', 'wifi',
] as const;
const PAIRS = ['ca', 'frontProxyCa', 'etcdCa', 'admin'] as const;
type PairName = (typeof PAIRS)[number];
const CAS: readonly PairName[] = ['ca', 'frontProxyCa', 'etcdCa'];

const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const CERTIFICATE_KEY = /^[0-9a-f]{64}$/;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const PRIVATE_KEY_LABELS = ['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY'];
const MISSING_HINTS: Record<string, string> = {
  apiVersion: 'add  apiVersion: picc/v1alpha1',
  kind: 'add  kind: ClusterSecrets',
  cluster: "add  cluster: <the spec's metadata.name>",
  bootstrapToken: 'add one, e.g. the output of `kubeadm token generate`',
  certificateKey: 'add one, e.g. the output of `kubeadm certs certificate-key`',
};
const REGENERATE = 'restore it from a backup, or move this file away and run `picc secrets init` (a new CA means rebuilding the cluster)';

export function parseSecrets(file: string, text: string): StageResult<SecretsBundle> {
  // The same guard as the spec's: size, depth, aliases, tags, NUL, never an exception.
  const { docs, lineCounter, diagnostics: syntax } = parseYamlInput(file, text, { firstSyntaxErrorOnly: true });
  if (syntax.some((d) => d.severity === 'error')) return { diagnostics: syntax };
  if (docs.length > 1) {
    return { diagnostics: [...syntax, fileProblem(file, 'PICC301', `the secrets file holds ${docs.length} YAML documents`, 'keep one document (no ---), as `picc secrets init` writes it')] };
  }
  const doc = docs[0];
  if (doc === undefined || doc.contents === null) {
    return { diagnostics: [...syntax, fileProblem(file, 'PICC301', 'the secrets file is empty', 'delete it and run `picc secrets init` to create a new one')] };
  }
  const checker = new Checker({ file, text, doc, lineCounter });
  const value = checker.bundle();
  const diagnostics = [...syntax, ...checker.diagnostics];
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { value, diagnostics };
}

interface ParsedPair {
  cert?: X509Certificate;
  key?: KeyObject;
}

/** Walks the document once, collecting diagnostics; fields that fail come back as ''. */
class Checker {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly source: SourceDoc) {}

  bundle(): SecretsBundle {
    const root = this.source.doc.contents;
    if (!isMap(root)) {
      this.problem([], 'the secrets file must be a mapping of keys (apiVersion, kind, cluster, ca, …)', {
        hint: 'is this the right file? a secrets file starts with apiVersion: picc/v1alpha1 and kind: ClusterSecrets',
      });
      return emptyBundle();
    }
    const top = this.fields(root, [], TOP_KEYS, ['wifi']);

    const apiVersion = this.string(top, [], 'apiVersion');
    if (apiVersion !== undefined && apiVersion !== 'picc/v1alpha1') {
      this.problem(['apiVersion'], `expected picc/v1alpha1, found ${JSON.stringify(apiVersion)}`, { hint: 'set apiVersion: picc/v1alpha1' });
    }
    const kind = this.string(top, [], 'kind');
    if (kind !== undefined && kind !== 'ClusterSecrets') {
      this.problem(['kind'], `expected ClusterSecrets, found ${JSON.stringify(kind)}`, { hint: 'set kind: ClusterSecrets (is this the spec file rather than its secrets file?)' });
    }
    const cluster = this.string(top, [], 'cluster');
    if (cluster === '') this.problem(['cluster'], 'the cluster name is empty', { hint: 'set it to the metadata.name of the cluster spec' });

    const texts = {} as Record<PairName, CertKeyPair>;
    const parsed = {} as Record<PairName, ParsedPair>;
    for (const name of PAIRS) {
      const sub = this.submap(top, name, ['cert', 'key']);
      const cert = sub && this.pem(sub, [name], 'cert', ['CERTIFICATE']);
      const key = sub && this.pem(sub, [name], 'key', PRIVATE_KEY_LABELS);
      texts[name] = { cert: cert?.text ?? '', key: key?.text ?? '' };
      parsed[name] = { cert: cert && parseCert(this, [name, 'cert'], cert.text), key: key && parseKey(this, [name, 'key'], key.text) };
    }
    const saMap = this.submap(top, 'serviceAccount', ['key', 'pub']);
    const saKeyText = saMap && this.pem(saMap, ['serviceAccount'], 'key', PRIVATE_KEY_LABELS);
    const saPubText = saMap && this.pem(saMap, ['serviceAccount'], 'pub', ['PUBLIC KEY']);
    const saKey = saKeyText && parseKey(this, ['serviceAccount', 'key'], saKeyText.text);
    const saPub = saPubText && parsePub(this, ['serviceAccount', 'pub'], saPubText.text);

    const bootstrapToken = this.string(top, [], 'bootstrapToken');
    if (bootstrapToken !== undefined && !TOKEN.test(bootstrapToken)) {
      this.problem(['bootstrapToken'], 'not a bootstrap token: expected 6 and 16 lowercase letters or digits joined by a dot, like abcdef.0123456789abcdef', {
        hint: 'replace it with a valid token, e.g. the output of `kubeadm token generate`',
      });
    }
    const certificateKey = this.string(top, [], 'certificateKey');
    if (certificateKey !== undefined && !CERTIFICATE_KEY.test(certificateKey)) {
      this.problem(['certificateKey'], `expected 64 lowercase hex digits (32 bytes), found ${JSON.stringify(certificateKey.length > 70 ? certificateKey.slice(0, 70) + '…' : certificateKey)}`, {
        hint: 'use the output of `kubeadm certs certificate-key` or `openssl rand -hex 32`',
      });
    }
    const wifi = this.wifi(top.get('wifi'));

    this.crossCheck(parsed, saKey, saPub);

    return {
      apiVersion: 'picc/v1alpha1',
      kind: 'ClusterSecrets',
      cluster: cluster ?? '',
      ca: texts.ca,
      frontProxyCa: texts.frontProxyCa,
      etcdCa: texts.etcdCa,
      serviceAccount: { key: saKeyText?.text ?? '', pub: saPubText?.text ?? '' },
      bootstrapToken: bootstrapToken ?? '',
      certificateKey: certificateKey ?? '',
      admin: texts.admin,
      wifi,
    };
  }

  /** Checks that need several fields: each key belongs to its cert, CAs are CAs, admin is signed by ca. */
  private crossCheck(parsed: Record<PairName, ParsedPair>, saKey?: KeyObject, saPub?: KeyObject): void {
    const owners: { name: string; spki: Buffer }[] = [];
    for (const name of PAIRS) {
      const cert = parsed[name].cert;
      if (cert) owners.push({ name: `${name}.cert`, spki: spki(cert.publicKey) });
    }
    if (saPub) owners.push({ name: 'serviceAccount.pub', spki: spki(saPub) });

    const checkKey = (path: DocPath, key: KeyObject | undefined, expected: KeyObject | undefined, against: string): void => {
      if (!key || !expected) return;
      const mine = spki(createPublicKey(key));
      if (mine.equals(spki(expected))) return;
      const owner = owners.find((o) => o.spki.equals(mine));
      this.problem(path, `this private key does not match ${against}${owner ? `; it is the key of ${owner.name}` : ''}`, {
        hint: owner
          ? `the keys look swapped; put the private key of ${against} here`
          : `a certificate and its key are made together; ${REGENERATE}`,
      });
    };
    for (const name of PAIRS) checkKey([name, 'key'], parsed[name].key, parsed[name].cert?.publicKey, `${name}.cert`);
    checkKey(['serviceAccount', 'key'], saKey, saPub, 'serviceAccount.pub');

    for (const name of CAS) {
      const cert = parsed[name].cert;
      if (cert && !cert.ca) {
        this.problem([name, 'cert'], 'not a CA certificate (basicConstraints CA:TRUE is missing)', {
          hint: `kubeadm signs the cluster's certificates with it; ${REGENERATE}`,
        });
      }
    }

    const admin = parsed.admin.cert;
    const ca = parsed.ca.cert;
    if (admin && admin.ca) {
      this.problem(['admin', 'cert'], 'a CA certificate; expected the admin client certificate', { hint: REGENERATE });
    } else if (admin && ca && !(admin.checkIssued(ca) && admin.verify(ca.publicKey))) {
      const sameName = admin.issuer === ca.subject ? ', a different CA with the same name' : '';
      this.problem(['admin', 'cert'], `not signed by ca.cert (its issuer is ${oneLine(admin.issuer)}${sameName})`, {
        hint: 'the API server accepts only client certificates signed by the cluster CA; restore the admin certificate that came with this CA',
      });
    }
    if (admin && !admin.ca && admin.keyUsage !== undefined && !admin.keyUsage.includes(CLIENT_AUTH)) {
      this.problem(['admin', 'cert'], 'not a client certificate (extendedKeyUsage has no clientAuth)', { hint: REGENERATE });
    }
  }

  /** The entries of a mapping by key; reports unknown and missing keys. */
  private fields(map: YAMLMap, path: DocPath, known: readonly string[], optional: readonly string[] = []): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const item of map.items) {
      if (!isPair(item)) continue;
      const key = scalarText(item.key);
      if (!known.includes(key)) {
        const near = closest(key, known);
        this.problem([...path, key], `unknown key ${JSON.stringify(key)}`, {
          atKey: true,
          hint: near ? `did you mean ${near}?` : `the keys here are: ${known.join(', ')}`,
        });
        continue;
      }
      out.set(key, item.value);
    }
    for (const key of known) {
      if (!out.has(key) && !optional.includes(key)) this.missing(path, key);
    }
    return out;
  }

  private submap(top: Map<string, unknown>, name: string, known: readonly string[]): Map<string, unknown> | undefined {
    if (!top.has(name)) return undefined;
    const node = top.get(name);
    if (!isMap(node)) {
      this.problem([name], `expected a mapping with ${known.join(' and ')}`, {
        hint: `indent ${known.join(' and ')} under ${name}:, each a | block holding one PEM block`,
      });
      return undefined;
    }
    return this.fields(node, [name], known);
  }

  /** A string field; undefined (with a diagnostic) when missing or not a string. */
  private string(map: Map<string, unknown>, parent: DocPath, key: string): string | undefined {
    if (!map.has(key)) return undefined;
    const node = map.get(key);
    const path = [...parent, key];
    if (!isScalar(node) || typeof node.value !== 'string') {
      const what = isScalar(node) ? (node.value === null ? 'empty' : `a ${typeof node.value}`) : 'not a single value';
      this.problem(path, `expected a string, found ${what}`, {
        hint: isScalar(node) && node.value !== null ? 'put the value in double quotes' : 'give it a value',
      });
      return undefined;
    }
    return node.value;
  }

  /** A string holding exactly one PEM block with one of the given labels. */
  private pem(map: Map<string, unknown>, parent: DocPath, key: string, labels: readonly string[]): { text: string } | undefined {
    const value = this.string(map, parent, key);
    if (value === undefined) return undefined;
    const path = [...parent, key];
    const blocks = [...value.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
    const rest = value.replace(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g, '').trim();
    const pasteHint = `paste the whole PEM block, -----BEGIN ${labels[0]}----- to -----END ${labels[0]}----- lines included, as a | block`;
    if (blocks.length === 0) {
      this.problem(path, `not PEM: expected a -----BEGIN ${labels[0]}----- block`, { hint: pasteHint });
      return undefined;
    }
    if (blocks.length > 1) {
      this.problem(path, `${blocks.length} PEM blocks; expected exactly one`, { hint: 'keep only the one block that belongs here' });
      return undefined;
    }
    if (rest !== '') {
      this.problem(path, 'text outside the PEM block', { hint: pasteHint });
      return undefined;
    }
    const label = blocks[0]![1]!;
    if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(value)) {
      this.problem(path, 'an encrypted private key', { hint: 'kubeadm needs it unencrypted: `openssl pkey -in key.pem -out plain.pem` decrypts it' });
      return undefined;
    }
    if (!labels.includes(label)) {
      const swapped = label === 'CERTIFICATE' || label.endsWith('PRIVATE KEY') || label.endsWith('PUBLIC KEY');
      this.problem(path, `a PEM "${label}" block; expected ${labels.map((l) => `"${l}"`).join(' or ')}`, {
        hint: swapped ? `the values look swapped; ${pasteHint}` : pasteHint,
      });
      return undefined;
    }
    return { text: value.replace(/\r\n/g, '\n').trim() + '\n' };
  }

  private wifi(node: unknown): Map<string, string> {
    const out = new Map<string, string>();
    // Absent or left empty (`wifi:`) both mean: no Wi-Fi passphrases.
    if (node === undefined || (isScalar(node) && node.value === null)) return out;
    if (!isMap(node)) {
      this.problem(['wifi'], 'expected a mapping of SSID to passphrase', { hint: 'write one "SSID: passphrase" per line under wifi:' });
      return out;
    }
    for (const item of node.items as Pair<unknown, unknown>[]) {
      const ssid = scalarText(item.key);
      const path = ['wifi', ssid];
      const ssidOk = this.ssid(path, ssid);
      // A plain scalar that YAML reads as a number or boolean is still what the user typed.
      const value = item.value;
      const pass = isScalar(value) && value.value !== null
        ? (typeof value.value === 'string' ? value.value : (value.source ?? String(value.value)))
        : undefined;
      if (pass === undefined) {
        this.problem(path, `the passphrase is ${isScalar(value) ? 'empty' : 'not a single value'}`, {
          hint: 'write it as  SSID: "passphrase"',
        });
        continue;
      }
      const passProblem = passphraseProblem(pass);
      if (passProblem !== undefined) {
        this.problem(path, passProblem, {
          hint: 'WPA2/WPA3-Personal (NetworkManager, netplan, wpa_supplicant) take nothing else; check the passphrase',
        });
        continue;
      }
      if (ssidOk) out.set(ssid, pass);
    }
    return out;
  }

  /** An SSID as the spec's schema allows it (format ssid): 1 to 32 UTF-8 bytes of the safe alphabet. */
  private ssid(path: DocPath, ssid: string): boolean {
    const bad = firstUnsafeCharacter(ssid);
    if (bad !== undefined) {
      this.problem(path, `SSID ${shown(ssid)} contains ${codePointName(bad)}; control characters, U+0085, U+2028 and U+2029 are not allowed in an SSID`, {
        atKey: true, hint: 'use the network name exactly as the access point broadcasts it, without control characters',
      });
      return false;
    }
    const bytes = Buffer.byteLength(ssid, 'utf8');
    if (bytes < 1 || bytes > 32) {
      this.problem(path, `SSID ${shown(ssid)} is ${bytes} bytes of UTF-8; an SSID is 1 to 32 bytes`, {
        atKey: true, hint: 'use the network name exactly as the access point broadcasts it',
      });
      return false;
    }
    return true;
  }

  /** Like the spec's schema errors: the path is the parent, the place is the parent's key. */
  private missing(parent: DocPath, key: string): void {
    const hint = MISSING_HINTS[key] ?? REGENERATE;
    this.problem(parent, `missing required key "${key}"`, { atKey: parent.length > 0, hint });
  }

  problem(path: DocPath, message: string, opts: { hint?: string; atKey?: boolean } = {}): void {
    this.diagnostics.push(report(this.source, 'PICC301', path, message, opts));
  }
}

/** Parses one PEM value; a damaged one becomes a diagnostic at its path. */
function parsePem<T>(checker: Checker, path: DocPath, text: string, what: string, parse: (pem: string) => T): T | undefined {
  try {
    return parse(text);
  } catch (err) {
    checker.problem(path, `not a valid ${what} (${errorText(err)})`, { hint: 'the PEM block is damaged; restore it from a backup' });
    return undefined;
  }
}

function parseCert(checker: Checker, path: DocPath, text: string): X509Certificate | undefined {
  return parsePem(checker, path, text, 'certificate', (pem) => new X509Certificate(pem));
}

function parseKey(checker: Checker, path: DocPath, text: string): KeyObject | undefined {
  return parsePem(checker, path, text, 'private key', createPrivateKey);
}

function parsePub(checker: Checker, path: DocPath, text: string): KeyObject | undefined {
  return parsePem(checker, path, text, 'public key', createPublicKey);
}

/** Why a WPA-PSK passphrase is unusable: 8 to 63 printable ASCII characters, or 64 hex digits (the raw key). */
function passphraseProblem(pass: string): string | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(pass)) return undefined;
  const odd = /[^\x20-\x7e]/u.exec(pass)?.[0];
  if (odd !== undefined) {
    return `the passphrase contains ${codePointName(odd)}; a WPA passphrase is 8 to 63 printable ASCII characters, or 64 hex digits`;
  }
  if (pass.length < 8 || pass.length > 63) {
    return `the passphrase has ${pass.length} characters; a WPA passphrase is 8 to 63 printable ASCII characters, or 64 hex digits`;
  }
  return undefined;
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

function scalarText(node: unknown): string {
  if (isScalar(node)) {
    if (typeof node.value === 'string') return node.value;
    return node.source ?? String(node.value);
  }
  return String((node as Node | null)?.toString() ?? '');
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function emptyBundle(): SecretsBundle {
  const pair = { cert: '', key: '' };
  return {
    apiVersion: 'picc/v1alpha1', kind: 'ClusterSecrets', cluster: '',
    ca: pair, frontProxyCa: pair, etcdCa: pair, serviceAccount: { key: '', pub: '' },
    bootstrapToken: '', certificateKey: '', admin: pair, wifi: new Map(),
  };
}
