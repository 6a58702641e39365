// The starter spec `picc init` writes: a commented cluster.yaml that compiles as it is, with
// the modeline that gives editors picc's JSON Schema (completion, help on hover, errors as
// you type). One control plane and N-1 workers on a /24 home LAN; every value here is
// picc's own, so the text needs no quoting beyond what is written.

import { OS_PROFILES } from '../plan/os-profiles.js';
import { compareVersions, knownVersions } from '../plan/catalog.js';
import type { OsId } from '../cluster-spec/types.js';

export const STARTER_OS_IDS = Object.keys(OS_PROFILES) as OsId[];
/** Addresses .10 upwards on the LAN: .1 is the router, the top of the range stays free. */
export const STARTER_MAX_NODES = 240;
const FIRST_HOST = 10;

export interface StarterOptions {
  nodes: number;
  os: OsId;
  /** What the modeline points at: a path relative to the spec, an absolute path or a URL. */
  schemaRef: string;
  /** The spec's file name, for the commands in its comments ([A-Za-z0-9._-] only: it lands in YAML comments). */
  file: string;
}

/** The newest Kubernetes release whose binaries the catalog pins: both install methods work with it. */
export function starterKubernetesVersion(): string {
  return knownVersions('kubeadm').sort(compareVersions).at(-1)!;
}

export function starterSpec(o: StarterOptions): string {
  if (!/^[A-Za-z0-9._-]+$/.test(o.file) || /[\s]/.test(o.schemaRef)) throw new Error(`starterSpec: unsafe file name or schema reference: ${o.file} ${o.schemaRef}`);
  const os = OS_PROFILES[o.os];
  const nodes = Array.from({ length: o.nodes }, (_, i) =>
    i === 0
      ? `    - name: cp-1\n      role: control-plane\n      address: 192.168.1.${FIRST_HOST}`
      : `    - name: worker-${i}\n      address: 192.168.1.${FIRST_HOST + i}`,
  );
  const single = o.nodes === 1
    ? `  # With one node, it is the control plane, and kubeadm keeps ordinary pods off it. To run
  # them there, once it is up: kubectl taint nodes cp-1 node-role.kubernetes.io/control-plane-
`
    : '';
  return `# yaml-language-server: $schema=${o.schemaRef}
# A Kubernetes cluster on Raspberry Pi boards, written by \`picc init\`. It compiles as it is;
# change the addresses, the user and the SSH key to yours first.
#
#   picc plan ${o.file}        # what each board will do, without writing anything
#   picc compile ${o.file}     # -> out/homelab/<node>/{setup.sh,user-data,meta-data,network-config}
#
# The first compile creates ${o.file.replace(/\.ya?ml$/i, '')}.secrets.yaml beside this file: the cluster's CA, keys
# and join token (mode 0600). Keep it private and back it up; without it the cluster cannot grow.
apiVersion: picc/v1alpha1
kind: Cluster
metadata:
  name: homelab                     # output goes to out/homelab/; lowercase letters, digits, '-'

spec:
  kubernetes:
    version: ${starterKubernetesVersion()}                 # x.y.z; picc plan shows what each board downloads
    cni: flannel                    # flannel (default) | calico | cilium
    # podSubnet: 10.244.0.0/16      # pod addresses; must not overlap the LAN
    # install: binaries             # kubeadm/kubelet/kubectl from dl.k8s.io instead of pkgs.k8s.io

  network:                          # the LAN the boards live on
    subnet: 192.168.1.0/24
    gateway: 192.168.1.1            # your router
    dns: [192.168.1.1]              # never 127.x: CoreDNS would forward to itself

  nodeDefaults:                     # every node gets these unless it says otherwise
    os: ${o.os.padEnd(27)} # ${os.prettyName}; one of ${STARTER_OS_IDS.join(' | ')}
    arch: arm64                     # arm64 (every Pi from the 3 on) | amd64
    interface: eth0                 # wired; Wi-Fi: interface: wlan0, wifi: {ssid: <name>, country: <2 letters>}

  access:
    user: pi                        # the admin login on every board
    sshAuthorizedKeys:              # replace with your own public key(s): cat ~/.ssh/id_ed25519.pub
      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA0e4wXw3bQKs9Yq2m3v1kNq5yQpZ4f7h8J2c6dT1rUx you@laptop

${single}  nodes:                            # the first control plane runs kubeadm init; workers join it
${nodes.join('\n')}
`;
}
