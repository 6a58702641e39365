// Stage 3 — check: rules about relations between values that a schema cannot express.
// Each rule is a small named function over the validated spec; all rules run and all
// findings are returned. Rules see nodes with defaults applied (plan/defaults.ts).

import type { Diagnostic, DocPath, StageResult } from '../diagnostics/diagnostic.js';
import type { SourceDoc } from '../diagnostics/locate.js';
import { report } from '../diagnostics/report.js';
import { broadcast, contains, formatCidr, intToIp, isLoopback, overlaps, parseCidr } from '../net/ipv4.js';
import {
  CONTAINERD_SERIES_PAST_EOL, DEFAULT_VERSIONS, KUBERNETES_MINORS, catalogDigest, compareVersions, knownVersions,
  kubernetesMinors, series, type ArtifactName,
} from '../plan/catalog.js';
import { DEFAULTS, resolveNodes, type ResolvedNode } from '../plan/defaults.js';
import type { Arch, ClusterSpec, ComponentSpec } from './types.js';

interface Ctx {
  source: SourceDoc;
  spec: ClusterSpec;
  nodes: ResolvedNode[];
}

type Rule = (ctx: Ctx) => Diagnostic[];

const nodePath = (n: ResolvedNode, key?: string): DocPath => (key ? ['spec', 'nodes', n.index, key] : ['spec', 'nodes', n.index]);

/** What the uniqueness rules read of a node; also available before the schema passes. */
type NodeRef = Pick<ResolvedNode, 'name' | 'address' | 'index'>;

function duplicateNames(source: SourceDoc, nodes: readonly Pick<NodeRef, 'name' | 'index'>[]): Diagnostic[] {
  const first = new Map<string, Pick<NodeRef, 'name' | 'index'>>();
  const out: Diagnostic[] = [];
  for (const n of nodes) {
    const prev = first.get(n.name);
    if (prev) out.push(report(source, 'PICC201', ['spec', 'nodes', n.index, 'name'], `node name "${n.name}" is already used by spec.nodes[${prev.index}]`));
    else first.set(n.name, n);
  }
  return out;
}

function duplicateAddresses(source: SourceDoc, nodes: readonly NodeRef[]): Diagnostic[] {
  const first = new Map<string, NodeRef>();
  const out: Diagnostic[] = [];
  for (const n of nodes) {
    const prev = first.get(n.address);
    if (prev) out.push(report(source, 'PICC202', ['spec', 'nodes', n.index, 'address'], `address ${n.address} is already used by node "${prev.name}"`));
    else first.set(n.address, n);
  }
  return out;
}

const uniqueNodeNames: Rule = ({ source, nodes }) => duplicateNames(source, nodes);

const uniqueAddresses: Rule = ({ source, nodes }) => duplicateAddresses(source, nodes);

const addressesInSubnet: Rule = ({ source, spec, nodes }) => {
  const lan = parseCidr(spec.spec.network.subnet);
  const subnet = formatCidr(lan);
  const out: Diagnostic[] = [];
  const gw = spec.spec.network.gateway;
  if (!contains(lan, gw)) {
    out.push(report(source, 'PICC203', ['spec', 'network', 'gateway'], `gateway ${gw} is outside spec.network.subnet ${subnet}`, {
      hint: `use the router's address inside ${subnet}, or correct the subnet`,
    }));
  }
  for (const n of nodes) {
    if (!contains(lan, n.address)) {
      out.push(report(source, 'PICC203', nodePath(n, 'address'), `${n.address} is outside spec.network.subnet ${subnet}`, {
        hint: `give the node an address inside ${subnet}, or widen the subnet`,
      }));
    }
  }
  return out;
};

const reservedAddresses: Rule = ({ source, spec, nodes }) => {
  const lan = parseCidr(spec.spec.network.subnet);
  if (lan.prefix >= 31) return [];
  const reserved = new Map([
    [intToIp(lan.network), 'the network address'],
    [intToIp(broadcast(lan)), 'the broadcast address'],
    [spec.spec.network.gateway, 'the gateway'],
  ]);
  return nodes.flatMap((n) => {
    const what = reserved.get(n.address);
    return what ? [report(source, 'PICC204', nodePath(n, 'address'), `${n.address} is ${what} of the LAN`, { hint: 'pick a free host address' })] : [];
  });
};

