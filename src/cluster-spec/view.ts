// A read-only view of a spec that may still have schema errors, for the cluster rules
// (check.ts): every field the rules read, each either its value (defaults applied the way
// plan/defaults.ts applies them), or UNKNOWN when it is missing-but-required, of the wrong
// type or malformed. A rule that meets UNKNOWN skips that part: the schema stage already
// reported the problem there, and guessing (say, a misspelt role read as the default
// "worker") would report the same mistake twice. Reads use own properties only, so keys
// such as "constructor" or "__proto__" never reach Object.prototype.

import { DEFAULTS } from '../plan/defaults.js';
import { FORMATS } from './formats.js';
import schema from '../../schema/cluster.schema.json' with { type: 'json' };
import type { Arch, CniName, InstallMethod, KernelPageSize, OsId, Role } from './types.js';

export const UNKNOWN: unique symbol = Symbol('unknown');
export type Maybe<T> = T | typeof UNKNOWN;

// The allowed values come from the schema itself, so the view cannot drift from it.
const defs = (schema as unknown as { definitions: Record<string, SchemaNode> }).definitions;
interface SchemaNode { enum?: string[]; properties?: Record<string, SchemaNode> }
const ROLES = defs['node']!.properties!['role']!.enum as readonly Role[];
const ARCHES = defs['nodeSettings']!.properties!['arch']!.enum as readonly Arch[];
const OSES = defs['os']!.enum as readonly OsId[];
const CNIS = defs['kubernetes']!.properties!['cni']!.enum as readonly CniName[];
const INSTALL_METHODS = defs['kubernetes']!.properties!['install']!.enum as readonly InstallMethod[];
const PAGE_SIZES = defs['kernelPageSize']!.enum as readonly KernelPageSize[];

export interface NodeView {
  index: number;
  name: Maybe<string>;
  address: Maybe<string>;
  role: Maybe<Role>;
  os: Maybe<OsId>;
  arch: Maybe<Arch>;
  /** null when neither the node nor nodeDefaults sets it. */
  kernelPageSize: Maybe<KernelPageSize | null>;
}

/** A component pin: absent, readable (version and the digests given), or UNKNOWN. */
export type ComponentView = undefined | Maybe<{ version: string; sha256: Partial<Record<Arch, string>> }>;

export interface SpecView {
  kubernetes: {
    version: Maybe<string>;
    /** Absent fields are undefined here; the rules name the default they apply. */
    podSubnet: Maybe<string | undefined>;
    serviceSubnet: Maybe<string | undefined>;
    controlPlaneEndpoint: Maybe<string | undefined>;
    cni: Maybe<CniName>;
    install: Maybe<InstallMethod>;
    /** true only when spec.kubernetes.ciliumOnRaspberryPiOS is written as true. */
    ciliumOnRaspberryPiOS: boolean;
    /** Whether spec.kubernetes.packageSigningKey is written at all (valid or not). */
    packageSigningKey: boolean;
  };
  /** Whether spec.mirror is written at all (valid or not). */
  mirror: boolean;
  network: { subnet: Maybe<string>; gateway: Maybe<string>; dns: Maybe<Maybe<string>[]> };
  components: {
    containerd: ComponentView;
    runc: ComponentView;
    cniPlugins: ComponentView;
    ciliumCli: ComponentView;
    kubeadm: ComponentView;
    kubelet: ComponentView;
    kubectl: ComponentView;
    crictl: ComponentView;
    /** spec.components.calico in its short form (a catalog version), when written so. */
    calicoVersion: string | undefined;
  };
  /** Label maps by where they are written: spec.nodeDefaults.labels, then each node's. */
  labels: { path: readonly (string | number)[]; keys: string[] }[];
  /** UNKNOWN when the list itself is unusable (absent, not a list, empty). */
  nodes: Maybe<NodeView[]>;
}

