// Where the secrets end up, checked on every golden case against the case's own secrets
// file and against openssl (not against picc's own helpers):
//   - workers get no private key; control planes write theirs 0600;
//   - every JoinConfiguration pins the cluster CA by the hash openssl computes, with the
//     token the InitConfiguration registers;
//   - admin.kubeconfig is a one-cluster kubeconfig whose client certificate the CA signed,
//     in the kubeadm:cluster-admins group;
//   - HA: kube-vip on each control plane (super-admin.conf only during init), joining
//     control planes use JoinConfiguration.controlPlane;
//   - the cloud-init seed files are what cloud-init expects.

import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { Artifact } from '../../src/index.js';
import { parseSecrets } from '../../src/secrets/file.js';
import type { SecretsBundle } from '../../src/secrets/types.js';
import { artifactMap, compileCase, listCases, specFacts, type GoldenCase, type SpecFacts, type SpecNode } from './cases.js';

const cases = listCases();
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'picc-secrets-artifacts-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input });
}

/** kubeadm's discovery hash, computed the way the kubeadm docs print it. */
function opensslCaHash(caCertFile: string): string {
  const out = execFileSync('bash', ['-o', 'pipefail', '-c',
    'openssl x509 -pubkey -noout -in "$1" | openssl pkey -pubin -outform der | sha256sum', 'hash', caCertFile], { encoding: 'utf8' });
  const hex = out.split(' ')[0]!;
  expect(hex).toMatch(/^[0-9a-f]{64}$/);
  return `sha256:${hex}`;
}

// ---------------------------------------------------------------------------
// Reading setup.sh: the files it writes with ensure_file, as written in the script
// ---------------------------------------------------------------------------

interface Heredoc {
  /** The path on the node ("$config" resolved through the function's `local config=…`). */
  path: string;
  mode: string;
  content: string;
  /** Line number of the ensure_file call (1-based), to check the order of steps. */
  line: number;
}

