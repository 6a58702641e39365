// What `picc compile` says when it has written the output: how much, for which nodes, and
// the next step for each way a board is reached (picc boot onto the card, setup.sh on a
// running board, kubectl with admin.kubeconfig); when the cluster moves to a new Kubernetes
// version, upgrade.sh (or the upgrade playbook) first. Pure: lines from the plan and the paths
// the user gave, quoted for a POSIX shell when they need it.

import type { ClusterPlan, NodePlan } from '../plan/types.js';
import { shQuote } from '../render/shell.js';

export interface SummaryInput {
  plan: ClusterPlan;
  /** The spec and secrets paths as the user gave them (secrets only when given with --secrets). */
  spec: string;
  secrets?: string;
  /** The output folder as shown to the user (relative to the working folder when inside it). */
  folder: string;
  files: number;
  kept: number;
}

export function compileSummary(s: SummaryInput): string[] {
  const nodes = s.plan.nodes;
  const others = s.kept > 0 ? ` (${s.kept} other file${s.kept === 1 ? '' : 's'} there left alone)` : '';
  const boot = piccCommand('boot', s);
  const byDelivery = (d: NodePlan['boot']['delivery']) => nodes.filter((n) => n.boot.delivery === d).map((n) => n.name);
  const firstBoot = byDelivery('first-boot');
  const cloudInit = byDelivery('cloud-init');
  const upgrade = nodes.find((n) => n.upgrade !== null)?.upgrade ?? null;
  const lines = [
    `picc: wrote ${s.files} files for ${nodes.length} nodes to ${s.folder}/${others}`,
    ...nodes.map((n) => `  ${n.name.padEnd(20)} ${n.joinKind.padEnd(19)} ${n.address.padEnd(16)} ${n.os.id}`),
    '',
    // The boards already run the cluster: flashing is for boards that do not yet.
    ...(upgrade ? upgradeSteps(s, upgrade.from, upgrade.to) : []),
    upgrade ? 'A board not set up yet (it joins at the new version):' : 'Next, for each board (the first control plane first; the others wait for it by themselves):',
  ];
  if (firstBoot.length > 0) {
    lines.push(`  ${list(firstBoot)}: flash the OS image, mount the card's boot partition, then`, `    ${boot} <node> <boot partition>   (writes the first-boot script)`);
  }
  if (cloudInit.length > 0) {
    lines.push(`  ${list(cloudInit)}: flash the OS image, mount the card's boot partition, then`, `    ${boot} <node> <boot partition>   (writes the cloud-init seed)`);
  }
  lines.push(
    `  a board that is already running: copy ${shQuote(s.folder)}/<node>/setup.sh onto it and run: sudo ./setup.sh --reboot`,
    `  many running boards at once: ansible-playbook -i ${shQuote(`${s.folder}/ansible/inventory.yaml`)} ${shQuote(`${s.folder}/ansible/site.yml`)}`,
    `Then, from this machine: ${piccCommand('verify', s)}   (or KUBECONFIG=${shQuote(`${s.folder}/admin.kubeconfig`)} kubectl get nodes)`,
  );
  return lines;
}

function upgradeSteps(s: SummaryInput, from: string, to: string): string[] {
  return [
    `Upgrade from Kubernetes ${from} to ${to}: on the boards that run the cluster, upgrade.sh in kubeadm's order`,
    `  the first control plane, then the other control planes one at a time: copy ${shQuote(s.folder)}/<node>/upgrade.sh onto it and run: sudo ./upgrade.sh`,
    '  then the workers, a few at a time: kubectl drain <node> --ignore-daemonsets --delete-emptydir-data, its upgrade.sh, kubectl uncordon <node>',
    `  or all of it, one node at a time: ansible-playbook -i ${shQuote(`${s.folder}/ansible/inventory.yaml`)} ${shQuote(`${s.folder}/ansible/upgrade.yml`)}`,
    `  the order, node by node: ${piccCommand('plan', s)}`,
    '',
  ];
}

/** `picc VERB <spec> [--secrets <file>]`, quoted for the shell. */
function piccCommand(verb: string, s: SummaryInput): string {
  return ['picc', verb, s.spec, ...(s.secrets ? ['--secrets', s.secrets] : [])].map(shQuote).join(' ');
}

function list(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}
