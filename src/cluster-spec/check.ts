// Stage 3 — check: rules about relations between values that a schema cannot express.
// Each rule is a small named function over a view of the spec (view.ts) that may still
// have schema errors; all rules run and all findings are returned. A rule skips what the
// view marks UNKNOWN (the schema stage reports it), so it never throws on wrongly typed
// data and never reports a mistake twice. Nodes have defaults applied as the plan does.

import type { Diagnostic, DocPath } from '../diagnostics/diagnostic.js';
import type { SourceDoc } from '../diagnostics/locate.js';
import { report } from '../diagnostics/report.js';
import { broadcast, contains, formatCidr, intToIp, isLoopback, overlaps, parseCidr } from '../net/ipv4.js';
import {
  CONTAINERD_SERIES_PAST_EOL, DEFAULT_VERSIONS, KUBERNETES_BINARIES, KUBERNETES_MINORS, catalogDigest, compareVersions,
  knownVersionsText, kubernetesMinors, series, upstreamUrl, type ArtifactName, type KubernetesBinary,
} from '../plan/catalog.js';
import { calicoVersions } from '../plan/cni/calico.js';
import { DEFAULTS } from '../plan/defaults.js';
import { OS_PROFILES } from '../plan/os-profiles.js';
import type { Arch, Role } from './types.js';
import { UNKNOWN, specView, type Maybe, type NodeView, type SpecView } from './view.js';

interface Ctx {
  source: SourceDoc;
  view: SpecView;
}

type Rule = (ctx: Ctx) => Diagnostic[];

const nodePath = (n: NodeView, key?: string): DocPath => (key ? ['spec', 'nodes', n.index, key] : ['spec', 'nodes', n.index]);

const known = <T>(v: Maybe<T>): v is T => v !== UNKNOWN;

/** The nodes, or none when the list is unusable (the schema reports why). */
const nodesOf = (view: SpecView): NodeView[] => (known(view.nodes) ? view.nodes : []);

/** Nodes whose address is known, with a name to show (the index when the name is not). */
function addressed(view: SpecView): { n: NodeView; address: string; name: string }[] {
  return nodesOf(view).flatMap((n) => (known(n.address) ? [{ n, address: n.address, name: known(n.name) ? n.name : `spec.nodes[${n.index}]` }] : []));
}

/** Every node's role, or UNKNOWN if any role (or the list) cannot be read: counts need them all. */
function roles(view: SpecView): Maybe<{ n: NodeView; role: Role }[]> {
  if (!known(view.nodes)) return UNKNOWN;
  const out: { n: NodeView; role: Role }[] = [];
  for (const n of view.nodes) {
    if (!known(n.role)) return UNKNOWN;
    out.push({ n, role: n.role });
  }
  return out;
}

const uniqueNodeNames: Rule = ({ source, view }) => {
  const first = new Map<string, NodeView>();
  const out: Diagnostic[] = [];
  for (const n of nodesOf(view)) {
    if (!known(n.name)) continue;
    const prev = first.get(n.name);
    if (prev) out.push(report(source, 'PICC201', ['spec', 'nodes', n.index, 'name'], `node name "${n.name}" is already used by spec.nodes[${prev.index}]`));
    else first.set(n.name, n);
  }
  return out;
};

const uniqueAddresses: Rule = ({ source, view }) => {
  const first = new Map<string, string>();
  const out: Diagnostic[] = [];
  for (const { n, address, name } of addressed(view)) {
    const prev = first.get(address);
    if (prev !== undefined) out.push(report(source, 'PICC202', ['spec', 'nodes', n.index, 'address'], `address ${address} is already used by node "${prev}"`));
    else first.set(address, name);
  }
  return out;
};

