// Stage 4 — plan: (validated spec, secrets) → ClusterPlan. Applies every default and
// computes every derived value, so templates only format. Nodes are sorted by name.

import type { ClusterSpec, InstallMethod } from '../cluster-spec/types.js';
import type { SecretsBundle } from '../secrets/types.js';
import { caCertHash } from '../secrets/hash.js';
import { formatCidr, parseCidr } from '../net/ipv4.js';
import { toYaml, toYamlDocuments } from '../text/yaml.js';
import { byKey } from '../order.js';
import { bootPlan } from './boot.js';
import { series } from './catalog.js';
import { cniPlan } from './cni/index.js';
import { DEFAULTS, resolveNodes, type ResolvedNode } from './defaults.js';
import { goDuration, kubeadmDocuments, kubeletPatch, type KubeadmInput } from './kubeadm.js';
import { kubernetesPackagesPlan } from './kubernetes-apt.js';
import { kubernetesBinariesPlan } from './kubernetes-binaries.js';
import { kubeVipPod } from './kube-vip.js';
import { networkPlan } from './network.js';
import { upgradePlan } from './upgrade.js';
import { OS_PROFILES } from './os-profiles.js';
import { resetPlan } from './reset.js';
import { CRI_SOCKET, runtimePlan } from './runtime.js';
import { hostsOf, kernelArgs, modulesPlan, ntpDropIn, packagesPlan, pageSizePlan, swapPlan, sysctlPlan } from './system.js';
import type { ClusterPlan, FileSpec, JoinKind, NodePlan } from './types.js';

/** Where a booted node keeps picc's own files. */
export const PATHS = {
  stateDir: '/var/lib/picc',
  log: '/var/log/picc-setup.log',
  installedScript: '/usr/local/sbin/picc-setup',
  configDir: '/etc/picc',
};

const SETUP_UNIT = 'picc-setup.service';

/** upgradeFrom: the version the cluster runs (checked by upgradeRefusal first), or null. */
export function plan(spec: ClusterSpec, secrets: SecretsBundle, upgradeFrom: string | null = null): ClusterPlan {
  const k = spec.spec.kubernetes;
  const lan = parseCidr(spec.spec.network.subnet);
  // Which node runs kubeadm init must not depend on the host locale: code-unit order.
  const nodes = resolveNodes(spec).sort(byKey((n) => n.name));
  const controlPlanes = nodes.filter((n) => n.role === 'control-plane');
  const first = controlPlanes[0]!;
  const endpoint = k.controlPlaneEndpoint ?? `${first.address}:${DEFAULTS.apiServerPort}`;
  const endpointHost = endpoint.slice(0, endpoint.lastIndexOf(':'));
  const endpointPort = Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
  const cni = (k.cni ?? DEFAULTS.cni) as ClusterPlan['kubernetes']['cni'];
  const access = spec.spec.access ?? {};

  const cluster: Omit<ClusterPlan, 'nodes'> = {
    name: spec.metadata.name,
    kubernetes: {
      version: k.version,
      minor: series(k.version),
      podSubnet: k.podSubnet ?? DEFAULTS.podSubnet,
      serviceSubnet: k.serviceSubnet ?? DEFAULTS.serviceSubnet,
      dnsDomain: k.dnsDomain ?? DEFAULTS.dnsDomain,
      endpoint,
      endpointHost,
      endpointPort,
      cni,
      highAvailability: controlPlanes.length > 1,
      caCertHash: caCertHash(secrets.ca.cert),
      upgradeFrom: upgradeFrom !== null && upgradeFrom !== k.version ? upgradeFrom : null,
    },
    mirror: spec.spec.mirror ?? null,
    network: { subnet: formatCidr(lan), prefix: lan.prefix, gateway: spec.spec.network.gateway, dns: [...spec.spec.network.dns] },
    access: {
      user: access.user ?? DEFAULTS.user,
      sshAuthorizedKeys: [...(access.sshAuthorizedKeys ?? [])],
      permitRootLogin: access.permitRootLogin ?? DEFAULTS.permitRootLogin,
    },
    adminKubeconfig: { server: `https://${endpoint}`, caCert: secrets.ca.cert, clientCert: secrets.admin.cert, clientKey: secrets.admin.key },
  };

  const kubeadm: KubeadmInput = {
    cluster: cluster.name,
    kubernetesVersion: k.version,
    endpoint,
    endpointHost,
    apiServerPort: DEFAULTS.apiServerPort,
    podSubnet: cluster.kubernetes.podSubnet,
    serviceSubnet: cluster.kubernetes.serviceSubnet,
    dnsDomain: cluster.kubernetes.dnsDomain,
    certSANs: unique([endpointHost, ...controlPlanes.flatMap((n) => [n.name, n.address])]),
    token: secrets.bootstrapToken,
    tokenTTL: k.bootstrapTokenTTL ?? DEFAULTS.bootstrapTokenTTL,
    caCertHash: cluster.kubernetes.caCertHash,
    criSocket: CRI_SOCKET,
    skipKubeProxy: false,
  };

  const planned = nodes.map((n) => nodePlan(spec, cluster, kubeadm, secrets, n, n === first ? 'init' : n.role === 'control-plane' ? 'join-control-plane' : 'join-worker', nodes));
  return { ...cluster, nodes: planned };
}

