// Stage 2 (validate): every JSON-Schema keyword the spec uses maps to one diagnostic code,
// placed at the YAML node the user has to change, with a hint that says how.

import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { formatPath } from '../../src/diagnostics/diagnostic.js';
import { load } from '../../src/cluster-spec/load.js';
import { validate } from '../../src/cluster-spec/validate.js';

const BASE = `apiVersion: picc/v1alpha1
kind: Cluster
metadata:
  name: lab
spec:
  kubernetes:
    version: 1.34.2
    cni: flannel
    controlPlaneEndpoint: 192.168.1.101:6443
  network:
    subnet: 192.168.1.0/24
    gateway: 192.168.1.1
    dns: [192.168.1.1, 1.1.1.1]
  nodeDefaults:
    os: raspios-bookworm
    interface: eth0
    labels:
      disk: ssd
  access:
    user: pi
    sshAuthorizedKeys:
      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHbq2Vw0cK8tZqk6oA1mB2wOe7xY3n4JrS5dT6uV7wX8 me@laptop
    permitRootLogin: "no"
  components:
    containerd: 2.3.4
  mirror: http://192.168.1.10:8080/
  nodes:
    - name: cp-1
      role: control-plane
      address: 192.168.1.101
    - name: worker-1
      address: 192.168.1.111
      wifi: { ssid: homelab, country: PL }
      taints:
        - { key: dedicated, value: gpu, effect: NoSchedule }
`;

/** BASE with one line's text replaced; fails loudly if the line is not there (a test typo). */
function edit(from: string, to: string, text = BASE): string {
  if (!text.includes(from)) throw new Error(`test bug: ${JSON.stringify(from)} is not in the spec`);
  return text.replace(from, to);
}

function run(text: string): { diagnostics: Diagnostic[]; valid: boolean } {
  const loaded = load('cluster.yaml', text);
  expect(loaded.diagnostics).toEqual([]);
  const r = validate(loaded.value!);
  return { diagnostics: r.diagnostics, valid: r.value !== undefined };
}

