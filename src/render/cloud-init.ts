// cloud-init NoCloud seed for one node, built as data: user-data installs setup.sh and the
// unit that runs it, and starts that unit at first boot; network-config gives the static address from the first boot on;
// meta-data's instance-id is a hash of both, so a changed seed is applied as a new instance.

import { createHash } from 'node:crypto';
import type { ClusterPlan, NodePlan } from '../plan/types.js';
import { netplanDocument } from '../plan/network.js';
import { toYaml } from '../text/yaml.js';

export function userData(cluster: ClusterPlan, node: NodePlan, setupScript: string, banner: string): string {
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
  // Bullseye and bookworm images run no cloud-init: say so where the user will look.
  const note = node.os.cloudInit
    ? ''
    : `# ${node.os.prettyName} does not run cloud-init: this seed is ignored on its SD card. Use \`picc boot\` (it puts first-boot.sh and setup.sh on the card) or run setup.sh on the board.\n`;
  return `#cloud-config\n${banner}${note}${toYaml(doc)}`;
}

export function networkConfig(cluster: ClusterPlan, node: NodePlan, banner: string): string {
  const doc = netplanDocument(
    { cluster: cluster.name, node: node.name, interface: node.interface, address: node.address, prefix: node.prefix, gateway: cluster.network.gateway, dns: cluster.network.dns, wifi: node.wifi },
    node.network.addressCidr,
    null,
  );
  return banner + toYaml(doc);
}

export function metaData(node: NodePlan, userDataText: string, networkConfigText: string): string {
  const id = createHash('sha256').update(userDataText).update('\0').update(networkConfigText).digest('hex').slice(0, 16);
  return toYaml({ 'instance-id': `picc-${node.name}-${id}`, 'local-hostname': node.name });
}
