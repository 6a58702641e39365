#!/usr/bin/env node
// Command-line wiring only: flags, the reporter, exit codes. Exit 0 ok, 1 bad input
// (diagnostics), 2 wrong usage, 3 a bug in picc. With --format json every outcome,
// usage errors and bugs included, is one JSON document on stdout.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { formatJson } from './diagnostics/format.js';
import { STARTER_OS_IDS } from './cli/starter.js';
// init, boot, mirror and verify are imported when run (each its own chunk of the bundle):
// a compile then loads neither them nor what they need (verify's HTTPS client, say).
import { runCompile, runPlan, runRotateToken, runSecretsInit, runValidate } from './cli/commands.js';
import { Exit, Reporter, type OutputOptions, type Streams } from './cli/reporter.js';
import { PICC_VERSION } from './version.js';

const streams: Streams = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** --format json anywhere on the command line: even a usage error is then reported as JSON. */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));
}

function program(json: boolean): Command {
  const format = new Option('--format <format>', 'output for people (human) or for tools (json)').choices(['human', 'json']).default('human');
  const strict = new Option('--strict', 'treat warnings as errors');
  const fromVersion = new Option('--from <version>', 'the Kubernetes version the cluster runs now (default: from the output folder\'s previous compile); a newer kubernetes.version gives every node an upgrade.sh')
    .argParser((v: string) => {
      if (!/^[0-9]+\.[0-9]+\.[0-9]+$/.test(v)) throw new InvalidArgumentError('give a version x.y.z, e.g. --from 1.35.2');
      return v;
    });
  const secretsFile = new Option('--secrets <file>', 'secrets file (default: <spec>.secrets.yaml beside the spec)');
  const reporter = (command: string, opts: OutputOptions) => new Reporter(command, { format: opts.format, strict: opts.strict === true }, streams);
  const cmd = new Command('picc')
    .description('Pi cluster compiler: one cluster.yaml to per-node kubeadm setup scripts and cloud-init seeds')
    .version(PICC_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => (json ? undefined : process.stderr.write(s)) });
  cmd
    .command('init')
    .description('write a commented starter spec that compiles as it is (never over an existing file)')
    .argument('[file]', 'the spec to write', 'cluster.yaml')
    .option('--nodes <n>', 'how many boards: one control plane, the rest workers', '3')
    .option('--os <os>', `the boards' OS: ${STARTER_OS_IDS.join(', ')}`, 'raspios-trixie')
    .option('--schema <ref>', "what the editor modeline points at (default: this picc's schema file)")
    .addOption(format)
    .action(async (file: string, opts) => (await import('./cli/init.js')).runInit(file, reporter('init', opts), opts));
  cmd
    .command('compile')
    .description('compile a cluster spec into <out>/<cluster>/<node>/{setup.sh,user-data,meta-data,network-config}')
    .argument('<spec>', 'the cluster spec (cluster.yaml)')
    .option('-o, --out <dir>', 'output folder', 'out')
    .addOption(secretsFile)
    .option('--force', 'write into an output folder that holds files picc did not write (they are kept)')
    .option('--check', 'write nothing; exit 1 and list the files when the output folder is not what the spec compiles to now')
    .addOption(fromVersion)
    .addOption(format)
    .addOption(strict)
    .action((spec: string, opts) => runCompile(spec, reporter('compile', opts), opts));
  cmd
    .command('validate')
    .description('check a cluster spec (and its secrets file, if there is one) and report every problem; writes nothing')
    .argument('<spec>', 'the cluster spec')
    .addOption(secretsFile)
    .addOption(format)
    .addOption(strict)
    .action((spec: string, opts) => runValidate(spec, reporter('validate', opts), opts));
  cmd
    .command('plan')
    .description('show what compile would do: the cluster facts and, per node, its role, address, delivery, setup phases and downloads; writes nothing')
    .argument('<spec>', 'the cluster spec')
    .option('-o, --out <dir>', 'output folder whose previous compile to compare against', 'out')
    .addOption(fromVersion)
    .addOption(secretsFile)
    .addOption(format)
    .addOption(strict)
    .action((spec: string, opts) => runPlan(spec, reporter('plan', opts), opts));
  cmd
    .command('boot')
    .description("write one node's seed onto its SD card's mounted boot partition (cloud-init seed, or picc's first-boot script)")
    .argument('<spec>', 'the cluster spec')
    .argument('<node>', 'the node the card is for')
    .argument('<mountpoint>', 'where the card\'s boot partition is mounted (bootfs, system-boot)')
    .addOption(secretsFile)
    .option('--dry-run', 'list what would be written, write nothing')
    .addOption(format)
    .addOption(strict)
    .action(async (spec: string, node: string, mount: string, opts) => (await import('./cli/boot.js')).runBoot(spec, node, mount, reporter('boot', opts), opts));
  cmd
    .command('mirror')
    .description('write an offline mirror kit: every URL the scripts fetch (with sha256), a download script that fills MIRROR/HOST/PATH on a connected machine, and the container images')
    .argument('<spec>', 'the cluster spec')
    .option('-o, --out <dir>', 'the mirror folder (serve it at spec.mirror)', 'mirror')
    .addOption(secretsFile)
    .addOption(format)
    .addOption(strict)
    .action(async (spec: string, opts) => (await import('./cli/mirror.js')).runMirror(spec, reporter('mirror', opts), opts));
  cmd
    .command('verify')
    .description('check the live cluster against the spec: nodes Ready with the version, address, labels and taints, system pods, the pod subnet, CoreDNS; a table, exit 1 on any difference')
    .argument('<spec>', 'the cluster spec')
    .option('-o, --out <dir>', 'the output folder compile wrote (its <cluster>/admin.kubeconfig is used)', 'out')
    .option('--kubeconfig <file>', 'the kubeconfig to use instead of <out>/<cluster>/admin.kubeconfig')
    .option('--answers <file>', 'check the answers verify.sh collected on a control plane instead of asking the API server')
    .option('--timeout <seconds>', 'give up on a request to the API server after this long (default 15)', (v: string) => {
      const n = Number(v);
      if (!(n > 0 && n <= 600)) throw new InvalidArgumentError('give a number of seconds above 0, at most 600.');
      return n;
    })
    .addOption(secretsFile)
    .addOption(format)
    .action(async (spec: string, opts) => (await import('./cli/verify.js')).runVerify(spec, reporter('verify', opts), opts));
  const secrets = cmd.command('secrets').description('manage the cluster secrets file');
  secrets
    .command('init')
    .description('create the secrets file (CAs, keys, bootstrap token) with mode 0600; never overwrites')
    .argument('<spec>', 'the cluster spec')
    .addOption(secretsFile)
    .addOption(format)
    .action((spec: string, opts) => runSecretsInit(spec, reporter('secrets init', opts), opts));
  secrets
    .command('rotate-token')
    .description('replace the bootstrap token in the secrets file (recompile afterwards)')
    .argument('<spec>', 'the cluster spec')
    .addOption(secretsFile)
    .addOption(format)
    .action((spec: string, opts) => runRotateToken(spec, reporter('secrets rotate-token', opts), opts));
  return cmd;
}

