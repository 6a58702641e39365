// The plan (IR): the fully defaulted, fully derived description of every node's setup.
// Templates only format it: if a template needs a decision, a field is missing here.
// No optional fields: absence is spelt null or an empty list.

import type { Arch, CniName, Role, TaintSpec } from '../cluster-spec/types.js';
import type { BootPlan } from './boot.js';
import type { OsProfile } from './os-profiles.js';
import type { CalicoPlan } from './cni/calico.js';
import type { UpgradePlan } from './upgrade.js';
import type { ResetPlan } from './reset.js';

/** A file the node must have, exactly: content and mode. */
export interface FileSpec {
  path: string;
  mode: string;
  content: string;
}

/** A download verified by sha256 before use, kept under the download directory. */
export interface Download {
  name: string;
  version: string;
  url: string;
  sha256: string;
  file: string;
}

export interface ClusterPlan {
  name: string;
  kubernetes: {
    version: string;
    minor: string;
    podSubnet: string;
    serviceSubnet: string;
    dnsDomain: string;
    endpoint: string;
    endpointHost: string;
    endpointPort: number;
    cni: Exclude<CniName, 'weave'>;
    highAvailability: boolean;
    /** kubeadm's discovery hash of the cluster CA (sha256 over its public key). */
    caCertHash: string;
    /** The version the cluster runs before this compile's upgrade, or null: no upgrade. */
    upgradeFrom: string | null;
  };
  /** spec.mirror: every upstream download goes through MIRROR/HOST/PATH; null fetches upstream. */
  mirror: string | null;
  network: { subnet: string; prefix: number; gateway: string; dns: string[] };
  access: { user: string; sshAuthorizedKeys: string[]; permitRootLogin: 'no' | 'prohibit-password' | 'yes' };
  /** Every node, sorted by name (output order never depends on spec order). */
  nodes: NodePlan[];
  /** What the laptop's admin.kubeconfig holds: https://endpoint, CA, admin client certificate. */
  adminKubeconfig: { server: string; caCert: string; clientCert: string; clientKey: string };
}

export type JoinKind = 'init' | 'join-control-plane' | 'join-worker';

export interface NodePlan {
  name: string;
  role: Role;
  joinKind: JoinKind;
  address: string;
  prefix: number;
  arch: Arch;
  interface: string;
  os: OsProfile;
  /** Wi-Fi with its passphrase from the secrets file; null on wired nodes. */
  wifi: { ssid: string; country: string; passphrase: string } | null;
  labels: Record<string, string>;
  taints: TaintSpec[];

