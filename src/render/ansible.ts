// The Ansible rollout in <cluster>/ansible/, built as data from the plan:
//   inventory.yaml  the nodes by rollout group, each with its address as ansible_host
//   site.yml        three plays: the first control plane, the other control planes one at a
//                   time, the workers in batches; each imports setup-node.yml
//   setup-node.yml  one node: copy its setup.sh, run it, reboot when it asks (the setup unit
//                   resumes setup after the boot), wait for it, fail with the log's tail
//   upgrade.yml, upgrade-node.yml  only while the plan upgrades (ansible-upgrade.ts)
// The plays' and tasks' shared building blocks are in ansible-tasks.ts.
// Only ansible.builtin modules. The files name no secret: setup.sh is copied from the node's
// folder beside this one. Deterministic: a pure function of the plan.

import type { ClusterPlan } from '../plan/types.js';
import { toYaml } from '../text/yaml.js';
import {
  banner, copyScriptTasks, DEFAULT_REMOTE_DIR, GROUPS, groupPlay, logTailRescue, NODE_VARS, rolloutGroups, runScriptTask, stateOf, waitForSetupUnit,
} from './ansible-tasks.js';
import { hasUpgrade, upgradeNodeTasks, upgradePlaybook } from './ansible-upgrade.js';

export { DEFAULT_REMOTE_DIR, GROUPS } from './ansible-tasks.js';

export const ANSIBLE_DIR = 'ansible';

/** Workers set up at once unless picc_worker_batch says otherwise: each downloads its packages and images. */
export const DEFAULT_WORKER_BATCH = 10;
/** A rebooting Pi gets this long to be back on SSH (and done booting). */
export const REBOOT_TIMEOUT_SECONDS = 1800;

export interface AnsibleFile {
  /** Name inside <cluster>/ansible/. */
  name: string;
  content: string;
}

export function ansibleExport(cluster: ClusterPlan): AnsibleFile[] {
  return [
    { name: 'inventory.yaml', content: inventory(cluster) },
    { name: 'setup-node.yml', content: setupNodeTasks(cluster) },
    { name: 'site.yml', content: sitePlaybook(cluster) },
    // Only while the plan moves the cluster to a new version (the nodes have upgrade.sh).
    ...(hasUpgrade(cluster)
      ? [
          { name: 'upgrade-node.yml', content: upgradeNodeTasks(cluster) },
          { name: 'upgrade.yml', content: upgradePlaybook(cluster) },
        ]
      : []),
  ];
}

const INVENTORY_HEADER =
  '# The nodes of the cluster by rollout group, for site.yml beside this file.\n' +
  "# ansible_user is the admin login picc's seed creates on every board (with passwordless sudo).\n" +
  '# Variables site.yml reads, all optional (set them here under all.vars, or with -e):\n' +
  `#   picc_worker_batch   workers set up at once (default ${DEFAULT_WORKER_BATCH})\n` +
  `#   picc_remote_dir     folder on the node setup.sh is copied to (default ${DEFAULT_REMOTE_DIR})\n` +
  '#   picc_environment    environment setup.sh runs with (default none; PICC_ROOT in it also\n' +
  "#                       roots the paths the play reads, as it roots setup.sh's own)\n";

const INVENTORY_HEADER_WITH_UPGRADE =
  '# The nodes of the cluster by rollout group, for site.yml and upgrade.yml beside this file.\n' +
  "# ansible_user is the admin login picc's seed creates on every board (with passwordless sudo).\n" +
  '# Variables the playbooks read, all optional (set them here under all.vars, or with -e):\n' +
  `#   picc_worker_batch   workers site.yml sets up at once (default ${DEFAULT_WORKER_BATCH}; upgrade.yml: one)\n` +
  '#   picc_remote_dir     folder on the node setup.sh and upgrade.sh are copied to\n' +
  `#                       (default ${DEFAULT_REMOTE_DIR})\n` +
  '#   picc_environment    environment the scripts run with (default none; PICC_ROOT in it also\n' +
  "#                       roots the paths the plays read, as it roots the scripts' own); upgrade.yml\n" +
  "#                       drains a worker from the first control plane with that host's\n" +
  '#                       picc_environment\n';