function nodePlan(
  spec: ClusterSpec,
  cluster: Omit<ClusterPlan, 'nodes'>,
  kubeadm: KubeadmInput,
  secrets: SecretsBundle,
  n: ResolvedNode,
  joinKind: JoinKind,
  all: ResolvedNode[],
): NodePlan {
  const os = OS_PROFILES[n.os];
  const mirror = cluster.mirror;
  const k = cluster.kubernetes;
  const isControlPlane = n.role === 'control-plane';
  const wifi = n.wifi ? { ...n.wifi, passphrase: secrets.wifi.get(n.wifi.ssid) ?? '' } : null;
  const network = networkPlan(os, {
    cluster: cluster.name, node: n.name, interface: n.interface, address: n.address, prefix: cluster.network.prefix,
    gateway: cluster.network.gateway, dns: cluster.network.dns, wifi,
  }, k.cni);
  const install = spec.spec.kubernetes.install ?? DEFAULTS.install;
  const components = spec.spec.components ?? {};
  const docs = kubeadmDocuments(kubeadm, {
    name: n.name, address: n.address, resolvConf: os.kubeletResolvConf, labels: n.labels, taints: n.taints, kind: joinKind,
  });
  const kubernetesBinaries = install === 'binaries' ? kubernetesBinariesPlan(k.version, components, n.arch, mirror) : null;
  const node: Omit<NodePlan, 'reset'> = {
    name: n.name,
    role: n.role,
    joinKind,
    address: n.address,
    prefix: cluster.network.prefix,
    arch: n.arch,
    interface: n.interface,
    os,
    wifi,
    labels: n.labels,
    taints: n.taints,
    phases: phasesFor(joinKind, install),
    preflight: {
      machine: n.arch === 'arm64' ? 'aarch64' : 'x86_64',
      vendorMarkers: os.vendorMarker ? [os.vendorMarker] : [],
      minFreeMiB: 4096,
      checkFsync: isControlPlane,
      timeSyncTimeoutSeconds: 180,
      ntp: ntpDropIn(spec.spec.network.ntp),
    },
    hosts: hostsOf(n.name, all),
    network,
    packages: packagesPlan(os),
    modules: modulesPlan(k.cni),
    sysctl: sysctlPlan(),
    kernelArgs: kernelArgs(network.wifiCountry),
    kernelPageSize: pageSizePlan(n.kernelPageSize),
    boot: bootPlan(os, kernelArgs(network.wifiCountry), cluster.access.user, cluster.access.sshAuthorizedKeys, wifi !== null),
    swap: swapPlan(os),
    kubernetesPackages: install === 'packages' ? kubernetesPackagesPlan(k.version, k.minor, mirror, spec.spec.kubernetes.packageSigningKey) : null,
    kubernetesBinaries,
    runtime: runtimePlan(components, n.arch, mirror),
    kubeadm: {
      configFile: { path: `${PATHS.configDir}/kubeadm.yaml`, mode: '0600', content: '# kubeadm configuration for this node (generated by picc)\n' + toYamlDocuments(docs) },
      caFile: { path: `${PATHS.configDir}/cluster-ca.crt`, mode: '0644', content: ensureNewline(secrets.ca.cert) },
      patches: [kubeletPatchFile(os.kubeletResolvConf)],
      endpointUrl: `https://${cluster.kubernetes.endpoint}/readyz`,
      previousControlPlane: joinKind === 'join-control-plane' ? previousControlPlane(all, n) : null,
      staticPods: STATIC_POD_MANIFESTS,
      waitTimeoutSeconds: 3600,
      tokenTTL: goDuration(kubeadm.tokenTTL),
    },
    pki: isControlPlane ? pkiFiles(secrets) : [],
    kubeVip: isControlPlane && k.highAvailability ? kubeVipFiles(k.endpointHost, k.endpointPort, n.interface) : null,
    cni: joinKind === 'init' ? cniPlan(spec, k.cni, k.podSubnet, n.arch, mirror) : null,
    access: {
      user: cluster.access.user,
      sshAuthorizedKeys: cluster.access.sshAuthorizedKeys,
      sshdDropIn: {
        // sshd keeps the first value it reads: sort before the image's own drop-ins.
        path: '/etc/ssh/sshd_config.d/01-picc.conf',
        mode: '0644',
        content: `# SSH policy from the cluster spec (managed by picc)\nPermitRootLogin ${cluster.access.permitRootLogin}\n`,
      },
      kubeconfig: isControlPlane,
    },
    state: {
      dir: PATHS.stateDir,
      log: PATHS.log,
      installPath: PATHS.installedScript,
      unit: setupUnit(),
      unitName: SETUP_UNIT,
    },
    upgrade: k.upgradeFrom !== null ? upgradePlan(k.upgradeFrom, k.version, joinKind, k.endpoint, kubernetesBinaries, PATHS.stateDir) : null,
  };
  return { ...node, reset: resetPlan(node, k.cni) };
}