  /** The phases of setup.sh in order; each is templates/phases/<id>.sh.njk defining fn. */
  phases: { id: string; title: string; fn: string; network: boolean }[];
  preflight: {
    /** `uname -m` the board must report. */
    machine: string;
    /** Files whose absence earns a warning (Raspberry Pi OS's /etc/rpi-issue). */
    vendorMarkers: string[];
    minFreeMiB: number;
    /** Control planes warn when the disk is too slow for etcd. */
    checkFsync: boolean;
    timeSyncTimeoutSeconds: number;
    /** systemd-timesyncd drop-in naming the spec's NTP servers; null keeps the image's. */
    ntp: FileSpec | null;
  };
  /** hostname, and picc's block in /etc/hosts (127.0.1.1 line and every node). */
  hosts: { hostname: string; block: string };
  network: {
    stack: OsProfile['network'];
    /** Whole files picc owns (NetworkManager keyfile, netplan YAML). */
    files: FileSpec[];
    /** A marked block inside a file picc shares with the system (dhcpcd.conf). */
    blocks: { path: string; content: string }[];
    addressCidr: string;
    wifiCountry: string | null;
    /** Raspberry Pi OS keeps Wi-Fi soft-blocked until a country is set: unblock it. */
    unblockWifi: boolean;
    /** NetworkManager configuration that leaves the CNI's interfaces alone (calico), or null. */
    unmanaged: FileSpec | null;
    /** netplan (Ubuntu): picc's file, checked with every other netplan file before it is written. */
    netplan: {
      file: FileSpec;
      /** cloud-init's rendering of the seed's network-config, and how to recognise it. */
      cloudInitFile: string;
      cloudInitHeader: string;
      /** netplan's complaint that setup settles by retiring cloud-init's file (and no other). */
      duplicateApError: string;
      /** Where setup keeps cloud-init's file when netplan refuses it beside picc's. */
      retiredDir: string;
      /** Tells cloud-init not to render the network again once its file is retired. */
      cloudInitOff: FileSpec;
    } | null;
  };
  packages: { required: string[]; optional: string[] };
  modules: { file: FileSpec; now: string[]; cni: string[] };
  /** The file, and "key value" lines the running kernel must show afterwards. */
  sysctl: { file: FileSpec; expected: string };
  kernelArgs: string[];
  /** The Raspberry Pi 5 kernel the spec asks for (its block in config.txt, its page size), or null: config.txt untouched. */
  kernelPageSize: { size: '4k' | '16k'; bytes: number; configTxtBlock: string } | null;
  /** How the node is reached from its SD card: the cloud-init seed or picc's first-boot script. */
  boot: BootPlan;
  swap: { mechanism: OsProfile['swap']; files: FileSpec[] };
  /** kubeadm, kubelet and kubectl from pkgs.k8s.io (install: packages); null with binaries. */
  kubernetesPackages: {
    keyUrl: string;
    keyFingerprint: string;
    keyring: string;
    sourceList: FileSpec;
    version: string;
    names: string[];
  } | null;
  /** kubeadm, kubelet, kubectl and crictl from release binaries (install: binaries); null with packages. */
  kubernetesBinaries: {
    version: string;
    /** Each installed as the file at path (mode 0755). */
    /** restartsKubelet: a new copy must reach a kubelet that already runs (the kubelet binary itself). */
    binaries: { download: Download; path: string; restartsKubelet: boolean }[];
    /** A release tarball: its member is installed at path. */
    crictl: { download: Download; member: string; path: string };
    /** The kubelet's unit and kubeadm's drop-in for it, as the packages install them. */
    unit: FileSpec;
    dropIn: FileSpec;
    /** Directories the kubelet package would create. */
    dirs: string[];
  } | null;
  runtime: {
    downloadDir: string;
    containerd: Download;
    runc: Download;
    cniPlugins: Download;
    unit: FileSpec;
    /** config.toml with @PAUSE_IMAGE@ where kubeadm's pause image goes (asked on the node). */
    configTemplate: FileSpec;
    configVersion: 2 | 3;
    crictl: FileSpec;
    criSocket: string;
  };
  kubeadm: {
    configFile: FileSpec;
    /** Cluster CA certificate (public) for probing the API endpoint before joining. */
    caFile: FileSpec;
    /** kubeadm's patches for this node (the kubelet's resolv.conf), in the folder the config names. */
    patches: FileSpec[];
    endpointUrl: string;
    /** A joining control plane waits for the one before it (name order); null for other nodes. */
    previousControlPlane: { name: string; readyUrl: string } | null;
    /** The static pod manifests a finished control-plane join leaves. */
    staticPods: string[];
    waitTimeoutSeconds: number;
    /** How long the compile-time bootstrap token lives after kubeadm init, as kubeadm writes it. */
    tokenTTL: string;
  };
  /** Shared CA and key files placed before kubeadm (control planes only). */
  pki: FileSpec[];
  kubeVip: { duringInit: FileSpec; steady: FileSpec } | null;
  cni: CniPlan | null;
  access: {
    user: string;
    sshAuthorizedKeys: string[];
    sshdDropIn: FileSpec;
    /** Does this node have admin.conf to give the user (control planes)? */
    kubeconfig: boolean;
  };
  state: { dir: string; log: string; installPath: string; unit: FileSpec; unitName: string };
  /** upgrade.sh: from the version the cluster runs to kubernetes.version; null when there is no upgrade. */
  upgrade: UpgradePlan | null;
  /** What reset.sh undoes, derived from everything above. */
  reset: ResetPlan;
}

export type CniPlan =
  | { kind: 'flannel'; manifest: FileSpec }
  | CalicoPlan
  | { kind: 'cilium'; cli: Download; installArgs: string[] };
