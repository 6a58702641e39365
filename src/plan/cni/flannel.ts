// flannel's Kubernetes objects, built by picc with its pinned images (images.ts) and the
// cluster's podSubnet as flannel's network (flannel needs them to match: domain-facts §7).
// Shape follows flannel's own kube-flannel.yml (namespace kube-flannel, vxlan backend).

import { IMAGES, imageString } from '../images.js';

type Obj = Record<string, unknown>;
const NS = 'kube-flannel';
const labels = { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' };

/** How the images are pinned, for the manifest's header: a reader should not assume a digest. */
export function flannelImages(): string {
  return [IMAGES.flannel, IMAGES.flannelCniPlugin].map((i) => `${i.repository.split('/').pop()} ${i.tag}${i.digest ? ' by digest' : ' by tag'}`).join(', ');
}

export function flannelObjects(podSubnet: string): Obj[] {
  return [namespace(), serviceAccount(), clusterRole(), clusterRoleBinding(), configMap(podSubnet), daemonSet()];
}

function namespace(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NS, labels: { 'k8s-app': 'flannel', 'pod-security.kubernetes.io/enforce': 'privileged' } },
  };
}

function serviceAccount(): Obj {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'flannel', namespace: NS, labels: { 'k8s-app': 'flannel' } } };
}

function clusterRole(): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'flannel', labels: { 'k8s-app': 'flannel' } },
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] },
    ],
  };
}

function clusterRoleBinding(): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'flannel', labels: { 'k8s-app': 'flannel' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'flannel' },
    subjects: [{ kind: 'ServiceAccount', name: 'flannel', namespace: NS }],
  };
}

function configMap(podSubnet: string): Obj {
  const cniConf = {
    name: 'cbr0',
    cniVersion: '0.3.1',
    plugins: [
      { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  const netConf = { Network: podSubnet, EnableNFTables: false, Backend: { Type: 'vxlan' } };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-flannel-cfg', namespace: NS, labels },
    data: { 'cni-conf.json': JSON.stringify(cniConf, null, 2) + '\n', 'net-conf.json': JSON.stringify(netConf, null, 2) + '\n' },
  };
}

function daemonSet(): Obj {
  const flannel = imageString(IMAGES.flannel);
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kube-flannel-ds', namespace: NS, labels },
    spec: {
      selector: { matchLabels: { app: 'flannel' } },
      template: {
        metadata: { labels },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }],
              },
            },
          },
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
          serviceAccountName: 'flannel',
          initContainers: [
            {
              name: 'install-cni-plugin',
              image: imageString(IMAGES.flannelCniPlugin),
              command: ['cp'],
              args: ['-f', '/flannel', '/opt/cni/bin/flannel'],
              volumeMounts: [{ name: 'cni-plugin', mountPath: '/opt/cni/bin' }],
            },
            {
              name: 'install-cni',
              image: flannel,
              command: ['cp'],
              args: ['-f', '/etc/kube-flannel/cni-conf.json', '/etc/cni/net.d/10-flannel.conflist'],
              volumeMounts: [
                { name: 'cni', mountPath: '/etc/cni/net.d' },
                { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' },
              ],
            },
          ],
          containers: [{
            name: 'kube-flannel',
            image: flannel,
            command: ['/opt/bin/flanneld'],
            args: ['--ip-masq', '--kube-subnet-mgr'],
            resources: { requests: { cpu: '100m', memory: '50Mi' } },
            securityContext: { privileged: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'EVENT_QUEUE_DEPTH', value: '5000' },
              // As v0.28.9's kube-flannel.yml sets it: do not start before the node cache is ready.
              { name: 'CONT_WHEN_CACHE_NOT_READY', value: 'false' },
            ],
            volumeMounts: [
              { name: 'run', mountPath: '/run/flannel' },
              { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' },
              { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
            ],
          }],
          volumes: [
            { name: 'run', hostPath: { path: '/run/flannel' } },
            { name: 'cni-plugin', hostPath: { path: '/opt/cni/bin' } },
            { name: 'cni', hostPath: { path: '/etc/cni/net.d' } },
            { name: 'flannel-cfg', configMap: { name: 'kube-flannel-cfg' } },
            { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
          ],
        },
      },
    },
  };
}
