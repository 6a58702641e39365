// The Ansible export (src/render/ansible.ts): the inventory groups the plan's nodes in
// rollout order with their addresses, site.yml plays those groups in that order with the
// documented batching, setup-node.yml copies the node's own setup.sh, runs it, reboots
// only when setup asks and fails with the log; nothing secret in it; deterministic.
// upgrade.yml only while the plan upgrades: kubeadm's order, serial: 1, workers drained and
// uncordoned from the first control plane, not again once upgraded.
// Ansible's own checks (syntax-check, ansible-lint) and a real run are elsewhere
// (test/golden/ansible.test.ts, test/bats/sandbox/ansible.bats).

import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { analyze } from '../../src/index.js';
import { plan } from '../../src/plan/plan.js';
import type { ClusterPlan } from '../../src/plan/types.js';
import { ansibleExport, DEFAULT_WORKER_BATCH, GROUPS, inventory, setupNodeTasks, sitePlaybook } from '../../src/render/ansible.js';
import { DRAIN_FROM_OUTSIDE_VAR, upgradeNodeTasks, upgradePlaybook } from '../../src/render/ansible-upgrade.js';
import { render } from '../../src/render/render.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import type { SecretsBundle } from '../../src/secrets/types.js';
import type { ClusterSpec } from '../../src/cluster-spec/types.js';

let secrets: SecretsBundle;
beforeAll(async () => {
  secrets = await generateSecrets('homelab', new Date('2026-01-01T00:00:00Z'));
}, 30_000);

function planOfText(text: string, bundle: SecretsBundle = secrets): ClusterPlan {
  const a = analyze('cluster.yaml', text);
  expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return plan(a.spec!, { ...bundle, cluster: a.spec!.metadata.name });
}

const HOMELAB = readFileSync(new URL('../../examples/homelab.yaml', import.meta.url), 'utf8');

/** Three control planes (given out of name order) behind a VIP, two workers. */
function haSpec(nodes?: ClusterSpec['spec']['nodes']): string {
  const spec: ClusterSpec = {
    apiVersion: 'picc/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'homelab' },
    spec: {
      kubernetes: { version: '1.34.2', controlPlaneEndpoint: '192.168.1.100:6443' },
      network: { subnet: '192.168.1.0/24', gateway: '192.168.1.1', dns: ['192.168.1.1'] },
      access: { user: 'ops' },
      nodes: nodes ?? [
        { name: 'cp-b', role: 'control-plane', address: '192.168.1.102' },
        { name: 'worker-2', address: '192.168.1.112' },
        { name: 'cp-a', role: 'control-plane', address: '192.168.1.101' },
        { name: 'worker-1', address: '192.168.1.111' },
        { name: 'cp-c', role: 'control-plane', address: '192.168.1.103' },
      ],
    },
  };
  return stringify(spec);
}

/** Ansible reads YAML with PyYAML (1.1): parse as 1.1, so a name that 1.1 takes for a boolean shows. */
function yaml11(text: string): any {
  return parse(text, { version: '1.1' });
}

type Hosts = Record<string, { ansible_host: string }>;
function groupsOf(text: string): Record<string, Hosts> {
  const inv = yaml11(text);
  const out: Record<string, Hosts> = {};
  for (const [group, body] of Object.entries(inv.all.children as Record<string, { hosts: Hosts }>)) out[group] = body.hosts;
  return out;
}

