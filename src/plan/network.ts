// Plan for the static-network phase: the files each network stack reads.
// dhcpcd (bullseye): a marked block in /etc/dhcpcd.conf, and for Wi-Fi wpa_supplicant's
// per-interface file; NetworkManager (bookworm,
// trixie): a keyfile (0600: it may hold a Wi-Fi passphrase); netplan (Ubuntu): a YAML
// file with an explicit renderer. Every value is escaped for the format it lands in
// (src/text/); the spec's schema has already refused control characters in free text.

import { createHash } from 'node:crypto';
import { wpaPsk, wpaSsidHex } from '../net/wpa.js';
import { keyfileSsid, keyfileValue } from '../text/keyfile.js';
import { toYaml } from '../text/yaml.js';
import type { CniName } from '../cluster-spec/types.js';
import type { OsProfile } from './os-profiles.js';
import type { FileSpec } from './types.js';

export interface NetworkInput {
  cluster: string;
  node: string;
  interface: string;
  address: string;
  prefix: number;
  gateway: string;
  dns: string[];
  wifi: { ssid: string; country: string; passphrase: string } | null;
}

/**
 * calico's documentation: NetworkManager must leave calico's interfaces alone (on by
 * default it takes them over). Written on every NetworkManager node of a calico cluster.
 */
const CALICO_UNMANAGED: FileSpec = {
  path: '/etc/NetworkManager/conf.d/90-picc-calico.conf',
  mode: '0644',
  content: '# calico manages these interfaces, not NetworkManager (managed by picc)\n[keyfile]\nunmanaged-devices=interface-name:cali*;interface-name:tunl*;interface-name:vxlan.calico;interface-name:vxlan-v6.calico;interface-name:wireguard.cali;interface-name:wg-v6.cali\n',
};

export function networkPlan(os: OsProfile, n: NetworkInput, cni: CniName) {
  const addressCidr = `${n.address}/${n.prefix}`;
  const unmanaged = os.network === 'networkmanager' && cni === 'calico' ? CALICO_UNMANAGED : null;
  const base = { stack: os.network, addressCidr, wifiCountry: n.wifi?.country ?? null, unblockWifi: n.wifi !== null, unmanaged, netplan: null };
  switch (os.network) {
    case 'dhcpcd':
      return { ...base, files: n.wifi ? [wpaSupplicantFile(n.interface, n.wifi)] : [], blocks: [{ path: '/etc/dhcpcd.conf', content: dhcpcdBlock(n, addressCidr) }] };
    case 'networkmanager':
      return { ...base, files: [nmKeyfile(n, addressCidr)], blocks: [] };
    case 'netplan':
      return { ...base, files: [], blocks: [], netplan: netplanPlan(netplanYaml(n, addressCidr, 'networkd')) };
  }
}

/**
 * netplan reads all its files as one configuration. At the first boot cloud-init renders
 * the seed's network-config (the same network) into 50-cloud-init.yaml; netplan before
 * 0.107.1 (Ubuntu 22.04) refuses an access point defined in two files ("Duplicate access
 * point SSID"). Setup checks the whole configuration, picc's file included, before it
 * writes, on every run; when only cloud-init's copy stands in the way, setup moves that
 * copy into its state folder and tells cloud-init to leave the network to picc.
 */
function netplanPlan(content: string) {
  return {
    file: { path: '/etc/netplan/90-picc.yaml', mode: '0600', content } satisfies FileSpec,
    cloudInitFile: '/etc/netplan/50-cloud-init.yaml',
    // The first words of every cloud-init release's header (the rest of it has varied).
    cloudInitHeader: '# This file is generated from information provided by',
    // What netplan before 0.107.1 says of an access point two files define.
    duplicateApError: 'Duplicate access point',
    retiredDir: '/var/lib/picc/retired',
    cloudInitOff: {
      path: '/etc/cloud/cloud.cfg.d/99-picc-network.cfg',
      mode: '0644',
      content: '# The network is picc\'s (/etc/netplan/90-picc.yaml): cloud-init leaves it alone (managed by picc)\nnetwork: {config: disabled}\n',
    } satisfies FileSpec,
  };
}

