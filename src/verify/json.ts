// Reading the API server's JSON without trusting its shape: every accessor returns a
// safe empty value for a missing or mistyped field, so a strange answer becomes a failed
// check ("found: none"), never an exception.

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** obj(v)[k1][k2]…, each step as an object. */
export function at(v: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((cur, k) => obj(cur)[k], v);
}

/** The items of a List answer (NodeList, PodList, …). */
export function items(v: unknown): Json[] {
  return arr(obj(v)['items']).map(obj);
}

/** A strict dotted-quad CIDR ("10.244.0.0/16"), or undefined. */
export function ipv4Cidr(text: string): { network: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (parts.some((p) => p > 255) || prefix > 32) return undefined;
  const address = parts.reduce((acc, p) => acc * 256 + p, 0);
  return { network: address - (address % 2 ** (32 - prefix)), prefix };
}

/** Is CIDR `inner` wholly inside `outer` (both as text)? */
export function cidrInside(inner: string, outer: string): boolean {
  const a = ipv4Cidr(inner);
  const b = ipv4Cidr(outer);
  if (!a || !b || a.prefix < b.prefix) return false;
  return a.network >= b.network && a.network + 2 ** (32 - a.prefix) <= b.network + 2 ** (32 - b.prefix);
}
