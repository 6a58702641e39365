// Types of a spec that passed schema validation (mirrors schema/cluster.schema.json).
// Optional fields stay optional here; the plan stage applies every default.

export type OsId = 'raspios-bullseye' | 'raspios-bookworm' | 'raspios-trixie' | 'ubuntu-22.04' | 'ubuntu-24.04';
export type Arch = 'arm64' | 'amd64';
export type Role = 'control-plane' | 'worker';
export type CniName = 'flannel' | 'calico' | 'cilium' | 'weave';
/** How kubeadm, kubelet and kubectl reach a node: pkgs.k8s.io's apt packages or dl.k8s.io's binaries. */
export type InstallMethod = 'packages' | 'binaries';

export interface WifiSpec {
  ssid: string;
  country: string;
}

export interface TaintSpec {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeSettings {
  os?: OsId;
  arch?: Arch;
  interface?: string;
  wifi?: WifiSpec;
  labels?: Record<string, string>;
  taints?: TaintSpec[];
  kernelPageSize?: KernelPageSize;
}

/** Raspberry Pi 5's kernel: kernel8.img (4 KiB pages) or the firmware's default kernel_2712.img (16 KiB). */
export type KernelPageSize = '4k' | '16k';

export interface NodeSpec extends NodeSettings {
  name: string;
  role?: Role;
  address: string;
}

/** A catalog version, or any version with the digests of the operator's two manifests. */
export type CalicoSpec = string | { version: string; sha256: { operatorCrds: string; tigeraOperator: string } };

export type ComponentSpec = string | { version: string; sha256?: Partial<Record<Arch, string>> };

export interface ClusterSpec {
  apiVersion: 'picc/v1alpha1';
  kind: 'Cluster';
  metadata: { name: string };
  spec: {
    kubernetes: {
      version: string;
      podSubnet?: string;
      serviceSubnet?: string;
      dnsDomain?: string;
      controlPlaneEndpoint?: string;
      cni?: CniName;
      install?: InstallMethod;
      bootstrapTokenTTL?: string;
      packageSigningKey?: string;
      ciliumOnRaspberryPiOS?: boolean;
    };
    network: { subnet: string; gateway: string; dns: string[]; ntp?: string[] };
    nodeDefaults?: NodeSettings;
    access?: { user?: string; sshAuthorizedKeys?: string[]; permitRootLogin?: 'no' | 'prohibit-password' | 'yes' };
    components?: {
      containerd?: ComponentSpec;
      runc?: ComponentSpec;
      cniPlugins?: ComponentSpec;
      ciliumCli?: ComponentSpec;
      calico?: CalicoSpec;
      kubeadm?: ComponentSpec;
      kubelet?: ComponentSpec;
      kubectl?: ComponentSpec;
      crictl?: ComponentSpec;
    };
    mirror?: string;
    nodes: NodeSpec[];
  };
}