/** Stands in PHASES for the phase that installs kubeadm, kubelet and kubectl by the spec's method. */
const KUBERNETES_PHASE: [id: string, title: string, network: boolean] = ['kubernetes', '', true];
const KUBERNETES_PHASE_BY_METHOD: Readonly<Record<InstallMethod, [id: string, title: string, network: boolean]>> = {
  packages: ['kubernetes-packages', 'Kubernetes packages', true],
  binaries: ['kubernetes-binaries', 'Kubernetes binaries', true],
};

/**
 * The phases in order. `network`: the phase fetches something (packages, downloads, the
 * control plane), so an unattended run retries it when it fails: on a board nobody watches,
 * a DNS, download or mirror hiccup must not end the setup.
 */
const PHASES: [id: string, title: string, network: boolean][] = [
  ['preflight', 'preflight checks', false],
  ['hostname', 'hostname and /etc/hosts', false],
  ['network', 'static network', false],
  ['packages', 'base packages', true],
  ['kernel-modules', 'kernel modules', false],
  ['sysctl', 'kernel settings (sysctl)', false],
  ['kernel-cmdline', 'kernel command line (memory cgroup)', false],
  ['swap', 'swap off', false],
  KUBERNETES_PHASE,
  ['container-runtime', 'container runtime', true],
  ['reboot-check', 'reboot if needed', false],
  ['kubeadm', 'kubeadm', true],
  ['cni', 'pod network', true],
  ['access', 'user access', false],
  ['finish', 'finish', false],
];

