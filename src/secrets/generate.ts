// Creates a fresh secrets bundle: the three kubeadm CAs, the service-account key pair,
// the admin client certificate, a bootstrap token and a certificate key. This is the
// one place picc uses randomness and the clock; compile only ever reads the bundle.

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import type { CertKeyPair, SecretsBundle } from './types.js';

// Passed explicitly to every @peculiar/x509 call instead of setting its global provider,
// so importing this module changes nothing for other users of the library.
const crypto = webcrypto as unknown as Crypto;

const RSA: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

const HOUR_MS = 60 * 60 * 1000;

export async function generateSecrets(cluster: string, now: Date): Promise<SecretsBundle> {
  // Backdated an hour so a board whose clock lags a little still accepts the certificates.
  const notBefore = new Date(now.getTime() - HOUR_MS);
  const [ca, frontProxyCa, etcdCa, saKeys, adminKeys] = await Promise.all([
    newCa('kubernetes', notBefore, addYears(now, 10)),
    newCa('front-proxy-ca', notBefore, addYears(now, 10)),
    newCa('etcd-ca', notBefore, addYears(now, 10)),
    newRsaKeys(),
    newRsaKeys(),
  ]);

  const admin = await x509.X509CertificateGenerator.create(
    {
      serialNumber: newSerialNumber(),
      // Same subject as kubeadm's admin.conf: the group is bound to cluster-admin by RBAC.
      subject: [{ O: ['kubeadm:cluster-admins'] }, { CN: ['kubernetes-admin'] }],
      issuer: ca.cert.subjectName,
      notBefore,
      // kubeadm gives admin.conf one year and renews it on upgrades; picc's copy sits in
      // out/<cluster>/admin.kubeconfig where nothing renews it, so it gets five years
      // (still far short of the CA's ten). Regenerating the secrets file replaces it.
      notAfter: addYears(now, 5),
      publicKey: adminKeys.publicKey,
      signingKey: ca.keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
        await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  return {
    apiVersion: 'picc/v1alpha1',
    kind: 'ClusterSecrets',
    cluster,
    ca: await exportPair(ca.cert, ca.keys.privateKey),
    frontProxyCa: await exportPair(frontProxyCa.cert, frontProxyCa.keys.privateKey),
    etcdCa: await exportPair(etcdCa.cert, etcdCa.keys.privateKey),
    serviceAccount: {
      key: await exportPkcs1(saKeys.privateKey),
      pub: pem('PUBLIC KEY', await crypto.subtle.exportKey('spki', saKeys.publicKey)),
    },
    bootstrapToken: newBootstrapToken(),
    certificateKey: randomBytes(32).toString('hex'),
    admin: await exportPair(admin, adminKeys.privateKey),
    wifi: new Map(),
  };
}

/** A copy of the bundle with a new bootstrap token; everything else is kept. */
export function rotateToken(bundle: SecretsBundle): SecretsBundle {
  return { ...structuredClone(bundle), bootstrapToken: newBootstrapToken() };
}

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A kubeadm bootstrap token, [a-z0-9]{6}.[a-z0-9]{16}. */
export function newBootstrapToken(): string {
  return `${randomString(6)}.${randomString(16)}`;
}

function randomString(length: number): string {
  const n = TOKEN_ALPHABET.length;
  // Bytes at or above the largest multiple of n are thrown away: taking them modulo n
  // would make the first few letters more likely than the rest.
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += TOKEN_ALPHABET[byte % n];
      if (out.length === length) break;
    }
  }
  return out;
}

interface Ca {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function newCa(commonName: string, notBefore: Date, notAfter: Date): Promise<Ca> {
  const keys = await newRsaKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: newSerialNumber(),
      name: [{ CN: [commonName] }],
      notBefore,
      notAfter,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { cert, keys };
}

function newRsaKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
}

/** 16 random bytes as hex, top bit clear (a positive INTEGER) and first byte non-zero (no DER padding). */
function newSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

async function exportPair(cert: x509.X509Certificate, key: CryptoKey): Promise<CertKeyPair> {
  return { cert: pem('CERTIFICATE', cert.rawData), key: await exportPkcs1(key) };
}

/** kubeadm writes its keys as PKCS#1 ("RSA PRIVATE KEY"); WebCrypto only exports PKCS#8. */
async function exportPkcs1(key: CryptoKey): Promise<string> {
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  const pkcs1 = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' });
  return normalisePem(String(pkcs1));
}

function pem(label: string, der: ArrayBuffer): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function normalisePem(text: string): string {
  return text.replace(/\r\n/g, '\n').trimEnd() + '\n';
}

function addYears(date: Date, years: number): Date {
  const d = new Date(date.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}