const networksAreNetworkAddresses: Rule = ({ source, spec }) => {
  const fields: [DocPath, string | undefined][] = [
    [['spec', 'network', 'subnet'], spec.spec.network.subnet],
    [['spec', 'kubernetes', 'podSubnet'], spec.spec.kubernetes.podSubnet],
    [['spec', 'kubernetes', 'serviceSubnet'], spec.spec.kubernetes.serviceSubnet],
  ];
  return fields.flatMap(([path, value]) => {
    if (value === undefined) return [];
    const c = parseCidr(value);
    return c.address === c.network ? [] : [report(source, 'PICC216', path, `${value} has host bits set`, { hint: `write the network address: ${formatCidr(c)}` })];
  });
};

const noLoopbackDns: Rule = ({ source, spec }) =>
  spec.spec.network.dns.flatMap((ip, i) => (isLoopback(ip) ? [report(source, 'PICC205', ['spec', 'network', 'dns', i], `${ip} is a loopback address`)] : []));

const networksDoNotOverlap: Rule = ({ source, spec }) => {
  const k = spec.spec.kubernetes;
  const nets: { name: string; path: DocPath; value: string }[] = [
    { name: 'spec.network.subnet', path: ['spec', 'network', 'subnet'], value: spec.spec.network.subnet },
    { name: 'spec.kubernetes.podSubnet', path: ['spec', 'kubernetes', 'podSubnet'], value: k.podSubnet ?? DEFAULTS.podSubnet },
    { name: 'spec.kubernetes.serviceSubnet', path: ['spec', 'kubernetes', 'serviceSubnet'], value: k.serviceSubnet ?? DEFAULTS.serviceSubnet },
  ];
  const out: Diagnostic[] = [];
  for (let i = 0; i < nets.length; i++) {
    for (let j = i + 1; j < nets.length; j++) {
      const a = nets[i]!;
      const b = nets[j]!;
      if (overlaps(parseCidr(a.value), parseCidr(b.value))) {
        // Report at the later field the user wrote, or at the LAN subnet when both are defaults.
        const at = [b, a].find((n) => hasValue(spec, n.path)) ?? a;
        // Name the field to change: the later of the pair, never the LAN (harder to renumber than a cluster).
        const unset = hasValue(spec, b.path) ? '' : ` (it is not set, so the default ${b.value} applies)`;
        out.push(report(source, 'PICC206', at.path, `${b.name} ${b.value} overlaps ${a.name} ${a.value}`, {
          hint: `pod, service and LAN networks must be disjoint: set ${b.name} to a private range that neither of the others uses${unset}`,
        }));
      }
    }
  }
  return out;
};

const hasControlPlane: Rule = ({ source, nodes }) =>
  nodes.some((n) => n.role === 'control-plane') ? [] : [report(source, 'PICC207', ['spec', 'nodes'], 'no node has role: control-plane')];

const controlPlaneEndpoint: Rule = ({ source, spec, nodes }) => {
  const cps = nodes.filter((n) => n.role === 'control-plane');
  const endpoint = spec.spec.kubernetes.controlPlaneEndpoint;
  const path: DocPath = ['spec', 'kubernetes', 'controlPlaneEndpoint'];
  const out: Diagnostic[] = [];
  if (cps.length > 1 && cps.length % 2 === 0) {
    out.push(report(source, 'PICC209', ['spec', 'nodes'], `${cps.length} control planes: etcd needs a majority, so an even number tolerates no more failures than one fewer`, {
      severity: 'warning',
      hint: `use ${cps.length - 1} or ${cps.length + 1} control planes`,
    }));
  }
  if (cps.length > 1 && endpoint === undefined) {
    // At the `kubernetes:` key, where the field goes (not at its first entry, which is not wrong).
    out.push(report(source, 'PICC208', ['spec', 'kubernetes'], `${cps.length} control planes need spec.kubernetes.controlPlaneEndpoint, a virtual IP`, {
      atKey: true,
      hint: 'add controlPlaneEndpoint: <a free LAN address>:6443 here; picc runs kube-vip to hold that address',
    }));
  }
  if (endpoint === undefined) return out;
  const host = endpoint.slice(0, endpoint.lastIndexOf(':'));
  const owner = nodes.find((n) => n.address === host);
  if (cps.length > 1) {
    const lan = parseCidr(spec.spec.network.subnet);
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
      out.push(report(source, 'PICC208', path, `with several control planes the endpoint must be a virtual IP address, not "${host}"`, {
        hint: 'kube-vip announces an IPv4 address by ARP; use a free address in the LAN',
      }));
    } else if (!contains(lan, host)) {
      out.push(report(source, 'PICC208', path, `virtual IP ${host} is outside spec.network.subnet ${formatCidr(lan)}`, {
        hint: 'ARP reaches only the local subnet; pick a free address inside it',
      }));
    } else if (owner) {
      out.push(report(source, 'PICC208', path, `virtual IP ${host} is the address of node "${owner.name}"`, {
        hint: 'the virtual IP must be an address no machine uses',
      }));
    } else if (host === spec.spec.network.gateway) {
      out.push(report(source, 'PICC208', path, `virtual IP ${host} is the gateway's address`, { hint: 'the virtual IP must be an address no machine uses' }));
    }
  } else if (owner && owner.role !== 'control-plane') {
    out.push(report(source, 'PICC208', path, `endpoint ${host} is the address of worker "${owner.name}"`, {
      hint: 'point it at the control plane, or leave it out to use the control plane address',
    }));
  }
  return out;
};