const addressesInSubnet: Rule = ({ source, view }) => {
  const { subnet: given, gateway: gw } = view.network;
  if (!known(given)) return [];
  const lan = parseCidr(given);
  const subnet = formatCidr(lan);
  const out: Diagnostic[] = [];
  if (known(gw) && !contains(lan, gw)) {
    out.push(report(source, 'PICC203', ['spec', 'network', 'gateway'], `gateway ${gw} is outside spec.network.subnet ${subnet}`, {
      hint: `use the router's address inside ${subnet}, or correct the subnet`,
    }));
  }
  for (const { n, address } of addressed(view)) {
    if (!contains(lan, address)) {
      out.push(report(source, 'PICC203', nodePath(n, 'address'), `${address} is outside spec.network.subnet ${subnet}`, {
        hint: `give the node an address inside ${subnet}, or widen the subnet`,
      }));
    }
  }
  return out;
};

const reservedAddresses: Rule = ({ source, view }) => {
  const { subnet, gateway } = view.network;
  if (!known(subnet)) return [];
  const lan = parseCidr(subnet);
  if (lan.prefix >= 31) return [];
  const reserved = new Map([
    [intToIp(lan.network), 'the network address'],
    [intToIp(broadcast(lan)), 'the broadcast address'],
  ]);
  if (known(gateway)) reserved.set(gateway, 'the gateway');
  return addressed(view).flatMap(({ n, address }) => {
    const what = reserved.get(address);
    return what ? [report(source, 'PICC204', nodePath(n, 'address'), `${address} is ${what} of the LAN`, { hint: 'pick a free host address' })] : [];
  });
};

const networksAreNetworkAddresses: Rule = ({ source, view }) => {
  const fields: [DocPath, Maybe<string | undefined>][] = [
    [['spec', 'network', 'subnet'], view.network.subnet],
    [['spec', 'kubernetes', 'podSubnet'], view.kubernetes.podSubnet],
    [['spec', 'kubernetes', 'serviceSubnet'], view.kubernetes.serviceSubnet],
  ];
  return fields.flatMap(([path, value]) => {
    if (value === undefined || !known(value)) return [];
    const c = parseCidr(value);
    return c.address === c.network ? [] : [report(source, 'PICC216', path, `${value} has host bits set`, { hint: `write the network address: ${formatCidr(c)}` })];
  });
};

const noLoopbackDns: Rule = ({ source, view }) => {
  const dns = view.network.dns;
  if (!known(dns)) return [];
  return dns.flatMap((ip, i) => (known(ip) && isLoopback(ip) ? [report(source, 'PICC205', ['spec', 'network', 'dns', i], `${ip} is a loopback address`)] : []));
};

const networksDoNotOverlap: Rule = ({ source, view }) => {
  const k = view.kubernetes;
  const nets: { name: string; path: DocPath; value: Maybe<string>; written: boolean }[] = [
    { name: 'spec.network.subnet', path: ['spec', 'network', 'subnet'], value: view.network.subnet, written: true },
    { name: 'spec.kubernetes.podSubnet', path: ['spec', 'kubernetes', 'podSubnet'], value: k.podSubnet ?? DEFAULTS.podSubnet, written: k.podSubnet !== undefined },
    { name: 'spec.kubernetes.serviceSubnet', path: ['spec', 'kubernetes', 'serviceSubnet'], value: k.serviceSubnet ?? DEFAULTS.serviceSubnet, written: k.serviceSubnet !== undefined },
  ];
  const out: Diagnostic[] = [];
  for (let i = 0; i < nets.length; i++) {
    for (let j = i + 1; j < nets.length; j++) {
      const a = nets[i]!;
      const b = nets[j]!;
      if (!known(a.value) || !known(b.value)) continue;
      if (overlaps(parseCidr(a.value), parseCidr(b.value))) {
        // Report at the later field the user wrote, or at the LAN subnet when both are defaults.
        const at = [b, a].find((n) => n.written) ?? a;
        // Name the field to change: the later of the pair, never the LAN (harder to renumber than a cluster).
        const unset = b.written ? '' : ` (it is not set, so the default ${b.value} applies)`;
        out.push(report(source, 'PICC206', at.path, `${b.name} ${b.value} overlaps ${a.name} ${a.value}`, {
          hint: `pod, service and LAN networks must be disjoint: set ${b.name} to a private range that neither of the others uses${unset}`,
        }));
      }
    }
  }
  return out;
};

