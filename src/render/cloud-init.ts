// cloud-init NoCloud seed for one node, built as data: user-data installs setup.sh and the
// unit that runs it, and starts that unit at first boot; network-config gives the static address from the first boot on;
// meta-data's instance-id is a hash of both, so a changed seed is applied as a new instance.

import { createHash } from 'node:crypto';
import type { ClusterPlan, NodePlan } from '../plan/types.js';
import { netplanDocument } from '../plan/network.js';
import { toYaml, toYamlParts } from '../text/yaml.js';

export function userData(cluster: ClusterPlan, node: NodePlan, setupScript: string, banner: string): string {
  return userDataParts(cluster, node, [setupScript], banner).join('');
}

// Stands for setup.sh in the document until toYamlParts writes its parts in its place;
// holds a NUL, so no value of the plan can be equal to it.
const SETUP_SCRIPT = '\0picc:setup.sh\0';

/** userData as a list of strings (setup.sh given as parts, which it keeps apart: see setup-script.ts). */
export function userDataParts(cluster: ClusterPlan, node: NodePlan, setupScript: readonly string[], banner: string): string[] {
  const doc = userDataDocument(cluster, node, SETUP_SCRIPT);
  const head = `#cloud-config\n${banner}${cloudInitNote(node)}`;
  const parts = toYamlParts(doc, new Map([[SETUP_SCRIPT, setupScript]]));
  if (parts) return [head, ...parts];
  return [head, toYaml(userDataDocument(cluster, node, setupScript.join('')))];
}

function userDataDocument(cluster: ClusterPlan, node: NodePlan, setupScript: string): Record<string, unknown> {
  const user: Record<string, unknown> = {
    name: cluster.access.user,
    groups: ['adm', 'sudo'],
    shell: '/bin/bash',
    sudo: 'ALL=(ALL) NOPASSWD:ALL',
    lock_passwd: true,
  };
  if (cluster.access.sshAuthorizedKeys.length > 0) user['ssh_authorized_keys'] = cluster.access.sshAuthorizedKeys;
  const doc = {
    hostname: node.name,
    preserve_hostname: false,
    // setup.sh owns /etc/hosts (every node of the cluster); cloud-init must not rewrite it.
    manage_etc_hosts: false,
    users: [user],
    ssh_pwauth: false,
    // The unit is in place before anything can fail; runcmd only starts it, without waiting,
    // so cloud-init finishes (and `cloud-init status --wait` returns) while setup runs on.
    write_files: [
      { path: node.state.installPath, owner: 'root:root', permissions: '0700', content: setupScript },
      { path: node.state.unit.path, owner: 'root:root', permissions: node.state.unit.mode, content: node.state.unit.content },
    ],
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', node.state.unitName],
      ['systemctl', 'start', '--no-block', node.state.unitName],
    ],
  };
  return doc;
}

/** Bullseye and bookworm images run no cloud-init: say so where the user will look. */
function cloudInitNote(node: NodePlan): string {
  return node.os.cloudInit
    ? ''
    : `# ${node.os.prettyName} does not run cloud-init: this seed is ignored on its SD card. Use \`picc boot\` (it puts first-boot.sh and setup.sh on the card) or run setup.sh on the board.\n`;
}

export function networkConfig(cluster: ClusterPlan, node: NodePlan, banner: string): string {
  const doc = netplanDocument(
    { cluster: cluster.name, node: node.name, interface: node.interface, address: node.address, prefix: node.prefix, gateway: cluster.network.gateway, dns: cluster.network.dns, wifi: node.wifi },
    node.network.addressCidr,
    null,
  );
  return banner + toYaml(doc);
}

export function metaData(node: NodePlan, userDataText: string | readonly string[], networkConfigText: string): string {
  const hash = createHash('sha256');
  for (const part of typeof userDataText === 'string' ? [userDataText] : userDataText) hash.update(part);
  const id = hash.update('\0').update(networkConfigText).digest('hex').slice(0, 16);
  return toYaml({ 'instance-id': `picc-${node.name}-${id}`, 'local-hostname': node.name });
}