const cniSupported: Rule = ({ source, spec, nodes }) => {
  const cni = spec.spec.kubernetes.cni ?? DEFAULTS.cni;
  const path: DocPath = ['spec', 'kubernetes', 'cni'];
  if (cni === 'weave') {
    return [report(source, 'PICC210', path, 'Weave Net is no longer maintained: Weaveworks shut down in 2024 and its install endpoint is gone', {
      hint: 'use flannel (the default), calico or cilium',
    })];
  }
  if (cni === 'calico' && !spec.spec.components?.calico) {
    return [report(source, 'PICC212', path, "calico needs its manifest's version and sha256: picc's catalog has no digest for it", {
      hint: 'add spec.components.calico: {version: "3.30.3", sha256: "<sha256 of manifests/calico.yaml of that release>"}',
    })];
  }
  if (cni === 'cilium') {
    return nodes
      .filter((n) => n.os.startsWith('raspios-'))
      .map((n) => report(source, 'PICC214', nodePath(n), `cilium needs kernel BTF (CONFIG_DEBUG_INFO_BTF), which Raspberry Pi OS kernels lack (node "${n.name}", ${n.os})`, {
        severity: 'warning',
        hint: 'use flannel on Raspberry Pi OS, or Ubuntu 24.04 for cilium nodes',
      }));
  }
  return [];
};

const kubernetesVersion: Rule = ({ source, spec }) => {
  const minor = series(spec.spec.kubernetes.version);
  if (KUBERNETES_MINORS[minor]) return [];
  const minors = kubernetesMinors();
  return [report(source, 'PICC211', ['spec', 'kubernetes', 'version'], `Kubernetes ${spec.spec.kubernetes.version} is outside the supported range ${minors[0]}–${minors.at(-1)}`, {
    hint: `use a ${minors[0]}.x to ${minors.at(-1)}.x release; older minors lack kubeadm's v1beta4 config API`,
  })];
};

const COMPONENT_FIELDS: [keyof NonNullable<ClusterSpec['spec']['components']>, ArtifactName][] = [
  ['containerd', 'containerd'],
  ['runc', 'runc'],
  ['cniPlugins', 'cni-plugins'],
  ['ciliumCli', 'cilium-cli'],
];

const componentsKnown: Rule = ({ source, spec, nodes }) => {
  const arches = [...new Set(nodes.map((n) => n.arch))].sort() as Arch[];
  const out: Diagnostic[] = [];
  for (const [field, artifact] of COMPONENT_FIELDS) {
    const given = spec.spec.components?.[field] as ComponentSpec | undefined;
    if (given === undefined) continue;
    const version = typeof given === 'string' ? given : given.version;
    const sha = typeof given === 'string' ? {} : given.sha256 ?? {};
    const missing = arches.filter((a) => !sha[a] && !catalogDigest(artifact, version, a));
    if (missing.length > 0) {
      out.push(report(source, 'PICC212', ['spec', 'components', field], `${artifact} ${version} is not in picc's artifact catalog and no sha256 is given for ${missing.join(', ')}`, {
        hint: `use a version the catalog knows (${knownVersions(artifact).join(', ')}) or add sha256: {${missing.map((a) => `${a}: <64 hex>`).join(', ')}}`,
      }));
    }
  }
  return out;
};

const containerdMatchesKubernetes: Rule = ({ source, spec }) => {
  const given = spec.spec.components?.containerd;
  const version = given === undefined ? DEFAULT_VERSIONS.containerd : typeof given === 'string' ? given : given.version;
  const supported = KUBERNETES_MINORS[series(spec.spec.kubernetes.version)];
  if (!supported) return [];
  const path: DocPath = given === undefined ? ['spec', 'kubernetes', 'version'] : ['spec', 'components', 'containerd'];
  const lowest = supported[series(version)];
  const list = Object.entries(supported).map(([s, min]) => `${s} (from ${min})`).join(', ');
  if (lowest === undefined || compareVersions(version, lowest) < 0) {
    const orDefault = given !== undefined ? `: pin one of those, or remove the pin to get the default ${DEFAULT_VERSIONS.containerd}` : '';
    return [report(source, 'PICC213', path, `containerd ${version} does not support Kubernetes ${series(spec.spec.kubernetes.version)}`, {
      hint: `Kubernetes ${series(spec.spec.kubernetes.version)} supports containerd ${list}${orDefault}`,
    })];
  }
  const eol = CONTAINERD_SERIES_PAST_EOL[series(version)];
  return eol && given !== undefined
    ? [report(source, 'PICC217', path, `containerd ${series(version)} is past its end of support (${eol})`, {
        severity: 'warning',
        hint: `use containerd ${DEFAULT_VERSIONS.containerd} (LTS), the default`,
      })]
    : [];
};

