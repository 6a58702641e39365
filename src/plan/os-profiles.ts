// Facts about each supported operating system, in one table. Templates never branch on
// the OS: every difference between systems is a field here, and the plan copies it.
// Source: ../shared/reference/domain-facts.md §1 (pi-gen branches, cloud-init, Ubuntu images).

import type { OsId } from '../spec/types.js';

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
   * Packages installed when the OS's archive has them (apt-cache decides on the node):
   * Ubuntu's Pi kernel keeps vxlan in linux-modules-extra-raspi on some releases only.
   */
  optionalPackages: readonly string[];
}

export const OS_PROFILES: Readonly<Record<OsId, OsProfile>> = {
  'raspios-bullseye': {
    id: 'raspios-bullseye',
    prettyName: 'Raspberry Pi OS 11 (bullseye)',
    osReleaseId: 'debian',
    osReleaseVersion: '11',
    vendorMarker: '/etc/rpi-issue',
    network: 'dhcpcd',
    swap: 'dphys-swapfile',
    kubeletResolvConf: '/etc/resolv.conf',
    cloudInit: false,
    optionalPackages: [],
  },
  'raspios-bookworm': {
    id: 'raspios-bookworm',
    prettyName: 'Raspberry Pi OS 12 (bookworm)',
    osReleaseId: 'debian',
    osReleaseVersion: '12',
    vendorMarker: '/etc/rpi-issue',
    network: 'networkmanager',
    swap: 'dphys-swapfile',
    kubeletResolvConf: '/etc/resolv.conf',
    cloudInit: false,
    optionalPackages: [],
  },
  'raspios-trixie': {
    id: 'raspios-trixie',
    prettyName: 'Raspberry Pi OS 13 (trixie)',
    osReleaseId: 'debian',
    osReleaseVersion: '13',
    vendorMarker: '/etc/rpi-issue',
    network: 'networkmanager',
    swap: 'rpi-swap',
    kubeletResolvConf: '/etc/resolv.conf',
    cloudInit: true,
    optionalPackages: [],
  },
  'ubuntu-22.04': {
    id: 'ubuntu-22.04',
    prettyName: 'Ubuntu Server 22.04 LTS',
    osReleaseId: 'ubuntu',
    osReleaseVersion: '22.04',
    vendorMarker: null,
    network: 'netplan',
    swap: 'fstab',
    kubeletResolvConf: '/run/systemd/resolve/resolv.conf',
    cloudInit: true,
    optionalPackages: ['linux-modules-extra-raspi'],
  },
  'ubuntu-24.04': {
    id: 'ubuntu-24.04',
    prettyName: 'Ubuntu Server 24.04 LTS',
    osReleaseId: 'ubuntu',
    osReleaseVersion: '24.04',
    vendorMarker: null,
    network: 'netplan',
    swap: 'fstab',
    kubeletResolvConf: '/run/systemd/resolve/resolv.conf',
    cloudInit: true,
    optionalPackages: ['linux-modules-extra-raspi'],
  },
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