const hasControlPlane: Rule = ({ source, view }) => {
  const all = roles(view);
  if (!known(all) || all.some((r) => r.role === 'control-plane')) return [];
  return [report(source, 'PICC207', ['spec', 'nodes'], 'no node has role: control-plane')];
};

const controlPlaneEndpoint: Rule = ({ source, view }) => {
  const all = roles(view);
  const endpoint = view.kubernetes.controlPlaneEndpoint;
  if (!known(all)) return [];
  const cps = all.filter((r) => r.role === 'control-plane');
  const path: DocPath = ['spec', 'kubernetes', 'controlPlaneEndpoint'];
  const out: Diagnostic[] = [];
  if (cps.length > 1 && cps.length % 2 === 0) {
    out.push(report(source, 'PICC209', ['spec', 'nodes'], `${cps.length} control planes: etcd needs a majority, so an even number tolerates no more failures than one fewer`, {
      severity: 'warning',
      hint: `use ${cps.length - 1} or ${cps.length + 1} control planes`,
    }));
  }
  if (!known(endpoint)) return out;
  if (cps.length > 1 && endpoint === undefined) {
    // At the `kubernetes:` key, where the field goes (not at its first entry, which is not wrong).
    out.push(report(source, 'PICC208', ['spec', 'kubernetes'], `${cps.length} control planes need spec.kubernetes.controlPlaneEndpoint, a virtual IP`, {
      atKey: true,
      hint: 'add controlPlaneEndpoint: <a free LAN address>:6443 here; picc runs kube-vip to hold that address',
    }));
  }
  if (endpoint === undefined) return out;
  const host = endpoint.slice(0, endpoint.lastIndexOf(':'));
  const owner = addressed(view).find((a) => a.address === host);
  const ownerRole = owner && all.find((r) => r.n === owner.n)?.role;
  if (cps.length > 1) {
    const { subnet, gateway } = view.network;
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
      out.push(report(source, 'PICC208', path, `with several control planes the endpoint must be a virtual IP address, not "${host}"`, {
        hint: 'kube-vip announces an IPv4 address by ARP; use a free address in the LAN',
      }));
    } else if (known(subnet) && !contains(parseCidr(subnet), host)) {
      out.push(report(source, 'PICC208', path, `virtual IP ${host} is outside spec.network.subnet ${formatCidr(parseCidr(subnet))}`, {
        hint: 'ARP reaches only the local subnet; pick a free address inside it',
      }));
    } else if (owner) {
      out.push(report(source, 'PICC208', path, `virtual IP ${host} is the address of node "${owner.name}"`, {
        hint: 'the virtual IP must be an address no machine uses',
      }));
    } else if (known(gateway) && host === gateway) {
      out.push(report(source, 'PICC208', path, `virtual IP ${host} is the gateway's address`, { hint: 'the virtual IP must be an address no machine uses' }));
    }
  } else if (owner && ownerRole !== 'control-plane') {
    out.push(report(source, 'PICC208', path, `endpoint ${host} is the address of worker "${owner.name}"`, {
      hint: 'point it at the control plane, or leave it out to use the control plane address',
    }));
  }
  return out;
};

