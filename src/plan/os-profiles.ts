// Facts about each supported operating system, in one table. Templates never branch on
// the OS: every difference between systems is a field here, and the plan copies it.
// Source: ../shared/reference/domain-facts.md §1 (pi-gen branches, cloud-init, Ubuntu images).

import type { OsId } from '../cluster-spec/types.js';

export type NetworkStack = 'dhcpcd' | 'networkmanager' | 'netplan';
export type SwapMechanism = 'dphys-swapfile' | 'rpi-swap' | 'fstab';

export interface OsProfile {
  id: OsId;
  prettyName: string;
  /** /etc/os-release ID and VERSION_ID the running system must report. */
  osReleaseId: 'debian' | 'ubuntu';
  osReleaseVersion: string;
  /** A file only Raspberry Pi OS has; its absence is a warning (x86 Debian boards are fine). */
  vendorMarker: string | null;
  network: NetworkStack;
  swap: SwapMechanism;
  /** The resolv.conf with real upstream servers, given to the kubelet (CoreDNS loop). */
  kubeletResolvConf: string;
  /** Does the image run cloud-init from the boot partition at first boot? */
  cloudInit: boolean;
  /**
   * Does a fresh image hold a first user (uid 1000) pending a rename, whose console dialog
   * (userconf-pi's userconfig.service) holds up multi-user.target until it is settled?
   */
  firstUserRename: boolean;
  /** Where the running system mounts the boot partition (cmdline.txt, config.txt). */
  bootMount: '/boot' | '/boot/firmware';
  /**
   * Packages installed when the OS's archive has them (apt-cache decides on the node):
   * Ubuntu's Pi kernel keeps vxlan in linux-modules-extra-raspi on some releases only.
   */
  optionalPackages: readonly string[];
  /**
   * Why a Raspberry Pi 5's kernel page size cannot be chosen here (spec kernelPageSize), or
   * null where it can: Raspberry Pi OS bookworm and trixie ship kernel8.img (4 KiB pages)
   * beside the Pi 5's default kernel_2712.img (16 KiB).
   */
  noPageSizeChoice: string | null;
}

// What all releases of one family share; each profile below adds only what differs.
const RASPIOS = {
  osReleaseId: 'debian',
  // Since 2022 pi-gen exports every image with `rename-user` pending (docs/first-boot-facts.md §2a).
  firstUserRename: true,
  vendorMarker: '/etc/rpi-issue',
  kubeletResolvConf: '/etc/resolv.conf',
  optionalPackages: [],
  noPageSizeChoice: null,
} as const;

const UBUNTU = {
  osReleaseId: 'ubuntu',
  firstUserRename: false,
  vendorMarker: null,
  network: 'netplan',
  swap: 'fstab',
  // systemd-resolved's stub (127.0.0.53) is in /etc/resolv.conf; this file has the real upstreams.
  kubeletResolvConf: '/run/systemd/resolve/resolv.conf',
  cloudInit: true,
  bootMount: '/boot/firmware',
  // vxlan (flannel, calico) is in the extra modules package on some Ubuntu Pi kernels.
  optionalPackages: ['linux-modules-extra-raspi'],
  noPageSizeChoice: "Ubuntu's Raspberry Pi kernels use 4 KiB pages on every board",
} as const;

export const OS_PROFILES: Readonly<Record<OsId, OsProfile>> = {
  'raspios-bullseye': {
    ...RASPIOS,
    id: 'raspios-bullseye',
    prettyName: 'Raspberry Pi OS 11 (bullseye)',
    osReleaseVersion: '11',
    noPageSizeChoice: 'Raspberry Pi OS bullseye does not support the Raspberry Pi 5',
    network: 'dhcpcd',
    swap: 'dphys-swapfile',
    cloudInit: false,
    bootMount: '/boot',
  },
  'raspios-bookworm': {
    ...RASPIOS,
    id: 'raspios-bookworm',
    prettyName: 'Raspberry Pi OS 12 (bookworm)',
    osReleaseVersion: '12',
    network: 'networkmanager',
    swap: 'dphys-swapfile',
    cloudInit: false,
    bootMount: '/boot/firmware',
  },
  'raspios-trixie': {
    ...RASPIOS,
    id: 'raspios-trixie',
    prettyName: 'Raspberry Pi OS 13 (trixie)',
    osReleaseVersion: '13',
    network: 'networkmanager',
    swap: 'rpi-swap',
    cloudInit: true,
    bootMount: '/boot/firmware',
  },
  'ubuntu-22.04': { ...UBUNTU, id: 'ubuntu-22.04', prettyName: 'Ubuntu Server 22.04 LTS', osReleaseVersion: '22.04' },
  'ubuntu-24.04': { ...UBUNTU, id: 'ubuntu-24.04', prettyName: 'Ubuntu Server 24.04 LTS', osReleaseVersion: '24.04' },
};

/** Packages every node needs before picc's own steps (kubeadm preflight tools, TLS, gpg). */
export const BASE_PACKAGES: readonly string[] = [
  'apt-transport-https',
  'ca-certificates',
  'conntrack',
  'curl',
  'ebtables',
  'ethtool',
  'gpg',
  'iproute2',
  'iptables',
  'kmod',
  'socat',
  'tar',
];
