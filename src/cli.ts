#!/usr/bin/env node
// Command-line wiring only: read files, call the library, print diagnostics, write
// output, choose the exit code (0 ok, 1 invalid input, 2 wrong usage, 3 internal error).

import 'reflect-metadata';
import { Command, CommanderError, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { hasErrors, type Diagnostic } from './diagnostics/diagnostic.js';
import { formatHuman, formatJson, summary } from './diagnostics/format.js';
import { fileProblem } from './diagnostics/report.js';
import { emit } from './emit.js';
import { analyze, compile } from './index.js';
import { serializeSecrets, parseSecrets } from './secrets/file.js';
import { generateSecrets, rotateToken } from './secrets/generate.js';
import { defaultSecretsPath, readSecretsFile, replaceSecretsFile, writeNewSecretsFile } from './secrets/store.js';
import { PICC_VERSION } from './version.js';

interface OutputOptions {
  format: 'human' | 'json';
  strict?: boolean;
}

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

async function readInput(path: string): Promise<{ text?: string; diagnostics: Diagnostic[] }> {
  try {
    return { text: await readFile(path, 'utf8'), diagnostics: [] };
  } catch (e) {
    return { diagnostics: [fileProblem(path, 'PICC001', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)] };
  }
}

/** Prints diagnostics to stderr; exits 1 when there are errors (or warnings under --strict). */
function reportAndMaybeExit(diagnostics: Diagnostic[], sources: Map<string, string>, opts: OutputOptions, wrote = false): void {
  const failing = hasErrors(diagnostics) || (opts.strict === true && diagnostics.length > 0);
  if (opts.format === 'json') process.stderr.write(formatJson(diagnostics));
  else if (diagnostics.length > 0) {
    process.stderr.write(formatHuman(diagnostics, sources));
    process.stderr.write(summary(diagnostics, wrote && !failing));
  }
  if (failing) throw new Exit(1);
}

async function secretsFor(specPath: string, given: string | undefined, cluster: string): Promise<{ path: string; text: string }> {
  const path = given ?? defaultSecretsPath(specPath);
  const existing = await readSecretsFile(path);
  if (existing !== undefined) return { path, text: existing };
  const text = serializeSecrets(await generateSecrets(cluster, new Date()));
  await writeNewSecretsFile(path, text);
  process.stderr.write(`picc: created the secrets file ${path} (mode 0600). Keep it private and back it up: the cluster's CA lives there.\n`);
  return { path, text };
}

/** Reads and checks a spec; reports and exits 1 unless it is valid. */
async function validSpec(spec: string, opts: OutputOptions, sources: Map<string, string>): Promise<{ text: string; name: string }> {
  const input = await readInput(spec);
  if (input.text === undefined) {
    reportAndMaybeExit(input.diagnostics, sources, opts);
    throw new Exit(1);
  }
  sources.set(spec, input.text);
  const analysis = analyze(spec, input.text);
  if (!analysis.spec) {
    reportAndMaybeExit(analysis.diagnostics, sources, opts);
    throw new Exit(1);
  }
  return { text: input.text, name: analysis.spec.metadata.name };
}

async function runCompile(spec: string, opts: OutputOptions & { out: string; secrets?: string }): Promise<void> {
  const sources = new Map<string, string>();
  // Check the spec before touching the secrets file: nothing is written for a bad spec.
  const input = await validSpec(spec, opts, sources);
  const secrets = await secretsFor(spec, opts.secrets, input.name);
  sources.set(secrets.path, secrets.text);
  const result = compile(spec, input.text, secrets.path, secrets.text);
  const failing = hasErrors(result.diagnostics) || (opts.strict === true && result.diagnostics.length > 0);
  if (failing || !result.artifacts || !result.plan) return reportAndMaybeExit(result.diagnostics, sources, opts);
  const folder = await emit(opts.out, result.plan.name, result.artifacts).catch((e: NodeJS.ErrnoException) => {
    // A path the user chose that cannot hold the output is their input, not our bug.
    if (e.code && ['EACCES', 'EEXIST', 'ENOTDIR', 'EROFS', 'EPERM', 'ENOSPC'].includes(e.code)) {
      process.stderr.write(`picc: cannot write the output into ${opts.out}: ${e.code} (${e.message}); choose another folder with -o\n`);
      throw new Exit(1);
    }
    throw e;
  });
  reportAndMaybeExit(result.diagnostics, sources, opts, true);
  const rel = relative(process.cwd(), folder);
  const shown = rel && !rel.startsWith('..') ? rel : folder;
  process.stdout.write(`picc: wrote ${result.artifacts.length} files for ${result.plan.nodes.length} nodes to ${shown}/\n`);
  for (const n of result.plan.nodes) process.stdout.write(`  ${n.name.padEnd(20)} ${n.joinKind.padEnd(19)} ${n.address.padEnd(16)} ${n.os.id}\n`);
}

async function runValidate(spec: string, opts: OutputOptions): Promise<void> {
  const input = await readInput(spec);
  const sources = new Map<string, string>();
  if (input.text !== undefined) sources.set(spec, input.text);
  const diagnostics = input.text === undefined ? input.diagnostics : analyze(spec, input.text).diagnostics;
  reportAndMaybeExit(diagnostics, sources, opts);
  if (opts.format === 'human') process.stdout.write(`picc: ${spec} is valid\n`);
}

async function runSecretsInit(spec: string, opts: OutputOptions & { secrets?: string }): Promise<void> {
  const input = await validSpec(spec, opts, new Map());
  const path = opts.secrets ?? defaultSecretsPath(spec);
  if ((await readSecretsFile(path)) !== undefined) {
    process.stderr.write(`picc: ${path} already exists; picc never overwrites a secrets file (its CA is the cluster's identity)\n`);
    throw new Exit(1);
  }
  await writeNewSecretsFile(path, serializeSecrets(await generateSecrets(input.name, new Date())));
  process.stdout.write(`picc: created ${path} (mode 0600). Keep it private and back it up.\n`);
}

async function runRotateToken(spec: string, opts: OutputOptions & { secrets?: string }): Promise<void> {
  const path = opts.secrets ?? defaultSecretsPath(spec);
  const text = await readSecretsFile(path);
  const sources = new Map<string, string>();
  if (text === undefined) return reportAndMaybeExit([fileProblem(path, 'PICC001', `no secrets file at ${path}`, 'run `picc secrets init SPEC` first')], sources, opts);
  sources.set(path, text);
  const parsed = parseSecrets(path, text);
  if (!parsed.value) return reportAndMaybeExit(parsed.diagnostics, sources, opts);
  await replaceSecretsFile(path, serializeSecrets(rotateToken(parsed.value)));
  process.stdout.write(`picc: new bootstrap token in ${path}. Recompile, then put the new token on the control plane:\n` +
    `  kubeadm token create <token from the file> --ttl 24h   (run on a control plane)\n` +
    `and use the recompiled setup.sh or seed for the nodes that join next.\n`);
}

function program(): Command {
  const format = new Option('--format <format>', 'diagnostics format').choices(['human', 'json']).default('human');
  const strict = new Option('--strict', 'treat warnings as errors');
  const cmd = new Command('picc')
    .description('Pi cluster compiler: one cluster.yaml to per-node kubeadm setup scripts and cloud-init seeds')
    .version(PICC_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  cmd
    .command('compile')
    .description('compile a cluster spec into <out>/<cluster>/<node>/{setup.sh,user-data,meta-data,network-config}')
    .argument('<spec>', 'the cluster spec (cluster.yaml)')
    .option('-o, --out <dir>', 'output folder', 'out')
    .option('--secrets <file>', 'secrets file (default: <spec>.secrets.yaml beside the spec; created when missing)')
    .addOption(format)
    .addOption(strict)
    .action((spec: string, opts) => runCompile(spec, opts));
  cmd
    .command('validate')
    .description('check a cluster spec and report every problem; writes nothing')
    .argument('<spec>', 'the cluster spec')
    .addOption(format)
    .addOption(strict)
    .action((spec: string, opts) => runValidate(spec, opts));
  const secrets = cmd.command('secrets').description('manage the cluster secrets file');
  secrets
    .command('init')
    .description('create the secrets file (CAs, keys, bootstrap token) with mode 0600; never overwrites')
    .argument('<spec>', 'the cluster spec')
    .option('--secrets <file>', 'secrets file path')
    .addOption(format)
    .action((spec: string, opts) => runSecretsInit(spec, opts));
  secrets
    .command('rotate-token')
    .description('replace the bootstrap token in the secrets file (recompile afterwards)')
    .argument('<spec>', 'the cluster spec')
    .option('--secrets <file>', 'secrets file path')
    .addOption(format)
    .action((spec: string, opts) => runRotateToken(spec, opts));
  return cmd;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else is wrong usage.
      return e.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`picc: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 3;
  }
}

// `picc … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

// Some libraries report failures from callbacks; those too end as one line, never a stack trace.
process.on('uncaughtException', (e) => {
  process.stderr.write(`picc: internal error: ${e instanceof Error ? e.message.split('\n').slice(0, 4).join(' ') : String(e)}\n`);
  process.exit(3);
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