describe('ansible inventory', () => {
  it('homelab: the init node first, no other control plane, every worker; addresses without prefix', () => {
    const p = planOfText(HOMELAB);
    const inv = yaml11(inventory(p));
    expect(inv.all.vars).toEqual({ ansible_user: 'pi' });
    expect(groupsOf(inventory(p))).toEqual({
      [GROUPS.firstControlPlane]: { 'k8s-master-1': { ansible_host: '192.168.1.101' } },
      [GROUPS.otherControlPlanes]: {},
      [GROUPS.workers]: {
        'k8s-worker-3': { ansible_host: '192.168.1.103' },
        'k8s-worker-4': { ansible_host: '192.168.1.104' },
        'k8s-worker-5': { ansible_host: '192.168.1.105' },
        'k8s-worker-6': { ansible_host: '192.168.1.106' },
        'k8s-worker-7': { ansible_host: '192.168.1.107' },
      },
    });
  });

  it('HA: the plan\'s init node first, the other control planes in the order they join, workers; the spec\'s user', () => {
    const p = planOfText(haSpec());
    const groups = groupsOf(inventory(p));
    expect(Object.keys(groups)).toEqual([GROUPS.firstControlPlane, GROUPS.otherControlPlanes, GROUPS.workers]);
    expect(Object.keys(groups[GROUPS.firstControlPlane]!)).toEqual(['cp-a']);
    expect(p.nodes.find((n) => n.name === 'cp-a')!.joinKind).toBe('init');
    // cp-c waits for cp-b (the plan's join order): serial: 1 must play them in this order.
    expect(Object.keys(groups[GROUPS.otherControlPlanes]!)).toEqual(['cp-b', 'cp-c']);
    expect(p.nodes.find((n) => n.name === 'cp-c')!.kubeadm.previousControlPlane?.name).toBe('cp-b');
    expect(groups[GROUPS.workers]).toEqual({ 'worker-1': { ansible_host: '192.168.1.111' }, 'worker-2': { ansible_host: '192.168.1.112' } });
    expect(yaml11(inventory(p)).all.vars).toEqual({ ansible_user: 'ops' });
  });

  it('every node in exactly one group, at the plan\'s address', () => {
    for (const p of [planOfText(HOMELAB), planOfText(haSpec())]) {
      const hosts = Object.values(groupsOf(inventory(p))).flatMap((h) => Object.entries(h));
      expect(hosts.map(([name]) => name).sort()).toEqual(p.nodes.map((n) => n.name).sort());
      for (const [name, vars] of hosts) expect(vars.ansible_host).toBe(p.nodes.find((n) => n.name === name)!.address);
    }
  });

  it('node names YAML 1.1 would read as booleans or numbers stay strings', () => {
    const p = planOfText(haSpec([
      { name: 'on', role: 'control-plane', address: '192.168.1.101' },
      { name: 'no', address: '192.168.1.111' },
      { name: '0777', address: '192.168.1.112' },
    ]));
    const text = inventory(p);
    expect(Object.keys(groupsOf(text)[GROUPS.firstControlPlane]!)).toEqual(['on']);
    expect(Object.keys(groupsOf(text)[GROUPS.workers]!)).toEqual(['0777', 'no']);
  });
});

describe('ansible site.yml', () => {
  it('plays the groups in rollout order: first control plane, the others one at a time, workers in batches', () => {
    const plays = yaml11(sitePlaybook(planOfText(haSpec())));
    expect(plays.map((p: any) => p.hosts)).toEqual([GROUPS.firstControlPlane, GROUPS.otherControlPlanes, GROUPS.workers]);
    for (const play of plays) {
      expect(play.become).toBe(true);
      expect(play.tasks).toEqual([{ name: 'Set up the node with its setup.sh', 'ansible.builtin.import_tasks': 'setup-node.yml' }]);
    }
    const [first, others, workers] = plays;
    expect(first.any_errors_fatal).toBe(true);
    expect(first.serial).toBeUndefined();
    expect(others.serial).toBe(1);
    expect(others.any_errors_fatal).toBe(true);
    expect(workers.serial).toBe(`{{ picc_worker_batch | default(${DEFAULT_WORKER_BATCH}) }}`);
    // A failed worker fails alone: no fatal errors, no failure percentage that stops the rest.
    expect(workers.any_errors_fatal).toBeUndefined();
    expect(workers.max_fail_percentage).toBeUndefined();
  });
});

