// Plan for reset.sh: what setup.sh leaves on a node, derived from the rest of the node's
// plan, and how reset recognises each piece as picc's. Reset removes a file only with its
// proof (a header line picc writes, or the exact sha256 of what picc wrote); everything
// else it leaves, and says so.

import { createHash } from 'node:crypto';
import type { CniName } from '../cluster-spec/types.js';
import type { Download, FileSpec, NodePlan } from './types.js';

/** How reset knows a file is picc's: its first lines hold `marker`, or its content hashes to `sha256`. */
export type Proof = { marker: string; sha256: null } | { marker: null; sha256: string };

export interface OwnedFile {
  path: string;
  proof: Proof;
  /** A systemd unit to reload or restart once the file is gone (sshd's policy, the NTP servers), or null. */
  reload: string | null;
}

/** A release archive setup unpacked into dir: its members (only `members` when given) are removed where they are still its bytes. */
export interface UnpackedArchive {
  /** The download's name: setup records what it unpacked under STATE_DIR/installed/<name>. */
  name: string;
  archive: string;
  dir: string;
  members: string[];
}

export interface ResetPlan {
  criSocket: string;
  /** Files kubeadm leaves when it has run here: `kubeadm reset` runs only when one exists. */
  kubeadmTraces: string[];
  /** Services setup enabled or started: stopped and disabled (the packages stay). */
  services: string[];
  /** The pod network's files and interfaces on this node (the CNI runs on every node). */
  cni: {
    interfaces: string[];
    /** Configuration the CNI wrote into /etc/cni/net.d, recognised by a word in it. */
    configFiles: { path: string; contains: string }[];
    /** The CNI's state folders (IP allocations, subnet leases), removed whole. */
    stateDirs: string[];
  };
  /** The admin kubeconfig setup copied for the user (control planes): removed while it is still admin.conf's copy. */
  userKubeconfig: { user: string; source: string; file: string } | null;
  files: OwnedFile[];
  unpacked: UnpackedArchive[];
  /** Files setup moved aside (cloud-init's netplan file): put back where they were, unless something is there now. */
  restore: { from: string; to: string }[];
  /** Shared files holding picc's marked block: the block goes, the rest stays. */
  blocks: string[];
  /** After picc's /etc/hosts block goes, the board's own name still resolves (sudo warns otherwise). */
  hostsLoopbackLine: string;
  /** picc's tokens in cmdline.txt (the first of these files that exists); the rest of the line is kept as it is. */
  cmdline: { files: string[]; tokens: string[] };
  /** /etc/fstab swap lines setup commented out (this prefix): restored. null where setup leaves fstab alone. */
  fstab: { path: string; disabledPrefix: string } | null;
  /** kubeadm, kubelet and kubectl held by setup: released (the packages stay installed). */
  unhold: string[];
  /** The Kubernetes apt repository's key (install: packages), removed when it is that key alone. */
  keyring: { path: string; fingerprint: string } | null;
  /** Folders picc created, removed when empty, in this order (deepest first). */
  emptyDirs: string[];
  /** picc's own folders (state, downloads): removed whole, last. */
  ownDirs: string[];
  /** Files of setup's that hold no proof of their own but are picc's by name (setup's log). */
  ownPaths: string[];
  /** setup.sh's lock: reset holds it while it runs (never beside a running setup), then removes it. */
  lock: string;
}

/** Where setup.sh keeps its lock (templates/lib/core.sh). */
export const SETUP_LOCK = '/run/picc-setup.lock';
/** The prefix setup's fstab step puts before a swap line (templates/phases/swap/fstab.sh.njk). */
export const FSTAB_DISABLED_PREFIX = '# disabled by picc (the kubelet runs without swap): ';

/**
 * What each CNI leaves on every node it runs on (its DaemonSet's install step and its agent),
 * from the manifests picc applies: flannel's install-cni copies 10-flannel.conflist and the
 * agent keeps /run/flannel/subnet.env and the cni0 bridge and flannel.1 VXLAN device;
 * calico-node writes 10-calico.conflist and calico-kubeconfig and the vxlan.calico devices;
 * cilium's agent writes 05-cilium.conflist and its cilium_* devices.
 */
