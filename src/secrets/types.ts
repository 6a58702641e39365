// The cluster's secrets bundle: everything that must stay private, kept in its own
// file beside the spec (default <spec name>.secrets.yaml, mode 0600). compile is a
// pure function of (spec, secrets); this bundle is the only place randomness enters.

/** A PEM certificate and its PEM private key (PKCS#1 "RSA PRIVATE KEY", as kubeadm writes them). */
export interface CertKeyPair {
  cert: string;
  key: string;
}

export interface SecretsBundle {
  apiVersion: 'picc/v1alpha1';
  kind: 'ClusterSecrets';
  /** metadata.name of the cluster this bundle belongs to. */
  cluster: string;
  /** Kubernetes cluster CA (RSA-2048) → /etc/kubernetes/pki/ca.{crt,key} */
  ca: CertKeyPair;
  /** front-proxy CA → /etc/kubernetes/pki/front-proxy-ca.{crt,key} */
  frontProxyCa: CertKeyPair;
  /** etcd CA → /etc/kubernetes/pki/etcd/ca.{crt,key} */
  etcdCa: CertKeyPair;
  /** service-account signing key pair → /etc/kubernetes/pki/sa.{key,pub} (PEM private key, PEM public key) */
  serviceAccount: { key: string; pub: string };
  /** kubeadm bootstrap token, [a-z0-9]{6}.[a-z0-9]{16} */
  bootstrapToken: string;
  /** 64 hex chars: kubeadm certificateKey for control-plane joins */
  certificateKey: string;
  /** admin client certificate, signed by ca, subject O=kubeadm:cluster-admins */
  admin: CertKeyPair;
  /** Wi-Fi passphrases by SSID, added by the user. A Map: an SSID may be any text, __proto__ included. */
  wifi: Map<string, string>;
}
