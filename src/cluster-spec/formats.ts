// String formats of the spec, shared by the schema validator and the cluster rules.
// Each has a short human description used in diagnostics ("is not <description>").
// Every string field of the schema has one: free text (SSH key comments, SSIDs) is held
// to the safe alphabet of src/text/alphabet.ts.

import { codePointName, firstUnsafeCharacter, isSafeText } from '../text/alphabet.js';

/**
 * An RSA-16384 key line is about 2,800 characters; every node's setup.sh and user-data
 * carry every key, so a pasted blob would be copied a thousand times over.
 */
const SSH_KEY_LINE_MAX = 4096;

export interface Format {
  description: string;
  example: string;
  test: (value: string) => boolean;
  /** For a value that fails `test`, what exactly is wrong (when the description alone would not say). */
  problem?: (value: string) => string | undefined;
}

const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ipv4Re = new RegExp(`^${octet}(\\.${octet}){3}$`);

export const FORMATS: Record<string, Format> = {
  ipv4: { description: 'an IPv4 address', example: '192.168.1.101', test: (v) => ipv4Re.test(v) },
  'ipv4-cidr': {
    description: 'an IPv4 network in CIDR form',
    example: '192.168.1.0/24',
    test: (v) => {
      const [ip, len, ...rest] = v.split('/');
      return rest.length === 0 && ip !== undefined && ipv4Re.test(ip) && len !== undefined && /^(3[0-2]|[12]?\d)$/.test(len);
    },
  },
  version: { description: 'a version x.y.z', example: '1.34.2', test: (v) => /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(v) },
  sha256: { description: 'a sha256 digest (64 lowercase hex digits)', example: 'a985fbb7…', test: (v) => /^[0-9a-f]{64}$/.test(v) },
  'dns-label': {
    description: 'a DNS label (lowercase letters, digits and -, at most 63, starting and ending with a letter or digit)',
    example: 'k8s-worker-3',
    test: (v) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v),
  },
  'dns-name': {
    description: 'a DNS domain name',
    example: 'cluster.local',
    test: (v) => v.length <= 253 && v.split('.').every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l)),
  },
  'host-port': {
    description: 'host:port (an IPv4 address or DNS name, and a port)',
    example: '192.168.1.100:6443',
    test: (v) => {
      const m = /^(.+):(\d{1,5})$/.exec(v);
      if (!m) return false;
      const port = Number(m[2]);
      const host = m[1]!;
      return port >= 1 && port <= 65535 && (ipv4Re.test(host) || FORMATS['dns-name']!.test(host));
    },
  },
  'http-url': {
    description: 'an http:// or https:// URL',
    example: 'http://192.168.1.10:8080/',
    test: (v) => /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~\/-]*)?$/.test(v),
  },
  'interface-name': {
    description: 'a network interface name (letters, digits, ., _ and -, at most 15)',
    example: 'eth0',
    test: (v) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/.test(v),
  },
  'ntp-server': {
    description: 'an NTP server: an IPv4 address or a DNS name',
    example: '192.168.1.1',
    test: (v) => ipv4Re.test(v) || FORMATS['dns-name']!.test(v),
  },
  'openpgp-fingerprint': {
    description: 'an OpenPGP key fingerprint (40 hexadecimal digits in capitals, no spaces, as `gpg --with-colons` prints it)',
    example: 'DE15B14486CD377B9E876E1A234654DA9A296436',
    test: (v) => /^[0-9A-F]{40}$/.test(v),
  },
  'country-code': { description: 'a two-letter country code', example: 'PL', test: (v) => /^[A-Z]{2}$/.test(v) },
  duration: { description: 'a duration in hours or minutes', example: '24h', test: (v) => /^[1-9]\d*(h|m)$/.test(v) },
  'unix-user': { description: 'a Linux user name', example: 'pi', test: (v) => /^[a-z_][a-z0-9_-]{0,31}$/.test(v) },
  'ssh-public-key': {
    description: `an SSH public key line (type, base64 key, and an optional comment without control characters, U+0085, U+2028 or U+2029; at most ${SSH_KEY_LINE_MAX} characters)`,
    example: 'ssh-ed25519 AAAA… me@laptop',
    test: (v) => v.length <= SSH_KEY_LINE_MAX && /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+=*( .*)?$/s.test(v) && isSafeText(v),
    problem: (v) => unsafeCharacterProblem(v) ?? (v.length > SSH_KEY_LINE_MAX ? `is ${v.length} characters long; an SSH key line is at most ${SSH_KEY_LINE_MAX}` : undefined),
  },
  // Measured in UTF-8 bytes, as the 802.11 standard does: JSON Schema's maxLength counts code points.
  ssid: {
    description: 'a Wi-Fi SSID: 1 to 32 bytes of UTF-8 (é counts 2 bytes, most emoji 4) without control characters, U+0085, U+2028 or U+2029',
    example: 'homelab',
    test: (v) => {
      const bytes = Buffer.byteLength(v, 'utf8');
      return bytes >= 1 && bytes <= 32 && isSafeText(v);
    },
    problem: (v) => unsafeCharacterProblem(v) ?? `is ${Buffer.byteLength(v, 'utf8')} bytes of UTF-8; a Wi-Fi SSID is 1 to 32 bytes`,
  },
  'label-key': {
    description: 'a Kubernetes label key ([prefix/]name)',
    example: 'node.kubernetes.io/disk',
    test: (v) => /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(v),
  },
  'label-value': {
    description: 'a Kubernetes label value (at most 63 letters, digits, ., _ and -)',
    example: 'ssd',
    test: (v) => /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/.test(v),
  },
};

function unsafeCharacterProblem(v: string): string | undefined {
  const bad = firstUnsafeCharacter(v);
  return bad === undefined ? undefined : `contains ${codePointName(bad)} at character ${[...v].indexOf(bad) + 1}; control characters, U+0085, U+2028 and U+2029 are not allowed here`;
}
