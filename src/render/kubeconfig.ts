// admin.kubeconfig for the user's laptop: the cluster endpoint, the CA and the admin
// client certificate (group kubeadm:cluster-admins), all embedded.

import type { ClusterPlan } from '../plan/types.js';
import { toYaml } from '../text/yaml.js';

const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

export function adminKubeconfig(cluster: ClusterPlan): string {
  const user = `${cluster.name}-admin`;
  const context = `${user}@${cluster.name}`;
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster.name, cluster: { server: cluster.adminKubeconfig.server, 'certificate-authority-data': b64(cluster.adminKubeconfig.caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(cluster.adminKubeconfig.clientCert), 'client-key-data': b64(cluster.adminKubeconfig.clientKey) } }],
    contexts: [{ name: context, context: { cluster: cluster.name, user } }],
    'current-context': context,
    preferences: {},
  });
}
