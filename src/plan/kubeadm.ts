// kubeadm configuration objects (API kubeadm.k8s.io/v1beta4, Kubernetes 1.31+), built as
// data. Everything goes through --config: kubeadm refuses most flags next to it.

import type { TaintSpec } from '../cluster-spec/types.js';
import { byKey } from '../order.js';

export interface KubeadmInput {
  cluster: string;
  kubernetesVersion: string;
  endpoint: string;
  endpointHost: string;
  apiServerPort: number;
  podSubnet: string;
  serviceSubnet: string;
  dnsDomain: string;
  /** SANs beyond kubeadm's own: the endpoint host and every control plane. */
  certSANs: string[];
  token: string;
  tokenTTL: string;
  caCertHash: string;
  criSocket: string;
  skipKubeProxy: boolean;
}

export interface KubeadmNode {
  name: string;
  address: string;
  resolvConf: string;
  labels: Record<string, string>;
  taints: TaintSpec[];
  kind: 'init' | 'join-control-plane' | 'join-worker';
}

type Doc = Record<string, unknown>;
const API = 'kubeadm.k8s.io/v1beta4';

export function kubeadmDocuments(c: KubeadmInput, n: KubeadmNode): Doc[] {
  if (n.kind === 'init') return [initConfiguration(c, n), clusterConfiguration(c), kubeletConfiguration(), ...kubeProxy(c)];
  return [joinConfiguration(c, n)];
}

/**
 * Where kubeadm finds this node's patches (init and join read them; so will `kubeadm
 * upgrade node` given the same folder). Settings the kubelet reads from its configuration
 * file go there, not into kubeletExtraArgs: those flags are deprecated, and the
 * KubeletConfiguration itself is one object for the whole cluster.
 */
export const PATCHES_DIR = '/etc/picc/kubeadm-patches';

/** This node's KubeletConfiguration patch: the resolv.conf with real upstreams differs between Ubuntu and Raspberry Pi OS. */
export function kubeletPatch(n: Pick<KubeadmNode, 'resolvConf'>): { file: string; doc: Doc } {
  return {
    // target "kubeletconfiguration", strategic merge (kubeadm's patch file naming)
    file: `${PATCHES_DIR}/kubeletconfiguration+strategic.yaml`,
    doc: { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', resolvConf: n.resolvConf },
  };
}

function nodeRegistration(c: KubeadmInput, n: KubeadmNode): Doc {
  // Flags without a configuration-file field (kubelet --help does not mark them deprecated).
  const args = [
    // Boards with both eth0 and wlan0 must register the address the spec gives.
    { name: 'node-ip', value: n.address },
  ];
  const labels = Object.entries(n.labels).sort(byKey(([k]) => k));
  if (labels.length > 0) args.push({ name: 'node-labels', value: labels.map(([k, v]) => `${k}=${v}`).join(',') });
  const reg: Doc = { name: n.name, criSocket: c.criSocket, imagePullPolicy: 'IfNotPresent', kubeletExtraArgs: args };
  // Without taints kubeadm applies its defaults (control planes: NoSchedule).
  if (n.taints.length > 0) reg['taints'] = n.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect }));
  return reg;
}

function initConfiguration(c: KubeadmInput, n: KubeadmNode): Doc {
  return {
    apiVersion: API,
    kind: 'InitConfiguration',
    bootstrapTokens: [{
      token: c.token,
      description: 'picc: joins the nodes compiled with this cluster secrets file',
      ttl: goDuration(c.tokenTTL),
      usages: ['signing', 'authentication'],
      groups: ['system:bootstrappers:kubeadm:default-node-token'],
    }],
    localAPIEndpoint: { advertiseAddress: n.address, bindPort: c.apiServerPort },
    nodeRegistration: nodeRegistration(c, n),
    patches: { directory: PATCHES_DIR },
  };
}

function clusterConfiguration(c: KubeadmInput): Doc {
  return {
    apiVersion: API,
    kind: 'ClusterConfiguration',
    clusterName: c.cluster,
    kubernetesVersion: `v${c.kubernetesVersion}`,
    controlPlaneEndpoint: c.endpoint,
    networking: { podSubnet: c.podSubnet, serviceSubnet: c.serviceSubnet, dnsDomain: c.dnsDomain },
    apiServer: { certSANs: c.certSANs },
    ...(c.skipKubeProxy ? { proxy: { disabled: true } } : {}),
  };
}

function kubeletConfiguration(): Doc {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    cgroupDriver: 'systemd',
    failSwapOn: true,
  };
}

function kubeProxy(c: KubeadmInput): Doc[] {
  return c.skipKubeProxy ? [] : [{ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'iptables' }];
}

function joinConfiguration(c: KubeadmInput, n: KubeadmNode): Doc {
  const doc: Doc = {
    apiVersion: API,
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: { apiServerEndpoint: c.endpoint, token: c.token, caCertHashes: [c.caCertHash] },
    },
    nodeRegistration: nodeRegistration(c, n),
    patches: { directory: PATCHES_DIR },
  };
  // The shared CA keys are pre-placed on every control plane, so no certificateKey
  // (and no two-hour --upload-certs window) is needed.
  if (n.kind === 'join-control-plane') doc['controlPlane'] = { localAPIEndpoint: { advertiseAddress: n.address, bindPort: c.apiServerPort } };
  return doc;
}

/** "24h" → "24h0m0s", "90m" → "1h30m0s": the form kubeadm prints back. */
export function goDuration(spec: string): string {
  const n = Number(spec.slice(0, -1));
  const minutes = spec.endsWith('h') ? n * 60 : n;
  return `${Math.floor(minutes / 60)}h${minutes % 60}m0s`;
}