/** 1-based line and column of the first occurrence of `needle` (the n-th with nth). */
function posOf(text: string, needle: string, nth = 1): { line: number; col: number } {
  let at = -1;
  for (let i = 0; i < nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`test bug: ${JSON.stringify(needle)} not found`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

interface Want {
  code: string;
  path: string;
  /** The text the diagnostic must point at (its first character). */
  at: string;
  nth?: number;
  message: RegExp;
  hint?: RegExp;
}

function expectOne(text: string, want: Want): Diagnostic {
  const { diagnostics, valid } = run(text);
  expect(valid).toBe(false);
  expect(diagnostics.map((d) => `${d.code} ${formatPath(d.path)}: ${d.message}`)).toHaveLength(1);
  const d = diagnostics[0]!;
  expect(d.severity).toBe('error');
  expect(d.code).toBe(want.code);
  expect(formatPath(d.path)).toBe(want.path);
  expect({ line: d.line, col: d.col }).toEqual(posOf(text, want.at, want.nth));
  expect(d.message).toMatch(want.message);
  if (want.hint) expect(d.hint).toMatch(want.hint);
  return d;
}

describe('validate: a valid spec', () => {
  it('passes with no diagnostics and gives the spec as data', () => {
    const { diagnostics, valid } = run(BASE);
    expect(diagnostics).toEqual([]);
    expect(valid).toBe(true);
  });

  it('accepts a component as a mapping with per-arch sha256 and calico with its digests', () => {
    const text = edit(
      '    containerd: 2.3.4\n',
      `    containerd: { version: 2.3.4 }\n    cniPlugins:\n      version: 1.9.0\n      sha256: { arm64: "${'a'.repeat(64)}" }\n    calico: { version: 3.30.3, sha256: { operatorCrds: "${'b'.repeat(64)}", tigeraOperator: "${'c'.repeat(64)}" } }\n`,
    );
    expect(run(text)).toEqual({ diagnostics: [], valid: true });
  });
});

describe('validate: unknown keys (additionalProperties → PICC101)', () => {
  const cases: [string, { given: string; want: Want }][] = [
    [
      'a misspelt key points at the key and suggests the right one',
      {
        given: edit('    cni: flannel', '    cnii: flannel'),
        want: { code: 'PICC101', path: 'spec.kubernetes.cnii', at: 'cnii', message: /^unknown key "cnii"$/, hint: /did you mean "cni"\?.*allowed here: version, podSubnet/ },
      },
    ],
    [
      'a misspelt top-level section',
      {
        given: edit('  mirror: ', '  miror: '),
        want: { code: 'PICC101', path: 'spec.miror', at: 'miror', message: /unknown key "miror"/, hint: /did you mean "mirror"/ },
      },
    ],
    [
      'a misspelt node field, in a list item',
      {
        given: edit('      address: 192.168.1.111', '      adress: 192.168.1.111\n      address: 192.168.1.112'),
        want: { code: 'PICC101', path: 'spec.nodes[1].adress', at: 'adress', message: /unknown key "adress"/, hint: /did you mean "address"/ },
      },
    ],
    [
      'a key far from every allowed one gets the list of allowed keys, no guess',
      {
        given: edit('    subnet: 192.168.1.0/24', '    subnet: 192.168.1.0/24\n    vlan: 12'),
        want: { code: 'PICC101', path: 'spec.network.vlan', at: 'vlan', message: /unknown key "vlan"/, hint: /^allowed here: subnet, gateway, dns, ntp$/ },
      },
    ],
  ];
  it.each(cases)('%s', (_name, { given, want }) => {
    const d = expectOne(given, want);
    // The caret covers the key itself.
    expect(d.span).toBe(want.path.split('.').at(-1)!.replace(/\[\d+\]$/, '').length);
  });
});

describe('validate: missing required keys (required → PICC102, at the parent)', () => {
  const cases: [string, { given: string; want: Want }][] = [
    [
      'a node without its address points at that node',
      {
        given: edit('      address: 192.168.1.111\n', ''),
        want: { code: 'PICC102', path: 'spec.nodes[1]', at: 'name: worker-1', message: /missing required key "address"/, hint: /add "address:" here/ },
      },
    ],
    [
      'network without a gateway points at the network mapping',
      {
        given: edit('    gateway: 192.168.1.1\n', ''),
        want: { code: 'PICC102', path: 'spec.network', at: 'subnet: 192.168.1.0/24', message: /missing required key "gateway"/ },
      },
    ],
    [
      'kubernetes without a version',
      {
        given: edit('    version: 1.34.2\n', ''),
        want: { code: 'PICC102', path: 'spec.kubernetes', at: 'cni: flannel', message: /missing required key "version"/ },
      },
    ],
    [
      'a missing top-level key points at the start of the document',
      {
        given: edit('kind: Cluster\n', ''),
        want: { code: 'PICC102', path: '(document)', at: 'apiVersion', message: /missing required key "kind"/ },
      },
    ],
  ];
  it.each(cases)('%s', (_name, { given, want }) => {
    expectOne(given, want);
  });
});

describe('validate: wrong types (type → PICC103)', () => {
  const cases: [string, { given: string; want: Want }][] = [
    [
      'an unquoted x.y version is a number where a version string is needed; the hint says what to write',
      {
        given: edit('    version: 1.34.2', '    version: 1.34'),
        want: { code: 'PICC103', path: 'spec.kubernetes.version', at: '1.34', message: /^expected a version x\.y\.z, found number 1\.34$/, hint: /^write a version x\.y\.z, e\.g\. 1\.34\.2$/ },
      },
    ],
    [
      'a number is shown as written, not as YAML read it (1.30, not 1.3)',
      {
        given: edit('    version: 1.34.2', '    version: 1.30'),
        want: { code: 'PICC103', path: 'spec.kubernetes.version', at: '1.30', message: /found number 1\.30$/ },
      },
    ],
    [
      'an unquoted number as a Wi-Fi SSID: quoting is the fix',
      {
        given: edit('ssid: homelab', 'ssid: 0042'),
        want: { code: 'PICC103', path: 'spec.nodes[1].wifi.ssid', at: '0042', message: /^expected a Wi-Fi SSID: 1 to 32 bytes of UTF-8 .*, found number 0042$/, hint: /^quote it so YAML reads it as text: "0042"$/ },
      },
    ],
    [
      'a single DNS server where a list is needed',
      {
        given: edit('    dns: [192.168.1.1, 1.1.1.1]', '    dns: 192.168.1.1'),
        want: { code: 'PICC103', path: 'spec.network.dns', at: '192.168.1.1\n', nth: 2, message: /expected a list, found string "192\.168\.1\.1"/ },
      },
    ],
    [
      'a list where a mapping is needed',
      {
        given: edit('    labels:\n      disk: ssd', '    labels: [disk]'),
        want: { code: 'PICC103', path: 'spec.nodeDefaults.labels', at: '[disk]', message: /expected a mapping, found a list/ },
      },
    ],
    [
      'an empty value (null) points at its key',
      {
        given: edit('    interface: eth0', '    interface:'),
        want: { code: 'PICC103', path: 'spec.nodeDefaults.interface', at: 'interface:', message: /expected a network interface name .*, found nothing \(null\)/ },
      },
    ],
  ];
  it.each(cases)('%s', (_name, { given, want }) => {
    expectOne(given, want);
  });
});

describe('validate: values not allowed (enum and const → PICC104)', () => {
  const cases: [string, { given: string; want: Want }][] = [
    [
      'a near-miss enum value gets "did you mean"',
      {
        given: edit('    cni: flannel', '    cni: flanel'),
        want: { code: 'PICC104', path: 'spec.kubernetes.cni', at: 'flanel', message: /"flanel" is not allowed here; expected one of "flannel", "calico", "cilium", "weave"/, hint: /did you mean "flannel"\?/ },
      },
    ],
    [
      'a far-off enum value lists the allowed values',
      {
        given: edit('      role: control-plane', '      role: master'),
        want: { code: 'PICC104', path: 'spec.nodes[0].role', at: 'master', message: /"master" is not allowed/, hint: /use one of "control-plane", "worker"/ },
      },
    ],
    [
      'a taint effect',
      {
        given: edit('effect: NoSchedule', 'effect: NoSchedul'),
        want: { code: 'PICC104', path: 'spec.nodes[1].taints[0].effect', at: 'NoSchedul', message: /NoSchedul/, hint: /did you mean "NoSchedule"/ },
      },
    ],
    [
      'apiVersion is a const',
      {
        given: edit('apiVersion: picc/v1alpha1', 'apiVersion: picc/v1'),
        want: { code: 'PICC104', path: 'apiVersion', at: 'picc/v1\n', message: /"picc\/v1" is not allowed here; expected "picc\/v1alpha1"/ },
      },
    ],
    [
      'kind is a const',
      {
        given: edit('kind: Cluster', 'kind: cluster'),
        want: { code: 'PICC104', path: 'kind', at: 'cluster\n', message: /expected "Cluster"/, hint: /did you mean "Cluster"/ },
      },
    ],
    [
      'an empty enum value points at its key',
      {
        given: edit('    permitRootLogin: "no"', '    permitRootLogin:'),
        want: { code: 'PICC104', path: 'spec.access.permitRootLogin', at: 'permitRootLogin:', message: /null is not allowed/ },
      },
    ],
    [
      'permitRootLogin written as a YAML 1.1 boolean',
      {
        given: edit('    permitRootLogin: "no"', '    permitRootLogin: false'),
        want: { code: 'PICC104', path: 'spec.access.permitRootLogin', at: 'false', message: /false is not allowed/ },
      },
    ],
  ];
  it.each(cases)('%s', (_name, { given, want }) => {
    expectOne(given, want);
  });
});

describe('validate: every custom format (format → PICC105)', () => {
  const cases: [string, { given: string; want: Want }][] = [
    ['ipv4', { given: edit('      address: 192.168.1.111', '      address: 192.168.1.300'), want: { code: 'PICC105', path: 'spec.nodes[1].address', at: '192.168.1.300', message: /"192\.168\.1\.300" is not an IPv4 address/, hint: /for example 192\.168\.1\.101/ } }],
    ['ipv4 with too few parts', { given: edit('    gateway: 192.168.1.1', '    gateway: 192.168.1'), want: { code: 'PICC105', path: 'spec.network.gateway', at: '192.168.1\n', message: /not an IPv4 address/ } }],
    ['ipv4-cidr', { given: edit('    subnet: 192.168.1.0/24', '    subnet: 192.168.1.0/33'), want: { code: 'PICC105', path: 'spec.network.subnet', at: '192.168.1.0/33', message: /not an IPv4 network in CIDR form/, hint: /192\.168\.1\.0\/24/ } }],
    ['version', { given: edit('    version: 1.34.2', '    version: v1.34.2'), want: { code: 'PICC105', path: 'spec.kubernetes.version', at: 'v1.34.2', message: /"v1\.34\.2" is not a version x\.y\.z/ } }],
    ['sha256', { given: edit('    containerd: 2.3.4', '    containerd: { version: 2.3.4, sha256: { arm64: ABC } }'), want: { code: 'PICC105', path: 'spec.components.containerd.sha256.arm64', at: 'ABC', message: /not a sha256 digest/ } }],
    ['dns-label (node name)', { given: edit('    - name: worker-1', '    - name: Worker_1'), want: { code: 'PICC105', path: 'spec.nodes[1].name', at: 'Worker_1', message: /not a DNS label/ } }],
    ['dns-label (cluster name)', { given: edit('  name: lab', '  name: -lab'), want: { code: 'PICC105', path: 'metadata.name', at: '-lab', message: /not a DNS label/ } }],
    ['dns-name', { given: edit('    cni: flannel', '    cni: flannel\n    dnsDomain: Cluster..local'), want: { code: 'PICC105', path: 'spec.kubernetes.dnsDomain', at: 'Cluster..local', message: /not a DNS domain name/ } }],
    ['host-port', { given: edit('192.168.1.101:6443', '192.168.1.101'), want: { code: 'PICC105', path: 'spec.kubernetes.controlPlaneEndpoint', at: '192.168.1.101\n', message: /not host:port/, hint: /192\.168\.1\.100:6443/ } }],
    ['host-port with a port out of range', { given: edit('192.168.1.101:6443', '192.168.1.101:70000'), want: { code: 'PICC105', path: 'spec.kubernetes.controlPlaneEndpoint', at: '192.168.1.101:70000', message: /not host:port/ } }],
    ['http-url', { given: edit('  mirror: http://192.168.1.10:8080/', '  mirror: ftp://192.168.1.10/'), want: { code: 'PICC105', path: 'spec.mirror', at: 'ftp://', message: /not an http:\/\/ or https:\/\/ URL/ } }],
    ['interface-name', { given: edit('    interface: eth0', '    interface: this-name-is-too-long'), want: { code: 'PICC105', path: 'spec.nodeDefaults.interface', at: 'this-name', message: /not a network interface name/ } }],
    ['ntp-server', { given: edit('    dns: [192.168.1.1, 1.1.1.1]', '    dns: [192.168.1.1, 1.1.1.1]\n    ntp: [ntp_server]'), want: { code: 'PICC105', path: 'spec.network.ntp[0]', at: 'ntp_server]', message: /not an NTP server/, hint: /192\.168\.1\.1/ } }],
    ['openpgp-fingerprint', { given: edit('    cni: flannel', '    cni: flannel\n    packageSigningKey: de15b14486cd377b9e876e1a234654da9a296436'), want: { code: 'PICC105', path: 'spec.kubernetes.packageSigningKey', at: 'de15b144', message: /not an OpenPGP key fingerprint/, hint: /DE15B14486CD377B9E876E1A234654DA9A296436/ } }],
    ['country-code', { given: edit('country: PL', 'country: pl'), want: { code: 'PICC105', path: 'spec.nodes[1].wifi.country', at: 'pl }', message: /not a two-letter country code/, hint: /PL/ } }],
    ['duration', { given: edit('    cni: flannel', '    cni: flannel\n    bootstrapTokenTTL: 1d'), want: { code: 'PICC105', path: 'spec.kubernetes.bootstrapTokenTTL', at: '1d', message: /not a duration/, hint: /24h/ } }],
    ['unix-user', { given: edit('    user: pi', '    user: Pi'), want: { code: 'PICC105', path: 'spec.access.user', at: 'Pi\n', message: /not a Linux user name/ } }],
    ['ssh-public-key', { given: edit('      - ssh-ed25519 AAAA', '      - ssh-foo AAAA'), want: { code: 'PICC105', path: 'spec.access.sshAuthorizedKeys[0]', at: 'ssh-foo', message: /not an SSH public key line/ } }],
    ['ssh-public-key: a comment with U+2028 (a line break to YAML 1.1)', { given: edit(' me@laptop', ' me@laptop\u2028runcmd'), want: { code: 'PICC105', path: 'spec.access.sshAuthorizedKeys[0]', at: 'ssh-ed25519', message: /\\u2028runcmd" contains U\+2028 at character \d+; control characters, U\+0085, U\+2028 and U\+2029 are not allowed here$/ } }],
    ['ssh-public-key: a comment with a TAB', { given: edit(' me@laptop', ' me@\tlaptop'), want: { code: 'PICC105', path: 'spec.access.sshAuthorizedKeys[0]', at: 'ssh-ed25519', message: /me@\\tlaptop" contains U\+0009 at character \d+;/ } }],
    ['ssid: 33 bytes in 9 characters (counted in bytes, not characters)', { given: edit('ssid: homelab', 'ssid: "' + '\\U0001F600'.repeat(8) + 'a"'), want: { code: 'PICC105', path: 'spec.nodes[1].wifi.ssid', at: '"\\U0001F600', message: /^"(\u{1F600}){8}a" is 33 bytes of UTF-8; a Wi-Fi SSID is 1 to 32 bytes$/u } }],
    ['ssid: empty', { given: edit('ssid: homelab', 'ssid: ""'), want: { code: 'PICC105', path: 'spec.nodes[1].wifi.ssid', at: '""', message: /^"" is 0 bytes of UTF-8; a Wi-Fi SSID is 1 to 32 bytes$/ } }],
    ['ssid: a DEL', { given: edit('ssid: homelab', 'ssid: "home\x7flab"'), want: { code: 'PICC105', path: 'spec.nodes[1].wifi.ssid', at: '"home', message: /^"home\\u007flab" contains U\+007F at character 5;/ } }],
    ['ssid: U+0085 (NEL)', { given: edit('ssid: homelab', 'ssid: "home\x85lab"'), want: { code: 'PICC105', path: 'spec.nodes[1].wifi.ssid', at: '"home', message: /^"home\\u0085lab" contains U\+0085 at character 5;/ } }],
    ['label-value', { given: edit('      disk: ssd', '      disk: "fast disk"'), want: { code: 'PICC105', path: 'spec.nodeDefaults.labels.disk', at: '"fast disk"', message: /not a Kubernetes label value/ } }],
    ['label-key: points at the key itself, once', { given: edit('      disk: ssd', '      "bad key": ssd'), want: { code: 'PICC105', path: 'spec.nodeDefaults.labels.bad key', at: '"bad key"', message: /"bad key" is not a Kubernetes label key/ } }],
    ['label-key in a taint', { given: edit('key: dedicated', 'key: "dedi cated"'), want: { code: 'PICC105', path: 'spec.nodes[1].taints[0].key', at: '"dedi cated"', message: /not a Kubernetes label key/ } }],
  ];
  it.each(cases)('%s', (_name, { given, want }) => {
    expectOne(given, want);
  });

  it('covers every format the schema declares', async () => {
    const { FORMATS } = await import('../../src/cluster-spec/formats.js');
    const tested = new Set(cases.map(([name]) => name.split(/[ :]/)[0]));
    expect([...Object.keys(FORMATS)].filter((f) => !tested.has(f))).toEqual([]);
  });
});

describe('validate: out of range (other keywords → PICC106)', () => {
  it('an empty node list', () => {
    const text = BASE.slice(0, BASE.indexOf('  nodes:')) + '  nodes: []\n';
    expectOne(text, { code: 'PICC106', path: 'spec.nodes', at: '[]', message: /^the list has 0 entries; it needs at least 1$/ });
  });
});

describe('validate: a component is a version string or a mapping (oneOf)', () => {
  const cases: [string, { given: string; want: Want }][] = [
    [
      'a malformed version string gets the version-format message only',
      {
        given: edit('    containerd: 2.3.4', '    containerd: "2.3"'),
        want: { code: 'PICC105', path: 'spec.components.containerd', at: '"2.3"', message: /"2\.3" is not a version x\.y\.z/ },
      },
    ],
    [
      'a mapping with a misspelt key gets the mapping branch only',
      {
        given: edit('    containerd: 2.3.4', '    containerd: { version: 2.3.4, sha265: {} }'),
        want: { code: 'PICC101', path: 'spec.components.containerd.sha265', at: 'sha265', message: /unknown key "sha265"/, hint: /did you mean "sha256"/ },
      },
    ],
    [
      'a mapping with a bad digest reports the digest, not "must match one schema"',
      {
        given: edit('    containerd: 2.3.4', '    containerd: { version: 2.3.4, sha256: { amd64: xyz } }'),
        want: { code: 'PICC105', path: 'spec.components.containerd.sha256.amd64', at: 'xyz', message: /not a sha256 digest/ },
      },
    ],
    [
      'a mapping without its version',
      {
        given: edit('    containerd: 2.3.4', '    containerd: { sha256: {} }'),
        want: { code: 'PICC102', path: 'spec.components.containerd', at: '{ sha256', message: /missing required key "version"/ },
      },
    ],
    [
      'a number (neither form) gets one message naming both forms',
      {
        given: edit('    containerd: 2.3.4', '    containerd: 2.3'),
        want: { code: 'PICC103', path: 'spec.components.containerd', at: '2.3\n', message: /expected a version like 2\.3\.4, or \{version, sha256: \{arm64, amd64\}\}; found number 2\.3/ },
      },
    ],
    [
      'a list (neither form)',
      {
        given: edit('    containerd: 2.3.4', '    containerd: [2.3.4]'),
        want: { code: 'PICC103', path: 'spec.components.containerd', at: '[2.3.4]', message: /found a list/ },
      },
    ],
  ];
  it.each(cases)('%s', (_name, { given, want }) => {
    const d = expectOne(given, want);
    expect(d.message).not.toMatch(/must match/);
  });
});

describe('validate: all problems at once', () => {
  it('reports every error of the file, each at its own place', () => {
    let text = edit('    cni: flannel', '    cnii: flannel');
    text = edit('      address: 192.168.1.111', '      address: 192.168.1.300', text);
    text = edit('    version: 1.34.2', '    version: 1.34', text);
    text = edit('      role: control-plane', '      role: master', text);
    text = edit('    containerd: 2.3.4', '    containerd: "2.3"', text);
    const { diagnostics } = run(text);
    const got = diagnostics.map((d) => [d.code, formatPath(d.path), d.line]).sort((a, b) => Number(a[2]) - Number(b[2]));
    expect(got).toEqual([
      ['PICC103', 'spec.kubernetes.version', posOf(text, '1.34\n').line],
      ['PICC101', 'spec.kubernetes.cnii', posOf(text, 'cnii').line],
      ['PICC105', 'spec.components.containerd', posOf(text, '"2.3"').line],
      ['PICC104', 'spec.nodes[0].role', posOf(text, 'master').line],
      ['PICC105', 'spec.nodes[1].address', posOf(text, '192.168.1.300').line],
    ]);
  });

  it('never returns "invalid" without saying why', () => {
    // Every single-line corruption of BASE that fails validation must come with a diagnostic.
    const lines = BASE.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^(\s*(?:- )?[A-Za-z]+: )(.+)$/.exec(lines[i]!);
      if (!m) continue;
      const text = [...lines.slice(0, i), `${m[1]}[]`, ...lines.slice(i + 1)].join('\n');
      const loaded = load('cluster.yaml', text);
      if (loaded.diagnostics.length > 0) continue;
      const r = validate(loaded.value!);
      if (r.value === undefined) expect(r.diagnostics.length, `line ${i + 1}: ${lines[i]}`).toBeGreaterThan(0);
    }
  });
});
