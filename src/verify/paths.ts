// The API server's answers `picc verify` reads: one GET per path, the same list for the
// laptop's client (api.ts) and for verify.sh on a control plane. Plain paths without
// query strings, so a recorded answer set is a folder of <path>.json files.

import type { Expected } from './expected.js';

export const PATHS = {
  version: '/version',
  nodes: '/api/v1/nodes',
  pods: (namespace: string) => `/api/v1/namespaces/${namespace}/pods`,
  dnsService: '/api/v1/namespaces/kube-system/services/kube-dns',
  endpointSlices: '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices',
  flannelConfig: '/api/v1/namespaces/kube-flannel/configmaps/kube-flannel-cfg',
  calicoInstallation: '/apis/operator.tigera.io/v1/installations/default',
  ciliumConfig: '/api/v1/namespaces/kube-system/configmaps/cilium-config',
} as const;

/** Every namespace whose pods must all be Running and Ready. */
export function podNamespaces(e: Expected): string[] {
  return ['kube-system', ...e.cni.namespaces];
}

const CNI_CONFIG = { flannel: PATHS.flannelConfig, calico: PATHS.calicoInstallation, cilium: PATHS.ciliumConfig } as const;

export function apiPaths(e: Expected): string[] {
  return [PATHS.version, PATHS.nodes, ...podNamespaces(e).map(PATHS.pods), PATHS.dnsService, PATHS.endpointSlices, CNI_CONFIG[e.cni.kind]];
}

/** The CNI's own record of the pod network. */
export function cniConfigPath(e: Expected): string {
  return CNI_CONFIG[e.cni.kind];
}

/**
 * What the API server answered per path: the decoded JSON body, or null when it answered
 * 404 (an object that does not exist is a finding, not an error).
 */
export type Answers = ReadonlyMap<string, unknown>;