const CNI_NODE_STATE: Record<Exclude<CniName, 'weave'>, ResetPlan['cni']> = {
  flannel: {
    interfaces: ['flannel.1', 'cni0'],
    configFiles: [{ path: '/etc/cni/net.d/10-flannel.conflist', contains: 'flannel' }],
    stateDirs: ['/run/flannel'],
  },
  calico: {
    interfaces: ['vxlan.calico', 'vxlan-v6.calico'],
    configFiles: [
      { path: '/etc/cni/net.d/10-calico.conflist', contains: 'calico' },
      { path: '/etc/cni/net.d/calico-kubeconfig', contains: 'alico' },
    ],
    stateDirs: ['/var/lib/calico', '/var/run/calico'],
  },
  cilium: {
    interfaces: ['cilium_vxlan', 'cilium_host', 'cilium_net'],
    configFiles: [{ path: '/etc/cni/net.d/05-cilium.conflist', contains: 'cilium' }],
    stateDirs: ['/var/run/cilium'],
  },
};

/** picc's configuration folder (kubeadm's configuration and patches, the CNI's manifests). */
const PICC_CONFIG_DIR = '/etc/picc';

/** IP allocations of the CNI plugins (host-local), whichever CNI calls them. */
const CNI_PLUGIN_STATE = '/var/lib/cni';

/** What kubeadm init or join leaves: the kubelet's kubeconfig, and a control plane's static pods. */
const KUBEADM_TRACES = ['/etc/kubernetes/kubelet.conf', '/etc/kubernetes/admin.conf', '/var/lib/kubelet/config.yaml'];

export function resetPlan(node: Omit<NodePlan, 'reset'>, cni: Exclude<CniName, 'weave'>): ResetPlan {
  const cniState = CNI_NODE_STATE[cni];
  const bins = node.kubernetesBinaries;
  const pkgs = node.kubernetesPackages;
  const files = ownedFiles(node);
  return {
    criSocket: node.runtime.criSocket,
    kubeadmTraces: [...KUBEADM_TRACES, ...node.kubeadm.staticPods],
    services: [node.state.unitName, 'kubelet', 'containerd'],
    cni: { ...cniState, stateDirs: [...cniState.stateDirs, CNI_PLUGIN_STATE] },
    userKubeconfig: node.access.kubeconfig ? { user: node.access.user, source: '/etc/kubernetes/admin.conf', file: '.kube/config' } : null,
    files,
    unpacked: unpackedArchives(node),
    restore: node.network.netplan
      ? [{ from: `${node.network.netplan.retiredDir}/${basename(node.network.netplan.cloudInitFile)}`, to: node.network.netplan.cloudInitFile }]
      : [],
    blocks: ['/etc/hosts', ...node.network.blocks.map((b) => b.path), '/boot/firmware/config.txt', '/boot/config.txt'],
    hostsLoopbackLine: `127.0.1.1 ${node.hosts.hostname}`,
    cmdline: { files: ['/boot/firmware/cmdline.txt', '/boot/cmdline.txt'], tokens: [...node.kernelArgs] },
    fstab: node.swap.mechanism === 'fstab' ? { path: '/etc/fstab', disabledPrefix: FSTAB_DISABLED_PREFIX } : null,
    unhold: pkgs ? [...pkgs.names] : [],
    keyring: pkgs ? { path: pkgs.keyring, fingerprint: pkgs.keyFingerprint } : null,
    emptyDirs: [
      ...(bins ? ['/usr/local/lib/systemd/system/kubelet.service.d'] : []),
      ...foldersUnder(PICC_CONFIG_DIR, files.map((f) => f.path)), '/etc/containerd', '/etc/cni/net.d', '/etc/cni', '/opt/cni/bin', '/opt/cni',
      '/etc/kubernetes/pki/etcd', '/etc/kubernetes/pki', '/etc/kubernetes/manifests', '/etc/kubernetes',
      ...(bins ? bins.dirs.filter((d) => !d.startsWith('/etc/kubernetes')) : []),
      '/usr/local/lib/systemd/system',
    ],
    // The downloads live in picc's own cache folder (/var/cache/picc).
    ownDirs: [node.state.dir, parentOf(node.runtime.downloadDir)],
    ownPaths: [node.state.log],
    lock: SETUP_LOCK,
  };
}