export function inventory(cluster: ClusterPlan): string {
  const groups = rolloutGroups(cluster);
  const children: Record<string, unknown> = {};
  for (const key of Object.keys(GROUPS) as (keyof typeof GROUPS)[]) {
    const hosts: Record<string, unknown> = {};
    for (const node of groups[key]) hosts[node.name] = { ansible_host: node.address };
    children[GROUPS[key]] = { hosts };
  }
  const header = banner(cluster) + (hasUpgrade(cluster) ? INVENTORY_HEADER_WITH_UPGRADE : INVENTORY_HEADER);
  return header + '---\n' + toYaml({ all: { vars: { ansible_user: cluster.access.user }, children } });
}

export function sitePlaybook(cluster: ClusterPlan): string {
  const setup = (name: string, group: keyof typeof GROUPS, keywords: Record<string, unknown>) =>
    groupPlay(name, group, 'setup-node.yml', 'Set up the node with its setup.sh', keywords);
  const plays = [
    // Nothing else can join without it.
    setup('The first control plane (kubeadm init)', 'firstControlPlane', { any_errors_fatal: true }),
    // Concurrent etcd member adds can fail; each also waits for the one before it.
    setup('The other control planes, one at a time', 'otherControlPlanes', { serial: 1, any_errors_fatal: true }),
    setup('The workers, in batches', 'workers', { serial: `{{ picc_worker_batch | default(${DEFAULT_WORKER_BATCH}) }}` }),
  ];
  const header =
    banner(cluster) +
    '# Rolls the cluster out: each node gets its own setup.sh (from ../<node>/) and runs it as root.\n' +
    '#   ansible-playbook -i inventory.yaml site.yml\n' +
    '# A failed control plane stops the rollout. A failed worker fails alone and the next\n' +
    '# batches go on; a batch in which every worker fails stops it (a shared cause: the\n' +
    '# control plane, the network or the mirror). Run it again after fixing: setup.sh keeps\n' +
    '# what is done, and a node already set up reports no change.\n' +
    (hasUpgrade(cluster) ? '# The cluster moves to a new Kubernetes version: upgrade.yml beside this file upgrades it.\n' : '');
  return header + '---\n' + toYaml(plays);
}

export function setupNodeTasks(cluster: ClusterPlan): string {
  const state = stateOf(cluster);
  const block = {
    name: "Set up this node with picc's setup.sh",
    vars: NODE_VARS,
    block: [
      ...copyScriptTasks('setup.sh'),
      waitForSetupUnit(state, 'Wait for a setup already running on the node'),
      // Without --reboot: when setup needs a reboot it exits 0 and leaves the mark read below.
      runScriptTask('setup.sh', 'picc_setup', ' is already set up: 0 changes'),
      {
        name: 'Look for a reboot setup asked for',
        'ansible.builtin.stat': { path: `{{ picc_root }}${state.dir}/reboot-pending` },
        register: 'picc_reboot',
      },
      {
        // The unit setup installed resumes it after the boot.
        name: 'Reboot; setup resumes after the boot',
        'ansible.builtin.reboot': {
          msg: 'picc setup: reboot for the kernel command line, kernel modules or network',
          reboot_timeout: REBOOT_TIMEOUT_SECONDS,
          // Back on SSH is not booted: the setup unit starts with multi-user.target.
          test_command: 'systemctl is-system-running --wait || true',
        },
        when: 'picc_reboot.stat.exists',
      },
      { ...waitForSetupUnit(state, 'Wait for the resumed setup to finish'), when: 'picc_reboot.stat.exists' },
      {
        name: 'Look for the mark of a finished setup',
        'ansible.builtin.stat': { path: `{{ picc_root }}${state.dir}/done` },
        register: 'picc_done',
      },
      {
        name: 'Fail when setup did not finish',
        'ansible.builtin.fail': { msg: `setup did not finish: no ${state.dir}/done` },
        when: 'not picc_done.stat.exists',
      },
    ],
    rescue: logTailRescue(state, 'setup', `picc setup of {{ inventory_hostname }} failed; the end of ${state.log} is shown above`),
  };
  const header =
    banner(cluster) +
    '# One node (imported by site.yml for each group): copy its setup.sh, run it, reboot\n' +
    '# when it asks (the setup unit resumes setup after the boot), wait for it to finish,\n' +
    '# and on failure show the end of its log and fail this node.\n';
  return header + '---\n' + toYaml([block]);
}