describe('ansible setup-node.yml', () => {
  const tasksOf = () => {
    const [block] = yaml11(setupNodeTasks(planOfText(HOMELAB)));
    return block as { block: any[]; rescue: any[]; vars: Record<string, string> };
  };
  const moduleOf = (t: any) => Object.keys(t).find((k) => k.startsWith('ansible.')) ?? '';

  it('copies the node\'s setup.sh, waits for a running setup, runs it, reboots only when setup asks, then checks the done mark', () => {
    const { block } = tasksOf();
    expect(block.map(moduleOf)).toEqual([
      'ansible.builtin.file',
      'ansible.builtin.copy',
      'ansible.builtin.command',
      'ansible.builtin.command',
      'ansible.builtin.stat',
      'ansible.builtin.reboot',
      'ansible.builtin.command',
      'ansible.builtin.stat',
      'ansible.builtin.fail',
    ]);
    const [, copy, wait, run, rebootMark, reboot, waitAgain, done, fail] = block;
    expect(copy['ansible.builtin.copy'].mode).toBe('0700');
    expect(copy.diff).toBe(false); // the script holds the token: never printed as a diff
    expect(wait['ansible.builtin.command'].cmd).toBe('systemctl status picc-setup.service');
    expect(wait.until).toBe('picc_unit.rc != 0');
    // Ansible owns the reboot: setup.sh runs without --reboot (or --unattended).
    expect(run['ansible.builtin.command'].argv).toEqual(['{{ picc_dir }}/setup.sh']);
    expect(run.changed_when).toContain("' is already set up: 0 changes'");
    expect(rebootMark['ansible.builtin.stat'].path).toBe('{{ picc_root }}/var/lib/picc/reboot-pending');
    expect(reboot.when).toBe('picc_reboot.stat.exists');
    expect(waitAgain.when).toBe('picc_reboot.stat.exists');
    expect(waitAgain['ansible.builtin.command']).toEqual(wait['ansible.builtin.command']);
    expect(done['ansible.builtin.stat'].path).toBe('{{ picc_root }}/var/lib/picc/done');
    expect(fail.when).toBe('not picc_done.stat.exists');
  });

  it('on failure shows the end of setup\'s log and fails the node', () => {
    const { rescue } = tasksOf();
    expect(rescue.map(moduleOf)).toEqual(['ansible.builtin.slurp', 'ansible.builtin.debug', 'ansible.builtin.fail']);
    expect(rescue[0]['ansible.builtin.slurp'].src).toBe('{{ picc_root }}/var/log/picc-setup.log');
    expect(rescue[1]['ansible.builtin.debug'].msg).toContain('.splitlines()[-40:]');
  });

  it('runs every command with picc_environment, and roots the paths it reads with its PICC_ROOT', () => {
    const { block, vars } = tasksOf();
    for (const t of block.filter((x) => moduleOf(x) === 'ansible.builtin.command')) expect(t.environment).toBe('{{ picc_env }}');
    expect(vars['picc_env']).toBe('{{ picc_environment | default({}) }}');
    expect(vars['picc_root']).toBe("{{ picc_env.PICC_ROOT | default('') }}");
  });
});