/** The CNI is installed once, by the node that ran kubeadm init. */
function phasesFor(joinKind: JoinKind, install: InstallMethod): NodePlan['phases'] {
  return PHASES.filter(([id]) => id !== 'cni' || joinKind === 'init')
    .map((phase) => (phase === KUBERNETES_PHASE ? KUBERNETES_PHASE_BY_METHOD[install] : phase))
    .map(([id, title, network]) => ({ id, title, fn: `phase_${id.replace(/-/g, '_')}`, network }));
}

function pkiFiles(s: SecretsBundle): FileSpec[] {
  const pair = (base: string, p: { cert: string; key: string }): FileSpec[] => [
    { path: `/etc/kubernetes/pki/${base}.crt`, mode: '0644', content: ensureNewline(p.cert) },
    { path: `/etc/kubernetes/pki/${base}.key`, mode: '0600', content: ensureNewline(p.key) },
  ];
  return [
    ...pair('ca', s.ca),
    ...pair('front-proxy-ca', s.frontProxyCa),
    ...pair('etcd/ca', s.etcdCa),
    { path: '/etc/kubernetes/pki/sa.key', mode: '0600', content: ensureNewline(s.serviceAccount.key) },
    { path: '/etc/kubernetes/pki/sa.pub', mode: '0644', content: ensureNewline(s.serviceAccount.pub) },
  ];
}

function kubeVipFiles(vip: string, port: number, iface: string): NonNullable<NodePlan['kubeVip']> {
  const file = (conf: 'admin.conf' | 'super-admin.conf'): FileSpec => ({
    path: '/etc/kubernetes/manifests/kube-vip.yaml',
    mode: '0600',
    content: `# kube-vip holds the control-plane address ${vip} (generated by picc)\n` + toYaml(kubeVipPod(vip, port, iface, conf)),
  });
  return { duringInit: file('super-admin.conf'), steady: file('admin.conf') };
}

/**
 * The unit that runs setup unattended: started by cloud-init (or enabled by first-boot.sh)
 * on the first boot, and at every boot after until setup is done, when setup removes it.
 * Type=exec, not oneshot: the boot (multi-user.target, logins, `cloud-init status --wait`)
 * must not wait for a setup that may wait an hour for the control plane.
 */
function setupUnit(): FileSpec {
  return {
    path: `/etc/systemd/system/${SETUP_UNIT}`,
    mode: '0644',
    content: `# Runs picc's node setup unattended: at the first boot and after each reboot it needs.
# Removed by setup when the node is done. The boot does not wait for it (Type=exec).
[Unit]
Description=picc node setup
Wants=network-online.target
After=network-online.target time-sync.target

[Service]
Type=exec
ExecStart=${PATHS.installedScript} --unattended
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
`,
  };
}

/**
 * Control planes join one at a time, in name order: each waits until the one before it
 * serves the API on its own address (its etcd member and static pods are up; /readyz
 * answers anyone). Two etcd members joining at once is a known cause of failed joins on
 * slow storage.
 */
function previousControlPlane(all: ResolvedNode[], n: ResolvedNode): { name: string; readyUrl: string } {
  const cps = all.filter((x) => x.role === 'control-plane');
  const before = cps[cps.indexOf(n) - 1]!;
  return { name: before.name, readyUrl: `https://${before.address}:${DEFAULTS.apiServerPort}/readyz` };
}

/** What a finished control-plane join leaves: kubelet.conf alone is written long before it ends. */
const STATIC_POD_MANIFESTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((c) => `/etc/kubernetes/manifests/${c}.yaml`);

function kubeletPatchFile(resolvConf: string): FileSpec {
  const patch = kubeletPatch({ resolvConf });
  return { path: patch.file, mode: '0644', content: '# This node\'s kubelet settings, patched into the KubeletConfiguration by kubeadm (generated by picc)\n' + toYaml(patch.doc) };
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : s + '\n';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