function own(obj: unknown, key: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field in a given format: its value, undefined when absent, UNKNOWN otherwise. */
function optional(v: unknown, format: string): Maybe<string | undefined> {
  if (v === undefined) return undefined;
  return typeof v === 'string' && FORMATS[format]!.test(v) ? v : UNKNOWN;
}

function required(v: unknown, format: string): Maybe<string> {
  return optional(v, format) ?? UNKNOWN;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[]): Maybe<T | undefined> {
  if (v === undefined) return undefined;
  return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : UNKNOWN;
}

/** A node setting: the node's own value wins, then nodeDefaults, then picc's default. */
function setting<T>(own: Maybe<T | undefined>, fromDefaults: Maybe<T | undefined>, fallback: T): Maybe<T> {
  if (own !== undefined) return own;
  if (fromDefaults !== undefined) return fromDefaults;
  return fallback;
}

function component(v: unknown): ComponentView {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return FORMATS['version']!.test(v) ? { version: v, sha256: {} } : UNKNOWN;
  if (!isMapping(v)) return UNKNOWN;
  const version = own(v, 'version');
  if (typeof version !== 'string' || !FORMATS['version']!.test(version)) return UNKNOWN;
  const given = own(v, 'sha256');
  if (given === undefined) return { version, sha256: {} };
  if (!isMapping(given)) return UNKNOWN;
  const sha256: Partial<Record<Arch, string>> = {};
  for (const arch of ARCHES) {
    const d = own(given, arch);
    if (d === undefined) continue;
    if (typeof d !== 'string' || !FORMATS['sha256']!.test(d)) return UNKNOWN;
    sha256[arch] = d;
  }
  return { version, sha256 };
}

function labelKeys(v: unknown): string[] {
  // Keys that are malformed, or whose value is not a label value, are the schema's to report.
  if (!isMapping(v)) return [];
  return Object.keys(v).filter((k) => FORMATS['label-key']!.test(k));
}

export function specView(data: unknown): SpecView {
  const spec = own(data, 'spec');
  const k8s = own(spec, 'kubernetes');
  const net = own(spec, 'network');
  const comps = own(spec, 'components');
  const defaults = own(spec, 'nodeDefaults');
  const rawDns = own(net, 'dns');
  const rawNodes = own(spec, 'nodes');
  const defaultsOk = defaults === undefined || isMapping(defaults);
  const fromDefaults = <T>(read: (d: unknown) => Maybe<T | undefined>): Maybe<T | undefined> => (defaultsOk ? read(defaults) : UNKNOWN);
  const dOs = fromDefaults((d) => oneOf(own(d, 'os'), OSES));
  const dArch = fromDefaults((d) => oneOf(own(d, 'arch'), ARCHES));
  const dPageSize = fromDefaults((d) => oneOf(own(d, 'kernelPageSize'), PAGE_SIZES));

  const nodes: Maybe<NodeView[]> = Array.isArray(rawNodes) && rawNodes.length > 0
    ? rawNodes.map((n: unknown, index): NodeView => {
        if (!isMapping(n)) return { index, name: UNKNOWN, address: UNKNOWN, role: UNKNOWN, os: UNKNOWN, arch: UNKNOWN, kernelPageSize: UNKNOWN };
        return {
          index,
          name: required(own(n, 'name'), 'dns-label'),
          address: required(own(n, 'address'), 'ipv4'),
          role: setting(oneOf(own(n, 'role'), ROLES), undefined, DEFAULTS.role),
          os: setting(oneOf(own(n, 'os'), OSES), dOs, DEFAULTS.os),
          arch: setting(oneOf(own(n, 'arch'), ARCHES), dArch, DEFAULTS.arch),
          kernelPageSize: setting<KernelPageSize | null>(oneOf(own(n, 'kernelPageSize'), PAGE_SIZES), dPageSize, null),
        };
      })
    : UNKNOWN;

  const labels: SpecView['labels'] = [{ path: ['spec', 'nodeDefaults', 'labels'], keys: labelKeys(own(defaults, 'labels')) }];
  if (Array.isArray(rawNodes)) rawNodes.forEach((n: unknown, i) => labels.push({ path: ['spec', 'nodes', i, 'labels'], keys: labelKeys(own(n, 'labels')) }));

  return {
    kubernetes: {
      version: required(own(k8s, 'version'), 'version'),
      podSubnet: optional(own(k8s, 'podSubnet'), 'ipv4-cidr'),
      serviceSubnet: optional(own(k8s, 'serviceSubnet'), 'ipv4-cidr'),
      controlPlaneEndpoint: optional(own(k8s, 'controlPlaneEndpoint'), 'host-port'),
      cni: setting(oneOf(own(k8s, 'cni'), CNIS), undefined, DEFAULTS.cni),
      install: setting(oneOf(own(k8s, 'install'), INSTALL_METHODS), undefined, DEFAULTS.install),
      packageSigningKey: own(k8s, 'packageSigningKey') !== undefined,
      ciliumOnRaspberryPiOS: own(k8s, 'ciliumOnRaspberryPiOS') === true,
    },
    mirror: own(spec, 'mirror') !== undefined,
    network: {
      subnet: required(own(net, 'subnet'), 'ipv4-cidr'),
      gateway: required(own(net, 'gateway'), 'ipv4'),
      dns: Array.isArray(rawDns) ? rawDns.map((ip: unknown) => required(ip, 'ipv4')) : UNKNOWN,
    },
    components: {
      containerd: component(own(comps, 'containerd')),
      runc: component(own(comps, 'runc')),
      cniPlugins: component(own(comps, 'cniPlugins')),
      ciliumCli: component(own(comps, 'ciliumCli')),
      kubeadm: component(own(comps, 'kubeadm')),
      kubelet: component(own(comps, 'kubelet')),
      kubectl: component(own(comps, 'kubectl')),
      crictl: component(own(comps, 'crictl')),
      calicoVersion: typeof own(comps, 'calico') === 'string' && FORMATS['version']!.test(own(comps, 'calico') as string) ? (own(comps, 'calico') as string) : undefined,
    },
    labels,
    nodes,
  };
}