const cniSupported: Rule = ({ source, view }) => {
  const cni = view.kubernetes.cni;
  const path: DocPath = ['spec', 'kubernetes', 'cni'];
  if (cni === 'weave') {
    return [report(source, 'PICC210', path, 'Weave Net is no longer maintained: Weaveworks shut down in 2024 and its install endpoint is gone', {
      hint: 'use flannel (the default), calico or cilium',
    })];
  }
  const calico = view.components.calicoVersion;
  if (calico !== undefined && !calicoVersions().includes(calico)) {
    return [report(source, 'PICC212', ['spec', 'components', 'calico'], `picc's catalog has no calico ${calico} (it knows ${calicoVersions().join(', ')})`, {
      hint: `use one of those, or give the digests: calico: {version: "${calico}", sha256: {operatorCrds: "<sha256 of manifests/operator-crds.yaml>", tigeraOperator: "<sha256 of manifests/tigera-operator.yaml>"}}`,
    })];
  }
  // Raspberry Pi OS kernels have lacked the BPF options cilium's agent needs: it would
  // crash-loop on every such node, so only an explicit opt-in (a custom kernel) allows it.
  if (cni === 'cilium' && !view.kubernetes.ciliumOnRaspberryPiOS) {
    return nodesOf(view)
      .filter((n) => known(n.os) && n.os.startsWith('raspios-'))
      .map((n) => report(source, 'PICC214', nodePath(n), `cilium needs kernel BTF (CONFIG_DEBUG_INFO_BTF) and BPF options that Raspberry Pi OS kernels lack (node "${known(n.name) ? n.name : `spec.nodes[${n.index}]`}", ${String(n.os)})`, {
        hint: 'use flannel or calico on Raspberry Pi OS, or Ubuntu 24.04 for cilium nodes; with a kernel you built with them, set spec.kubernetes.ciliumOnRaspberryPiOS: true',
      }));
  }
  return [];
};

/** kernelPageSize picks a Raspberry Pi 5 kernel, which only Raspberry Pi OS bookworm and trixie offer. */
const pageSizeChoosable: Rule = ({ source, view }) =>
  nodesOf(view).flatMap((n) => {
    if (!known(n.kernelPageSize) || n.kernelPageSize === null || !known(n.os) || !known(n.arch)) return [];
    const why = n.arch === 'amd64' ? 'it is an amd64 board, not a Raspberry Pi' : OS_PROFILES[n.os].noPageSizeChoice;
    if (why === null) return [];
    return [report(source, 'PICC221', nodePath(n), `node "${known(n.name) ? n.name : `spec.nodes[${n.index}]`}" sets kernelPageSize, but ${why}`, {
      hint: 'remove kernelPageSize from this node (or from nodeDefaults, setting it on the Raspberry Pi OS nodes that are Raspberry Pi 5s)',
    })];
  });

const kubernetesVersion: Rule = ({ source, view }) => {
  const version = view.kubernetes.version;
  if (!known(version) || KUBERNETES_MINORS[series(version)]) return [];
  const minors = kubernetesMinors();
  return [report(source, 'PICC211', ['spec', 'kubernetes', 'version'], `Kubernetes ${version} is outside the supported range ${minors[0]}–${minors.at(-1)}`, {
    hint: `use a ${minors[0]}.x to ${minors.at(-1)}.x release; older minors lack kubeadm's v1beta4 config API`,
  })];
};

const COMPONENT_FIELDS: [keyof SpecView['components'] & ('containerd' | 'runc' | 'cniPlugins' | 'ciliumCli'), ArtifactName][] = [
  ['containerd', 'containerd'],
  ['runc', 'runc'],
  ['cniPlugins', 'cni-plugins'],
  ['ciliumCli', 'cilium-cli'],
];

/** The components only `install: binaries` fetches (spec.components keys, also their catalog names). */
const BINARIES_ONLY: readonly (KubernetesBinary | 'crictl')[] = [...KUBERNETES_BINARIES, 'crictl'];

/** An artifact the nodes will download, whose sha256 must come from the catalog or the spec. */
interface Fetched {
  artifact: ArtifactName;
  version: string;
  sha256: Partial<Record<Arch, string>>;
  /** Where the spec writes it: its spec.components entry, or null when picc chose it. */
  field: string | null;
}

/**
 * What the nodes download whose version the spec decides: the pins it writes, and with
 * install: binaries kubeadm, kubelet and kubectl at spec.kubernetes.version (crictl is
 * picked from the catalog unless pinned). A binary pinned at another version is
 * reported by binariesFollowKubernetes, a version outside the supported range by
 * kubernetesVersion, not here.
 */