/** A failure that is no diagnostic of the user's files (usage, a bug), in the form asked for. */
function failure(json: boolean, code: 'PICC010' | 'PICC900', message: string, hint: string): void {
  if (json) {
    const d = { severity: 'error' as const, code, message, file: '', path: [], hint };
    process.stdout.write(formatJson([d], { ok: false }));
  } else if (code === 'PICC900') {
    process.stderr.write(`picc: internal error: ${message}\n  ${hint}\n`);
  }
}

async function main(argv: string[]): Promise<number> {
  const json = wantsJson(argv);
  try {
    await program(json).parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else is wrong usage.
      if (e.exitCode === 0) return 0;
      failure(json, 'PICC010', e.message.replace(/^error: /, ''), 'see `picc --help` or `picc <command> --help`');
      return 2;
    }
    failure(json, 'PICC900', e instanceof Error ? e.message.split('\n')[0]! : String(e), 'this is a bug in picc: please report it with the spec that caused it');
    return 3;
  }
}

// `picc … | head` closes stdout early, `2>&-` closes stderr: the reader's choice, not an
// error of picc's. Output to a closed stream is dropped and the exit code stays.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'EBADF') stream.destroy();
    else throw e;
  });
}

// Some libraries report failures from callbacks; those too end as one line, never a stack trace.
process.on('uncaughtException', (e) => {
  try {
    failure(wantsJson(process.argv), 'PICC900', e instanceof Error ? e.message.split('\n').slice(0, 4).join(' ') : String(e), 'this is a bug in picc: please report it');
  } finally {
    process.exit(3);
  }
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
