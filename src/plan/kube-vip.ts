// kube-vip static pod holding the control-plane virtual IP by ARP (HA clusters only).
// During `kubeadm init` admin.conf has no RBAC binding yet, so the first control plane
// starts kube-vip with super-admin.conf and switches to admin.conf right after init
// (kubeadm docs/ha-considerations.md).

import { IMAGES, imageString } from './images.js';

export function kubeVipPod(vip: string, port: number, iface: string, kubeconfig: 'admin.conf' | 'super-admin.conf'): Record<string, unknown> {
  const env: [string, string][] = [
    ['vip_arp', 'true'],
    ['port', String(port)],
    ['vip_interface', iface],
    ['vip_cidr', '32'],
    ['cp_enable', 'true'],
    ['cp_namespace', 'kube-system'],
    ['vip_leaderelection', 'true'],
    ['vip_leasename', 'plndr-cp-lock'],
    ['vip_leaseduration', '5'],
    ['vip_renewdeadline', '3'],
    ['vip_retryperiod', '1'],
    ['address', vip],
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kube-vip', namespace: 'kube-system' },
    spec: {
      containers: [{
        name: 'kube-vip',
        image: imageString(IMAGES.kubeVip),
        imagePullPolicy: 'IfNotPresent',
        args: ['manager'],
        env: env.map(([name, value]) => ({ name, value })),
        securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
        volumeMounts: [{ mountPath: '/etc/kubernetes/admin.conf', name: 'kubeconfig' }],
      }],
      hostAliases: [{ hostnames: ['kubernetes'], ip: '127.0.0.1' }],
      hostNetwork: true,
      volumes: [{ name: 'kubeconfig', hostPath: { path: `/etc/kubernetes/${kubeconfig}`, type: 'FileOrCreate' } }],
    },
  };
}
