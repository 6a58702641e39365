// The real client path of `picc verify`: the kubeconfig compile writes, Node's https with
// the cluster CA and the admin client certificate, against a local TLS server that
// demands a client certificate signed by that CA and serves the recorded answers.

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../../src/cli/verify.js';
import { compile } from '../../../src/index.js';
import { serializeSecrets } from '../../../src/secrets/file.js';
import { generateSecrets } from '../../../src/secrets/generate.js';
import type { SecretsBundle } from '../../../src/secrets/types.js';
import { loadCase } from '../../golden/cases.js';
import { runCommand } from '../cli-harness.js';
import { HOMELAB_ANSWERS } from './answers.js';

const crypto = webcrypto as unknown as Crypto;
const golden = loadCase('homelab');
/** The homelab spec and its secrets file, copied with the secrets file's mode 0600 (git keeps no modes). */
const homelab = { specPath: '', secretsPath: '', specText: golden.specText };
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** A serving certificate for 127.0.0.1, signed by the cluster CA (as kubeadm's apiserver.crt is). */
async function serverCertificate(ca: SecretsBundle['ca']): Promise<{ cert: string; key: string }> {
  const caKey = await crypto.subtle.importKey('pkcs8', createPrivateKey(ca.key).export({ type: 'pkcs8', format: 'der' }), RSA, false, ['sign']);
  const keys = await crypto.subtle.generateKey({ ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '4a01',
    subject: 'CN=kube-apiserver',
    issuer: new x509.X509Certificate(ca.cert).subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  }, crypto);
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { cert: cert.toString('pem'), key: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString() };
}

let dir: string;
let server: Server;
let secrets: SecretsBundle;
let kubeconfigText: string;
/** Client certificate subjects the server saw, per request. */
const seen: string[] = [];
let respond: (path: string) => { status: number; body?: unknown } | 'hang' = serveRecorded;

function serveRecorded(path: string): { status: number; body?: unknown } {
  const file = join(HOMELAB_ANSWERS, `${path}.json`);
  if (!path.startsWith('/') || path.includes('..') || !existsSync(file)) {
    return { status: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `the server could not find the requested resource`, reason: 'NotFound', code: 404 } };
  }
  return { status: 200, body: JSON.parse(readFileSync(file, 'utf8')) };
}

