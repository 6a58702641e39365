// Plan pieces for the operating-system phases: /etc/hosts, packages, kernel modules,
// sysctl, kernel command line, swap.

import type { CniName, KernelPageSize } from '../cluster-spec/types.js';
import { byKey } from '../order.js';
import { BASE_PACKAGES, type OsProfile } from './os-profiles.js';
import type { FileSpec } from './types.js';

const CNI_MODULES: Record<Exclude<CniName, 'weave'>, string[]> = {
  // flannel's default backend is vxlan
  flannel: ['vxlan'],
  // Calico: ipset-based policy, IP-in-IP and VXLAN encapsulation
  calico: ['ip_set', 'xt_set', 'xt_mark', 'xt_addrtype', 'xt_multiport', 'ipip', 'vxlan'],
  cilium: ['vxlan'],
};

/**
 * `now`: loaded before anything else (containerd's overlay snapshotter; br_netfilter for the
 * bridge sysctls). `cni`: needed only once the pod network runs, after the reboot check, so
 * one that only a newer installed kernel has (Ubuntu 22.04's linux-modules-extra-raspi
 * follows the newest kernel, not the running one) may wait for the reboot into it.
 */
export function modulesPlan(cni: Exclude<CniName, 'weave'>): { file: FileSpec; now: string[]; cni: string[] } {
  const now = ['overlay', 'br_netfilter'];
  const names = [...now, ...CNI_MODULES[cni]];
  return {
    now,
    cni: CNI_MODULES[cni],
    file: {
      path: '/etc/modules-load.d/picc-kubernetes.conf',
      mode: '0644',
      content: `# Kernel modules Kubernetes needs on this node (managed by picc)\n${names.join('\n')}\n`,
    },
  };
}

const SYSCTL: [string, string][] = [
  ['net.bridge.bridge-nf-call-iptables', '1'],
  ['net.bridge.bridge-nf-call-ip6tables', '1'],
  ['net.ipv4.ip_forward', '1'],
];

export function sysctlPlan(): { file: FileSpec; expected: string } {
  const header = '# Kubernetes networking (managed by picc); needs br_netfilter loaded first\n';
  return {
    file: {
      path: '/etc/sysctl.d/90-picc-kubernetes.conf',
      mode: '0644',
      content: header + SYSCTL.map(([k, v]) => `${k} = ${v}\n`).join(''),
    },
    expected: SYSCTL.map(([k, v]) => `${k} ${v}\n`).join(''),
  };
}

/** Every OS picc supports keeps time with systemd-timesyncd; a drop-in names the spec's servers. */
export function ntpDropIn(servers: readonly string[] | undefined): FileSpec | null {
  if (!servers || servers.length === 0) return null;
  return {
    path: '/etc/systemd/timesyncd.conf.d/90-picc-ntp.conf',
    mode: '0644',
    content: `# NTP servers from the cluster spec (managed by picc)\n[Time]\nNTP=${servers.join(' ')}\n`,
  };
}

/** Tokens to append once to cmdline.txt. */
export function kernelArgs(wifiCountry: string | null): string[] {
  // Raspberry Pi kernels disable the memory cgroup in their device tree; this re-enables it.
  const args = ['cgroup_enable=memory'];
  if (wifiCountry) args.push(`cfg80211.ieee80211_regdom=${wifiCountry}`);
  return args;
}

/**
 * A Raspberry Pi 5's kernel (spec kernelPageSize): the firmware boots kernel_2712.img, with
 * 16 KiB pages, unless config.txt names another; kernel8.img has 4 KiB pages, which
 * jemalloc- and tcmalloc-built programs assume. picc's block in config.txt is under [pi5]
 * (the Pi 5, Pi 500 and CM5): any other board boots as before. '16k' leaves only a comment
 * in the block, so a board set to 4k before goes back to the firmware's default.
 */
export function pageSizePlan(size: KernelPageSize | null): { size: KernelPageSize; bytes: number; configTxtBlock: string } | null {
  if (size === null) return null;
  return size === '4k'
    ? { size, bytes: 4096, configTxtBlock: '[pi5]\nkernel=kernel8.img\n[all]\n' }
    : { size, bytes: 16384, configTxtBlock: "# the firmware's default kernel on a Raspberry Pi 5 (16 KiB pages)\n" };
}

export function swapPlan(os: OsProfile): { mechanism: OsProfile['swap']; files: FileSpec[] } {
  const files: FileSpec[] =
    os.swap === 'rpi-swap'
      ? [{
          path: '/etc/rpi/swap.conf.d/90-picc-noswap.conf',
          mode: '0644',
          content: '# The kubelet runs without swap (managed by picc)\n[Main]\nMechanism=none\n',
        }]
      : [];
  return { mechanism: os.swap, files };
}

export function packagesPlan(os: OsProfile): { required: string[]; optional: string[] } {
  return { required: [...BASE_PACKAGES], optional: [...os.optionalPackages] };
}

/** picc's block in /etc/hosts: this node's loopback name and every node of the cluster. */
export function hostsBlock(self: string, nodes: readonly { name: string; address: string }[]): string {
  return `127.0.1.1 ${self}\n${clusterHostsLines(nodes)}`;
}

/**
 * A node's hostname and hosts block. The block is made again at each read (a getter, so
 * the plan still reads and serialises as plain data): reading scans it, and V8 keeps the
 * flat copy a scan makes with the string it made it of; a fresh string each time leaves
 * that copy to the collector instead of a thousand nodes' plans holding one each.
 */
export function hostsOf(self: string, nodes: readonly { name: string; address: string }[]): { hostname: string; block: string } {
  return {
    hostname: self,
    get block() {
      return hostsBlock(self, nodes);
    },
  };
}

// Every node's block lists the whole cluster: the lines are made once per node list (plan
// passes the same array for every node), not once per node, so a big cluster costs N, not N².
const hostsLinesOf = new WeakMap<object, string>();

function clusterHostsLines(nodes: readonly { name: string; address: string }[]): string {
  let lines = hostsLinesOf.get(nodes);
  if (lines === undefined) {
    lines = [...nodes].sort(byKey((n) => n.name)).map((n) => `${n.address} ${n.name}\n`).join('');
    hostsLinesOf.set(nodes, lines);
  }
  return lines;
}
