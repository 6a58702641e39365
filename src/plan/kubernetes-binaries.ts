// Plan for `spec.kubernetes.install: binaries`: kubeadm, kubelet and kubectl from dl.k8s.io
// at the cluster's version and crictl from cri-tools' release, each pinned by sha256 (the
// catalog's, or the spec's), installed under /usr/local/bin; the kubelet unit and
// kubeadm's drop-in written as pkgs.k8s.io's packages install them, with that path.

import type { Arch, ComponentSpec } from '../cluster-spec/types.js';
import { KUBERNETES_BINARIES, crictlFor, type KubernetesBinary } from './catalog.js';
import { download } from './runtime.js';
import type { Download, FileSpec, NodePlan } from './types.js';

const BIN_DIR = '/usr/local/bin';
/** Beside containerd's unit: systemd's search path for units installed by hand. */
const UNIT_DIR = '/usr/local/lib/systemd/system';

export type BinaryComponents = Partial<Record<KubernetesBinary | 'crictl', ComponentSpec>>;

export function kubernetesBinariesPlan(version: string, components: BinaryComponents, arch: Arch, mirror: string | null): NonNullable<NodePlan['kubernetesBinaries']> {
  // The check stage refuses a pin at another version, so the spec's entry only adds digests.
  const binaries = KUBERNETES_BINARIES.map((name) => installed(download(name, components[name], version, arch, mirror)));
  return {
    version,
    binaries,
    crictl: { download: download('crictl', components.crictl, crictlFor(version), arch, mirror), member: 'crictl', path: `${BIN_DIR}/crictl` },
    unit: kubeletUnit(),
    dropIn: kubeadmDropIn(),
    // What the kubelet package creates: kubeadm writes static pod manifests and the
    // kubelet's configuration into them.
    dirs: ['/etc/kubernetes/manifests', '/var/lib/kubelet'],
  };
}

function installed(d: Download): { download: Download; path: string; restartsKubelet: boolean } {
  return { download: d, path: `${BIN_DIR}/${d.name}`, restartsKubelet: d.name === 'kubelet' };
}

// kubernetes/release cmd/krel/templates/latest/kubelet/kubelet.service, ExecStart moved.
function kubeletUnit(): FileSpec {
  const content = `# kubelet, installed from dl.k8s.io by picc (as the kubelet package's unit)
[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=${BIN_DIR}/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;
  return { path: `${UNIT_DIR}/kubelet.service`, mode: '0644', content };
}

// kubernetes/release cmd/krel/templates/latest/kubeadm/10-kubeadm.conf as the deb installs
// it (/etc/default/kubelet for the extra arguments), ExecStart moved. Until kubeadm init
// or join writes the kubelet's configuration, the kubelet restarts every 10 s, as with
// the packages.
function kubeadmDropIn(): FileSpec {
  const content = `# kubeadm's drop-in for the kubelet, installed by picc (as the kubeadm package's)
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# Written by kubeadm init and join: KUBELET_KUBEADM_ARGS.
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# Overrides of the last resort (KUBELET_EXTRA_ARGS); kubeadm's kubeletExtraArgs are preferred.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=${BIN_DIR}/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;
  return { path: `${UNIT_DIR}/kubelet.service.d/10-kubeadm.conf`, mode: '0644', content };
}