function dhcpcdBlock(n: NetworkInput, cidr: string): string {
  const lines = [
    `interface ${n.interface}`,
    `static ip_address=${cidr}`,
    `static routers=${n.gateway}`,
    `static domain_name_servers=${n.dns.join(' ')}`,
  ];
  return lines.join('\n') + '\n';
}

/**
 * bullseye's Wi-Fi: dhcpcd's wpa_supplicant hook starts wpa_supplicant for the interface
 * with wpa_supplicant-<interface>.conf when that file exists, before the shared
 * wpa_supplicant.conf, so picc owns a whole file and touches nothing of the image's. The
 * SSID in hex and the derived key in hex: no value needs quoting.
 */
function wpaSupplicantFile(iface: string, wifi: NonNullable<NetworkInput['wifi']>): FileSpec {
  const lines = [
    '# Wi-Fi for Kubernetes (managed by picc)',
    'ctrl_interface=DIR=/var/run/wpa_supplicant GROUP=netdev',
    // picc owns this file: wpa_cli must not rewrite it.
    'update_config=0',
    `country=${wifi.country}`,
    '',
    'network={',
    `\tssid=${wpaSsidHex(wifi.ssid)}`,
    '\tkey_mgmt=WPA-PSK',
    `\tpsk=${wpaPsk(wifi.ssid, wifi.passphrase)}`,
    '}',
    '',
  ];
  return { path: `/etc/wpa_supplicant/wpa_supplicant-${iface}.conf`, mode: '0600', content: lines.join('\n') };
}

function nmKeyfile(n: NetworkInput, cidr: string): FileSpec {
  const id = `picc-${n.interface}`;
  const lines = [
    '# Static address for Kubernetes (managed by picc)',
    '[connection]',
    entry('id', id),
    entry('uuid', stableUuid(`${n.cluster}/${n.node}/${n.interface}`)),
    entry('type', n.wifi ? 'wifi' : 'ethernet'),
    entry('interface-name', n.interface),
    'autoconnect=true',
    // Higher than the image's DHCP profile, so this one wins at boot.
    'autoconnect-priority=100',
    '',
  ];
  if (n.wifi) {
    // ssid is a byte array with NetworkManager's own text-or-bytes form, not a plain string.
    lines.push('[wifi]', 'mode=infrastructure', `ssid=${keyfileSsid(n.wifi.ssid)}`, '', '[wifi-security]', 'key-mgmt=wpa-psk', entry('psk', n.wifi.passphrase), '');
  }
  lines.push(
    '[ipv4]',
    'method=manual',
    entry('address1', `${cidr},${n.gateway}`),
    // A list: each element escaped, `;` after each (the addresses themselves hold no `;`).
    `dns=${n.dns.map((d) => `${keyfileValue(d)};`).join('')}`,
    'ignore-auto-dns=true',
    '',
    '[ipv6]',
    'method=ignore',
    '',
  );
  return { path: `/etc/NetworkManager/system-connections/${id}.nmconnection`, mode: '0600', content: lines.join('\n') };
}

function entry(key: string, value: string): string {
  return `${key}=${keyfileValue(value)}`;
}

/** netplan v2; also the body of cloud-init's network-config. */
export function netplanDocument(n: NetworkInput, cidr: string, renderer: string | null): Record<string, unknown> {
  const device: Record<string, unknown> = {
    dhcp4: false,
    dhcp6: false,
    addresses: [cidr],
    routes: [{ to: 'default', via: n.gateway }],
    nameservers: { addresses: n.dns },
  };
  const network: Record<string, unknown> = { version: 2 };
  if (renderer) network['renderer'] = renderer;
  if (n.wifi) {
    // A Map: the key is the user's SSID, which may be any text (even __proto__).
    device['access-points'] = new Map([[n.wifi.ssid, { password: n.wifi.passphrase }]]);
    device['regulatory-domain'] = n.wifi.country;
    network['wifis'] = { [n.interface]: device };
  } else {
    device['optional'] = false;
    network['ethernets'] = { [n.interface]: device };
  }
  return { network };
}

function netplanYaml(n: NetworkInput, cidr: string, renderer: string): string {
  return '# Static address for Kubernetes (managed by picc)\n' + toYaml(netplanDocument(n, cidr, renderer));
}

/** A UUID derived from a name, so NetworkManager profiles are the same on every compile. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(`picc:${name}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
