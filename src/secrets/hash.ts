// The discovery hash kubeadm join uses to pin the cluster CA
// (--discovery-token-ca-cert-hash / discovery.bootstrapToken.caCertHashes).

import { X509Certificate, createHash } from 'node:crypto';

/**
 * `sha256:<hex>` over the CA certificate's DER SubjectPublicKeyInfo — not over the whole
 * certificate, which is the usual mistake (kubeadm pubkeypin.Hash).
 */
export function caCertHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}
