// Small IPv4 arithmetic for the cluster rules and the plan. Inputs are already
// validated by the schema's formats, so parsing here does not re-check them.

export interface Cidr {
  network: number;
  prefix: number;
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function parseCidr(cidr: string): Cidr & { address: number } {
  const [ip, len] = cidr.split('/');
  const prefix = Number(len);
  const address = ipToInt(ip!);
  return { network: address - (address % 2 ** (32 - prefix)), prefix, address };
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function contains(c: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= c.network && n < c.network + size(c);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network < b.network + size(b) && b.network < a.network + size(a);
}

export function broadcast(c: Cidr): number {
  return c.network + size(c) - 1;
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '0.0.0.0';
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.network)}/${c.prefix}`;
}