function kubeconfig(name: string, edit: (text: string) => string = (t) => t): string {
  const file = join(dir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, edit(kubeconfigText), { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'picc-verify-'));
  homelab.specPath = join(dir, 'cluster.yaml');
  homelab.secretsPath = join(dir, 'cluster.secrets.yaml');
  writeFileSync(homelab.specPath, golden.specText);
  writeFileSync(homelab.secretsPath, golden.secretsText, { mode: 0o600 });
  secrets = await generateSecrets('homelab', new Date());
  const tls = await serverCertificate(secrets.ca);
  server = createServer({ ...tls, ca: secrets.ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    seen.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
    const answer = respond(new URL(req.url ?? '/', 'https://x').pathname);
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // The admin.kubeconfig compile writes for homelab, pointed at the local server.
  const compiled = compile(homelab.specPath, homelab.specText, 'homelab.secrets.yaml', serializeSecrets(secrets));
  const written = compiled.artifacts!.find((a) => a.path === 'homelab/admin.kubeconfig')!.content;
  expect(written).toContain('server: https://192.168.1.101:6443');
  kubeconfigText = written.replace('https://192.168.1.101:6443', `https://127.0.0.1:${port}`);
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function verify(file: string, format: 'human' | 'json' = 'json', extra: { timeout?: number } = {}) {
  return runCommand('verify', { format }, (r) => runVerify(homelab.specPath, r, { out: dir, secrets: homelab.secretsPath, kubeconfig: file, ...extra }));
}

describe('picc verify through https with the admin client certificate', () => {
  it('asks the server with the client certificate, and every check passes on the recorded answers', async () => {
    seen.length = 0;
    const run = await verify(kubeconfig('admin.kubeconfig'));
    const out = JSON.parse(run.stdout);
    expect(out.diagnostics).toEqual([]);
    expect(run.code).toBe(0);
    expect(out.ok).toBe(true);
    expect(out.checks.length).toBe(41);
    expect(out.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    // One request per path (7: version, nodes, pods of two namespaces, the kube-dns Service and its endpoint slices, flannel's ConfigMap), each made as the admin certificate's subject.
    expect(seen).toEqual(Array(7).fill('kubernetes-admin'));
  });

  it('finds the kubeconfig where compile writes it (<out>/<cluster>/admin.kubeconfig) and prints the table', async () => {
    kubeconfig('out/homelab/admin.kubeconfig');
    const run = await runCommand('verify', { format: 'human' }, (r) => runVerify(homelab.specPath, r, { out: join(dir, 'out') }));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^CHECK +EXPECTED +FOUND +OK\n/);
    expect(run.stdout).toMatch(/^node k8s-worker-7 Ready +Ready +Ready +ok$/m);
    expect(run.stdout).toMatch(/all 41 checks pass\n$/);
  });

  it('reports a difference in the table and exits 1 (a 404 for flannel\'s ConfigMap)', async () => {
    respond = (p) => (p.endsWith('/kube-flannel-cfg') ? serveRecorded('/nope') : serveRecorded(p));
    try {
      const run = await verify(kubeconfig('admin.kubeconfig'), 'human');
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^pod subnet: flannel net-conf\.json Network +10\.244\.0\.0\/16 +no kube-flannel-cfg ConfigMap +DIFF$/m);
      expect(run.stderr).toContain('error[PICC701]: pod subnet: flannel net-conf.json Network: expected 10.244.0.0/16, found no kube-flannel-cfg ConfigMap');
    } finally {
      respond = serveRecorded;
    }
  });

  it('without a client certificate the server refuses the TLS handshake: PICC703, no stack trace', async () => {
    const file = kubeconfig('token.kubeconfig', (t) => t.replace(/client-certificate-data: .*\n/, '').replace(/client-key-data: .*\n/, 'token: abcdef.0123456789abcdef\n'));
    const run = await verify(file);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).diagnostics).toMatchObject([{ code: 'PICC703' }]);
  });

  it('a server the kubeconfig\'s CA did not sign is refused: PICC703', async () => {
    const other = Buffer.from(secrets.frontProxyCa.cert).toString('base64');
    const run = await verify(kubeconfig('other-ca.kubeconfig', (t) => t.replace(/certificate-authority-data: .*/, `certificate-authority-data: ${other}`)));
    expect(run.code).toBe(1);
    const [d] = JSON.parse(run.stdout).diagnostics;
    expect(d).toMatchObject({ code: 'PICC703' });
    expect(d.message).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it('an API server that says 403 is PICC704 with its message', async () => {
    respond = () => ({ status: 403, body: { kind: 'Status', status: 'Failure', message: 'nodes is forbidden: User "someone" cannot list resource "nodes"', reason: 'Forbidden', code: 403 } });
    try {
      const run = await verify(kubeconfig('admin.kubeconfig'));
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).diagnostics).toMatchObject([{ code: 'PICC704', message: expect.stringContaining('HTTP 403: nodes is forbidden') }]);
    } finally {
      respond = serveRecorded;
    }
  });

  it('a server that never answers is given up after --timeout: PICC703', async () => {
    respond = () => 'hang';
    try {
      const started = Date.now();
      const run = await verify(kubeconfig('admin.kubeconfig'), 'json', { timeout: 0.5 });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(JSON.parse(run.stdout).diagnostics).toMatchObject([{ code: 'PICC703', message: expect.stringContaining('no complete answer within 0.5 s') }]);
    } finally {
      respond = serveRecorded;
    }
  });

  it('a missing or broken kubeconfig is PICC702', async () => {
    const missing = await verify(join(dir, 'absent.kubeconfig'));
    expect(JSON.parse(missing.stdout).diagnostics).toMatchObject([{ code: 'PICC702', message: expect.stringContaining('there is no kubeconfig') }]);
    const broken = await verify(kubeconfig('broken.kubeconfig', (t) => t.replace(/current-context: .*/, 'current-context: elsewhere')));
    expect(JSON.parse(broken.stdout).diagnostics).toMatchObject([{ code: 'PICC702', message: expect.stringContaining('no context "elsewhere"') }]);
  });
});
