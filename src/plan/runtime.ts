// Plan for the container runtime: containerd, runc and the CNI plugins from release
// artifacts (pinned version, sha256 from the catalog or the spec), containerd's unit
// and a config.toml written whole (never `config default` + sed: see domain-facts §4.2).

import type { Arch, ComponentSpec } from '../cluster-spec/types.js';
import { DEFAULT_VERSIONS, RUNC_FOR_CONTAINERD_SERIES, catalogDigest, series, upstreamUrl, type ArtifactName } from './catalog.js';
import type { Download, FileSpec, NodePlan } from './types.js';
import { viaMirror } from './urls.js';

export const DOWNLOAD_DIR = '/var/cache/picc/downloads';
export const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

export interface Components {
  containerd?: ComponentSpec;
  runc?: ComponentSpec;
  cniPlugins?: ComponentSpec;
  ciliumCli?: ComponentSpec;
}

/** Resolves an artifact: the spec's pin (and digest) if given, else the catalog default. */
export function download(name: ArtifactName, given: ComponentSpec | undefined, fallbackVersion: string, arch: Arch, mirror: string | null): Download {
  const version = given === undefined ? fallbackVersion : typeof given === 'string' ? given : given.version;
  const specDigest = typeof given === 'object' ? given.sha256?.[arch] : undefined;
  const sha256 = specDigest ?? catalogDigest(name, version, arch);
  // The check stage refuses a version without a digest; reaching here without one is a bug.
  if (!sha256) throw new Error(`no sha256 for ${name} ${version} ${arch}`);
  const url = upstreamUrl(name, version, arch);
  return { name, version, sha256, url: viaMirror(url, mirror), file: url.slice(url.lastIndexOf('/') + 1) };
}

export function runtimePlan(components: Components, arch: Arch, mirror: string | null): NodePlan['runtime'] {
  const containerd = download('containerd', components.containerd, DEFAULT_VERSIONS.containerd, arch, mirror);
  const runcDefault = RUNC_FOR_CONTAINERD_SERIES[series(containerd.version)] ?? DEFAULT_VERSIONS.runc;
  const runc = download('runc', components.runc, runcDefault, arch, mirror);
  const cniPlugins = download('cni-plugins', components.cniPlugins, DEFAULT_VERSIONS['cni-plugins'], arch, mirror);
  const configVersion = containerd.version.startsWith('1.') ? 2 : 3;
  return {
    downloadDir: DOWNLOAD_DIR,
    containerd,
    runc,
    cniPlugins,
    unit: containerdUnit(),
    configTemplate: { path: '/etc/containerd/config.toml', mode: '0644', content: configVersion === 3 ? configV3() : configV2() },
    configVersion,
    crictl: { path: '/etc/crictl.yaml', mode: '0644', content: `runtime-endpoint: ${CRI_SOCKET}\nimage-endpoint: ${CRI_SOCKET}\n` },
    criSocket: CRI_SOCKET,
  };
}

function containerdUnit(): FileSpec {
  const content = `# containerd, installed from its release tarball by picc
[Unit]
Description=containerd container runtime
Documentation=https://containerd.io
After=network.target local-fs.target dbus.service

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/containerd
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
`;
  return { path: '/usr/local/lib/systemd/system/containerd.service', mode: '0644', content };
}

// containerd 2.x reads config version 3; the CRI plugin is split into runtime and images.
function configV3(): string {
  return `# containerd configuration (managed by picc)
version = 3

[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = '@PAUSE_IMAGE@'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = 'io.containerd.runc.v2'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = true
`;
}

// containerd 1.7 reads config version 2. runtime_type is explicit: a partial runc
// table otherwise leaves it empty (containerd issue 6964).
function configV2(): string {
  return `# containerd configuration (managed by picc)
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "@PAUSE_IMAGE@"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
`;
}