describe('ansible export in the output', () => {
  it('sits in <cluster>/ansible/ (0644), and each node\'s setup.sh is where the copy task looks', () => {
    const p = planOfText(haSpec());
    const artifacts = render(p);
    const exported = artifacts.filter((a) => a.path.startsWith('homelab/ansible/'));
    expect(exported.map((a) => [a.path, a.mode])).toEqual([
      ['homelab/ansible/inventory.yaml', 0o644],
      ['homelab/ansible/setup-node.yml', 0o644],
      ['homelab/ansible/site.yml', 0o644],
    ]);
    const [block] = yaml11(setupNodeTasks(p));
    const src: string = block.block[1]['ansible.builtin.copy'].src;
    for (const n of p.nodes) {
      const path = posix.normalize(src.replace('{{ playbook_dir }}', 'homelab/ansible').replace('{{ inventory_hostname }}', n.name));
      expect(artifacts.some((a) => a.path === path && a.mode === 0o700), path).toBe(true);
    }
  });

  it('holds no secret (token, certificate key, CA keys): setup.sh carries them, copied from the node\'s folder', () => {
    const p = planOfText(haSpec());
    const text = render(p).filter((a) => a.path.startsWith('homelab/ansible/')).map((a) => a.content).join('\n');
    const keyBody = (pem: string) => pem.split('\n')[1]!;
    for (const secret of [secrets.bootstrapToken, secrets.certificateKey, keyBody(secrets.ca.key), keyBody(secrets.etcdCa.key), keyBody(secrets.admin.key)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('is deterministic: the same plan twice, and the spec\'s node order does not matter', () => {
    const exportOf = (text: string) => render(planOfText(text)).filter((a) => a.path.includes('/ansible/'));
    const once = exportOf(haSpec());
    expect(exportOf(haSpec())).toEqual(once);
    const reversed = yaml11(haSpec()).spec.nodes.reverse();
    expect(exportOf(haSpec(reversed))).toEqual(once);
  });
});

describe('ansible upgrade.yml (only while the plan upgrades)', () => {
  // The golden `upgrade` case: the example recompiled for 1.36.4 while it runs 1.35.2.
  const upgradeCase = (file: string) => readFileSync(new URL(`../golden/upgrade/${file}`, import.meta.url), 'utf8');
  const upgradingPlan = () => {
    const a = analyze('cluster.yaml', upgradeCase('cluster.yaml'));
    return plan(a.spec!, { ...secrets, cluster: a.spec!.metadata.name }, upgradeCase('upgrade-from').trim());
  };
  const moduleOf = (t: any) => Object.keys(t).find((k) => k.startsWith('ansible.')) ?? '';
  const upgradeTasks = () => yaml11(upgradeNodeTasks(upgradingPlan()))[0] as { block: any[]; rescue: any[]; vars: Record<string, string> };

  it('no upgrade in the plan: no upgrade.yml, and no header names it', () => {
    for (const p of [planOfText(HOMELAB), planOfText(haSpec())]) {
      const files = ansibleExport(p);
      expect(files.map((f) => f.name)).toEqual(['inventory.yaml', 'setup-node.yml', 'site.yml']);
      for (const f of files) expect(f.content).not.toContain('upgrade');
    }
  });

  it('with an upgrade: upgrade-node.yml and upgrade.yml beside the rest; the headers of inventory.yaml and site.yml name it', () => {
    const files = ansibleExport(upgradingPlan());
    expect(files.map((f) => f.name)).toEqual(['inventory.yaml', 'setup-node.yml', 'site.yml', 'upgrade-node.yml', 'upgrade.yml']);
    expect(inventory(upgradingPlan())).toContain('for site.yml and upgrade.yml beside this file');
    expect(sitePlaybook(upgradingPlan())).toContain('upgrade.yml beside this file upgrades it');
  });

  it("plays kubeadm's order, every play one node at a time and stopped by the first failure; only workers are drained from outside", () => {
    const plays = yaml11(upgradePlaybook(upgradingPlan()));
    expect(plays.map((p: any) => p.hosts)).toEqual([GROUPS.firstControlPlane, GROUPS.otherControlPlanes, GROUPS.workers]);
    for (const play of plays) {
      expect(play.serial).toBe(1);
      expect(play.any_errors_fatal).toBe(true);
      expect(play.become).toBe(true);
      expect(play.tasks).toEqual([{ name: 'Upgrade the node with its upgrade.sh', 'ansible.builtin.import_tasks': 'upgrade-node.yml' }]);
    }
    expect(plays.map((p: any) => p.vars?.[DRAIN_FROM_OUTSIDE_VAR] ?? false)).toEqual([false, false, true]);
  });

  it('HA: the same three plays over the inventory groups (the other control planes in join order)', () => {
    const p = plan(analyze('cluster.yaml', haSpec()).spec!, secrets, '1.34.1');
    const plays = yaml11(upgradePlaybook(p));
    expect(plays.map((x: any) => x.hosts)).toEqual(Object.keys(groupsOf(inventory(p))));
    expect(Object.keys(groupsOf(inventory(p))[GROUPS.otherControlPlanes]!)).toEqual(['cp-b', 'cp-c']);
  });

  it('a worker: drained by kubectl delegated to the first control plane, upgrade.sh run, uncordoned likewise; not when already upgraded', () => {
    const { block, vars } = upgradeTasks();
    expect(block.map((t) => t.name)).toEqual([
      'Create the folder for upgrade.sh',
      "Copy this node's upgrade.sh",
      'Wait for a setup already running on the node',
      'Look for the mark of a finished upgrade',
      'Drain this worker from the first control plane',
      'Run upgrade.sh',
      'Uncordon this worker from the first control plane',
    ]);
    const [, copy, , mark, drain, run, uncordon] = block;
    expect(copy['ansible.builtin.copy'].src).toBe('{{ playbook_dir }}/../{{ inventory_hostname }}/upgrade.sh');
    expect(vars['picc_admin_host']).toBe(`{{ groups['${GROUPS.firstControlPlane}'][0] }}`);
    expect(vars['picc_admin_env']).toBe('{{ hostvars[picc_admin_host].picc_environment | default(picc_env) }}');
    const kubectl = ['kubectl', '--kubeconfig', '{{ picc_admin_root }}/etc/kubernetes/admin.conf'];
    expect(drain['ansible.builtin.command'].argv).toEqual([...kubectl, 'drain', '{{ inventory_hostname }}', '--ignore-daemonsets', '--delete-emptydir-data']);
    expect(uncordon['ansible.builtin.command'].argv).toEqual([...kubectl, 'uncordon', '{{ inventory_hostname }}']);
    for (const t of [drain, uncordon]) {
      expect(t.delegate_to).toBe('{{ picc_admin_host }}');
      expect(t.environment).toBe('{{ picc_admin_env }}');
      expect(t.when).toBe(`${DRAIN_FROM_OUTSIDE_VAR} | default(false) and not picc_upgraded.stat.exists`);
    }
    // Without --drained: upgrade.sh checks for itself that the drain cordoned the node.
    expect(run['ansible.builtin.command'].argv).toEqual(['{{ picc_dir }}/upgrade.sh']);
    expect(run.environment).toBe('{{ picc_env }}');
    expect(mark['ansible.builtin.stat'].path).toBe('{{ picc_root }}/var/lib/picc/upgrade-1.36.4/done');
  });

  it("reads upgrade.sh's own mark and its own 0-changes line (as the golden upgrade.sh writes them)", () => {
    const script = readFileSync(new URL('../golden/upgrade/expected/homelab/k8s-worker-3/upgrade.sh', import.meta.url), 'utf8');
    expect(script).toContain('readonly UPGRADE_DONE=/var/lib/picc/upgrade-1.36.4/done\n');
    expect(script).toContain('touch "$ROOT$UPGRADE_DONE"');
    expect(script).toContain('say "${NODE_NAME} is already on Kubernetes $TO: 0 changes"');
    const run = upgradeTasks().block.find((t) => t.name === 'Run upgrade.sh');
    expect(run.changed_when).toBe("(inventory_hostname ~ ' is already on Kubernetes 1.36.4: 0 changes') not in picc_upgrade.stdout_lines");
  });

  it('on failure: the end of the log, no uncordon, and a worker drained in this run says it stays cordoned', () => {
    const { rescue } = upgradeTasks();
    expect(rescue.map(moduleOf)).toEqual(['ansible.builtin.slurp', 'ansible.builtin.debug', 'ansible.builtin.fail']);
    expect(JSON.stringify(rescue)).not.toContain('uncordon"');
    const fail = rescue[2];
    expect(fail['ansible.builtin.fail'].msg).toContain('{{ picc_cordoned_note }}');
    expect(fail.vars.picc_cordoned_note).toBe("{{ picc_cordoned_text if picc_drain is defined and picc_drain is not skipped else '' }}");
    expect(fail.vars.picc_cordoned_text).toContain('stays cordoned');
  });
});