// The kubelet sets its own labels (--node-labels) and refuses to start with one in the
// kubernetes.io or k8s.io namespaces, except these (kubelet's allowed-labels list).
const KUBELET_ALLOWED_LABELS = new Set([
  'kubernetes.io/hostname', 'kubernetes.io/arch', 'kubernetes.io/os', 'beta.kubernetes.io/arch', 'beta.kubernetes.io/os',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type', 'topology.kubernetes.io/region', 'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone',
]);
const KUBELET_ALLOWED_DOMAINS = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

function kubeletMaySet(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return true;
  const domain = key.slice(0, slash);
  const within = (d: string) => domain === d || domain.endsWith(`.${d}`);
  if (!within('kubernetes.io') && !within('k8s.io')) return true;
  return KUBELET_ALLOWED_LABELS.has(key) || KUBELET_ALLOWED_DOMAINS.some(within);
}

const labelsTheKubeletMaySet: Rule = ({ source, spec }) => {
  const places: [DocPath, Record<string, string> | undefined][] = [
    [['spec', 'nodeDefaults', 'labels'], spec.spec.nodeDefaults?.labels],
    ...spec.spec.nodes.map((n, i): [DocPath, Record<string, string> | undefined] => [['spec', 'nodes', i, 'labels'], n.labels]),
  ];
  return places.flatMap(([path, labels]) =>
    Object.keys(labels ?? {})
      .filter((key) => !kubeletMaySet(key))
      .map((key) => report(source, 'PICC218', [...path, key], `the kubelet refuses to start with label "${key}": it may not set labels in the kubernetes.io and k8s.io namespaces`, {
        atKey: true,
        hint: 'use a prefix of your own (e.g. homelab.example/role: storage), or node.kubernetes.io/…; node-role.kubernetes.io labels can only be added with kubectl label',
      })),
  );
};

const RULES: Rule[] = [
  uniqueNodeNames, uniqueAddresses, addressesInSubnet, reservedAddresses, networksAreNetworkAddresses, noLoopbackDns,
  networksDoNotOverlap, hasControlPlane, controlPlaneEndpoint, cniSupported, kubernetesVersion, componentsKnown,
  containerdMatchesKubernetes, labelsTheKubeletMaySet,
];

export function check(source: SourceDoc, spec: ClusterSpec): StageResult<ClusterSpec> {
  const ctx: Ctx = { source, spec, nodes: resolveNodes(spec) };
  const diagnostics = RULES.flatMap((rule) => rule(ctx));
  return { value: spec, diagnostics };
}

/**
 * The rules that stay meaningful while the schema still reports errors, run on the raw
 * document so that a duplicate node name shows up together with, say, a malformed address
 * (every problem at once). They read only nodes' names and addresses, as far as those are strings.
 */
export function checkDespiteSchemaErrors(source: SourceDoc, data: unknown): Diagnostic[] {
  const raw = (data as { spec?: { nodes?: unknown } } | null)?.spec?.nodes;
  if (!Array.isArray(raw)) return [];
  const fields = raw.map((n: unknown, index) => {
    const o = (typeof n === 'object' && n !== null ? n : {}) as Record<string, unknown>;
    return { index, name: o['name'], address: o['address'] };
  });
  const named = fields.flatMap((n) => (typeof n.name === 'string' ? [{ index: n.index, name: n.name }] : []));
  const addressed = fields.flatMap((n) => (typeof n.address === 'string' ? [{ index: n.index, address: n.address, name: typeof n.name === 'string' ? n.name : `spec.nodes[${n.index}]` }] : []));
  return [...duplicateNames(source, named), ...duplicateAddresses(source, addressed)];
}

function hasValue(spec: ClusterSpec, path: DocPath): boolean {
  let cur: unknown = spec;
  for (const seg of path) cur = (cur as Record<string | number, unknown> | undefined)?.[seg];
  return cur !== undefined;
}