function fetched(view: SpecView): Fetched[] {
  const out: Fetched[] = [];
  for (const [field, artifact] of COMPONENT_FIELDS) {
    const given = view.components[field];
    if (given !== undefined && known(given)) out.push({ artifact, version: given.version, sha256: given.sha256, field });
  }
  if (view.kubernetes.install !== 'binaries') return out;
  const k8s = view.kubernetes.version;
  for (const name of BINARIES_ONLY) {
    const given = view.components[name];
    if (!known(given)) continue;
    if (given !== undefined) {
      if (name === 'crictl' || (known(k8s) && given.version === k8s)) out.push({ artifact: name, version: given.version, sha256: given.sha256, field: name });
    } else if (name !== 'crictl' && known(k8s) && KUBERNETES_MINORS[series(k8s)]) {
      out.push({ artifact: name, version: k8s, sha256: {}, field: null });
    }
  }
  return out;
}

const componentsKnown: Rule = ({ source, view }) => {
  // The arches of the nodes whose arch is known: a digest missing for one of them is certain.
  const arches = [...new Set(nodesOf(view).flatMap((n) => (known(n.arch) ? [n.arch] : [])))].sort() as Arch[];
  const out: Diagnostic[] = [];
  for (const { artifact, version, sha256, field } of fetched(view)) {
    const missing = arches.filter((a) => !sha256[a] && !catalogDigest(artifact, version, a));
    if (missing.length === 0) continue;
    const message = `${artifact} ${version} is not in picc's artifact catalog and no sha256 is given for ${missing.join(', ')}`;
    if (field !== null) {
      out.push(report(source, 'PICC212', ['spec', 'components', field], message, {
        hint: `use a version the catalog knows (${knownVersionsText(artifact)}) or add sha256: {${missing.map((a) => `${a}: <64 hex>`).join(', ')}}`,
      }));
    } else {
      // picc chose the version (install: binaries fetches spec.kubernetes.version): say where the entry goes.
      const digests = missing.map((a) => `${a}: <sha256 of ${upstreamUrl(artifact, version, a)}>`).join(', ');
      out.push(report(source, 'PICC212', ['spec', 'kubernetes', 'install'], message, {
        hint: `add to spec.components: ${artifact}: {version: "${version}", sha256: {${digests}}}, or use a Kubernetes version the catalog has binaries for (${knownVersionsText(artifact)})`,
      }));
    }
  }
  return out;
};

/** kubeadm, kubelet and kubectl are installed at spec.kubernetes.version; a pin may only add digests. */
const binariesFollowKubernetes: Rule = ({ source, view }) => {
  const k8s = view.kubernetes.version;
  if (view.kubernetes.install !== 'binaries' || !known(k8s)) return [];
  return KUBERNETES_BINARIES.flatMap((name) => {
    const given = view.components[name];
    if (given === undefined || !known(given) || given.version === k8s) return [];
    return [report(source, 'PICC213', ['spec', 'components', name], `${name} ${given.version} is not spec.kubernetes.version ${k8s}: kubeadm, kubelet and kubectl are installed at the cluster's version`, {
      hint: `write version: "${k8s}" here with that release's sha256, or change spec.kubernetes.version`,
    })];
  });
};

/** What one install method reads and the other ignores: written for the other, it does nothing. */
const unusedForInstallMethod: Rule = ({ source, view }) => {
  const install = view.kubernetes.install;
  if (!known(install)) return [];
  if (install === 'binaries') {
    return view.kubernetes.packageSigningKey
      ? [report(source, 'PICC220', ['spec', 'kubernetes', 'packageSigningKey'], 'packageSigningKey is not used with install: binaries: no package repository is configured', {
          severity: 'warning',
          atKey: true,
          hint: 'remove it, or use install: packages',
        })]
      : [];
  }
  return BINARIES_ONLY.filter((name) => view.components[name] !== undefined).map((name) =>
    report(source, 'PICC220', ['spec', 'components', name], `not used: kubeadm, kubelet, kubectl and crictl come from pkgs.k8s.io's packages unless spec.kubernetes.install is binaries`, {
      severity: 'warning',
      atKey: true,
      hint: 'remove it, or set spec.kubernetes.install: binaries to install them from dl.k8s.io with these digests',
    }));
};