function heredocs(script: string): Heredoc[] {
  const lines = script.split('\n');
  const out: Heredoc[] = [];
  const locals = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // `local a=/x b=/y` — later ones win, as in the function that declares them.
    if (/^\s*local\s/.test(line)) {
      for (const m of line.matchAll(/\b([a-z_]+)=([^\s"'$()]+)/g)) locals.set(m[1]!, m[2]!);
    }
    const m = /^\s*ensure_file\s+(\S+)\s+(\d{4})\s+<<'PICC_EOF'$/.exec(line);
    if (!m) continue;
    const target = m[1]!.replace(/^"\$([a-z_]+)"$/, (_all, v: string) => locals.get(v) ?? `$${v}`);
    const end = lines.indexOf('PICC_EOF', i + 1);
    expect(end, `unterminated heredoc at line ${i + 1}`).toBeGreaterThan(i);
    out.push({ path: target, mode: m[2]!, content: lines.slice(i + 1, end).join('\n') + '\n', line: i + 1 });
    i = end;
  }
  return out;
}

type Obj = Record<string, any>;

function kubeadmDocs(script: string): Obj[] {
  const docs = heredocs(script).filter((h) => h.path === '/etc/picc/kubeadm.yaml');
  expect(docs, 'exactly one heredoc for /etc/picc/kubeadm.yaml').toHaveLength(1);
  expect(docs[0]!.mode).toBe('0600'); // it holds the bootstrap token
  return parseAllDocuments(docs[0]!.content).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Obj;
  });
}

function ofKind(docs: Obj[], kind: string): Obj[] {
  return docs.filter((d) => d['kind'] === kind);
}

// ---------------------------------------------------------------------------

describe.each(cases)('secrets in the artifacts of $name', (c: GoldenCase) => {
  let artifacts: Map<string, Artifact>;
  let secrets: SecretsBundle;
  let facts: SpecFacts;
  let caFile: string;
  let caHash: string;
  const setup = (n: SpecNode): string => artifacts.get(`${facts.cluster}/${n.name}/setup.sh`)!.content;
  const nodeFiles = (n: SpecNode): Artifact[] => [...artifacts.values()].filter((a) => a.path.startsWith(`${facts.cluster}/${n.name}/`));

  beforeAll(() => {
    artifacts = artifactMap(compileCase(c));
    const parsed = parseSecrets(c.secretsPath, c.secretsText);
    expect(parsed.diagnostics).toEqual([]);
    secrets = parsed.value!;
    facts = specFacts(c);
    caFile = join(work, `${c.name}-ca.crt`);
    writeFileSync(caFile, secrets.ca.cert);
    caHash = opensslCaHash(caFile);
  });

  it('no artifact of a worker holds a private key; control planes do (so the check can fail)', () => {
    for (const n of facts.nodes) {
      const holding = nodeFiles(n).filter((a) => a.content.includes('PRIVATE KEY')).map((a) => a.path);
      if (n.role === 'worker') expect(holding, `worker ${n.name}`).toEqual([]);
      else expect(holding.sort(), `control plane ${n.name}`).toEqual([`${facts.cluster}/${n.name}/setup.sh`, `${facts.cluster}/${n.name}/user-data`]);
    }
  });

  it('control planes write the cluster keys with mode 0600, exactly the secrets file\'s keys', () => {
    const keys: Record<string, string> = {
      '/etc/kubernetes/pki/ca.key': secrets.ca.key,
      '/etc/kubernetes/pki/front-proxy-ca.key': secrets.frontProxyCa.key,
      '/etc/kubernetes/pki/etcd/ca.key': secrets.etcdCa.key,
      '/etc/kubernetes/pki/sa.key': secrets.serviceAccount.key,
    };
    for (const n of facts.nodes.filter((x) => x.role === 'control-plane')) {
      const docs = heredocs(setup(n));
      for (const [path, key] of Object.entries(keys)) {
        const written = docs.filter((h) => h.path === path);
        expect(written, `${n.name}: ${path}`).toHaveLength(1);
        expect(written[0]!.mode, `${n.name}: mode of ${path}`).toBe('0600');
        expect(written[0]!.content).toBe(key.endsWith('\n') ? key : key + '\n');
      }
      // Any other key-like file too: nothing private is written world-readable.
      for (const h of docs.filter((d) => d.content.includes('PRIVATE KEY') || d.path.endsWith('.key'))) {
        expect(h.mode, `${n.name}: ${h.path}`).toBe('0600');
      }
    }
  });

  it('the InitConfiguration registers the token; every JoinConfiguration carries it and the openssl CA hash', () => {
    let inits = 0;
    for (const n of facts.nodes) {
      const docs = kubeadmDocs(setup(n));
      const init = ofKind(docs, 'InitConfiguration');
      const join = ofKind(docs, 'JoinConfiguration');
      expect(init.length + join.length, `${n.name}: one Init- or JoinConfiguration`).toBe(1);
      if (init.length === 1) {
        inits++;
        expect(n.role).toBe('control-plane');
        expect(init[0]!['bootstrapTokens'].map((t: Obj) => t['token'])).toEqual([secrets.bootstrapToken]);
        expect(ofKind(docs, 'ClusterConfiguration')[0]!['controlPlaneEndpoint']).toBe(facts.endpoint);
      } else {
        const discovery = join[0]!['discovery']['bootstrapToken'];
        expect(discovery['token'], n.name).toBe(secrets.bootstrapToken);
        expect(discovery['caCertHashes'], n.name).toEqual([caHash]);
        expect(discovery['apiServerEndpoint'], n.name).toBe(facts.endpoint);
        expect(discovery['unsafeSkipCAVerification'], n.name).toBeUndefined();
      }
    }
    expect(inits, 'exactly one node runs kubeadm init').toBe(1);
  });

  it('admin.kubeconfig is a kubeconfig for the endpoint whose client certificate the CA signed for cluster-admins', () => {
    const file = artifacts.get(`${facts.cluster}/admin.kubeconfig`)!;
    expect(file.mode).toBe(0o600);
    const kc = parse(file.content) as Obj;
    expect(kc['apiVersion']).toBe('v1');
    expect(kc['kind']).toBe('Config');
    expect(kc['clusters']).toHaveLength(1);
    expect(kc['users']).toHaveLength(1);
    expect(kc['contexts']).toHaveLength(1);
    const [cluster, user, context] = [kc['clusters'][0], kc['users'][0], kc['contexts'][0]];
    expect(kc['current-context']).toBe(context.name);
    expect(context.context).toEqual({ cluster: cluster.name, user: user.name });
    expect(cluster.cluster.server).toBe(`https://${facts.endpoint}`);

    const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
    expect(decode(cluster.cluster['certificate-authority-data'])).toBe(secrets.ca.cert);
    const cert = decode(user.user['client-certificate-data']);
    const key = decode(user.user['client-key-data']);
    const certFile = join(work, `${c.name}-admin.crt`);
    writeFileSync(certFile, cert);
    expect(openssl(['verify', '-CAfile', caFile, certFile]).trim()).toBe(`${certFile}: OK`);
    const subject = openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253', '-in', certFile]).trim();
    expect(subject.replace(/^subject=/, '').split(',')).toContain('O=kubeadm:cluster-admins');
    expect(openssl(['x509', '-noout', '-ext', 'extendedKeyUsage', '-in', certFile])).toContain('TLS Web Client Authentication');
    // The key in the file belongs to that certificate.
    const spki = (k: ReturnType<typeof createPublicKey>): string => k.export({ type: 'spki', format: 'der' }).toString('hex');
    expect(spki(createPublicKey(key))).toBe(spki(new X509Certificate(cert).publicKey));
  });

  it('kube-vip holds the endpoint on every control plane of an HA cluster, and nowhere else', () => {
    const [vip, port] = [facts.endpoint.slice(0, facts.endpoint.lastIndexOf(':')), facts.endpoint.slice(facts.endpoint.lastIndexOf(':') + 1)];
    const kubeconfigOf = (h: Heredoc): string => {
      const pod = parse(h.content) as Obj;
      expect(pod['kind']).toBe('Pod');
      expect(pod['metadata']).toMatchObject({ name: 'kube-vip', namespace: 'kube-system' });
      const env = Object.fromEntries(pod['spec']['containers'][0]['env'].map((e: Obj) => [e['name'], e['value']]));
      expect(env['address']).toBe(vip);
      expect(env['port']).toBe(port);
      const volumes = pod['spec']['volumes'].map((v: Obj) => v['hostPath']['path']);
      expect(volumes).toHaveLength(1);
      return volumes[0];
    };
    for (const n of facts.nodes) {
      const script = setup(n);
      const manifests = heredocs(script).filter((h) => h.path === '/etc/kubernetes/manifests/kube-vip.yaml');
      if (!facts.highAvailability || n.role === 'worker') {
        expect(manifests, `${n.name} has no kube-vip`).toEqual([]);
        continue;
      }
      // The command itself, not a comment that names it.
      const lineOf = (re: RegExp): number => script.split('\n').findIndex((l) => !/^\s*#/.test(l) && re.test(l)) + 1;
      const docs = kubeadmDocs(script);
      if (ofKind(docs, 'InitConfiguration').length === 1) {
        // First control plane: super-admin.conf while kubeadm init runs (admin.conf has no
        // RBAC binding yet), then admin.conf.
        expect(manifests.map(kubeconfigOf), n.name).toEqual(['/etc/kubernetes/super-admin.conf', '/etc/kubernetes/admin.conf']);
        const init = lineOf(/\skubeadm init --config\b/);
        expect(init).toBeGreaterThan(0);
        expect(manifests[0]!.line).toBeLessThan(init);
        expect(manifests[1]!.line).toBeGreaterThan(init);
      } else {
        // Joining control planes: admin.conf, in place after kubeadm join (join refuses a
        // non-empty manifests folder).
        expect(manifests.map(kubeconfigOf), n.name).toEqual(['/etc/kubernetes/admin.conf']);
        const join = lineOf(/\skubeadm join --config\b/);
        expect(join).toBeGreaterThan(0);
        expect(manifests[0]!.line).toBeGreaterThan(join);
      }
    }
  });

  it('joining control planes use JoinConfiguration.controlPlane; workers do not', () => {
    for (const n of facts.nodes) {
      const join = ofKind(kubeadmDocs(setup(n)), 'JoinConfiguration')[0];
      if (!join) continue;
      if (n.role === 'control-plane') {
        expect(join['controlPlane'], n.name).toEqual({ localAPIEndpoint: { advertiseAddress: n.address, bindPort: 6443 } });
      } else {
        expect(join['controlPlane'], n.name).toBeUndefined();
      }
    }
    const joiningControlPlanes = facts.nodes.filter((n) => n.role === 'control-plane').length - 1;
    expect(facts.nodes.filter((n) => ofKind(kubeadmDocs(setup(n)), 'JoinConfiguration')[0]?.['controlPlane'])).toHaveLength(joiningControlPlanes);
  });

  it('user-data, meta-data and network-config are what cloud-init expects', () => {
    for (const n of facts.nodes) {
      const file = (name: string): string => artifacts.get(`${facts.cluster}/${n.name}/${name}`)!.content;

      const userData = file('user-data');
      expect(userData.startsWith('#cloud-config\n'), `${n.name}: user-data starts with #cloud-config`).toBe(true);
      const ud = parseAllDocuments(userData);
      expect(ud, n.name).toHaveLength(1);
      expect(ud[0]!.errors).toEqual([]);
      const cloudConfig = ud[0]!.toJS() as Obj;
      // The script cloud-init installs is the setup.sh beside it, byte for byte.
      expect(cloudConfig['write_files'].map((f: Obj) => f['content'])).toContain(setup(n));
      expect(cloudConfig['hostname']).toBe(n.name);

      const meta = parse(file('meta-data')) as Obj;
      expect(Object.keys(meta).sort(), n.name).toEqual(['instance-id', 'local-hostname']);
      expect(meta['instance-id']).toMatch(/^[a-z0-9-]+$/);
      expect(meta['local-hostname']).toBe(n.name);

      const net = (parse(file('network-config')) as Obj)['network'];
      expect(net['version'], n.name).toBe(2);
      const devices = { ...(net['ethernets'] ?? {}), ...(net['wifis'] ?? {}) } as Obj;
      expect(Object.keys(devices), n.name).toEqual([n.interface]);
      expect(devices[n.interface]['addresses'], n.name).toEqual([`${n.address}/${facts.prefix}`]);
    }
  });
});