/** Every whole file setup writes, with its proof; binaries installed as downloaded carry the download's digest. */
function ownedFiles(node: Omit<NodePlan, 'reset'>): OwnedFile[] {
  const specs: [FileSpec, string | null][] = [];
  const add = (f: FileSpec | null | undefined, reload: string | null = null) => {
    if (f) specs.push([f, reload]);
  };
  add(node.preflight.ntp, 'systemd-timesyncd');
  node.network.files.forEach((f) => add(f));
  add(node.network.unmanaged);
  add(node.network.netplan?.file);
  add(node.network.netplan?.cloudInitOff);
  add(node.modules.file);
  add(node.sysctl.file);
  node.swap.files.forEach((f) => add(f));
  add(node.kubernetesPackages?.sourceList);
  add(node.kubernetesBinaries?.unit);
  add(node.kubernetesBinaries?.dropIn);
  add(node.runtime.unit);
  add(node.runtime.configTemplate);
  add(node.runtime.crictl);
  node.pki.forEach((f) => add(f));
  add(node.kubeadm.caFile);
  node.kubeadm.patches.forEach((f) => add(f));
  add(node.kubeadm.configFile);
  add(node.kubeVip?.steady);
  if (node.cni?.kind === 'flannel') add(node.cni.manifest);
  if (node.cni?.kind === 'calico') add(node.cni.resources);
  add(node.access.sshdDropIn, 'ssh');
  add(node.state.unit);

  const files: OwnedFile[] = specs.map(([f, reload]) => ({ path: f.path, proof: proofOf(f.content), reload }));
  for (const b of node.kubernetesBinaries?.binaries ?? []) files.push(downloaded(b.path, b.download));
  files.push(downloaded('/usr/local/sbin/runc', node.runtime.runc));
  // The copy of setup.sh that the setup unit runs: its banner names picc.
  files.push({ path: node.state.installPath, proof: { marker: '# Generated by picc ', sha256: null }, reload: null });
  // Setup's status on the boot partition (a card pulled from the board shows it).
  files.push({ path: node.boot.setupStatus, proof: { marker: `picc setup of ${node.name}: `, sha256: null }, reload: null });
  return unique(files);
}

/** Archives setup unpacks: containerd into /usr/local, the CNI plugins, crictl and cilium's CLI. */
function unpackedArchives(node: Omit<NodePlan, 'reset'>): UnpackedArchive[] {
  const dir = node.runtime.downloadDir;
  const archives: UnpackedArchive[] = [
    { name: node.runtime.containerd.name, archive: `${dir}/${node.runtime.containerd.file}`, dir: '/usr/local', members: [] },
    { name: node.runtime.cniPlugins.name, archive: `${dir}/${node.runtime.cniPlugins.file}`, dir: '/opt/cni/bin', members: [] },
  ];
  const bins = node.kubernetesBinaries;
  if (bins) archives.push({ name: bins.crictl.download.name, archive: `${dir}/${bins.crictl.download.file}`, dir: parentOf(bins.crictl.path), members: [bins.crictl.member] });
  if (node.cni?.kind === 'cilium') archives.push({ name: node.cni.cli.name, archive: `${dir}/${node.cni.cli.file}`, dir: '/usr/local/bin', members: [] });
  return archives;
}

/** A header line that names picc proves the file; a file without one (a certificate, crictl.yaml) is proved by its digest. */
function proofOf(content: string): Proof {
  const first = content.slice(0, content.indexOf('\n') === -1 ? content.length : content.indexOf('\n'));
  return first.startsWith('#') && first.includes('picc') ? { marker: first, sha256: null } : { marker: null, sha256: sha256(content) };
}

function downloaded(path: string, d: Download): OwnedFile {
  return { path, proof: { marker: null, sha256: d.sha256 }, reload: null };
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** One entry per path (kube-vip's two manifests share one): the first wins. */
function unique(files: OwnedFile[]): OwnedFile[] {
  const seen = new Set<string>();
  return files.filter((f) => !seen.has(f.path) && (seen.add(f.path), true));
}

/** dir and every folder between it and the given paths, deepest first: rmdir order. */
function foldersUnder(dir: string, paths: string[]): string[] {
  const folders = new Set<string>([dir]);
  for (const p of paths.filter((p) => p.startsWith(`${dir}/`))) {
    for (let d = parentOf(p); d.startsWith(`${dir}/`); d = parentOf(d)) folders.add(d);
  }
  return [...folders].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}