const containerdMatchesKubernetes: Rule = ({ source, view }) => {
  const given = view.components.containerd;
  const k8s = view.kubernetes.version;
  if (!known(given) || !known(k8s)) return [];
  const version = given === undefined ? DEFAULT_VERSIONS.containerd : given.version;
  const supported = KUBERNETES_MINORS[series(k8s)];
  if (!supported) return [];
  const path: DocPath = given === undefined ? ['spec', 'kubernetes', 'version'] : ['spec', 'components', 'containerd'];
  const lowest = supported[series(version)];
  const list = Object.entries(supported).map(([s, min]) => `${s} (from ${min})`).join(', ');
  if (lowest === undefined || compareVersions(version, lowest) < 0) {
    const orDefault = given !== undefined ? `: pin one of those, or remove the pin to get the default ${DEFAULT_VERSIONS.containerd}` : '';
    return [report(source, 'PICC213', path, `containerd ${version} does not support Kubernetes ${series(k8s)}`, {
      hint: `Kubernetes ${series(k8s)} supports containerd ${list}${orDefault}`,
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

const labelsTheKubeletMaySet: Rule = ({ source, view }) =>
  view.labels.flatMap(({ path, keys }) =>
    keys
      .filter((key) => !kubeletMaySet(key))
      .map((key) => report(source, 'PICC218', [...path, key], `the kubelet refuses to start with label "${key}": it may not set labels in the kubernetes.io and k8s.io namespaces`, {
        atKey: true,
        hint: 'use a prefix of your own (e.g. homelab.example/role: storage), or node.kubernetes.io/…; node-role.kubernetes.io labels can only be added with kubectl label',
      })),
  );

/** A re-signing key only means something for packages that come from a mirror. */
const signingKeyNeedsMirror: Rule = ({ source, view }) =>
  view.kubernetes.packageSigningKey && !view.mirror && view.kubernetes.install === 'packages'
    ? [report(source, 'PICC219', ['spec', 'kubernetes', 'packageSigningKey'], 'packageSigningKey is for a mirror that re-signs pkgs.k8s.io, and there is no spec.mirror: pkgs.k8s.io itself is signed by its own key only', {
        atKey: true,
        hint: 'add spec.mirror (the mirror that signs with this key), or remove packageSigningKey',
      })]
    : [];

/**
 * Each node costs about 90 KiB of output and 15 ms of compile time (its setup.sh is also
 * inside its user-data): a 1 MiB spec of 25,000 one-line nodes would write gigabytes.
 * kubeadm clusters are tested to 5,000 nodes; a cluster of boards is far below 1,000.
 */
export const MAX_NODES = 1000;

const boundedNodeCount: Rule = ({ source, view }) => {
  if (!known(view.nodes) || view.nodes.length <= MAX_NODES) return [];
  return [report(source, 'PICC005', ['spec', 'nodes'], `spec.nodes lists ${view.nodes.length.toLocaleString('en-US')} nodes; picc compiles at most ${MAX_NODES.toLocaleString('en-US')}`, {
    atKey: true,
    hint: 'split the boards into several clusters, each with its own spec',
  })];
};

const RULES: Rule[] = [
  boundedNodeCount,
  uniqueNodeNames, uniqueAddresses, addressesInSubnet, reservedAddresses, networksAreNetworkAddresses, noLoopbackDns,
  networksDoNotOverlap, hasControlPlane, controlPlaneEndpoint, cniSupported, kubernetesVersion, componentsKnown,
  binariesFollowKubernetes, containerdMatchesKubernetes, labelsTheKubeletMaySet, signingKeyNeedsMirror, unusedForInstallMethod,
  pageSizeChoosable,
];

/**
 * Runs every rule on the spec's data, valid or not: a rule reads what it needs through
 * the view (view.ts) and skips any part that the schema stage reports as wrong, so a spec
 * with schema errors still gets every cross-field problem at once, each reported once.
 */
export function check(source: SourceDoc, data: unknown): Diagnostic[] {
  const ctx: Ctx = { source, view: specView(data) };
  return RULES.flatMap((rule) => rule(ctx));
}
