// The Ansible upgrade in <cluster>/ansible/, only while the plan moves the cluster to a new
// Kubernetes version (every node has upgrade.sh), built as data from the plan:
//   upgrade.yml       three plays in kubeadm's order, each `serial: 1` and stopping at the
//                     first failure: the first control plane (kubeadm upgrade apply), the
//                     other control planes, the workers; each imports upgrade-node.yml
//   upgrade-node.yml  one node: copy its upgrade.sh and run it; a worker is drained before
//                     and uncordoned after with kubectl delegated to the first control plane
//                     (it has admin.conf; upgrade.sh refuses a worker that is not cordoned).
//                     A node whose upgrade is done (upgrade.sh's mark) is not drained again.
//                     On failure: the log's tail, and a worker left cordoned says so.
// Only ansible.builtin modules; names no secret. Deterministic: a pure function of the plan.

import type { ClusterPlan } from '../plan/types.js';
import type { UpgradePlan } from '../plan/upgrade.js';
import { toYaml } from '../text/yaml.js';
import { banner, copyScriptTasks, GROUPS, groupPlay, logTailRescue, NODE_VARS, rolloutGroups, runScriptTask, stateOf, waitForSetupUnit, type Task } from './ansible-tasks.js';

/** The play variable that has upgrade-node.yml drain and uncordon the node from the first control plane. */
export const DRAIN_FROM_OUTSIDE_VAR = 'picc_drain_from_outside';

/** Every node moves to the same version, or none does. */
export function hasUpgrade(cluster: ClusterPlan): boolean {
  return cluster.nodes.some((n) => n.upgrade !== null);
}

function upgradeOf(cluster: ClusterPlan): UpgradePlan {
  const [first] = rolloutGroups(cluster).firstControlPlane;
  const upgrade = first?.upgrade;
  if (!upgrade) throw new Error('ansible export: an upgrade without the first control plane in it');
  for (const n of cluster.nodes) {
    if (n.upgrade?.from !== upgrade.from || n.upgrade.to !== upgrade.to) throw new Error(`ansible export: node ${n.name} does not upgrade from ${upgrade.from} to ${upgrade.to}`);
    if (n.upgrade.doneMark !== upgrade.doneMark) throw new Error(`ansible export: node ${n.name} marks a finished upgrade elsewhere than ${upgrade.doneMark}`);
  }
  if (upgrade.adminKubeconfig === null) throw new Error('ansible export: the first control plane has no admin kubeconfig');
  return upgrade;
}

export function upgradePlaybook(cluster: ClusterPlan): string {
  const { from, to } = upgradeOf(cluster);
  const upgrade = (name: string, group: keyof typeof GROUPS, keywords: Record<string, unknown> = {}) =>
    // One node at a time everywhere, and the first failure stops the upgrade: nodes after a
    // failed one would wait for it (control planes) or be drained in turn by a shared cause.
    groupPlay(name, group, 'upgrade-node.yml', 'Upgrade the node with its upgrade.sh', { serial: 1, any_errors_fatal: true, ...keywords });
  const plays = [
    upgrade('The first control plane (kubeadm upgrade apply)', 'firstControlPlane'),
    upgrade('The other control planes, one at a time (kubeadm upgrade node)', 'otherControlPlanes'),
    upgrade('The workers, one at a time, drained from the first control plane', 'workers', { vars: { [DRAIN_FROM_OUTSIDE_VAR]: true } }),
  ];
  const header =
    banner(cluster) +
    `# Upgrades the cluster from Kubernetes ${from} to ${to} in kubeadm's order, one node at a\n` +
    '# time: each node gets its own upgrade.sh (from ../<node>/) and runs it as root.\n' +
    '#   ansible-playbook -i inventory.yaml upgrade.yml\n' +
    '# Control planes drain and uncordon themselves; each worker is drained before and\n' +
    '# uncordoned after from the first control plane (its admin.conf). The first failure stops\n' +
    '# the upgrade; a worker whose upgrade failed stays cordoned (it says so). Run it again after\n' +
    '# fixing: upgrade.sh keeps what is done, and an upgraded node is not drained again and\n' +
    '# reports no change.\n';
  return header + '---\n' + toYaml(plays);
}

export function upgradeNodeTasks(cluster: ClusterPlan): string {
  const state = stateOf(cluster);
  // doneMark: upgrade.sh's own mark of a finished upgrade.
  const { to, adminKubeconfig, doneMark } = upgradeOf(cluster);
  const outside = `${DRAIN_FROM_OUTSIDE_VAR} | default(false) and not picc_upgraded.stat.exists`;
  // kubectl on the first control plane, with its admin.conf and its picc_environment.
  const kubectl = (name: string, args: string[], register: string): Task => ({
    name,
    'ansible.builtin.command': {
      argv: ['kubectl', '--kubeconfig', `{{ picc_admin_root }}${adminKubeconfig}`, ...args],
    },
    delegate_to: '{{ picc_admin_host }}',
    environment: '{{ picc_admin_env }}',
    register,
    // Runs only when the node is not upgraded yet, and then changes its Node object.
    changed_when: true,
    when: outside,
  });
  const block = {
    name: "Upgrade this node with picc's upgrade.sh",
    vars: {
      ...NODE_VARS,
      picc_admin_host: `{{ groups['${GROUPS.firstControlPlane}'][0] }}`,
      picc_admin_env: '{{ hostvars[picc_admin_host].picc_environment | default(picc_env) }}',
      picc_admin_root: "{{ picc_admin_env.PICC_ROOT | default('') }}",
    },
    block: [
      ...copyScriptTasks('upgrade.sh'),
      waitForSetupUnit(state, 'Wait for a setup already running on the node'),
      {
        name: 'Look for the mark of a finished upgrade',
        'ansible.builtin.stat': { path: `{{ picc_root }}${doneMark}` },
        register: 'picc_upgraded',
      },
      kubectl('Drain this worker from the first control plane', ['drain', '{{ inventory_hostname }}', '--ignore-daemonsets', '--delete-emptydir-data'], 'picc_drain'),
      runScriptTask('upgrade.sh', 'picc_upgrade', ` is already on Kubernetes ${to}: 0 changes`),
      kubectl('Uncordon this worker from the first control plane', ['uncordon', '{{ inventory_hostname }}'], 'picc_uncordon'),
    ],
    // A worker is not uncordoned after a failure: its kubelet may be half way between two
    // versions, and pods must not be scheduled back onto it before someone looked.
    rescue: logTailRescue(
      state,
      'upgrade.sh',
      `upgrading {{ inventory_hostname }} failed ({{ ansible_failed_task.name }}); the end of ${state.log} is above{{ picc_cordoned_note }}`,
      {
        picc_cordoned_text: '; it stays cordoned: fix the cause and run upgrade.yml again, or kubectl uncordon {{ inventory_hostname }}',
        // Drained (or its drain tried) in this run: a failed drain may have cordoned it too.
        picc_cordoned_note: "{{ picc_cordoned_text if picc_drain is defined and picc_drain is not skipped else '' }}",
      },
    ),
  };
  const header =
    banner(cluster) +
    '# One node (imported by upgrade.yml for each group): copy its upgrade.sh and run it.\n' +
    `# A worker (the play sets ${DRAIN_FROM_OUTSIDE_VAR}) is drained before and uncordoned\n` +
    '# after from the first control plane, unless its upgrade is done already. On failure show\n' +
    '# the end of its log and fail this node; a drained worker stays cordoned and says so.\n';
  return header + '---\n' + toYaml([block]);
}
