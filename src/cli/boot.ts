// `picc boot <spec> <node> <mountpoint>`: one node's seed onto its SD card's mounted boot
// partition. The spec is compiled exactly as `picc compile` does (the secrets file must
// exist: every board shares one CA), the card is checked (a boot partition, the node's OS,
// not already customised by Imager), then the files are written and cmdline.txt gets the
// tokens this path needs, once. --dry-run lists the same and writes nothing.

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { fileProblem } from '../diagnostics/report.js';
import { readPartition, writeCard } from '../boot/card.js';
import { cmdlineTokens, fits, identify } from '../boot/identify.js';
import { cardWrites } from '../boot/seed.js';
import { BOOT_FILES } from '../plan/boot.js';
import { compile } from '../index.js';
import { closest } from '../cluster-spec/suggest.js';
import { secretsText, specText } from './commands.js';
import { Exit, type Reporter } from './reporter.js';

export async function runBoot(spec: string, nodeName: string, mount: string, r: Reporter, opts: { secrets?: string; dryRun?: boolean }): Promise<void> {
  const text = await specText(spec, r);
  const secrets = await secretsText(spec, opts.secrets, r);
  if (secrets.path && secrets.missing) r.add(fileProblem(secrets.path, 'PICC606', `there is no secrets file at ${secrets.path} yet`));
  if (!secrets.path || secrets.text === undefined) return stop(r, []);
  const result = compile(spec, text, secrets.path, secrets.text);
  r.add(...result.diagnostics);
  r.stopIfFailing();
  const node = result.plan!.nodes.find((n) => n.name === nodeName);
  if (!node) {
    const names = result.plan!.nodes.map((n) => n.name);
    const guess = closest(nodeName, names);
    return stop(r, [fileProblem(spec, 'PICC605', `the spec has no node "${nodeName}"`, guess ? `did you mean "${guess}"?` : `name one of: ${names.join(', ')}`)]);
  }

  const partition = await readPartition(mount);
  if ('problem' in partition) return stop(r, [fileProblem(mount, 'PICC601', partition.problem)]);
  const facts = partition.facts;
  const card = identify(facts);
  const fit = fits(card, node.os.id);
  if (fit === false) {
    r.add(fileProblem(mount, 'PICC602', `node ${node.name} is ${node.os.prettyName}, but the card is not: ${card.evidence}`));
  } else if (fit === undefined) {
    r.add({ ...fileProblem(mount, 'PICC604', `cannot tell whether the card holds ${node.os.prettyName}: ${card.evidence}`), severity: 'warning' });
  }
  const ours = new Set(node.boot.firstBoot?.cmdlineTokens ?? []);
  const foreignRun = cmdlineTokens(facts.cmdline).find((t) => t.startsWith('systemd.run=') && !ours.has(t));
  if (facts.files.has('firstrun.sh') || foreignRun) {
    r.add(fileProblem(mount, 'PICC603', `the card already carries a first-boot customisation (${foreignRun ?? 'firstrun.sh'}); two would fight over the first boot`));
  }
  if (facts.cmdline === undefined) r.add(fileProblem(mount, 'PICC601', `${mount} has no cmdline.txt (the kernel arguments setup needs go there)`));
  r.stopIfFailing();

  const writes = cardWrites(node.name, result.artifacts!, node.boot, facts.cmdline!);
  if (!opts.dryRun) {
    try {
      await writeCard(mount, writes);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (!err.code) throw e;
      return stop(r, [fileProblem(mount, 'PICC503', `cannot write onto ${mount}: ${err.code}`, 'is the card mounted read-write, and is there room on it?')]);
    }
  }
  const verb = opts.dryRun ? 'would write' : 'wrote';
  const exposed = [node.joinKind === 'join-worker' ? 'the join token' : "the join token and the cluster's CA keys", ...(node.boot.wifi ? ['the Wi-Fi key'] : [])].join(', ');
  const held = writes.files.filter((f) => f.secret).map((f) => f.path).join(', ');
  r.note(node.boot.firstBoot
    ? `until ${node.name} first boots, anyone holding this card can read ${exposed} in ${held}; the first boot moves them off the card`
    : `until ${node.name} is set up, anyone holding this card can read ${exposed} in ${held}; setup empties ${held.includes(',') ? 'these files' : 'that file'} on the card when the node is done`);
  r.succeed(
    [
      `picc: ${verb} ${node.name}'s ${node.boot.delivery === 'first-boot' ? 'first-boot files' : 'cloud-init seed'} onto ${mount} (${card.evidence}):`,
      ...writes.files.map((f) => `  ${f.path.padEnd(22)} ${f.what}`),
      writes.cmdline !== undefined ? `  ${'cmdline.txt'.padEnd(22)} + ${writes.added.join(' ')}` : `  ${'cmdline.txt'.padEnd(22)} already has what it needs`,
      opts.dryRun ? 'Nothing was written (--dry-run).' : `Put the card into ${node.name} and power it on; ${node.boot.firstBoot ? `it reboots once after its first boot (its steps: ${BOOT_FILES.firstBootStatus} on the card), then sets itself up` : 'cloud-init starts setup.sh at the first boot'} (progress: ${BOOT_FILES.setupStatus} on the card, /var/log/picc-setup.log on the board).`,
    ],
    { wrote: !opts.dryRun, node: node.name, mount, delivery: node.boot.delivery, card: card.evidence, files: writes.files.map((f) => f.path), cmdlineAdded: writes.added },
  );
}

function stop(r: Reporter, diagnostics: Diagnostic[]): never {
  r.add(...diagnostics);
  r.stopIfFailing();
  throw new Exit(1);
}
